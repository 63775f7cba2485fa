package routes_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// personsWorld is a small studio: a project with a layout and an animation
// department, an artist of each, their supervisor and a manager, and a bot.
type personsWorld struct {
	e                            *apptest.Env
	artist, other, sup, manager  *apptest.Person
	outsider, bot                *apptest.Person
	project, layoutDep, animDep  string
	layoutTask, animTask         string
	layoutType, animType, status string
}

func personsSetup(t *testing.T) *personsWorld {
	t.Helper()
	e := apptest.New(t)
	w := &personsWorld{e: e, artist: e.NewPerson("user"), other: e.NewPerson("user"), sup: e.NewPerson("supervisor"),
		manager: e.NewPerson("manager"), outsider: e.NewPerson("manager"), bot: e.NewPerson("user")}
	sqlExec(t, e, "UPDATE person SET is_bot = true WHERE id = ?", w.bot.ID)
	w.project = e.Project("Persons")
	for _, p := range []*apptest.Person{w.artist, w.other, w.sup, w.manager} {
		e.AddToTeam(w.project, p.ID, "")
	}
	w.layoutDep, w.animDep = e.Department("Layout"), e.Department("Animation")
	e.InDepartment(w.sup.ID, w.layoutDep)
	w.layoutType = e.TaskType("Layout", "Shot", map[string]any{"department_id": w.layoutDep})
	w.animType = e.TaskType("Animation", "Shot", map[string]any{"department_id": w.animDep})
	w.status = e.TaskStatus("Todo", "todo")
	seq := e.Sequence(w.project, "", "SQ01")
	shot := e.Shot(w.project, seq, "SH010")
	w.layoutTask = e.Task(w.project, shot, w.layoutType, w.status, w.artist.ID)
	w.animTask = e.Task(w.project, shot, w.animType, w.status, w.artist.ID)
	return w
}

// personsLog inserts a time spent row (the time-spent routes are the tasks area's).
func personsLog(t *testing.T, e *apptest.Env, task, person, date string, seconds float64) {
	t.Helper()
	sqlExec(t, e, `INSERT INTO time_spent (id, created_at, updated_at, duration, date, task_id, person_id)
		VALUES (gen_random_uuid(), now(), now(), ?, ?, ?, ?)`, seconds, date, task, person)
}

