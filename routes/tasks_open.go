package routes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// The studio-wide task board (Kitsu's "Tasks" page): tasks of open
// productions with filters, a page of rows and totals.

// tasksOpenExtra are the keys get_open_tasks adds to each task.
var tasksOpenExtra = append(slices.Clone(tasksEntityExtra),
	engine.Extra{Key: "type_name", SQL: "tt.name", Kind: engine.KindText},
	engine.Extra{Key: "status_name", SQL: "ts.name", Kind: engine.KindText},
	engine.Extra{Key: "type_color", SQL: "tt.color", Kind: engine.KindText},
	engine.Extra{Key: "status_color", SQL: "ts.color", Kind: engine.KindText},
	engine.Extra{Key: "status_short_name", SQL: "ts.short_name", Kind: engine.KindText},
)

// tasksOpenFilters reads the filters of GET /data/tasks/open-tasks into a
// where function over tasksDetailJoins (400 on malformed values; 404 for a
// project out of the caller's reach). Vendors only see their own tasks:
// Zou shows them the whole team's, which leaks other vendors' work.
func (s *Server) tasksOpenFilters(c *gin.Context, who *access.Caller) (func(*bun.SelectQuery) *bun.SelectQuery, error) {
	ctx := c.Request.Context()
	ids := map[string]string{}
	for _, k := range []string{"task_type_id", "task_status_id", "studio_id", "department_id", "project_id"} {
		v := c.Query(k)
		if v != "" && !engine.IsUUID(v) {
			return nil, engine.BadRequest(fmt.Sprintf("Invalid value for %s: %q is not an id.", k, v))
		}
		ids[k] = v
	}
	var persons []string
	unassigned := false
	if v := c.Query("person_id"); v == "unassigned" {
		unassigned = true
	} else if v != "" {
		for _, id := range strings.Split(v, ",") {
			if !engine.IsUUID(id) {
				return nil, engine.BadRequest(fmt.Sprintf("Invalid value for person_id: %q is not an id.", id))
			}
			persons = append(persons, id)
		}
	}
	var dates [2]string
	for i, k := range []string{"start_date", "due_date"} {
		if v := c.Query(k); v != "" {
			d, err := pathDate(v)
			if err != nil {
				return nil, err
			}
			dates[i] = d.Format("2006-01-02")
		}
	}
	var priority *int
	if v := c.Query("priority"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, engine.BadRequest("priority must be an integer.")
		}
		priority = &n
	}
	if ids["project_id"] != "" {
		if _, err := who.Project(ctx, ids["project_id"]); err != nil {
			return nil, err
		}
	}
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		q = tasksDetailJoins(q)
		switch {
		case ids["project_id"] != "":
			q = q.Where("t.project_id = ?", ids["project_id"])
		case who.IsAdmin():
			q = q.Where("t.project_id IN (SELECT op.id FROM project op JOIN project_status ops ON ops.id = op.project_status_id WHERE ops.name = 'Open')")
		default:
			q = q.Where("t.project_id IN ("+access.OpenTeamProjectsSQL+")", who.PersonID)
		}
		if who.Role == "vendor" {
			q = q.Where("EXISTS (SELECT 1 FROM task_person_link vl WHERE vl.task_id = t.id AND vl.person_id = ?)", who.PersonID)
		}
		if ids["task_type_id"] != "" {
			q = q.Where("t.task_type_id = ?", ids["task_type_id"])
		} else {
			q = q.Where("tt.for_entity IS DISTINCT FROM 'Concept'")
		}
		if ids["task_status_id"] != "" {
			q = q.Where("t.task_status_id = ?", ids["task_status_id"])
		}
		if unassigned {
			q = q.Where("NOT EXISTS (SELECT 1 FROM task_person_link ul WHERE ul.task_id = t.id)")
		} else if len(persons) > 0 {
			q = q.Where("EXISTS (SELECT 1 FROM task_person_link pl WHERE pl.task_id = t.id AND pl.person_id IN (?))", bun.List(persons))
		}
		if ids["studio_id"] != "" {
			q = q.Where(`EXISTS (SELECT 1 FROM task_person_link sl JOIN person sp ON sp.id = sl.person_id
				WHERE sl.task_id = t.id AND sp.studio_id = ?)`, ids["studio_id"])
		}
		if ids["department_id"] != "" {
			q = q.Where(`EXISTS (SELECT 1 FROM task_person_link dl JOIN department_link dd ON dd.person_id = dl.person_id
				WHERE dl.task_id = t.id AND dd.department_id = ?)`, ids["department_id"])
		}
		if dates[0] != "" {
			q = q.Where("t.start_date >= ?::timestamp", dates[0])
		}
		if dates[1] != "" {
			q = q.Where("t.due_date <= ?::timestamp", dates[1])
		}
		if priority != nil {
			q = q.Where("tt.priority = ?", *priority)
		}
		return q
	}, nil
}

