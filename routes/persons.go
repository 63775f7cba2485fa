package routes

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// mountPersons adds the routes of one area. Persons: time sheets, day offs, admin actions (routes.md § Persons).
func (s *Server) mountPersons(r gin.IRouter) {
	r.GET("/data/persons/:id/desktop-login-logs", s.route(s.personsDesktopLogins))
	r.POST("/data/persons/:id/desktop-login-logs", s.route(s.personsAddDesktopLogin))
	r.GET("/data/persons/presence-logs/:month_date", s.personsPresenceLogs)

	r.GET("/data/persons/:id/time-spents", s.route(s.personsTimeSpents))
	r.GET("/data/persons/:id/time-spents/:date", s.route(s.personsDateTimeSpents))
	r.GET("/data/persons/:id/time-spents/year/:year", s.route(s.personsPeriodTimeSpents(personsYear)))
	r.GET("/data/persons/:id/time-spents/month/:year/:month", s.route(s.personsPeriodTimeSpents(personsMonth)))
	r.GET("/data/persons/:id/time-spents/week/:year/:week", s.route(s.personsPeriodTimeSpents(personsWeek)))
	r.GET("/data/persons/:id/time-spents/day/:year/:month/:day", s.route(s.personsPeriodTimeSpents(personsDay)))
	r.GET("/data/persons/:id/time-spents/month/all/:year/:month", s.route(s.personsMonthAllTimeSpents))

	r.GET("/data/persons/time-spents/year-table", s.route(s.personsTable("year")))
	r.GET("/data/persons/time-spents/month-table/:year", s.route(s.personsTable("month")))
	r.GET("/data/persons/time-spents/week-table/:year", s.route(s.personsTable("week")))
	r.GET("/data/persons/time-spents/day-table/:year/:month", s.route(s.personsTable("day")))

	r.GET("/data/persons/day-offs/:year/:month", s.route(s.personsMonthDayOffs))
	r.GET("/data/persons/:id/day-offs", s.route(s.personsDayOffs(nil)))
	r.GET("/data/persons/:id/day-offs/:date", s.route(s.personsDayOffOn))
	r.GET("/data/persons/:id/day-offs/week/:year/:week", s.route(s.personsDayOffs(personsWeek)))
	r.GET("/data/persons/:id/day-offs/month/:year/:month", s.route(s.personsDayOffs(personsMonth)))
	r.GET("/data/persons/:id/day-offs/year/:year", s.route(s.personsDayOffs(personsYear)))

	r.POST("/actions/persons/:id/reset-password-link", s.route(s.personsResetPasswordLink))
	r.POST("/actions/persons/:id/departments/add", s.route(s.personsAddToDepartment))
	r.DELETE("/actions/persons/:id/departments/:department_id", s.route(s.personsRemoveFromDepartment))
	r.POST("/actions/persons/:id/change-password", s.route(s.personsChangePassword))
	r.DELETE("/actions/persons/:id/disable-two-factor-authentication", s.route(s.personsDisable2FA))
	r.DELETE("/actions/persons/:id/clear-avatar", s.route(s.personsClearAvatar))
	r.GET("/actions/persons/:id/invite", s.route(s.personsInvite))

	s.mountPersonsQuotas(r)
}

// personsTarget is the person a route is about.
type personsTarget struct {
	ID, Email, Role string
	IsBot, Active   bool
	HasPassword     bool
	TwoFactor       bool // any 2FA method on
}

// personsLoad reads the person of the path; 404 when there is none.
func (s *Server) personsLoad(ctx context.Context, id string) (*personsTarget, error) {
	if !engine.IsUUID(id) {
		return nil, engine.NotFound()
	}
	var t personsTarget
	err := s.DB.NewRaw(`SELECT id::text, email, role, COALESCE(is_bot, false), COALESCE(active, false),
		password IS NOT NULL, COALESCE(totp_enabled, false) OR COALESCE(email_otp_enabled, false) OR COALESCE(fido_enabled, false)
		FROM person WHERE id = ?`, id).Scan(ctx, &t.ID, &t.Email, &t.Role, &t.IsBot, &t.Active, &t.HasPassword, &t.TwoFactor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load person %s: %w", id, err)
	}
	return &t, nil
}

