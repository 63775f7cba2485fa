package routes_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// tasksWorld is one production with a person of every role, a shot and an
// asset with a task each, in a department.
type tasksWorld struct {
	e                                              *apptest.Env
	project, other, dept, dept2                    string
	assetType, asset, episode, sequence, shot      string
	ttShot, ttAsset, todo, done                    string
	shotTask, assetTask                            string
	manager, supervisor, artist, artist2, outsider *apptest.Person
	client, vendor, bot                            *apptest.Person
	otherTask                                      string
	vars                                           map[string]string
}

func tasksNewWorld(t *testing.T) *tasksWorld {
	t.Helper()
	e := apptest.New(t)
	w := &tasksWorld{e: e}
	w.project = e.Project("Tasks Prod")
	w.other = e.Project("Other Prod")
	w.dept = e.Department("Animation")
	w.dept2 = e.Department("Modeling")
	w.assetType = e.AssetType("Character")
	w.asset = e.Asset(w.project, w.assetType, "Hero")
	w.episode = e.Episode(w.project, "E01")
	w.sequence = e.Sequence(w.project, w.episode, "SQ01")
	w.shot = e.Shot(w.project, w.sequence, "SH010")
	w.ttShot = e.TaskType("Animation", "Shot", map[string]any{"department_id": w.dept})
	w.ttAsset = e.TaskType("Modeling", "Asset", map[string]any{"department_id": w.dept2})
	w.todo = e.TaskStatus("Todo", "todo", map[string]any{"is_default": true})
	w.done = e.TaskStatus("Done", "done", map[string]any{"is_done": true})
	w.manager = e.NewPerson("manager")
	w.supervisor = e.NewPerson("supervisor")
	w.artist = e.NewPerson("user")
	w.artist2 = e.NewPerson("user")
	w.outsider = e.NewPerson("user")
	w.client = e.NewPerson("client")
	w.vendor = e.NewPerson("vendor")
	w.bot = e.NewPerson("user")
	sqlExec(t, e, "UPDATE person SET is_bot = true WHERE id = ?", w.bot.ID)
	for _, p := range []*apptest.Person{w.manager, w.supervisor, w.artist, w.artist2, w.client, w.vendor, w.bot} {
		e.AddToTeam(w.project, p.ID, "")
	}
	e.InDepartment(w.supervisor.ID, w.dept)
	e.InDepartment(w.artist.ID, w.dept)
	e.InDepartment(w.artist2.ID, w.dept2)
	w.shotTask = e.Task(w.project, w.shot, w.ttShot, w.todo, w.artist.ID)
	w.assetTask = e.Task(w.project, w.asset, w.ttAsset, w.todo, w.vendor.ID)
	otherShot := e.Shot(w.other, e.Sequence(w.other, "", "OSQ"), "OSH")
	w.otherTask = e.Task(w.other, otherShot, w.ttShot, w.todo, w.artist.ID)
	w.vars = map[string]string{"project": w.project, "other": w.other, "shot": w.shot, "asset": w.asset,
		"shotTask": w.shotTask, "assetTask": w.assetTask, "otherTask": w.otherTask, "ttShot": w.ttShot, "ttAsset": w.ttAsset,
		"artist": w.artist.ID, "artist2": w.artist2.ID, "vendor": w.vendor.ID, "bot": w.bot.ID, "outsider": w.outsider.ID,
		"manager": w.manager.ID, "supervisor": w.supervisor.ID, "client": w.client.ID,
		"todo": w.todo, "done": w.done, "dept": w.dept, "unknown": "6f1f8fb0-3f2a-4a43-9d3c-111111111111"}
	return w
}

func TestTasksFull(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	sqlExec(t, e, "UPDATE task SET assigner_id = ? WHERE id = ?", w.manager.ID, w.shotTask)
	full := []string{"id", "type", "name", "assignees", "entity", "entity_type", "is_subscribed", "persons", "project",
		"task_status", "task_type", "assigner", "sequence", "episode"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "admin", As: e.Admin, Method: "GET", Path: "/data/tasks/{shotTask}/full", Status: 200, Keys: full,
			NoKeys: []string{"tasks_assigner", "tasks_sequence", "tasks_episode"},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["type"] != "Task" || m["entity"].(map[string]any)["id"] != w.shot || m["sequence"].(map[string]any)["id"] != w.sequence ||
					m["episode"].(map[string]any)["id"] != w.episode || m["assigner"].(map[string]any)["id"] != w.manager.ID {
					t.Errorf("full task: %s", r.Body)
				}
				ps := m["persons"].([]any)
				if len(ps) != 1 || ps[0].(map[string]any)["id"] != w.artist.ID || hasKey(ps[0].(map[string]any), "password") {
					t.Errorf("persons: %v", ps)
				}
				if m["task_type"].(map[string]any)["id"] != w.ttShot || m["task_status"].(map[string]any)["id"] != w.todo ||
					m["project"].(map[string]any)["id"] != w.project || m["entity_type"].(map[string]any)["name"] != "Shot" {
					t.Errorf("nested: %s", r.Body)
				}
			}},
		{Name: "asset task has no sequence", As: w.manager, Method: "GET", Path: "/data/tasks/{assetTask}/full", Status: 200,
			Keys: []string{"entity", "persons"}, NoKeys: []string{"sequence", "episode", "assigner"}},
		{Name: "artist in team", As: w.artist, Method: "GET", Path: "/data/tasks/{shotTask}/full", Status: 200, Keys: []string{"is_subscribed"}},
		{Name: "client in team", As: w.client, Method: "GET", Path: "/data/tasks/{shotTask}/full", Status: 200},
		{Name: "vendor assigned", As: w.vendor, Method: "GET", Path: "/data/tasks/{assetTask}/full", Status: 200},
		{Name: "vendor not assigned", As: w.vendor, Method: "GET", Path: "/data/tasks/{shotTask}/full", Status: 404},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: "/data/tasks/{shotTask}/full", Status: 404},
		{Name: "malformed", As: e.Admin, Method: "GET", Path: "/data/tasks/nope/full", Status: 404},
		{Name: "unknown", As: e.Admin, Method: "GET", Path: "/data/tasks/{unknown}/full", Status: 404},
		{Name: "no token", Method: "GET", Path: "/data/tasks/{shotTask}/full", Status: 401},
	})
	sqlExec(t, e, "INSERT INTO subscription (id, created_at, updated_at, person_id, task_id) VALUES (gen_random_uuid(), now(), now(), ?, ?)", w.artist.ID, w.shotTask)
	if m := e.Must(200, "GET", "/data/tasks/"+w.shotTask+"/full", nil, w.artist.Token).Object(t); m["is_subscribed"] != true {
		t.Errorf("is_subscribed: %v", m["is_subscribed"])
	}
}

func TestTasksPreviews(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	e.Row("preview-files", map[string]any{"name": "v1", "revision": 1, "task_id": w.shotTask, "extension": "png"})
	e.Row("preview-files", map[string]any{"name": "v2", "revision": 2, "task_id": w.shotTask, "extension": "png"})
	e.Run(t, w.vars, []apptest.Case{
		{Name: "member", As: w.artist, Method: "GET", Path: "/data/tasks/{shotTask}/previews", Status: 200, Len: 2,
			Keys: []string{"id", "revision", "task_id"}, Check: func(t *testing.T, r *apptest.Response) {
				if l := r.List(t); l[0]["revision"] != float64(2) {
					t.Errorf("latest revision first: %s", r.Body)
				}
			}},
		{Name: "empty", As: w.manager, Method: "GET", Path: "/data/tasks/{assetTask}/previews", Status: 200},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: "/data/tasks/{shotTask}/previews", Status: 404},
		{Name: "vendor not assigned", As: w.vendor, Method: "GET", Path: "/data/tasks/{shotTask}/previews", Status: 404},
		{Name: "malformed", As: e.Admin, Method: "GET", Path: "/data/tasks/x/previews", Status: 404},
	})
}

