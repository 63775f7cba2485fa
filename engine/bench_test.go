package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// Benchmarks go through the real router and PostgreSQL, like the tests:
//
//	go test ./engine -run XXX -bench . -benchmem -benchtime=20x

// benchEnv is a server whose task table holds n rows in one project (the
// filter's match) plus n/10 in another, and the admin's token already cached.
type benchEnv struct {
	*apptest.Env
	project, other, taskID string
}

func newBenchEnv(tb testing.TB, n int) *benchEnv {
	tb.Helper()
	e := apptest.NewGeneric(tb)
	b := &benchEnv{Env: e}
	b.project = create(tb, e, "projects", map[string]any{"name": "Bench"})["id"].(string)
	b.other = create(tb, e, "projects", map[string]any{"name": "Other"})["id"].(string)
	insert := func(project string, count int) {
		_, err := e.App.DB.NewRaw(`INSERT INTO task (id, created_at, updated_at, name, priority, difficulty, duration,
			estimation, completion_rate, retake_count, sort_order, nb_assets_ready, nb_drawings, project_id, data)
			SELECT gen_random_uuid(), now() - g * interval '1 second', now() - g * interval '1 second', 'task ' || g,
			g % 5, 3, 1.5, 2, 0, 0, g, 0, 0, ?, '{"k": 1}'::jsonb FROM generate_series(1, ?) g`, project, count).
			Exec(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
	}
	insert(b.project, n)
	insert(b.other, n/10)
	if _, err := e.App.DB.ExecContext(context.Background(), "ANALYZE task"); err != nil {
		tb.Fatal(err)
	}
	b.taskID = create(tb, e, "tasks", map[string]any{"name": "one", "project_id": b.project})["id"].(string)
	return b
}

// serve runs one request through the router and checks its status. The
// answer goes to a writer that only counts it, as a socket would take it:
// an httptest recorder growing a buffer to 6 MB would time its own copies.
func (b *benchEnv) serve(tb testing.TB, method, path, body string, want int) int {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+b.Admin.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := &countingWriter{header: http.Header{}, code: http.StatusOK}
	b.App.Handler.ServeHTTP(w, req)
	if w.code != want {
		tb.Fatalf("%s %s: %d", method, path, w.code)
	}
	return w.n
}

// countingWriter is an http.ResponseWriter that keeps the status and the size.
type countingWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *countingWriter) Header() http.Header  { return w.header }
func (w *countingWriter) WriteHeader(code int) { w.code = code }
func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

func BenchmarkListFiltered10k(b *testing.B) {
	const rows = 10000
	env := newBenchEnv(b, rows)
	path := "/data/tasks?project_id=" + env.project
	// One check outside the timer: the filter matches exactly the project's rows.
	if got := len(must(b, env.Env, 200, "GET", path, nil).List(b)); got != rows+1 {
		b.Fatalf("%d rows, want %d", got, rows+1)
	}
	var size int
	b.ResetTimer()
	for b.Loop() {
		size = env.serve(b, "GET", path, "", 200)
	}
	b.ReportMetric(float64(rows+1), "rows/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows+1), "ns/row")
	b.ReportMetric(float64(size), "bytes/resp")
}

func BenchmarkListPage100(b *testing.B) {
	env := newBenchEnv(b, 10000)
	path := "/data/tasks?project_id=" + env.project + "&page=7&limit=100"
	for b.Loop() {
		env.serve(b, "GET", path, "", 200)
	}
}

func BenchmarkGetByID(b *testing.B) {
	env := newBenchEnv(b, 1000)
	path := "/data/tasks/" + env.taskID
	for b.Loop() {
		env.serve(b, "GET", path, "", 200)
	}
}

func BenchmarkCreate(b *testing.B) {
	env := newBenchEnv(b, 1000)
	i := 0
	for b.Loop() {
		i++
		env.serve(b, "POST", "/data/tasks", fmt.Sprintf(`{"name": "new %d", "project_id": %q, "priority": 2}`, i, env.project), 201)
	}
}

// TestQueryCount pins the database round trips of the hot paths for an admin
// whose person lookup is cached (auth.Authenticator keeps it 2 s).
func TestQueryCount(t *testing.T) {
	t.Parallel()
	env := newBenchEnv(t, 10)
	counter := env.CountQueries()
	one := "/data/tasks/" + env.taskID

	cases := []struct {
		name, method, path, body string
		status, queries          int
	}{
		{"get one", "GET", one, "", 200, 1},
		{"get one without relations", "GET", one + "?relations=false", "", 200, 1},
		{"list", "GET", "/data/tasks", "", 200, 1},
		{"filtered list", "GET", "/data/tasks?project_id=" + env.project + "&relations=true", "", 200, 1},
		{"page", "GET", "/data/tasks?page=1&limit=5", "", 200, 2}, // count + rows
	}
	// The hook sees the auth lookup too: a person not yet cached costs one more query.
	fresh := env.NewPerson("admin")
	counter.Reset()
	if r := doAs(t, env.Env, fresh.Token, "GET", one, nil); r.Status != 200 {
		t.Fatalf("GET as a fresh admin: %d", r.Status)
	}
	if q := counter.Reset(); len(q) != 2 {
		t.Errorf("uncached GET one: %d queries, want 2 (person lookup + row):\n  %s", len(q), strings.Join(q, "\n  "))
	}
	for _, c := range cases {
		env.serve(t, "GET", one, "", 200) // warm the auth cache
		counter.Reset()
		env.serve(t, c.method, c.path, c.body, c.status)
		if q := counter.Reset(); len(q) != c.queries {
			t.Errorf("%s: %d queries, want %d:\n  %s", c.name, len(q), c.queries, strings.Join(q, "\n  "))
		}
	}
}
