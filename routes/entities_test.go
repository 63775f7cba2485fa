package routes_test

import (
	"testing"

	"github.com/zou-go/zou/apptest"
)

func TestEntitiesReadRoutes(t *testing.T) {
	w := newsSetup(t)
	e := w.e
	sqlExec(t, e, `INSERT INTO time_spent (id, created_at, updated_at, date, duration, task_id, person_id)
		VALUES (gen_random_uuid(), now(), now(), '2024-01-02', 3600, ?, ?), (gen_random_uuid(), now(), now(), '2024-01-05', 60, ?, ?)`,
		w.editTask, w.vendor.ID, w.editTask, w.vendor.ID)
	e.Run(t, w.vars, []apptest.Case{
		{Name: "one", As: w.artist, Method: "GET", Path: "/data/entities/{edit}", Status: 200,
			Keys: []string{"id", "name", "type", "entities_out", "instance_casting", "entity_concept_links"}},
		{Name: "one without relations", As: w.artist, Method: "GET", Path: "/data/entities/{edit}?relations=false", Status: 200, NoKeys: []string{"entities_out"}},
		{Name: "one vendor", As: w.vendor, Method: "GET", Path: "/data/entities/{edit}", Status: 200},
		{Name: "one vendor unassigned", As: w.vendor, Method: "GET", Path: "/data/entities/{shot}", Status: 404},
		{Name: "one outsider", As: w.outsider, Method: "GET", Path: "/data/entities/{edit}", Status: 404},
		{Name: "one malformed", As: e.Admin, Method: "GET", Path: "/data/entities/abc", Status: 400},
		{Name: "previews", As: w.artist, Method: "GET", Path: "/data/entities/{edit}/preview-files", Status: 200, Len: 1, Keys: []string{"id", "revision", "task_id", "type"}},
		{Name: "previews outsider", As: w.outsider, Method: "GET", Path: "/data/entities/{edit}/preview-files", Status: 404},
		{Name: "time spents", As: w.artist, Method: "GET", Path: "/data/entities/{edit}/time-spents", Status: 200, Len: 2, Keys: []string{"id", "date", "duration", "person_id", "task_id"}},
		{Name: "time spents vendor unassigned", As: w.vendor, Method: "GET", Path: "/data/entities/{shot}/time-spents", Status: 404},
		{Name: "time spents outsider", As: w.outsider, Method: "GET", Path: "/data/entities/{edit}/time-spents", Status: 404},
		{Name: "linked", As: w.artist, Method: "GET", Path: "/data/entities/{edit}/entities-linked/with-tasks", Status: 200},
		{Name: "linked outsider", As: w.outsider, Method: "GET", Path: "/data/entities/{edit}/entities-linked/with-tasks", Status: 404},
		// The generic list carries the business type of each row.
		{Name: "list typed", As: w.artist, Method: "GET", Path: "/data/entities?project_id={project}&name=SH01", Status: 200, Len: 1},
	})
	if got := e.Must(200, "GET", "/data/entities/"+w.shot, nil, w.artist.Token).Object(t)["type"]; got != "Shot" {
		t.Errorf("type %v, want Shot", got)
	}
	list := e.Must(200, "GET", "/data/entities?project_id="+w.project+"&name=SH01", nil, w.artist.Token).List(t)
	if list[0]["type"] != "Shot" {
		t.Errorf("list type: %v", list[0]["type"])
	}
	ts := e.Must(200, "GET", "/data/entities/"+w.edit+"/time-spents", nil, w.artist.Token).List(t)
	if ts[0]["date"] != "2024-01-05" {
		t.Errorf("time spents not latest first: %v", ts)
	}
	pf := e.Must(200, "GET", "/data/edits/"+w.edit+"/preview-files", nil, w.artist.Token).Object(t)
	group, _ := pf[w.taskType].([]any)
	if len(group) != 1 || group[0].(map[string]any)["id"] != w.preview || !hasKey(group[0].(map[string]any), "previews") {
		t.Errorf("grouped previews: %v", pf)
	}
}

