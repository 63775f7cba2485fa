package routes_test

import (
	"context"
	"net/http"
	"slices"
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
	comments, news, events := e.Count("comment", ""), e.Count("news", ""), len(e.Events())
	r := e.Do("POST", "/actions/tasks/"+f.modeling+"/comment", map[string]any{"task_status_id": f.retake, "comment": "two"}, f.manager.Token)
	expect(t, r, 400, map[string]any{"error": true, "message": "No more retakes allowed on this task", "data": nil})
	if e.Count("comment", "") != comments || e.Count("news", "") != news {
		t.Errorf("a refused retake left rows behind")
	}
	if len(e.Events()) != events {
		t.Errorf("a refused comment published events: %v", e.EventNames()[events:])
	}
	// The cap of the entity wins over the project's.
	sqlExec(t, e, `UPDATE entity SET data = '{"max_retakes": 3}'::jsonb WHERE id = ?`, f.asset)
	f.post(t, f.manager, f.modeling, f.retake, "two")
	if got := commentsTaskField(t, e, f.modeling, "retake_count"); got != "2" {
		t.Errorf("retake_count %s, want 2 under the entity's cap", got)
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
	// A backdated comment does not rewind the task: the history is replayed.
	e.Must(201, "POST", "/actions/tasks/"+f.modeling+"/comment", map[string]any{"task_status_id": f.done, "comment": "old",
		"created_at": "2024-01-03 00:00:00"}, f.manager.Token)
	if got := commentsTaskField(t, e, f.modeling, "task_status_id"); got != f.todo {
		t.Errorf("a backdated comment moved the task to %s", got)
	}
}

func TestCommentsSequenceSubscribers(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	ep := e.Episode(f.project, "E01")
	seq := e.Sequence(f.project, ep, "S01")
	shot := e.Shot(f.project, seq, "P01")
	tt := e.TaskType("Animation", "Shot")
	task := e.Task(f.project, shot, tt, f.todo, f.artist.ID)
	sqlExec(t, e, `INSERT INTO subscription (id, created_at, updated_at, person_id, entity_id, task_type_id) VALUES (gen_random_uuid(), now(), now(), ?, ?, ?)`,
		f.supervisor.ID, seq, tt)
	c := f.post(t, f.manager, task, f.wip, "anim")
	for _, p := range []*apptest.Person{f.supervisor, f.artist} {
		if n := e.Count("notification", "person_id = ? AND comment_id = ? AND type = 'comment'", p.ID, c["id"]); n != 1 {
			t.Errorf("%d notifications for a follower of the shot, want 1", n)
		}
	}
	if n := e.Count("notification", "comment_id = ?", c["id"]); n != 2 {
		t.Errorf("%d notifications, want 2 (assignee and sequence subscriber)", n)
	}
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
		{Name: "notifications, admin", As: e.Admin, Method: "GET", Path: "/data/notifications", Status: 200},
		{Name: "notifications, manager", As: f.manager, Method: "GET", Path: "/data/notifications", Status: 403},
		{Name: "subscriptions, admin", As: e.Admin, Method: "GET", Path: "/data/subscriptions", Status: 200},
		{Name: "subscriptions, artist", As: f.artist, Method: "GET", Path: "/data/subscriptions", Status: 403},
	})
}