func TestTasksOfPerson(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	doneTask := e.Task(w.project, w.asset, w.ttShot, w.done, w.artist.ID)
	e.Row("comments", map[string]any{"object_id": w.shotTask, "object_type": "Task", "person_id": w.manager.ID,
		"task_status_id": w.todo, "text": "do it"})
	detail := []string{"id", "assignees", "project_name", "project_has_avatar", "entity_name", "entity_type_name",
		"entity_preview_file_id", "entity_source_id", "entity_canceled", "entity_data", "entity_description", "sequence_name",
		"episode_id", "episode_name", "task_type_for_entity", "task_estimation", "task_duration", "task_start_date",
		"task_due_date", "task_type_name", "task_status_name", "task_type_color", "task_status_color",
		"task_status_short_name", "last_comment"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "self", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/tasks", Status: 200, Len: 1, Keys: detail,
			Check: func(t *testing.T, r *apptest.Response) {
				for _, row := range r.List(t) {
					if row["id"] == w.shotTask {
						if row["sequence_name"] != "SQ01" || row["episode_name"] != "E01" || row["episode_id"] != w.episode {
							t.Errorf("shot row: %v", row)
						}
						if lc := row["last_comment"].(map[string]any); lc["text"] != "do it" || lc["person_id"] != w.manager.ID {
							t.Errorf("last comment: %v", lc)
						}
					}
				}
			}},
		// The other production's task shows for the admin (every open project), not for a team member there.
		{Name: "admin", As: e.Admin, Method: "GET", Path: "/data/persons/{artist}/tasks", Status: 200, Len: 2},
		{Name: "manager", As: w.manager, Method: "GET", Path: "/data/persons/{artist}/tasks", Status: 200, Len: 1},
		{Name: "done", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/done-tasks", Status: 200, Len: 1, Keys: detail,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["id"] != doneTask {
					t.Errorf("done tasks: %s", r.Body)
				}
			}},
		{Name: "client gets nothing", As: w.client, Method: "GET", Path: "/data/persons/{artist}/tasks", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "vendor other", As: w.vendor, Method: "GET", Path: "/data/persons/{artist}/tasks", Status: 403},
		{Name: "vendor self gets nothing", As: w.vendor, Method: "GET", Path: "/data/persons/{vendor}/done-tasks", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "outsider sees none of the team's", As: w.outsider, Method: "GET", Path: "/data/persons/{artist}/tasks", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "bot target", As: e.Admin, Method: "GET", Path: "/data/persons/{bot}/tasks", Status: 403},
		{Name: "unknown", As: e.Admin, Method: "GET", Path: "/data/persons/{unknown}/tasks", Status: 404},
		{Name: "malformed", As: e.Admin, Method: "GET", Path: "/data/persons/zz/done-tasks", Status: 404},
		{Name: "related", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/related-tasks/{ttShot}", Status: 200, Len: 2,
			Keys: []string{"id", "task_type_id"}},
		{Name: "related, admin: every open production", As: e.Admin, Method: "GET", Path: "/data/persons/{artist}/related-tasks/{ttShot}", Status: 200, Len: 3},
		{Name: "related, manager: his productions", As: w.manager, Method: "GET", Path: "/data/persons/{artist}/related-tasks/{ttShot}", Status: 200, Len: 2},
		{Name: "related vendor other", As: w.vendor, Method: "GET", Path: "/data/persons/{artist}/related-tasks/{ttShot}", Status: 403},
		{Name: "related bad type", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/related-tasks/bad", Status: 404},
	})
}

func tasksEmpty(t *testing.T, r *apptest.Response) {
	t.Helper()
	if string(r.Body) != "[]" {
		t.Errorf("want [], got %s", r.Body)
	}
}

func TestTasksProjectLists(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	sqlExec(t, e, "INSERT INTO subscription (id, created_at, updated_at, person_id, task_id) VALUES (gen_random_uuid(), now(), now(), ?, ?)", w.artist.ID, w.shotTask)
	e.Row("notifications", map[string]any{"person_id": w.artist.ID, "author_id": w.manager.ID, "task_id": w.shotTask, "type": "assignation"})
	e.Row("preview-files", map[string]any{"name": "v1", "revision": 1, "task_id": w.shotTask, "extension": "png"})
	e.Run(t, w.vars, []apptest.Case{
		{Name: "entity tasks", As: w.artist, Method: "GET", Path: "/data/entities/{shot}/task-types/{ttShot}/tasks", Status: 200, Len: 1,
			Keys: []string{"id", "name", "task_type_id"}, NoKeys: []string{"assignees"}},
		{Name: "entity tasks outsider", As: w.outsider, Method: "GET", Path: "/data/entities/{shot}/task-types/{ttShot}/tasks", Status: 404},
		{Name: "entity tasks vendor", As: w.vendor, Method: "GET", Path: "/data/entities/{shot}/task-types/{ttShot}/tasks", Status: 404},
		{Name: "entity bad type", As: w.artist, Method: "GET", Path: "/data/entities/{shot}/task-types/nope/tasks", Status: 404},
		{Name: "project tasks", As: w.artist, Method: "GET", Path: "/data/projects/{project}/tasks", Status: 200, Len: 2, Keys: []string{"assignees"}},
		{Name: "project tasks by type", As: w.manager, Method: "GET", Path: "/data/projects/{project}/tasks?task_type_id={ttAsset}", Status: 200, Len: 1},
		{Name: "project tasks by episode", As: w.manager, Method: "GET", Path: "/data/projects/{project}/tasks?episode_id={unknown}", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "project tasks vendor", As: w.vendor, Method: "GET", Path: "/data/projects/{project}/tasks", Status: 200, Len: 1},
		{Name: "project tasks page", As: w.manager, Method: "GET", Path: "/data/projects/{project}/tasks?page=1&limit=1", Status: 200,
			Keys: []string{"data", "total", "nb_pages", "limit", "offset", "page"}, Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["total"] != float64(2) || m["nb_pages"] != float64(2) || len(m["data"].([]any)) != 1 {
					t.Errorf("envelope: %s", r.Body)
				}
			}},
		{Name: "project tasks bad page", As: w.manager, Method: "GET", Path: "/data/projects/{project}/tasks?page=x", Status: 400},
		{Name: "project tasks bad type", As: w.manager, Method: "GET", Path: "/data/projects/{project}/tasks?task_type_id=x", Status: 400},
		{Name: "project tasks outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{project}/tasks", Status: 404},
		{Name: "notifications", As: e.Admin, Method: "GET", Path: "/data/projects/{project}/notifications", Status: 200, Len: 1,
			Keys: []string{"id", "notification_type", "person_id"}},
		{Name: "notifications manager", As: w.manager, Method: "GET", Path: "/data/projects/{project}/notifications", Status: 403},
		{Name: "notifications unknown", As: e.Admin, Method: "GET", Path: "/data/projects/{unknown}/notifications", Status: 404},
		{Name: "preview files", As: e.Admin, Method: "GET", Path: "/data/projects/{project}/preview-files?page=1", Status: 200,
			Keys: []string{"data", "total"}},
		{Name: "preview files artist", As: w.artist, Method: "GET", Path: "/data/projects/{project}/preview-files", Status: 403},
		{Name: "subscriptions", As: e.Admin, Method: "GET", Path: "/data/projects/{project}/subscriptions", Status: 200, Len: 1,
			Keys: []string{"id", "task_id", "person_id"}},
		{Name: "subscriptions other", As: e.Admin, Method: "GET", Path: "/data/projects/{other}/subscriptions", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "subscriptions manager", As: w.manager, Method: "GET", Path: "/data/projects/{project}/subscriptions", Status: http.StatusForbidden},
	})
}