func TestEntitiesDeleteMany(t *testing.T) {
	w := newsSetup(t)
	e := w.e
	path := "/actions/projects/" + w.project + "/delete-entities"
	bare := e.Entity(w.project, e.TypeID("Edit"), "Bare", "")
	e.Run(t, w.vars, []apptest.Case{
		{Name: "not a list", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"ids": 1}, Status: 400},
		{Name: "bad id", As: w.manager, Method: "POST", Path: path, Body: []string{"x"}, Status: 400},
		{Name: "artist", As: w.artist, Method: "POST", Path: path, Body: []string{w.edit}, Status: 403},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: path, Body: []string{w.edit}, Status: 404},
		{Name: "unknown project", As: e.Admin, Method: "POST", Path: "/actions/projects/00000000-0000-0000-0000-000000000000/delete-entities", Body: []string{}, Status: 404},
	})
	if e.Count("entity", "id = ? AND canceled", w.edit) != 0 {
		t.Fatal("refused calls changed rows")
	}
	// The edit (tasks) is canceled, the bare edit and the concept deleted;
	// the episode is not a deletable kind, another production's edit is skipped.
	r := e.Must(200, "POST", path, []string{w.edit, bare, w.concept, w.episode, w.otherEdit, "00000000-0000-0000-0000-000000000000"}, w.manager.Token)
	var ids []any
	for _, x := range r.JSON(t).([]any) {
		ids = append(ids, x)
	}
	if len(ids) != 3 || ids[0] != w.edit || ids[1] != bare || ids[2] != w.concept {
		t.Errorf("answer: %s", r.Body)
	}
	if e.Count("entity", "id = ? AND canceled", w.edit) != 1 || e.Count("entity", "id IN (?, ?)", bare, w.concept) != 0 ||
		e.Count("news", "task_id = ?", w.conceptTask) != 0 || e.Count("entity", "id IN (?, ?)", w.episode, w.otherEdit) != 2 {
		t.Error("rows after batch delete")
	}
	if e.LastEvent("edit:update").Data["edit_id"] != w.edit || e.LastEvent("concept:delete").Data["concept_id"] != w.concept {
		t.Errorf("events: %v", e.EventNames())
	}
	// Forced: the edit goes with its task, news, preview and time spent.
	e.Must(200, "POST", path+"?force=true", []string{w.edit}, w.manager.Token)
	if e.Count("entity", "id = ?", w.edit) != 0 || e.Count("preview_file", "id = ?", w.preview) != 0 || e.Count("news", "task_id = ?", w.editTask) != 0 {
		t.Error("forced batch delete left rows")
	}
}