func TestCommentsReadVisibility(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	studio := f.post(t, f.manager, f.modeling, f.wip, "studio note")
	fromClient := f.post(t, f.client, f.modeling, f.wip, "client note")
	forClient := e.Must(201, "POST", "/actions/tasks/"+f.modeling+"/comment",
		map[string]any{"task_status_id": f.wip, "comment": "for the client", "for_client": true}, f.manager.Token).Object(t)
	sqlExec(t, e, `INSERT INTO comment_acknoledgments (comment, person) VALUES (?, ?)`, studio["id"], f.artist.ID)
	v := f.vars()
	v["studio"], v["client_c"], v["for_client"] = studio["id"].(string), fromClient["id"].(string), forClient["id"].(string)
	listKeys := []string{"id", "text", "person", "task_status", "acknowledgements", "mentions", "department_mentions",
		"previews", "attachment_files", "replies", "object_id", "person_id", "created_at", "type"}
	ids := func(want ...string) func(t *testing.T, r *apptest.Response) {
		return func(t *testing.T, r *apptest.Response) {
			var got []string
			for _, c := range r.List(t) {
				got = append(got, c["id"].(string))
			}
			if !slices.Equal(got, want) {
				t.Errorf("comment ids %v, want %v (newest first)", got, want)
			}
		}
	}
	all := ids(v["for_client"], v["client_c"], v["studio"])
	e.Run(t, v, []apptest.Case{
		{Name: "admin sees all", As: e.Admin, Method: "GET", Path: "/data/tasks/{task}/comments", Status: 200, Keys: listKeys, Check: all},
		{Name: "manager sees all", As: f.manager, Method: "GET", Path: "/data/tasks/{task}/comments", Status: 200, Check: all},
		{Name: "supervisor sees all", As: f.supervisor, Method: "GET", Path: "/data/tasks/{task}/comments", Status: 200, Check: all},
		{Name: "artist: no client comments", As: f.artist, Method: "GET", Path: "/data/tasks/{task}/comments", Status: 200,
			Check: ids(v["for_client"], v["studio"])},
		{Name: "client: for client and clients'", As: f.client, Method: "GET", Path: "/data/tasks/{task}/comments", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				ids(v["for_client"], v["client_c"])(t, r)
				for _, c := range r.List(t) {
					if c["id"] == v["for_client"] && c["person"] != nil {
						t.Errorf("a studio author is shown to a client: %v", c["person"])
					}
				}
			}},
		{Name: "vendor not assigned", As: f.vendor, Method: "GET", Path: "/data/tasks/{task}/comments", Status: 404},
		{Name: "outsider", As: f.outsider, Method: "GET", Path: "/data/tasks/{task}/comments", Status: 404},
		{Name: "malformed task", As: e.Admin, Method: "GET", Path: "/data/tasks/nope/comments", Status: 404},

		{Name: "one, artist", As: f.artist, Method: "GET", Path: "/data/tasks/{task}/comments/{studio}", Status: 200,
			Keys: []string{"id", "text", "object_id", "person_id", "task_status_id", "type"}, NoKeys: []string{"mentions", "previews"}},
		{Name: "one, artist, client's comment", As: f.artist, Method: "GET", Path: "/data/tasks/{task}/comments/{client_c}", Status: 403},
		{Name: "one, client, studio comment", As: f.client, Method: "GET", Path: "/data/tasks/{task}/comments/{studio}", Status: 403},
		{Name: "one, client, for client", As: f.client, Method: "GET", Path: "/data/tasks/{task}/comments/{for_client}", Status: 200},
		{Name: "one, outsider", As: f.outsider, Method: "GET", Path: "/data/tasks/{task}/comments/{studio}", Status: 404},
		{Name: "one, other task", As: e.Admin, Method: "GET", Path: "/data/tasks/" + f.rigging + "/comments/{studio}", Status: 404},
		{Name: "one, malformed", As: e.Admin, Method: "GET", Path: "/data/tasks/{task}/comments/nope", Status: 404},

		{Name: "crud one, relations", As: f.artist, Method: "GET", Path: "/data/comments/{studio}", Status: 200,
			Keys: []string{"id", "mentions", "acknowledgements", "previews", "attachment_files", "department_mentions"}},
		{Name: "crud one, client", As: f.client, Method: "GET", Path: "/data/comments/{studio}", Status: 403},
		{Name: "crud one, outsider", As: f.outsider, Method: "GET", Path: "/data/comments/{studio}", Status: 404},
		{Name: "crud one, malformed", As: e.Admin, Method: "GET", Path: "/data/comments/nope", Status: 400},
		{Name: "crud one, unknown", As: e.Admin, Method: "GET", Path: "/data/comments/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11", Status: 404},
		{Name: "crud list, manager", As: f.manager, Method: "GET", Path: "/data/comments", Status: 403},
		{Name: "crud list, admin", As: e.Admin, Method: "GET", Path: "/data/comments", Status: 200, Len: 3},

		{Name: "project comments, artist", As: f.artist, Method: "GET", Path: "/data/projects/{project}/comments", Status: 200, Len: 3,
			Keys: []string{"id", "mentions", "previews", "acknowledgements"}},
		{Name: "project comments, paged", As: f.manager, Method: "GET", Path: "/data/projects/{project}/comments?page=1&limit=2", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["total"] != float64(3) || m["nb_pages"] != float64(2) || m["limit"] != float64(2) || len(m["data"].([]any)) != 2 {
					t.Errorf("envelope %v", m)
				}
			}},
		{Name: "project comments, bad page", As: f.manager, Method: "GET", Path: "/data/projects/{project}/comments?page=x", Status: 400},
		{Name: "project comments, client", As: f.client, Method: "GET", Path: "/data/projects/{project}/comments", Status: 403},
		{Name: "project comments, vendor", As: f.vendor, Method: "GET", Path: "/data/projects/{project}/comments", Status: 403},
		{Name: "project comments, outsider", As: f.outsider, Method: "GET", Path: "/data/projects/{project}/comments", Status: 404},
	})
	// The list ships the acknowledgement.
	for _, c := range e.Must(200, "GET", "/data/tasks/"+f.modeling+"/comments", nil, f.manager.Token).List(t) {
		if c["id"] == v["studio"] {
			if a, _ := c["acknowledgements"].([]any); len(a) != 1 || a[0] != f.artist.ID {
				t.Errorf("acknowledgements %v", c["acknowledgements"])
			}
		}
	}
}

func TestCommentsListQueries(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	for i := 0; i < 5; i++ {
		f.post(t, f.manager, f.modeling, f.wip, "note")
	}
	q := e.CountQueries()
	e.Must(200, "GET", "/data/tasks/"+f.modeling+"/comments", nil, f.manager.Token)
	few := len(q.Reset())
	for i := 0; i < 10; i++ {
		f.post(t, f.manager, f.modeling, f.wip, "note")
	}
	q.Reset()
	e.Must(200, "GET", "/data/tasks/"+f.modeling+"/comments", nil, f.manager.Token)
	if many := len(q.Reset()); many != few {
		t.Errorf("queries grow with comments: %d for 5, %d for 15", few, many)
	}
}