// personsNotBot is Zou's check_person_is_not_bot on the path's person: 404
// when missing, 403 for a bot (time sheets and day offs are for people).
func (s *Server) personsNotBot(c *gin.Context) (*personsTarget, error) {
	t, err := s.personsLoad(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if t.IsBot {
		return nil, engine.Forbidden()
	}
	return t, nil
}

// personsOwn is the path's person when the caller is that person or an
// admin: their raw time rows and day offs are nobody else's business.
func (s *Server) personsOwn(c *gin.Context, who *access.Caller) (*personsTarget, error) {
	t, err := s.personsNotBot(c)
	if err != nil {
		return nil, err
	}
	return t, who.RequireSelfOrAdmin(t.ID)
}

// personsScope is what of another person's time a caller may see: nothing
// narrowed for admins and the person himself; managers and supervisors see
// the time logged on their open productions (supervisors: on their
// departments' task types); anyone else is refused.
type personsScope struct {
	projects    []string // nil = every project
	departments []string // nil = every department
}

func (s *Server) personsScopeFor(ctx context.Context, who *access.Caller, personID string) (*personsScope, error) {
	if who.IsAdmin() || who.PersonID == personID {
		return &personsScope{}, nil
	}
	if who.Role != "manager" && who.Role != "supervisor" {
		return nil, engine.Forbidden()
	}
	sc := &personsScope{projects: []string{}}
	if err := s.DB.NewRaw(`SELECT project_id::text FROM (`+access.OpenTeamProjectsSQL+`) x`, who.PersonID).Scan(ctx, &sc.projects); err != nil {
		return nil, fmt.Errorf("projects of %s: %w", who.PersonID, err)
	}
	if who.Role == "supervisor" {
		deps, err := who.Departments(ctx)
		if err != nil {
			return nil, err
		}
		if len(deps) > 0 {
			sc.departments = deps
		}
	}
	return sc, nil
}

// withProject narrows the scope to the ?project_id of the query (403 when it
// is outside the caller's productions, 400 when malformed).
func (sc *personsScope) withProject(c *gin.Context) error {
	pid := c.Query("project_id")
	if pid == "" {
		return nil
	}
	if !engine.IsUUID(pid) {
		return engine.BadRequest("Invalid project_id.")
	}
	if sc.projects != nil && !slices.Contains(sc.projects, pid) {
		return engine.Forbidden()
	}
	sc.projects = []string{pid}
	return nil
}

// where returns the SQL conditions (over time_spent ts and task tk) and args.
func (sc *personsScope) where() (string, []any) {
	var conds []string
	var args []any
	if sc.projects != nil {
		conds = append(conds, "tk.project_id::text = ANY(?)")
		args = append(args, personsArray(sc.projects))
	}
	if sc.departments != nil {
		conds = append(conds, "(SELECT tt.department_id::text FROM task_type tt WHERE tt.id = tk.task_type_id) = ANY(?)")
		args = append(args, personsArray(sc.departments))
	}
	if len(conds) == 0 {
		return "true", nil
	}
	return strings.Join(conds, " AND "), args
}

// personsArray passes a Go list as one PostgreSQL array parameter.
func personsArray(list []string) any {
	if list == nil {
		list = []string{}
	}
	return pgdialect.Array(list)
}

// personsPeriod turns path parameters into a [start, end) interval of days.
type personsPeriod func(c *gin.Context) (start, end time.Time, err error)

func personsInts(c *gin.Context, names ...string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		v, err := strconv.Atoi(c.Param(n))
		if err != nil {
			return nil, engine.BadRequest("Invalid date format.")
		}
		out[i] = v
	}
	return out, nil
}

// personsDate builds a date, refusing values Go would roll over (month 13).
func personsDate(y, m, d int) (time.Time, error) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1 || y > 9999 || t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, engine.BadRequest("Invalid date format.")
	}
	return t, nil
}

func personsYear(c *gin.Context) (time.Time, time.Time, error) {
	v, err := personsInts(c, "year")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	start, err := personsDate(v[0], 1, 1)
	return start, start.AddDate(1, 0, 0), err
}

