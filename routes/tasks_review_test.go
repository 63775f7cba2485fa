package routes_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// tasksStatusOf is the task's current status id.
func tasksStatusOf(t *testing.T, e *apptest.Env, taskID string) string {
	t.Helper()
	var id string
	if err := e.App.DB.NewRaw("SELECT task_status_id::text FROM task WHERE id = ?", taskID).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// tasksToReviewKeys are the keys of Zou's task_to_review answer.
var tasksToReviewKeys = []string{"id", "type", "name", "task_status_id", "entity_id", "project_id", "task_type_id",
	"project", "entity", "entity_type", "person", "comment", "preview_path"}

func TestTasksToReviewAccess(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	path := "/actions/tasks/{shotTask}/to-review"
	e.Run(t, w.vars, []apptest.Case{
		{Name: "no token", Method: "PUT", Path: path, Body: map[string]any{}, Status: http.StatusUnauthorized},
		{Name: "admin", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"comment": "check"},
			Status: http.StatusOK, Keys: tasksToReviewKeys, NoKeys: []string{"assignees"}},
		{Name: "manager", As: w.manager, Method: "PUT", Path: path, Body: map[string]any{}, Status: http.StatusOK, Keys: tasksToReviewKeys},
		{Name: "assignee artist, no body", As: w.artist, Method: "PUT", Path: path, Status: http.StatusOK, Keys: tasksToReviewKeys},
		{Name: "artist of another department", As: w.artist2, Method: "PUT", Path: path, Body: map[string]any{}, Status: http.StatusOK},
		{Name: "outsider", As: w.outsider, Method: "PUT", Path: path, Body: map[string]any{}, Status: http.StatusNotFound},
		{Name: "task of another project", As: w.manager, Method: "PUT", Path: "/actions/tasks/{otherTask}/to-review",
			Body: map[string]any{}, Status: http.StatusNotFound},
		{Name: "vendor not assigned", As: w.vendor, Method: "PUT", Path: path, Body: map[string]any{}, Status: http.StatusNotFound},
		{Name: "vendor assigned", As: w.vendor, Method: "PUT", Path: "/actions/tasks/{assetTask}/to-review",
			Body: map[string]any{}, Status: http.StatusOK, Keys: tasksToReviewKeys},
		{Name: "revision a whole number written 2.0", As: e.Admin, Method: "PUT", Path: path, Body: `{"revision": 2.0, "name": "main"}`,
			Status: http.StatusOK, Keys: tasksToReviewKeys},
		{Name: "unknown task", As: e.Admin, Method: "PUT", Path: "/actions/tasks/{unknown}/to-review", Body: map[string]any{}, Status: http.StatusNotFound},
	})
}

func TestTasksToReviewBadInput(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	path := "/actions/tasks/{shotTask}/to-review"
	noPerson := func(t *testing.T, r *apptest.Response) {
		m := r.Object(t)
		if m["error"] != true || m["message"] != "Cannot find given person." {
			t.Errorf("answer %s", r.Body)
		}
	}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "malformed task id", As: e.Admin, Method: "PUT", Path: "/actions/tasks/not-an-id/to-review", Body: map[string]any{}, Status: http.StatusNotFound},
		{Name: "unknown person", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"person_id": "{unknown}"},
			Status: http.StatusBadRequest, Check: noPerson},
		{Name: "malformed person", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"person_id": "nobody"},
			Status: http.StatusBadRequest, Check: noPerson},
		{Name: "person id a number", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"person_id": 12}, Status: http.StatusBadRequest},
		{Name: "comment a number", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"comment": 3}, Status: http.StatusBadRequest},
		{Name: "name a list", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"name": []string{"a"}}, Status: http.StatusBadRequest},
		{Name: "revision a string", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"revision": "two"}, Status: http.StatusBadRequest},
		{Name: "revision a fraction", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"revision": 1.5}, Status: http.StatusBadRequest},
		{Name: "revision negative", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"revision": -1}, Status: http.StatusBadRequest},
		{Name: "change_status a string", As: e.Admin, Method: "PUT", Path: path, Body: map[string]any{"change_status": "yes"}, Status: http.StatusBadRequest},
		{Name: "body a list", As: e.Admin, Method: "PUT", Path: path, Body: []any{1}, Status: http.StatusBadRequest},
		{Name: "wrong type before the task", As: w.outsider, Method: "PUT", Path: path, Body: map[string]any{"revision": "x"}, Status: http.StatusBadRequest},
	})
	if got := tasksStatusOf(t, e, w.shotTask); got != w.todo {
		t.Errorf("a refused request changed the status to %s", got)
	}
	if n := e.Count("task_status", "short_name = 'pndng'"); n != 0 {
		t.Errorf("a refused request created the to review status (%d)", n)
	}
}

