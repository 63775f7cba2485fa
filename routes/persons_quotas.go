package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	_ "time/tzdata" // the caller's timezone must resolve on hosts without a zoneinfo database

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// The shots counted in a person's quota over a period: the detail behind a
// cell of Kitsu's quota table. In the weighted modes a shot counts for the
// share of its task the person did in the period (by time logged, or when
// nothing was logged on the task by business days between its start and
// its feedback or approval); in the raw modes a shot counts once, on the
// day of its feedback (feedback, done: approval).

// mountPersonsQuotas adds the quota-shot routes of the Persons area.
func (s *Server) mountPersonsQuotas(r gin.IRouter) {
	r.GET("/data/persons/:id/quota-shots/month/:year/:month", s.route(s.personsQuotaShots(personsMonth)))
	r.GET("/data/persons/:id/quota-shots/week/:year/:week", s.route(s.personsQuotaShots(personsWeek)))
	r.GET("/data/persons/:id/quota-shots/day/:year/:month/:day", s.route(s.personsQuotaShots(personsDay)))
	// Kitsu builds the year form too (Zou has no such route): same rules.
	r.GET("/data/persons/:id/quota-shots/year/:year", s.route(s.personsQuotaShots(personsYear)))
}

// personsQuotaArgs are the query parameters of a quota-shots call.
type personsQuotaArgs struct {
	projectID, taskTypeID string
	feedback              bool // count at the feedback date (end_date), else at approval (done_date)
	weighted              bool
}

// personsQuotaParams reads ?project_id, ?task_type_id and ?count_mode.
func personsQuotaParams(c *gin.Context) (personsQuotaArgs, error) {
	a := personsQuotaArgs{projectID: c.Query("project_id"), taskTypeID: c.Query("task_type_id")}
	mode := "weighted"
	if v, ok := c.GetQuery("count_mode"); ok {
		mode = v
	}
	switch mode {
	case "weighted", "weighteddone", "feedback", "done":
	default:
		return a, engine.BadRequest("count_mode must be equal to weighted, weighteddone, feedback, or done")
	}
	a.feedback = mode == "weighted" || mode == "feedback"
	a.weighted = mode == "weighted" || mode == "weighteddone"
	if a.projectID != "" && !engine.IsUUID(a.projectID) {
		return a, engine.BadRequest("Invalid project_id.")
	}
	if a.taskTypeID != "" && !engine.IsUUID(a.taskTypeID) {
		return a, engine.BadRequest("Invalid task_type_id.")
	}
	return a, nil
}

// personsQuotaAccess is Zou's rule for quotas: whoever is a manager (by his
// role in the given project, else his global role) must manage that
// project; anyone else may only read his own quotas. A manager asking
// without a project is refused, as in Zou; a manager outside the project's
// team gets the house 404 for a production out of reach.
func personsQuotaAccess(ctx context.Context, who *access.Caller, personID, projectID string) error {
	if who.IsAdmin() {
		if projectID != "" {
			_, err := who.LoadProject(ctx, projectID)
			return err
		}
		return nil
	}
	role := who.Role
	var pr *access.Project
	if projectID != "" {
		var err error
		if pr, err = who.LoadProject(ctx, projectID); err != nil {
			return err
		}
		if pr.Member {
			role = pr.Role
		}
	}
	if role == "manager" {
		switch {
		case pr == nil:
			return engine.Forbidden()
		case !pr.Member:
			return engine.NotFound()
		}
		return nil
	}
	return who.RequireSelfOrAdmin(personID)
}

// personsQuotaShots answers the shots of a person's quota over a period.
func (s *Server) personsQuotaShots(period personsPeriod) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		t, err := s.personsNotBot(c)
		if err != nil {
			return 0, nil, err
		}
		args, err := personsQuotaParams(c)
		if err != nil {
			return 0, nil, err
		}
		ctx := c.Request.Context()
		if err := personsQuotaAccess(ctx, who, t.ID, args.projectID); err != nil {
			return 0, nil, err
		}
		start, end, err := period(c)
		if err != nil {
			return 0, nil, engine.BadRequest("Invalid month or year.")
		}
		// Zou filters on the project and the task type as given: without
		// either, no task matches.
		if args.projectID == "" || args.taskTypeID == "" {
			return http.StatusOK, []byte("[]"), nil
		}
		loc, err := s.personsCallerZone(ctx, who.PersonID)
		if err != nil {
			return 0, nil, err
		}
		weights, err := s.personsQuotaWeights(ctx, t.ID, args, start, end, loc)
		if err != nil {
			return 0, nil, err
		}
		if len(weights) == 0 {
			return http.StatusOK, []byte("[]"), nil
		}
		return s.personsQuotaShotRows(ctx, weights)
	}
}