func TestCommentsDelete(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	first := f.post(t, f.artist, f.modeling, f.wip, "started")
	second := f.post(t, f.artist, f.modeling, f.wfa, "review")
	v := f.vars()
	v["first"], v["second"] = first["id"].(string), second["id"].(string)
	e.Run(t, v, []apptest.Case{
		{Name: "other artist", As: f.other, Method: "DELETE", Path: "/data/tasks/{task}/comments/{second}", Status: 403},
		{Name: "supervisor, not author", As: f.supervisor, Method: "DELETE", Path: "/data/comments/{second}", Status: 403},
		{Name: "outsider", As: f.outsider, Method: "DELETE", Path: "/data/tasks/{task}/comments/{second}", Status: 404},
		{Name: "wrong task", As: e.Admin, Method: "DELETE", Path: "/data/tasks/" + f.rigging + "/comments/{second}", Status: 404},
		{Name: "malformed", As: e.Admin, Method: "DELETE", Path: "/data/comments/nope", Status: 400},
		{Name: "unknown", As: e.Admin, Method: "DELETE", Path: "/data/comments/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11", Status: 404},
		{Name: "author", As: f.artist, Method: "DELETE", Path: "/data/tasks/{task}/comments/{second}", Status: 204},
	})
	if got := commentsTaskField(t, e, f.modeling, "task_status_id"); got != f.wip {
		t.Errorf("task status %s after deleting the review comment, want wip", got)
	}
	if commentsTaskField(t, e, f.modeling, "end_date") != "" {
		t.Errorf("end_date kept after its comment went")
	}
	ev := e.LastEvent("task:status-changed")
	if ev.Data["new_task_status_id"] != f.wip || ev.Data["previous_task_status_id"] != f.wfa {
		t.Errorf("task:status-changed %v", ev.Data)
	}
	if ev := e.LastEvent("comment:delete"); ev.Data["comment_id"] != v["second"] {
		t.Errorf("comment:delete %v", ev.Data)
	}
	if e.Count("news", "comment_id = ?", v["second"]) != 0 || e.Count("comment", "id = ?", v["second"]) != 0 {
		t.Errorf("the comment or its news survived")
	}
	// A manager deletes anyone's comment; the task falls back to the default status.
	e.Must(204, "DELETE", "/data/comments/"+v["first"], nil, f.manager.Token)
	if got := commentsTaskField(t, e, f.modeling, "task_status_id"); got != f.todo {
		t.Errorf("task status %s without comments, want the default", got)
	}
	if commentsTaskField(t, e, f.modeling, "real_start_date") != "" || commentsTaskField(t, e, f.modeling, "last_comment_date") != "" {
		t.Errorf("dates kept without comments")
	}
}

func TestCommentsAck(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	c := f.post(t, f.manager, f.modeling, f.wip, "note")
	v := f.vars()
	v["c"] = c["id"].(string)
	e.Run(t, v, []apptest.Case{
		{Name: "artist acks", As: f.artist, Method: "POST", Path: "/data/tasks/{task}/comments/{c}/ack", Status: 200,
			Keys: []string{"id", "acknowledgements", "mentions", "previews"},
			Check: func(t *testing.T, r *apptest.Response) {
				if a, _ := r.Object(t)["acknowledgements"].([]any); len(a) != 1 || a[0] != f.artist.ID {
					t.Errorf("acknowledgements %v", r.Object(t)["acknowledgements"])
				}
			}},
		{Name: "artist un-acks", As: f.artist, Method: "POST", Path: "/data/tasks/{task}/comments/{c}/ack", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if a, _ := r.Object(t)["acknowledgements"].([]any); len(a) != 0 {
					t.Errorf("acknowledgements %v after the toggle", a)
				}
			}},
		{Name: "outsider", As: f.outsider, Method: "POST", Path: "/data/tasks/{task}/comments/{c}/ack", Status: 404},
		{Name: "vendor not assigned", As: f.vendor, Method: "POST", Path: "/data/tasks/{task}/comments/{c}/ack", Status: 404},
		{Name: "comment of another task", As: e.Admin, Method: "POST", Path: "/data/tasks/" + f.rigging + "/comments/{c}/ack", Status: 404},
		{Name: "malformed comment", As: e.Admin, Method: "POST", Path: "/data/tasks/{task}/comments/nope/ack", Status: 404},
	})
	if ev := e.LastEvent("comment:unacknowledge"); ev.Data["person_id"] != f.artist.ID {
		t.Errorf("comment:unacknowledge %v", ev.Data)
	}
	e.LastEvent("comment:acknowledge")
}

