package routes_test

import (
	"testing"

	"github.com/zou-go/zou/apptest"
)

func TestProjectsOpenAndAll(t *testing.T) {
	e := projectsSetup(t)
	tt := e.TaskType("Modeling", "Asset")
	ts := e.TaskStatus("WIP", "wip")
	e.Must(201, "POST", "/data/projects/"+e.project+"/settings/task-types", map[string]any{"task_type_id": tt, "priority": 3}, e.Admin.Token)
	e.Must(201, "POST", "/data/projects/"+e.project+"/settings/task-status", map[string]any{"task_status_id": ts}, e.Admin.Token)
	e.Must(201, "POST", "/data/projects/"+e.project+"/metadata-descriptors", map[string]any{"name": "Secret"}, e.Admin.Token)
	e.Must(201, "POST", "/data/projects/"+e.project+"/metadata-descriptors", map[string]any{"name": "Public", "for_client": true}, e.Admin.Token)
	closed := e.ID("project-status", map[string]any{"name": "Closed", "color": "#000000"})
	old := e.ID("projects", map[string]any{"name": "Old", "project_status_id": closed})
	e.AddToTeam(old, e.artist.ID, "")
	lonely := e.Project("Lonely")
	_ = lonely
	e.Run(t, map[string]string{"p": e.project}, []apptest.Case{
		{Name: "admin: every open project", As: e.Admin, Method: "GET", Path: "/data/projects/open", Status: 200, Len: 2,
			Keys: []string{"id", "name", "team", "descriptors", "task_types_priority", "task_statuses_link", "task_types"}},
		{Name: "artist: his open projects", As: e.artist, Method: "GET", Path: "/data/projects/open", Status: 200, Len: 1,
			Check: func(t *testing.T, r *apptest.Response) {
				p := r.List(t)[0]
				if p["id"] != e.project {
					t.Fatalf("got %v", p["name"])
				}
				if prio := p["task_types_priority"].(map[string]any)[tt]; prio != float64(3) {
					t.Errorf("task_types_priority %v", p["task_types_priority"])
				}
				link := p["task_statuses_link"].(map[string]any)[ts].(map[string]any)
				if _, ok := link["roles_for_board"].([]any); !ok {
					t.Errorf("task_statuses_link %v", link)
				}
				if n := len(p["descriptors"].([]any)); n != 2 {
					t.Errorf("%d descriptors", n)
				}
			}},
		{Name: "client: for_client descriptors", As: e.client, Method: "GET", Path: "/data/projects/open", Status: 200, Len: 1,
			Check: func(t *testing.T, r *apptest.Response) {
				if n := len(r.List(t)[0]["descriptors"].([]any)); n != 1 {
					t.Errorf("client sees %d descriptors", n)
				}
			}},
		{Name: "by name", As: e.Admin, Method: "GET", Path: "/data/projects/open?name=Lonely", Status: 200, Len: 1, NoKeys: []string{"first_episode_id"}},
		{Name: "outsider has none", As: e.outsider, Method: "GET", Path: "/data/projects/open", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Errorf("outsider sees %s", r.Body)
				}
			}},
		{Name: "no token", Method: "GET", Path: "/data/projects/open", Status: 401},
		{Name: "admin: all projects", As: e.Admin, Method: "GET", Path: "/data/projects/all", Status: 200, Len: 3,
			Keys: []string{"id", "project_status_name", "descriptors"}},
		{Name: "admin: by name", As: e.Admin, Method: "GET", Path: "/data/projects/all?name=Old", Status: 200, Len: 1},
		{Name: "admin: unknown name", As: e.Admin, Method: "GET", Path: "/data/projects/all?name=Nope", Status: 404},
		{Name: "artist: related open projects", As: e.artist, Method: "GET", Path: "/data/projects/all", Status: 200, Len: 1},
	})
}

func TestProjectsScheduleAndMilestones(t *testing.T) {
	e := projectsSetup(t)
	tt := e.TaskType("Modeling", "Asset")
	concept := e.TaskType("Review", "Person")
	for _, id := range []string{tt, concept} {
		e.Must(201, "POST", "/data/projects/"+e.project+"/settings/task-types", map[string]any{"task_type_id": id}, e.Admin.Token)
	}
	e.Create("milestones", map[string]any{"project_id": e.project, "name": "Delivery", "date": "2026-12-24"})
	e.Run(t, map[string]string{"p": e.project}, []apptest.Case{
		{Name: "milestones", As: e.artist, Method: "GET", Path: "/data/projects/{p}/milestones", Status: 200, Len: 1, Keys: []string{"id", "name", "date", "project_id"}},
		{Name: "milestones outsider", As: e.outsider, Method: "GET", Path: "/data/projects/{p}/milestones", Status: 404},
		{Name: "task type items created on read", As: e.artist, Method: "GET", Path: "/data/projects/{p}/schedule-items/task-types", Status: 200, Len: 1,
			Keys: []string{"id", "start_date", "end_date", "man_days", "project_id", "task_type_id", "object_id"}},
		{Name: "read twice creates nothing more", As: e.manager, Method: "GET", Path: "/data/projects/{p}/schedule-items/task-types", Status: 200, Len: 1},
		{Name: "all items", As: e.client, Method: "GET", Path: "/data/projects/{p}/schedule-items", Status: 200, Len: 1, Keys: []string{"id", "task_type_id"}},
		{Name: "vendors refused", As: e.vendor, Method: "GET", Path: "/data/projects/{p}/schedule-items", Status: 403},
		{Name: "vendors refused (task types)", As: e.vendor, Method: "GET", Path: "/data/projects/{p}/schedule-items/task-types", Status: 403},
		{Name: "outsider", As: e.outsider, Method: "GET", Path: "/data/projects/{p}/schedule-items", Status: 404},
	})
	if n := e.Count("schedule_item", "project_id = ?", e.project); n != 1 {
		t.Errorf("%d schedule items", n)
	}
	e.LastEvent("schedule-item:new")
}

