package engine_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/engine"
)

// TestViewAPI pins what custom routes build on: Rows, One, Filters,
// QueryJSON, QueryObject, Insert, Patch and Remove.
func TestViewAPI(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	ctx := context.Background()
	eng := e.App.Engine
	types := e.App.Registry.MustCollection("task-types")
	p := &engine.Principal{PersonID: e.Admin.ID, Role: "admin"}

	body, err := engine.Values(map[string]any{"name": "Layout", "short_name": "lay", "for_entity": "Shot", "priority": 3})
	if err != nil {
		t.Fatal(err)
	}
	id, created, err := eng.Insert(ctx, eng.DB, types, p, body)
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	var row map[string]any
	if err := json.Unmarshal(created, &row); err != nil || row["id"] != id || row["type"] != "TaskType" || row["color"] != "#FFFFFF" {
		t.Fatalf("insert answered %s (%v); want the row with Zou's defaults", created, err)
	}
	if _, _, err := eng.Insert(ctx, eng.DB, types, p, map[string]json.RawMessage{"bogus": []byte(`1`)}); err == nil {
		t.Fatal("insert with an unknown key: no error")
	}

	one, err := eng.One(ctx, nil, types, engine.View{Fields: []string{"name"}, Extra: []engine.Extra{
		{Key: "upper", SQL: "upper(t.name) || ?", Args: []any{"!"}, Kind: engine.KindText},
		{Key: "type", SQL: "'Custom'", Kind: engine.KindText},
	}}, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, one); len(got) != 4 || got["upper"] != "LAYOUT!" || got["type"] != "Custom" || got["name"] != "Layout" {
		t.Fatalf("One = %s", one)
	}
	if _, err := eng.One(ctx, nil, types, engine.View{}, "not-a-uuid"); !isStatus(err, 404) {
		t.Fatalf("One of a malformed id: %v, want 404", err)
	}

	where, err := eng.Filters(types, p, url.Values{"for_entity": {"Shot"}, "unknown": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := eng.Rows(ctx, nil, types, engine.View{Fields: []string{"name"}}, where)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(list, &rows); err != nil || len(rows) != 1 || rows[0]["name"] != "Layout" {
		t.Fatalf("Rows = %s (%v)", list, err)
	}
	if _, err := eng.Filters(types, p, url.Values{"priority": {"high"}}); !isStatus(err, 400) {
		t.Fatalf("uncastable filter: %v, want 400", err)
	}

	patched, err := eng.Patch(ctx, eng.DB, types, p, id, map[string]json.RawMessage{"name": []byte(`"Layout 2"`), "nope": []byte(`1`)})
	if err != nil || decode(t, patched)["name"] != "Layout 2" {
		t.Fatalf("Patch = %s, %v", patched, err)
	}

	q, err := engine.QueryJSON(ctx, eng.DB, `SELECT id, name, priority, created_at, '{"a": 1}'::jsonb AS data, true AS ok,
		1.5::float8 AS f, NULL::text AS nothing FROM task_type WHERE id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	var qrows []map[string]any
	if err := json.Unmarshal(q, &qrows); err != nil || len(qrows) != 1 {
		t.Fatalf("QueryJSON = %s (%v)", q, err)
	}
	r := qrows[0]
	if r["id"] != id || r["priority"] != 3.0 || r["ok"] != true || r["f"] != 1.5 || r["nothing"] != nil ||
		len(r["created_at"].(string)) != len("2006-01-02T15:04:05") || r["data"].(map[string]any)["a"] != 1.0 {
		t.Fatalf("QueryJSON row = %v", r)
	}
	if _, err := engine.QueryObject(ctx, eng.DB, "SELECT 1 AS n WHERE false"); !isStatus(err, 404) {
		t.Fatalf("QueryObject of nothing: %v, want 404", err)
	}

	obj, err := engine.QueryObject(ctx, eng.DB, "SELECT "+types.ObjectSQL("t")+"::text AS o FROM task_type t WHERE t.id = ?", id)
	if err != nil {
		t.Fatal(err)
	}
	var wrapped struct {
		O json.RawMessage `json:"o"`
	}
	if err := json.Unmarshal(obj, &wrapped); err != nil {
		t.Fatal(err)
	}
	var asText string
	if err := json.Unmarshal(wrapped.O, &asText); err != nil {
		t.Fatalf("ObjectSQL selected as text should come back as a string: %s", obj)
	}
	if nested := decode(t, []byte(asText)); nested["name"] != "Layout 2" || nested["type"] != "TaskType" {
		t.Fatalf("ObjectSQL = %s", asText)
	}

	if err := eng.Remove(ctx, eng.DB, types, p, id, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.One(ctx, nil, types, engine.View{}, id); !isStatus(err, 404) {
		t.Fatalf("after Remove: %v, want 404", err)
	}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object (%v): %s", err, b)
	}
	return m
}

func isStatus(err error, status int) bool {
	e, ok := err.(*engine.Error)
	return ok && e.Status == status
}