func personsMonth(c *gin.Context) (time.Time, time.Time, error) {
	v, err := personsInts(c, "year", "month")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	start, err := personsDate(v[0], v[1], 1)
	return start, start.AddDate(0, 1, 0), err
}

func personsDay(c *gin.Context) (time.Time, time.Time, error) {
	v, err := personsInts(c, "year", "month", "day")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	start, err := personsDate(v[0], v[1], v[2])
	return start, start.AddDate(0, 0, 1), err
}

// personsWeek is an ISO week: Monday of week w of year y, seven days.
func personsWeek(c *gin.Context) (time.Time, time.Time, error) {
	v, err := personsInts(c, "year", "week")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	y, w := v[0], v[1]
	if _, err := personsDate(y, 1, 4); err != nil || w < 1 || w > 53 {
		return time.Time{}, time.Time{}, engine.BadRequest("Invalid date format.")
	}
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w-1)*7)
	if _, iw := monday.ISOWeek(); iw != w {
		return time.Time{}, time.Time{}, engine.BadRequest("Invalid date format.")
	}
	return monday, monday.AddDate(0, 0, 7), nil
}

// personsDesktopLogins lists a person's desktop logins, newest first (self or global manager+).
func (s *Server) personsDesktopLogins(c *gin.Context, who *access.Caller) (int, any, error) {
	id := c.Param("id")
	if who.PersonID != id && who.Role != "admin" && who.Role != "manager" {
		return 0, nil, engine.Forbidden()
	}
	ctx := c.Request.Context()
	if _, err := s.personsLoad(ctx, id); err != nil {
		return 0, nil, err
	}
	b, err := engine.QueryJSON(ctx, s.DB, `SELECT id, created_at, updated_at, person_id, date, 'DesktopLoginLog' AS type
		FROM desktop_login_log WHERE person_id = ? ORDER BY date DESC`, id)
	return http.StatusOK, b, err
}

// personsAddDesktopLogin records a desktop login (self or admin) and moves
// the person's last presence.
func (s *Server) personsAddDesktopLogin(c *gin.Context, who *access.Caller) (int, any, error) {
	body, err := optionalBody(c)
	if err != nil {
		return 0, nil, err
	}
	date := time.Now().UTC()
	if v, ok, err := field[string](body, "date"); err != nil {
		return 0, nil, err
	} else if ok {
		if date, err = parseDateTime("date", v); err != nil {
			return 0, nil, err
		}
	}
	id := c.Param("id")
	if who.PersonID != id && !who.IsAdmin() {
		return 0, nil, engine.Forbidden()
	}
	ctx := c.Request.Context()
	if _, err := s.personsLoad(ctx, id); err != nil {
		return 0, nil, err
	}
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = engine.QueryObject(ctx, tx, `INSERT INTO desktop_login_log (id, created_at, updated_at, person_id, date)
			VALUES (gen_random_uuid(), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', ?, ?)
			RETURNING id, created_at, updated_at, person_id, date, 'DesktopLoginLog' AS type`, id, date)
		if err != nil {
			return err
		}
		return personsTouchPresence(ctx, tx, id)
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "person:update", map[string]any{"person_id": id}, "")
	return http.StatusCreated, out, nil
}

// personsTouchPresence sets last_presence to the later of the last desktop
// login's day and the last day time was logged (Zou's update_person_last_presence).
func personsTouchPresence(ctx context.Context, db bun.IDB, personID string) error {
	_, err := db.NewRaw(`UPDATE person SET last_presence = GREATEST(
		(SELECT max(date)::date FROM desktop_login_log WHERE person_id = ?0),
		(SELECT max(date) FROM time_spent WHERE person_id = ?0)), updated_at = now() AT TIME ZONE 'UTC'
		WHERE id = ?0`, personID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("last presence of %s: %w", personID, err)
	}
	return nil
}

