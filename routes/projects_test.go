package routes_test

import (
	"context"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// projectsEnv is a production with a manager, a supervisor, an artist, a
// client and a vendor in its team, and an outsider who is not.
type projectsEnv struct {
	*apptest.Env
	project                                               string
	manager, supervisor, artist, client, vendor, outsider *apptest.Person
}

func projectsSetup(t *testing.T) *projectsEnv {
	t.Helper()
	e := apptest.New(t)
	pe := &projectsEnv{Env: e, project: e.Project("Big Buck")}
	pe.manager = e.NewPerson("manager")
	pe.supervisor = e.NewPerson("supervisor")
	pe.artist = e.NewPerson("user")
	pe.client = e.NewPerson("client")
	pe.vendor = e.NewPerson("vendor")
	pe.outsider = e.NewPerson("manager")
	for _, p := range []*apptest.Person{pe.manager, pe.supervisor, pe.artist, pe.client, pe.vendor} {
		e.AddToTeam(pe.project, p.ID, "")
	}
	return pe
}

func TestProjectsTeam(t *testing.T) {
	e := projectsSetup(t)
	newcomer := e.NewPerson("user")
	vars := map[string]string{"p": e.project, "new": newcomer.ID, "artist": e.artist.ID}
	e.Run(t, vars, []apptest.Case{
		{Name: "admin sees the team in full", As: e.Admin, Method: "GET", Path: "/data/projects/{p}/team", Status: 200, Len: 5,
			Keys: []string{"id", "email", "departments", "project_role", "full_name"}},
		{Name: "artist sees minimal persons", As: e.artist, Method: "GET", Path: "/data/projects/{p}/team", Status: 200, Len: 5,
			Keys: []string{"id", "full_name", "project_role"}, NoKeys: []string{"email", "password", "phone"}},
		{Name: "outsider", As: e.outsider, Method: "GET", Path: "/data/projects/{p}/team", Status: 404},
		{Name: "malformed project", As: e.Admin, Method: "GET", Path: "/data/projects/nope/team", Status: 404},
		{Name: "no token", Method: "GET", Path: "/data/projects/{p}/team", Status: 401},

		{Name: "artist may not add", As: e.artist, Method: "POST", Path: "/data/projects/{p}/team", Body: map[string]any{"person_id": newcomer.ID}, Status: 403},
		{Name: "outsider may not add", As: e.outsider, Method: "POST", Path: "/data/projects/{p}/team", Body: map[string]any{"person_id": newcomer.ID}, Status: 404},
		{Name: "missing person_id", As: e.manager, Method: "POST", Path: "/data/projects/{p}/team", Body: map[string]any{}, Status: 400},
		{Name: "malformed person_id", As: e.manager, Method: "POST", Path: "/data/projects/{p}/team", Body: map[string]any{"person_id": "x"}, Status: 400},
		{Name: "wrong type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/team", Body: map[string]any{"person_id": 3}, Status: 400},
		{Name: "unknown person", As: e.manager, Method: "POST", Path: "/data/projects/{p}/team", Body: map[string]any{"person_id": "8f2a6c1e-0000-4000-8000-000000000000"}, Status: 400},
		{Name: "admin role refused", As: e.manager, Method: "POST", Path: "/data/projects/{p}/team", Body: map[string]any{"person_id": newcomer.ID, "role": "admin"}, Status: 400},
		{Name: "manager adds with a role", As: e.manager, Method: "POST", Path: "/data/projects/{p}/team",
			Body: map[string]any{"person_id": newcomer.ID, "role": "supervisor"}, Status: 201, Keys: []string{"id", "name", "project_status_id"}},
		{Name: "adding twice is fine", As: e.manager, Method: "POST", Path: "/data/projects/{p}/team", Body: map[string]any{"person_id": newcomer.ID}, Status: 201},

		{Name: "set role", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/team/{artist}", Body: map[string]any{"role": "supervisor"}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				expect(t, r, 200, map[string]any{"project_id": e.project, "person_id": e.artist.ID, "role": "supervisor"})
			}},
		{Name: "bad role", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/team/{artist}", Body: map[string]any{"role": "boss"}, Status: 400},
		{Name: "not a member", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/team/" + e.outsider.ID, Body: map[string]any{"role": nil}, Status: 400},
		{Name: "artist may not set roles", As: e.artist, Method: "PUT", Path: "/data/projects/{p}/team/{artist}", Body: map[string]any{"role": "manager"}, Status: 403},
		{Name: "clear role", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/team/{artist}", Body: map[string]any{"role": nil}, Status: 200},

		{Name: "artist may not remove", As: e.artist, Method: "DELETE", Path: "/data/projects/{p}/team/{new}", Status: 403},
		{Name: "malformed person", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/team/nope", Status: 404},
		{Name: "remove", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/team/{new}", Status: 204},
	})
	if n := e.Count("project_person_link", "project_id = ? AND person_id = ?", e.project, newcomer.ID); n != 0 {
		t.Errorf("newcomer still in the team")
	}
	if ev := e.LastEvent("project:update"); ev.ProjectID != e.project {
		t.Errorf("project:update for %q", ev.ProjectID)
	}
	// The per-project role shows in the team list.
	e.AddToTeam(e.project, newcomer.ID, "client")
	for _, p := range e.Must(200, "GET", "/data/projects/"+e.project+"/team", nil, e.Admin.Token).List(t) {
		if p["id"] == newcomer.ID && p["project_role"] != "client" {
			t.Errorf("project_role = %v", p["project_role"])
		}
	}
}

func TestProjectsSettings(t *testing.T) {
	e := projectsSetup(t)
	tt1 := e.TaskType("Modeling", "Asset")
	tt2 := e.TaskType("Rigging", "Asset")
	ts := e.TaskStatus("WIP", "wip")
	at := e.AssetType("Props")
	sa := e.ID("status-automations", map[string]any{"entity_type": "asset", "in_task_type_id": tt1, "in_task_status_id": ts,
		"out_field_type": "status", "out_task_type_id": tt2, "out_task_status_id": ts})
	bg := e.ID("preview-background-files", map[string]any{"name": "Sky", "extension": "hdr"})
	unknown := "8f2a6c1e-0000-4000-8000-000000000000"
	vars := map[string]string{"p": e.project, "tt1": tt1, "tt2": tt2, "ts": ts, "at": at, "sa": sa, "bg": bg, "unknown": unknown}
	e.Run(t, vars, []apptest.Case{
		{Name: "link task type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/task-types", Body: map[string]any{"task_type_id": tt2, "priority": 2}, Status: 201, Keys: []string{"id", "name"}},
		{As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/task-types", Body: map[string]any{"task_type_id": tt1, "priority": 1}, Status: 201},
		{Name: "task type priority wrong type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/task-types", Body: map[string]any{"task_type_id": tt1, "priority": "x"}, Status: 400},
		{Name: "unknown task type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/task-types", Body: map[string]any{"task_type_id": unknown}, Status: 400},
		{Name: "missing task type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/task-types", Body: map[string]any{}, Status: 400},
		{Name: "artist may not link", As: e.artist, Method: "POST", Path: "/data/projects/{p}/settings/task-types", Body: map[string]any{"task_type_id": tt1}, Status: 403},
		{Name: "outsider may not link", As: e.outsider, Method: "POST", Path: "/data/projects/{p}/settings/task-types", Body: map[string]any{"task_type_id": tt1}, Status: 404},
		{Name: "task types by priority", As: e.artist, Method: "GET", Path: "/data/projects/{p}/task-types", Status: 200, Len: 2, Keys: []string{"id", "name", "for_entity"},
			Check: func(t *testing.T, r *apptest.Response) {
				if l := r.List(t); l[0]["id"] != tt1 {
					t.Errorf("first task type %v, want Modeling", l[0]["name"])
				}
			}},
		{Name: "outsider task types", As: e.outsider, Method: "GET", Path: "/data/projects/{p}/task-types", Status: 404},

		{Name: "link status", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/task-status", Body: map[string]any{"task_status_id": ts}, Status: 201},
		{Name: "malformed status", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/task-status", Body: map[string]any{"task_status_id": "x"}, Status: 400},
		{Name: "statuses", As: e.client, Method: "GET", Path: "/data/projects/{p}/settings/task-status", Status: 200, Len: 1, Keys: []string{"id", "short_name"}},

		{Name: "link asset type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/asset-types", Body: map[string]any{"asset_type_id": at}, Status: 201},
		{Name: "unknown asset type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/asset-types", Body: map[string]any{"asset_type_id": unknown}, Status: 400},

		{Name: "link automation", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/status-automations", Body: map[string]any{"status_automation_id": sa}, Status: 201},
		{Name: "automations for managers", As: e.manager, Method: "GET", Path: "/data/projects/{p}/settings/status-automations", Status: 200, Len: 1, Keys: []string{"id", "entity_type"}},
		{Name: "automations not for artists", As: e.artist, Method: "GET", Path: "/data/projects/{p}/settings/status-automations", Status: 403},

		{Name: "link background", As: e.Admin, Method: "POST", Path: "/data/projects/{p}/settings/preview-background-files", Body: map[string]any{"preview_background_file_id": bg}, Status: 201},
		{Name: "backgrounds", As: e.artist, Method: "GET", Path: "/data/projects/{p}/settings/preview-background-files", Status: 200, Len: 1, Keys: []string{"id", "name"}},

		{Name: "unlink task type", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/settings/task-types/{tt2}", Status: 204},
		{Name: "unlink unknown is a no-op", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/settings/task-types/{unknown}", Status: 204},
		{Name: "unlink malformed", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/settings/task-types/x", Status: 404},
		{Name: "artist may not unlink", As: e.artist, Method: "DELETE", Path: "/data/projects/{p}/settings/task-status/{ts}", Status: 403},
		{As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/settings/task-status/{ts}", Status: 204},
		{As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/settings/asset-types/{at}", Status: 204},
		{As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/settings/status-automations/{sa}", Status: 204},
		{As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/settings/preview-background-files/{bg}", Status: 204},
	})
	for table, want := range map[string]int{"project_task_type_link": 1, "project_task_status_link": 0, "project_asset_type_link": 0,
		"project_status_automation_link": 0, "project_preview_background_file_link": 0} {
		if n := e.Count(table, "project_id = ?", e.project); n != want {
			t.Errorf("%s: %d links, want %d", table, n, want)
		}
	}

	// Batch: several links in one call, unknown ids skipped, replace drops the rest.
	e.Run(t, vars, []apptest.Case{
		{Name: "batch", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/batch", Status: 200, Keys: []string{"id", "name"},
			Body: map[string]any{"task_types": []any{map[string]any{"task_type_id": tt2, "priority": 5}, map[string]any{"task_type_id": unknown}},
				"task_status_ids": []string{ts, unknown}, "asset_type_ids": []string{at}, "replace_task_types": true}},
		{Name: "batch malformed id", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/batch", Body: map[string]any{"asset_type_ids": []string{"x"}}, Status: 400},
		{Name: "batch wrong type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/settings/batch", Body: map[string]any{"asset_type_ids": "x"}, Status: 400},
		{Name: "batch artist", As: e.artist, Method: "POST", Path: "/data/projects/{p}/settings/batch", Body: map[string]any{}, Status: 403},
	})
	if n := sqlInt(t, e.Env, "SELECT priority FROM project_task_type_link WHERE project_id = ? AND task_type_id = ?", e.project, tt2); n != 5 {
		t.Errorf("batch priority %d", n)
	}
	if n := e.Count("project_task_type_link", "project_id = ?", e.project); n != 1 {
		t.Errorf("replace_task_types left %d links", n)
	}
	if e.Count("project_task_status_link", "project_id = ?", e.project) != 1 || e.Count("project_asset_type_link", "project_id = ?", e.project) != 1 {
		t.Errorf("batch did not link the status and asset type")
	}
}

func TestProjectsDescriptors(t *testing.T) {
	e := projectsSetup(t)
	dep := e.Department("Animation")
	other := e.Department("Lighting")
	e.InDepartment(e.supervisor.ID, dep)
	e.InDepartment(e.vendor.ID, other)
	tt := e.TaskType("Layout", "Shot")
	at := e.AssetType("Props")
	asset := e.Asset(e.project, at, "Chair")
	sqlExec(t, e.Env, `UPDATE entity SET data = '{"difficulty": "hard", "kept": 1}' WHERE id = ?`, asset)
	unknown := "8f2a6c1e-0000-4000-8000-000000000000"
	var created map[string]any
	vars := map[string]string{"p": e.project}
	e.Run(t, vars, []apptest.Case{
		{Name: "manager creates", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body:   map[string]any{"name": "Difficulty Level", "entity_type": "Asset", "data_type": "list", "choices": []string{"easy", "hard"}},
			Status: 201, Keys: []string{"id", "field_name", "project_id", "choices", "data_type"},
			Check: func(t *testing.T, r *apptest.Response) {
				created = r.Object(t)
				if created["field_name"] != "difficulty_level" {
					t.Errorf("field_name %v", created["field_name"])
				}
			}},
		{Name: "duplicate", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "Difficulty Level", "entity_type": "Asset"}, Status: 400},
		{Name: "bad data type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "X", "data_type": "blob"}, Status: 400},
		{Name: "bad entity type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "X", "entity_type": "Person"}, Status: 400},
		{Name: "missing name", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"entity_type": "Asset"}, Status: 400},
		{Name: "wrong type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "X", "for_client": "yes"}, Status: 400},
		{Name: "task descriptor without task type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "X", "entity_type": "Task"}, Status: 400},
		{Name: "task type on a shot descriptor", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "X", "entity_type": "Shot", "task_type_id": tt}, Status: 400},
		{Name: "task descriptor", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "Takes", "entity_type": "Task", "task_type_id": tt, "data_type": "number"}, Status: 201},
		{Name: "unknown department", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "Y", "departments": []string{unknown}}, Status: 400},
		{Name: "supervisor of the department", As: e.supervisor, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "Anim notes", "departments": []string{dep}, "for_client": true}, Status: 201},
		{Name: "supervisor without departments named", As: e.supervisor, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "Z"}, Status: 403},
		{Name: "supervisor of another department", As: e.supervisor, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors",
			Body: map[string]any{"name": "Z", "departments": []string{other}}, Status: 403},
		{Name: "artist", As: e.artist, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors", Body: map[string]any{"name": "Z"}, Status: 403},
		{Name: "outsider", As: e.outsider, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors", Body: map[string]any{"name": "Z"}, Status: 404},

		{Name: "artist lists all", As: e.artist, Method: "GET", Path: "/data/projects/{p}/metadata-descriptors", Status: 200, Len: 3, Keys: []string{"id", "departments", "field_name"}},
		{Name: "client lists for_client only", As: e.client, Method: "GET", Path: "/data/projects/{p}/metadata-descriptors", Status: 200, Len: 1},
		{Name: "vendor lists those without departments", As: e.vendor, Method: "GET", Path: "/data/projects/{p}/metadata-descriptors", Status: 200, Len: 2},
		{Name: "outsider list", As: e.outsider, Method: "GET", Path: "/data/projects/{p}/metadata-descriptors", Status: 404},
	})
	id := created["id"].(string)
	other2 := e.Project("Other")
	vars["d"] = id
	vars["other"] = other2
	e.Run(t, vars, []apptest.Case{
		{Name: "get one", As: e.artist, Method: "GET", Path: "/data/projects/{p}/metadata-descriptors/{d}", Status: 200, Keys: []string{"id", "departments", "choices"}},
		{Name: "through another project", As: e.Admin, Method: "GET", Path: "/data/projects/{other}/metadata-descriptors/{d}", Status: 404},
		{Name: "malformed", As: e.Admin, Method: "GET", Path: "/data/projects/{p}/metadata-descriptors/x", Status: 404},
		{Name: "rename", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/metadata-descriptors/{d}", Body: map[string]any{"name": "Difficulty"},
			Status: 200, Keys: []string{"id", "field_name"}},
		{Name: "empty name", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/metadata-descriptors/{d}", Body: map[string]any{"name": ""}, Status: 400},
		{Name: "bad type on update", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/metadata-descriptors/{d}", Body: map[string]any{"data_type": "blob"}, Status: 400},
		{Name: "artist update", As: e.artist, Method: "PUT", Path: "/data/projects/{p}/metadata-descriptors/{d}", Body: map[string]any{"name": "D"}, Status: 403},
		{Name: "reorder unknown", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors/reorder",
			Body: map[string]any{"entity_type": "Asset", "descriptor_ids": []string{unknown}}, Status: 400},
		{Name: "reorder bad entity type", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors/reorder",
			Body: map[string]any{"entity_type": "Nope", "descriptor_ids": []string{id}}, Status: 400},
		{Name: "reorder empty", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors/reorder",
			Body: map[string]any{"entity_type": "Asset", "descriptor_ids": []string{}}, Status: 400},
		{Name: "reorder by supervisor", As: e.supervisor, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors/reorder",
			Body: map[string]any{"entity_type": "Asset", "descriptor_ids": []string{id}}, Status: 403},
		{Name: "reorder", As: e.manager, Method: "POST", Path: "/data/projects/{p}/metadata-descriptors/reorder",
			Body: map[string]any{"entity_type": "Asset", "descriptor_ids": []string{id}}, Status: 200, Len: 2, Keys: []string{"id", "position", "departments"},
			Check: func(t *testing.T, r *apptest.Response) {
				l := r.List(t)
				if l[0]["id"] != id || l[0]["position"] != float64(1) || l[1]["position"] != float64(2) {
					t.Errorf("reorder: %s", r.Body)
				}
			}},
	})
	var data string
	projectsScan(t, e.Env, &data, "SELECT data::text FROM entity WHERE id = ?", asset)
	if data != `{"kept": 1, "difficulty": "hard"}` {
		// The rename moved nothing: the old key was difficulty_level, not difficulty.
		t.Errorf("data after rename: %s", data)
	}
	sqlExec(t, e.Env, `UPDATE entity SET data = '{"difficulty": "hard", "kept": 1}' WHERE id = ?`, asset)
	e.Run(t, vars, []apptest.Case{
		{Name: "rename moves values", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/metadata-descriptors/{d}", Body: map[string]any{"name": "Level"}, Status: 200},
	})
	projectsScan(t, e.Env, &data, "SELECT data::text FROM entity WHERE id = ?", asset)
	if data != `{"kept": 1, "level": "hard"}` {
		t.Errorf("data after rename: %s", data)
	}
	e.Run(t, vars, []apptest.Case{
		{Name: "artist delete", As: e.artist, Method: "DELETE", Path: "/data/projects/{p}/metadata-descriptors/{d}", Status: 403},
		{Name: "delete", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/metadata-descriptors/{d}", Status: 204},
		{Name: "gone", As: e.manager, Method: "GET", Path: "/data/projects/{p}/metadata-descriptors/{d}", Status: 404},
	})
	projectsScan(t, e.Env, &data, "SELECT data::text FROM entity WHERE id = ?", asset)
	if data != `{"kept": 1}` {
		t.Errorf("data after delete: %s", data)
	}
	if ev := e.LastEvent("metadata-descriptor:delete"); ev.Data["metadata_descriptor_id"] != id {
		t.Errorf("delete event %v", ev.Data)
	}
}

// TestProjectsDescriptorDataDelete pins DELETE /data/metadata-descriptors/<id>:
// admin only, and the key leaves the data of every entity of the project.
func TestProjectsDescriptorDataDelete(t *testing.T) {
	e := projectsSetup(t)
	at := e.AssetType("Props")
	a1 := e.Asset(e.project, at, "Chair")
	seq := e.Sequence(e.project, "", "SQ01")
	shot := e.Shot(e.project, seq, "SH01")
	sqlExec(t, e.Env, `UPDATE entity SET data = '{"mood": "dark", "kept": true}' WHERE id IN (?, ?)`, a1, shot)
	other := e.Project("Other")
	elsewhere := e.Asset(other, at, "Table")
	sqlExec(t, e.Env, `UPDATE entity SET data = '{"mood": "light"}' WHERE id = ?`, elsewhere)
	d := e.Create("metadata-descriptors", map[string]any{"project_id": e.project, "entity_type": "Asset", "name": "Mood", "field_name": "mood", "data_type": "string"})
	r := e.Do("POST", "/data/metadata-descriptors", map[string]any{"project_id": e.project, "entity_type": "Asset", "name": "Bad", "field_name": "bad", "data_type": "blob"}, e.Admin.Token)
	if r.Status != 400 {
		t.Errorf("wrong data_type: %d %s", r.Status, r.Body)
	}
	id := d["id"].(string)
	e.Run(t, map[string]string{"d": id}, []apptest.Case{
		{Name: "manager may not", As: e.manager, Method: "DELETE", Path: "/data/metadata-descriptors/{d}", Status: 403},
		{Name: "admin", As: e.Admin, Method: "DELETE", Path: "/data/metadata-descriptors/{d}", Status: 204},
		{Name: "again", As: e.Admin, Method: "DELETE", Path: "/data/metadata-descriptors/{d}", Status: 404},
	})
	if n := e.Count("entity", "project_id = ? AND jsonb_exists(data, 'mood')", e.project); n != 0 {
		t.Errorf("%d entities keep the key", n)
	}
	if n := e.Count("entity", "project_id = ? AND jsonb_exists(data, 'kept')", e.project); n != 2 {
		t.Errorf("other keys lost: %d", n)
	}
	if n := e.Count("entity", "id = ? AND jsonb_exists(data, 'mood')", elsewhere); n != 1 {
		t.Errorf("another project's values were touched")
	}
	e.LastEvent("metadata-descriptor:delete")
}

func projectsScan(t *testing.T, e *apptest.Env, dst any, query string, args ...any) {
	t.Helper()
	if err := e.App.DB.NewRaw(query, args...).Scan(context.Background(), dst); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