// personsCallerZone is the caller's timezone, the instance default when he
// set none (or one this host does not know).
func (s *Server) personsCallerZone(ctx context.Context, personID string) (*time.Location, error) {
	var tz sql.NullString
	err := s.DB.NewRaw(`SELECT timezone FROM person WHERE id = ?`, personID).Scan(ctx, &tz)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("timezone of %s: %w", personID, err)
	}
	for _, name := range []string{tz.String, s.Cfg.DefaultTimezone} {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return time.UTC, nil
}

// personsQuotaRow is one line of the weight query: a time spent of the
// person (part 1) or a task of his without any time logged (part 2).
type personsQuotaRow struct {
	Part         int             `bun:"part"`
	EntityID     string          `bun:"entity_id"`
	Duration     float64         `bun:"duration"`
	TaskDuration sql.NullFloat64 `bun:"task_duration"`
	TaskStart    bun.NullTime    `bun:"task_start"`
	TaskEnd      bun.NullTime    `bun:"task_end"`
}

// personsQuotaWeights computes the weight of each shot of the quota in one
// query; the period [start, end) is in the caller's local days, and task
// dates are UTC instants, so they are compared with the bounds moved to UTC.
func (s *Server) personsQuotaWeights(ctx context.Context, personID string, a personsQuotaArgs,
	start, end time.Time, loc *time.Location) ([]personsQuotaWeight, error) {
	utcStart := personsLocalToUTC(start, loc)
	utcEnd := personsLocalToUTC(end, loc)
	dateCol := "tk.done_date"
	if a.feedback {
		dateCol = "tk.end_date"
	}
	shotTasks := `FROM task tk JOIN entity e ON e.id = tk.entity_id
		JOIN entity_type et ON et.id = e.entity_type_id AND et.name = 'Shot'
		WHERE tk.project_id = ? AND tk.task_type_id = ?`
	var rows []personsQuotaRow
	if !a.weighted {
		err := s.DB.NewRaw(`SELECT DISTINCT 0 AS part, tk.entity_id::text AS entity_id `+shotTasks+`
			AND EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = tk.id AND a.person_id = ?)
			AND `+dateCol+` BETWEEN ? AND ?`,
			a.projectID, a.taskTypeID, personID, utcStart, utcEnd).Scan(ctx, &rows)
		if err != nil {
			return nil, fmt.Errorf("raw quota shots of %s: %w", personID, err)
		}
		out := make([]personsQuotaWeight, len(rows))
		for i, r := range rows {
			out[i] = personsQuotaWeight{id: r.EntityID, weight: 1}
		}
		return out, nil
	}
	err := s.DB.NewRaw(`SELECT 1 AS part, tk.entity_id::text AS entity_id, ts.duration, tk.duration AS task_duration,
			NULL::timestamp AS task_start, NULL::timestamp AS task_end
		FROM time_spent ts JOIN task tk ON tk.id = ts.task_id JOIN entity e ON e.id = tk.entity_id
		JOIN entity_type et ON et.id = e.entity_type_id AND et.name = 'Shot'
		WHERE tk.project_id = ? AND tk.task_type_id = ? AND `+dateCol+` IS NOT NULL
			AND ts.person_id = ? AND ts.date >= ?::date AND ts.date < ?::date
		UNION ALL
		SELECT 2, tk.entity_id::text, 0, tk.duration, tk.real_start_date, `+dateCol+`
		`+shotTasks+` AND tk.real_start_date IS NOT NULL AND `+dateCol+` IS NOT NULL
			AND tk.real_start_date <= ? AND `+dateCol+` >= ?
			AND EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = tk.id AND a.person_id = ?)
			AND NOT EXISTS (SELECT 1 FROM time_spent x WHERE x.task_id = tk.id)
		ORDER BY 1, 2, 3`,
		a.projectID, a.taskTypeID, personID, start.Format(time.DateOnly), end.Format(time.DateOnly),
		a.projectID, a.taskTypeID, utcEnd, utcStart, personID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("weighted quota shots of %s: %w", personID, err)
	}
	return personsWeigh(rows, start, end), nil
}

// personsQuotaWeight is a shot of the quota and the share of it counted.
type personsQuotaWeight struct {
	id     string
	weight float64
}

