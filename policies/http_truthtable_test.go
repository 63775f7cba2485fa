package policies_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/policies"
)

// TestHTTPTruthTable checks, for every role and every mounted collection,
// that the answers of the list and create routes agree with the policy in
// force: no rule → 403 with Zou's body; a read rule → the list answers 200
// (scoped, possibly empty); a create rule with cond all → anything but 403
// (usually 400 for a body that misses required fields). Nobody is in any
// team, so the global role is the effective one. It runs on the generic
// router: the policy governs the engine's routes; an area that serves a
// collection's list or create itself (comments: admin-only lists, as Zou)
// pins its own answers in its tests.
//
// Every create is tried twice: with {} and with every *_id key set to an id
// that exists nowhere, which makes the engine resolve the body's project
// through the collection's project expression. Neither may ever answer 5xx.
func TestHTTPTruthTable(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	people := map[string]*apptest.Person{policies.RoleAdmin: e.Admin}
	for _, role := range policies.Roles() {
		if people[role] == nil {
			people[role] = e.NewPerson(role)
		}
	}
	colls := e.App.Registry.Collections()
	if len(colls) < 40 {
		t.Fatalf("only %d collections registered", len(colls))
	}

	var checked int
	for _, c := range colls {
		if c.Custom {
			continue // hand-written routes answer for themselves
		}
		ghost := map[string]any{}
		for _, col := range c.Table.Fields {
			if col.Name != "id" && len(col.Name) > 3 && col.Name[len(col.Name)-3:] == "_id" {
				ghost[col.Name] = uuid.NewString()
			}
		}
		for _, role := range policies.Roles() {
			who := people[role]
			read := e.App.Policy.Conditions(role, c.Name, policies.ActRead)
			create := e.App.Policy.Conditions(role, c.Name, policies.ActCreate)

			r := e.Do("GET", "/data/"+c.Name, nil, who.Token)
			what := fmt.Sprintf("%s GET /data/%s (read conds %v)", role, c.Name, read)
			switch {
			case len(read) == 0:
				wantError(t, what, r, http.StatusForbidden, zouForbidden)
			case r.Status != http.StatusOK:
				t.Errorf("%s: status %d, want 200; body: %s", what, r.Status, r.Body)
			default:
				r.List(t) // a JSON array, however scoped
			}
			checked++

			for i, body := range []map[string]any{{}, ghost} {
				r := e.Do("POST", "/data/"+c.Name, body, who.Token)
				what := fmt.Sprintf("%s POST /data/%s body#%d (create conds %v)", role, c.Name, i, create)
				switch {
				case r.Status >= 500:
					t.Errorf("%s: status %d; body: %s", what, r.Status, r.Body)
				case len(create) == 0:
					wantError(t, what, r, http.StatusForbidden, zouForbidden)
				case slices.Contains(create, policies.CondAll) && r.Status == http.StatusForbidden:
					t.Errorf("%s: 403 although the role may create any row; body: %s", what, r.Body)
				case !slices.Contains(create, policies.CondAll) && !slices.Contains(create, policies.CondCreator) && r.Status != http.StatusForbidden:
					// team needs a project the caller belongs to, self needs
					// the caller's own id: neither body offers that.
					t.Errorf("%s: status %d, want 403 (no condition can hold); body: %s", what, r.Status, r.Body)
				}
				checked++
			}
		}
	}
	t.Logf("%d answers checked against the policy", checked)
}