// tasksOpen is GET /data/tasks/open-tasks: {data, stats, limit, is_more, page}.
func (s *Server) tasksOpen(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	where, err := s.tasksOpenFilters(c, who)
	if err != nil {
		return 0, nil, err
	}
	limit, page := 100, 0
	for k, dst := range map[string]*int{"limit": &limit, "page": &page} {
		if v := c.Query(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return 0, nil, engine.BadRequest(k + " must be a positive integer.")
			}
			*dst = n
		}
	}
	if limit == 0 {
		limit = 100
	}
	offset := 0
	if page > 0 {
		offset = (page - 1) * limit
	}
	rows, err := s.Engine.Rows(ctx, nil, s.tasksColl("tasks"), engine.View{Relations: true, Extra: tasksOpenExtra},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return where(q).OrderExpr("p.name, ep.name, seq.name, et.name, e.name, tt.name, t.id").
				Limit(int64(limit)).Offset(int64(offset))
		})
	if err != nil {
		return 0, nil, err
	}
	if page == 0 {
		page = 1
	}
	out := map[string]any{"data": []any{}, "limit": limit, "is_more": false, "page": page,
		"stats": map[string]any{"total_duration": 0, "total_estimation": 0, "total": 0, "status": []any{}}}
	if len(rows) <= 2 {
		return http.StatusOK, out, nil
	}
	var stats []struct {
		Status     string  `bun:"task_status_id"`
		Amount     int     `bun:"amount"`
		Duration   float64 `bun:"total_duration"`
		Estimation float64 `bun:"total_estimation"`
	}
	err = where(s.DB.NewSelect().TableExpr("task AS t")).
		ColumnExpr("ts.id::text AS task_status_id, count(*) AS amount").
		ColumnExpr("COALESCE(sum(t.duration), 0) AS total_duration, COALESCE(sum(t.estimation), 0) AS total_estimation").
		GroupExpr("ts.id").OrderExpr("ts.id").Scan(ctx, &stats)
	if err != nil {
		return 0, nil, fmt.Errorf("open task stats: %w", err)
	}
	total, duration, estimation := 0, 0.0, 0.0
	status := make([]map[string]any, 0, len(stats))
	for _, st := range stats {
		total += st.Amount
		duration += st.Duration
		estimation += st.Estimation
		status = append(status, map[string]any{"task_status_id": st.Status, "amount": st.Amount})
	}
	var list []json.RawMessage
	if err := json.Unmarshal(rows, &list); err != nil {
		return 0, nil, fmt.Errorf("open tasks: %w", err)
	}
	out["data"] = list
	out["is_more"] = len(list) == limit
	out["stats"] = map[string]any{"total_duration": duration, "total_estimation": estimation, "total": total, "status": status}
	return http.StatusOK, out, nil
}

// tasksOpenStats is GET /data/tasks/open-tasks/stats: per open project of
// the caller (every open one for admins), totals by task type and status.
func (s *Server) tasksOpenStats(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	var rows []struct {
		Project    string  `bun:"project_id" json:"project_id"`
		TaskType   string  `bun:"task_type_id" json:"task_type_id"`
		Status     string  `bun:"task_status_id" json:"task_status_id"`
		Amount     int     `bun:"amount" json:"amount"`
		Done       int     `bun:"amount_done" json:"amount_done"`
		Duration   float64 `bun:"total_duration" json:"total_duration"`
		Estimation float64 `bun:"total_estimation" json:"total_estimation"`
	}
	q := s.DB.NewSelect().TableExpr("task AS t").
		Join("JOIN task_type tt ON tt.id = t.task_type_id").
		Join("JOIN task_status ts ON ts.id = t.task_status_id").
		ColumnExpr("t.project_id::text AS project_id, t.task_type_id::text AS task_type_id, t.task_status_id::text AS task_status_id").
		ColumnExpr("count(*) AS amount, count(*) FILTER (WHERE ts.is_done IS TRUE) AS amount_done").
		ColumnExpr("COALESCE(sum(t.duration), 0) AS total_duration, COALESCE(sum(t.estimation), 0) AS total_estimation").
		Where("tt.for_entity IS DISTINCT FROM 'Concept'").
		GroupExpr("t.project_id, t.task_type_id, t.task_status_id").
		OrderExpr("t.project_id, t.task_type_id, t.task_status_id")
	if who.IsAdmin() {
		q = q.Where("t.project_id IN (SELECT op.id FROM project op JOIN project_status ops ON ops.id = op.project_status_id WHERE ops.name = 'Open')")
	} else {
		q = q.Where("t.project_id IN ("+access.OpenTeamProjectsSQL+")", who.PersonID)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return 0, nil, fmt.Errorf("open task stats: %w", err)
	}
	out := map[string]map[string]any{}
	for _, r := range rows {
		p, ok := out[r.Project]
		if !ok {
			p = map[string]any{"amount": 0, "amount_done": 0, "total_duration": 0.0, "total_estimation": 0.0, "task_types": []any{}}
			out[r.Project] = p
		}
		p["amount"] = p["amount"].(int) + r.Amount
		p["amount_done"] = p["amount_done"].(int) + r.Done
		p["total_duration"] = p["total_duration"].(float64) + r.Duration
		p["total_estimation"] = p["total_estimation"].(float64) + r.Estimation
		p["task_types"] = append(p["task_types"].([]any), r)
	}
	return http.StatusOK, out, nil
}

