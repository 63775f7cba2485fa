package policies

import (
	"slices"
	"strings"
	"testing"
)

// collections is every /data collection of Zou's generic CRUD
// (crud-semantics.md, models.md "Collection index").
var collections = []string{
	"persons", "projects", "project-status", "entity-types", "task-types", "task-status",
	"departments", "file-status", "softwares", "output-types", "studios",
	"preview-background-files", "project-templates", "organisations", "entities", "tasks",
	"task-type-links", "task-status-links", "hardware-items", "salary-scales", "budgets",
	"budget-entries", "plugins", "events", "notifications", "search-filters",
	"search-filter-groups", "news", "subscriptions", "entity-links", "chats", "chat-messages",
	"comments", "attachment-files", "asset-instances", "time-spents", "day-offs",
	"schedule-items", "output-files", "preview-files", "working-files", "custom-actions",
	"status-automations", "playlists", "milestones", "metadata-descriptors",
	"production-schedule-versions", "production-schedule-version-task-links",
}

// matrix is Zou's permission matrix (crud-semantics.md §10, checked against
// zou/app/blueprints/crud/*.py) written per collection as
// {read, create, update, delete}. Each cell is a space-separated list of:
//
//	any      every role, all rows
//	admin    admin, all rows
//	pm       PM(p): admin all + manager team
//	member   member(p): admin all + every other role team
//	-        nobody
//	role=c1+c2  role gets exactly these conds (overrides a shorthand); role=- removes it
//
// A role a cell does not name is denied.
var matrix = map[string][4]string{
	"persons":                  {"any", "admin", "admin manager=self supervisor=self user=self client=self vendor=self", "admin"},
	"projects":                 {"member", "admin manager=all", "pm", "admin"}, // manager create: issue #2 asks for it (Zou: admin only)
	"project-status":           {"any", "admin", "admin", "admin"},
	"entity-types":             {"any", "admin", "admin", "admin"},
	"task-types":               {"any", "admin", "admin", "admin"},
	"task-status":              {"any", "admin", "admin", "admin"},
	"departments":              {"any", "admin", "admin", "admin"},
	"file-status":              {"any", "admin", "admin", "admin"},
	"softwares":                {"any", "admin", "admin", "admin"},
	"output-types":             {"any", "admin", "admin", "admin"},
	"studios":                  {"any", "admin", "admin", "admin"},
	"preview-background-files": {"any", "admin", "admin", "admin"},
	// "global manager+": no project, so the global role.
	"project-templates": {"admin manager=all", "admin", "admin", "admin"},
	"organisations":     {"any", "admin", "admin", "admin"},
	// update: member AND (manager OR creator), supervisors data keys of their departments;
	// delete: creator (alone) OR PM(p).
	"entities": {
		"member vendor=assigned",
		"pm",
		"pm supervisor=team user=creator client=creator vendor=creator",
		"pm manager=team+creator supervisor=creator user=creator client=creator vendor=creator",
	},
	// create: Zou's POST performs no check at all.
	"tasks":                {"member vendor=assigned", "any", "pm supervisor=team", "pm"},
	"task-type-links":      {"-", "pm", "-", "-"},
	"task-status-links":    {"-", "pm", "-", "-"},
	"hardware-items":       {"admin", "admin", "admin", "admin"},
	"salary-scales":        {"admin", "admin", "admin", "admin"},
	"budgets":              {"admin", "admin", "admin", "admin"},
	"budget-entries":       {"admin", "admin", "admin", "admin"},
	"plugins":              {"admin", "admin", "admin", "admin"},
	"events":               {"admin", "admin", "admin", "admin"},
	"notifications":        {"admin", "admin", "admin", "admin"},
	"search-filters":       {"admin", "admin", "admin", "admin"},
	"search-filter-groups": {"admin", "admin", "admin", "admin"},
	"news":                 {"admin", "admin", "admin", "admin"},
	"subscriptions":        {"admin", "admin", "admin", "admin"},
	"entity-links":         {"admin", "admin", "admin", "admin"},
	"chats":                {"admin", "admin", "admin", "admin"},
	"chat-messages":        {"admin", "admin", "admin", "admin"},
	// read = what one may GET row by row (lists are admin-only in Zou).
	"comments": {
		"member vendor=assigned",
		"admin",
		"member",
		"pm supervisor=self user=self client=self vendor=self",
	},
	"attachment-files": {"member vendor=assigned", "admin", "admin", "admin"},
	"asset-instances":  {"member vendor=assigned", "admin", "member vendor=assigned", "admin"},
	// delete: the row's person AND (caller is that person, admin, or PM(p)).
	"time-spents": {"admin", "admin", "admin", "pm manager=team+self supervisor=self user=self client=self vendor=self"},
	"day-offs": {
		"admin manager=self supervisor=self user=self client=self vendor=self",
		"admin manager=self supervisor=self user=self client=self vendor=self",
		"admin manager=self supervisor=self user=self client=self vendor=self",
		"admin manager=self supervisor=self user=self client=self vendor=self",
	},
	"schedule-items": {"admin", "admin", "pm supervisor=team", "admin"},
	// update: PM(p) or caller assigned to a task of the (temporal) entity.
	"output-files": {
		"member vendor=assigned",
		"admin",
		"pm manager=team+assigned supervisor=assigned user=assigned client=assigned vendor=assigned",
		"admin",
	},
	"preview-files": {
		"member vendor=assigned",
		"admin",
		"pm supervisor=assigned user=assigned client=assigned vendor=assigned",
		"pm",
	},
	// update = ACT: managers and clients any task, supervisors their departments or assigned, others assigned.
	"working-files": {
		"member vendor=assigned",
		"admin",
		"pm supervisor=team+assigned user=assigned client=team vendor=assigned",
		"admin",
	},
	"custom-actions":     {"any vendor=-", "admin", "admin", "admin"},
	"status-automations": {"any vendor=-", "admin", "admin", "admin"},
	"playlists": {
		"member vendor=-",
		"pm supervisor=team",
		"pm supervisor=creator",
		"pm supervisor=creator",
	},
	"milestones":                             {"member vendor=-", "pm", "pm", "pm"},
	"metadata-descriptors":                   {"member", "admin", "admin", "admin"},
	"production-schedule-versions":           {"member client=- vendor=-", "pm", "pm", "admin"},
	"production-schedule-version-task-links": {"member client=- vendor=-", "pm", "pm", "pm"},
}

