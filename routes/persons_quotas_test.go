package routes_test

import (
	"fmt"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// personsQuotaWorld adds to personsWorld the shots of a quota in March 2026,
// all of the layout task type:
//   - SQ01/SH010: time logged by the artist on the 2nd and 3rd (1/8 and 1/4
//     of the task), and in April; feedback on the 4th at 23:30 UTC (the 5th
//     in Paris); never approved.
//   - SQ01/SH020: nothing logged; started Monday the 2nd 09:00, feedback
//     Friday the 6th 17:00 (five business days).
//   - EP01/SQ02/SH030: nothing logged; started the 9th, feedback the 10th,
//     approved the 12th.
//   - SQ01/SH040: time logged, but its task has no duration to share out.
//
// The animation task of SH010 also has time logged: another task type.
func personsQuotaWorld(t *testing.T) (*personsWorld, map[string]string) {
	t.Helper()
	w := personsSetup(t)
	e := w.e
	seq := personsSQLString(t, e, "SELECT parent_id::text FROM entity WHERE id = (SELECT entity_id FROM task WHERE id = ?)", w.layoutTask)
	sh010 := personsSQLString(t, e, "SELECT entity_id::text FROM task WHERE id = ?", w.layoutTask)
	sh020 := e.Shot(w.project, seq, "SH020")
	sh040 := e.Shot(w.project, seq, "SH040")
	ep := e.Episode(w.project, "EP01")
	sh030 := e.Shot(w.project, e.Sequence(w.project, ep, "SQ02"), "SH030")
	t20 := e.Task(w.project, sh020, w.layoutType, w.status, w.artist.ID)
	t30 := e.Task(w.project, sh030, w.layoutType, w.status, w.artist.ID)
	t40 := e.Task(w.project, sh040, w.layoutType, w.status, w.artist.ID)

	sqlExec(t, e, "UPDATE task SET duration = 480, real_start_date = '2026-03-02 08:00', end_date = '2026-03-04 23:30' WHERE id = ?", w.layoutTask)
	sqlExec(t, e, "UPDATE task SET duration = 600, real_start_date = '2026-03-02 09:00', end_date = '2026-03-06 17:00' WHERE id = ?", t20)
	sqlExec(t, e, "UPDATE task SET duration = 600, real_start_date = '2026-03-09 09:00', end_date = '2026-03-10 18:00', done_date = '2026-03-12 12:00' WHERE id = ?", t30)
	sqlExec(t, e, "UPDATE task SET duration = 0, real_start_date = '2026-03-02 09:00', end_date = '2026-03-05 12:00' WHERE id = ?", t40)
	sqlExec(t, e, "UPDATE task SET duration = 480, end_date = '2026-03-05 12:00' WHERE id = ?", w.animTask)
	personsLog(t, e, w.layoutTask, w.artist.ID, "2026-03-02", 60)
	personsLog(t, e, w.layoutTask, w.artist.ID, "2026-03-03", 120)
	personsLog(t, e, w.layoutTask, w.artist.ID, "2026-04-01", 60)
	personsLog(t, e, t40, w.artist.ID, "2026-03-03", 60)
	personsLog(t, e, w.animTask, w.artist.ID, "2026-03-03", 240)
	sqlExec(t, e, "UPDATE person SET timezone = 'Europe/Paris'")
	return w, map[string]string{"artist": w.artist.ID, "other": w.other.ID, "bot": w.bot.ID, "project": w.project,
		"layout": w.layoutType, "missing": "6f1f0a3c-1111-4222-8333-444455556666",
		"sh010": sh010, "sh020": sh020, "sh030": sh030}
}

func personsSQLString(t *testing.T, e *apptest.Env, query string, args ...any) string {
	t.Helper()
	var s string
	if err := e.App.DB.NewRaw(query, args...).Scan(t.Context(), &s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}

// personsQuotaExpect checks the shots of an answer, in order: full name and weight.
func personsQuotaExpect(want ...any) func(*testing.T, *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		list := r.List(t)
		var got []any
		for _, s := range list {
			got = append(got, s["full_name"], s["weight"])
		}
		if fmt.Sprintf("%v", got) != fmt.Sprintf("%v", want) {
			t.Errorf("quota shots %v, want %v\n%s", got, want, r.Body)
		}
	}
}

func TestPersonsQuotaShots(t *testing.T) {
	w, vars := personsQuotaWorld(t)
	e := w.e
	projectManager := e.NewPerson("user") // a manager by his role in the project only
	e.AddToTeam(w.project, projectManager.ID, "manager")
	q := "?project_id={project}&task_type_id={layout}"
	month := "/data/persons/{artist}/quota-shots/month/2026/3" + q
	keys := []string{"id", "name", "full_name", "weight", "type", "parent_id", "project_id", "entity_type_id", "nb_frames"}
	e.Run(t, vars, []apptest.Case{
		// Who may read: the person, admins, managers of the project.
		{Name: "self", As: w.artist, Method: "GET", Path: month, Status: 200, Keys: keys, Len: 3},
		{Name: "admin", As: e.Admin, Method: "GET", Path: month, Status: 200, Len: 3},
		{Name: "manager of the project", As: w.manager, Method: "GET", Path: month, Status: 200, Len: 3},
		{Name: "manager by project role", As: projectManager, Method: "GET", Path: month, Status: 200, Len: 3},
		{Name: "another artist", As: w.other, Method: "GET", Path: month, Status: 403},
		{Name: "supervisor of the project", As: w.sup, Method: "GET", Path: month, Status: 403},
		{Name: "manager outside the team", As: w.outsider, Method: "GET", Path: month, Status: 404},
		{Name: "manager without a project", As: w.manager, Method: "GET", Path: "/data/persons/{artist}/quota-shots/month/2026/3", Status: 403},
		{Name: "bot target", As: e.Admin, Method: "GET", Path: "/data/persons/{bot}/quota-shots/month/2026/3" + q, Status: 403},
		{Name: "unknown person", As: e.Admin, Method: "GET", Path: "/data/persons/{missing}/quota-shots/month/2026/3" + q, Status: 404},
		{Name: "unknown project", As: e.Admin, Method: "GET", Path: "/data/persons/{artist}/quota-shots/month/2026/3?project_id={missing}&task_type_id={layout}", Status: 404},
		{Name: "unauthenticated", Method: "GET", Path: month, Status: 401},

		// Bad input.
		{Name: "bad count mode", As: w.artist, Method: "GET", Path: month + "&count_mode=all", Status: 400, Keys: []string{"error", "message"}},
		{Name: "empty count mode", As: w.artist, Method: "GET", Path: month + "&count_mode=", Status: 400},
		{Name: "month 13", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/month/2026/13" + q, Status: 400},
		{Name: "week 54", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/week/2026/54" + q, Status: 400},
		{Name: "february 30", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/day/2026/2/30" + q, Status: 400},
		{Name: "year not a number", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/year/twenty" + q, Status: 400},
		{Name: "malformed project", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/month/2026/3?project_id=nope&task_type_id={layout}", Status: 400},
		{Name: "malformed task type", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/month/2026/3?project_id={project}&task_type_id=nope", Status: 400},
		// Zou filters on the project and task type as given: none, no shot.
		// Kitsu builds its query strings loosely.
		{Name: "loose query string", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/month/2026/3?&project_id={project}&&task_type_id={layout}&count_mode=weighted", Status: 200,
			Check: personsQuotaExpect("EP01 / SQ02 / SH030", 1, "SQ01 / SH010", 0.37, "SQ01 / SH020", 1)},
		{Name: "no task type", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/month/2026/3?project_id={project}", Status: 200, Check: personsQuotaExpect()},

		// Weighted by time logged (SH010: 0.12 + 0.25; SH040 has no task
		// duration), else by business days in the period.
		{Name: "month, weighted", As: w.artist, Method: "GET", Path: month, Status: 200,
			Check: personsQuotaExpect("EP01 / SQ02 / SH030", 1, "SQ01 / SH010", 0.37, "SQ01 / SH020", 1)},
		{Name: "week, weighted", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/week/2026/10" + q, Status: 200,
			Check: personsQuotaExpect("SQ01 / SH010", 0.37, "SQ01 / SH020", 1)},
		// Wednesday the 4th is one business day of SH020's five.
		{Name: "day, weighted", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/day/2026/3/4" + q, Status: 200,
			Check: personsQuotaExpect("SQ01 / SH020", 0.2)},
		{Name: "day of a time spent", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/day/2026/3/3" + q, Status: 200,
			Check: personsQuotaExpect("SQ01 / SH010", 0.25, "SQ01 / SH020", 0.2)},
		{Name: "year, weighted", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/year/2026" + q, Status: 200,
			Check: personsQuotaExpect("EP01 / SQ02 / SH030", 1, "SQ01 / SH010", 0.49, "SQ01 / SH020", 1)},
		// Counted at approval: only SH030 was approved (the 9th to the 12th 12:00: four business days).
		{Name: "month, weighted done", As: w.artist, Method: "GET", Path: month + "&count_mode=weighteddone", Status: 200,
			Check: personsQuotaExpect("EP01 / SQ02 / SH030", 1)},
		{Name: "day, weighted done", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/day/2026/3/11" + q + "&count_mode=weighteddone", Status: 200,
			Check: personsQuotaExpect("EP01 / SQ02 / SH030", 0.25)},

		// Raw: each shot once, on its feedback (or approval) day, in the
		// caller's timezone: SH010's feedback is the 5th in Paris.
		{Name: "month, feedback", As: w.artist, Method: "GET", Path: month + "&count_mode=feedback", Status: 200, Keys: keys,
			Check: personsQuotaExpect("EP01 / SQ02 / SH030", 1, "SQ01 / SH010", 1, "SQ01 / SH020", 1, "SQ01 / SH040", 1)},
		{Name: "month, done", As: w.artist, Method: "GET", Path: month + "&count_mode=done", Status: 200,
			Check: personsQuotaExpect("EP01 / SQ02 / SH030", 1)},
		{Name: "day in Paris, feedback", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/day/2026/3/5" + q + "&count_mode=feedback", Status: 200,
			Check: personsQuotaExpect("SQ01 / SH010", 1, "SQ01 / SH040", 1)},
		{Name: "the day before in Paris, feedback", As: w.artist, Method: "GET", Path: "/data/persons/{artist}/quota-shots/day/2026/3/4" + q + "&count_mode=feedback", Status: 200,
			Check: personsQuotaExpect()},
		// Another person's shots: the manager sees the artist's, not his own.
		{Name: "another person's quota", As: w.manager, Method: "GET", Path: "/data/persons/{other}/quota-shots/month/2026/3" + q, Status: 200,
			Check: personsQuotaExpect()},
	})

	// The same day read from UTC holds SH010's feedback.
	sqlExec(t, e, "UPDATE person SET timezone = 'UTC' WHERE id = ?", w.artist.ID)
	r := e.Must(200, "GET", "/data/persons/"+w.artist.ID+"/quota-shots/day/2026/3/4?project_id="+w.project+
		"&task_type_id="+w.layoutType+"&count_mode=feedback", nil, w.artist.Token)
	personsQuotaExpect("SQ01 / SH010", 1)(t, r)
	// Each shot is its entity row, typed as /data/entities types it (Zou says "Entity").
	shot := r.List(t)[0]
	if shot["id"] != vars["sh010"] || shot["type"] != "Shot" || shot["name"] != "SH010" {
		t.Errorf("shot row: %v", shot)
	}

	// The round trips do not grow with the shots: three shots cost what one does.
	qc := e.CountQueries()
	base := "/data/persons/" + w.artist.ID + "/quota-shots/"
	args := "?project_id=" + w.project + "&task_type_id=" + w.layoutType
	qc.Reset()
	e.Must(200, "GET", base+"month/2026/3"+args, nil, w.artist.Token)
	three := len(qc.Reset())
	e.Must(200, "GET", base+"day/2026/3/4"+args, nil, w.artist.Token)
	if one := len(qc.Reset()); one != three || three > 6 {
		t.Errorf("queries: %d for three shots, %d for one", three, one)
	}
}