func TestTasksAssign(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	taskKeys := []string{"id", "assignees", "assigner_id", "task_type_id"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "manager assigns", As: w.manager, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign", Body: map[string]any{"person_id": w.artist2.ID},
			Status: 200, Keys: taskKeys, Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if len(m["assignees"].([]any)) != 2 || m["assigner_id"] != w.manager.ID {
					t.Errorf("assigned task: %s", r.Body)
				}
			}},
		{Name: "artist assigns himself in his department", As: w.artist2, Method: "PUT", Path: "/actions/tasks/{assetTask}/assign",
			Body: map[string]any{"person_id": w.artist2.ID}, Status: 200},
		{Name: "artist assigns someone else", As: w.artist, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign",
			Body: map[string]any{"person_id": w.manager.ID}, Status: 403},
		{Name: "artist outside the department", As: w.artist, Method: "PUT", Path: "/actions/tasks/{assetTask}/assign",
			Body: map[string]any{"person_id": w.artist.ID}, Status: 403},
		{Name: "supervisor assigns a person of his department", As: w.supervisor, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign",
			Body: map[string]any{"person_id": w.artist.ID}, Status: 200},
		{Name: "supervisor assigns a person of another department", As: w.supervisor, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign",
			Body: map[string]any{"person_id": w.client.ID}, Status: 403},
		{Name: "bot target", As: w.manager, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign", Body: map[string]any{"person_id": w.bot.ID}, Status: 403},
		{Name: "outside the team", As: e.Admin, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign", Body: map[string]any{"person_id": w.outsider.ID}, Status: 400},
		{Name: "unknown person", As: w.manager, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign", Body: map[string]any{"person_id": "{unknown}"}, Status: 400},
		{Name: "malformed person", As: w.manager, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign", Body: map[string]any{"person_id": "x"}, Status: 400},
		{Name: "missing person", As: w.manager, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign", Body: map[string]any{}, Status: 400},
		{Name: "wrong type", As: w.manager, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign", Body: map[string]any{"person_id": 3}, Status: 400},
		{Name: "outsider caller", As: w.outsider, Method: "PUT", Path: "/actions/tasks/{shotTask}/assign", Body: map[string]any{"person_id": w.outsider.ID}, Status: 404},
		{Name: "unknown task", As: e.Admin, Method: "PUT", Path: "/actions/tasks/{unknown}/assign", Body: map[string]any{"person_id": w.artist.ID}, Status: 404},
	})
	// The manager's assignment wrote a notification and the events Zou sends.
	if n := e.Count("notification", "person_id = ? AND author_id = ? AND task_id = ? AND type = 'assignation'", w.artist2.ID, w.manager.ID, w.shotTask); n != 1 {
		t.Errorf("assignation notifications: %d", n)
	}
	// Self-assignment notifies nobody.
	if n := e.Count("notification", "task_id = ?", w.assetTask); n != 0 {
		t.Errorf("self assignment notified: %d", n)
	}
	ev := e.LastEvent("task:assign")
	if ev.Data["task_id"] != w.shotTask || ev.Data["person_id"] != w.artist.ID {
		t.Errorf("task:assign %v", ev.Data)
	}
	if ev := e.LastEvent("notification:new"); ev.Data["person_id"] == nil || ev.Data["notification_id"] == nil {
		t.Errorf("notification:new %v", ev.Data)
	}
}

func TestTasksAssignMany(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	second := e.Task(w.project, w.asset, w.ttShot, w.todo)
	e.Run(t, w.vars, []apptest.Case{
		{Name: "supervisor: tasks out of his department skipped", As: w.supervisor, Method: "PUT", Path: "/actions/persons/{artist}/assign",
			Body: map[string]any{"task_ids": []string{w.shotTask, w.assetTask, w.otherTask, w.vars["unknown"]}}, Status: 200, Len: 1,
			Keys: []string{"id", "assignees"}},
		{Name: "manager", As: w.manager, Method: "PUT", Path: "/actions/persons/{artist}/assign",
			Body: map[string]any{"task_ids": []string{second, w.assetTask}}, Status: 200, Len: 2, Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["id"] != second {
					t.Errorf("order: %s", r.Body)
				}
			}},
		{Name: "bot skipped", As: w.manager, Method: "PUT", Path: "/actions/persons/{bot}/assign",
			Body: map[string]any{"task_ids": []string{second}}, Status: 200, Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "unknown person", As: w.manager, Method: "PUT", Path: "/actions/persons/{unknown}/assign",
			Body: map[string]any{"task_ids": []string{second}}, Status: 400},
		{Name: "empty list", As: w.manager, Method: "PUT", Path: "/actions/persons/{artist}/assign", Body: map[string]any{"task_ids": []string{}}, Status: 400},
		{Name: "malformed id", As: w.manager, Method: "PUT", Path: "/actions/persons/{artist}/assign", Body: map[string]any{"task_ids": []string{"x"}}, Status: 400},
		{Name: "wrong type", As: w.manager, Method: "PUT", Path: "/actions/persons/{artist}/assign", Body: map[string]any{"task_ids": "x"}, Status: 400},
	})
	if n := e.Count("task_person_link", "person_id = ?", w.artist.ID); n != 4 {
		t.Errorf("artist assignments: %d", n)
	}
	if n := e.Count("task_person_link", "person_id = ?", w.bot.ID); n != 0 {
		t.Errorf("bot assigned: %d", n)
	}
	// Projects that let bots collaborate accept them.
	sqlExec(t, e, "UPDATE project SET is_bot_collaboration_enabled = true WHERE id = ?", w.project)
	if l := e.Must(200, "PUT", "/actions/persons/"+w.bot.ID+"/assign", map[string]any{"task_ids": []string{second}}, w.manager.Token).List(t); len(l) != 1 {
		t.Errorf("bot collaboration: %v", l)
	}
}

func TestTasksClearAssignationAndPriority(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "artist unassigns someone else", As: w.artist2, Method: "PUT", Path: "/actions/tasks/clear-assignation",
			Body: map[string]any{"task_ids": []string{w.shotTask}, "person_id": w.artist.ID}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "assignee unassigns himself", As: w.artist, Method: "PUT", Path: "/actions/tasks/clear-assignation",
			Body: map[string]any{"task_ids": []string{w.shotTask}, "person_id": w.artist.ID}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if string(r.Body) != `["`+w.shotTask+`"]` {
					t.Errorf("cleared: %s", r.Body)
				}
			}},
		{Name: "manager clears all", As: w.manager, Method: "PUT", Path: "/actions/tasks/clear-assignation",
			Body: map[string]any{"task_ids": []string{w.assetTask, w.otherTask}}, Status: 200, Check: func(t *testing.T, r *apptest.Response) {
				if string(r.Body) != `["`+w.assetTask+`"]` {
					t.Errorf("cleared: %s", r.Body)
				}
			}},
		{Name: "missing list", As: w.manager, Method: "PUT", Path: "/actions/tasks/clear-assignation", Body: map[string]any{}, Status: 400},
		{Name: "malformed person", As: w.manager, Method: "PUT", Path: "/actions/tasks/clear-assignation",
			Body: map[string]any{"task_ids": []string{w.assetTask}, "person_id": "x"}, Status: 400},
		{Name: "priority supervisor skips other departments", As: w.supervisor, Method: "PUT", Path: "/actions/tasks/set-priority",
			Body: map[string]any{"task_ids": []string{w.shotTask, w.assetTask}, "priority": 3}, Status: 200, Len: 1,
			Keys: []string{"id", "priority"}, Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["priority"] != float64(3) {
					t.Errorf("priority: %s", r.Body)
				}
			}},
		{Name: "priority artist", As: w.artist, Method: "PUT", Path: "/actions/tasks/set-priority",
			Body: map[string]any{"task_ids": []string{w.shotTask}, "priority": 1}, Status: 200, Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "priority negative", As: w.manager, Method: "PUT", Path: "/actions/tasks/set-priority",
			Body: map[string]any{"task_ids": []string{w.shotTask}, "priority": -1}, Status: 400},
		{Name: "priority missing", As: w.manager, Method: "PUT", Path: "/actions/tasks/set-priority",
			Body: map[string]any{"task_ids": []string{w.shotTask}}, Status: 400},
		{Name: "priority wrong type", As: w.manager, Method: "PUT", Path: "/actions/tasks/set-priority",
			Body: map[string]any{"task_ids": []string{w.shotTask}, "priority": "high"}, Status: 400},
	})
	if n := e.Count("task_person_link", "task_id IN (?, ?)", w.shotTask, w.assetTask); n != 0 {
		t.Errorf("assignees left: %d", n)
	}
	if n := e.Count("task_person_link", "task_id = ?", w.otherTask); n != 1 {
		t.Errorf("other production's task touched: %d", n)
	}
	if ev := e.LastEvent("task:unassign"); ev.Data["task_id"] != w.assetTask || ev.Data["person_id"] != w.vendor.ID {
		t.Errorf("task:unassign %v", ev.Data)
	}
	if n := sqlInt(t, e, "SELECT priority FROM task WHERE id = ?", w.assetTask); n != 0 {
		t.Errorf("asset task priority changed: %d", n)
	}
}