// personsPresenceLogs is the admin's CSV grid of the month: one line per
// active person, an X on each day they logged in from a desktop app.
func (s *Server) personsPresenceLogs(c *gin.Context) {
	p := engine.PrincipalFrom(c)
	if p == nil {
		engine.WriteError(c, engine.Status(http.StatusUnauthorized, "Missing authentication."))
		return
	}
	if !p.IsAdmin() {
		engine.WriteError(c, engine.Forbidden())
		return
	}
	month, err := time.Parse("2006-1", c.Param("month_date"))
	if err != nil {
		engine.WriteError(c, engine.BadRequest("Invalid month or year."))
		return
	}
	end := month.AddDate(0, 1, 0)
	ctx := c.Request.Context()
	rows, err := s.DB.QueryContext(ctx, `SELECT trim(concat_ws(' ', nullif(p.first_name, ''), nullif(p.last_name, ''))),
		COALESCE(array_agg(DISTINCT extract(day FROM l.date)::int) FILTER (WHERE l.id IS NOT NULL), '{}')::text
		FROM person p LEFT JOIN desktop_login_log l ON l.person_id = p.id AND l.date >= ? AND l.date < ?
		WHERE p.active AND p.is_guest IS NOT TRUE
		GROUP BY p.id, p.first_name, p.last_name ORDER BY p.first_name, p.last_name`, month, end)
	if err != nil {
		engine.WriteError(c, fmt.Errorf("presence logs: %w", err))
		return
	}
	defer rows.Close()
	days := end.AddDate(0, 0, -1).Day()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true // Python's csv module ends lines so
	header := []string{strconv.Itoa(month.Year())}
	for d := 1; d <= days; d++ {
		header = append(header, strconv.Itoa(d))
	}
	_ = w.Write(header)
	for rows.Next() {
		var name, list string
		if err := rows.Scan(&name, &list); err != nil {
			engine.WriteError(c, fmt.Errorf("presence logs: %w", err))
			return
		}
		line := make([]string, days+1)
		line[0] = name
		for _, d := range strings.Split(strings.Trim(list, "{}"), ",") {
			if n, err := strconv.Atoi(d); err == nil && n >= 1 && n <= days {
				line[n] = "X"
			}
		}
		_ = w.Write(line)
	}
	if err := rows.Err(); err != nil {
		engine.WriteError(c, fmt.Errorf("presence logs: %w", err))
		return
	}
	w.Flush()
	c.Header("Content-Disposition", "attachment; filename=kitsu_export.csv")
	c.Data(http.StatusOK, "text/csv", buf.Bytes())
}

// personsTimeSpentColumns are a time_spent row (alias ts) as Zou serialises it.
const personsTimeSpentColumns = `ts.id, ts.created_at, ts.updated_at, ts.duration, ts.date, ts.task_id, ts.person_id, 'TimeSpent' AS type`

// personsTimeSpents lists a person's time spents (admin), all of them or
// between start_date and end_date. Zou answers [] without a range (its
// filter compares the date to NULL); a pipeline asking for a person's time
// wants it all, so this answers every row.
func (s *Server) personsTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	t, err := s.personsNotBot(c)
	if err != nil {
		return 0, nil, err
	}
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	start, end := c.Query("start_date"), c.Query("end_date")
	ctx := c.Request.Context()
	if start == "" && end == "" {
		b, err := engine.QueryJSON(ctx, s.DB, `SELECT `+personsTimeSpentColumns+` FROM time_spent ts
			WHERE ts.person_id = ? ORDER BY ts.date, ts.created_at`, t.ID)
		return http.StatusOK, b, err
	}
	if start == "" || end == "" {
		return 0, nil, engine.BadRequest("If querying for a range of dates, both a `start_date` and an `end_date` must be given.")
	}
	from, err1 := time.Parse("2006-01-02", start)
	to, err2 := time.Parse("2006-01-02", end)
	if err1 != nil || err2 != nil {
		return 0, nil, engine.BadRequest(fmt.Sprintf("Wrong date format for %s and/or %s", start, end))
	}
	b, err := engine.QueryJSON(ctx, s.DB, `SELECT `+personsTimeSpentColumns+` FROM time_spent ts
		WHERE ts.person_id = ? AND ts.date BETWEEN ? AND ? ORDER BY ts.date, ts.created_at`, t.ID, from, to)
	return http.StatusOK, b, err
}

