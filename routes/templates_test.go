package routes_test

import (
	"testing"

	"github.com/zou-go/zou/apptest"
)

func TestTemplatesLinks(t *testing.T) {
	e := apptest.New(t)
	manager := e.NewPerson("manager")
	artist := e.NewPerson("user")
	tpl := e.ID("project-templates", map[string]any{"name": "Feature"})
	tt1 := e.TaskType("Modeling", "Asset")
	tt2 := e.TaskType("Rigging", "Asset")
	ts := e.TaskStatus("WIP", "wip")
	at := e.AssetType("Props")
	sa := e.ID("status-automations", map[string]any{"entity_type": "asset", "in_task_type_id": tt1, "in_task_status_id": ts,
		"out_field_type": "status", "out_task_type_id": tt2, "out_task_status_id": ts})
	bg := e.ID("preview-background-files", map[string]any{"name": "Sky", "extension": "hdr"})
	unknown := "8f2a6c1e-0000-4000-8000-000000000000"
	vars := map[string]string{"t": tpl, "tt1": tt1, "tt2": tt2, "ts": ts, "at": at, "sa": sa, "bg": bg, "unknown": unknown}
	base := "/data/project-templates/{t}/"
	e.Run(t, vars, []apptest.Case{
		{Name: "link task type", As: e.Admin, Method: "POST", Path: base + "task-types", Body: map[string]any{"task_type_id": tt1, "priority": 2}, Status: 201,
			Keys: []string{"id", "project_template_id", "task_type_id", "priority"}},
		{As: e.Admin, Method: "POST", Path: base + "task-types", Body: map[string]any{"task_type_id": tt2, "priority": 1}, Status: 201},
		{Name: "manager may not link", As: manager, Method: "POST", Path: base + "task-types", Body: map[string]any{"task_type_id": tt1}, Status: 403},
		{Name: "malformed task type", As: e.Admin, Method: "POST", Path: base + "task-types", Body: map[string]any{"task_type_id": "x"}, Status: 400},
		{Name: "unknown task type", As: e.Admin, Method: "POST", Path: base + "task-types", Body: map[string]any{"task_type_id": unknown}, Status: 400},
		{Name: "unknown template", As: e.Admin, Method: "POST", Path: "/data/project-templates/{unknown}/task-types", Body: map[string]any{"task_type_id": tt1}, Status: 404,
			Check: func(t *testing.T, r *apptest.Response) {
				expect(t, r, 404, map[string]any{"message": "Project template not found"})
			}},
		{Name: "task types by priority", As: manager, Method: "GET", Path: base + "task-types", Status: 200, Len: 2, Keys: []string{"id", "name", "priority"},
			Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["id"] != tt2 {
					t.Errorf("order: %s", r.Body)
				}
			}},
		{Name: "artist may not read", As: artist, Method: "GET", Path: base + "task-types", Status: 403},
		{Name: "read unknown template", As: manager, Method: "GET", Path: "/data/project-templates/x/task-types", Status: 404},
		{Name: "reorder types", As: e.Admin, Method: "POST", Path: "/actions/project-templates/{t}/task-types/reorder", Body: map[string]any{"task_type_ids": []string{tt1, tt2}}, Status: 200, Len: 2,
			Check: func(t *testing.T, r *apptest.Response) {
				if l := r.List(t); l[0]["task_type_id"] != tt1 || l[0]["priority"] != float64(1) {
					t.Errorf("reorder: %s", r.Body)
				}
			}},
		{Name: "reorder not a list", As: e.Admin, Method: "POST", Path: "/actions/project-templates/{t}/task-types/reorder", Body: map[string]any{"task_type_ids": "x"}, Status: 400},
		{Name: "reorder unknown id", As: e.Admin, Method: "POST", Path: "/actions/project-templates/{t}/task-types/reorder", Body: map[string]any{"task_type_ids": []string{unknown}}, Status: 400},
		{Name: "reorder by manager", As: manager, Method: "POST", Path: "/actions/project-templates/{t}/task-types/reorder", Body: map[string]any{"task_type_ids": []string{}}, Status: 403},

		{Name: "link status", As: e.Admin, Method: "POST", Path: base + "task-statuses", Body: map[string]any{"task_status_id": ts, "roles_for_board": []string{"user", "manager"}}, Status: 201,
			Keys: []string{"id", "task_status_id", "roles_for_board"}},
		{Name: "statuses", As: manager, Method: "GET", Path: base + "task-statuses", Status: 200, Len: 1, Keys: []string{"id", "short_name", "priority", "roles_for_board"}},
		{Name: "reorder statuses keeps roles", As: e.Admin, Method: "POST", Path: "/actions/project-templates/{t}/task-statuses/reorder", Body: map[string]any{"task_status_ids": []string{ts}}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if roles := r.List(t)[0]["roles_for_board"].([]any); len(roles) != 2 {
					t.Errorf("roles %v", roles)
				}
			}},
		{Name: "link asset type", As: e.Admin, Method: "POST", Path: base + "asset-types", Body: map[string]any{"asset_type_id": at}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) { expect(t, r, 201, map[string]any{"id": at, "name": "Props"}) }},
		{Name: "asset types", As: manager, Method: "GET", Path: base + "asset-types", Status: 200, Len: 1, Keys: []string{"id", "name"}, NoKeys: []string{"type"}},
		{Name: "link automation", As: e.Admin, Method: "POST", Path: base + "status-automations", Body: map[string]any{"status_automation_id": sa}, Status: 201, Keys: []string{"id", "entity_type"}},
		{Name: "automations", As: manager, Method: "GET", Path: base + "status-automations", Status: 200, Len: 1},
		{Name: "link background", As: e.Admin, Method: "POST", Path: base + "preview-background-files", Body: map[string]any{"preview_background_file_id": bg}, Status: 201, Keys: []string{"id", "name", "is_default"}},
		{Name: "unknown background", As: e.Admin, Method: "POST", Path: base + "preview-background-files", Body: map[string]any{"preview_background_file_id": unknown}, Status: 400},
		{Name: "backgrounds", As: manager, Method: "GET", Path: base + "preview-background-files", Status: 200, Len: 1},
		{Name: "default background", As: e.Admin, Method: "PUT", Path: base + "default-preview-background-file", Body: map[string]any{"default_preview_background_file_id": bg}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["default_preview_background_file_id"] != bg {
					t.Errorf("default: %s", r.Body)
				}
			}},
		{Name: "default not linked", As: e.Admin, Method: "PUT", Path: base + "default-preview-background-file", Body: map[string]any{"default_preview_background_file_id": unknown}, Status: 400},
		{Name: "descriptors", As: e.Admin, Method: "PUT", Path: base + "metadata-descriptors",
			Body: map[string]any{"metadata_descriptors": []any{map[string]any{"name": "Mood Board", "entity_type": "Asset", "data_type": "string"}}}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				d := r.Object(t)["metadata_descriptors"].([]any)[0].(map[string]any)
				if d["field_name"] != "mood_board" || d["for_client"] != false {
					t.Errorf("snapshot %v", d)
				}
			}},
		{Name: "descriptors legacy list", As: e.Admin, Method: "PUT", Path: base + "metadata-descriptors", Body: []any{map[string]any{"name": "Mood", "entity_type": "Asset"}}, Status: 200},
		{Name: "descriptors not objects", As: e.Admin, Method: "PUT", Path: base + "metadata-descriptors", Body: []any{"x"}, Status: 400},
		{Name: "descriptors not a list", As: e.Admin, Method: "PUT", Path: base + "metadata-descriptors", Body: map[string]any{"metadata_descriptors": "x"}, Status: 400},

		{Name: "unlink background clears default", As: e.Admin, Method: "DELETE", Path: base + "preview-background-files/{bg}", Status: 204},
		{As: e.Admin, Method: "DELETE", Path: base + "task-types/{tt1}", Status: 204},
		{As: e.Admin, Method: "DELETE", Path: base + "task-statuses/{ts}", Status: 204},
		{As: e.Admin, Method: "DELETE", Path: base + "asset-types/{at}", Status: 204},
		{As: e.Admin, Method: "DELETE", Path: base + "status-automations/{sa}", Status: 204},
		{Name: "unlink by manager", As: manager, Method: "DELETE", Path: base + "task-types/{tt2}", Status: 403},
		{Name: "unlink malformed", As: e.Admin, Method: "DELETE", Path: base + "task-types/x", Status: 404},
	})
	if n := sqlInt(t, e, "SELECT count(*) FROM project_template WHERE id = ? AND default_preview_background_file_id IS NULL", tpl); n != 1 {
		t.Errorf("default background kept after unlink")
	}
	if n := e.Count("project_template_task_type_link", "project_template_id = ?", tpl); n != 1 {
		t.Errorf("%d task type links", n)
	}
	if ev := e.LastEvent("project-template:update"); ev.Data["project_template_id"] != tpl {
		t.Errorf("event %v", ev.Data)
	}
}