func TestTasksTimeSpents(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	e.AddToTeam(w.project, w.outsider.ID, "manager") // a manager by project role only
	pm := w.outsider
	base := "/actions/tasks/{shotTask}/time-spents/2026-03-02/persons/{artist}"
	tsKeys := []string{"id", "type", "duration", "date", "task_id", "person_id"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "self", As: w.artist, Method: "POST", Path: base, Body: map[string]any{"duration": 120}, Status: 201, Keys: tsKeys,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["duration"] != float64(120) || m["date"] != "2026-03-02" {
					t.Errorf("time spent: %s", r.Body)
				}
			}},
		{Name: "set replaces", As: w.artist, Method: "POST", Path: base, Body: map[string]any{"duration": 60}, Status: 201},
		{Name: "add", As: w.artist, Method: "POST", Path: base + "/add", Body: map[string]any{"duration": 30.5}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["duration"] != 90.5 {
					t.Errorf("added: %s", r.Body)
				}
			}},
		{Name: "add past a day", As: w.artist, Method: "POST", Path: base + "/add", Body: map[string]any{"duration": 1400}, Status: 400},
		{Name: "project manager", As: pm, Method: "POST", Path: "/actions/tasks/{shotTask}/time-spents/2026-03-03/persons/{artist}",
			Body: map[string]any{"duration": 10}, Status: 201},
		{Name: "admin for an assignee", As: e.Admin, Method: "POST", Path: "/actions/tasks/{shotTask}/time-spents/2026-03-04/persons/{artist}",
			Body: map[string]any{"duration": 5}, Status: 201},
		{Name: "admin for a non-assignee", As: e.Admin, Method: "POST", Path: "/actions/tasks/{shotTask}/time-spents/2026-03-04/persons/{manager}",
			Body: map[string]any{"duration": 5}, Status: 403},
		{Name: "artist for someone else", As: w.artist2, Method: "POST", Path: base, Body: map[string]any{"duration": 5}, Status: 403},
		{Name: "supervisor", As: w.supervisor, Method: "POST", Path: base, Body: map[string]any{"duration": 5}, Status: 403},
		{Name: "outsider", As: w.vendor, Method: "POST", Path: base, Body: map[string]any{"duration": 5}, Status: 404},
		{Name: "bot", As: e.Admin, Method: "POST", Path: "/actions/tasks/{shotTask}/time-spents/2026-03-02/persons/{bot}", Body: map[string]any{"duration": 5}, Status: 403},
		{Name: "unknown person", As: e.Admin, Method: "POST", Path: "/actions/tasks/{shotTask}/time-spents/2026-03-02/persons/{unknown}", Body: map[string]any{"duration": 5}, Status: 404},
		{Name: "unknown task", As: e.Admin, Method: "POST", Path: "/actions/tasks/{unknown}/time-spents/2026-03-02/persons/{artist}", Body: map[string]any{"duration": 5}, Status: 404},
		{Name: "negative", As: w.artist, Method: "POST", Path: base, Body: map[string]any{"duration": -1}, Status: 400},
		{Name: "more than a day", As: w.artist, Method: "POST", Path: base, Body: map[string]any{"duration": 1441}, Status: 400},
		{Name: "missing", As: w.artist, Method: "POST", Path: base, Body: map[string]any{}, Status: 400},
		{Name: "wrong type", As: w.artist, Method: "POST", Path: base, Body: map[string]any{"duration": "1h"}, Status: 400},
		{Name: "bad date", As: w.artist, Method: "POST", Path: "/actions/tasks/{shotTask}/time-spents/2026-13-45/persons/{artist}", Body: map[string]any{"duration": 5}, Status: 400},
		{Name: "list", As: w.artist2, Method: "GET", Path: "/actions/tasks/{shotTask}/time-spents", Status: 200, Keys: []string{"total"},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["total"] != 105.5 || len(m[w.artist.ID].([]any)) != 3 {
					t.Errorf("time spents: %s", r.Body)
				}
			}},
		{Name: "by date", As: w.artist, Method: "GET", Path: "/actions/tasks/{shotTask}/time-spents/2026-03-03", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["total"] != float64(10) || len(m) != 2 {
					t.Errorf("time spents of a day: %s", r.Body)
				}
			}},
		{Name: "by bad date", As: w.artist, Method: "GET", Path: "/actions/tasks/{shotTask}/time-spents/by-date", Status: 400},
		{Name: "list outsider", As: w.vendor, Method: "GET", Path: "/actions/tasks/{shotTask}/time-spents", Status: 404},
		{Name: "delete by another artist", As: w.artist2, Method: "DELETE", Path: base, Status: 403},
		{Name: "delete", As: w.artist, Method: "DELETE", Path: base, Status: 201, Keys: tsKeys, Check: func(t *testing.T, r *apptest.Response) {
			if r.Object(t)["duration"] != float64(0) {
				t.Errorf("deleted: %s", r.Body)
			}
		}},
		{Name: "delete again", As: w.artist, Method: "DELETE", Path: base, Status: 404},
		{Name: "delete bad date", As: w.artist, Method: "DELETE", Path: "/actions/tasks/{shotTask}/time-spents/02-03-2026/persons/{artist}", Status: 400},
	})
	if d := sqlInt(t, e, "SELECT duration::int FROM task WHERE id = ?", w.shotTask); d != 15 {
		t.Errorf("task duration %d, want 15", d)
	}
	if n := e.Count("time_spent", "task_id = ?", w.shotTask); n != 2 {
		t.Errorf("rows: %d", n)
	}
	if ev := e.LastEvent("task:update"); ev.Data["task_id"] != w.shotTask {
		t.Errorf("task:update %v", ev.Data)
	}
	e.LastEvent("time-spent:delete")
	e.LastEvent("time-spent:new")
	e.LastEvent("time-spent:update")
	if n := e.Count("person", "id = ? AND last_presence = '2026-03-04'", w.artist.ID); n != 1 {
		t.Errorf("last presence not updated")
	}
}

