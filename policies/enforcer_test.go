package policies

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"
)

// writeDefaults copies the embedded files into a fresh directory.
func writeDefaults(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{ModelFile, PolicyFile} {
		b, err := Defaults.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestMapMatchesCasbin checks that the precomputed table allows exactly what
// casbin's Enforce allows, with casbin loading the files through its own
// file adapter, for every role × collection × action (and a few outsiders).
func TestMapMatchesCasbin(t *testing.T) {
	dir := writeDefaults(t)
	ce, err := casbin.NewEnforcer(filepath.Join(dir, ModelFile), filepath.Join(dir, PolicyFile))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	roles := append(Roles(), "guest")
	objs := append(slices.Clone(collections), "assets")
	acts := append(Actions(), "list")
	for _, role := range roles {
		for _, obj := range objs {
			for _, act := range acts {
				want, err := ce.Enforce(role, obj, act)
				if err != nil {
					t.Fatal(err)
				}
				if got := e.Allowed(role, obj, act); got != want {
					t.Errorf("(%s, %s, %s): table says %v, casbin says %v", role, obj, act, got, want)
				}
			}
		}
	}
	// The conds too: the set per request is the set of casbin rules with that prefix.
	rules, err := ce.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if e.Rules() != len(rules) {
		t.Errorf("table holds %d rules, casbin %d", e.Rules(), len(rules))
	}
	for _, r := range rules {
		if !slices.Contains(e.Conditions(r[0], r[1], r[2]), r[3]) {
			t.Errorf("casbin rule %v missing from the table", r)
		}
	}
	// The load-time agreement check used for edited models must accept the default.
	tb, err := parse(mustRead(t, dir, ModelFile), mustRead(t, dir, PolicyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := agree(ce, tb); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBrokenFilesRefused lists what makes a file broken; each must fail to load.
func TestBrokenFilesRefused(t *testing.T) {
	model, _ := Defaults.ReadFile(ModelFile)
	policy, _ := Defaults.ReadFile(PolicyFile)
	addLine := func(line string) [2]string { return [2]string{string(model), string(policy) + line + "\n"} }
	cases := map[string]struct {
		files [2]string // model, policy
		want  string    // substring of the error
	}{
		"unknown role":         {addLine("p, wizard, tasks, read, all"), `unknown role "wizard"`},
		"role with a space":    {addLine("p, admin , tasks, read, all"), `unknown role "admin "`},
		"unknown action":       {addLine("p, user, tasks, list, all"), `unknown action "list"`},
		"unknown cond":         {addLine("p, user, tasks, read, everything"), `unknown cond "everything"`},
		"trailing comment":     {addLine("p, user, tasks, read, all # why"), `unknown cond "all # why"`},
		"too few fields":       {addLine("p, user, tasks, read"), "want 5 fields"},
		"too many fields":      {addLine("p, user, tasks, read, all, extra"), "want 5 fields"},
		"not a p rule":         {addLine("g, user, tasks, read, all"), `rule type "g"`},
		"empty first field":    {addLine(", user, tasks, read, all"), `rule type ""`},
		"bad collection":       {addLine("p, user, Tasks!, read, all"), `collection "Tasks!"`},
		"unterminated quote":   {addLine(`p, user, "tasks, read, all`), "quoted-field"},
		"empty policy":         {[2]string{string(model), "# nothing\n"}, "no rule"},
		"model not casbin":     {[2]string{"this is not a model", string(policy)}, ModelFile},
		"model without cond":   {[2]string{strings.Replace(string(model), "p = sub, obj, act, cond", "p = sub, obj, act", 1), string(policy)}, ModelFile},
		"model with reordered": {[2]string{strings.Replace(string(model), "r = sub, obj, act", "r = obj, sub, act", 1), string(policy)}, ModelFile},
		"matcher with wildcard": {[2]string{
			strings.Replace(string(model), "m = r.sub == p.sub && r.obj == p.obj && r.act == p.act",
				`m = r.sub == p.sub && r.obj == p.obj && r.act == p.act || r.sub == "admin"`, 1),
			string(policy)}, "matcher"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := parse([]byte(c.files[0]), []byte(c.files[1]))
			if err == nil {
				t.Fatal("loaded a broken file")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// TestErrorsNameTheLine checks that a refused file points the admin at the line to fix.
func TestErrorsNameTheLine(t *testing.T) {
	model, _ := Defaults.ReadFile(ModelFile)
	policy := "# header\n\np, admin, tasks, read, all\np, wizard, tasks, read, all\n"
	_, err := parse(model, []byte(policy))
	if err == nil || !strings.Contains(err.Error(), "policy.csv line 4:") {
		t.Fatalf("got %v, want an error naming policy.csv line 4", err)
	}
	// A garbage file is summarised rather than listed in full.
	_, err = parse(model, []byte(strings.Repeat("p, wizard, tasks, read, all\n", 15)))
	if err == nil || !strings.Contains(err.Error(), "5 more bad lines") || strings.Count(err.Error(), "\n") != 10 {
		t.Fatalf("got %v, want 10 lines and a summary", err)
	}
}

// TestDuplicatesAndOrder checks that duplicate lines count once and conds come in vocabulary order.
func TestDuplicatesAndOrder(t *testing.T) {
	model, _ := Defaults.ReadFile(ModelFile)
	policy := "\ufeffp, manager, entities, delete, creator\np, manager, entities, delete, team\np, manager, entities, delete, creator\n"
	tb, err := parse(model, []byte(policy))
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.conds[key{"manager", "entities", "delete"}]; !slices.Equal(got, []string{"team", "creator"}) {
		t.Fatalf("got %v, want [team creator]", got)
	}
	if tb.rules != 2 {
		t.Fatalf("rules = %d, want 2", tb.rules)
	}
	// The returned slice is full: appending must not write into the table.
	got := tb.conds[key{"manager", "entities", "delete"}]
	_ = append(got, "all")
	if again := tb.conds[key{"manager", "entities", "delete"}]; len(again) != 2 || cap(again) != 2 {
		t.Fatalf("table changed: %v", again)
	}
}

// TestConcurrentReads runs readers against reloads; meaningful under -race.
func TestConcurrentReads(t *testing.T) {
	dir := writeDefaults(t)
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	base := mustRead(t, dir, PolicyFile)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if len(e.Conditions("admin", "tasks", "read")) == 0 {
					t.Error("admin lost tasks read during a reload")
					return
				}
				_ = e.Objects()
			}
		})
	}
	for i := range 20 {
		extra := ""
		if i%2 == 0 {
			extra = "p, user, budgets, read, self\n"
		}
		if err := os.WriteFile(filepath.Join(dir, PolicyFile), append(slices.Clone(base), extra...), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := e.Reload(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}
