package routes_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/zou-go/zou/apptest"
)

// breakdownBenchWorld builds a sequence of 100 shots, each cast with 5 of
// 20 assets, written in one statement.
func breakdownBenchWorld(tb testing.TB) (e *apptest.Env, path string, manager *apptest.Person) {
	e = apptest.New(tb)
	project := e.Project("Bench")
	manager = e.NewPerson("manager")
	e.AddToTeam(project, manager.ID, "")
	char := e.AssetType("Character")
	assets := make([]string, 20)
	for i := range assets {
		assets[i] = e.Asset(project, char, fmt.Sprintf("Asset %02d", i))
	}
	seq := e.Sequence(project, "", "SQ01")
	shotType := e.TypeID("Shot")
	_, err := e.App.DB.NewRaw(`INSERT INTO entity (id, created_at, updated_at, name, project_id, entity_type_id, parent_id, status, is_shared)
		SELECT gen_random_uuid(), now(), now(), 'SH' || lpad(g::text, 4, '0'), ?, ?, ?, 'running', false FROM generate_series(1, 100) g`,
		project, shotType, seq).Exec(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	_, err = e.App.DB.NewRaw(`INSERT INTO entity_link (id, created_at, updated_at, entity_in_id, entity_out_id, nb_occurences, label)
		SELECT gen_random_uuid(), now(), now(), sh.id, a.id, 1, ''
		FROM (SELECT id, row_number() OVER (ORDER BY name) AS n FROM entity WHERE parent_id = ?) sh
		JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM entity WHERE id IN (?)) a
		  ON a.n IN (sh.n % 20, (sh.n + 1) % 20, (sh.n + 2) % 20, (sh.n + 3) % 20, (sh.n + 4) % 20)`,
		seq, bun.In(assets)).Exec(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	return e, "/data/projects/" + project + "/sequences/" + seq + "/casting", manager
}

// TestBreakdownSequenceCastingQueries pins the round trips of the sequence
// casting: the project check and one query for the sequence and its casting.
func TestBreakdownSequenceCastingQueries(t *testing.T) {
	e, path, manager := breakdownBenchWorld(t)
	q := e.CountQueries()
	q.Reset()
	r := e.Must(200, "GET", path, nil, manager.Token)
	queries := q.Reset()
	m := r.Object(t)
	if len(m) != 100 {
		t.Fatalf("%d shots in the casting, want 100", len(m))
	}
	for shot, l := range m {
		entries := l.([]any)
		if len(entries) != 5 {
			t.Fatalf("shot %s has %d assets, want 5", shot, len(entries))
		}
		for i := 1; i < len(entries); i++ {
			prev, cur := entries[i-1].(map[string]any)["asset_name"].(string), entries[i].(map[string]any)["asset_name"].(string)
			if prev > cur {
				t.Fatalf("shot %s: %q before %q, want assets by name", shot, prev, cur)
			}
		}
	}
	// The authentication middleware reads the caller first (one query, the
	// same for every route); the route itself must make two whatever the
	// number of shots.
	if len(queries) == 0 || !strings.Contains(queries[0], "FROM person") {
		t.Fatalf("first query is not the caller's lookup: %q", queries)
	}
	if n := len(queries) - 1; n != 2 {
		t.Fatalf("the route made %d queries, want 2: %q", n, queries[1:])
	}
}

func BenchmarkBreakdownSequenceCasting(b *testing.B) {
	e, path, manager := breakdownBenchWorld(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := e.Do("GET", path, nil, manager.Token); r.Status != 200 {
			b.Fatalf("status %d: %s", r.Status, r.Body)
		}
	}
}
