package policies_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zou-go/zou/app"
	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/dbtest"
	"github.com/zou-go/zou/policies"
)

// logRecorder keeps Watch's messages so the test can wait for a reload (or
// its refusal) instead of sleeping.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	r.mu.Lock()
	r.msgs = append(r.msgs, b.String())
	r.mu.Unlock()
	return nil
}

func (r *logRecorder) count(sub string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if strings.Contains(m, sub) {
			n++
		}
	}
	return n
}

// TestPolicyHotReloadThroughServer edits policy.csv under a running server:
// a new grant takes effect without a restart, and a broken file is refused
// while the table in force keeps answering.
func TestPolicyHotReloadThroughServer(t *testing.T) {
	t.Parallel()
	dir, policy := policyDir(t)
	e := apptest.New(t, func(c *config.Config) { c.PolicyDir = dir })
	if got := e.App.Policy.Dir(); got != dir {
		t.Fatalf("server reads its policy from %q, want %q", got, dir)
	}
	artist := e.NewPerson("user")

	rec := &logRecorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.App.Policy.Watch(ctx, slog.New(rec)) }()
	// Stop the watcher before t.TempDir's cleanup removes its directory.
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	eventually(t, "the watcher to start", func() bool { return rec.count("policies: watching") > 0 })

	wantError(t, "artist lists events before the edit", e.Do("GET", "/data/events", nil, artist.Token), http.StatusForbidden, zouForbidden)

	path := filepath.Join(dir, policies.PolicyFile)
	grant := append(bytes.Clone(policy), []byte("\n# issue: artists read the event log\np, user, events, read, all\n")...)
	if err := os.WriteFile(path, grant, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the artist to be allowed", func() bool {
		return e.Do("GET", "/data/events", nil, artist.Token).Status == http.StatusOK
	})
	// Only the new line changed: other roles and actions are untouched.
	wantError(t, "client lists events after the edit", e.Do("GET", "/data/events", nil, e.NewPerson("client").Token), http.StatusForbidden, zouForbidden)
	wantError(t, "artist creates an event after the edit", e.Do("POST", "/data/events", map[string]any{"name": "x"}, artist.Token), http.StatusForbidden, zouForbidden)

	refused := rec.count("reload refused")
	broken := append(bytes.Clone(grant), []byte("p, intern, events, read, all\n")...)
	if err := os.WriteFile(path, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the broken file to be refused", func() bool { return rec.count("reload refused") > refused })
	if rec.count("intern") == 0 {
		t.Errorf("the refusal should name the bad role; log: %v", rec.msgs)
	}
	e.Must(http.StatusOK, "GET", "/data/events", nil, artist.Token)
	e.Must(http.StatusOK, "GET", "/data/projects", nil, e.Admin.Token)
	wantError(t, "artist creates a task type with the broken file", e.Do("POST", "/data/task-types", map[string]any{"name": "x"}, artist.Token), http.StatusForbidden, zouForbidden)

	// Repairing the file (dropping the grant) is picked up again.
	if err := os.WriteFile(path, policy, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the grant to be withdrawn", func() bool {
		return e.Do("GET", "/data/events", nil, artist.Token).Status == http.StatusForbidden
	})
}

// TestBootRefusesMissingCollection: a policy without any studios row is a
// configuration error the server must refuse at start, naming the collection.
func TestBootRefusesMissingCollection(t *testing.T) {
	t.Parallel()
	dir, policy := policyDir(t)
	var kept bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(policy))
	dropped := 0
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Split(line, ","); len(f) == 5 && strings.TrimSpace(f[2]) == "studios" {
			dropped++
			continue
		}
		kept.WriteString(line + "\n")
	}
	if dropped == 0 {
		t.Fatal("the default policy has no studios row to drop")
	}
	if err := os.WriteFile(filepath.Join(dir, policies.PolicyFile), kept.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := apptest.Config()
	cfg.PolicyDir = dir
	a, err := app.New(context.Background(), cfg, dbtest.New(t))
	if err == nil {
		a.Close()
		t.Fatal("app.New accepted a policy without any studios row")
	}
	if !strings.Contains(err.Error(), "collection studios has no row in the policy file") {
		t.Errorf("error should name studios: %v", err)
	}
	if strings.Contains(err.Error(), "collection persons") {
		t.Errorf("error names collections that do have rows: %v", err)
	}

	// The same directory with the rows back boots.
	if err := os.WriteFile(filepath.Join(dir, policies.PolicyFile), policy, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err = app.New(context.Background(), cfg, dbtest.New(t))
	if err != nil {
		t.Fatalf("app.New with the full policy: %v", err)
	}
	a.Close()
}