// TestTemplatesSnapshotAndApply: a project's settings go into a template,
// which then configures a new production (POST /data/projects with
// project_template_id) and an existing one (apply-template).
func TestTemplatesSnapshotAndApply(t *testing.T) {
	e := apptest.New(t)
	manager := e.NewPerson("manager")
	artist := e.NewPerson("user")
	dep := e.Department("Animation")
	src := e.ID("projects", map[string]any{"name": "Source", "fps": "24", "ratio": "2.39", "production_type": "featurefilm"})
	tt := e.TaskType("Modeling", "Asset")
	ts := e.TaskStatus("WIP", "wip")
	at := e.AssetType("Props")
	e.Must(201, "POST", "/data/projects/"+src+"/settings/task-types", map[string]any{"task_type_id": tt, "priority": 3}, e.Admin.Token)
	e.Must(201, "POST", "/data/projects/"+src+"/settings/task-status", map[string]any{"task_status_id": ts}, e.Admin.Token)
	e.Must(201, "POST", "/data/projects/"+src+"/settings/asset-types", map[string]any{"asset_type_id": at}, e.Admin.Token)
	e.Must(201, "POST", "/data/projects/"+src+"/metadata-descriptors", map[string]any{"name": "Mood", "departments": []string{dep}}, e.Admin.Token)
	var tpl string
	e.Run(t, map[string]string{"src": src}, []apptest.Case{
		{Name: "manager may not snapshot", As: manager, Method: "POST", Path: "/data/project-templates/from-project/{src}", Body: map[string]any{"name": "T"}, Status: 403},
		{Name: "missing name", As: e.Admin, Method: "POST", Path: "/data/project-templates/from-project/{src}", Body: map[string]any{}, Status: 400},
		{Name: "unknown project", As: e.Admin, Method: "POST", Path: "/data/project-templates/from-project/8f2a6c1e-0000-4000-8000-000000000000", Body: map[string]any{"name": "T"}, Status: 404},
		{Name: "snapshot", As: e.Admin, Method: "POST", Path: "/data/project-templates/from-project/{src}", Body: map[string]any{"name": "From source", "description": "d"}, Status: 201,
			Keys: []string{"id", "name", "fps", "metadata_descriptors"},
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				tpl = o["id"].(string)
				if o["fps"] != "24" || len(o["metadata_descriptors"].([]any)) != 1 {
					t.Errorf("template %s", r.Body)
				}
			}},
		{Name: "same name", As: e.Admin, Method: "POST", Path: "/data/project-templates/from-project/{src}", Body: map[string]any{"name": "From source"}, Status: 400},
	})
	if e.Count("project_template_task_type_link", "project_template_id = ? AND priority = 3", tpl) != 1 ||
		e.Count("project_template_task_status_link", "project_template_id = ?", tpl) != 1 ||
		e.Count("project_template_asset_type_link", "project_template_id = ?", tpl) != 1 {
		t.Fatalf("snapshot links missing")
	}

	// A manager creates a production from the template; his fps wins.
	r := e.Must(201, "POST", "/data/projects", map[string]any{"name": "New", "fps": "30", "project_template_id": tpl}, manager.Token)
	p := r.Object(t)
	id := p["id"].(string)
	if p["fps"] != "30" || p["ratio"] != "2.39" || p["production_type"] != "featurefilm" {
		t.Errorf("settings: fps %v ratio %v type %v", p["fps"], p["ratio"], p["production_type"])
	}
	if tts, _ := p["task_types"].([]any); len(tts) != 1 || tts[0] != tt {
		t.Errorf("task_types %v", p["task_types"])
	}
	if team, _ := p["team"].([]any); len(team) != 1 || team[0] != manager.ID {
		t.Errorf("team %v", p["team"])
	}
	if n := e.Count("metadata_descriptor", "project_id = ? AND field_name = 'mood'", id); n != 1 {
		t.Errorf("descriptor not copied")
	}
	if n := sqlInt(t, e, `SELECT count(*) FROM department_metadata_descriptor_link dl JOIN metadata_descriptor md ON md.id = dl.metadata_descriptor_id
		WHERE md.project_id = ?`, id); n != 1 {
		t.Errorf("descriptor departments not copied")
	}
	e.LastEvent("project:new")

	// Refusals leave nothing behind.
	before := e.Count("project", "")
	for _, c := range []struct {
		who  *apptest.Person
		body map[string]any
		want int
	}{
		{artist, map[string]any{"name": "No"}, 403},
		{e.Admin, map[string]any{"name": "No", "project_template_id": "8f2a6c1e-0000-4000-8000-000000000000"}, 404},
		{e.Admin, map[string]any{"name": "No", "project_template_id": "x"}, 400},
		{e.Admin, map[string]any{"name": "No", "production_style": "oil"}, 400},
		{e.Admin, map[string]any{}, 400},
	} {
		if r := e.Do("POST", "/data/projects", c.body, c.who.Token); r.Status != c.want {
			t.Errorf("%v: %d %s, want %d", c.body, r.Status, r.Body, c.want)
		}
	}
	if e.Count("project", "") != before {
		t.Errorf("a refused creation left a project")
	}

	// Apply onto an existing production: additive, idempotent.
	target := e.Project("Target")
	e.Run(t, map[string]string{"p": target, "t": tpl}, []apptest.Case{
		{Name: "manager may not apply", As: manager, Method: "POST", Path: "/data/projects/{p}/apply-template/{t}", Status: 403},
		{Name: "unknown template", As: e.Admin, Method: "POST", Path: "/data/projects/{p}/apply-template/8f2a6c1e-0000-4000-8000-000000000000", Status: 404},
		{Name: "unknown project", As: e.Admin, Method: "POST", Path: "/data/projects/8f2a6c1e-0000-4000-8000-000000000000/apply-template/{t}", Status: 404},
		{Name: "apply", As: e.Admin, Method: "POST", Path: "/data/projects/{p}/apply-template/{t}", Status: 200, Keys: []string{"id", "fps"},
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["fps"] != "24" {
					t.Errorf("fps %s", r.Body)
				}
			}},
		{Name: "apply twice", As: e.Admin, Method: "POST", Path: "/data/projects/{p}/apply-template/{t}", Status: 200},
	})
	if e.Count("project_task_type_link", "project_id = ?", target) != 1 || e.Count("metadata_descriptor", "project_id = ?", target) != 1 {
		t.Errorf("apply did not link once")
	}
}

