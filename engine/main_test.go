package engine_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/dbtest"
	"github.com/zou-go/zou/engine"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		// Refusals are logged by design; keep them out of a passing run's output.
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	os.Exit(dbtest.Main(m))
}

// Zou's error bodies, built once so every test compares against the same shapes.
var (
	notFoundBody = map[string]any{"error": true, "message": engine.MsgNotFound}
	methodBody   = map[string]any{"error": true, "message": engine.MsgMethod}
	forbidBody   = map[string]any{"error": true, "message": engine.MsgForbidden}
)

// wrongParam is the body of Zou's WrongParameterException.
func wrongParam(msg string) map[string]any {
	return map[string]any{"error": true, "message": msg, "data": nil}
}

// dbMessage is the body of a sanitised database error on CRUD writes (no "error" key).
func dbMessage(msg string) map[string]any { return map[string]any{"message": msg} }

// do calls the server as the admin. It takes the calling test (not the Env's)
// so that parallel subtests sharing one Env report their own failures.
// body: nil, a string or []byte sent as is, or a value sent as JSON.
func do(t testing.TB, e *apptest.Env, method, path string, body any, headers ...string) *apptest.Response {
	t.Helper()
	return doAs(t, e, e.Admin.Token, method, path, body, headers...)
}

// doAs calls the server with token ("" = anonymous); headers are name, value pairs
// and override the defaults (Content-Type: application/json when a body is sent).
func doAs(t testing.TB, e *apptest.Env, token, method, path string, body any, headers ...string) *apptest.Response {
	t.Helper()
	return e.DoFor(t, method, path, body, token, headers...)
}

// must calls the server as the admin and fails unless the status is want.
func must(t testing.TB, e *apptest.Env, want int, method, path string, body any) *apptest.Response {
	t.Helper()
	r := do(t, e, method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// create posts body to /data/<coll> as the admin and returns the new row.
func create(t testing.TB, e *apptest.Env, coll string, body map[string]any) map[string]any {
	t.Helper()
	return must(t, e, 201, "POST", "/data/"+coll, body).Object(t)
}

// wantError checks the status and that the body is exactly want (Zou's error shape).
func wantError(t testing.TB, r *apptest.Response, status int, want map[string]any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("error body is not a JSON object (%v): %q", err, r.Body)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("error body\n got: %s\nwant: %s", r.Body, mustJSON(want))
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q, want application/json", ct)
	}
}

// wantMessagePrefix checks a WrongParameterException-shaped body whose message starts with prefix.
func wantMessagePrefix(t testing.TB, r *apptest.Response, status int, prefix string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	m := r.Object(t)
	msg, _ := m["message"].(string)
	if m["error"] != true || !strings.HasPrefix(msg, prefix) || len(m) != 3 {
		t.Fatalf("body %s, want {error: true, message: %q…, data}", r.Body, prefix)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// countRows counts the rows of a table straight from the database.
func countRows(t testing.TB, e *apptest.Env, table string) int {
	t.Helper()
	var n int
	if err := e.App.DB.NewRaw("SELECT count(*) FROM ?", bun.Ident(table)).Scan(context.Background(), &n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// ids returns the "id" of each row.
func ids(rows []map[string]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i], _ = r["id"].(string)
	}
	return out
}

func hasID(rows []map[string]any, id string) bool {
	for _, got := range ids(rows) {
		if got == id {
			return true
		}
	}
	return false
}

// keysOf lists the keys of a JSON object, for messages.
func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