func TestCommentsReplies(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	c := f.post(t, f.manager, f.modeling, f.wip, "note")
	v := f.vars()
	v["c"] = c["id"].(string)
	path := "/data/tasks/{task}/comments/{c}/reply"
	var replyID string
	e.Run(t, v, []apptest.Case{
		{Name: "assignee replies", As: f.artist, Method: "POST", Path: path, Body: map[string]any{"text": "ok @" + f.fullName(t, f.other)},
			Status: 200, Keys: []string{"id", "date", "person_id", "text", "mentions", "department_mentions", "created_at", "person"},
			Check: func(t *testing.T, r *apptest.Response) { replyID = r.Object(t)["id"].(string) }},
		{Name: "mentioned in a reply: may reply", As: f.other, Method: "POST", Path: path, Body: map[string]any{"text": "me too"}, Status: 200},
		{Name: "vendor", As: f.vendor, Method: "POST", Path: path, Body: map[string]any{"text": "x"}, Status: 404},
		{Name: "outsider", As: f.outsider, Method: "POST", Path: path, Body: map[string]any{"text": "x"}, Status: 404},
		{Name: "text of the wrong type", As: f.manager, Method: "POST", Path: path, Body: map[string]any{"text": 1}, Status: 400},
		{Name: "unknown comment", As: f.manager, Method: "POST", Path: "/data/tasks/{task}/comments/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11/reply", Body: map[string]any{"text": "x"}, Status: 404},
	})
	// Comment author notified of the reply, mention as reply-mention.
	if n := e.Count("notification", "person_id = ? AND type = 'reply' AND reply_id = ?", f.manager.ID, replyID); n != 1 {
		t.Errorf("%d reply notifications for the comment author, want 1", n)
	}
	if n := e.Count("notification", "person_id = ? AND type = 'reply-mention' AND reply_id = ?", f.other.ID, replyID); n != 1 {
		t.Errorf("%d reply-mention notifications, want 1", n)
	}
	e.LastEvent("comment:reply")
	v["r"] = replyID
	del := "/data/tasks/{task}/comments/{c}/reply/{r}"
	e.Run(t, v, []apptest.Case{
		{Name: "not the reply author", As: f.manager, Method: "DELETE", Path: del, Status: 403},
		{Name: "unknown reply", As: f.artist, Method: "DELETE", Path: "/data/tasks/{task}/comments/{c}/reply/nope", Status: 404},
		{Name: "reply author", As: f.artist, Method: "DELETE", Path: del, Status: 200, Keys: []string{"id", "replies"},
			Check: func(t *testing.T, r *apptest.Response) {
				if rs, _ := r.Object(t)["replies"].([]any); len(rs) != 1 {
					t.Errorf("replies %v after the delete", rs)
				}
			}},
	})
	if n := e.Count("notification", "reply_id = ?", replyID); n != 0 {
		t.Errorf("%d notifications of a deleted reply", n)
	}
	e.LastEvent("comment:delete-reply")
}

func TestCommentsUpdate(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	own := f.post(t, f.artist, f.modeling, f.wip, "mine")
	mgr := e.Must(201, "POST", "/actions/tasks/"+f.modeling+"/comment", map[string]any{"task_status_id": f.wip, "comment": "list",
		"checklist": []any{map[string]any{"text": "a", "checked": false}}}, f.manager.Token).Object(t)
	v := f.vars()
	v["own"], v["mgr"] = own["id"].(string), mgr["id"].(string)
	e.Run(t, v, []apptest.Case{
		{Name: "author edits text", As: f.artist, Method: "PUT", Path: "/data/comments/{own}",
			Body: map[string]any{"text": "mine @" + f.fullName(t, f.other)}, Status: 200, Keys: []string{"id", "text", "editor_id", "mentions"},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["editor_id"] != f.artist.ID {
					t.Errorf("editor_id %v", m["editor_id"])
				}
				if ms, _ := m["mentions"].([]any); len(ms) != 1 || ms[0] != f.other.ID {
					t.Errorf("mentions %v not recomputed", m["mentions"])
				}
			}},
		{Name: "author edits links and checklist", As: f.artist, Method: "PUT", Path: "/data/comments/{own}",
			Body: map[string]any{"links": []string{"http://x"}, "checklist": []any{map[string]any{"text": "b", "checked": false}}}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if l, _ := r.Object(t)["links"].([]any); len(l) != 1 || l[0] != "http://x" {
					t.Errorf("links %v", r.Object(t)["links"])
				}
			}},
		{Name: "body not an object", As: f.artist, Method: "PUT", Path: "/data/comments/{own}", Body: []any{1}, Status: 400},
		{Name: "author sets for_client", As: f.artist, Method: "PUT", Path: "/data/comments/{own}", Body: map[string]any{"for_client": true}, Status: 403},
		{Name: "manager sets for_client", As: f.manager, Method: "PUT", Path: "/data/comments/{own}", Body: map[string]any{"for_client": true}, Status: 200},
		{Name: "artist edits other's text", As: f.artist, Method: "PUT", Path: "/data/comments/{mgr}", Body: map[string]any{"text": "x"}, Status: 403},
		{Name: "assignee ticks the checklist", As: f.artist, Method: "PUT", Path: "/data/comments/{mgr}",
			Body: map[string]any{"checklist": []any{map[string]any{"text": "a", "checked": true}}}, Status: 200},
		{Name: "assignee rewrites the checklist", As: f.artist, Method: "PUT", Path: "/data/comments/{mgr}",
			Body: map[string]any{"checklist": []any{map[string]any{"text": "b", "checked": true}}}, Status: 403},
		{Name: "other artist ticks", As: f.other, Method: "PUT", Path: "/data/comments/{mgr}",
			Body: map[string]any{"checklist": []any{map[string]any{"text": "a", "checked": false}}}, Status: 403},
		{Name: "artist pins", As: f.artist, Method: "PUT", Path: "/data/comments/{mgr}", Body: map[string]any{"pinned": true}, Status: 403},
		{Name: "department supervisor pins", As: f.supervisor, Method: "PUT", Path: "/data/comments/{mgr}", Body: map[string]any{"pinned": true}, Status: 200},
		{Name: "author, status not for artists", As: f.artist, Method: "PUT", Path: "/data/comments/{own}", Body: map[string]any{"task_status_id": f.noArtist}, Status: 403},
		{Name: "outsider", As: f.outsider, Method: "PUT", Path: "/data/comments/{own}", Body: map[string]any{"text": "x"}, Status: 404},
		{Name: "malformed", As: e.Admin, Method: "PUT", Path: "/data/comments/nope", Body: map[string]any{"text": "x"}, Status: 400},
		{Name: "bad status id", As: e.Admin, Method: "PUT", Path: "/data/comments/{own}", Body: map[string]any{"task_status_id": "x"}, Status: 400},
		{Name: "manager changes the status", As: f.manager, Method: "PUT", Path: "/data/comments/{mgr}", Body: map[string]any{"task_status_id": f.done}, Status: 200},
	})
	if got := commentsTaskField(t, e, f.modeling, "task_status_id"); got != f.done {
		t.Errorf("task status %s after the last comment's status changed, want done", got)
	}
	e.LastEvent("task:status-changed")
	e.LastEvent("comment:update")
	if n := e.Count("notification", "person_id = ? AND type = 'mention' AND comment_id = ?", f.other.ID, v["own"]); n != 1 {
		t.Errorf("%d mention notifications after the edit, want 1", n)
	}
}

