package policies

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// recorder is a slog.Handler keeping every record, so tests can wait for Watch's messages.
type recorder struct {
	mu   sync.Mutex
	msgs []string // message and attributes, flattened
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
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

// has reports whether a record contains every given substring.
func (r *recorder) has(subs ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(m, s)
		}
		if ok {
			return true
		}
	}
	return false
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writePolicy replaces policy.csv the way many editors do: write a temporary file, rename it over.
func writePolicy(t *testing.T, dir string, content []byte) {
	t.Helper()
	tmp := filepath.Join(dir, ".policy.csv.tmp")
	if err := os.WriteFile(tmp, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, PolicyFile)); err != nil {
		t.Fatal(err)
	}
}

func grants(e *Enforcer, role, obj, act, cond string) bool {
	return slices.Contains(e.Conditions(role, obj, act), cond)
}

// TestReload grants a new right, then checks a broken file keeps it.
func TestReload(t *testing.T) {
	dir := writeDefaults(t)
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if e.Dir() != dir {
		t.Fatalf("Dir() = %q", e.Dir())
	}
	base := mustRead(t, dir, PolicyFile)
	if grants(e, "user", "budgets", "read", "self") {
		t.Fatal("default policy already grants budgets to users")
	}

	granted := append(slices.Clone(base), "p, user, budgets, read, self\n"...)
	if err := os.WriteFile(filepath.Join(dir, PolicyFile), granted, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	if !grants(e, "user", "budgets", "read", "self") {
		t.Fatal("new grant not in force after Reload")
	}
	rules := e.Rules()

	for name, broken := range map[string][]byte{
		"unknown role": append(slices.Clone(base), "p, wizard, budgets, read, all\n"...),
		"bad fields":   append(slices.Clone(base), "p, user, budgets, read\n"...),
		"empty file":   nil,
	} {
		if err := os.WriteFile(filepath.Join(dir, PolicyFile), broken, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := e.Reload(); err == nil {
			t.Fatalf("%s: Reload accepted a broken file", name)
		}
		if !grants(e, "user", "budgets", "read", "self") || e.Rules() != rules {
			t.Fatalf("%s: previous policy lost after a refused reload", name)
		}
	}

	if err := os.Remove(filepath.Join(dir, PolicyFile)); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(); err == nil {
		t.Fatal("Reload accepted a missing file")
	}
	if !grants(e, "user", "budgets", "read", "self") {
		t.Fatal("previous policy lost after a missing file")
	}
	if _, err := Load(dir); err == nil {
		t.Fatal("Load accepted a directory without policy.csv")
	}
}

// startWatch runs Watch until the test ends and waits until it listens.
func startWatch(t *testing.T, e *Enforcer) *recorder {
	t.Helper()
	// Belt and braces: should Watch fail to register, a SIGHUP must fail
	// the test rather than kill the test binary.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGHUP)
	t.Cleanup(func() { signal.Stop(guard) })

	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Watch(ctx, slog.New(rec)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Watch did not stop when its context ended")
		}
	})
	eventually(t, "Watch to start", func() bool {
		select {
		case err := <-done:
			t.Fatalf("Watch returned early: %v", err)
		default:
		}
		return rec.has("watching")
	})
	return rec
}

// TestWatchFileChanges checks edits are picked up (rename and in-place) and broken ones refused.
func TestWatchFileChanges(t *testing.T) {
	dir := writeDefaults(t)
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	base := mustRead(t, dir, PolicyFile)
	rec := startWatch(t, e)

	// Editor style: temporary file renamed over policy.csv.
	writePolicy(t, dir, append(slices.Clone(base), "p, client, budgets, read, team\n"...))
	eventually(t, "the renamed file to be loaded", func() bool { return grants(e, "client", "budgets", "read", "team") })

	// In-place write.
	inPlace := append(slices.Clone(base), "p, client, budgets, read, team\np, vendor, budgets, read, self\n"...)
	if err := os.WriteFile(filepath.Join(dir, PolicyFile), inPlace, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the rewritten file to be loaded", func() bool { return grants(e, "vendor", "budgets", "read", "self") })

	// Broken edit: logged, previous policy kept.
	broken := append(slices.Clone(inPlace), "p, wizard, budgets, read, all\n"...)
	if err := os.WriteFile(filepath.Join(dir, PolicyFile), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the refusal to be logged", func() bool { return rec.has("reload refused", "wizard") })
	if !grants(e, "vendor", "budgets", "read", "self") || !grants(e, "client", "budgets", "read", "team") {
		t.Fatal("previous policy lost after a broken edit")
	}
	if grants(e, "wizard", "budgets", "read", "all") {
		t.Fatal("broken file partly applied")
	}
}

// TestWatchSIGHUP checks SIGHUP reloads a change made while nobody watched the files.
func TestWatchSIGHUP(t *testing.T) {
	dir := writeDefaults(t)
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Edited before Watch starts, so no file event can announce it: only SIGHUP can.
	writePolicy(t, dir, append(mustRead(t, dir, PolicyFile), "p, supervisor, budgets, read, team\n"...))
	if grants(e, "supervisor", "budgets", "read", "team") {
		t.Fatal("granted before any reload")
	}
	rec := startWatch(t, e)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "SIGHUP to reload", func() bool { return grants(e, "supervisor", "budgets", "read", "team") })
	eventually(t, "the SIGHUP reload to be logged", func() bool { return rec.has("reloaded", "SIGHUP") })
}

// TestWatchEmbedded checks SIGHUP is handled (not fatal) with the embedded defaults.
func TestWatchEmbedded(t *testing.T) {
	e, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	rec := startWatch(t, e)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "SIGHUP to be handled", func() bool { return rec.has("unchanged", "SIGHUP") })
}