func TestTasksCreateForEntities(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	shot2 := e.Shot(w.project, w.sequence, "SH020")
	asset2 := e.Asset(w.project, w.assetType, "Villain")
	ttLayout := e.TaskType("Layout", "Shot")
	ttSeq := e.TaskType("Storyboard", "Sequence")
	concept := e.Entity(w.project, e.TypeID("Concept"), "C1", "")
	otherShot := e.Shot(w.other, e.Sequence(w.other, "", "OSQ2"), "OSH2")
	w.vars["shot2"], w.vars["asset2"], w.vars["ttLayout"], w.vars["ttSeq"] = shot2, asset2, ttLayout, ttSeq
	created := []string{"id", "name", "assignees", "task_status_id", "task_status_name", "task_status_short_name",
		"task_status_color", "task_type_name", "task_type_color", "task_type_priority"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "listed shots, the other production's skipped", As: w.manager, Method: "POST",
			Path: "/actions/projects/{project}/task-types/{ttLayout}/shots/create-tasks", Body: []string{shot2, otherShot},
			Status: 201, Len: 1, Keys: created, Check: func(t *testing.T, r *apptest.Response) {
				row := r.List(t)[0]
				if row["entity_id"] != shot2 || row["task_status_id"] != w.todo || row["name"] != "main" || row["assigner_id"] != w.manager.ID {
					t.Errorf("created: %v", row)
				}
			}},
		{Name: "all shots: existing ones skipped", As: w.manager, Method: "POST",
			Path: "/actions/projects/{project}/task-types/{ttLayout}/shots/create-tasks", Status: 201, Len: 1,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["entity_id"] != w.shot {
					t.Errorf("created: %s", r.Body)
				}
			}},
		{Name: "again: nothing new", As: w.manager, Method: "POST",
			Path: "/actions/projects/{project}/task-types/{ttLayout}/shots/create-tasks", Body: []string{}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "assets", As: e.Admin, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttAsset}/assets/create-tasks",
			Status: 201, Len: 1, Keys: created},
		{Name: "a shot id on the asset route", As: e.Admin, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttAsset}/assets/create-tasks",
			Body: []string{w.shot}, Status: 404},
		{Name: "sequences by entity type name", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttSeq}/create-tasks/sequence",
			Status: 201, Len: 1, Keys: created},
		{Name: "unknown entity type", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttSeq}/create-tasks/planet", Status: 404},
		{Name: "concepts by an artist", As: w.artist, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttSeq}/concepts/create-tasks",
			Status: 201, Len: 1, Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["task_status_name"] != "Neutral" {
					t.Errorf("concept status: %s", r.Body)
				}
			}},
		{Name: "concepts by a client", As: w.client, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttSeq}/concepts/create-tasks", Status: 403},
		{Name: "edits, none", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttSeq}/edits/create-tasks", Status: 201,
			Check: func(t *testing.T, r *apptest.Response) { tasksEmpty(t, r) }},
		{Name: "artist", As: w.artist, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttLayout}/shots/create-tasks", Status: 403},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttLayout}/shots/create-tasks", Status: 404},
		{Name: "unknown task type", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/task-types/{unknown}/shots/create-tasks", Status: 404},
		{Name: "malformed ids", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttLayout}/shots/create-tasks",
			Body: []string{"x"}, Status: 400},
		{Name: "not a list", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttLayout}/shots/create-tasks",
			Body: map[string]any{"a": 1}, Status: 400},
		{Name: "unknown shot", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/task-types/{ttLayout}/shots/create-tasks",
			Body: []string{w.vars["unknown"]}, Status: 404},
	})
	if n := e.Count("task", "task_type_id = ?", ttLayout); n != 2 {
		t.Errorf("layout tasks: %d", n)
	}
	if n := e.Count("task", "entity_id = ?", concept); n != 1 {
		t.Errorf("concept tasks: %d", n)
	}
	if ev := e.LastEvent("task:new"); ev.Data["task_id"] == nil {
		t.Errorf("task:new %v", ev.Data)
	}
}