// TestProjectsCreateTVShow: a tvshow starts with episode E01, and the Project
// columns of open productions are copied onto a new one.
func TestProjectsCreateTVShow(t *testing.T) {
	e := apptest.New(t)
	src := e.Project("Source")
	e.Must(201, "POST", "/data/projects/"+src+"/metadata-descriptors", map[string]any{"name": "Budget Code", "entity_type": "Project"}, e.Admin.Token)
	r := e.Must(201, "POST", "/data/projects", map[string]any{"name": "Show", "production_type": "tvshow"}, e.Admin.Token)
	p := r.Object(t)
	ep, _ := p["first_episode_id"].(string)
	if ep == "" {
		t.Fatalf("no first_episode_id: %s", r.Body)
	}
	if n := e.Count("entity", "id = ? AND name = 'E01' AND project_id = ?", ep, p["id"]); n != 1 {
		t.Errorf("episode E01 missing")
	}
	if n := e.Count("metadata_descriptor", "project_id = ? AND field_name = 'budget_code' AND entity_type = 'Project'", p["id"]); n != 1 {
		t.Errorf("all-projects column not copied")
	}
	if e.LastEvent("episode:new").Data["episode_id"] != ep {
		t.Errorf("episode event")
	}
	r = e.Must(201, "POST", "/data/projects", map[string]any{"name": "Film"}, e.Admin.Token)
	if hasKey(r.Object(t), "first_episode_id") {
		t.Errorf("a film got an episode")
	}
	if st := sqlInt(t, e, "SELECT count(*) FROM project p JOIN project_status s ON s.id = p.project_status_id WHERE p.id = ? AND s.name = 'Open'", r.Object(t)["id"]); st != 1 {
		t.Errorf("default status is not Open")
	}
}