// personsDateTimeSpents lists a person's time spents of one day, narrowed to
// what the caller may see of them.
func (s *Server) personsDateTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	t, err := s.personsNotBot(c)
	if err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	sc, err := s.personsScopeFor(ctx, who, t.ID)
	if err != nil {
		return 0, nil, err
	}
	day, err := time.Parse("2006-01-02", c.Param("date"))
	if err != nil {
		return 0, nil, engine.BadRequest("Invalid month or year.")
	}
	cond, args := sc.where()
	b, err := engine.QueryJSON(ctx, s.DB, `SELECT `+personsTimeSpentColumns+` FROM time_spent ts JOIN task tk ON tk.id = ts.task_id
		WHERE ts.person_id = ? AND ts.date = ? AND `+cond+` ORDER BY ts.created_at`, append([]any{t.ID, day}, args...)...)
	return http.StatusOK, b, err
}

// personsPeriodTimeSpents answers a person's time of a period summed per
// task, with the names Kitsu's timesheet shows beside each line.
func (s *Server) personsPeriodTimeSpents(period personsPeriod) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		t, err := s.personsNotBot(c)
		if err != nil {
			return 0, nil, err
		}
		start, end, err := period(c)
		if err != nil {
			return 0, nil, err
		}
		ctx := c.Request.Context()
		sc, err := s.personsScopeFor(ctx, who, t.ID)
		if err != nil {
			return 0, nil, err
		}
		if err := sc.withProject(c); err != nil {
			return 0, nil, err
		}
		cond, args := sc.where()
		b, err := engine.QueryJSON(ctx, s.DB, `SELECT tk.id::text AS task_id, tk.task_type_id::text AS task_type_id,
			pr.id::text AS project_id, pr.name AS project_name, en.name AS entity_name, et.name AS entity_type_name,
			sq.name AS sequence_name, ep.name AS episode_name, sum(ts.duration) AS duration
			FROM time_spent ts JOIN task tk ON tk.id = ts.task_id
			JOIN project pr ON pr.id = tk.project_id
			JOIN entity en ON en.id = tk.entity_id
			JOIN entity_type et ON et.id = en.entity_type_id
			LEFT JOIN entity sq ON sq.id = en.parent_id
			LEFT JOIN entity ep ON ep.id = sq.parent_id
			WHERE ts.person_id = ? AND ts.date >= ? AND ts.date < ? AND `+cond+`
			GROUP BY tk.id, tk.task_type_id, pr.id, pr.name, en.name, et.name, sq.name, ep.name
			ORDER BY pr.name, en.name`, append([]any{t.ID, start, end}, args...)...)
		return http.StatusOK, b, err
	}
}

// personsMonthAllTimeSpents lists the raw time spent rows of a month (self or admin).
func (s *Server) personsMonthAllTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	t, err := s.personsOwn(c, who)
	if err != nil {
		return 0, nil, err
	}
	start, end, err := personsMonth(c)
	if err != nil {
		return 0, nil, engine.BadRequest("Invalid month or year.")
	}
	b, err := engine.QueryJSON(c.Request.Context(), s.DB, `SELECT `+personsTimeSpentColumns+` FROM time_spent ts
		WHERE ts.person_id = ? AND ts.date >= ? AND ts.date < ? ORDER BY ts.date, ts.created_at`, t.ID, start, end)
	return http.StatusOK, b, err
}