func TestTasksDeleteAndReorder(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	comment := e.ID("comments", map[string]any{"object_id": w.shotTask, "object_type": "Task", "person_id": w.manager.ID,
		"task_status_id": w.todo, "text": "note"})
	e.Row("notifications", map[string]any{"person_id": w.artist.ID, "author_id": w.manager.ID, "task_id": w.shotTask,
		"comment_id": comment, "type": "comment"})
	e.Row("time-spents", map[string]any{"task_id": w.shotTask, "person_id": w.artist.ID, "date": "2026-01-05", "duration": 60})
	preview := e.ID("preview-files", map[string]any{"name": "v1", "revision": 1, "task_id": w.shotTask, "extension": "png"})
	sqlExec(t, e, "UPDATE entity SET preview_file_id = ? WHERE id = ?", preview, w.shot)
	e.Run(t, w.vars, []apptest.Case{
		{Name: "artist", As: w.artist, Method: "POST", Path: "/actions/projects/{project}/delete-tasks", Body: []string{w.shotTask}, Status: 403},
		{Name: "not a list", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/delete-tasks", Body: map[string]any{}, Status: 400},
		{Name: "manager: the other production's task stays", As: w.manager, Method: "POST", Path: "/actions/projects/{project}/delete-tasks",
			Body: []string{w.shotTask, w.otherTask}, Status: 200},
		{Name: "delete for type: manager", As: w.manager, Method: "DELETE", Path: "/actions/projects/{project}/task-types/{ttAsset}/delete-tasks", Status: 403},
		{Name: "delete for type: admin", As: e.Admin, Method: "DELETE", Path: "/actions/projects/{project}/task-types/{ttAsset}/delete-tasks", Status: 204},
		{Name: "delete for type: unknown project", As: e.Admin, Method: "DELETE", Path: "/actions/projects/{unknown}/task-types/{ttAsset}/delete-tasks", Status: 404},
		{Name: "reorder: manager", As: w.manager, Method: "POST", Path: "/actions/task-types/reorder", Body: map[string]any{"task_type_ids": []string{w.ttAsset, w.ttShot}}, Status: 403},
		{Name: "reorder", As: e.Admin, Method: "POST", Path: "/actions/task-types/reorder",
			Body: map[string]any{"task_type_ids": []string{w.ttAsset, w.vars["unknown"], w.ttShot}}, Status: 200, Len: 2,
			Keys: []string{"id", "priority", "name"}, Check: func(t *testing.T, r *apptest.Response) {
				l := r.List(t)
				if l[0]["id"] != w.ttAsset || l[0]["priority"] != float64(1) || l[1]["priority"] != float64(3) {
					t.Errorf("reorder: %s", r.Body)
				}
			}},
		{Name: "reorder without list", As: e.Admin, Method: "POST", Path: "/actions/task-types/reorder", Body: map[string]any{"task_type_ids": "x"}, Status: 400},
		{Name: "reorder bad id", As: e.Admin, Method: "POST", Path: "/actions/task-types/reorder", Body: map[string]any{"task_type_ids": []string{"x"}}, Status: 400},
	})
	for table, where := range map[string]string{"task": "id IN (?, ?)", "comment": "object_id IN (?, ?)", "time_spent": "task_id IN (?, ?)",
		"preview_file": "task_id IN (?, ?)", "notification": "task_id IN (?, ?)"} {
		if n := e.Count(table, where, w.shotTask, w.assetTask); n != 0 {
			t.Errorf("%s rows left: %d", table, n)
		}
	}
	if n := e.Count("task", "id = ?", w.otherTask); n != 1 {
		t.Errorf("other production's task deleted")
	}
	if ev := e.LastEvent("task:delete"); ev.Data["task_type_id"] != w.ttAsset || ev.Data["entity_id"] != w.asset {
		t.Errorf("task:delete %v", ev.Data)
	}
}

func TestTasksDataTasks(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	shot2 := e.Shot(w.project, w.sequence, "SH020")
	w.vars["shot2"] = shot2
	e.Run(t, w.vars, []apptest.Case{
		{Name: "create: defaults", As: w.artist, Method: "POST", Path: "/data/tasks",
			Body: map[string]any{"task_type_id": w.ttShot, "entity_id": shot2, "assignees": []string{w.artist.ID}}, Status: 201,
			Keys: []string{"id", "name", "assignees", "task_status_id", "project_id"}, Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["name"] != "main" || m["task_status_id"] != w.todo || m["project_id"] != w.project || len(m["assignees"].([]any)) != 1 {
					t.Errorf("created: %s", r.Body)
				}
			}},
		{Name: "create: duplicate", As: w.manager, Method: "POST", Path: "/data/tasks",
			Body: map[string]any{"task_type_id": w.ttShot, "entity_id": shot2}, Status: 400},
		{Name: "create: type for another kind", As: w.manager, Method: "POST", Path: "/data/tasks",
			Body: map[string]any{"task_type_id": w.ttAsset, "entity_id": shot2}, Status: 400},
		{Name: "create: asset type on an asset", As: w.manager, Method: "POST", Path: "/data/tasks",
			Body: map[string]any{"task_type_id": w.ttAsset, "entity_id": w.asset, "name": "second"}, Status: 201},
		{Name: "create: another project id", As: w.manager, Method: "POST", Path: "/data/tasks",
			Body: map[string]any{"task_type_id": w.ttShot, "entity_id": shot2, "name": "x", "project_id": w.other}, Status: 400},
		{Name: "create: missing entity", As: w.manager, Method: "POST", Path: "/data/tasks", Body: map[string]any{"task_type_id": w.ttShot}, Status: 400},
		{Name: "create: malformed entity", As: w.manager, Method: "POST", Path: "/data/tasks", Body: map[string]any{"task_type_id": w.ttShot, "entity_id": "x"}, Status: 400},
		{Name: "create: unknown entity", As: w.manager, Method: "POST", Path: "/data/tasks",
			Body: map[string]any{"task_type_id": w.ttShot, "entity_id": w.vars["unknown"]}, Status: 404},
		{Name: "create: outsider", As: w.outsider, Method: "POST", Path: "/data/tasks", Body: map[string]any{"task_type_id": w.ttShot, "entity_id": shot2, "name": "o"}, Status: 404},
		{Name: "create: client", As: w.client, Method: "POST", Path: "/data/tasks", Body: map[string]any{"task_type_id": w.ttShot, "entity_id": shot2, "name": "c"}, Status: 403},
		{Name: "update: supervisor limited keys", As: w.supervisor, Method: "PUT", Path: "/data/tasks/{shotTask}",
			Body: map[string]any{"priority": 2, "estimation": 3.5, "data": map[string]any{"a": 1}}, Status: 200, Keys: []string{"id", "priority"}},
		{Name: "update: supervisor data merges", As: w.supervisor, Method: "PUT", Path: "/data/tasks/{shotTask}",
			Body: map[string]any{"data": map[string]any{"b": 2}}, Status: 200, Check: func(t *testing.T, r *apptest.Response) {
				if d := r.Object(t)["data"].(map[string]any); d["a"] != float64(1) || d["b"] != float64(2) {
					t.Errorf("merged data: %v", d)
				}
			}},
		{Name: "update: supervisor other key", As: w.supervisor, Method: "PUT", Path: "/data/tasks/{shotTask}", Body: map[string]any{"name": "x"}, Status: 403},
		{Name: "update: supervisor other department", As: w.supervisor, Method: "PUT", Path: "/data/tasks/{assetTask}", Body: map[string]any{"priority": 1}, Status: 403},
		{Name: "update: artist", As: w.artist, Method: "PUT", Path: "/data/tasks/{shotTask}", Body: map[string]any{"priority": 1}, Status: 403},
		{Name: "update: outsider", As: w.outsider, Method: "PUT", Path: "/data/tasks/{shotTask}", Body: map[string]any{"priority": 1}, Status: 404},
		{Name: "update: bad type", As: w.manager, Method: "PUT", Path: "/data/tasks/{shotTask}", Body: map[string]any{"priority": "high"}, Status: 400},
		{Name: "update: manager assignees", As: w.manager, Method: "PUT", Path: "/data/tasks/{shotTask}",
			Body: map[string]any{"assignees": []string{w.artist2.ID}}, Status: 200},
		{Name: "update: move to another project", As: w.manager, Method: "PUT", Path: "/data/tasks/{shotTask}", Body: map[string]any{"project_id": w.other}, Status: 400},
		{Name: "update: same project is fine", As: w.manager, Method: "PUT", Path: "/data/tasks/{shotTask}", Body: map[string]any{"project_id": w.project}, Status: 200},
		{Name: "update: assignees not a list", As: w.manager, Method: "PUT", Path: "/data/tasks/{shotTask}", Body: map[string]any{"assignees": 3}, Status: 400},
		{Name: "delete: supervisor", As: w.supervisor, Method: "DELETE", Path: "/data/tasks/{shotTask}", Status: 403},
		{Name: "delete: malformed", As: w.manager, Method: "DELETE", Path: "/data/tasks/x", Status: 404},
	})
	if ev := e.LastEvent("task:assign"); ev.Data["person_id"] != w.artist2.ID {
		t.Errorf("task:assign %v", ev.Data)
	}
	if ev := e.LastEvent("task:unassign"); ev.Data["person_id"] != w.artist.ID {
		t.Errorf("task:unassign %v", ev.Data)
	}
	if n := e.Count("notification", "person_id = ? AND type = 'assignation'", w.artist2.ID); n != 1 {
		t.Errorf("notifications: %d", n)
	}
	// Without force a task with time logged stays; with force it goes.
	e.Row("time-spents", map[string]any{"task_id": w.shotTask, "person_id": w.artist2.ID, "date": "2026-01-05", "duration": 60})
	e.Must(400, "DELETE", "/data/tasks/"+w.shotTask, nil, w.manager.Token)
	e.Must(204, "DELETE", "/data/tasks/"+w.shotTask+"?force=true", nil, w.manager.Token)
	if n := e.Count("task", "id = ?", w.shotTask); n != 0 {
		t.Errorf("task not deleted")
	}
	e.Must(204, "DELETE", "/data/tasks/"+w.assetTask, nil, e.Admin.Token)
	if ev := e.LastEvent("task:delete"); ev.Data["task_id"] != w.assetTask || ev.Data["project_id"] != w.project {
		t.Errorf("task:delete %v", ev.Data)
	}
}

