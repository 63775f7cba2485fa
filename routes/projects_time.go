package routes

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Time spent and days off seen from a production.

func (s *Server) mountProjectsTime(r gin.IRouter) {
	r.GET("/data/projects/:id/time-spents", s.route(s.projectsTimeSpents))
	r.GET("/data/projects/:id/task-types/:task_type_id/time-spents", s.route(s.projectsTaskTypeTimeSpents))
	r.GET("/data/projects/:id/day-offs", s.route(s.projectsDayOffs))
	r.GET("/data/projects/:id/budgets/time-spents", s.route(s.projectsMonthTimeSpents))
}

// projectsDateRange reads the optional start_date/end_date query values.
func projectsDateRange(c *gin.Context) (start, end any, err error) {
	for i, key := range []string{"start_date", "end_date"} {
		v, ok := c.GetQuery(key)
		if !ok || v == "" {
			continue
		}
		if _, err := pathDate(v); err != nil {
			return nil, nil, err
		}
		if i == 0 {
			start = v
		} else {
			end = v
		}
	}
	return start, end, nil
}

// projectsGrouped runs a query yielding one JSON object (rows grouped by a key).
func projectsGrouped(ctx context.Context, db bun.IDB, query string, args ...any) (json.RawMessage, error) {
	var out string
	if err := db.NewRaw(query, args...).Scan(ctx, &out); err != nil {
		return nil, err
	}
	return json.RawMessage(out), nil
}

// projectsTimeSpents is GET /data/projects/<id>/time-spents: every time spent
// on the project's tasks.
func (s *Server) projectsTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.projectsColl("time-spents"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.task_id IN (SELECT id FROM task WHERE project_id = ?)", pr.ID).OrderExpr("t.date, t.id")
	})
	return http.StatusOK, b, err
}

// projectsTaskTypeTimeSpents is GET /data/projects/<id>/task-types/<id>/time-spents:
// time spents of the task type's tasks, by person, latest first.
func (s *Server) projectsTaskTypeTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, taskType, err := projectsManagedPath(c, who, "task_type_id")
	if err != nil {
		return 0, nil, err
	}
	start, end, err := projectsDateRange(c)
	if err != nil {
		return 0, nil, err
	}
	obj := s.projectsColl("time-spents").ObjectSQL("ts")
	b, err := projectsGrouped(ctx, s.DB, `SELECT COALESCE(jsonb_object_agg(g.person_id, g.rows), '{}'::jsonb)::text FROM (
 SELECT ts.person_id, jsonb_agg(`+obj+` ORDER BY ts.date DESC) AS rows FROM time_spent ts JOIN task tk ON tk.id = ts.task_id
 WHERE tk.project_id = ? AND tk.task_type_id = ? AND (?::date IS NULL OR ts.date >= ?::date) AND (?::date IS NULL OR ts.date <= ?::date)
 GROUP BY ts.person_id) g`, pr.ID, taskType, start, start, end, end)
	return http.StatusOK, b, err
}

// projectsDayOffs is GET /data/projects/<id>/day-offs: days off of the team
// between start_date and end_date, by person; clients and vendors refused;
// non-managers see others' entries without their description.
func (s *Server) projectsDayOffs(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if who.Role == "client" || who.Role == "vendor" || pr.IsClient() || pr.IsVendor() {
		return 0, nil, engine.Forbidden()
	}
	start, end, err := projectsDateRange(c)
	if err != nil {
		return 0, nil, err
	}
	safe := who.Role == "admin" || who.Role == "manager"
	obj := s.projectsColl("day-offs").ObjectSQL("d")
	b, err := projectsGrouped(ctx, s.DB, `SELECT COALESCE(jsonb_object_agg(g.person_id, g.rows), '{}'::jsonb)::text FROM (
 SELECT d.person_id, jsonb_agg(CASE WHEN ? OR d.person_id = ? THEN `+obj+` ELSE `+obj+` - 'description' END ORDER BY d.date) AS rows
 FROM day_off d WHERE d.person_id IN (SELECT person_id FROM project_person_link WHERE project_id = ?)
 AND (?::date IS NULL OR d.end_date >= ?::date) AND (?::date IS NULL OR d.date <= ?::date)
 GROUP BY d.person_id) g`, safe, who.PersonID, pr.ID, start, start, end, end)
	return http.StatusOK, b, err
}

// projectsMonthTimeSpents is GET /data/projects/<id>/budgets/time-spents
// (admins): durations by department, person and month, with totals.
func (s *Server) projectsMonthTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	var rows []struct {
		Department string  `bun:"department_id"`
		Person     string  `bun:"person_id"`
		Month      string  `bun:"month"`
		Duration   float64 `bun:"duration"`
	}
	err = s.DB.NewRaw(`SELECT tt.department_id::text, ts.person_id::text, to_char(ts.date, 'YYYY-MM') AS month, sum(ts.duration) AS duration
 FROM time_spent ts JOIN task tk ON tk.id = ts.task_id JOIN task_type tt ON tt.id = tk.task_type_id
 WHERE tk.project_id = ? AND tt.department_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 3`, pr.ID).Scan(ctx, &rows)
	if err != nil && !projectsNoRows(err) {
		return 0, nil, err
	}
	data := map[string]map[string]any{}
	for _, r := range rows {
		dep, ok := data[r.Department]
		if !ok {
			dep = map[string]any{"total": 0.0}
			data[r.Department] = dep
		}
		person, ok := dep[r.Person].(map[string]float64)
		if !ok {
			person = map[string]float64{"total": 0}
			dep[r.Person] = person
		}
		person[r.Month] += r.Duration
		person["total"] += r.Duration
		dep["total"] = dep["total"].(float64) + r.Duration
	}
	return http.StatusOK, data, nil
}
