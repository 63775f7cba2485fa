package policies_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// TestProjectAccessScenario is the acceptance: who sees and edits which
// production, with per-project roles overriding global ones.
//
// Pinned choice: a single row the caller cannot read answers 404 (even to PUT
// or DELETE), a row he can read but not change answers 403, and a role with no
// rule at all for the action answers 403. Zou answers 403 for a non-member's
// GET/PUT of a project (check_project_access raises PermissionDenied); we hide
// the row's existence instead, as the design asks.
func TestProjectAccessScenario(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)

	closed := e.Create("project-status", map[string]any{"name": "Closed", "color": "#000000"})
	a := e.Create("projects", map[string]any{"name": "Alpha"})
	b := e.Create("projects", map[string]any{"name": "Beta"})
	c := e.Create("projects", map[string]any{"name": "Gamma", "project_status_id": closed["id"]})
	A, B, C := str(a, "id"), str(b, "id"), str(c, "id")
	if a["project_status_id"] == nil || a["project_status_id"] == closed["id"] {
		t.Fatalf("project A should default to the Open status: %v", a)
	}

	et := e.Create("entity-types", map[string]any{"name": "Character"})
	tt := e.Create("task-types", map[string]any{"name": "Modeling"})
	ts := e.Create("task-status", map[string]any{"name": "Todo", "short_name": "todo", "color": "#000000"})
	studio := e.Create("studios", map[string]any{"name": "Main", "color": "#000000"})
	entity := func(project, name string) string {
		return str(e.Create("entities", map[string]any{"name": name, "project_id": project, "entity_type_id": et["id"]}), "id")
	}
	task := func(project, ent string) string {
		return str(e.Create("tasks", map[string]any{"name": "main", "project_id": project, "entity_id": ent,
			"task_type_id": tt["id"], "task_status_id": ts["id"]}), "id")
	}
	entA, entB, entC := entity(A, "Hero"), entity(B, "Villain"), entity(C, "Sidekick")
	taskA, taskB := task(A, entA), task(B, entB)

	artist := e.NewPerson("user")
	e.AddToTeam(A, artist.ID, "")
	e.AddToTeam(C, artist.ID, "")
	manager := e.NewPerson("manager") // production manager of A only
	e.AddToTeam(A, manager.ID, "")
	pmArtist := e.NewPerson("user") // artist elsewhere, manager of A
	e.AddToTeam(A, pmArtist.ID, "manager")
	clientMgr := e.NewPerson("manager") // manager elsewhere, client on A
	e.AddToTeam(A, clientMgr.ID, "client")
	fakeAdmin := e.NewPerson("user") // an "admin" project slot is ignored
	e.AddToTeam(A, fakeAdmin.ID, "admin")
	newEntity := func(project, name string) map[string]any {
		return map[string]any{"name": name, "project_id": project, "entity_type_id": et["id"]}
	}

	const (
		forbidden = http.StatusForbidden
		notFound  = http.StatusNotFound
	)
	rename := map[string]any{"description": "edited"}
	cases := []struct {
		name         string
		who          *apptest.Person
		method, path string
		body         any
		want         int
	}{
		{"artist reads his open project", artist, "GET", "/data/projects/" + A, nil, 200},
		{"artist cannot read another team's project", artist, "GET", "/data/projects/" + B, nil, notFound},
		{"artist reads his closed project", artist, "GET", "/data/projects/" + C, nil, 200},
		{"artist reads an entity of his project", artist, "GET", "/data/entities/" + entA, nil, 200},
		{"artist reads an entity of his closed project", artist, "GET", "/data/entities/" + entC, nil, 200},
		{"artist cannot read an entity of another project", artist, "GET", "/data/entities/" + entB, nil, notFound},
		{"artist reads a task of his project", artist, "GET", "/data/tasks/" + taskA, nil, 200},
		{"artist cannot read a task of another project", artist, "GET", "/data/tasks/" + taskB, nil, notFound},
		{"artist cannot create a task type", artist, "POST", "/data/task-types", map[string]any{"name": "Rigging"}, forbidden},
		{"artist is refused before the body is validated", artist, "POST", "/data/task-types", map[string]any{"name": "Rigging", "bogus": 1}, forbidden},
		{"artist cannot edit a studio", artist, "PUT", "/data/studios/" + str(studio, "id"), map[string]any{"name": "Mine"}, forbidden},
		{"artist cannot list events", artist, "GET", "/data/events", nil, forbidden},
		{"artist cannot list notifications", artist, "GET", "/data/notifications", nil, forbidden},
		{"artist cannot create a project", artist, "POST", "/data/projects", map[string]any{"name": "Mine"}, forbidden},
		{"artist cannot edit his project", artist, "PUT", "/data/projects/" + A, rename, forbidden},
		{"artist has no update rule, even out of reach", artist, "PUT", "/data/projects/" + B, rename, forbidden},
		{"artist cannot delete his project", artist, "DELETE", "/data/projects/" + C, nil, forbidden},

		{"manager edits his project", manager, "PUT", "/data/projects/" + A, rename, 200},
		{"manager cannot edit a project he is not in", manager, "PUT", "/data/projects/" + B, rename, notFound},
		{"manager cannot read a project he is not in", manager, "GET", "/data/projects/" + B, nil, notFound},
		{"manager cannot edit a closed project he is not in", manager, "PUT", "/data/projects/" + C, rename, notFound},
		{"manager cannot delete a project", manager, "DELETE", "/data/projects/" + A, nil, forbidden},
		{"manager cannot create a task type", manager, "POST", "/data/task-types", map[string]any{"name": "Rigging"}, forbidden},

		{"per-project manager edits that project", pmArtist, "PUT", "/data/projects/" + A, rename, 200},
		{"per-project manager is an artist elsewhere", pmArtist, "PUT", "/data/projects/" + B, rename, forbidden},
		{"per-project manager cannot create a project (global role)", pmArtist, "POST", "/data/projects", map[string]any{"name": "Mine"}, forbidden},

		{"manager with a client slot is a client there", clientMgr, "PUT", "/data/projects/" + A, rename, forbidden},
		{"client slot still reads the project", clientMgr, "GET", "/data/projects/" + A, nil, 200},
		{"client slot cannot create an entity there", clientMgr, "POST", "/data/entities", newEntity(A, "Prop"), forbidden},
		{"client slot cannot delete an entity there", clientMgr, "DELETE", "/data/entities/" + entA, nil, forbidden},

		{"admin slot is ignored", fakeAdmin, "PUT", "/data/projects/" + A, rename, forbidden},
		{"admin slot does not open admin collections", fakeAdmin, "GET", "/data/events", nil, forbidden},

		{"manager creates an entity in his project", manager, "POST", "/data/entities", newEntity(A, "Tree"), http.StatusCreated},
		{"manager cannot create an entity elsewhere", manager, "POST", "/data/entities", newEntity(B, "Tree"), forbidden},
		{"manager refused elsewhere before validation", manager, "POST", "/data/entities", map[string]any{"project_id": B, "bogus": 1}, forbidden},
		{"per-project manager creates an entity there", pmArtist, "POST", "/data/entities", newEntity(A, "Rock"), http.StatusCreated},
		{"per-project manager is an artist elsewhere (create)", pmArtist, "POST", "/data/entities", newEntity(B, "Rock"), forbidden},
		{"artist cannot create an entity", artist, "POST", "/data/entities", newEntity(A, "Bush"), forbidden},
	}
	for _, tc := range cases {
		r := e.Do(tc.method, tc.path, tc.body, tc.who.Token)
		switch tc.want {
		case forbidden:
			wantError(t, tc.name, r, forbidden, zouForbidden)
		case notFound:
			wantError(t, tc.name, r, notFound, zouNotFound)
		default:
			if r.Status != tc.want {
				t.Errorf("%s: %s %s: status %d, want %d; body: %s", tc.name, tc.method, tc.path, r.Status, tc.want, r.Body)
			}
		}
	}

	// Lists: open projects of the caller's team; admins see everything.
	if got := ids(t, e.Must(200, "GET", "/data/projects", nil, artist.Token)); !slices.Equal(got, []string{A}) {
		t.Errorf("artist's projects: %v, want only A %s", got, A)
	}
	page := e.Must(200, "GET", "/data/projects?page=1", nil, artist.Token).Object(t)
	if rows, _ := page["data"].([]any); len(rows) != 1 || page["total"] != float64(1) {
		t.Errorf("artist's paginated projects: %v, want only A", page)
	}
	if got := ids(t, e.Must(200, "GET", "/data/entities", nil, artist.Token)); len(got) != 3 || !slices.Contains(got, entA) ||
		slices.Contains(got, entB) || slices.Contains(got, entC) {
		t.Errorf("artist's entities: %v, want the 3 of A (B is not his, C is closed)", got)
	}
	if got := ids(t, e.Must(200, "GET", "/data/tasks", nil, artist.Token)); !slices.Equal(got, []string{taskA}) {
		t.Errorf("artist's tasks: %v, want only %s", got, taskA)
	}
	if got := ids(t, e.Must(200, "GET", "/data/projects", nil, manager.Token)); !slices.Equal(got, []string{A}) {
		t.Errorf("manager's projects: %v, want only A", got)
	}
	all := ids(t, e.Must(200, "GET", "/data/projects", nil, e.Admin.Token))
	if !slices.Equal(all, sorted(A, B, C)) {
		t.Errorf("admin's projects: %v, want A, B and the closed C", all)
	}
	if got := e.Must(200, "GET", "/data/projects/"+A, nil, artist.Token).Object(t); got["description"] != "edited" {
		t.Errorf("project A after the managers' edits: %v", got)
	}

	// Rows whose project is reached through another row: a schedule version
	// task link belongs to its version's project, and only that project's
	// managers may create one.
	versionA := str(e.Create("production-schedule-versions", map[string]any{"name": "v1", "project_id": A}), "id")
	versionA2 := str(e.Create("production-schedule-versions", map[string]any{"name": "v1b", "project_id": A}), "id")
	versionB := str(e.Create("production-schedule-versions", map[string]any{"name": "v1", "project_id": B}), "id")
	e.Must(http.StatusCreated, "POST", "/data/production-schedule-version-task-links",
		map[string]any{"production_schedule_version_id": versionA, "task_id": taskA}, manager.Token)
	e.Must(http.StatusCreated, "POST", "/data/production-schedule-version-task-links",
		map[string]any{"production_schedule_version_id": versionA2, "task_id": taskA}, pmArtist.Token)
	for _, who := range []*apptest.Person{artist, clientMgr} {
		wantError(t, who.Role+" creates a schedule link in A", e.Do("POST", "/data/production-schedule-version-task-links",
			map[string]any{"production_schedule_version_id": versionA, "task_id": taskA}, who.Token), forbidden, zouForbidden)
	}
	wantError(t, "manager creates a schedule link in B", e.Do("POST", "/data/production-schedule-version-task-links",
		map[string]any{"production_schedule_version_id": versionB, "task_id": taskB}, manager.Token), forbidden, zouForbidden)
	e.Must(http.StatusCreated, "POST", "/data/production-schedule-versions", map[string]any{"name": "v2", "project_id": A}, manager.Token)
	wantError(t, "manager creates a schedule version in B", e.Do("POST", "/data/production-schedule-versions",
		map[string]any{"name": "v2", "project_id": B}, manager.Token), forbidden, zouForbidden)

	// A production manager creates a project and joins its team.
	producer := e.NewPerson("manager")
	d := e.Must(http.StatusCreated, "POST", "/data/projects", map[string]any{"name": "Delta"}, producer.Token).Object(t)
	D := str(d, "id")
	if got := ids(t, e.Must(200, "GET", "/data/projects", nil, producer.Token)); !slices.Equal(got, []string{D}) {
		t.Errorf("producer's projects after creating one: %v, want [%s]", got, D)
	}
	team, _ := e.Must(200, "GET", "/data/projects/"+D, nil, e.Admin.Token).Object(t)["team"].([]any)
	if !slices.Contains(team, any(producer.ID)) {
		t.Errorf("team of the new project: %v, want the producer %s in it", team, producer.ID)
	}
	e.Must(200, "PUT", "/data/projects/"+D, rename, producer.Token)
	wantError(t, "producer cannot delete his project", e.Do("DELETE", "/data/projects/"+D, nil, producer.Token), forbidden, zouForbidden)
}