func TestTasksDataReference(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "task type duplicate", As: e.Admin, Method: "POST", Path: "/data/task-types", Body: map[string]any{"name": "Animation"}, Status: 400},
		{Name: "task type other case", As: e.Admin, Method: "POST", Path: "/data/task-types", Body: map[string]any{"name": "animation"}, Status: 201},
		{Name: "task type rename to a taken name", As: e.Admin, Method: "PUT", Path: "/data/task-types/{ttAsset}", Body: map[string]any{"name": "Animation"}, Status: 400},
		{Name: "task type keeps its own name", As: e.Admin, Method: "PUT", Path: "/data/task-types/{ttAsset}", Body: map[string]any{"name": "Modeling", "color": "#123456"}, Status: 200},
		{Name: "task status new default", As: e.Admin, Method: "POST", Path: "/data/task-status",
			Body: map[string]any{"name": "Ready", "short_name": "rdy", "color": "#000000", "is_default": true}, Status: 201},
	})
	if n := e.Count("task_status", "is_default IS TRUE"); n != 1 {
		t.Errorf("defaults: %d", n)
	}
	e.Must(200, "PUT", "/data/task-status/"+w.todo, map[string]any{"is_default": true}, e.Admin.Token)
	if n := e.Count("task_status", "is_default IS TRUE AND id = ?", w.todo); n != 1 || e.Count("task_status", "is_default IS TRUE") != 1 {
		t.Errorf("default after update")
	}
	sqlExec(t, e, "INSERT INTO project_task_type_link (id, project_id, task_type_id, priority) VALUES (gen_random_uuid(), ?, ?, 1)", w.project, w.ttAsset)
	spare := e.TaskType("Spare", "Asset")
	e.Must(204, "DELETE", "/data/task-types/"+spare, nil, e.Admin.Token)
	r := e.Must(400, "DELETE", "/data/task-types/"+w.ttAsset, nil, e.Admin.Token)
	if m := body(t, r); m["message"] != "Task type is attached to projects. Re-issue the request with force=true to detach." {
		t.Errorf("message: %v", m)
	}
	e.Must(403, "DELETE", "/data/task-types/"+w.ttAsset, nil, w.manager.Token)
	// Forced: the links go; the tasks of the type still hold it (400 from the foreign key).
	e.Must(400, "DELETE", "/data/task-types/"+w.ttAsset+"?force=true", nil, e.Admin.Token)
	e.Must(204, "DELETE", "/actions/projects/"+w.project+"/task-types/"+w.ttAsset+"/delete-tasks", nil, e.Admin.Token)
	e.Must(204, "DELETE", "/data/task-types/"+w.ttAsset+"?force=true", nil, e.Admin.Token)
	if n := e.Count("project_task_type_link", "task_type_id = ?", w.ttAsset); n != 0 {
		t.Errorf("links left: %d", n)
	}
}

func TestTasksDataTimeSpents(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	mine := e.ID("time-spents", map[string]any{"task_id": w.shotTask, "person_id": w.artist.ID, "date": "2026-01-05", "duration": 60})
	notAssigned := e.ID("time-spents", map[string]any{"task_id": w.shotTask, "person_id": w.artist2.ID, "date": "2026-01-05", "duration": 30})
	w.vars["mine"], w.vars["notAssigned"] = mine, notAssigned
	e.Run(t, w.vars, []apptest.Case{
		{Name: "create by admin", As: e.Admin, Method: "POST", Path: "/data/time-spents",
			Body: map[string]any{"task_id": w.shotTask, "person_id": w.artist.ID, "date": "2026-01-06", "duration": 45}, Status: 201,
			Keys: []string{"id", "duration", "date"}},
		{Name: "create duplicate day", As: e.Admin, Method: "POST", Path: "/data/time-spents",
			Body: map[string]any{"task_id": w.shotTask, "person_id": w.artist.ID, "date": "2026-01-06", "duration": 45}, Status: 400},
		{Name: "create too long", As: e.Admin, Method: "POST", Path: "/data/time-spents",
			Body: map[string]any{"task_id": w.shotTask, "person_id": w.artist.ID, "date": "2026-01-07", "duration": 2000}, Status: 400},
		{Name: "create bad date", As: e.Admin, Method: "POST", Path: "/data/time-spents",
			Body: map[string]any{"task_id": w.shotTask, "person_id": w.artist.ID, "date": "soon", "duration": 20}, Status: 400},
		{Name: "create by manager", As: w.manager, Method: "POST", Path: "/data/time-spents",
			Body: map[string]any{"task_id": w.shotTask, "person_id": w.artist.ID, "date": "2026-01-08", "duration": 20}, Status: 403},
		{Name: "update by admin", As: e.Admin, Method: "PUT", Path: "/data/time-spents/{mine}", Body: map[string]any{"duration": 90}, Status: 200},
		{Name: "update negative", As: e.Admin, Method: "PUT", Path: "/data/time-spents/{mine}", Body: map[string]any{"duration": -5}, Status: 400},
		{Name: "delete by another artist", As: w.artist2, Method: "DELETE", Path: "/data/time-spents/{mine}", Status: 403},
		{Name: "delete by outsider", As: w.outsider, Method: "DELETE", Path: "/data/time-spents/{mine}", Status: 404},
		{Name: "delete not assigned, even admin", As: e.Admin, Method: "DELETE", Path: "/data/time-spents/{notAssigned}", Status: 403},
		{Name: "delete by the person", As: w.artist, Method: "DELETE", Path: "/data/time-spents/{mine}", Status: 204},
		{Name: "delete unknown", As: e.Admin, Method: "DELETE", Path: "/data/time-spents/{unknown}", Status: 404},
	})
	// 45 (new) + 30 (not assigned) remain.
	if d := sqlInt(t, e, "SELECT duration::int FROM task WHERE id = ?", w.shotTask); d != 75 {
		t.Errorf("task duration %d, want 75", d)
	}
	if ev := e.LastEvent("task:update"); ev.Data["task_id"] != w.shotTask {
		t.Errorf("task:update %v", ev.Data)
	}
	e.LastEvent("time-spent:delete")
}

func TestTasksOpen(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	sqlExec(t, e, "UPDATE task SET duration = 30, estimation = 60, start_date = '2026-02-01', due_date = '2026-02-10' WHERE id = ?", w.shotTask)
	openKeys := []string{"id", "assignees", "project_name", "entity_name", "entity_type_name", "episode_id", "sequence_name",
		"type_name", "status_name", "type_color", "status_color", "status_short_name", "duration", "estimation", "done_date"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "admin: every open production", As: e.Admin, Method: "GET", Path: "/data/tasks/open-tasks", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				st := m["stats"].(map[string]any)
				if len(m["data"].([]any)) != 3 || st["total"] != float64(3) || st["total_duration"] != float64(30) ||
					st["total_estimation"] != float64(60) || m["is_more"] != false || m["page"] != float64(1) || m["limit"] != float64(100) {
					t.Errorf("open tasks: %s", r.Body)
				}
				for _, x := range m["data"].([]any) {
					for _, k := range openKeys {
						if !hasKey(x.(map[string]any), k) {
							t.Errorf("row has no %s", k)
						}
					}
				}
			}},
		{Name: "artist: his team's", As: w.artist, Method: "GET", Path: "/data/tasks/open-tasks", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if n := len(r.Object(t)["data"].([]any)); n != 2 {
					t.Errorf("artist rows: %d", n)
				}
			}},
		{Name: "vendor: his tasks", As: w.vendor, Method: "GET", Path: "/data/tasks/open-tasks", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				d := r.Object(t)["data"].([]any)
				if len(d) != 1 || d[0].(map[string]any)["id"] != w.assetTask {
					t.Errorf("vendor rows: %v", d)
				}
			}},
		{Name: "filters", As: w.manager, Method: "GET",
			Path:   "/data/tasks/open-tasks?project_id={project}&person_id={artist}&task_status_id={todo}&start_date=2026-01-01&due_date=2026-03-01&department_id={dept}&limit=1",
			Status: 200, Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				d := m["data"].([]any)
				if len(d) != 1 || d[0].(map[string]any)["id"] != w.shotTask || m["is_more"] != true {
					t.Errorf("filtered: %s", r.Body)
				}
			}},
		{Name: "unassigned", As: w.manager, Method: "GET", Path: "/data/tasks/open-tasks?person_id=unassigned", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if len(m["data"].([]any)) != 0 || m["stats"].(map[string]any)["total"] != float64(0) {
					t.Errorf("unassigned: %s", r.Body)
				}
			}},
		{Name: "outsider on a project", As: w.outsider, Method: "GET", Path: "/data/tasks/open-tasks?project_id={project}", Status: 404},
		{Name: "bad id", As: w.manager, Method: "GET", Path: "/data/tasks/open-tasks?task_type_id=x", Status: 400},
		{Name: "bad date", As: w.manager, Method: "GET", Path: "/data/tasks/open-tasks?start_date=soon", Status: 400},
		{Name: "bad limit", As: w.manager, Method: "GET", Path: "/data/tasks/open-tasks?limit=x", Status: 400},
		{Name: "bad person", As: w.manager, Method: "GET", Path: "/data/tasks/open-tasks?person_id=a,b", Status: 400},
		{Name: "stats admin", As: e.Admin, Method: "GET", Path: "/data/tasks/open-tasks/stats", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				p := m[w.project].(map[string]any)
				if len(m) != 2 || p["amount"] != float64(2) || p["total_duration"] != float64(30) || len(p["task_types"].([]any)) != 2 {
					t.Errorf("stats: %s", r.Body)
				}
				tt := p["task_types"].([]any)[0].(map[string]any)
				for _, k := range []string{"task_status_id", "task_type_id", "project_id", "amount", "amount_done", "total_duration", "total_estimation"} {
					if !hasKey(tt, k) {
						t.Errorf("stat has no %s", k)
					}
				}
			}},
		{Name: "stats outsider", As: w.outsider, Method: "GET", Path: "/data/tasks/open-tasks/stats", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if string(r.Body) != "{}" {
					t.Errorf("outsider stats: %s", r.Body)
				}
			}},
	})
}