// expand turns one matrix cell into role → conds.
func expand(t *testing.T, cell string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, tok := range strings.Fields(cell) {
		switch tok {
		case "-":
		case "any":
			for _, r := range knownRoles {
				out[r] = []string{CondAll}
			}
		case "admin":
			out[RoleAdmin] = []string{CondAll}
		case "pm":
			out[RoleAdmin] = []string{CondAll}
			out[RoleManager] = []string{CondTeam}
		case "member":
			out[RoleAdmin] = []string{CondAll}
			for _, r := range knownRoles[1:] {
				out[r] = []string{CondTeam}
			}
		default:
			role, conds, ok := strings.Cut(tok, "=")
			if !ok || !slices.Contains(knownRoles, role) {
				t.Fatalf("bad matrix token %q", tok)
			}
			if conds == "-" {
				delete(out, role)
				continue
			}
			cs := strings.Split(conds, "+")
			for _, c := range cs {
				if !slices.Contains(knownConds, c) {
					t.Fatalf("bad cond in matrix token %q", tok)
				}
			}
			out[role] = cs
		}
	}
	return out
}

// canonical sorts conds in vocabulary order, as Conditions returns them.
func canonical(cs []string) []string {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b string) int {
		return slices.Index(knownConds, a) - slices.Index(knownConds, b)
	})
	return out
}

// TestTruthTable pins the embedded default policy to Zou's matrix for every
// role × collection × action.
func TestTruthTable(t *testing.T) {
	e, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if len(matrix) != len(collections) {
		t.Fatalf("matrix has %d rows, want one per collection (%d)", len(matrix), len(collections))
	}
	checked := 0
	for _, coll := range collections {
		row, ok := matrix[coll]
		if !ok {
			t.Errorf("matrix has no row for %s", coll)
			continue
		}
		for i, act := range knownActions {
			want := expand(t, row[i])
			for _, role := range knownRoles {
				checked++
				got := e.Conditions(role, coll, act)
				w := canonical(want[role])
				if len(w) == 0 {
					w = nil
				}
				if !slices.Equal(got, w) {
					t.Errorf("%s %s %s: got %v, want %v", role, act, coll, got, w)
				}
			}
		}
	}
	if want := len(knownRoles) * len(collections) * len(knownActions); checked != want {
		t.Fatalf("checked %d combinations, want %d", checked, want)
	}
}

// TestEveryCollectionInPolicy checks the policy names exactly the /data collections.
func TestEveryCollectionInPolicy(t *testing.T) {
	e, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	objs := e.Objects()
	for _, c := range collections {
		if !slices.Contains(objs, c) {
			t.Errorf("collection %s is missing from policy.csv", c)
		}
	}
	for _, o := range objs {
		if !slices.Contains(collections, o) {
			t.Errorf("policy.csv names %s, which is not a /data collection", o)
		}
	}
	// Admins get explicit rows on every collection: the file is a complete table.
	for _, c := range collections {
		n := 0
		for _, act := range knownActions {
			n += len(e.Conditions(RoleAdmin, c, act))
		}
		if n == 0 {
			t.Errorf("no admin rule for %s", c)
		}
	}
}

// TestUnknownIsDenied checks deny-by-default outside the vocabulary.
func TestUnknownIsDenied(t *testing.T) {
	e, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range [][3]string{
		{"guest", "persons", "read"},
		{"", "persons", "read"},
		{"admin", "assets", "read"},
		{"admin", "persons", "list"},
		{"Admin", "persons", "read"},
		{"admin", "", ""},
	} {
		if got := e.Conditions(q[0], q[1], q[2]); got != nil {
			t.Errorf("Conditions%v = %v, want nil", q, got)
		}
	}
}