func TestCommentsMoveAndPreview(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	c := f.post(t, f.manager, f.modeling, f.wfa, "move me")
	other := e.Task(f.project, e.Asset(f.project, e.AssetType("Prop"), "Cup"), f.ttModel, f.todo)
	v := f.vars()
	v["c"], v["rig"], v["other"] = c["id"].(string), f.rigging, other
	move := "/actions/tasks/{task}/comments/{c}/move"
	e.Run(t, v, []apptest.Case{
		{Name: "artist", As: f.artist, Method: "POST", Path: move, Body: map[string]any{"target_task_id": f.rigging}, Status: 403},
		{Name: "missing target", As: f.manager, Method: "POST", Path: move, Body: map[string]any{}, Status: 400},
		{Name: "other entity", As: f.manager, Method: "POST", Path: move, Body: map[string]any{"target_task_id": other}, Status: 400},
		{Name: "same task", As: f.manager, Method: "POST", Path: move, Body: map[string]any{"target_task_id": f.modeling}, Status: 400},
		{Name: "unknown target", As: f.manager, Method: "POST", Path: move, Body: map[string]any{"target_task_id": "8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11"}, Status: 404},
		{Name: "manager", As: f.manager, Method: "POST", Path: move, Body: map[string]any{"target_task_id": f.rigging}, Status: 200,
			Keys: []string{"id", "object_id"}},
	})
	if got := commentsTaskField(t, e, f.rigging, "task_status_id"); got != f.wfa {
		t.Errorf("target status %s, want the moved comment's", got)
	}
	if got := commentsTaskField(t, e, f.modeling, "task_status_id"); got != f.todo {
		t.Errorf("source status %s, want the default", got)
	}
	if e.Count("news", "comment_id = ? AND task_id = ?", v["c"], f.rigging) != 1 {
		t.Errorf("news not recreated on the target")
	}

	add := "/actions/tasks/{rig}/comments/{c}/add-preview"
	var first string
	e.Run(t, v, []apptest.Case{
		{Name: "artist not assigned", As: f.other, Method: "POST", Path: add, Body: map[string]any{}, Status: 403},
		{Name: "outsider", As: f.outsider, Method: "POST", Path: add, Body: map[string]any{}, Status: 404},
		{Name: "negative revision", As: f.manager, Method: "POST", Path: add, Body: map[string]any{"revision": -1}, Status: 400},
		{Name: "revision of the wrong type", As: f.manager, Method: "POST", Path: add, Body: map[string]any{"revision": "x"}, Status: 400},
		{Name: "comment of another task", As: f.manager, Method: "POST", Path: "/actions/tasks/{task}/comments/{c}/add-preview", Body: map[string]any{}, Status: 404},
		{Name: "first preview", As: f.manager, Method: "POST", Path: add, Status: 201,
			Keys: []string{"id", "revision", "position", "task_id", "person_id", "status", "extension", "comments"},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				first = m["id"].(string)
				if m["revision"] != float64(1) || m["position"] != float64(1) || m["status"] != "processing" {
					t.Errorf("first preview %v", m)
				}
			}},
		{Name: "second preview, same revision", As: f.manager, Method: "POST", Path: add, Body: map[string]any{}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["revision"] != float64(1) || m["position"] != float64(2) {
					t.Errorf("second preview %v", m)
				}
			}},
	})
	if e.Count("news", "comment_id = ? AND preview_file_id = ?", v["c"], first) != 0 &&
		e.Count("news", "comment_id = ? AND preview_file_id IS NOT NULL", v["c"]) != 1 {
		t.Errorf("news not pointed at the preview")
	}
	e.LastEvent("preview-file:new")
	// A comment with a preview cannot move; deleting it removes the previews.
	e.Must(400, "POST", "/actions/tasks/"+f.rigging+"/comments/"+v["c"]+"/move", map[string]any{"target_task_id": f.modeling}, f.manager.Token)
	e.Must(204, "DELETE", "/data/comments/"+v["c"], nil, f.manager.Token)
	if n := e.Count("preview_file", "task_id = ?", f.rigging); n != 0 {
		t.Errorf("%d previews left after their comment went", n)
	}
}