func TestEntitiesCRUDOverrides(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	typeID := e.TypeID("Edit")
	e.Run(t, w.vars, []apptest.Case{
		{Name: "create artist", As: w.artist, Method: "POST", Path: "/data/entities", Body: map[string]any{"name": "N", "project_id": w.project, "entity_type_id": typeID}, Status: 403},
		{Name: "create outsider", As: w.outsider, Method: "POST", Path: "/data/entities", Body: map[string]any{"name": "N", "project_id": w.project, "entity_type_id": typeID}, Status: 403},
		{Name: "create no project", As: w.manager, Method: "POST", Path: "/data/entities", Body: map[string]any{"name": "N", "entity_type_id": typeID}, Status: 403},
		{Name: "create bad project", As: w.manager, Method: "POST", Path: "/data/entities", Body: map[string]any{"name": "N", "project_id": "x", "entity_type_id": typeID}, Status: 400},
		{Name: "create bad status", As: w.manager, Method: "POST", Path: "/data/entities", Body: map[string]any{"name": "N", "project_id": w.project, "entity_type_id": typeID, "status": "odd"}, Status: 400},
		{Name: "create missing name", As: w.manager, Method: "POST", Path: "/data/entities", Body: map[string]any{"project_id": w.project, "entity_type_id": typeID}, Status: 400},
	})
	if e.Count("entity", "name = 'N'") != 0 {
		t.Fatal("refused creates wrote rows")
	}
	r := e.Must(201, "POST", "/data/entities", map[string]any{"name": "N", "project_id": w.project, "entity_type_id": typeID}, w.manager.Token).Object(t)
	if r["created_by"] != w.manager.ID || r["type"] != "Edit" {
		t.Errorf("created: %v", r)
	}
	if e.LastEvent("edit:new").Data["edit_id"] != r["id"] {
		t.Error("no edit:new")
	}
	id := r["id"].(string)

	// Updates: data merged, uniqueness, field rules.
	e.Run(t, map[string]string{"id": id, "edit": w.edit}, []apptest.Case{
		{Name: "artist", As: w.artist, Method: "PUT", Path: "/data/entities/{id}", Body: map[string]any{"name": "Z"}, Status: 403},
		{Name: "outsider", As: w.outsider, Method: "PUT", Path: "/data/entities/{id}", Body: map[string]any{"name": "Z"}, Status: 404},
		{Name: "supervisor other key", As: w.supervisor, Method: "PUT", Path: "/data/entities/{id}", Body: map[string]any{"name": "Z"}, Status: 403},
		{Name: "duplicate name", As: w.manager, Method: "PUT", Path: "/data/entities/{id}", Body: map[string]any{"name": "Animatic"}, Status: 400},
		{Name: "bad status", As: w.manager, Method: "PUT", Path: "/data/entities/{id}", Body: map[string]any{"status": "odd"}, Status: 400},
		{Name: "malformed", As: w.manager, Method: "PUT", Path: "/data/entities/zz", Body: map[string]any{"name": "Z"}, Status: 400},
		{Name: "unknown", As: w.manager, Method: "PUT", Path: "/data/entities/00000000-0000-0000-0000-000000000000", Body: map[string]any{"name": "Z"}, Status: 404},
	})
	e.Must(200, "PUT", "/data/entities/"+id, map[string]any{"data": map[string]any{"a": 1}}, w.manager.Token)
	got := e.Must(200, "PUT", "/data/entities/"+id, map[string]any{"data": map[string]any{"b": 2}, "description": "d", "project_id": w.other}, w.manager.Token).Object(t)
	data := got["data"].(map[string]any)
	if data["a"] != float64(1) || data["b"] != float64(2) || got["description"] != "d" || got["project_id"] != w.project || got["type"] != "Edit" {
		t.Errorf("update: %v", got)
	}
	if e.LastEvent("edit:update").Data["edit_id"] != id {
		t.Error("no edit:update")
	}
	// A supervisor without department may change data keys only.
	e.Must(200, "PUT", "/data/entities/"+id, map[string]any{"data": map[string]any{"c": 3}}, w.supervisor.Token)
	// With a department, only keys of descriptors of that department.
	dep := e.Department("Edit dep")
	e.InDepartment(w.supervisor.ID, dep)
	e.ID("metadata-descriptors", map[string]any{"project_id": w.project, "entity_type": "Edit", "name": "Cut", "field_name": "cut", "departments": []string{dep}})
	e.Must(200, "PUT", "/data/entities/"+id, map[string]any{"data": map[string]any{"cut": "v2"}}, w.supervisor.Token)
	e.Must(403, "PUT", "/data/entities/"+id, map[string]any{"data": map[string]any{"cut": "v3", "other": 1}}, w.supervisor.Token)
	// The creator (artist in the team) may edit his own entity.
	mine := e.Entity(w.project, typeID, "Mine", "")
	sqlExec(t, e, "UPDATE entity SET created_by = ? WHERE id = ?", w.artist.ID, mine)
	e.Must(200, "PUT", "/data/entities/"+mine, map[string]any{"name": "Mine2"}, w.artist.Token)

	// A shot change more than a minute after the last one stores a version.
	seq := e.Sequence(w.project, w.episode, "SQ")
	shot := e.Shot(w.project, seq, "SH")
	sqlExec(t, e, "UPDATE entity SET updated_at = now() - interval '2 minutes', data = '{\"frame_in\": 1}' WHERE id = ?", shot)
	e.Must(200, "PUT", "/data/entities/"+shot, map[string]any{"data": map[string]any{"frame_in": 5}}, w.manager.Token)
	if e.Count("entity_version", "entity_id = ? AND name = 'SH'", shot) != 1 {
		t.Error("no shot version")
	}
	if e.LastEvent("shot:update").Data["shot_id"] != shot {
		t.Error("no shot:update")
	}

	// Delete: cancel unless force.
	e.Run(t, w.vars, []apptest.Case{
		{Name: "delete artist", As: w.artist, Method: "DELETE", Path: "/data/entities/{edit}", Status: 403},
		{Name: "delete outsider", As: w.outsider, Method: "DELETE", Path: "/data/entities/{edit}", Status: 404},
		{Name: "delete malformed", As: w.manager, Method: "DELETE", Path: "/data/entities/x", Status: 400},
		{Name: "delete unknown", As: w.manager, Method: "DELETE", Path: "/data/entities/00000000-0000-0000-0000-000000000000", Status: 404},
	})
	// An episode still parent of an edit cannot go: 400, and nothing of it
	// (its own task included) is deleted.
	epTask := e.Task(w.project, w.episode, e.TaskType("Ep lead", "Episode"), w.status)
	e.Must(400, "DELETE", "/data/entities/"+w.episode+"?force=true", nil, w.manager.Token)
	if e.Count("entity", "id = ?", w.episode) != 1 || e.Count("task", "id = ?", epTask) != 1 {
		t.Fatal("refused delete removed rows")
	}
	e.Must(204, "DELETE", "/data/entities/"+w.edit, nil, w.manager.Token)
	if e.Count("entity", "id = ? AND canceled", w.edit) != 1 {
		t.Error("not canceled")
	}
	e.Must(204, "DELETE", "/data/entities/"+w.edit+"?force=true", nil, w.manager.Token)
	e.Must(204, "DELETE", "/data/entities/"+mine, nil, w.artist.Token)
	if e.Count("entity", "id IN (?, ?)", w.edit, mine) != 0 {
		t.Error("not deleted")
	}
}