// personsWeigh turns the rows of the weighted query into shot weights, as
// Zou does: each time spent adds its share of the task's duration (rounded
// to two decimals, as Python's round does); a shot with no time logged on
// its task counts for the business days of its task that fall in the
// period over all its business days. A task spanning the whole period
// counts for one business day, as in Zou. Time logged on a task without a
// duration cannot be shared out: Zou fails there, it is left out here as
// Zou's quota statistics leave it out.
func personsWeigh(rows []personsQuotaRow, start, end time.Time) []personsQuotaWeight {
	var out []personsQuotaWeight
	index := map[string]int{}
	for _, r := range rows {
		i, listed := index[r.EntityID]
		var weight float64
		switch {
		case r.Part == 1:
			if !r.TaskDuration.Valid || r.TaskDuration.Float64 <= 0 {
				continue
			}
			weight = personsRound2(r.Duration / r.TaskDuration.Float64)
			if listed {
				out[i].weight += weight
				continue
			}
		case listed:
			continue
		default:
			ts, te := personsNaive(r.TaskStart.Time), personsNaive(r.TaskEnd.Time)
			all := personsBusinessDays(ts, te) + 1
			counted := 1
			switch {
			case !ts.Before(start) && !te.After(end):
				counted = all
			case !ts.Before(start):
				counted = personsBusinessDays(ts, end) + 1
			case !te.After(end):
				counted = personsBusinessDays(start, te) + 1
			}
			weight = personsRound2(float64(counted) / float64(all))
		}
		index[r.EntityID] = len(out)
		out = append(out, personsQuotaWeight{id: r.EntityID, weight: weight})
	}
	return out
}

// personsNaive keeps the wall clock of a timestamp read from a column
// without time zone, whatever location the driver gave it, so weekdays and
// comparisons with the period bounds are those of the stored values.
func personsNaive(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// personsRound2 rounds to two decimals half to even on the exact binary
// value, as Python's round(x, 2) does (strconv rounds the same way).
func personsRound2(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	return v
}

// personsBusinessDays counts the weekdays among the days after start, up to
// as many whole days as separate start from end (Zou's get_business_days).
func personsBusinessDays(start, end time.Time) int {
	secs := end.Unix() - start.Unix()
	days := secs / 86400
	if secs%86400 < 0 {
		days--
	}
	if secs%86400 == 0 && end.Nanosecond() < start.Nanosecond() {
		days--
	}
	if days <= 0 {
		return 0
	}
	n := int(days/7) * 5
	wd := start.Weekday()
	for x := int64(0); x < days%7; x++ {
		wd = (wd + 1) % 7
		if wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

// personsLocalToUTC reads a naive local day start in loc and answers the
// same instant as a naive UTC time, the way task dates are stored.
func personsLocalToUTC(t time.Time, loc *time.Location) time.Time {
	local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
	return local.UTC()
}

// personsQuotaShotRows serialises the shots as Zou's entity rows, with their
// full name and weight, sorted by full name.
func (s *Server) personsQuotaShotRows(ctx context.Context, weights []personsQuotaWeight) (int, any, error) {
	ids := make([]string, len(weights))
	byID := make(map[string]float64, len(weights))
	for i, w := range weights {
		ids[i] = w.id
		byID[w.id] = w.weight
	}
	wj, err := json.Marshal(byID)
	if err != nil {
		return 0, nil, fmt.Errorf("encode quota weights: %w", err)
	}
	const fullName = `CASE WHEN sq.id IS NULL THEN t.name WHEN ep.id IS NULL THEN sq.name || ' / ' || t.name
		ELSE ep.name || ' / ' || sq.name || ' / ' || t.name END`
	view := engine.View{Extra: []engine.Extra{
		{Key: "full_name", SQL: fullName, Kind: engine.KindText},
		{Key: "weight", SQL: `(?::jsonb -> t.id::text)::text`, Args: []any{string(wj)}, Kind: engine.KindJSON},
	}}
	b, err := s.Engine.Rows(ctx, s.DB, s.Engine.Reg.MustCollection("entities"), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Join("LEFT JOIN entity sq ON sq.id = t.parent_id").
			Join("LEFT JOIN entity ep ON ep.id = sq.parent_id").
			Where("t.id::text = ANY(?)", personsArray(ids)).
			OrderExpr(`(` + fullName + `) COLLATE "C"`)
	})
	return http.StatusOK, b, err
}
