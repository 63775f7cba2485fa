package routes_test

import (
	"testing"

	"github.com/zou-go/zou/apptest"
)

// editsWorld is one production with an episode, two edits, a concept and
// people of every kind around it, plus a second production the people are
// not in.
type editsWorld struct {
	e                                                  *apptest.Env
	project, other, episode, edit, edit2, concept      string
	otherEdit, taskType, status, editTask, conceptTask string
	manager, supervisor, artist, outsider, client      *apptest.Person
	vendor, vendorOff                                  *apptest.Person
	vars                                               map[string]string
}

func editsSetup(t *testing.T) *editsWorld {
	t.Helper()
	e := apptest.New(t)
	w := &editsWorld{e: e}
	w.project = e.Project("Cosmos")
	w.other = e.Project("Elsewhere")
	w.manager = e.NewPerson("manager")
	w.supervisor = e.NewPerson("supervisor")
	w.artist = e.NewPerson("user")
	w.outsider = e.NewPerson("user")
	w.client = e.NewPerson("client")
	w.vendor = e.NewPerson("vendor")
	w.vendorOff = e.NewPerson("vendor")
	for _, p := range []*apptest.Person{w.manager, w.supervisor, w.artist, w.client, w.vendor, w.vendorOff} {
		e.AddToTeam(w.project, p.ID, "")
	}
	w.episode = e.Episode(w.project, "E01")
	w.edit = e.Entity(w.project, e.TypeID("Edit"), "Trailer", w.episode, map[string]any{"data": map[string]any{"secret": "s", "open": "o"}})
	w.edit2 = e.Entity(w.project, e.TypeID("Edit"), "Animatic", "")
	w.otherEdit = e.Entity(w.other, e.TypeID("Edit"), "Far", "")
	w.concept = e.Entity(w.project, e.TypeID("Concept"), "Hero sketch", "")
	w.taskType = e.TaskType("Editing", "Edit")
	w.status = e.TaskStatus("Todo", "todo", map[string]any{"is_default": true})
	w.editTask = e.Task(w.project, w.edit, w.taskType, w.status, w.vendor.ID)
	ctt := e.TaskType("Concept art", "Concept")
	w.conceptTask = e.Task(w.project, w.concept, ctt, w.status, w.artist.ID)
	w.vars = map[string]string{"project": w.project, "other": w.other, "episode": w.episode, "edit": w.edit,
		"edit2": w.edit2, "concept": w.concept, "otherEdit": w.otherEdit, "tt": w.taskType, "task": w.editTask}
	return w
}