func TestCommentsMany(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	items := []any{
		map[string]any{"object_id": f.modeling, "task_status_id": f.wip, "comment": "a"},
		map[string]any{"object_id": f.rigging, "task_status_id": f.wip, "comment": "b"},
	}
	path := "/actions/projects/{project}/tasks/comment-many"
	p2 := e.Project("Elsewhere")
	foreign := e.Task(p2, e.Asset(p2, e.AssetType("Set"), "Room"), f.ttModel, f.todo)
	e.Run(t, f.vars(), []apptest.Case{
		{Name: "manager posts all", As: f.manager, Method: "POST", Path: path, Body: items, Status: 201, Len: 2, Keys: []string{"id", "task_status", "person"}},
		{Name: "artist: only the assigned task", As: f.artist, Method: "POST", Path: path, Body: items, Status: 201, Len: 1},
		{Name: "other artist: none", As: f.other, Method: "POST", Path: path, Body: items, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if n := len(r.List(t)); n != 0 {
					t.Errorf("%d comments posted by an artist without rights", n)
				}
			}},
		{Name: "outsider", As: f.outsider, Method: "POST", Path: path, Body: items, Status: 404},
		{Name: "not an array", As: f.manager, Method: "POST", Path: path, Body: map[string]any{"a": 1}, Status: 400},
		{Name: "entries without object_id are skipped", As: f.manager, Method: "POST", Path: path, Body: []any{map[string]any{"task_status_id": f.wip, "comment": "x"}}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if n := len(r.List(t)); n != 0 {
					t.Errorf("%d comments posted from an incomplete entry", n)
				}
			}},
		{Name: "malformed object_id", As: f.manager, Method: "POST", Path: path, Body: []any{map[string]any{"object_id": "x", "task_status_id": f.wip, "comment": "x"}}, Status: 400},
		{Name: "artist, status not for artists: refused whole", As: f.artist, Method: "POST", Path: path,
			Body: []any{map[string]any{"object_id": f.modeling, "task_status_id": f.noArtist, "comment": "x"}}, Status: 403},
		{Name: "unknown task", As: f.manager, Method: "POST", Path: path, Body: []any{map[string]any{"object_id": "8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11", "task_status_id": f.wip, "comment": "x"}}, Status: 404},
		{Name: "task of another project", As: e.Admin, Method: "POST", Path: path, Body: []any{map[string]any{"object_id": foreign, "task_status_id": f.wip, "comment": "x"}}, Status: 404},
	})
	if n := e.Count("comment", ""); n != 3 {
		t.Errorf("%d comments, want 3", n)
	}
}

func TestCommentsAttachments(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	c := f.post(t, f.artist, f.modeling, f.wip, "with file")
	file := e.ID("attachment-files", map[string]any{"name": "a.png", "extension": "png", "mimetype": "image/png", "comment_id": c["id"]})
	v := f.vars()
	v["c"], v["f"] = c["id"].(string), file
	e.Run(t, v, []apptest.Case{
		{Name: "project files, admin", As: e.Admin, Method: "GET", Path: "/data/projects/{project}/attachment-files", Status: 200, Len: 1,
			Keys: []string{"id", "name", "extension", "comment_id", "size", "mimetype"}},
		{Name: "project files, manager", As: f.manager, Method: "GET", Path: "/data/projects/{project}/attachment-files", Status: 403},
		{Name: "task files, admin", As: e.Admin, Method: "GET", Path: "/data/tasks/{task}/attachment-files", Status: 200, Len: 1},
		{Name: "task files, artist", As: f.artist, Method: "GET", Path: "/data/tasks/{task}/attachment-files", Status: 403},
		{Name: "task files, unknown task", As: e.Admin, Method: "GET", Path: "/data/tasks/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11/attachment-files", Status: 404},
		{Name: "delete, other artist", As: f.other, Method: "DELETE", Path: "/data/tasks/{task}/comments/{c}/attachments/{f}", Status: 403},
		{Name: "delete, unknown file", As: f.artist, Method: "DELETE", Path: "/data/tasks/{task}/comments/{c}/attachments/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11", Status: 404},
		{Name: "delete, author", As: f.artist, Method: "DELETE", Path: "/data/tasks/{task}/comments/{c}/attachments/{f}", Status: 204},
	})
	if e.Count("attachment_file", "id = ?", file) != 0 {
		t.Errorf("attachment survived its delete")
	}
}

