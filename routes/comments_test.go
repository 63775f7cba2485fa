package routes_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// commentsFix is a production with a team of every role, an asset with a
// modeling task (assigned to the artist) and a rigging task, and statuses.
type commentsFix struct {
	e                                            *apptest.Env
	project, asset, modeling, rigging, ttModel   string
	ttRig, dept                                  string
	todo, wip, wfa, retake, done, noArtist       string
	manager, supervisor, artist, other, outsider *apptest.Person
	client, vendor                               *apptest.Person
}

func commentsSetup(t *testing.T) *commentsFix {
	t.Helper()
	e := apptest.New(t)
	f := &commentsFix{e: e}
	f.project = e.Project("Comments")
	f.dept = e.Department("Modeling")
	f.ttModel = e.TaskType("Modeling", "Asset", map[string]any{"department_id": f.dept})
	f.ttRig = e.TaskType("Rigging", "Asset")
	f.todo = e.TaskStatus("Todo", "todo", map[string]any{"is_default": true})
	f.wip = e.TaskStatus("Work In Progress", "wip", map[string]any{"is_wip": true})
	f.wfa = e.TaskStatus("Waiting For Approval", "wfa", map[string]any{"is_feedback_request": true})
	f.retake = e.TaskStatus("Retake", "retake", map[string]any{"is_retake": true})
	f.done = e.TaskStatus("Done", "done", map[string]any{"is_done": true})
	f.noArtist = e.TaskStatus("Approved", "app", map[string]any{"is_artist_allowed": false, "is_client_allowed": false})
	f.manager = e.NewPerson("manager")
	f.supervisor = e.NewPerson("supervisor")
	f.artist = e.NewPerson("user")
	f.other = e.NewPerson("user")
	f.outsider = e.NewPerson("user")
	f.client = e.NewPerson("client")
	f.vendor = e.NewPerson("vendor")
	for _, p := range []*apptest.Person{f.manager, f.supervisor, f.artist, f.other, f.client, f.vendor} {
		e.AddToTeam(f.project, p.ID, "")
	}
	e.InDepartment(f.supervisor.ID, f.dept)
	f.asset = e.Asset(f.project, e.AssetType("Character"), "Hero")
	f.modeling = e.Task(f.project, f.asset, f.ttModel, f.todo, f.artist.ID)
	f.rigging = e.Task(f.project, f.asset, f.ttRig, f.todo)
	return f
}

func (f *commentsFix) vars() map[string]string {
	return map[string]string{"task": f.modeling, "project": f.project, "wip": f.wip, "todo": f.todo}
}

// post posts a comment and answers the created comment.
func (f *commentsFix) post(t *testing.T, as *apptest.Person, task, status, text string) map[string]any {
	t.Helper()
	return f.e.Must(http.StatusCreated, "POST", "/actions/tasks/"+task+"/comment",
		map[string]any{"task_status_id": status, "comment": text}, as.Token).Object(t)
}

func (f *commentsFix) fullName(t *testing.T, p *apptest.Person) string {
	t.Helper()
	var name string
	if err := f.e.App.DB.NewRaw(`SELECT first_name || ' ' || last_name FROM person WHERE id = ?`, p.ID).Scan(context.Background(), &name); err != nil {
		t.Fatal(err)
	}
	return name
}

func commentsTaskField(t *testing.T, e *apptest.Env, task, col string) string {
	t.Helper()
	var v *string
	if err := e.App.DB.NewRaw(`SELECT `+col+`::text FROM task WHERE id = ?`, task).Scan(context.Background(), &v); err != nil {
		t.Fatal(err)
	}
	if v == nil {
		return ""
	}
	return *v
}