func TestPersonsTimeSheets(t *testing.T) {
	w := personsSetup(t)
	e := w.e
	personsLog(t, e, w.layoutTask, w.artist.ID, "2026-03-02", 3600)
	personsLog(t, e, w.animTask, w.artist.ID, "2026-03-02", 1800)
	personsLog(t, e, w.animTask, w.artist.ID, "2026-03-20", 600)
	personsLog(t, e, w.layoutTask, w.other.ID, "2026-03-02", 7200)
	vars := map[string]string{"artist": w.artist.ID, "other": w.other.ID, "bot": w.bot.ID, "project": w.project,
		"missing": "6f1f0a3c-1111-4222-8333-444455556666", "layoutDep": w.layoutDep, "animDep": w.animDep}
	rowKeys := []string{"id", "duration", "date", "task_id", "person_id", "type"}
	sumKeys := []string{"task_id", "task_type_id", "project_id", "project_name", "entity_name", "entity_type_name",
		"sequence_name", "episode_name", "duration"}
	lenCheck := func(n int) func(*testing.T, *apptest.Response) {
		return func(t *testing.T, r *apptest.Response) {
			if got := len(r.List(t)); got != n {
				t.Errorf("%d rows, want %d: %s", got, n, r.Body)
			}
		}
	}
	e.Run(t, vars, []apptest.Case{
		// All of a person's time: admins only.
		{Name: "all time, admin", As: e.Admin, Method: "GET", Path: "/data/persons/{artist}/time-spents", Status: 200, Keys: rowKeys, Len: 3},
		{Name: "range", As: e.Admin, Method: "GET", Path: "/data/persons/{artist}/time-spents?start_date=2026-03-01&end_date=2026-03-10", Status: 200, Len: 2},
		{Name: "half a range", As: e.Admin, Method: "GET", Path: "/data/persons/{artist}/time-spents?start_date=2026-03-01", Status: 400},
		{Name: "bad range date", As: e.Admin, Method: "GET", Path: "/data/persons/{artist}/time-spents?start_date=2026-13-01&end_date=2026-03-10", Status: 400},
		{Name: "all time, self", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents", Status: 403},
		{Name: "all time, bot target", As: e.Admin, Method: "GET", Path: "/data/persons/{bot}/time-spents", Status: 403},
		{Name: "all time, unknown", As: e.Admin, Method: "GET", Path: "/data/persons/{missing}/time-spents", Status: 404},
		{Name: "all time, malformed", As: e.Admin, Method: "GET", Path: "/data/persons/nope/time-spents", Status: 404},

		// One day: self, admin, and managers or supervisors of the production.
		{Name: "day, self", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/2026-03-02", Status: 200, Keys: rowKeys, Len: 2},
		{Name: "day, manager", As: w.manager, Method: "GET", Path: "/data/persons/{artist}/time-spents/2026-03-02", Status: 200, Len: 2},
		{Name: "day, supervisor sees his department only", As: w.sup, Method: "GET", Path: "/data/persons/{artist}/time-spents/2026-03-02", Status: 200, Len: 1},
		{Name: "day, manager of another production", As: w.outsider, Method: "GET", Path: "/data/persons/{artist}/time-spents/2026-03-02", Status: 200, Check: lenCheck(0)},
		{Name: "day, another artist", As: w.other, Method: "GET", Path: "/data/persons/{artist}/time-spents/2026-03-02", Status: 403},
		{Name: "day, bad date", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/2026-02-30", Status: 400},

		// Sums per task over a period.
		{Name: "year", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/year/2026", Status: 200, Keys: sumKeys, Len: 2},
		{Name: "month", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/month/2026/3", Status: 200, Keys: sumKeys, Len: 2},
		{Name: "week", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/week/2026/10", Status: 200, Keys: sumKeys, Len: 2},
		{Name: "day sums", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/day/2026/3/20", Status: 200, Keys: sumKeys, Len: 1},
		{Name: "project filter", As: w.manager, Method: "GET", Path: "/data/persons/{artist}/time-spents/month/2026/3?project_id={project}", Status: 200, Len: 2},
		{Name: "project filter outside", As: w.outsider, Method: "GET", Path: "/data/persons/{artist}/time-spents/month/2026/3?project_id={project}", Status: 403},
		{Name: "month 13", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/month/2026/13", Status: 400},
		{Name: "week 54", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/week/2026/54", Status: 400},
		{Name: "year not a number", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/year/twenty", Status: 400},
		{Name: "sums, another artist", As: w.other, Method: "GET", Path: "/data/persons/{artist}/time-spents/year/2026", Status: 403},
		{Name: "raw month, self", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/time-spents/month/all/2026/3", Status: 200, Keys: rowKeys, Len: 3},
		{Name: "raw month, manager", As: w.manager, Method: "GET", Path: "/data/persons/{artist}/time-spents/month/all/2026/3", Status: 403},
		{Name: "sums, unauthenticated", Method: "GET", Path: "/data/persons/{artist}/time-spents/year/2026", Status: 401},
	})

	// The month's sums hold the task's names and the total.
	sums := e.Must(200, "GET", "/data/persons/"+w.artist.ID+"/time-spents/month/2026/3", nil, w.artist.Token).List(t)
	total := 0.0
	for _, s := range sums {
		total += s["duration"].(float64)
		if s["entity_name"] != "SH010" || s["sequence_name"] != "SQ01" || s["project_name"] != "Persons" {
			t.Errorf("sum row names: %v", s)
		}
	}
	if total != 6000 {
		t.Errorf("month total %v, want 6000", total)
	}

	// Timesheet tables: unit → person → total.
	table := e.Must(200, "GET", "/data/persons/time-spents/day-table/2026/3", nil, e.Admin.Token).Object(t)
	day2, _ := table["2"].(map[string]any)
	if day2[w.artist.ID] != 5400.0 || day2[w.other.ID] != 7200.0 {
		t.Errorf("day table, 2nd: %v", table)
	}
	// An artist sees only his own column; a supervisor his department's.
	own := e.Must(200, "GET", "/data/persons/time-spents/day-table/2026/3", nil, w.other.Token).Object(t)
	if d, _ := own["2"].(map[string]any); len(d) != 1 || d[w.other.ID] != 7200.0 || own["20"] != nil {
		t.Errorf("artist's own day table: %v", own)
	}
	supTable := e.Must(200, "GET", "/data/persons/time-spents/month-table/2026", nil, w.sup.Token).Object(t)
	if m, _ := supTable["3"].(map[string]any); m[w.artist.ID] != 3600.0 || m[w.other.ID] != 7200.0 {
		t.Errorf("supervisor's month table (layout only): %v", supTable)
	}
	years := e.Must(200, "GET", "/data/persons/time-spents/year-table", nil, e.Admin.Token).Object(t)
	if y, _ := years["2026"].(map[string]any); y[w.artist.ID] != 6000.0 {
		t.Errorf("year table: %v", years)
	}
	weeks := e.Must(200, "GET", "/data/persons/time-spents/week-table/2026", nil, e.Admin.Token).Object(t)
	if wk, _ := weeks["10"].(map[string]any); wk[w.artist.ID] != 5400.0 {
		t.Errorf("week table: %v", weeks)
	}
	e.Must(400, "GET", "/data/persons/time-spents/day-table/2026/0", nil, e.Admin.Token)
	e.Must(400, "GET", "/data/persons/time-spents/month-table/2026?department_id="+w.animDep, nil, w.sup.Token)
	e.Must(400, "GET", "/data/persons/time-spents/month-table/2026?department_id=nope", nil, e.Admin.Token)
}

func TestPersonsDayOffs(t *testing.T) {
	w := personsSetup(t)
	e := w.e
	dayOff := e.Must(201, "POST", "/data/day-offs", map[string]any{"date": "2026-04-06", "end_date": "2026-04-10",
		"person_id": w.artist.ID, "description": "Holidays"}, w.artist.Token).Object(t)
	vars := map[string]string{"artist": w.artist.ID, "other": w.other.ID, "bot": w.bot.ID,
		"missing": "6f1f0a3c-1111-4222-8333-444455556666"}
	keys := []string{"id", "date", "end_date", "description", "person_id", "type"}
	e.Run(t, vars, []apptest.Case{
		{Name: "all, self", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs", Status: 200, Keys: keys, Len: 1},
		{Name: "all, admin", As: e.Admin, Method: "GET", Path: "/data/persons/{artist}/day-offs", Status: 200, Len: 1},
		{Name: "all, other", As: w.other, Method: "GET", Path: "/data/persons/{artist}/day-offs", Status: 403},
		{Name: "all, bot", As: e.Admin, Method: "GET", Path: "/data/persons/{bot}/day-offs", Status: 403},
		{Name: "all, unknown", As: e.Admin, Method: "GET", Path: "/data/persons/{missing}/day-offs", Status: 404},
		{Name: "week 15", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs/week/2026/15", Status: 200, Len: 1},
		{Name: "week 16", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs/week/2026/16", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Errorf("week 16 has no day off: %s", r.Body)
				}
			}},
		{Name: "month", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs/month/2026/4", Status: 200, Len: 1},
		{Name: "year", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs/year/2026", Status: 200, Len: 1},
		{Name: "bad month", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs/month/2026/14", Status: 400},
		{Name: "on a date", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs/2026-04-08", Status: 200, Keys: keys},
		{Name: "on a free date", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs/2026-04-11", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if string(r.Body) != "{}" {
					t.Errorf("free date: %s, want {}", r.Body)
				}
			}},
		// Our API documentation: a wrong date format is a 404.
		{Name: "on a malformed date", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/day-offs/08-04-2026", Status: 404, Keys: []string{"error", "message"}},
		{Name: "on a date, other", As: w.other, Method: "GET", Path: "/data/persons/{artist}/day-offs/2026-04-08", Status: 403},
		{Name: "month of everyone, admin", As: e.Admin, Method: "GET", Path: "/data/persons/day-offs/2026/4", Status: 200, Len: 1},
		{Name: "month of everyone, other sees his own", As: w.other, Method: "GET", Path: "/data/persons/day-offs/2026/4", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Errorf("another artist sees: %s", r.Body)
				}
			}},
	})

	// The /data rules: overlap, order of dates, owner changes, covered time removed.
	personsLog(t, e, w.layoutTask, w.artist.ID, "2026-04-20", 3600)
	personsLog(t, e, w.layoutTask, w.artist.ID, "2026-04-25", 3600)
	e.Must(400, "POST", "/data/day-offs", map[string]any{"date": "2026-04-09", "end_date": "2026-04-12", "person_id": w.artist.ID}, w.artist.Token)
	e.Must(400, "POST", "/data/day-offs", map[string]any{"date": "2026-04-22", "end_date": "2026-04-21", "person_id": w.artist.ID}, w.artist.Token)
	e.Must(403, "POST", "/data/day-offs", map[string]any{"date": "2026-05-01", "end_date": "2026-05-01", "person_id": w.other.ID}, w.artist.Token)
	second := e.Must(201, "POST", "/data/day-offs", map[string]any{"date": "2026-04-20", "end_date": "2026-04-21", "person_id": w.artist.ID}, w.artist.Token).Object(t)
	if n := e.Count("time_spent", "person_id = ?", w.artist.ID); n != 1 {
		t.Errorf("time spents left after the day off: %d, want 1 (the 25th)", n)
	}
	id := dayOff["id"].(string)
	e.Must(400, "PUT", "/data/day-offs/"+id, map[string]any{"end_date": "2026-04-20"}, w.artist.Token)
	e.Must(200, "PUT", "/data/day-offs/"+id, map[string]any{"end_date": "2026-04-11"}, w.artist.Token)
	e.Must(403, "PUT", "/data/day-offs/"+id, map[string]any{"person_id": w.other.ID}, w.artist.Token)
	e.Must(200, "PUT", "/data/day-offs/"+second["id"].(string), map[string]any{"date": "2026-04-24", "end_date": "2026-04-26"}, w.artist.Token)
	if n := e.Count("time_spent", "person_id = ?", w.artist.ID); n != 0 {
		t.Errorf("time spents left after moving the day off over the 25th: %d", n)
	}
}

func TestPersonsDesktopLoginsAndPresence(t *testing.T) {
	w := personsSetup(t)
	e := w.e
	vars := map[string]string{"artist": w.artist.ID, "missing": "6f1f0a3c-1111-4222-8333-444455556666"}
	keys := []string{"id", "person_id", "date", "type"}
	e.Run(t, vars, []apptest.Case{
		{Name: "log, self", As: w.artist, Method: "POST", Path: "/data/persons/{artist}/desktop-login-logs", Body: map[string]any{"date": "2026-03-04T09:00:00"}, Status: 201, Keys: keys},
		{Name: "log, now", As: w.artist, Method: "POST", Path: "/data/persons/{artist}/desktop-login-logs", Body: map[string]any{}, Status: 201, Keys: keys},
		{Name: "log, no body", As: w.artist, Method: "POST", Path: "/data/persons/{artist}/desktop-login-logs", Status: 201, Keys: keys},
		{Name: "log, other", As: w.other, Method: "POST", Path: "/data/persons/{artist}/desktop-login-logs", Body: map[string]any{}, Status: 403},
		{Name: "log, bad date", As: w.artist, Method: "POST", Path: "/data/persons/{artist}/desktop-login-logs", Body: map[string]any{"date": "yesterday"}, Status: 400},
		{Name: "log, date of the wrong type", As: w.artist, Method: "POST", Path: "/data/persons/{artist}/desktop-login-logs", Body: map[string]any{"date": 12}, Status: 400},
		{Name: "log, unknown person", As: e.Admin, Method: "POST", Path: "/data/persons/{missing}/desktop-login-logs", Body: map[string]any{}, Status: 404},
		{Name: "list, self", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/desktop-login-logs", Status: 200, Keys: keys, Len: 3},
		{Name: "list, manager", As: w.manager, Method: "GET", Path: "/data/persons/{artist}/desktop-login-logs", Status: 200, Len: 3},
		{Name: "list, other artist", As: w.other, Method: "GET", Path: "/data/persons/{artist}/desktop-login-logs", Status: 403},
		{Name: "list, unknown", As: e.Admin, Method: "GET", Path: "/data/persons/{missing}/desktop-login-logs", Status: 404},
		{Name: "presence, artist", As: w.artist, Method: "GET", Path: "/data/persons/presence-logs/2026-03", Status: 403},
		{Name: "presence, bad month", As: e.Admin, Method: "GET", Path: "/data/persons/presence-logs/2026-13", Status: 400},
	})
	if got := sqlInt(t, e, "SELECT count(*) FROM person WHERE id = ? AND last_presence IS NOT NULL", w.artist.ID); got != 1 {
		t.Errorf("last_presence not set after a desktop login")
	}
	r := e.Must(200, "GET", "/data/persons/presence-logs/2026-03", nil, e.Admin.Token)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("presence content type %q", ct)
	}
	lines := strings.Split(strings.TrimSpace(string(r.Body)), "\r\n")
	if lines[0] != "2026;1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23;24;25;26;27;28;29;30;31" {
		t.Errorf("presence header: %q", lines[0])
	}
	found := false
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "User ") && strings.Count(l, "X") == 1 && strings.Split(l, ";")[4] == "X" {
			found = true
		}
	}
	if !found {
		t.Errorf("no line with the artist's login on the 4th:\n%s", r.Body)
	}
}

func TestPersonsAdminActions(t *testing.T) {
	w := personsSetup(t)
	e := w.e
	otherAdmin := e.NewPerson("admin")
	vars := map[string]string{"artist": w.artist.ID, "bot": w.bot.ID, "admin2": otherAdmin.ID, "me": e.Admin.ID,
		"dep": w.animDep, "missing": "6f1f0a3c-1111-4222-8333-444455556666"}
	e.Run(t, vars, []apptest.Case{
		{Name: "reset link", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/reset-password-link", Status: 200, Keys: []string{"reset_password_link"}},
		{Name: "reset link, artist", As: w.artist, Method: "POST", Path: "/actions/persons/{artist}/reset-password-link", Status: 403},
		{Name: "reset link, another admin", As: e.Admin, Method: "POST", Path: "/actions/persons/{admin2}/reset-password-link", Status: 400},
		{Name: "reset link, bot", As: e.Admin, Method: "POST", Path: "/actions/persons/{bot}/reset-password-link", Status: 403},

		{Name: "add to department", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/departments/add", Body: map[string]any{"department_id": w.animDep}, Status: 201, Keys: []string{"id", "departments", "type"}, NoKeys: []string{"password"}},
		{Name: "add twice", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/departments/add", Body: map[string]any{"department_id": w.animDep}, Status: 201},
		{Name: "add, unknown department", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/departments/add", Body: map[string]any{"department_id": "{missing}"}, Status: 400},
		{Name: "add, no department", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/departments/add", Body: map[string]any{}, Status: 400},
		{Name: "add, department of the wrong type", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/departments/add", Body: map[string]any{"department_id": 3}, Status: 400},
		{Name: "add, unknown person", As: e.Admin, Method: "POST", Path: "/actions/persons/{missing}/departments/add", Body: map[string]any{"department_id": w.animDep}, Status: 404},
		{Name: "add, manager", As: w.manager, Method: "POST", Path: "/actions/persons/{artist}/departments/add", Body: map[string]any{"department_id": w.animDep}, Status: 403},
		{Name: "remove, unknown department", As: e.Admin, Method: "DELETE", Path: "/actions/persons/{artist}/departments/{missing}", Status: 400},
		{Name: "remove", As: e.Admin, Method: "DELETE", Path: "/actions/persons/{artist}/departments/{dep}", Status: 204},

		{Name: "password, mismatch", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/change-password", Body: map[string]any{"password": "long-enough-1", "password_2": "long-enough-2"}, Status: 400},
		{Name: "password, short", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/change-password", Body: map[string]any{"password": "short", "password_2": "short"}, Status: 400},
		{Name: "password, missing", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/change-password", Body: map[string]any{"password": "long-enough-1"}, Status: 400},
		{Name: "password, another admin", As: e.Admin, Method: "POST", Path: "/actions/persons/{admin2}/change-password", Body: map[string]any{"password": "long-enough-1", "password_2": "long-enough-1"}, Status: 400},
		{Name: "password, artist", As: w.artist, Method: "POST", Path: "/actions/persons/{artist}/change-password", Body: map[string]any{"password": "long-enough-1", "password_2": "long-enough-1"}, Status: 403},
		{Name: "password", As: e.Admin, Method: "POST", Path: "/actions/persons/{artist}/change-password", Body: map[string]any{"password": "long-enough-1", "password_2": "long-enough-1"}, Status: 200, Keys: []string{"success"}},

		{Name: "2FA not on", As: e.Admin, Method: "DELETE", Path: "/actions/persons/{artist}/disable-two-factor-authentication", Status: 400},
		{Name: "2FA of another admin", As: e.Admin, Method: "DELETE", Path: "/actions/persons/{admin2}/disable-two-factor-authentication", Status: 400},
		{Name: "2FA, artist", As: w.artist, Method: "DELETE", Path: "/actions/persons/{artist}/disable-two-factor-authentication", Status: 403},

		{Name: "clear avatar", As: e.Admin, Method: "DELETE", Path: "/actions/persons/{artist}/clear-avatar", Status: 204},
		{Name: "clear avatar, artist", As: w.artist, Method: "DELETE", Path: "/actions/persons/{artist}/clear-avatar", Status: 403},
		{Name: "clear avatar, unknown", As: e.Admin, Method: "DELETE", Path: "/actions/persons/{missing}/clear-avatar", Status: 404},
	})
	// The new password works; the reset link is stable within its life.
	mustLogin(t, e, w.artist.Email, "long-enough-1")
	a := e.Must(200, "POST", "/actions/persons/"+w.artist.ID+"/reset-password-link", nil, e.Admin.Token).Object(t)
	b := e.Must(200, "POST", "/actions/persons/"+w.artist.ID+"/reset-password-link", nil, e.Admin.Token).Object(t)
	if a["reset_password_link"] != b["reset_password_link"] || !strings.Contains(a["reset_password_link"].(string), "/reset-change-password?email=") {
		t.Errorf("reset links %v / %v", a, b)
	}
	if n := e.Count("department_link", "person_id = ?", w.artist.ID); n != 0 {
		t.Errorf("department links after add twice and remove: %d", n)
	}
	// 2FA switched on, then off by the admin.
	sqlExec(t, e, "UPDATE person SET totp_enabled = true, totp_secret = 'ABCDEF' WHERE id = ?", w.artist.ID)
	e.Must(200, "DELETE", "/actions/persons/"+w.artist.ID+"/disable-two-factor-authentication", nil, e.Admin.Token)
	if n := sqlInt(t, e, "SELECT count(*) FROM person WHERE id = ? AND totp_enabled = false AND totp_secret IS NULL", w.artist.ID); n != 1 {
		t.Errorf("2FA still on")
	}
	if names := strings.Join(e.EventNames(), ","); !strings.Contains(names, "person:update") {
		t.Errorf("no person:update event: %s", names)
	}
}

func TestPersonsDeleteForce(t *testing.T) {
	w := personsSetup(t)
	e := w.e
	personsLog(t, e, w.layoutTask, w.artist.ID, "2026-03-02", 3600)
	r := e.Must(http.StatusBadRequest, "DELETE", "/data/persons/"+w.artist.ID, nil, e.Admin.Token).Object(t)
	if r["message"] != "Some data are still linked to given person." {
		t.Errorf("delete without force: %v", r)
	}
	if e.Count("person", "id = ?", w.artist.ID) != 1 {
		t.Fatal("the person went away without force")
	}
	e.Must(http.StatusNoContent, "DELETE", "/data/persons/"+w.artist.ID+"?force=true", nil, e.Admin.Token)
	for table, where := range map[string]string{"person": "id = ?", "time_spent": "person_id = ?",
		"task_person_link": "person_id = ?", "project_person_link": "person_id = ?"} {
		if n := e.Count(table, where, w.artist.ID); n != 0 {
			t.Errorf("%s rows left: %d", table, n)
		}
	}
	if e.Count("task", "id = ?", w.layoutTask) != 1 {
		t.Error("the task went away with its assignee")
	}
	// A person with nothing linked goes without force.
	lone := e.NewPerson("user")
	e.Must(http.StatusNoContent, "DELETE", "/data/persons/"+lone.ID, nil, e.Admin.Token)
	_ = context.Background()
}

func TestPersonsDepartmentLinks(t *testing.T) {
	e := apptest.New(t)
	artist := e.NewPerson("user")
	dep := e.Department("Modeling")
	sw := e.ID("softwares", map[string]any{"name": "Blender", "short_name": "bl", "file_extension": ".blend"})
	hw := e.ID("hardware-items", map[string]any{"name": "Workstation", "short_name": "ws"})
	vars := map[string]string{"dep": dep, "sw": sw, "hw": hw, "missing": "6f1f0a3c-1111-4222-8333-444455556666"}
	e.Run(t, vars, []apptest.Case{
		{Name: "add software", As: e.Admin, Method: "POST", Path: "/data/departments/{dep}/software-licenses", Body: map[string]any{"software_id": sw}, Status: 201, Keys: []string{"id", "department_id", "software_id"}},
		{Name: "add software again", As: e.Admin, Method: "POST", Path: "/data/departments/{dep}/software-licenses", Body: map[string]any{"software_id": sw}, Status: 201},
		{Name: "add software, artist", As: artist, Method: "POST", Path: "/data/departments/{dep}/software-licenses", Body: map[string]any{"software_id": sw}, Status: 403},
		{Name: "add software, unknown", As: e.Admin, Method: "POST", Path: "/data/departments/{dep}/software-licenses", Body: map[string]any{"software_id": "{missing}"}, Status: 404},
		{Name: "add software, unknown department", As: e.Admin, Method: "POST", Path: "/data/departments/{missing}/software-licenses", Body: map[string]any{"software_id": sw}, Status: 404},
		{Name: "add software, malformed department", As: e.Admin, Method: "POST", Path: "/data/departments/nope/software-licenses", Body: map[string]any{"software_id": sw}, Status: 400},
		{Name: "add software, missing field", As: e.Admin, Method: "POST", Path: "/data/departments/{dep}/software-licenses", Body: map[string]any{}, Status: 400},
		{Name: "all software", As: e.Admin, Method: "GET", Path: "/data/departments/software-licenses", Status: 200, Check: func(t *testing.T, r *apptest.Response) {
			m := r.Object(t)
			if list, _ := m[dep].([]any); len(list) != 1 || list[0].(map[string]any)["name"] != "Blender" {
				t.Errorf("software by department: %s", r.Body)
			}
		}},
		{Name: "all software, artist", As: artist, Method: "GET", Path: "/data/departments/software-licenses", Status: 403},
		{Name: "department software", As: e.Admin, Method: "GET", Path: "/data/departments/{dep}/software-licenses/{sw}", Status: 200, Keys: []string{"id", "name", "type"}, Len: 1},
		{Name: "add hardware", As: e.Admin, Method: "POST", Path: "/data/departments/{dep}/hardware-items", Body: map[string]any{"hardware_item_id": hw}, Status: 201, Keys: []string{"id", "department_id", "hardware_item_id"}},
		{Name: "department hardware", As: e.Admin, Method: "GET", Path: "/data/departments/{dep}/hardware-items/{hw}", Status: 200, Len: 1},
		{Name: "all hardware", As: e.Admin, Method: "GET", Path: "/data/departments/hardware-items", Status: 200},
		{Name: "remove software", As: e.Admin, Method: "DELETE", Path: "/data/departments/{dep}/software-licenses/{sw}", Status: 204},
		{Name: "remove software, malformed", As: e.Admin, Method: "DELETE", Path: "/data/departments/{dep}/software-licenses/nope", Status: 400},
		{Name: "remove hardware", As: e.Admin, Method: "DELETE", Path: "/data/departments/{dep}/hardware-items/{hw}", Status: 204},
	})
	if n := e.Count("software_department_link", ""); n != 0 {
		t.Errorf("software links left: %d", n)
	}
	// GET /data/departments/<id> is still the generic route.
	e.Must(200, "GET", "/data/departments/"+dep, nil, artist.Token)
}
