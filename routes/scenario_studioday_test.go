package routes_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/zou-go/zou/apptest"
)

// TestScenarioStudioDay runs a day of a studio through the routes Kitsu and
// Gazu call: the production's supervisor creates the layout tasks of 30
// shots and gives ten to each of three artists; each artist reads their
// to-do list, logs time and comments with a status change; one mentions a
// colleague; the supervisor asks for a retake, then reads the news feed and
// the month's timesheet. Notifications must reach exactly the people Zou
// notifies: the assignee of each assignment, the assignees of a commented
// task other than the author, and the persons mentioned.
func TestScenarioStudioDay(t *testing.T) {
	e := apptest.New(t)
	sup := e.NewPerson("supervisor")
	artists := []*apptest.Person{e.NewPerson("user"), e.NewPerson("user"), e.NewPerson("user")}
	bystander := e.NewPerson("user")

	pid := e.Project("Studio Day")
	// In Kitsu a lead is often the production's manager: per-project role.
	e.AddToTeam(pid, sup.ID, "manager")
	e.AddToTeam(pid, bystander.ID, "")
	for _, a := range artists {
		e.AddToTeam(pid, a.ID, "") // assignment needs team members (a 4xx otherwise)
	}
	layout := e.TaskType("Layout", "Shot")
	todo := e.TaskStatus("Todo", "todo", map[string]any{"is_default": true})
	wip := e.TaskStatus("Work In Progress", "wip", map[string]any{"is_artist_allowed": true})
	retake := e.TaskStatus("Retake", "retake", map[string]any{"is_retake": true, "is_artist_allowed": false, "is_client_allowed": false})
	_ = todo
	seq := e.Sequence(pid, "", "SQ01")
	for i := range 30 {
		e.Shot(pid, seq, fmt.Sprintf("SH%03d", (i+1)*10))
	}

	// The supervisor creates the tasks of every shot, then assigns them.
	created := e.Must(201, "POST", "/actions/projects/"+pid+"/task-types/"+layout+"/shots/create-tasks", nil, sup.Token).List(t)
	if len(created) != 30 {
		t.Fatalf("created %d tasks, want 30", len(created))
	}
	for i, a := range artists {
		var ids []string
		for _, task := range created[i*10 : (i+1)*10] {
			ids = append(ids, task["id"].(string))
		}
		assigned := e.Must(200, "PUT", "/actions/persons/"+a.ID+"/assign", map[string]any{"task_ids": ids}, sup.Token).List(t)
		if len(assigned) != 10 {
			t.Fatalf("assigned %d tasks to artist %d, want 10", len(assigned), i)
		}
	}

	// Each artist: to-do list, time, a comment that starts the work.
	today := time.Now().UTC().Format("2006-01-02")
	var firstTasks []string
	for i, a := range artists {
		todoList := e.Must(200, "GET", "/data/user/tasks", nil, a.Token).List(t)
		if len(todoList) != 10 {
			t.Fatalf("artist %d to-do: %d tasks, want 10", i, len(todoList))
		}
		for _, k := range []string{"id", "task_status_id", "task_type_id", "entity_id", "project_id", "entity_name"} {
			if _, ok := todoList[0][k]; !ok {
				t.Errorf("to-do row lacks %s: %v", k, todoList[0])
			}
		}
		task := todoList[0]["id"].(string)
		firstTasks = append(firstTasks, task)
		e.Must(201, "POST", fmt.Sprintf("/actions/tasks/%s/time-spents/%s/persons/%s", task, today, a.ID),
			map[string]any{"duration": 180}, a.Token) // minutes, as Kitsu logs them
		text := "Blocking done."
		if i == 0 {
			// Kitsu writes mentions as @ and the person's full name.
			text = fmt.Sprintf("Blocking done, @%s %s can you check the camera?", "User", artistLastName(t, e, artists[1]))
		}
		c := e.Must(201, "POST", "/actions/tasks/"+task+"/comment", map[string]any{
			"task_status_id": wip, "comment": text}, a.Token).Object(t)
		if c["task_status_id"] != wip || c["person_id"] != a.ID {
			t.Errorf("comment answer: %v", c)
		}
		full := e.Must(200, "GET", "/data/tasks/"+task+"/full", nil, a.Token).Object(t)
		if full["task_status_id"] != wip {
			t.Errorf("task status after the comment: %v, want wip", full["task_status_id"])
		}
	}
	// An artist may not set a status that is not artist-allowed.
	if r := e.Do("POST", "/actions/tasks/"+firstTasks[1]+"/comment", map[string]any{
		"task_status_id": retake, "comment": "self retake"}, artists[1].Token); r.Status < 400 || r.Status >= 500 {
		t.Errorf("artist setting a retake: %d %s, want a 4xx", r.Status, r.Body)
	}
	// Nor log time on a task that is not theirs, even an admin may not log for a non-assignee.
	e.Must(403, "POST", fmt.Sprintf("/actions/tasks/%s/time-spents/%s/persons/%s", firstTasks[0], today, artists[1].ID),
		map[string]any{"duration": 60}, e.Admin.Token)

	// The supervisor asks the third artist for a retake.
	e.Must(201, "POST", "/actions/tasks/"+firstTasks[2]+"/comment", map[string]any{
		"task_status_id": retake, "comment": "Camera too low, please redo."}, sup.Token)
	full := e.Must(200, "GET", "/data/tasks/"+firstTasks[2]+"/full", nil, sup.Token).Object(t)
	if full["retake_count"] != float64(1) {
		t.Errorf("retake_count after a retake: %v, want 1", full["retake_count"])
	}

	// News feed: one entry per comment (3 artists + the retake).
	news := e.Must(200, "GET", "/data/projects/"+pid+"/news", nil, sup.Token).Object(t)
	if data, _ := news["data"].([]any); len(data) != 4 {
		t.Errorf("news feed: %d items, want 4: %s", len(data), news)
	}

	// Timesheet of the month: 3 hours (180 minutes) for each artist today.
	now := time.Now().UTC()
	table := e.Must(200, "GET", fmt.Sprintf("/data/persons/time-spents/day-table/%d/%d", now.Year(), int(now.Month())), nil, e.Admin.Token).Object(t)
	day, _ := table[fmt.Sprint(now.Day())].(map[string]any)
	for i, a := range artists {
		if day[a.ID] != float64(180) {
			t.Errorf("timesheet of artist %d today: %v, want 180", i, day[a.ID])
		}
	}

	// Notifications: ten assignments each; the mention for the second artist;
	// the retake comment for the third; nothing for the supervisor (author
	// of all of it) or the bystander.
	want := map[*apptest.Person]map[string]int{
		artists[0]: {"assignation": 10},
		artists[1]: {"assignation": 10, "mention": 1},
		artists[2]: {"assignation": 10, "comment": 1},
		sup:        {},
		bystander:  {},
	}
	for who, kinds := range want {
		got := map[string]int{}
		for _, n := range e.Must(200, "GET", "/data/user/notifications", nil, who.Token).List(t) {
			got[fmt.Sprint(n["notification_type"])]++
		}
		if fmt.Sprint(got) != fmt.Sprint(kinds) {
			t.Errorf("notifications of %s: %v, want %v", who.Email, got, kinds)
		}
	}
	e.Must(200, "POST", "/actions/user/notifications/mark-all-as-read", nil, artists[1].Token)
	for _, n := range e.Must(200, "GET", "/data/user/notifications", nil, artists[1].Token).List(t) {
		if n["read"] != true {
			t.Errorf("notification still unread after mark-all-as-read: %v", n)
		}
	}
}

// artistLastName reads a person's last name (apptest numbers them).
func artistLastName(t *testing.T, e *apptest.Env, p *apptest.Person) string {
	t.Helper()
	return e.Must(200, "GET", "/data/persons/"+p.ID, nil, e.Admin.Token).Object(t)["last_name"].(string)
}