func TestCommentsPostAccess(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	keys := []string{"id", "object_id", "object_type", "text", "task_status_id", "person_id", "task_status", "person",
		"mentions", "department_mentions", "acknowledgements", "previews", "attachment_files", "replies", "checklist", "links", "for_client", "pinned"}
	body := func(status string) map[string]any {
		return map[string]any{"task_status_id": status, "comment": "hello"}
	}
	e.Run(t, f.vars(), []apptest.Case{
		{Name: "assignee", As: f.artist, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 201, Keys: keys},
		{Name: "admin", As: e.Admin, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 201, Keys: keys},
		{Name: "manager", As: f.manager, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 201, Keys: keys},
		{Name: "supervisor of the department", As: f.supervisor, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 201},
		{Name: "client of the team", As: f.client, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 201},
		{Name: "artist not assigned", As: f.other, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 403},
		{Name: "vendor not assigned", As: f.vendor, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 404},
		{Name: "outsider", As: f.outsider, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 404},
		{Name: "no token", Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.wip), Status: 401},
		{Name: "artist, status not for artists", As: f.artist, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.noArtist), Status: 403},
		{Name: "client, status not for clients", As: f.client, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.noArtist), Status: 403},
		{Name: "manager, any status", As: f.manager, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body(f.noArtist), Status: 201},
		{Name: "malformed task id", As: e.Admin, Method: "POST", Path: "/actions/tasks/nope/comment", Body: body(f.wip), Status: 404},
		{Name: "unknown task", As: e.Admin, Method: "POST", Path: "/actions/tasks/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11/comment", Body: body(f.wip), Status: 404},
		{Name: "missing status", As: e.Admin, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: map[string]any{"comment": "x"}, Status: 400},
		{Name: "malformed status", As: e.Admin, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body("wip"), Status: 400},
		{Name: "unknown status", As: e.Admin, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: body("8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11"), Status: 404},
		{Name: "comment of the wrong type", As: e.Admin, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: map[string]any{"task_status_id": f.wip, "comment": 3}, Status: 400},
		{Name: "checklist of the wrong type", As: e.Admin, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: map[string]any{"task_status_id": f.wip, "checklist": 3}, Status: 400},
		{Name: "body not an object", As: e.Admin, Method: "POST", Path: "/actions/tasks/{task}/comment", Body: []any{1}, Status: 400},
	})
	// The refused calls wrote nothing.
	if n := e.Count("comment", "object_id = ?", f.modeling); n != 6 {
		t.Errorf("%d comments, want 6 (one per allowed call)", n)
	}
}

func TestCommentsPostMentionedPersonMayAnswer(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	// Not an actor of the task: refused until mentioned.
	e.Must(403, "POST", "/actions/tasks/"+f.modeling+"/comment", map[string]any{"task_status_id": f.todo, "comment": "hi"}, f.other.Token)
	c := f.post(t, f.manager, f.modeling, f.todo, "what do you think @"+f.fullName(t, f.other)+" ?")
	if m, _ := c["mentions"].([]any); len(m) != 1 || m[0] != f.other.ID {
		t.Fatalf("mentions %v, want [%s]", c["mentions"], f.other.ID)
	}
	if n := e.Count("notification", "person_id = ? AND type = 'mention' AND comment_id = ?", f.other.ID, c["id"]); n != 1 {
		t.Errorf("%d mention notifications for the mentioned person, want 1", n)
	}
	// Mentioned: may comment while keeping the status, not change it.
	f.post(t, f.other, f.modeling, f.todo, "fine by me")
	e.Must(403, "POST", "/actions/tasks/"+f.modeling+"/comment", map[string]any{"task_status_id": f.wip, "comment": "go"}, f.other.Token)
	// Department mention: the team members of the department are notified.
	c = f.post(t, f.manager, f.modeling, f.todo, "ping @Modeling")
	if d, _ := c["department_mentions"].([]any); len(d) != 1 || d[0] != f.dept {
		t.Fatalf("department_mentions %v", c["department_mentions"])
	}
	if n := e.Count("notification", "person_id = ? AND type = 'mention' AND comment_id = ?", f.supervisor.ID, c["id"]); n != 1 {
		t.Errorf("supervisor of the mentioned department: %d mention notifications, want 1", n)
	}
}