func TestTasksToReviewEffect(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	path := "/actions/tasks/" + w.shotTask + "/to-review"

	// No "To review" status yet: it is created as Zou creates it.
	r := e.Must(http.StatusOK, "PUT", path, map[string]any{"person_id": w.artist.ID, "comment": "v2 is ready",
		"name": "main", "revision": 2}, w.manager.Token).Object(t)
	var status struct {
		ID, Name, Color  string
		Default, Concept bool
	}
	err := e.App.DB.NewRaw(`SELECT id::text AS id, name, color, COALESCE(is_default, false) AS "default",
		COALESCE(for_concept, false) AS concept FROM task_status WHERE short_name = 'pndng'`).Scan(context.Background(), &status)
	if err != nil {
		t.Fatalf("to review status: %v", err)
	}
	if status.Name != "To review" || status.Color != "#f5f5f5" || status.Default || status.Concept {
		t.Errorf("created status %+v", status)
	}
	if got := tasksStatusOf(t, e, w.shotTask); got != status.ID {
		t.Errorf("task status %s, want %s", got, status.ID)
	}
	if ev := e.LastEvent("task-status:new"); ev.Data["task_status_id"] != status.ID {
		t.Errorf("task-status:new %v", ev.Data)
	}

	// The answer: the task after, with project, entity, entity type, person.
	if r["id"] != w.shotTask || r["task_status_id"] != status.ID || r["comment"] != "v2 is ready" {
		t.Errorf("answer %v", r)
	}
	if pp, _ := r["preview_path"].(map[string]any); pp == nil || pp["folder_path"] != "" || pp["file_name"] != "" {
		t.Errorf("preview_path %v", r["preview_path"])
	}
	for key, id := range map[string]string{"project": w.project, "entity": w.shot, "person": w.artist.ID} {
		if o, _ := r[key].(map[string]any); o == nil || o["id"] != id {
			t.Errorf("%s %v, want id %s", key, r[key], id)
		}
	}
	if en, _ := r["entity"].(map[string]any); en == nil || en["type"] != "Entity" {
		t.Errorf("entity type key %v, want Entity as Zou serialises it", r["entity"])
	}
	if et, _ := r["entity_type"].(map[string]any); et == nil || et["name"] != "Shot" {
		t.Errorf("entity_type %v", r["entity_type"])
	}
	if p, _ := r["person"].(map[string]any); p == nil || p["password"] != nil || p["departments"] == nil {
		t.Errorf("person (safe, with relations) %v", r["person"])
	}

	// The event, with Zou's payload and no project.
	ev := e.LastEvent("task:to-review")
	if ev.ProjectID != "" {
		t.Errorf("task:to-review has project %s", ev.ProjectID)
	}
	want := map[string]any{"task_id": w.shotTask, "previous_task_status_id": w.todo, "entity_type_name": "Shot",
		"comment": "v2 is ready", "change_status": true}
	for k, v := range want {
		if ev.Data[k] != v {
			t.Errorf("task:to-review %s = %v, want %v", k, ev.Data[k], v)
		}
	}
	for _, k := range []string{"task_shotgun_id", "entity_shotgun_id", "project_shotgun_id", "person_shotgun_id", "preview_path"} {
		if _, ok := ev.Data[k]; !ok {
			t.Errorf("task:to-review has no %s: %v", k, ev.Data)
		}
	}

	// Again: the existing status is reused, no new status.
	before := e.Count("task_status", "")
	sqlExec(t, e, "UPDATE task SET task_status_id = ? WHERE id = ?", w.done, w.shotTask)
	e.Must(http.StatusOK, "PUT", path, nil, w.artist.Token)
	if got := tasksStatusOf(t, e, w.shotTask); got != status.ID {
		t.Errorf("task status %s, want %s", got, status.ID)
	}
	if n := e.Count("task_status", ""); n != before {
		t.Errorf("%d statuses, want %d", n, before)
	}
	if ev := e.LastEvent("task:to-review"); ev.Data["previous_task_status_id"] != w.done || ev.Data["comment"] != "" {
		t.Errorf("second task:to-review %v", ev.Data)
	}
	// change_status false: the event, no status change.
	sqlExec(t, e, "UPDATE task SET task_status_id = ? WHERE id = ?", w.todo, w.shotTask)
	r2 := e.Must(http.StatusOK, "PUT", path, map[string]any{"change_status": false}, w.artist.Token).Object(t)
	if got := tasksStatusOf(t, e, w.shotTask); got != w.todo {
		t.Errorf("change_status false moved the task to %s", got)
	}
	if p, _ := r2["person"].(map[string]any); p == nil || p["id"] != w.artist.ID {
		t.Errorf("person of the caller %v", r2["person"])
	}
	if ev := e.LastEvent("task:to-review"); ev.Data["change_status"] != false {
		t.Errorf("task:to-review change_status %v", ev.Data["change_status"])
	}
}

// A status named "To review" is found first; else the one short-named pndng.
func TestTasksToReviewFindsStatus(t *testing.T) {
	w := tasksNewWorld(t)
	e := w.e
	noNewStatus := func(mark int) {
		t.Helper()
		for _, name := range e.EventNames()[mark:] {
			if name == "task-status:new" {
				t.Errorf("a status was created although one existed")
			}
		}
	}
	byShort := e.TaskStatus("Pending", "pndng")
	mark := len(e.Events())
	e.Must(http.StatusOK, "PUT", "/actions/tasks/"+w.shotTask+"/to-review", map[string]any{}, e.Admin.Token)
	if got := tasksStatusOf(t, e, w.shotTask); got != byShort {
		t.Errorf("status %s, want the pndng one %s", got, byShort)
	}
	noNewStatus(mark)
	byName := e.TaskStatus("To review", "tr")
	mark = len(e.Events())
	e.Must(http.StatusOK, "PUT", "/actions/tasks/"+w.assetTask+"/to-review", map[string]any{}, e.Admin.Token)
	if got := tasksStatusOf(t, e, w.assetTask); got != byName {
		t.Errorf("status %s, want the one named To review %s", got, byName)
	}
	noNewStatus(mark)
}