func TestCommentsGetOneEmbeds(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	c := e.Must(201, "POST", "/actions/tasks/"+f.modeling+"/comment", map[string]any{"task_status_id": f.wip, "comment": "for you",
		"for_client": true}, f.manager.Token).Object(t)
	id := c["id"].(string)
	e.Must(200, "POST", "/data/tasks/"+f.modeling+"/comments/"+id+"/reply", map[string]any{"text": "noted"}, f.artist.Token)
	e.ID("attachment-files", map[string]any{"name": "a.png", "extension": "png", "comment_id": id})
	m := e.Must(200, "GET", "/data/comments/"+id+"?relations=true", nil, f.artist.Token).Object(t)
	if p, _ := m["person"].(map[string]any); p == nil || p["id"] != f.manager.ID || p["full_name"] == nil {
		t.Errorf("person %v", m["person"])
	}
	if files, _ := m["attachment_files"].([]any); len(files) != 1 || files[0].(map[string]any)["name"] != "a.png" {
		t.Errorf("attachment_files %v, want objects", m["attachment_files"])
	}
	rs, _ := m["replies"].([]any)
	if len(rs) != 1 || rs[0].(map[string]any)["person"].(map[string]any)["id"] != f.artist.ID {
		t.Errorf("replies %v", m["replies"])
	}
	// A client reads it without studio identities.
	m = e.Must(200, "GET", "/data/comments/"+id, nil, f.client.Token).Object(t)
	if m["person"] != nil {
		t.Errorf("studio author shown to a client: %v", m["person"])
	}
	if rs, _ := m["replies"].([]any); len(rs) != 1 || rs[0].(map[string]any)["person"] != nil {
		t.Errorf("studio replier shown to a client: %v", m["replies"])
	}
	// No relations: ids only, no attachment objects.
	m = e.Must(200, "GET", "/data/comments/"+id+"?relations=false", nil, e.Admin.Token).Object(t)
	if hasKey(m, "attachment_files") || hasKey(m, "mentions") {
		t.Errorf("relations=false answered relations: %v", m)
	}
}

func TestCommentsAttachmentFilesCRUD(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	c := f.post(t, f.artist, f.modeling, f.wip, "with file")
	file := e.ID("attachment-files", map[string]any{"name": "a.png", "extension": "png", "comment_id": c["id"]})
	loose := e.ID("attachment-files", map[string]any{"name": "b.png", "extension": "png"})
	v := map[string]string{"f": file, "loose": loose}
	e.Run(t, v, []apptest.Case{
		{Name: "list, admin", As: e.Admin, Method: "GET", Path: "/data/attachment-files", Status: 200, Len: 2},
		{Name: "list, manager", As: f.manager, Method: "GET", Path: "/data/attachment-files", Status: 403},
		{Name: "one, artist of the team", As: f.other, Method: "GET", Path: "/data/attachment-files/{f}", Status: 200,
			Keys: []string{"id", "name", "comment_id", "comment", "chat_message"}},
		{Name: "one, no relations", As: f.other, Method: "GET", Path: "/data/attachment-files/{f}?relations=false", Status: 200,
			Keys: []string{"id", "name"}},
		{Name: "one, vendor not assigned", As: f.vendor, Method: "GET", Path: "/data/attachment-files/{f}", Status: 404},
		{Name: "one, outsider", As: f.outsider, Method: "GET", Path: "/data/attachment-files/{f}", Status: 404},
		{Name: "one, tied to nothing", As: e.Admin, Method: "GET", Path: "/data/attachment-files/{loose}", Status: 403},
		{Name: "one, malformed", As: e.Admin, Method: "GET", Path: "/data/attachment-files/nope", Status: 400},
		{Name: "one, unknown", As: e.Admin, Method: "GET", Path: "/data/attachment-files/8f2e3c2a-52b8-4bd4-a7a0-0d2d9a1f0a11", Status: 404},
	})
}