func TestCommentsPostStatusChange(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	sqlExec(t, e, `INSERT INTO subscription (id, created_at, updated_at, person_id, task_id) VALUES (gen_random_uuid(), now(), now(), ?, ?)`,
		f.supervisor.ID, f.modeling)

	c := f.post(t, f.artist, f.modeling, f.wip, "started")
	if c["task_status"].(map[string]any)["id"] != f.wip || c["person"].(map[string]any)["id"] != f.artist.ID {
		t.Errorf("answer carries status %v and author %v", c["task_status"], c["person"])
	}
	if got := commentsTaskField(t, e, f.modeling, "task_status_id"); got != f.wip {
		t.Errorf("task status %s, want wip", got)
	}
	if commentsTaskField(t, e, f.modeling, "real_start_date") == "" || commentsTaskField(t, e, f.modeling, "last_comment_date") == "" {
		t.Errorf("real_start_date and last_comment_date must be set")
	}
	ev := e.LastEvent("task:status-changed")
	if ev.Data["previous_task_status_id"] != f.todo || ev.Data["new_task_status_id"] != f.wip || ev.Data["person_id"] != f.artist.ID {
		t.Errorf("task:status-changed %v", ev.Data)
	}
	for _, name := range []string{"comment:new", "task:update", "news:new", "notification:new"} {
		e.LastEvent(name)
	}
	// The subscriber is notified, the author is not; one news row with change.
	if n := e.Count("notification", "comment_id = ? AND type = 'comment' AND change", c["id"]); n != 1 {
		t.Errorf("%d comment notifications, want 1 (the subscriber)", n)
	}
	if n := e.Count("notification", "person_id = ?", f.artist.ID); n != 0 {
		t.Errorf("the author got %d notifications", n)
	}
	if n := e.Count("news", "comment_id = ? AND change AND author_id = ?", c["id"], f.artist.ID); n != 1 {
		t.Errorf("%d news rows, want 1", n)
	}

	// To review: end date, task:to-review.
	f.post(t, f.artist, f.modeling, f.wfa, "please review")
	if commentsTaskField(t, e, f.modeling, "end_date") == "" {
		t.Errorf("end_date not set on a feedback request")
	}
	if ev := e.LastEvent("task:to-review"); ev.Data["task_id"] != f.modeling || ev.Data["comment_id"] == nil {
		t.Errorf("task:to-review %v", ev.Data)
	}
	// Retake: count up, end date cleared.
	f.post(t, f.manager, f.modeling, f.retake, "again")
	if got := commentsTaskField(t, e, f.modeling, "retake_count"); got != "1" {
		t.Errorf("retake_count %s, want 1", got)
	}
	if commentsTaskField(t, e, f.modeling, "end_date") != "" {
		t.Errorf("end_date kept after a retake")
	}
	// Same status again: no change event, no second retake.
	before := len(e.Events())
	f.post(t, f.manager, f.modeling, f.retake, "still")
	for _, ev := range e.Events()[before:] {
		if ev.Name == "task:status-changed" {
			t.Errorf("status-changed emitted without a change")
		}
	}
	if got := commentsTaskField(t, e, f.modeling, "retake_count"); got != "1" {
		t.Errorf("retake_count %s, want 1", got)
	}
	// Done: done date.
	f.post(t, f.manager, f.modeling, f.done, "ok")
	if commentsTaskField(t, e, f.modeling, "done_date") == "" {
		t.Errorf("done_date not set")
	}
}

func TestCommentsPostRetakeCapAndAtomicity(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	sqlExec(t, e, `UPDATE project SET max_retakes = 1 WHERE id = ?`, f.project)
	f.post(t, f.manager, f.modeling, f.retake, "one")
	f.post(t, f.manager, f.modeling, f.wip, "back")
	comments, news := e.Count("comment", ""), e.Count("news", "")
	r := e.Do("POST", "/actions/tasks/"+f.modeling+"/comment", map[string]any{"task_status_id": f.retake, "comment": "two"}, f.manager.Token)
	expect(t, r, 400, map[string]any{"error": true, "message": "No more retakes allowed on this task", "data": nil})
	if e.Count("comment", "") != comments || e.Count("news", "") != news {
		t.Errorf("a refused retake left rows behind")
	}
}

func TestCommentsPostManagerFields(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	extra := map[string]any{"task_status_id": f.todo, "comment": "x", "person_id": f.other.ID,
		"created_at": "2024-01-02 03:04:05", "for_client": true, "checklist": []any{map[string]any{"text": "a", "checked": false}}, "links": []string{"http://a"}}
	c := e.Must(201, "POST", "/actions/tasks/"+f.modeling+"/comment", extra, f.manager.Token).Object(t)
	if c["person_id"] != f.other.ID || c["for_client"] != true || c["created_at"] != "2024-01-02T03:04:05" {
		t.Errorf("manager fields not honoured: %v %v %v", c["person_id"], c["for_client"], c["created_at"])
	}
	if l, _ := c["checklist"].([]any); len(l) != 1 {
		t.Errorf("checklist %v", c["checklist"])
	}
	c = e.Must(201, "POST", "/actions/tasks/"+f.modeling+"/comment", extra, f.artist.Token).Object(t)
	if c["person_id"] != f.artist.ID || c["for_client"] != false {
		t.Errorf("artist may not set author or for_client: %v %v", c["person_id"], c["for_client"])
	}
	extra["person_id"] = "8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11"
	e.Must(404, "POST", "/actions/tasks/"+f.modeling+"/comment", extra, f.manager.Token)
}