func TestProjectsBudgets(t *testing.T) {
	e := projectsSetup(t)
	dep := e.Department("Animation")
	vars := map[string]string{"p": e.project, "dep": dep}
	var budget, entry string
	e.Run(t, vars, []apptest.Case{
		{Name: "create", As: e.manager, Method: "POST", Path: "/data/projects/{p}/budgets", Body: map[string]any{"name": "V1"}, Status: 200,
			Keys: []string{"id", "revision", "currency", "name", "project_id"},
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				budget = o["id"].(string)
				if o["revision"] != float64(1) || o["currency"] != "USD" {
					t.Errorf("budget %v", o)
				}
			}},
		{Name: "second revision", As: e.manager, Method: "POST", Path: "/data/projects/{p}/budgets", Body: map[string]any{"name": "V2", "currency": "EUR"}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["revision"] != float64(2) {
					t.Errorf("revision %s", r.Body)
				}
			}},
		{Name: "missing name", As: e.manager, Method: "POST", Path: "/data/projects/{p}/budgets", Body: map[string]any{}, Status: 400},
		{Name: "artist", As: e.artist, Method: "POST", Path: "/data/projects/{p}/budgets", Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "outsider", As: e.outsider, Method: "GET", Path: "/data/projects/{p}/budgets", Status: 404},
		{Name: "list", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets", Status: 200, Len: 2,
			Keys: []string{"id", "project_id", "revision", "name", "currency"}, NoKeys: []string{"created_at"}},
		{Name: "supervisor refused", As: e.supervisor, Method: "GET", Path: "/data/projects/{p}/budgets", Status: 403},
	})
	vars["b"] = budget
	e.Run(t, vars, []apptest.Case{
		{Name: "get", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets/{b}", Status: 200, Keys: []string{"id", "type", "revision", "created_at"}},
		{Name: "malformed budget", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets/x", Status: 400},
		{Name: "unknown budget", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets/8f2a6c1e-0000-4000-8000-000000000000", Status: 404},
		{Name: "update", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/budgets/{b}", Body: map[string]any{"name": "V1b"}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["name"] != "V1b" {
					t.Errorf("update %s", r.Body)
				}
			}},
		{Name: "update wrong type", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/budgets/{b}", Body: map[string]any{"name": 1}, Status: 400},
		{Name: "entry", As: e.manager, Method: "POST", Path: "/data/projects/{p}/budgets/{b}/entries",
			Body:   map[string]any{"department_id": dep, "start_date": "2026-01-01", "months_duration": 3, "daily_salary": 300.5, "position": "artist", "seniority": "mid"},
			Status: 200, Keys: []string{"id", "budget_id", "department_id", "exceptions"},
			Check: func(t *testing.T, r *apptest.Response) { entry = r.Object(t)["id"].(string) }},
		{Name: "entry without department", As: e.manager, Method: "POST", Path: "/data/projects/{p}/budgets/{b}/entries",
			Body: map[string]any{"start_date": "2026-01-01", "months_duration": 3, "daily_salary": 1}, Status: 400},
		{Name: "entry bad position", As: e.manager, Method: "POST", Path: "/data/projects/{p}/budgets/{b}/entries",
			Body: map[string]any{"department_id": dep, "start_date": "2026-01-01", "months_duration": 3, "daily_salary": 1, "position": "boss"}, Status: 400},
		{Name: "entry bad date", As: e.manager, Method: "POST", Path: "/data/projects/{p}/budgets/{b}/entries",
			Body: map[string]any{"department_id": dep, "start_date": "soon", "months_duration": 3, "daily_salary": 1}, Status: 400},
		{Name: "entry unknown department", As: e.manager, Method: "POST", Path: "/data/projects/{p}/budgets/{b}/entries",
			Body: map[string]any{"department_id": "8f2a6c1e-0000-4000-8000-000000000000", "start_date": "2026-01-01", "months_duration": 3, "daily_salary": 1}, Status: 400},
		{Name: "entries", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets/{b}/entries", Status: 200, Len: 1,
			Keys: []string{"id", "budget_id", "daily_salary", "position", "seniority", "exceptions"}},
	})
	vars["en"] = entry
	e.Run(t, vars, []apptest.Case{
		{Name: "get entry", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets/{b}/entries/{en}", Status: 200, Keys: []string{"id", "months_duration"}},
		{Name: "update entry exceptions", As: e.manager, Method: "PUT", Path: "/data/projects/{p}/budgets/{b}/entries/{en}",
			Body: map[string]any{"exceptions": map[string]any{"2026-02": 2, "2026-03": 0}, "months_duration": 4}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				ex := o["exceptions"].(map[string]any)
				if len(ex) != 1 || ex["2026-02"] != float64(2) || o["months_duration"] != float64(4) {
					t.Errorf("entry %s", r.Body)
				}
			}},
		{Name: "delete entry", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/budgets/{b}/entries/{en}", Status: 204},
		{Name: "entry gone", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets/{b}/entries/{en}", Status: 404},
		{Name: "delete budget", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}/budgets/{b}", Status: 204},
		{Name: "budget gone", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets/{b}", Status: 404},
	})
	for _, name := range []string{"budget:create", "budget:update", "budget:delete", "budget-entry:create", "budget-entry:update", "budget-entry:delete"} {
		e.LastEvent(name)
	}
}

func TestProjectsTaskLinks(t *testing.T) {
	e := projectsSetup(t)
	tt1 := e.TaskType("Modeling", "Asset")
	tt2 := e.TaskType("Rigging", "Asset")
	ts1 := e.TaskStatus("WIP", "wip")
	ts2 := e.TaskStatus("Done", "done")
	vars := map[string]string{"p": e.project}
	e.Run(t, vars, []apptest.Case{
		{Name: "type link", As: e.manager, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": e.project, "task_type_id": tt1}, Status: 201,
			Keys: []string{"id", "project_id", "task_type_id", "priority", "type"},
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["priority"] != float64(1) {
					t.Errorf("default priority: %s", r.Body)
				}
			}},
		{Name: "priority as a numeric string", As: e.manager, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": e.project, "task_type_id": tt2, "priority": "4"}, Status: 201},
		{Name: "update existing", As: e.manager, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": e.project, "task_type_id": tt1, "priority": 7}, Status: 201},
		{Name: "artist", As: e.artist, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": e.project, "task_type_id": tt1}, Status: 403},
		{Name: "outsider", As: e.outsider, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": e.project, "task_type_id": tt1}, Status: 403},
		{Name: "missing project", As: e.manager, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"task_type_id": tt1}, Status: 400},
		{Name: "unknown project", As: e.Admin, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": "8f2a6c1e-0000-4000-8000-000000000000", "task_type_id": tt1}, Status: 400},
		{Name: "malformed task type", As: e.manager, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": e.project, "task_type_id": "x"}, Status: 400},
		{Name: "unknown task type", As: e.manager, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": e.project, "task_type_id": "8f2a6c1e-0000-4000-8000-000000000000"}, Status: 400},
		{Name: "priority wrong type", As: e.manager, Method: "POST", Path: "/data/task-type-links", Body: map[string]any{"project_id": e.project, "task_type_id": tt1, "priority": "high"}, Status: 400},
		{Name: "status link", As: e.manager, Method: "POST", Path: "/data/task-status-links", Body: map[string]any{"project_id": e.project, "task_status_id": ts1, "roles_for_board": []string{"user"}}, Status: 201,
			Keys: []string{"id", "task_status_id", "priority", "roles_for_board"}},
		{As: e.manager, Method: "POST", Path: "/data/task-status-links", Body: map[string]any{"project_id": e.project, "task_status_id": ts2}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if roles := r.Object(t)["roles_for_board"].([]any); len(roles) != 5 {
					t.Errorf("default roles %v", roles)
				}
			}},
		{Name: "bad role", As: e.manager, Method: "POST", Path: "/data/task-status-links", Body: map[string]any{"project_id": e.project, "task_status_id": ts1, "roles_for_board": []string{"boss"}}, Status: 400},
		{Name: "reorder types", As: e.manager, Method: "POST", Path: "/actions/projects/{p}/task-type-links/reorder", Body: map[string]any{"task_type_ids": []string{tt2, tt1}}, Status: 200, Len: 2,
			Keys: []string{"id", "task_type_id", "priority"},
			Check: func(t *testing.T, r *apptest.Response) {
				if l := r.List(t); l[0]["task_type_id"] != tt2 || l[0]["priority"] != float64(1) || l[1]["priority"] != float64(2) {
					t.Errorf("reorder: %s", r.Body)
				}
			}},
		{Name: "reorder statuses keeps roles", As: e.manager, Method: "POST", Path: "/actions/projects/{p}/task-status-links/reorder", Body: map[string]any{"task_status_ids": []string{ts2, ts1}}, Status: 200, Len: 2,
			Check: func(t *testing.T, r *apptest.Response) {
				l := r.List(t)
				if l[1]["task_status_id"] != ts1 || len(l[1]["roles_for_board"].([]any)) != 1 {
					t.Errorf("reorder: %s", r.Body)
				}
			}},
		{Name: "reorder missing list", As: e.manager, Method: "POST", Path: "/actions/projects/{p}/task-type-links/reorder", Body: map[string]any{}, Status: 400},
		{Name: "reorder malformed", As: e.manager, Method: "POST", Path: "/actions/projects/{p}/task-type-links/reorder", Body: map[string]any{"task_type_ids": []string{"x"}}, Status: 400},
		{Name: "reorder artist", As: e.artist, Method: "POST", Path: "/actions/projects/{p}/task-type-links/reorder", Body: map[string]any{"task_type_ids": []string{}}, Status: 403},
		{Name: "reorder outsider", As: e.outsider, Method: "POST", Path: "/actions/projects/{p}/task-type-links/reorder", Body: map[string]any{"task_type_ids": []string{}}, Status: 404},
		{Name: "no GET", As: e.Admin, Method: "GET", Path: "/data/task-type-links", Status: 405},
	})
}

func TestProjectsDescriptorsAllProjects(t *testing.T) {
	e := projectsSetup(t)
	second := e.Project("Second")
	e.AddToTeam(second, e.manager.ID, "user") // a per-project role below manager: not his to reshape
	third := e.Project("Third")
	e.AddToTeam(third, e.manager.ID, "")
	at := e.AssetType("Props")
	a := e.Asset(third, at, "Chair")
	sqlExec(t, e.Env, `UPDATE entity SET data = '{"status_note": "x", "kept": 1}' WHERE id = ?`, a)
	e.Run(t, nil, []apptest.Case{
		{Name: "artist refused", As: e.artist, Method: "POST", Path: "/data/metadata-descriptors/all-projects", Body: map[string]any{"name": "Status Note"}, Status: 403},
		{Name: "Task refused", As: e.manager, Method: "POST", Path: "/data/metadata-descriptors/all-projects", Body: map[string]any{"name": "N", "entity_type": "Task"}, Status: 400},
		{Name: "bad data type", As: e.manager, Method: "POST", Path: "/data/metadata-descriptors/all-projects", Body: map[string]any{"name": "N", "data_type": "blob"}, Status: 400},
		{Name: "manager creates on his managed projects", As: e.manager, Method: "POST", Path: "/data/metadata-descriptors/all-projects",
			Body: map[string]any{"name": "Status Note", "entity_type": "Asset"}, Status: 201, Len: 2, Keys: []string{"id", "project_id", "field_name"}},
		{Name: "again creates nothing", As: e.manager, Method: "POST", Path: "/data/metadata-descriptors/all-projects",
			Body: map[string]any{"name": "Status Note", "entity_type": "Asset"}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Errorf("created again: %s", r.Body)
				}
			}},
		{Name: "admin adds the other project", As: e.Admin, Method: "POST", Path: "/data/metadata-descriptors/all-projects",
			Body: map[string]any{"name": "Status Note", "entity_type": "Asset"}, Status: 201, Len: 1},
		{As: e.Admin, Method: "POST", Path: "/data/metadata-descriptors/all-projects", Body: map[string]any{"name": "Alpha", "entity_type": "Asset"}, Status: 201, Len: 3},
		{Name: "update", As: e.manager, Method: "PUT", Path: "/data/metadata-descriptors/all-projects/status_note",
			Body: map[string]any{"entity_type": "Asset", "for_client": true}, Status: 200, Len: 2,
			Check: func(t *testing.T, r *apptest.Response) {
				for _, d := range r.List(t) {
					if d["for_client"] != true || d["field_name"] != "status_note" {
						t.Errorf("update %v", d)
					}
				}
			}},
		{Name: "update missing entity type", As: e.manager, Method: "PUT", Path: "/data/metadata-descriptors/all-projects/status_note", Body: map[string]any{}, Status: 400},
		{Name: "reorder", As: e.manager, Method: "POST", Path: "/actions/metadata-descriptors/all-projects/reorder",
			Body: map[string]any{"entity_type": "Asset", "field_order": []string{"status_note", "alpha"}}, Status: 200, Len: 4,
			Check: func(t *testing.T, r *apptest.Response) {
				for _, d := range r.List(t) {
					if want := map[string]float64{"status_note": 1, "alpha": 2}[d["field_name"].(string)]; d["position"] != want {
						t.Errorf("position %v of %v", d["position"], d["field_name"])
					}
				}
			}},
		{Name: "reorder empty", As: e.manager, Method: "POST", Path: "/actions/metadata-descriptors/all-projects/reorder",
			Body: map[string]any{"entity_type": "Asset", "field_order": []string{}}, Status: 400},
		{Name: "delete needs entity type", As: e.manager, Method: "DELETE", Path: "/data/metadata-descriptors/all-projects/status_note", Status: 400},
		{Name: "delete", As: e.manager, Method: "DELETE", Path: "/data/metadata-descriptors/all-projects/status_note?entity_type=Asset", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if ids, _ := r.JSON(t).([]any); len(ids) != 2 {
					t.Errorf("removed %s", r.Body)
				}
			}},
	})
	if n := e.Count("metadata_descriptor", "field_name = 'status_note'"); n != 1 {
		t.Errorf("%d status_note descriptors left, want the unmanaged one", n)
	}
	if n := e.Count("entity", "id = ? AND jsonb_exists(data, 'status_note')", a); n != 0 {
		t.Errorf("values kept")
	}
}

func TestProjectsGetAndUpdate(t *testing.T) {
	e := projectsSetup(t)
	e.Run(t, map[string]string{"p": e.project}, []apptest.Case{
		{Name: "get with status name", As: e.artist, Method: "GET", Path: "/data/projects/{p}", Status: 200, Keys: []string{"id", "project_status_name", "team"},
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["project_status_name"] != "Open" {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "outsider", As: e.outsider, Method: "GET", Path: "/data/projects/{p}", Status: 404},
		{Name: "malformed (the engine's 400 for /data ids)", As: e.Admin, Method: "GET", Path: "/data/projects/nope", Status: 400},
		{Name: "artist may not update", As: e.artist, Method: "PUT", Path: "/data/projects/{p}", Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "bad style", As: e.manager, Method: "PUT", Path: "/data/projects/{p}", Body: map[string]any{"production_style": "oil"}, Status: 400},
		{Name: "film update", As: e.manager, Method: "PUT", Path: "/data/projects/{p}", Body: map[string]any{"fps": "24"}, Status: 200, NoKeys: []string{"first_episode_id"}},
		{Name: "becomes a tvshow", As: e.manager, Method: "PUT", Path: "/data/projects/{p}", Body: map[string]any{"production_type": "tvshow"}, Status: 200, Keys: []string{"first_episode_id"}},
		{Name: "episode reused", As: e.manager, Method: "PUT", Path: "/data/projects/{p}", Body: map[string]any{"fps": "25"}, Status: 200, Keys: []string{"first_episode_id"}},
	})
	if n := e.Count("entity", "project_id = ? AND name = 'E01'", e.project); n != 1 {
		t.Errorf("%d first episodes", n)
	}
}

func TestProjectsTimeAndDayOffs(t *testing.T) {
	e := projectsSetup(t)
	dep := e.Department("Modeling")
	tt := e.TaskType("Modeling", "Asset", map[string]any{"department_id": dep})
	ts := e.TaskStatus("WIP", "wip")
	at := e.AssetType("Props")
	asset := e.Asset(e.project, at, "Chair")
	task := e.Task(e.project, asset, tt, ts, e.artist.ID)
	e.Create("time-spents", map[string]any{"task_id": task, "person_id": e.artist.ID, "date": "2026-03-02", "duration": 60})
	e.Create("time-spents", map[string]any{"task_id": task, "person_id": e.artist.ID, "date": "2026-04-01", "duration": 30})
	e.Create("day-offs", map[string]any{"person_id": e.artist.ID, "date": "2026-03-10", "end_date": "2026-03-12", "description": "private"})
	e.Create("day-offs", map[string]any{"person_id": e.supervisor.ID, "date": "2026-05-10", "end_date": "2026-05-12", "description": "mine"})
	vars := map[string]string{"p": e.project, "tt": tt}
	e.Run(t, vars, []apptest.Case{
		{Name: "time spents", As: e.artist, Method: "GET", Path: "/data/projects/{p}/time-spents", Status: 200, Len: 2, Keys: []string{"id", "duration", "task_id"}},
		{Name: "time spents outsider", As: e.outsider, Method: "GET", Path: "/data/projects/{p}/time-spents", Status: 404},
		{Name: "by task type", As: e.manager, Method: "GET", Path: "/data/projects/{p}/task-types/{tt}/time-spents?start_date=2026-03-15", Status: 200, Keys: []string{e.artist.ID},
			Check: func(t *testing.T, r *apptest.Response) {
				if l := r.Object(t)[e.artist.ID].([]any); len(l) != 1 {
					t.Errorf("range: %s", r.Body)
				}
			}},
		{Name: "by task type bad date", As: e.manager, Method: "GET", Path: "/data/projects/{p}/task-types/{tt}/time-spents?start_date=soon", Status: 400},
		{Name: "by task type artist", As: e.artist, Method: "GET", Path: "/data/projects/{p}/task-types/{tt}/time-spents", Status: 403},
		{Name: "by task type malformed", As: e.manager, Method: "GET", Path: "/data/projects/{p}/task-types/x/time-spents", Status: 404},
		{Name: "day offs for a manager", As: e.manager, Method: "GET", Path: "/data/projects/{p}/day-offs", Status: 200, Keys: []string{e.artist.ID, e.supervisor.ID},
			Check: func(t *testing.T, r *apptest.Response) {
				d := r.Object(t)[e.artist.ID].([]any)[0].(map[string]any)
				if d["description"] != "private" {
					t.Errorf("manager view: %v", d)
				}
			}},
		{Name: "day offs for a supervisor", As: e.supervisor, Method: "GET", Path: "/data/projects/{p}/day-offs?start_date=2026-01-01&end_date=2026-12-31", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				if hasKey(o[e.artist.ID].([]any)[0].(map[string]any), "description") {
					t.Errorf("another's description shown")
				}
				if !hasKey(o[e.supervisor.ID].([]any)[0].(map[string]any), "description") {
					t.Errorf("own description hidden")
				}
			}},
		{Name: "day offs range", As: e.manager, Method: "GET", Path: "/data/projects/{p}/day-offs?end_date=2026-04-01", Status: 200, NoKeys: []string{e.supervisor.ID}},
		{Name: "day offs bad date", As: e.manager, Method: "GET", Path: "/data/projects/{p}/day-offs?end_date=x", Status: 400},
		{Name: "day offs client", As: e.client, Method: "GET", Path: "/data/projects/{p}/day-offs", Status: 403},
		{Name: "day offs vendor", As: e.vendor, Method: "GET", Path: "/data/projects/{p}/day-offs", Status: 403},
		{Name: "month time spents", As: e.Admin, Method: "GET", Path: "/data/projects/{p}/budgets/time-spents", Status: 200, Keys: []string{dep},
			Check: func(t *testing.T, r *apptest.Response) {
				d := r.Object(t)[dep].(map[string]any)
				p := d[e.artist.ID].(map[string]any)
				if d["total"] != float64(90) || p["2026-03"] != float64(60) || p["total"] != float64(90) {
					t.Errorf("month time spents %s", r.Body)
				}
			}},
		{Name: "month time spents manager", As: e.manager, Method: "GET", Path: "/data/projects/{p}/budgets/time-spents", Status: 403},
	})
}

func TestProjectsEntityScheduleItems(t *testing.T) {
	e := projectsSetup(t)
	tt := e.TaskType("Layout", "Shot")
	at := e.AssetType("Props")
	e.Asset(e.project, at, "Chair")
	ep1 := e.Episode(e.project, "E01")
	ep2 := e.Episode(e.project, "E02")
	e.Sequence(e.project, ep1, "SQ01")
	e.Sequence(e.project, ep2, "SQ02")
	vars := map[string]string{"p": e.project, "tt": tt, "ep1": ep1}
	e.Run(t, vars, []apptest.Case{
		{Name: "asset types", As: e.artist, Method: "GET", Path: "/data/projects/{p}/schedule-items/{tt}/asset-types", Status: 200, Len: 1,
			Keys: []string{"id", "object_id", "name", "start_date", "task_type_id"}},
		{Name: "episodes", As: e.artist, Method: "GET", Path: "/data/projects/{p}/schedule-items/{tt}/episodes", Status: 200, Len: 2,
			Check: func(t *testing.T, r *apptest.Response) {
				if l := r.List(t); l[0]["name"] != "E01" || l[0]["object_id"] != ep1 {
					t.Errorf("episodes %s", r.Body)
				}
			}},
		{Name: "sequences of an episode", As: e.manager, Method: "GET", Path: "/data/projects/{p}/schedule-items/{tt}/sequences?episode_id={ep1}", Status: 200, Len: 1},
		{Name: "all sequences", As: e.manager, Method: "GET", Path: "/data/projects/{p}/schedule-items/{tt}/sequences", Status: 200, Len: 2},
		{Name: "edits (none)", As: e.manager, Method: "GET", Path: "/data/projects/{p}/schedule-items/{tt}/edits", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Errorf("edits %s", r.Body)
				}
			}},
		{Name: "vendor", As: e.vendor, Method: "GET", Path: "/data/projects/{p}/schedule-items/{tt}/episodes", Status: 403},
		{Name: "outsider", As: e.outsider, Method: "GET", Path: "/data/projects/{p}/schedule-items/{tt}/episodes", Status: 404},
		{Name: "malformed task type", As: e.manager, Method: "GET", Path: "/data/projects/{p}/schedule-items/x/episodes", Status: 400},
		{Name: "unknown task type", As: e.manager, Method: "GET", Path: "/data/projects/{p}/schedule-items/8f2a6c1e-0000-4000-8000-000000000000/episodes", Status: 404},
		{Name: "malformed episode", As: e.manager, Method: "GET", Path: "/data/projects/{p}/schedule-items/{tt}/sequences?episode_id=x", Status: 400},
	})
	// Reads create each item once.
	e.Must(200, "GET", "/data/projects/"+e.project+"/schedule-items/"+tt+"/episodes", nil, e.Admin.Token)
	if n := e.Count("schedule_item", "project_id = ?", e.project); n != 5 {
		t.Errorf("%d schedule items, want 5", n)
	}
}

func TestProjectsScheduleVersions(t *testing.T) {
	e := projectsSetup(t)
	tt := e.TaskType("Modeling", "Asset")
	ts := e.TaskStatus("WIP", "wip")
	at := e.AssetType("Props")
	asset := e.Asset(e.project, at, "Chair")
	task := e.Task(e.project, asset, tt, ts, e.artist.ID)
	sqlExec(t, e.Env, "UPDATE task SET start_date = '2026-01-05', due_date = '2026-01-20', estimation = 3 WHERE id = ?", task)
	v1 := e.ID("production-schedule-versions", map[string]any{"name": "v1", "project_id": e.project})
	v2 := e.ID("production-schedule-versions", map[string]any{"name": "v2", "project_id": e.project})
	other := e.Project("Other")
	vo := e.ID("production-schedule-versions", map[string]any{"name": "vo", "project_id": other})
	vars := map[string]string{"v1": v1, "v2": v2, "tt": tt}
	e.Run(t, vars, []apptest.Case{
		{Name: "copy production", As: e.manager, Method: "POST", Path: "/actions/production-schedule-versions/{v1}/set-task-links-from-production", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				expect(t, r, 200, map[string]any{"success": true, "task_link_count": float64(1)})
			}},
		{Name: "copy production artist", As: e.artist, Method: "POST", Path: "/actions/production-schedule-versions/{v1}/set-task-links-from-production", Status: 403},
		{Name: "unknown version", As: e.manager, Method: "POST", Path: "/actions/production-schedule-versions/8f2a6c1e-0000-4000-8000-000000000000/set-task-links-from-production", Status: 404},
		{Name: "links", As: e.artist, Method: "GET", Path: "/data/production-schedule-versions/{v1}/task-links?task_type_id={tt}&relations=true", Status: 200, Len: 1,
			Keys: []string{"id", "task_id", "start_date", "due_date", "estimation", "assignees"}},
		{Name: "links client", As: e.client, Method: "GET", Path: "/data/production-schedule-versions/{v1}/task-links", Status: 403},
		{Name: "links outsider", As: e.outsider, Method: "GET", Path: "/data/production-schedule-versions/{v1}/task-links", Status: 404},
		{Name: "copy version", As: e.manager, Method: "POST", Path: "/actions/production-schedule-versions/{v2}/set-task-links-from-production-schedule-version",
			Body: map[string]any{"production_schedule_version_id": v1}, Status: 200, Keys: []string{"success", "task_link_count"}},
		{Name: "copy onto itself", As: e.manager, Method: "POST", Path: "/actions/production-schedule-versions/{v2}/set-task-links-from-production-schedule-version",
			Body: map[string]any{"production_schedule_version_id": v2}, Status: 400},
		{Name: "copy from another project", As: e.Admin, Method: "POST", Path: "/actions/production-schedule-versions/{v2}/set-task-links-from-production-schedule-version",
			Body: map[string]any{"production_schedule_version_id": vo}, Status: 400},
		{Name: "copy missing source", As: e.manager, Method: "POST", Path: "/actions/production-schedule-versions/{v2}/set-task-links-from-production-schedule-version",
			Body: map[string]any{}, Status: 400},
	})
	if n := e.Count("production_schedule_version_task_link_person_link", ""); n != 2 {
		t.Errorf("%d assignee links, want 2", n)
	}
	sqlExec(t, e.Env, "UPDATE production_schedule_version_task_link SET estimation = 9 WHERE production_schedule_version_id = ?", v2)
	e.Run(t, vars, []apptest.Case{
		{Name: "apply", As: e.manager, Method: "POST", Path: "/actions/production-schedule-versions/{v2}/apply-to-production", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				expect(t, r, 200, map[string]any{"success": true, "task_count": float64(1)})
			}},
		{Name: "apply artist", As: e.artist, Method: "POST", Path: "/actions/production-schedule-versions/{v2}/apply-to-production", Status: 403},
	})
	if n := e.Count("task", "id = ? AND estimation = 9", task); n != 1 {
		t.Errorf("estimation not applied")
	}
	if n := e.Count("project", "id = ? AND from_schedule_version_id = ?", e.project, v2); n != 1 {
		t.Errorf("project origin not set")
	}
	if e.LastEvent("task:update").Data["task_id"] != task {
		t.Errorf("task:update event")
	}
}

func TestProjectsDeleteForce(t *testing.T) {
	e := projectsSetup(t)
	closed := e.ID("project-status", map[string]any{"name": "Closed", "color": "#000000"})
	tt := e.TaskType("Modeling", "Asset")
	ts := e.TaskStatus("WIP", "wip")
	at := e.AssetType("Props")
	fill := func(project string) string {
		asset := e.Asset(project, at, "Chair")
		seq := e.Sequence(project, "", "SQ01")
		shot := e.Shot(project, seq, "SH01")
		task := e.Task(project, asset, tt, ts, e.artist.ID)
		e.Task(project, shot, e.TaskType("Anim "+project[:4], "Shot"), ts)
		e.Create("time-spents", map[string]any{"task_id": task, "person_id": e.artist.ID, "date": "2026-03-02", "duration": 60})
		e.Create("comments", map[string]any{"object_id": task, "object_type": "Task", "person_id": e.artist.ID, "task_status_id": ts, "text": "hi"})
		e.Create("milestones", map[string]any{"project_id": project, "name": "M", "date": "2026-12-24"})
		e.Must(201, "POST", "/data/projects/"+project+"/settings/task-types", map[string]any{"task_type_id": tt}, e.Admin.Token)
		e.Must(201, "POST", "/data/projects/"+project+"/metadata-descriptors", map[string]any{"name": "Mood", "departments": []string{e.Department("D " + project[:4])}}, e.Admin.Token)
		e.Must(200, "POST", "/data/projects/"+project+"/budgets", map[string]any{"name": "B"}, e.Admin.Token)
		e.Must(200, "GET", "/data/projects/"+project+"/schedule-items/task-types", nil, e.Admin.Token)
		return task
	}
	fill(e.project)
	keep := e.Project("Keep")
	keptTask := fill(keep)
	e.Run(t, map[string]string{"p": e.project}, []apptest.Case{
		{Name: "open project refused", As: e.Admin, Method: "DELETE", Path: "/data/projects/{p}?force=true", Status: 400},
		{Name: "manager refused", As: e.manager, Method: "DELETE", Path: "/data/projects/{p}?force=true", Status: 403},
		{Name: "malformed", As: e.Admin, Method: "DELETE", Path: "/data/projects/x?force=true", Status: 400},
		{Name: "unknown", As: e.Admin, Method: "DELETE", Path: "/data/projects/8f2a6c1e-0000-4000-8000-000000000000?force=true", Status: 404},
	})
	sqlExec(t, e.Env, "UPDATE project SET project_status_id = ? WHERE id = ?", closed, e.project)
	e.Run(t, map[string]string{"p": e.project}, []apptest.Case{
		{Name: "without force the rows block it", As: e.Admin, Method: "DELETE", Path: "/data/projects/{p}", Status: 400},
		{Name: "force purges", As: e.Admin, Method: "DELETE", Path: "/data/projects/{p}?force=true", Status: 204},
		{Name: "gone", As: e.Admin, Method: "GET", Path: "/data/projects/{p}", Status: 404},
	})
	for _, table := range []string{"entity", "task", "milestone", "metadata_descriptor", "budget", "schedule_item", "project_task_type_link", "project_person_link"} {
		if n := e.Count(table, "project_id = ?", e.project); n != 0 {
			t.Errorf("%s: %d rows left", table, n)
		}
		if n := e.Count(table, "project_id = ?", keep); n == 0 && table != "project_person_link" {
			t.Errorf("%s of another project deleted", table)
		}
	}
	if n := e.Count("comment", "object_id = ?", keptTask); n != 1 {
		t.Errorf("another project's comment deleted")
	}
	if n := e.Count("person", "id = ?", e.artist.ID); n != 1 {
		t.Errorf("a team member was deleted")
	}
	e.LastEvent("project:delete")
}

func TestProjectsScheduleItemData(t *testing.T) {
	e := projectsSetup(t)
	tt := e.TaskType("Modeling", "Asset")
	body := map[string]any{"project_id": e.project, "task_type_id": tt, "start_date": "2026-01-01", "end_date": "2026-01-02"}
	si := e.Create("schedule-items", body)
	if r := e.Do("POST", "/data/schedule-items", body, e.Admin.Token); r.Status != 400 {
		t.Errorf("duplicate: %d %s", r.Status, r.Body)
	}
	r := e.Must(200, "PUT", "/data/schedule-items/"+si["id"].(string), map[string]any{"man_days": "", "end_date": "2026-01-05"}, e.manager.Token)
	if r.Object(t)["man_days"] != nil || r.Object(t)["end_date"] != "2026-01-05" {
		t.Errorf("update: %s", r.Body)
	}
	// Vendors get the open project list with only their departments' columns.
	dep := e.Department("Anim")
	e.InDepartment(e.vendor.ID, dep)
	e.Must(201, "POST", "/data/projects/"+e.project+"/metadata-descriptors", map[string]any{"name": "Other dept", "departments": []string{e.Department("Light")}}, e.Admin.Token)
	e.Must(201, "POST", "/data/projects/"+e.project+"/metadata-descriptors", map[string]any{"name": "Mine", "departments": []string{dep}}, e.Admin.Token)
	e.Must(201, "POST", "/data/projects/"+e.project+"/metadata-descriptors", map[string]any{"name": "Everyone"}, e.Admin.Token)
	l := e.Must(200, "GET", "/data/projects/open", nil, e.vendor.Token).List(t)
	if len(l) != 1 || len(l[0]["descriptors"].([]any)) != 2 {
		t.Errorf("vendor open projects: %v", l)
	}
}

// TestProjectsListRoundTrips pins the lists to a constant number of queries
// whatever the number of rows (no query per project or per person).
func TestProjectsListRoundTrips(t *testing.T) {
	e := projectsSetup(t)
	count := func(path string, who *apptest.Person) int {
		q := e.CountQueries()
		q.Reset()
		e.Must(200, "GET", path, nil, who.Token)
		return len(q.Reset())
	}
	count("/data/projects/open", e.artist) // warm the per-caller caches first
	open1, team1 := count("/data/projects/open", e.artist), count("/data/projects/"+e.project+"/team", e.artist)
	for i := 0; i < 5; i++ {
		p := e.Project("Extra " + string(rune('A'+i)))
		e.AddToTeam(p, e.artist.ID, "")
		e.AddToTeam(e.project, e.NewPerson("user").ID, "")
		e.Must(201, "POST", "/data/projects/"+p+"/metadata-descriptors", map[string]any{"name": "M"}, e.Admin.Token)
	}
	if n := count("/data/projects/open", e.artist); n != open1 {
		t.Errorf("open projects: %d queries with 6 projects, %d with 1", n, open1)
	}
	if n := count("/data/projects/"+e.project+"/team", e.artist); n != team1 {
		t.Errorf("team: %d queries with 10 persons, %d with 5", n, team1)
	}
}

func TestProjectsOpenFirstEpisode(t *testing.T) {
	e := apptest.New(t)
	show := e.Must(201, "POST", "/data/projects", map[string]any{"name": "Show", "production_type": "tvshow"}, e.Admin.Token).Object(t)
	e.Project("Film")
	for _, p := range e.Must(200, "GET", "/data/projects/open", nil, e.Admin.Token).List(t) {
		if p["name"] == "Show" && p["first_episode_id"] != show["first_episode_id"] {
			t.Errorf("tvshow first_episode_id %v, want %v", p["first_episode_id"], show["first_episode_id"])
		}
		if p["name"] == "Film" && hasKey(p, "first_episode_id") {
			t.Errorf("a film names a first episode")
		}
	}
}