func TestEntitiesTypes(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	e.Run(t, nil, []apptest.Case{
		{Name: "manager", As: w.manager, Method: "POST", Path: "/data/entity-types", Body: map[string]any{"name": "Vehicle"}, Status: 403},
		{Name: "no name", As: e.Admin, Method: "POST", Path: "/data/entity-types", Body: map[string]any{}, Status: 400},
		{Name: "list", As: w.artist, Method: "GET", Path: "/data/entity-types", Status: 200},
	})
	r := e.Must(201, "POST", "/data/entity-types", map[string]any{"name": "Vehicle"}, e.Admin.Token).Object(t)
	if !hasKey(r, "task_types") || e.LastEvent("asset-type:new").Data["asset_type_id"] != r["id"] {
		t.Errorf("created: %v", r)
	}
	e.Must(400, "POST", "/data/entity-types", map[string]any{"name": "vEHICLE"}, e.Admin.Token)
	id := r["id"].(string)
	e.Must(403, "PUT", "/data/entity-types/"+id, map[string]any{"name": "Car"}, w.manager.Token)
	e.Must(404, "PUT", "/data/entity-types/00000000-0000-0000-0000-000000000000", map[string]any{"name": "Car"}, e.Admin.Token)
	u := e.Must(200, "PUT", "/data/entity-types/"+id, map[string]any{"name": "Car"}, e.Admin.Token).Object(t)
	if u["name"] != "Car" || e.LastEvent("asset-type:update").Data["asset_type_id"] != id {
		t.Errorf("update: %v", u)
	}
	e.Must(403, "DELETE", "/data/entity-types/"+id, nil, w.manager.Token)
	e.Must(204, "DELETE", "/data/entity-types/"+id, nil, e.Admin.Token)
	if e.Count("entity_type", "id = ?", id) != 0 || e.LastEvent("asset-type:delete").Data["asset_type_id"] != id {
		t.Error("delete")
	}
	e.Must(404, "DELETE", "/data/entity-types/"+id, nil, e.Admin.Token)
	e.Must(400, "DELETE", "/data/entity-types/x", nil, e.Admin.Token)
	e.Must(400, "PUT", "/data/entity-types/x", map[string]any{"name": "A"}, e.Admin.Token)
}

