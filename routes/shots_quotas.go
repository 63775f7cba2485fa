package routes

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Quotas: frames, seconds, drawings and task counts of shot tasks finished
// (end_date, "feedback") or done (done_date), per person or per task type,
// by day, ISO week, month and year in the caller's timezone. The weighted
// modes spread a task over its time spents, or over its business days
// when nobody logged time on it.

// shotsQuotaPeriod is one granularity of a quota entry.
type shotsQuotaPeriod struct {
	Frames   map[string]int64   `json:"frames"`
	Seconds  map[string]float64 `json:"seconds"`
	Count    map[string]int64   `json:"count"`
	Entries  map[string]int64   `json:"entries,omitempty"`
	Drawings map[string]int64   `json:"drawings"`
}

func shotsNewPeriod(entries bool) *shotsQuotaPeriod {
	p := &shotsQuotaPeriod{Frames: map[string]int64{}, Seconds: map[string]float64{}, Count: map[string]int64{}, Drawings: map[string]int64{}}
	if entries {
		p.Entries = map[string]int64{}
	}
	return p
}

// add counts one task (or one share of it) at key; parent is the key of
// the enclosing period whose "entries" counts the distinct keys.
func (p *shotsQuotaPeriod) add(key, parent string, frames, drawings int64, seconds float64) {
	if _, seen := p.Frames[key]; !seen && p.Entries != nil {
		p.Entries[parent]++
	}
	p.Frames[key] += frames
	p.Seconds[key] += seconds
	p.Drawings[key] += drawings
	p.Count[key]++
}

type shotsQuotaEntry struct {
	Day   *shotsQuotaPeriod `json:"day"`
	Week  *shotsQuotaPeriod `json:"week"`
	Month *shotsQuotaPeriod `json:"month"`
	Year  *shotsQuotaPeriod `json:"year"`
}

type shotsQuotas struct {
	fps     float64
	entries map[string]*shotsQuotaEntry
}

// add records frames and drawings at a local date for an entry and the total.
func (q *shotsQuotas) add(entryID string, day time.Time, frames, drawings int64) {
	date := day.Format("2006-01-02")
	year := date[:4]
	_, isoWeek := day.ISOWeek()
	week := year + "-" + strconv.Itoa(isoWeek)
	month := date[:7]
	seconds := float64(frames) / q.fps
	for _, id := range []string{entryID, "total"} {
		en := q.entries[id]
		if en == nil {
			en = &shotsQuotaEntry{Day: shotsNewPeriod(true), Week: shotsNewPeriod(true), Month: shotsNewPeriod(true), Year: shotsNewPeriod(false)}
			q.entries[id] = en
		}
		en.Day.add(date, month, frames, drawings, seconds)
		en.Week.add(week, year, frames, drawings, seconds)
		en.Month.add(month, year, frames, drawings, seconds)
		en.Year.add(year, "", frames, drawings, seconds)
	}
}

// shotsQuotaMode reads ?count_mode (weighted, weighteddone, feedback, done).
func shotsQuotaMode(c *gin.Context) (weighted, feedback bool, err error) {
	mode := c.DefaultQuery("count_mode", "weighted")
	switch mode {
	case "weighted", "weighteddone", "feedback", "done":
	default:
		return false, false, engine.BadRequest("count_mode must be equal to weighted, weigtheddone, feedback, or done")
	}
	return mode == "weighted" || mode == "weighteddone", mode == "weighted" || mode == "feedback", nil
}

// shotsProjectQuotas answers GET /data/projects/<id>/quotas/<task_type_id>:
// quotas per person for a task type.
func (s *Server) shotsProjectQuotas(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	taskTypeID := c.Param("task_type_id")
	if !engine.IsUUID(taskTypeID) {
		return 0, nil, engine.BadRequest("Invalid task type id.")
	}
	return s.shotsQuotas(ctx, c, who, pr.ID, taskTypeID, "")
}