func TestTasksPersonsDates(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	sqlExec(t, e, "UPDATE task SET start_date = '2026-02-01', due_date = '2026-02-10' WHERE id = ?", w.shotTask)
	sqlExec(t, e, "UPDATE task SET start_date = '2026-02-05', due_date = '2026-02-20' WHERE id = ?", w.otherTask)
	second := e.Task(w.other, e.Asset(w.other, w.assetType, "Prop"), w.ttAsset, w.todo, w.artist.ID)
	sqlExec(t, e, "UPDATE task SET start_date = '2026-02-15', due_date = '2026-03-01' WHERE id = ?", second)
	e.Run(t, w.vars, []apptest.Case{
		{Name: "admin", As: e.Admin, Method: "GET", Path: "/data/persons/task-dates", Status: 200,
			Keys: []string{"person_id", "min_date", "max_date", "busy_periods"}, Check: func(t *testing.T, r *apptest.Response) {
				for _, row := range r.List(t) {
					if row["person_id"] == w.artist.ID && (row["min_date"] != "2026-02-01 00:00:00" || row["max_date"] != "2026-03-01 00:00:00") {
						t.Errorf("artist dates: %v", row)
					}
				}
			}},
		{Name: "manager: the other production as merged busy periods", As: w.manager, Method: "GET", Path: "/data/persons/task-dates", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				found := false
				for _, row := range r.List(t) {
					if row["person_id"] == w.artist.ID {
						found = true
						bp := row["busy_periods"].([]any)
						if row["max_date"] != "2026-02-10 00:00:00" || len(bp) != 1 ||
							bp[0].(map[string]any)["start_date"] != "2026-02-05 00:00:00" || bp[0].(map[string]any)["end_date"] != "2026-03-01 00:00:00" {
							t.Errorf("artist: %v", row)
						}
					}
				}
				if !found {
					t.Errorf("no artist row: %s", r.Body)
				}
			}},
		{Name: "project", As: w.supervisor, Method: "GET", Path: "/data/persons/task-dates?project_id={project}", Status: 200, Len: 2},
		{Name: "artist", As: w.artist, Method: "GET", Path: "/data/persons/task-dates", Status: 403},
		{Name: "manager outside the project", As: w.manager, Method: "GET", Path: "/data/persons/task-dates?project_id={other}", Status: 404},
		{Name: "bad project", As: e.Admin, Method: "GET", Path: "/data/persons/task-dates?project_id=x", Status: 400},
	})
}

// Bulk routes and per-person lists answer in the same number of queries for
// 2 tasks as for 12 (no per-task round trip).
func TestTasksQueryCounts(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	var few, many []string
	for i := 0; i < 12; i++ {
		id := e.Task(w.project, e.Shot(w.project, w.sequence, "SHX"+string(rune('A'+i))), w.ttShot, w.todo)
		if i < 2 {
			few = append(few, id)
		}
		many = append(many, id)
	}
	q := e.CountQueries()
	count := func(method, path string, body any) int {
		t.Helper()
		q.Reset()
		e.Must(200, method, path, body, w.manager.Token)
		n := 0
		for _, s := range q.Reset() {
			// Zou persists one api_event per emitted event: that log is not a read loop.
			if !strings.Contains(s, "INSERT INTO api_event") {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		name, method, path string
		body               func([]string) any
	}{
		{"assign", "PUT", "/actions/persons/" + w.artist.ID + "/assign", func(ids []string) any { return map[string]any{"task_ids": ids} }},
		{"priority", "PUT", "/actions/tasks/set-priority", func(ids []string) any { return map[string]any{"task_ids": ids, "priority": 2} }},
		{"person tasks", "GET", "/data/persons/" + w.artist.ID + "/tasks", func([]string) any { return nil }},
		{"unassign", "PUT", "/actions/tasks/clear-assignation", func(ids []string) any { return map[string]any{"task_ids": ids} }},
	} {
		a, b := count(c.method, c.path, c.body(few)), count(c.method, c.path, c.body(many))
		if b > a {
			t.Errorf("%s: %d queries for 2 tasks, %d for 12", c.name, a, b)
		}
	}
}

func TestTasksSetMainPreview(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	e.ID("preview-files", map[string]any{"name": "v1", "revision": 1, "task_id": w.shotTask, "extension": "png"})
	p2 := e.ID("preview-files", map[string]any{"name": "v2", "revision": 2, "task_id": w.shotTask, "extension": "png"})
	e.Run(t, w.vars, []apptest.Case{
		{Name: "client", As: w.client, Method: "PUT", Path: "/actions/tasks/{shotTask}/set-main-preview", Status: 403},
		{Name: "outsider", As: w.outsider, Method: "PUT", Path: "/actions/tasks/{shotTask}/set-main-preview", Status: 404},
		{Name: "no preview", As: w.manager, Method: "PUT", Path: "/actions/tasks/{assetTask}/set-main-preview", Status: 400},
		{Name: "artist", As: w.artist, Method: "PUT", Path: "/actions/tasks/{shotTask}/set-main-preview", Status: 200,
			Keys: []string{"id", "preview_file_id", "name"}, Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["id"] != w.shot || m["preview_file_id"] != p2 {
					t.Errorf("entity: %s", r.Body)
				}
			}},
		{Name: "bulk: client", As: w.client, Method: "PUT", Path: "/actions/tasks/set-main-preview",
			Body: map[string]any{"task_ids": []string{w.shotTask}}, Status: 403},
		{Name: "bulk: one out of reach", As: w.manager, Method: "PUT", Path: "/actions/tasks/set-main-preview",
			Body: map[string]any{"task_ids": []string{w.shotTask, w.otherTask}}, Status: 404},
		{Name: "bulk: task without preview skipped", As: w.manager, Method: "PUT", Path: "/actions/tasks/set-main-preview",
			Body: map[string]any{"task_ids": []string{w.assetTask, w.shotTask}}, Status: 200, Len: 1, Keys: []string{"id", "preview_file_id"}},
		{Name: "bulk: empty", As: w.manager, Method: "PUT", Path: "/actions/tasks/set-main-preview", Body: map[string]any{"task_ids": []string{}}, Status: 400},
	})
	if ev := e.LastEvent("preview-file:set-main"); ev.Data["entity_id"] != w.shot || ev.Data["preview_file_id"] != p2 {
		t.Errorf("preview-file:set-main %v", ev.Data)
	}
	if ev := e.LastEvent("shot:update"); ev.Data["shot_id"] != w.shot {
		t.Errorf("shot:update %v", ev.Data)
	}
}