func TestCommentsStatusAutomation(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	auto := e.ID("status-automations", map[string]any{"entity_type": "asset", "in_task_type_id": f.ttModel,
		"in_task_status_id": f.done, "out_field_type": "status", "out_task_type_id": f.ttRig, "out_task_status_id": f.wip})
	ready := e.ID("status-automations", map[string]any{"entity_type": "asset", "in_task_type_id": f.ttModel,
		"in_task_status_id": f.done, "out_field_type": "ready_for", "out_task_type_id": f.ttRig})
	// Not linked to the project: nothing happens.
	f.post(t, f.manager, f.modeling, f.done, "done")
	if got := commentsTaskField(t, e, f.rigging, "task_status_id"); got != f.todo {
		t.Fatalf("unlinked automation ran")
	}
	for _, a := range []string{auto, ready} {
		sqlExec(t, e, `INSERT INTO project_status_automation_link (project_id, status_automation_id) VALUES (?, ?)`, f.project, a)
	}
	f.post(t, f.manager, f.modeling, f.wip, "reopen")
	f.post(t, f.manager, f.modeling, f.done, "done again")
	if got := commentsTaskField(t, e, f.rigging, "task_status_id"); got != f.wip {
		t.Errorf("rigging status %s, want wip after the automation", got)
	}
	if n := e.Count("comment", "object_id = ? AND text = 'Change triggered by Modeling set to Done'", f.rigging); n != 1 {
		t.Errorf("%d automation comments on rigging, want 1", n)
	}
	if n := e.Count("entity", "id = ? AND ready_for = ?", f.asset, f.ttRig); n != 1 {
		t.Errorf("ready_for not set by the automation")
	}
	e.LastEvent("asset:update")

	// Deleting an automation used by a project: 400; unlinked: 204.
	r := e.Do("DELETE", "/data/status-automations/"+auto, nil, e.Admin.Token)
	expect(t, r, 400, map[string]any{"message": "This automation is used in a project."})
	free := e.ID("status-automations", map[string]any{"entity_type": "shot", "out_field_type": "status"})
	e.Run(t, map[string]string{"auto": auto, "free": free}, []apptest.Case{
		{Name: "get one, admin", As: e.Admin, Method: "GET", Path: "/data/status-automations/{auto}", Status: 200,
			Keys: []string{"id", "entity_type", "in_task_type_id", "in_task_status_id", "out_field_type", "out_task_type_id", "out_task_status_id", "import_last_revision", "archived", "type"}},
		{Name: "get one, manager", As: f.manager, Method: "GET", Path: "/data/status-automations/{auto}", Status: 403},
		{Name: "get one, malformed", As: e.Admin, Method: "GET", Path: "/data/status-automations/nope", Status: 400},
		{Name: "get one, unknown", As: e.Admin, Method: "GET", Path: "/data/status-automations/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11", Status: 404},
		{Name: "list, artist", As: f.artist, Method: "GET", Path: "/data/status-automations", Status: 200},
		{Name: "list, vendor", As: f.vendor, Method: "GET", Path: "/data/status-automations", Status: 403},
		{Name: "delete, manager", As: f.manager, Method: "DELETE", Path: "/data/status-automations/{free}", Status: 403},
		{Name: "delete, malformed", As: e.Admin, Method: "DELETE", Path: "/data/status-automations/nope", Status: 400},
		{Name: "delete, unknown", As: e.Admin, Method: "DELETE", Path: "/data/status-automations/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11", Status: 404},
		{Name: "delete, free", As: e.Admin, Method: "DELETE", Path: "/data/status-automations/{free}", Status: 204},
	})
	if e.Count("status_automation", "id = ?", free) != 0 || e.Count("status_automation", "id = ?", auto) != 1 {
		t.Errorf("automation deletes did not do what they answered")
	}
}

func TestCommentsHashtags(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	f.post(t, f.manager, f.modeling, f.wip, "see #rigging too")
	if n := e.Count("comment", "object_id = ? AND text LIKE 'see #rigging too%From Modeling task'", f.rigging); n != 1 {
		t.Errorf("hashtag did not copy the comment to the rigging task")
	}
	if got := commentsTaskField(t, e, f.rigging, "task_status_id"); got != f.todo {
		t.Errorf("a hashtag copy changed the sibling status")
	}
}

func TestCommentsChatMessagesList(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	e.Run(t, nil, []apptest.Case{
		{Name: "admin", As: e.Admin, Method: "GET", Path: "/data/chat-messages/", Status: 200},
		{Name: "admin, filter", As: e.Admin, Method: "GET", Path: "/data/chat-messages?person_id=" + f.artist.ID, Status: 200},
		{Name: "admin, bad filter", As: e.Admin, Method: "GET", Path: "/data/chat-messages?person_id=nope", Status: 400},
		{Name: "manager", As: f.manager, Method: "GET", Path: "/data/chat-messages/", Status: 403},
		{Name: "artist", As: f.artist, Method: "GET", Path: "/data/chat-messages", Status: 403},
	})
}