// shotsPersonQuotas answers GET /data/projects/<id>/quotas/persons/<person_id>:
// one person's quotas per task type; managers and supervisors of the
// project read anyone's, others only their own.
func (s *Server) shotsPersonQuotas(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	personID := c.Param("person_id")
	if !engine.IsUUID(personID) {
		return 0, nil, engine.NotFound()
	}
	if !pr.IsAtLeastSupervisor() {
		if err := who.RequireSelfOrAdmin(personID); err != nil {
			return 0, nil, err
		}
	}
	exists, err := s.DB.NewSelect().TableExpr("person").Where("id = ?", personID).Exists(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("person %s: %w", personID, err)
	}
	if !exists {
		return 0, nil, engine.NotFound()
	}
	return s.shotsQuotas(ctx, c, who, pr.ID, "", personID)
}

// shotsQuotas computes the quotas of a project, for a task type (entries
// per person) or a person (entries per task type).
func (s *Server) shotsQuotas(ctx context.Context, c *gin.Context, who *access.Caller, projectID, taskTypeID, personID string) (int, any, error) {
	weighted, feedback, err := shotsQuotaMode(c)
	if err != nil {
		return 0, nil, err
	}
	studioID := c.Query("studio_id")
	if studioID != "" && !engine.IsUUID(studioID) {
		return 0, nil, engine.BadRequest("Invalid studio id.")
	}
	var settings struct {
		FPS      sql.NullString `bun:"fps"`
		Timezone sql.NullString `bun:"timezone"`
	}
	if err := s.DB.NewRaw(`SELECT (SELECT fps FROM project WHERE id = ?) AS fps, (SELECT timezone FROM person WHERE id = ?) AS timezone`,
		projectID, who.PersonID).Scan(ctx, &settings); err != nil {
		return 0, nil, fmt.Errorf("quota settings: %w", err)
	}
	fps, err := strconv.ParseFloat(settings.FPS.String, 64)
	if err != nil || fps <= 0 {
		fps = 25
	}
	loc, err := time.LoadLocation(settings.Timezone.String)
	if err != nil || settings.Timezone.String == "" {
		if loc, err = time.LoadLocation(s.Cfg.DefaultTimezone); err != nil {
			loc = time.UTC
		}
	}
	q := &shotsQuotas{fps: fps, entries: map[string]*shotsQuotaEntry{}}

	endColumn := "x.done_date"
	if feedback {
		endColumn = "x.end_date"
	}
	// Conditions shared by every query, over task x (args in order).
	where := `x.project_id = ? AND ` + endColumn + ` IS NOT NULL
		AND e.entity_type_id IN (SELECT et.id FROM entity_type et WHERE et.name = 'Shot')`
	args := []any{projectID}
	if taskTypeID != "" {
		where += " AND x.task_type_id = ?"
		args = append(args, taskTypeID)
	}
	if studioID != "" {
		where += ` AND EXISTS (SELECT 1 FROM task_person_link a2 JOIN person p2 ON p2.id = a2.person_id
			WHERE a2.task_id = x.id AND p2.studio_id = ?)`
		args = append(args, studioID)
	}
	entryOf := func(person, taskType string) string {
		if personID != "" {
			return taskType
		}
		return person
	}

	type row struct {
		Person    string          `bun:"person_id"`
		TaskType  string          `bun:"task_type_id"`
		Frames    sql.NullInt64   `bun:"nb_frames"`
		Drawings  sql.NullInt64   `bun:"nb_drawings"`
		End       time.Time       `bun:"end_at"`
		Start     sql.NullTime    `bun:"start_at"`
		Day       sql.NullTime    `bun:"day"`
		Spent     sql.NullFloat64 `bun:"spent"`
		TaskSpent sql.NullFloat64 `bun:"task_duration"`
	}
	local := func(t time.Time) time.Time { return t.UTC().In(loc) }
	if !weighted {
		var rows []row
		qa := append([]any{}, args...)
		personCond := ""
		if personID != "" {
			personCond = " AND a.person_id = ?"
			qa = append(qa, personID)
		}
		err := s.DB.NewRaw(`SELECT a.person_id::text, x.task_type_id::text, e.nb_frames, x.nb_drawings, `+endColumn+` AS end_at
			FROM task x JOIN entity e ON e.id = x.entity_id JOIN task_person_link a ON a.task_id = x.id
			WHERE `+where+personCond+` ORDER BY x.id, a.person_id`, qa...).Scan(ctx, &rows)
		if err != nil {
			return 0, nil, fmt.Errorf("raw quotas: %w", err)
		}
		for _, r := range rows {
			q.add(entryOf(r.Person, r.TaskType), local(r.End), r.Frames.Int64, r.Drawings.Int64)
		}
		return http.StatusOK, q.entries, nil
	}

	// Weighted, first part: each time spent carries its share of the task.
	var spent []row
	qa := append([]any{}, args...)
	personCond := ""
	if personID != "" {
		personCond = " AND ts.person_id = ?"
		qa = append(qa, personID)
	}
	err = s.DB.NewRaw(`SELECT ts.person_id::text, x.task_type_id::text, e.nb_frames, x.nb_drawings, `+endColumn+` AS end_at,
			ts.date::timestamp AS day, ts.duration AS spent, x.duration AS task_duration
		FROM task x JOIN entity e ON e.id = x.entity_id JOIN time_spent ts ON ts.task_id = x.id
		WHERE `+where+personCond+` ORDER BY ts.id`, qa...).Scan(ctx, &spent)
	if err != nil {
		return 0, nil, fmt.Errorf("weighted quotas: %w", err)
	}
	for _, r := range spent {
		if r.TaskSpent.Float64 <= 0 {
			continue
		}
		share := r.Spent.Float64 / r.TaskSpent.Float64
		q.add(entryOf(r.Person, r.TaskType), r.Day.Time,
			int64(math.RoundToEven(float64(r.Frames.Int64)*share)), int64(math.RoundToEven(float64(r.Drawings.Int64)*share)))
	}
	// Second part: started tasks nobody logged time on, spread evenly over
	// their business days, from the real start to the end. (Zou walks from
	// the end date onwards, past the task; here the days are the task's.)
	var spread []row
	qa = append([]any{}, args...)
	personCond = ""
	if personID != "" {
		personCond = " AND a.person_id = ?"
		qa = append(qa, personID)
	}
	err = s.DB.NewRaw(`SELECT a.person_id::text, x.task_type_id::text, e.nb_frames, x.nb_drawings, `+endColumn+` AS end_at,
			x.real_start_date AS start_at
		FROM task x JOIN entity e ON e.id = x.entity_id JOIN task_person_link a ON a.task_id = x.id
		WHERE `+where+personCond+` AND x.real_start_date IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM time_spent ts WHERE ts.task_id = x.id) ORDER BY x.id, a.person_id`, qa...).Scan(ctx, &spread)
	if err != nil {
		return 0, nil, fmt.Errorf("weighted quotas: %w", err)
	}
	for _, r := range spread {
		start, end := r.Start.Time, r.End
		if end.Before(start) {
			continue
		}
		days := int(end.Sub(start).Hours() / 24)
		business := int64(shotsBusinessDays(start, end) + 1)
		perDay := int64(math.RoundToEven(float64(r.Frames.Int64) / float64(business)))
		for d := 0; d <= days; d++ {
			day := start.AddDate(0, 0, d)
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			q.add(entryOf(r.Person, r.TaskType), local(day), perDay, r.Drawings.Int64)
		}
	}
	return http.StatusOK, q.entries, nil
}

// shotsBusinessDays counts the weekdays after start up to end (Zou's get_business_days).
func shotsBusinessDays(start, end time.Time) int {
	n := 0
	days := int(end.Sub(start).Hours() / 24)
	for x := 1; x <= days; x++ {
		if wd := start.AddDate(0, 0, x).Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}