func TestEntitiesCreateTasks(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	grading := e.TaskType("Grading", "Edit")
	anim := e.TaskType("Anim", "Shot")
	link := func(tt string) {
		sqlExec(t, e, "INSERT INTO project_task_type_link (id, project_id, task_type_id) VALUES (gen_random_uuid(), ?, ?)", w.project, tt)
	}
	path := "/data/entities/" + w.edit2 + "/tasks"
	body := map[string]any{"task_type_ids": []string{grading}}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "not enabled", As: w.artist, Method: "POST", Path: path, Body: body, Status: 400},
		{Name: "wrong kind", As: w.artist, Method: "POST", Path: path, Body: map[string]any{"task_type_ids": []string{anim}}, Status: 400},
		{Name: "unknown type", As: w.artist, Method: "POST", Path: path, Body: map[string]any{"task_type_ids": []string{"00000000-0000-0000-0000-000000000000"}}, Status: 404},
		{Name: "malformed type", As: w.artist, Method: "POST", Path: path, Body: map[string]any{"task_type_ids": []string{"x"}}, Status: 400},
		{Name: "not a list", As: w.artist, Method: "POST", Path: path, Body: map[string]any{"task_type_ids": "x"}, Status: 400},
		{Name: "client", As: w.client, Method: "POST", Path: path, Body: body, Status: 403},
		{Name: "vendor assigned elsewhere", As: w.vendor, Method: "POST", Path: "/data/entities/{edit}/tasks", Body: body, Status: 403},
		{Name: "vendor unassigned", As: w.vendor, Method: "POST", Path: path, Body: body, Status: 404},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: path, Body: body, Status: 404},
		{Name: "malformed entity", As: w.artist, Method: "POST", Path: "/data/entities/x/tasks", Body: body, Status: 404},
	})
	if e.Count("task", "entity_id = ?", w.edit2) != 0 {
		t.Fatal("refused calls created tasks")
	}
	link(grading)
	link(w.taskType)
	link(anim)
	got := e.Must(201, "POST", path, body, w.artist.Token).List(t)
	if len(got) != 1 || got[0]["task_type_id"] != grading || got[0]["name"] != "main" || got[0]["task_status_name"] != "Todo" ||
		got[0]["assigner_id"] != w.artist.ID || !hasKey(got[0], "task_type_color") {
		t.Fatalf("created: %v", got)
	}
	if e.LastEvent("task:new").Data["task_id"] != got[0]["id"] {
		t.Error("no task:new")
	}
	// No list: every enabled type for edits, the existing one skipped.
	all := e.Must(201, "POST", path, nil, w.manager.Token).List(t)
	if len(all) != 1 || all[0]["task_type_id"] != w.taskType {
		t.Errorf("default types: %v", all)
	}
	if again := e.Must(201, "POST", path, body, w.artist.Token).List(t); len(again) != 0 {
		t.Errorf("existing tasks recreated: %v", again)
	}
	// A concept's tasks start with the concept default status, created on demand.
	ct := e.TaskType("Sketch", "Concept")
	link(ct)
	c := e.Must(201, "POST", "/data/entities/"+w.concept+"/tasks", map[string]any{"task_type_ids": []string{ct}}, w.artist.Token).List(t)
	if len(c) != 1 || c[0]["task_status_short_name"] != "neutral" {
		t.Errorf("concept task: %v", c)
	}
	// Assets follow their type's workflow when it has one.
	at := e.AssetType("Prop")
	asset := e.Asset(w.project, at, "Cup")
	model := e.TaskType("Model", "Asset")
	rig := e.TaskType("Rig", "Asset")
	link(model)
	link(rig)
	sqlExec(t, e, "INSERT INTO task_type_asset_type_link (asset_type_id, task_type_id) VALUES (?, ?)", at, model)
	e.Must(400, "POST", "/data/entities/"+asset+"/tasks", map[string]any{"task_type_ids": []string{rig}}, w.artist.Token)
	a := e.Must(201, "POST", "/data/entities/"+asset+"/tasks", map[string]any{}, w.artist.Token).List(t)
	if len(a) != 1 || a[0]["task_type_id"] != model {
		t.Errorf("asset workflow: %v", a)
	}
}