func TestEditsReadRoutes(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	entityKeys := []string{"id", "name", "project_id", "entity_type_id", "parent_id", "data", "canceled", "created_by", "type"}
	withTasksKeys := []string{"id", "name", "canceled", "data", "description", "entity_type_id", "episode_id", "episode_name",
		"parent_id", "preview_file_id", "project_id", "project_name", "source_id", "nb_entities_out", "tasks", "type"}
	e.Run(t, w.vars, []apptest.Case{
		// Lists with a query string.
		{Name: "all admin", As: e.Admin, Method: "GET", Path: "/data/edits/all", Status: 200, Len: 3, Keys: append(entityKeys, "project_name")},
		{Name: "alias admin", As: e.Admin, Method: "GET", Path: "/data/edits?project_id={project}", Status: 200, Len: 2},
		{Name: "all by name", As: w.artist, Method: "GET", Path: "/data/edits/all?project_id={project}&name=trailer", Status: 200, Len: 1},
		{Name: "all artist no project", As: w.artist, Method: "GET", Path: "/data/edits/all", Status: 403},
		{Name: "all outsider", As: w.outsider, Method: "GET", Path: "/data/edits/all?project_id={project}", Status: 404},
		{Name: "all bad project", As: w.artist, Method: "GET", Path: "/data/edits/all?project_id=nope", Status: 400},
		{Name: "all vendor assigned only", As: w.vendor, Method: "GET", Path: "/data/edits/all?project_id={project}", Status: 200, Len: 1},
		{Name: "all vendor none", As: w.vendorOff, Method: "GET", Path: "/data/edits/all?project_id={project}", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { editsLen(t, r, 0) }},
		{Name: "with-tasks", As: w.manager, Method: "GET", Path: "/data/edits/with-tasks?project_id={project}", Status: 200, Len: 2, Keys: withTasksKeys},
		{Name: "with-tasks episode", As: w.manager, Method: "GET", Path: "/data/edits/with-tasks?project_id={project}&episode_id={episode}", Status: 200, Len: 1},
		{Name: "with-tasks bad id", As: w.manager, Method: "GET", Path: "/data/edits/with-tasks?project_id={project}&episode_id=12", Status: 400},
		{Name: "with-tasks vendor", As: w.vendor, Method: "GET", Path: "/data/edits/with-tasks?project_id={project}", Status: 200, Len: 1},
		// One edit.
		{Name: "get admin", As: e.Admin, Method: "GET", Path: "/data/edits/{edit}", Status: 200, Keys: withTasksKeys},
		{Name: "get artist", As: w.artist, Method: "GET", Path: "/data/edits/{edit}", Status: 200},
		{Name: "get vendor assigned", As: w.vendor, Method: "GET", Path: "/data/edits/{edit}", Status: 200},
		{Name: "get vendor not assigned", As: w.vendor, Method: "GET", Path: "/data/edits/{edit2}", Status: 404},
		{Name: "get outsider", As: w.outsider, Method: "GET", Path: "/data/edits/{edit}", Status: 404},
		{Name: "get a concept id", As: e.Admin, Method: "GET", Path: "/data/edits/{concept}", Status: 404},
		{Name: "get malformed", As: e.Admin, Method: "GET", Path: "/data/edits/xyz", Status: 404},
		{Name: "get no token", Method: "GET", Path: "/data/edits/{edit}", Status: 401},
		{Name: "task types", As: w.artist, Method: "GET", Path: "/data/edits/{edit}/task-types", Status: 200, Len: 1, Keys: []string{"id", "name", "for_entity"}},
		{Name: "task types outsider", As: w.outsider, Method: "GET", Path: "/data/edits/{edit}/task-types", Status: 404},
		{Name: "tasks", As: w.artist, Method: "GET", Path: "/data/edits/{edit}/tasks", Status: 200, Len: 1,
			Keys: []string{"id", "task_type_id", "project_name", "task_type_name", "task_status_name", "entity_type_name", "entity_name"}, NoKeys: []string{"assignees"}},
		{Name: "tasks relations", As: w.artist, Method: "GET", Path: "/data/edits/{edit}/tasks?relations=true", Status: 200, Len: 1, Keys: []string{"assignees"}},
		{Name: "tasks vendor other", As: w.vendorOff, Method: "GET", Path: "/data/edits/{edit}/tasks", Status: 404},
		{Name: "previews", As: w.artist, Method: "GET", Path: "/data/edits/{edit}/preview-files", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { editsEmptyObject(t, r) }},
		{Name: "previews malformed", As: w.artist, Method: "GET", Path: "/data/edits/12/preview-files", Status: 404},
		{Name: "versions", As: w.artist, Method: "GET", Path: "/data/edits/{edit}/versions", Status: 200},
		{Name: "versions outsider", As: w.outsider, Method: "GET", Path: "/data/edits/{edit}/versions", Status: 404},
		// Episode and project lists.
		{Name: "episode edits", As: w.artist, Method: "GET", Path: "/data/episodes/{episode}/edits", Status: 200, Len: 1, Keys: entityKeys},
		{Name: "episode edits not an episode", As: w.artist, Method: "GET", Path: "/data/episodes/{edit}/edits", Status: 404},
		{Name: "episode edits outsider", As: w.outsider, Method: "GET", Path: "/data/episodes/{episode}/edits", Status: 404},
		{Name: "episode edit tasks", As: w.artist, Method: "GET", Path: "/data/episodes/{episode}/edit-tasks", Status: 200, Len: 1, Keys: []string{"task_type_name", "entity_name"}},
		{Name: "project edits", As: w.artist, Method: "GET", Path: "/data/projects/{project}/edits", Status: 200, Len: 2, Keys: entityKeys, NoKeys: []string{"project_name", "tasks"}},
		{Name: "project edits client", As: w.client, Method: "GET", Path: "/data/projects/{project}/edits", Status: 200, Len: 2},
		{Name: "project edits vendor", As: w.vendor, Method: "GET", Path: "/data/projects/{project}/edits", Status: 200, Len: 1},
		{Name: "project edits outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{project}/edits", Status: 404},
		{Name: "project edits unknown", As: e.Admin, Method: "GET", Path: "/data/projects/00000000-0000-0000-0000-000000000000/edits", Status: 404},
	})

	// Versions, unknown ids, and a vendor reaching the episode.
	sqlExec(t, e, "INSERT INTO entity_version (id, created_at, updated_at, name, data, entity_id, person_id) VALUES (gen_random_uuid(), now(), now(), 'v1', '{}', ?, ?)", w.edit, w.manager.ID)
	epTask := e.Task(w.project, w.episode, e.TaskType("Ep", "Episode"), w.status, w.vendor.ID)
	_ = epTask
	zero := "00000000-0000-0000-0000-000000000000"
	e.Run(t, w.vars, []apptest.Case{
		{Name: "versions keys", As: w.artist, Method: "GET", Path: "/data/edits/{edit}/versions", Status: 200, Len: 1,
			Keys: []string{"id", "name", "data", "entity_id", "person_id", "created_at"},
			Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["type"] != "EditVersion" {
					t.Errorf("type: %s", r.Body)
				}
			}},
		{Name: "unknown edit", As: e.Admin, Method: "GET", Path: "/data/edits/" + zero, Status: 404},
		{Name: "unknown edit tasks", As: e.Admin, Method: "GET", Path: "/data/edits/" + zero + "/tasks", Status: 404},
		{Name: "unknown episode", As: e.Admin, Method: "GET", Path: "/data/episodes/" + zero + "/edits", Status: 404},
		{Name: "episode edit tasks vendor", As: w.vendor, Method: "GET", Path: "/data/episodes/{episode}/edit-tasks", Status: 403},
		{Name: "episode edits vendor", As: w.vendor, Method: "GET", Path: "/data/episodes/{episode}/edits", Status: 200, Len: 1},
		{Name: "episode edit tasks outsider", As: w.outsider, Method: "GET", Path: "/data/episodes/{episode}/edit-tasks", Status: 404},
		{Name: "episode edits relations", As: w.manager, Method: "GET", Path: "/data/episodes/{episode}/edits?relations=true", Status: 200, Len: 1, Keys: []string{"entities_out", "instance_casting"}},
	})

	// The answer's shape: business type, the edit's episode and its tasks.
	got := e.Must(200, "GET", "/data/edits/"+w.edit, nil, w.artist.Token).Object(t)
	if got["type"] != "Edit" || got["episode_id"] != w.episode || got["episode_name"] != "E01" || got["project_name"] != "Cosmos" {
		t.Errorf("edit: %v", got)
	}
	tasks := got["tasks"].([]any)
	if len(tasks) != 1 || tasks[0].(map[string]any)["id"] != w.editTask {
		t.Fatalf("tasks: %v", tasks)
	}
	task := tasks[0].(map[string]any)
	for _, k := range []string{"assignees", "is_subscribed", "task_status_id", "due_date", "priority"} {
		if !hasKey(task, k) {
			t.Errorf("task has no %s: %v", k, task)
		}
	}
	if as := task["assignees"].([]any); len(as) != 1 || as[0] != w.vendor.ID {
		t.Errorf("assignees: %v", task["assignees"])
	}
	list := e.Must(200, "GET", "/data/projects/"+w.project+"/edits", nil, w.artist.Token).List(t)
	if list[0]["name"] != "Animatic" || list[1]["name"] != "Trailer" || list[0]["type"] != "Edit" {
		t.Errorf("project edits not by name or typed: %v", list)
	}
	vt := e.Must(200, "GET", "/data/edits/"+w.edit+"/task-types", nil, w.artist.Token).List(t)
	if vt[0]["id"] != w.taskType {
		t.Errorf("task types: %v", vt)
	}
}