// personsTable answers Kitsu's timesheet tables: time summed per unit (the
// year, the month, the ISO week or the day of month, as a string key) and
// per person. Admins see everyone; managers and supervisors the time logged
// on their open productions (supervisors: their departments'); anyone else
// only their own time.
func (s *Server) personsTable(level string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		var start, end time.Time
		var err error
		switch level {
		case "month", "week":
			start, end, err = personsYear(c)
		case "day":
			start, end, err = personsMonth(c)
		}
		if err != nil {
			return 0, nil, engine.BadRequest("Invalid month or year.")
		}
		ctx := c.Request.Context()
		var conds []string
		var args []any
		if !start.IsZero() {
			conds = append(conds, "ts.date >= ? AND ts.date < ?")
			args = append(args, start, end)
		}
		depParam := c.Query("department_id")
		if depParam != "" && !engine.IsUUID(depParam) {
			return 0, nil, engine.BadRequest("Invalid department_id.")
		}
		sc := &personsScope{}
		if depParam != "" {
			sc.departments = []string{depParam}
		}
		switch {
		case who.IsAdmin():
		case who.Role == "manager" || who.Role == "supervisor":
			full, err := s.personsScopeFor(ctx, who, "")
			if err != nil {
				return 0, nil, err
			}
			sc.projects = full.projects
			if who.Role == "supervisor" {
				deps, err := who.Departments(ctx)
				if err != nil {
					return 0, nil, err
				}
				if depParam != "" && !slices.Contains(deps, depParam) {
					return 0, nil, engine.BadRequest("Supervisor not allowed to access this department")
				}
				if depParam == "" {
					sc.departments = deps
				}
			}
		default:
			conds = append(conds, "ts.person_id = ?")
			args = append(args, who.PersonID)
		}
		if err := sc.withProject(c); err != nil {
			return 0, nil, err
		}
		cond, scArgs := sc.where()
		conds = append(conds, cond)
		args = append(args, scArgs...)
		if studio := c.Query("studio_id"); studio != "" {
			if !engine.IsUUID(studio) {
				return 0, nil, engine.BadRequest("Invalid studio_id.")
			}
			conds = append(conds, "(SELECT p.studio_id FROM person p WHERE p.id = ts.person_id) = ?")
			args = append(args, studio)
		}
		unit := map[string]string{"year": "extract(year FROM ts.date)", "month": "extract(month FROM ts.date)",
			"week": "extract(week FROM ts.date)", "day": "extract(day FROM ts.date)"}[level]
		var out string
		err = s.DB.NewRaw(`SELECT COALESCE(jsonb_object_agg(u.unit, u.persons), '{}')::text FROM (
			SELECT x.unit, jsonb_object_agg(x.person_id, x.total) AS persons FROM (
				SELECT `+unit+`::int::text AS unit, ts.person_id::text AS person_id, sum(ts.duration)::float8 AS total
				FROM time_spent ts JOIN task tk ON tk.id = ts.task_id
				WHERE `+strings.Join(conds, " AND ")+` GROUP BY 1, 2) x GROUP BY x.unit) u`, args...).Scan(ctx, &out)
		if err != nil {
			return 0, nil, fmt.Errorf("time spent %s table: %w", level, err)
		}
		return http.StatusOK, []byte(out), nil
	}
}

// personsDayOffColumns are a day_off row (alias d) as Zou serialises it.
const personsDayOffColumns = `d.id, d.created_at, d.updated_at, d.date, d.end_date, d.description, d.person_id, 'DayOff' AS type`

// personsMonthDayOffs lists the day offs touching a month: everyone's for
// admins, one's own for others.
func (s *Server) personsMonthDayOffs(c *gin.Context, who *access.Caller) (int, any, error) {
	start, end, err := personsMonth(c)
	if err != nil {
		return 0, nil, engine.BadRequest("Invalid month or year.")
	}
	q := `SELECT ` + personsDayOffColumns + ` FROM day_off d WHERE d.end_date >= ? AND d.date <= ?`
	args := []any{start, end.AddDate(0, 0, -1)}
	if !who.IsAdmin() {
		q += ` AND d.person_id = ?`
		args = append(args, who.PersonID)
	}
	b, err := engine.QueryJSON(c.Request.Context(), s.DB, q+` ORDER BY d.date`, args...)
	return http.StatusOK, b, err
}

// personsDayOffs lists a person's day offs touching a period (all of them
// when period is nil); the person himself or an admin.
func (s *Server) personsDayOffs(period personsPeriod) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		t, err := s.personsOwn(c, who)
		if err != nil {
			return 0, nil, err
		}
		q := `SELECT ` + personsDayOffColumns + ` FROM day_off d WHERE d.person_id = ?`
		args := []any{t.ID}
		if period != nil {
			start, end, err := period(c)
			if err != nil {
				return 0, nil, err
			}
			q += ` AND d.end_date >= ? AND d.date <= ?`
			args = append(args, start, end.AddDate(0, 0, -1))
		}
		b, err := engine.QueryJSON(c.Request.Context(), s.DB, q+` ORDER BY d.date`, args...)
		return http.StatusOK, b, err
	}
}

