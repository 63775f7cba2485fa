package routes_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// shotsBenchWorld is a project of n shots in 50 sequences, inserted in bulk,
// and an artist of its team (the non-admin path, with its project check).
func shotsBenchWorld(tb testing.TB, n int) (*apptest.Env, string, *apptest.Person) {
	tb.Helper()
	e := apptest.New(tb)
	project := e.Project("Bench")
	seqType, shotType := e.TypeID("Sequence"), e.TypeID("Shot")
	ctx := context.Background()
	_, err := e.App.DB.NewRaw(`INSERT INTO entity (id, created_at, updated_at, name, project_id, entity_type_id, status, is_shared, data)
		SELECT gen_random_uuid(), now(), now(), 'SQ' || lpad(g::text, 3, '0'), ?, ?, 'running', false, '{}'::jsonb
		FROM generate_series(1, 50) g`, project, seqType).Exec(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = e.App.DB.NewRaw(`INSERT INTO entity (id, created_at, updated_at, name, project_id, entity_type_id, parent_id,
			status, is_shared, nb_frames, canceled, nb_entities_out, is_casting_standby, data)
		SELECT gen_random_uuid(), now(), now(), 'SH' || lpad(g::text, 5, '0'), ?, ?,
			(SELECT id FROM entity WHERE name = 'SQ' || lpad((g % 50 + 1)::text, 3, '0') AND project_id = ?),
			'running', false, 24 + g % 100, false, 0, false,
			jsonb_build_object('frame_in', 1, 'frame_out', 24 + g % 100, 'camera', 'camA')
		FROM generate_series(1, ?) g`, project, shotType, project, n).Exec(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.App.DB.ExecContext(ctx, "ANALYZE entity"); err != nil {
		tb.Fatal(err)
	}
	artist := e.NewPerson("user")
	e.AddToTeam(project, artist.ID, "")
	return e, project, artist
}

// BenchmarkShotsProjectList measures GET /data/projects/<p>/shots for a
// project of 5,000 shots, through the router, as a team member:
//
//	go test ./routes -run XXX -bench ShotsProjectList -benchmem -benchtime=20x
func BenchmarkShotsProjectList(b *testing.B) {
	e, project, artist := shotsBenchWorld(b, 5000)
	path := "/data/projects/" + project + "/shots"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+artist.Token)
		rec := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
		b.SetBytes(int64(rec.Body.Len()))
	}
}

// TestShotsProjectListQueries pins the round trips of the project shot
// list: the project check and the list itself, whatever the row count.
func TestShotsProjectListQueries(t *testing.T) {
	e, project, artist := shotsBenchWorld(t, 300)
	q := e.CountQueries()
	q.Reset()
	r := e.Must(200, "GET", "/data/projects/"+project+"/shots", nil, artist.Token)
	if n := len(r.List(t)); n != 300 {
		t.Fatalf("%d shots, want 300", n)
	}
	// The authentication middleware's person lookup is the groundwork's,
	// the same for every route: the route's own statements are the rest.
	var own []string
	for _, s := range q.Reset() {
		if !strings.HasPrefix(s, "SELECT id::text AS id, role, active") {
			own = append(own, s)
		}
	}
	if len(own) != 2 {
		t.Errorf("%d queries, want 2 (project check, list): %v", len(own), own)
	}
}