func TestEditsVendorMetadataMask(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	dep := e.Department("Layout")
	other := e.Department("Comp")
	e.InDepartment(w.vendor.ID, dep)
	md := e.ID("metadata-descriptors", map[string]any{"project_id": w.project, "entity_type": "Edit", "name": "Secret",
		"field_name": "secret", "departments": []string{other}})
	_ = md
	e.ID("metadata-descriptors", map[string]any{"project_id": w.project, "entity_type": "Edit", "name": "Open",
		"field_name": "open", "departments": []string{dep}})
	for _, path := range []string{"/data/projects/" + w.project + "/edits", "/data/edits/all?project_id=" + w.project} {
		data := e.Must(200, "GET", path, nil, w.vendor.Token).List(t)[0]["data"].(map[string]any)
		if hasKey(data, "secret") || data["open"] != "o" {
			t.Errorf("%s: vendor data %v, want secret masked and open kept", path, data)
		}
	}
	data := e.Must(200, "GET", "/data/edits/"+w.edit, nil, w.vendor.Token).Object(t)["data"].(map[string]any)
	if hasKey(data, "secret") || data["open"] != "o" {
		t.Errorf("one edit: vendor data %v", data)
	}
	data = e.Must(200, "GET", "/data/edits/"+w.edit, nil, w.artist.Token).Object(t)["data"].(map[string]any)
	if data["secret"] != "s" {
		t.Errorf("artist should see every key: %v", data)
	}
}