// personsDayOffOn answers the day off covering a date, or {} when there is
// none. A date that is not YYYY-MM-DD is a 404, as our API documentation says.
func (s *Server) personsDayOffOn(c *gin.Context, who *access.Caller) (int, any, error) {
	t, err := s.personsOwn(c, who)
	if err != nil {
		return 0, nil, err
	}
	day, err := time.Parse("2006-01-02", c.Param("date"))
	if err != nil {
		return 0, nil, engine.Status(http.StatusNotFound, "Wrong date format: "+strconv.Quote(c.Param("date"))+", expected YYYY-MM-DD.")
	}
	b, err := engine.QueryObject(c.Request.Context(), s.DB, `SELECT `+personsDayOffColumns+` FROM day_off d
		WHERE d.person_id = ? AND ? BETWEEN d.date AND d.end_date ORDER BY d.date LIMIT 1`, t.ID, day)
	var e *engine.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return http.StatusOK, []byte("{}"), nil
	}
	return http.StatusOK, b, err
}

// personsPasswordChangeAllowed is Zou's check: another person's password is
// not the admin's to change when the account is protected, or when it is an
// admin's that has a password.
func (s *Server) personsPasswordChangeAllowed(who *access.Caller, t *personsTarget) error {
	if t.ID == who.PersonID {
		return nil
	}
	for _, p := range s.Cfg.ProtectedAccounts {
		if strings.EqualFold(strings.TrimSpace(p), t.Email) {
			return engine.Status(http.StatusBadRequest, "This user is in protected accounts.")
		}
	}
	if t.Role == "admin" && t.HasPassword {
		return engine.Status(http.StatusBadRequest, "An admin can't change another admin's password.")
	}
	return nil
}

// personsResetPasswordLink gives the admin the link Kitsu's reset page
// takes, instead of emailing it; the token lives two hours, and asking again
// within them answers the same link.
func (s *Server) personsResetPasswordLink(c *gin.Context, who *access.Caller) (int, any, error) {
	t, err := s.personsNotBot(c)
	if err != nil {
		return 0, nil, err
	}
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	if err := s.personsPasswordChangeAllowed(who, t); err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	key := "reset-token-" + t.Email
	token, err := s.Store.Get(ctx, key)
	if err != nil || token == "" {
		if token, err = resetToken(); err != nil {
			return 0, nil, err
		}
		if err := s.Store.Set(ctx, key, token, resetTokenTTL); err != nil {
			return 0, nil, fmt.Errorf("store reset token: %w", err)
		}
	}
	slog.Info("password reset link generated", "by", who.PersonID, "for", t.ID)
	return http.StatusOK, gin.H{"reset_password_link": s.personsResetURL(t.Email, token, "")}, nil
}

// personsResetURL is the link of Kitsu's page where a person chooses a new
// password (kind "new" for an invitation: the page greets a newcomer).
func (s *Server) personsResetURL(email, token, kind string) string {
	q := url.Values{"email": {email}, "token": {token}}
	if kind != "" {
		q.Set("type", kind)
	}
	return fmt.Sprintf("%s://%s/reset-change-password?%s", s.Cfg.DomainProtocol, s.Cfg.DomainName, q.Encode())
}

// personsDepartmentID reads a department id that must exist (Zou: 400
// "Department ID matches no department" otherwise).
func (s *Server) personsDepartmentID(ctx context.Context, id string) (string, error) {
	if !engine.IsUUID(id) {
		return "", engine.BadRequest("Department ID matches no department")
	}
	err := departmentsExists(ctx, s, "department", id)
	var e *engine.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return "", engine.BadRequest("Department ID matches no department")
	}
	return strings.ToLower(id), err
}

// personsSafe answers a person with their departments, without secrets.
func (s *Server) personsSafe(ctx context.Context, id string) ([]byte, error) {
	return s.Engine.One(ctx, s.DB, s.Engine.Reg.MustCollection("persons"), engine.View{Relations: true}, id)
}

