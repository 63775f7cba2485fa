package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Time spents of a task: one row per person, task and day (time_spent_uc),
// a duration in minutes between 0 and a day; every change recomputes the
// task's duration.

// tasksMaxMinutes is a day: no one logs more on one task and date.
const tasksMaxMinutes = 24 * 60

// mountTasksTime mounts the time spents of a task.
func (s *Server) mountTasksTime(r gin.IRouter) {
	r.GET("/actions/tasks/:id/time-spents", s.route(s.tasksTimeSpents))
	r.GET("/actions/tasks/:id/time-spents/:date", s.route(s.tasksTimeSpents))
	r.POST("/actions/tasks/:id/time-spents/:date/persons/:person_id", s.route(s.tasksTimeSet))
	r.POST("/actions/tasks/:id/time-spents/:date/persons/:person_id/add", s.route(s.tasksTimeAdd))
	r.DELETE("/actions/tasks/:id/time-spents/:date/persons/:person_id", s.route(s.tasksTimeDelete))
}

// tasksTimeSpents answers Zou's get_time_spents: rows grouped by person id,
// plus "total" (minutes), for every day or the one in the path.
func (s *Server) tasksTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	var day *time.Time
	if d := c.Param("date"); d != "" {
		parsed, err := pathDate(d)
		if err != nil {
			return 0, nil, err
		}
		day = &parsed
	}
	b, err := s.Engine.Rows(ctx, nil, s.tasksColl("time-spents"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("t.task_id = ?", t.TaskID)
		if day != nil {
			q = q.Where("t.date = ?", day.Format(time.DateOnly))
		}
		return q.OrderExpr("t.date, t.created_at")
	})
	if err != nil {
		return 0, nil, err
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(b, &rows); err != nil {
		return 0, nil, fmt.Errorf("time spents of %s: %w", t.TaskID, err)
	}
	out := map[string]any{}
	total := 0.0
	for _, raw := range rows {
		var head struct {
			PersonID string  `json:"person_id"`
			Duration float64 `json:"duration"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return 0, nil, fmt.Errorf("time spent row: %w", err)
		}
		list, _ := out[head.PersonID].([]json.RawMessage)
		out[head.PersonID] = append(list, raw)
		total += head.Duration
	}
	out["total"] = total
	return http.StatusOK, out, nil
}

// tasksTimeTarget runs the checks shared by the writing routes, in Zou's
// order: the task (404 out of reach), the person (404 unknown, 403 bot),
// then check_time_spent_access: the person must be an assignee, and be the
// caller, or the caller an admin or a manager of the project (even an admin
// cannot log time for someone not assigned).
func (s *Server) tasksTimeTarget(c *gin.Context, who *access.Caller) (*access.Task, string, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return nil, "", err
	}
	personID := c.Param("person_id")
	if _, err := s.tasksTargetPerson(ctx, s.DB, personID, t.ID); err != nil {
		return nil, "", err
	}
	return t, personID, nil
}

// tasksTimeAllowed is check_time_spent_access (see tasksTimeTarget).
func tasksTimeAllowed(t *access.Task, personID string) error {
	assigned := false
	for _, a := range t.Assignees {
		assigned = assigned || a == personID
	}
	c := t.Caller()
	if assigned && (c.PersonID == personID || c.IsAdmin() || (t.Member && t.Role == "manager")) {
		return nil
	}
	return engine.Forbidden()
}

// tasksTimeDuration reads the body's duration in minutes (0 to a day).
func tasksTimeDuration(c *gin.Context) (float64, error) {
	m, err := bodyObject(c)
	if err != nil {
		return 0, err
	}
	d, ok, err := field[float64](m, "duration")
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, engine.BadRequest("The field duration is missing.")
	}
	if d < 0 || d > tasksMaxMinutes {
		return 0, engine.BadRequest("duration must be between 0 and 1440 minutes.")
	}
	return d, nil
}

// tasksTimeSet replaces a person's time on a task and day.
func (s *Server) tasksTimeSet(c *gin.Context, who *access.Caller) (int, any, error) {
	return s.tasksTimeWrite(c, who, false)
}

// tasksTimeAdd adds to a person's time on a task and day.
func (s *Server) tasksTimeAdd(c *gin.Context, who *access.Caller) (int, any, error) {
	return s.tasksTimeWrite(c, who, true)
}

// tasksTimeWrite sets (or adds to) a person's time on a task and day, then
// recomputes the task duration, in one transaction.
func (s *Server) tasksTimeWrite(c *gin.Context, who *access.Caller, add bool) (int, any, error) {
	ctx := c.Request.Context()
	t, personID, err := s.tasksTimeTarget(c, who)
	if err != nil {
		return 0, nil, err
	}
	duration, err := tasksTimeDuration(c)
	if err != nil {
		return 0, nil, err
	}
	if err := tasksTimeAllowed(t, personID); err != nil {
		return 0, nil, err
	}
	day, err := pathDate(c.Param("date"))
	if err != nil {
		return 0, nil, err
	}
	var row struct {
		ID       string  `bun:"id"`
		Inserted bool    `bun:"inserted"`
		Duration float64 `bun:"duration"`
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`INSERT INTO time_spent (id, created_at, updated_at, duration, date, task_id, person_id)
			VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, ?, ?)
			ON CONFLICT (person_id, task_id, date) DO UPDATE SET updated_at = now() at time zone 'utc',
			duration = CASE WHEN ? THEN time_spent.duration + EXCLUDED.duration ELSE EXCLUDED.duration END
			RETURNING id::text, (xmax = 0) AS inserted, duration`,
			duration, day.Format(time.DateOnly), t.TaskID, personID, add).Scan(ctx, &row)
		if err != nil {
			return fmt.Errorf("write time spent: %w", err)
		}
		if row.Duration > tasksMaxMinutes {
			return engine.BadRequest("duration must be between 0 and 1440 minutes.")
		}
		if row.Inserted {
			_, err := tx.NewRaw(`UPDATE person SET last_presence = GREATEST(
				(SELECT max(ts.date) FROM time_spent ts WHERE ts.person_id = person.id),
				(SELECT max(dl.date)::date FROM desktop_login_log dl WHERE dl.person_id = person.id)) WHERE id = ?`, personID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("last presence: %w", err)
			}
		}
		return tasksRecomputeDuration(ctx, tx, t.TaskID)
	})
	if err != nil {
		return 0, nil, err
	}
	verb := "time-spent:update"
	if row.Inserted {
		verb = "time-spent:new"
	}
	s.publish(ctx, verb, map[string]any{"time_spent_id": row.ID}, t.ID)
	s.publish(ctx, "task:update", map[string]any{"task_id": t.TaskID}, t.ID)
	b, err := s.Engine.Read(ctx, nil, s.tasksColl("time-spents"), row.ID, false)
	return http.StatusCreated, b, err
}

// tasksRecomputeDuration sets task.duration to the sum of its time spents.
func tasksRecomputeDuration(ctx context.Context, tx bun.IDB, taskID string) error {
	_, err := tx.NewRaw(`UPDATE task SET duration = COALESCE((SELECT sum(ts.duration) FROM time_spent ts WHERE ts.task_id = task.id), 0),
		updated_at = now() at time zone 'utc' WHERE id = ?`, taskID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("recompute duration of %s: %w", taskID, err)
	}
	return nil
}

// tasksTimeDelete removes a person's time on a task and day; Zou answers
// 201 with the removed row, its duration set to 0.
func (s *Server) tasksTimeDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, personID, err := s.tasksTimeTarget(c, who)
	if err != nil {
		return 0, nil, err
	}
	if err := tasksTimeAllowed(t, personID); err != nil {
		return 0, nil, err
	}
	day, err := pathDate(c.Param("date"))
	if err != nil {
		return 0, nil, err
	}
	var id string
	var b []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw("SELECT id::text FROM time_spent WHERE task_id = ? AND person_id = ? AND date = ? FOR UPDATE",
			t.TaskID, personID, day.Format(time.DateOnly)).Scan(ctx, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return engine.NotFound()
		}
		if err != nil {
			return fmt.Errorf("find time spent: %w", err)
		}
		if b, err = s.Engine.Read(ctx, tx, s.tasksColl("time-spents"), id, false); err != nil {
			return err
		}
		if _, err := tx.NewDelete().TableExpr("time_spent").Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete time spent: %w", err)
		}
		return tasksRecomputeDuration(ctx, tx, t.TaskID)
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "time-spent:delete", map[string]any{"time_spent_id": id}, t.ID)
	s.publish(ctx, "task:update", map[string]any{"task_id": t.TaskID}, t.ID)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return 0, nil, fmt.Errorf("deleted time spent: %w", err)
	}
	m["duration"] = 0
	return http.StatusCreated, m, nil
}