func TestTemplatesCRUD(t *testing.T) {
	e := apptest.New(t)
	manager := e.NewPerson("manager")
	tt := e.TaskType("Modeling", "Asset")
	var id string
	e.Run(t, nil, []apptest.Case{
		{Name: "manager may not create", As: manager, Method: "POST", Path: "/data/project-templates", Body: map[string]any{"name": "T"}, Status: 403},
		{Name: "name required", As: e.Admin, Method: "POST", Path: "/data/project-templates", Body: map[string]any{"fps": "24"}, Status: 400,
			Check: func(t *testing.T, r *apptest.Response) {
				expect(t, r, 400, map[string]any{"message": "name is required"})
			}},
		{Name: "create", As: e.Admin, Method: "POST", Path: "/data/project-templates", Body: map[string]any{"name": "Short", "fps": "24", "bogus": 1}, Status: 201,
			Keys: []string{"id", "name", "fps", "metadata_descriptors"}, NoKeys: []string{"bogus"},
			Check: func(t *testing.T, r *apptest.Response) { id = r.Object(t)["id"].(string) }},
		{Name: "duplicate", As: e.Admin, Method: "POST", Path: "/data/project-templates", Body: map[string]any{"name": "Short"}, Status: 400},
		{Name: "wrong type", As: e.Admin, Method: "POST", Path: "/data/project-templates", Body: map[string]any{"name": "X", "max_retakes": "many"}, Status: 400},
		{Name: "managers read", As: manager, Method: "GET", Path: "/data/project-templates", Status: 200, Len: 1},
	})
	e.Must(201, "POST", "/data/project-templates/"+id+"/task-types", map[string]any{"task_type_id": tt}, e.Admin.Token)
	e.Run(t, map[string]string{"t": id}, []apptest.Case{
		{Name: "update", As: e.Admin, Method: "PUT", Path: "/data/project-templates/{t}", Body: map[string]any{"ratio": "4:3", "task_types": []string{}}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["ratio"] != "4:3" {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "update by manager", As: manager, Method: "PUT", Path: "/data/project-templates/{t}", Body: map[string]any{"ratio": "1:1"}, Status: 403},
		{Name: "update unknown", As: e.Admin, Method: "PUT", Path: "/data/project-templates/8f2a6c1e-0000-4000-8000-000000000000", Body: map[string]any{"ratio": "1:1"}, Status: 404},
		{Name: "delete by manager", As: manager, Method: "DELETE", Path: "/data/project-templates/{t}", Status: 403},
		{Name: "delete", As: e.Admin, Method: "DELETE", Path: "/data/project-templates/{t}", Status: 204},
		{Name: "delete again", As: e.Admin, Method: "DELETE", Path: "/data/project-templates/{t}", Status: 404},
	})
	if n := e.Count("project_template_task_type_link", ""); n != 0 {
		t.Errorf("links left: %d", n)
	}
	e.LastEvent("project-template:delete")
}