func TestCommentsAutomationImportsLastRevision(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	auto := e.ID("status-automations", map[string]any{"entity_type": "asset", "in_task_type_id": f.ttModel, "in_task_status_id": f.done,
		"out_field_type": "status", "out_task_type_id": f.ttRig, "out_task_status_id": f.wip, "import_last_revision": true})
	sqlExec(t, e, `INSERT INTO project_status_automation_link (project_id, status_automation_id) VALUES (?, ?)`, f.project, auto)
	c := f.post(t, f.artist, f.modeling, f.wfa, "v1")
	pf := e.Must(201, "POST", "/actions/tasks/"+f.modeling+"/comments/"+c["id"].(string)+"/add-preview", nil, f.artist.Token).Object(t)
	sqlExec(t, e, `UPDATE preview_file SET extension = 'png', status = 'ready', width = 640 WHERE id = ?`, pf["id"])
	f.post(t, f.manager, f.modeling, f.done, "approved")
	var n, width int
	var ext string
	err := e.App.DB.NewRaw(`SELECT count(*) OVER (), pf.width, pf.extension FROM preview_file pf
		JOIN comment_preview_link l ON l.preview_file = pf.id JOIN comment c ON c.id = l.comment
		WHERE c.object_id = ? AND pf.task_id = ?`, f.rigging, f.rigging).Scan(context.Background(), &n, &width, &ext)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || width != 640 || ext != "png" {
		t.Errorf("imported previews: %d, width %d, extension %s", n, width, ext)
	}
	if commentsTaskField(t, e, f.rigging, "last_preview_file_id") == "" {
		t.Errorf("rigging last preview not set")
	}
	e.LastEvent("preview-file:add-file")
}

func TestCommentsAutomationSkipsRollback(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	// Rigging comes before modeling in the project: modeling → rigging is a rollback.
	for tt, prio := range map[string]int{f.ttModel: 2, f.ttRig: 1} {
		sqlExec(t, e, `INSERT INTO project_task_type_link (id, created_at, updated_at, project_id, task_type_id, priority)
			VALUES (gen_random_uuid(), now(), now(), ?, ?, ?)`, f.project, tt, prio)
	}
	auto := e.ID("status-automations", map[string]any{"entity_type": "asset", "in_task_type_id": f.ttModel, "in_task_status_id": f.done,
		"out_field_type": "status", "out_task_type_id": f.ttRig, "out_task_status_id": f.wip})
	sqlExec(t, e, `INSERT INTO project_status_automation_link (project_id, status_automation_id) VALUES (?, ?)`, f.project, auto)
	f.post(t, f.manager, f.modeling, f.done, "done")
	if got := commentsTaskField(t, e, f.rigging, "task_status_id"); got != f.todo {
		t.Errorf("a rollback automation ran")
	}
	// Archived automations never run, whatever the order.
	sqlExec(t, e, `UPDATE project_task_type_link SET priority = 3 WHERE task_type_id = ?`, f.ttRig)
	sqlExec(t, e, `UPDATE status_automation SET archived = true WHERE id = ?`, auto)
	f.post(t, f.manager, f.modeling, f.wip, "reopen")
	f.post(t, f.manager, f.modeling, f.done, "done")
	if got := commentsTaskField(t, e, f.rigging, "task_status_id"); got != f.todo {
		t.Errorf("an archived automation ran")
	}
	sqlExec(t, e, `UPDATE status_automation SET archived = false WHERE id = ?`, auto)
	f.post(t, f.manager, f.modeling, f.wip, "reopen")
	f.post(t, f.manager, f.modeling, f.done, "done")
	if got := commentsTaskField(t, e, f.rigging, "task_status_id"); got != f.wip {
		t.Errorf("the forward automation did not run")
	}
}

func TestCommentsClientViews(t *testing.T) {
	f := commentsSetup(t)
	e := f.e
	studio := f.post(t, f.manager, f.modeling, f.wfa, "internal with preview")
	e.Must(201, "POST", "/actions/tasks/"+f.modeling+"/comments/"+studio["id"].(string)+"/add-preview", nil, f.manager.Token)
	other := e.NewPerson("client")
	e.AddToTeam(f.project, other.ID, "")
	mine := f.post(t, f.client, f.modeling, f.wfa, "from me")
	theirs := f.post(t, other, f.modeling, f.wfa, "from another client")
	list := func() map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, c := range e.Must(200, "GET", "/data/tasks/"+f.modeling+"/comments", nil, f.client.Token).List(t) {
			out[c["id"].(string)] = c
		}
		return out
	}
	got := list()
	if c, ok := got[studio["id"].(string)]; !ok || c["text"] != "" || c["person"] != nil {
		t.Errorf("a studio comment with a preview shows to clients blanked: %v", c)
	}
	if _, ok := got[theirs["id"].(string)]; !ok {
		t.Errorf("another client's comment hidden in a project that does not isolate clients")
	}
	if c := got[mine["id"].(string)]; c == nil || c["person"] == nil {
		t.Errorf("a client's own comment should show its author: %v", c)
	}
	sqlExec(t, e, `UPDATE project SET is_clients_isolated = true WHERE id = ?`, f.project)
	got = list()
	if _, ok := got[theirs["id"].(string)]; ok {
		t.Errorf("another client's comment shown in an isolated project")
	}
	if _, ok := got[mine["id"].(string)]; !ok {
		t.Errorf("own comment hidden in an isolated project")
	}
	e.Must(403, "GET", "/data/comments/"+theirs["id"].(string), nil, f.client.Token)
	e.Must(200, "GET", "/data/comments/"+mine["id"].(string), nil, f.client.Token)
}