// tasksDateFormat is how Zou prints these dates (Python's str(datetime)).
const tasksDateFormat = `'YYYY-MM-DD HH24:MI:SS'`

// tasksPersonsDates is GET /data/persons/task-dates[?project_id=]: for each
// active person, the first start and last due date of their tasks, for the
// team schedule. Admins see every open production (or the one asked);
// managers and supervisors their own open productions, and the other open
// ones only as anonymous merged busy periods. A missing date is null (Zou
// prints the string "None").
func (s *Server) tasksPersonsDates(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	projectID := strings.TrimSpace(c.Query("project_id"))
	if projectID != "" && !engine.IsUUID(projectID) {
		return 0, nil, engine.BadRequest("Invalid project_id.")
	}
	const openSQL = "SELECT op.id FROM project op JOIN project_status ops ON ops.id = op.project_status_id WHERE ops.name = 'Open'"
	scope, scopeArgs := openSQL, []any{}
	busy, busyArgs := "", []any{}
	if !who.IsAdmin() {
		if who.Role != "manager" && who.Role != "supervisor" {
			return 0, nil, engine.Forbidden()
		}
		if projectID == "" {
			scope, scopeArgs = access.OpenTeamProjectsSQL, []any{who.PersonID}
			busy, busyArgs = openSQL+" AND op.id NOT IN ("+access.OpenTeamProjectsSQL+")", []any{who.PersonID}
		}
	}
	if projectID != "" {
		if _, err := who.Project(ctx, projectID); err != nil {
			return 0, nil, err
		}
		scope, scopeArgs = "SELECT ?::uuid", []any{projectID}
	}
	var rows []struct {
		Person string  `bun:"person_id"`
		Min    *string `bun:"min_date"`
		Max    *string `bun:"max_date"`
	}
	err := s.DB.NewRaw(`SELECT p.id::text AS person_id, to_char(min(t.start_date), `+tasksDateFormat+`) AS min_date,
		to_char(max(t.due_date), `+tasksDateFormat+`) AS max_date
		FROM task t JOIN task_person_link l ON l.task_id = t.id JOIN person p ON p.id = l.person_id
		WHERE p.active IS TRUE AND t.project_id IN (`+scope+`) GROUP BY p.id ORDER BY p.id`, scopeArgs...).Scan(ctx, &rows)
	if err != nil {
		return 0, nil, fmt.Errorf("persons task dates: %w", err)
	}
	type period struct {
		Start string `json:"start_date"`
		End   string `json:"end_date"`
	}
	type entry struct {
		PersonID string   `json:"person_id"`
		Min      *string  `json:"min_date"`
		Max      *string  `json:"max_date"`
		Busy     []period `json:"busy_periods"`
	}
	out := []*entry{}
	byPerson := map[string]*entry{}
	for _, r := range rows {
		en := &entry{PersonID: r.Person, Min: r.Min, Max: r.Max, Busy: []period{}}
		out = append(out, en)
		byPerson[r.Person] = en
	}
	if busy != "" {
		var spans []struct {
			Person string `bun:"person_id"`
			Start  string `bun:"start_date"`
			End    string `bun:"end_date"`
		}
		err := s.DB.NewRaw(`SELECT l.person_id::text AS person_id, to_char(t.start_date, `+tasksDateFormat+`) AS start_date,
			to_char(t.due_date, `+tasksDateFormat+`) AS end_date
			FROM task t JOIN task_person_link l ON l.task_id = t.id JOIN person p ON p.id = l.person_id
			WHERE p.active IS TRUE AND t.start_date IS NOT NULL AND t.due_date IS NOT NULL AND t.project_id IN (`+busy+`)
			ORDER BY l.person_id, t.start_date, t.due_date`, busyArgs...).Scan(ctx, &spans)
		if err != nil {
			return 0, nil, fmt.Errorf("persons busy periods: %w", err)
		}
		// Rows come sorted by person then start: overlapping spans merge so
		// the periods reveal neither the number of tasks nor their split.
		for _, sp := range spans {
			en := byPerson[sp.Person]
			if en == nil {
				en = &entry{PersonID: sp.Person, Busy: []period{}}
				out = append(out, en)
				byPerson[sp.Person] = en
			}
			if n := len(en.Busy); n > 0 && sp.Start <= en.Busy[n-1].End {
				if sp.End > en.Busy[n-1].End {
					en.Busy[n-1].End = sp.End
				}
				continue
			}
			en.Busy = append(en.Busy, period{Start: sp.Start, End: sp.End})
		}
	}
	return http.StatusOK, out, nil
}