// personsAddToDepartment puts a person in a department (admin); 201 with the person.
func (s *Server) personsAddToDepartment(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	raw, err := requiredString(body, "department_id")
	if err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	dep, err := s.personsDepartmentID(ctx, raw)
	if err != nil {
		return 0, nil, err
	}
	t, err := s.personsLoad(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	_, err = s.DB.NewRaw(`INSERT INTO department_link (person_id, department_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, t.ID, dep).Exec(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("add %s to department: %w", t.ID, err)
	}
	s.publish(ctx, "person:update", map[string]any{"person_id": t.ID}, "")
	b, err := s.personsSafe(ctx, t.ID)
	return http.StatusCreated, b, err
}

// personsRemoveFromDepartment takes a person out of a department (admin).
func (s *Server) personsRemoveFromDepartment(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	dep, err := s.personsDepartmentID(ctx, c.Param("department_id"))
	if err != nil {
		return 0, nil, err
	}
	t, err := s.personsLoad(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.DB.NewRaw(`DELETE FROM department_link WHERE person_id = ? AND department_id = ?`, t.ID, dep).Exec(ctx); err != nil {
		return 0, nil, fmt.Errorf("remove %s from department: %w", t.ID, err)
	}
	s.publish(ctx, "person:update", map[string]any{"person_id": t.ID}, "")
	return http.StatusNoContent, nil, nil
}

// personsChangePassword is the admin setting someone's password (no email
// is sent: this server has no mail service yet).
func (s *Server) personsChangePassword(c *gin.Context, who *access.Caller) (int, any, error) {
	t, err := s.personsNotBot(c)
	if err != nil {
		return 0, nil, err
	}
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	pw, err := requiredString(body, "password")
	if err != nil {
		return 0, nil, err
	}
	confirm, err := requiredString(body, "password_2")
	if err != nil {
		return 0, nil, err
	}
	if err := s.personsPasswordChangeAllowed(who, t); err != nil {
		return 0, nil, err
	}
	if err := s.checkNewPassword(pw, confirm); err != nil {
		return 0, nil, err
	}
	if err := s.setPassword(c.Request.Context(), t.ID, pw); err != nil {
		return 0, nil, err
	}
	slog.Warn("password changed by an admin", "by", who.PersonID, "for", t.ID)
	return http.StatusOK, gin.H{"success": true}, nil
}

// personsDisable2FA turns every second factor of a person off (admin; not
// another admin's).
func (s *Server) personsDisable2FA(c *gin.Context, who *access.Caller) (int, any, error) {
	t, err := s.personsNotBot(c)
	if err != nil {
		return 0, nil, err
	}
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	if t.Role == "admin" && t.ID != who.PersonID {
		return 0, nil, engine.Status(http.StatusBadRequest, "An admin can't disable 2FA for other admins.")
	}
	if !t.TwoFactor {
		return 0, nil, engine.Status(http.StatusBadRequest, "Two factor authentication not enabled for this user.")
	}
	_, err = s.DB.NewRaw(`UPDATE person SET email_otp_enabled = false, email_otp_secret = NULL, totp_enabled = false,
		totp_secret = NULL, fido_enabled = false, fido_credentials = NULL, otp_recovery_codes = NULL,
		preferred_two_factor_authentication = NULL, updated_at = now() AT TIME ZONE 'UTC' WHERE id = ?`, t.ID).Exec(c.Request.Context())
	if err != nil {
		return 0, nil, fmt.Errorf("disable 2FA of %s: %w", t.ID, err)
	}
	slog.Warn("two factor authentication disabled by an admin", "by", who.PersonID, "for", t.ID)
	return http.StatusOK, gin.H{"success": true}, nil
}

// personsClearAvatar drops a person's avatar flag (admin).
func (s *Server) personsClearAvatar(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	t, err := s.personsLoad(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.DB.NewRaw(`UPDATE person SET has_avatar = false, updated_at = now() AT TIME ZONE 'UTC' WHERE id = ?`, t.ID).Exec(ctx); err != nil {
		return 0, nil, fmt.Errorf("clear avatar of %s: %w", t.ID, err)
	}
	s.publish(ctx, "person:update", map[string]any{"person_id": t.ID}, "")
	return http.StatusNoContent, nil, nil
}
