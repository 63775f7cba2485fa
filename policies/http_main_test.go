// HTTP tests of the permission table: the real server (apptest) on a fresh
// PostgreSQL database, called through the real router, so that what the
// policy says and what a client sees cannot drift apart.
package policies_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/dbtest"
	"github.com/zou-go/zou/policies"
)

// TestMain drops the template database once every test of the binary has run.
// It is the only TestMain of the directory: package policies has none.
func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// Zou's fixed answers, spelled out here rather than taken from the engine so
// that a change of wording on our side shows up as a failure.
const (
	zouForbidden = "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."
	zouNotFound  = "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
)

// wantError fails unless r is status with Zou's {"error": true, "message": msg} body.
func wantError(t *testing.T, what string, r *apptest.Response, status int, msg string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d; body: %s", what, r.Status, status, r.Body)
		return
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Errorf("%s: body is not a JSON object: %s", what, r.Body)
		return
	}
	if body["error"] != true || body["message"] != msg {
		t.Errorf("%s: body %s, want {\"error\": true, \"message\": %q}", what, r.Body, msg)
	}
}

// ids returns the "id" of every row of a list answer, sorted.
func ids(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	var out []string
	for _, row := range r.List(t) {
		id, _ := row["id"].(string)
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// sorted returns a sorted copy.
func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// str reads a string key of a decoded row.
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// policyDir copies the embedded model.conf and policy.csv into a fresh
// directory and returns it, with the policy text for edits.
func policyDir(t *testing.T) (dir string, policy []byte) {
	t.Helper()
	dir = t.TempDir()
	for _, name := range []string{policies.ModelFile, policies.PolicyFile} {
		b, err := policies.Defaults.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if name == policies.PolicyFile {
			policy = b
		}
	}
	return dir, policy
}

// eventually polls cond until it holds, failing the test at the deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