func TestEditsCreate(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	path := "/data/projects/" + w.project + "/edits"
	e.Run(t, w.vars, []apptest.Case{
		{Name: "artist refused", As: w.artist, Method: "POST", Path: path, Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: path, Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "missing name", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"description": "d"}, Status: 400},
		{Name: "name of wrong type", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"name": 3}, Status: 400},
		{Name: "data of wrong type", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"name": "X", "data": "no"}, Status: 400},
		{Name: "bad episode id", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"name": "X", "episode_id": "12"}, Status: 400},
		{Name: "episode of another kind", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"name": "X", "episode_id": w.edit2}, Status: 400},
		{Name: "not JSON", As: w.manager, Method: "POST", Path: path, Body: "{", Status: 400},
		{Name: "unknown project", As: e.Admin, Method: "POST", Path: "/data/projects/00000000-0000-0000-0000-000000000000/edits", Body: map[string]any{"name": "X"}, Status: 404},
	})
	if n := e.Count("entity", "name = 'X'"); n != 0 {
		t.Fatalf("refused creations wrote %d rows", n)
	}
	r := e.Must(201, "POST", path, map[string]any{"name": "Teaser", "description": "short", "episode_id": w.episode, "data": map[string]any{"k": 1}}, w.manager.Token).Object(t)
	if r["type"] != "Edit" || r["parent_id"] != w.episode || r["created_by"] != w.manager.ID || r["description"] != "short" {
		t.Errorf("created: %v", r)
	}
	ev := e.LastEvent("edit:new")
	if ev.Data["edit_id"] != r["id"] || ev.Data["parent_id"] != w.episode {
		t.Errorf("event: %v", ev)
	}
	// Same name under the same episode: the existing edit, no new row, no event.
	n := len(e.Events())
	again := e.Must(201, "POST", path, map[string]any{"name": "Teaser", "episode_id": w.episode}, w.manager.Token).Object(t)
	if again["id"] != r["id"] || len(e.Events()) != n {
		t.Errorf("get-or-create: %v", again)
	}
	// Same name without episode: a distinct edit.
	other := e.Must(201, "POST", path, map[string]any{"name": "Teaser"}, e.Admin.Token).Object(t)
	if other["id"] == r["id"] || other["parent_id"] != nil {
		t.Errorf("no-episode edit: %v", other)
	}
	if got := e.Count("entity", "name = 'Teaser'"); got != 2 {
		t.Errorf("%d Teaser rows, want 2", got)
	}
}

func TestEditsDelete(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "artist refused", As: w.artist, Method: "DELETE", Path: "/data/edits/{edit}", Status: 403},
		{Name: "outsider", As: w.outsider, Method: "DELETE", Path: "/data/edits/{edit}", Status: 404},
		{Name: "malformed", As: e.Admin, Method: "DELETE", Path: "/data/edits/nope", Status: 404},
		{Name: "concept id", As: e.Admin, Method: "DELETE", Path: "/data/edits/{concept}", Status: 404},
	})
	// With tasks and no force: canceled, edit:update.
	e.Must(204, "DELETE", "/data/edits/"+w.edit, nil, w.manager.Token)
	if e.Count("entity", "id = ? AND canceled", w.edit) != 1 {
		t.Fatal("edit with tasks should be canceled")
	}
	if ev := e.LastEvent("edit:update"); ev.Data["edit_id"] != w.edit {
		t.Errorf("event: %v", ev)
	}
	// Forced: gone with its tasks and their assignments.
	sqlExec(t, e, "INSERT INTO entity_version (id, created_at, updated_at, name, entity_id) VALUES (gen_random_uuid(), now(), now(), 'v1', ?)", w.edit)
	e.Must(204, "DELETE", "/data/edits/"+w.edit+"?force=true", nil, w.manager.Token)
	if e.Count("entity", "id = ?", w.edit) != 0 || e.Count("task", "id = ?", w.editTask) != 0 ||
		e.Count("task_person_link", "task_id = ?", w.editTask) != 0 || e.Count("entity_version", "entity_id = ?", w.edit) != 0 {
		t.Fatal("forced delete left rows")
	}
	if ev := e.LastEvent("edit:delete"); ev.Data["edit_id"] != w.edit {
		t.Errorf("event: %v", ev)
	}
	// The creator may delete his own edit even as an artist outside the team.
	mine := e.Entity(w.project, e.TypeID("Edit"), "Mine", "", map[string]any{})
	sqlExec(t, e, "UPDATE entity SET created_by = ? WHERE id = ?", w.outsider.ID, mine)
	e.Must(204, "DELETE", "/data/edits/"+mine, nil, w.outsider.Token)
	if e.Count("entity", "id = ?", mine) != 0 {
		t.Fatal("creator delete: row still there")
	}
	e.Must(404, "GET", "/data/edits/"+mine, nil, e.Admin.Token)
}

// editsLen checks the length of a list answer (apptest's Len cannot ask for 0).
func editsLen(t *testing.T, r *apptest.Response, n int) {
	t.Helper()
	if got := len(r.List(t)); got != n {
		t.Fatalf("%d elements, want %d: %s", got, n, r.Body)
	}
}

// editsEmptyObject checks that an answer is {} (grouped previews of an entity without any).
func editsEmptyObject(t *testing.T, r *apptest.Response) {
	t.Helper()
	if m := r.Object(t); len(m) != 0 {
		t.Fatalf("want {}, got %s", r.Body)
	}
}
