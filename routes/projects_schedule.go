package routes

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Milestones, schedule items and budgets of a production.

func (s *Server) mountProjectsSchedule(r gin.IRouter) {
	r.GET("/data/projects/:id/milestones", s.route(s.projectsMilestones))
	r.GET("/data/projects/:id/schedule-items", s.route(s.projectsScheduleItems))
	r.GET("/data/projects/:id/schedule-items/task-types", s.route(s.projectsTaskTypeScheduleItems))
	for _, kind := range []string{"asset-types", "episodes", "sequences", "edits"} {
		r.GET("/data/projects/:id/schedule-items/:task_type_id/"+kind, s.route(s.projectsEntityScheduleItems(kind)))
	}

	r.GET("/data/projects/:id/budgets", s.route(s.projectsBudgets))
	r.POST("/data/projects/:id/budgets", s.route(s.projectsBudgetCreate))
	r.GET("/data/projects/:id/budgets/:budget_id", s.route(s.projectsBudget))
	r.PUT("/data/projects/:id/budgets/:budget_id", s.route(s.projectsBudgetUpdate))
	r.DELETE("/data/projects/:id/budgets/:budget_id", s.route(s.projectsBudgetDelete))
	r.GET("/data/projects/:id/budgets/:budget_id/entries", s.route(s.projectsBudgetEntries))
	r.POST("/data/projects/:id/budgets/:budget_id/entries", s.route(s.projectsBudgetEntryCreate))
	r.GET("/data/projects/:id/budgets/:budget_id/entries/:entry_id", s.route(s.projectsBudgetEntry))
	r.PUT("/data/projects/:id/budgets/:budget_id/entries/:entry_id", s.route(s.projectsBudgetEntryUpdate))
	r.DELETE("/data/projects/:id/budgets/:budget_id/entries/:entry_id", s.route(s.projectsBudgetEntryDelete))
}

// projectsMilestones is GET /data/projects/<id>/milestones.
func (s *Server) projectsMilestones(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.projectsColl("milestones"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.project_id = ?", pr.ID).OrderExpr("t.date, t.name")
	})
	return http.StatusOK, b, err
}

// projectsScheduleReader is check_project_access plus Zou's vendor block.
func projectsScheduleReader(ctx context.Context, who *access.Caller, projectID string) (*access.Project, error) {
	pr, err := who.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	return pr, pr.RefuseVendor()
}

// projectsScheduleCreate runs query, an INSERT of schedule items RETURNING
// id::text (Zou creates the missing ones on first read), and announces each
// new item; creating none is no error.
func (s *Server) projectsScheduleCreate(ctx context.Context, projectID, query string, args ...any) error {
	var created []string
	if err := s.DB.NewRaw(query, args...).Scan(ctx, &created); err != nil && !projectsNoRows(err) {
		return engine.FromDB(err)
	}
	for _, id := range created {
		s.publish(ctx, "schedule-item:new", map[string]any{"schedule_item_id": id}, projectID)
	}
	return nil
}

// projectsScheduleItems is GET /data/projects/<id>/schedule-items.
func (s *Server) projectsScheduleItems(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := projectsScheduleReader(ctx, who, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.projectsColl("schedule-items"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.project_id = ?", pr.ID).OrderExpr("t.start_date, t.id")
	})
	return http.StatusOK, b, err
}

// projectsTaskTypeScheduleItems is GET /data/projects/<id>/schedule-items/task-types:
// the task-type level items (object_id null) of the project's task types,
// created on first read for task types that have none, as Zou does.
func (s *Server) projectsTaskTypeScheduleItems(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := projectsScheduleReader(ctx, who, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := s.projectsScheduleCreate(ctx, pr.ID, `INSERT INTO schedule_item (id, created_at, updated_at, project_id, task_type_id, start_date, end_date)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', l.project_id, l.task_type_id, current_date, current_date + 1
 FROM project_task_type_link l JOIN task_type tt ON tt.id = l.task_type_id
 WHERE l.project_id = ? AND tt.for_entity IN ('Asset', 'Shot', 'Sequence', 'Episode', 'Edit')
 AND NOT EXISTS (SELECT 1 FROM schedule_item si WHERE si.project_id = l.project_id AND si.task_type_id = l.task_type_id AND si.object_id IS NULL)
 RETURNING id::text`, pr.ID); err != nil {
		return 0, nil, err
	}
	b, err := engine.QueryJSON(ctx, s.DB, `SELECT si.id, si.start_date, si.end_date, si.man_days, si.project_id, si.task_type_id, si.object_id
 FROM schedule_item si JOIN project_task_type_link l ON l.project_id = si.project_id AND l.task_type_id = si.task_type_id
 JOIN task_type tt ON tt.id = si.task_type_id
 WHERE si.project_id = ? AND si.object_id IS NULL AND tt.for_entity IN ('Asset', 'Shot', 'Sequence', 'Episode', 'Edit')
 ORDER BY si.start_date, si.id`, pr.ID)
	return http.StatusOK, b, err
}

// projectsScheduleTargets is the SQL of the (id, name) rows a kind of
// schedule item covers in a project (one ?: the project; a second one, the
// episode, when episode is true).
func projectsScheduleTargets(kind string, episode bool) string {
	const temporal = "('Shot', 'Sequence', 'Episode', 'Scene', 'Edit', 'Concept')"
	switch kind {
	case "asset-types":
		q := `SELECT DISTINCT et.id, et.name FROM entity a JOIN entity_type et ON et.id = a.entity_type_id
 WHERE a.project_id = ? AND et.name NOT IN ` + temporal
		if episode {
			q += " AND a.source_id = ?"
		}
		return q
	case "episodes":
		q := `SELECT e.id, e.name FROM entity e JOIN entity_type et ON et.id = e.entity_type_id WHERE e.project_id = ? AND et.name = 'Episode'`
		if episode {
			q += " AND e.id = ?"
		}
		return q
	case "sequences":
		q := `SELECT e.id, e.name FROM entity e JOIN entity_type et ON et.id = e.entity_type_id WHERE e.project_id = ? AND et.name = 'Sequence'`
		if episode {
			q += " AND e.parent_id = ?"
		}
		return q
	}
	q := `SELECT e.id, e.name FROM entity e JOIN entity_type et ON et.id = e.entity_type_id
 WHERE e.project_id = ? AND et.name = 'Edit' AND e.canceled IS NOT TRUE`
	if episode {
		q += " AND e.parent_id = ?"
	}
	return q
}

// projectsEntityScheduleItems is GET /data/projects/<id>/schedule-items/<task_type_id>/<kind>:
// one item per asset type, episode, sequence or edit of the project for the
// task type, created on first read, each with its object's name, by name
// (?episode_id narrows).
func (s *Server) projectsEntityScheduleItems(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		pr, err := projectsScheduleReader(ctx, who, c.Param("id"))
		if err != nil {
			return 0, nil, err
		}
		taskType := c.Param("task_type_id")
		if !engine.IsUUID(taskType) {
			return 0, nil, engine.MalformedID()
		}
		if err := projectsFound(ctx, s.DB, "task_type", taskType, engine.NotFound()); err != nil {
			return 0, nil, err
		}
		args := []any{pr.ID}
		episode, byEpisode := c.GetQuery("episode_id")
		if byEpisode {
			if !engine.IsUUID(episode) {
				return 0, nil, engine.MalformedID()
			}
			args = append(args, episode)
		}
		targets := projectsScheduleTargets(kind, byEpisode)
		if err := s.projectsScheduleCreate(ctx, pr.ID, `INSERT INTO schedule_item (id, created_at, updated_at, project_id, task_type_id, object_id, start_date, end_date)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, x.id, current_date, current_date + 1
 FROM (`+targets+`) x WHERE NOT EXISTS (SELECT 1 FROM schedule_item si WHERE si.project_id = ? AND si.task_type_id = ? AND si.object_id = x.id)
 RETURNING id::text`, append(append([]any{pr.ID, taskType}, args...), pr.ID, taskType)...); err != nil {
			return 0, nil, err
		}
		b, err := engine.QueryJSON(ctx, s.DB, `SELECT si.id, si.start_date, si.end_date, si.man_days, si.project_id, si.task_type_id, si.object_id, x.name
 FROM schedule_item si JOIN (`+targets+`) x ON x.id = si.object_id WHERE si.project_id = ? AND si.task_type_id = ? ORDER BY x.name, si.id`,
			append(args, pr.ID, taskType)...)
		return http.StatusOK, b, err
	}
}

// ---- Budgets ------------------------------------------------------------------

// projectsChildID reads the id path parameter key and checks that table has
// that row under parentCol = parentID (a malformed id is Zou's 400 of
// check_id_parameter, a row of another parent a 404).
func projectsChildID(ctx context.Context, db bun.IDB, c *gin.Context, key, table, parentCol, parentID string) (string, error) {
	id := c.Param(key)
	if !engine.IsUUID(id) {
		return "", engine.MalformedID()
	}
	var ok bool
	if err := db.NewRaw("SELECT EXISTS (SELECT 1 FROM ? WHERE id = ? AND ? = ?)",
		bun.Ident(table), id, bun.Ident(parentCol), parentID).Scan(ctx, &ok); err != nil {
		return "", err
	}
	if !ok {
		return "", engine.NotFound()
	}
	return id, nil
}

// projectsBudgetOf is what every budget route checks first: the caller
// manages the project, and the budget of the path belongs to it.
func (s *Server) projectsBudgetOf(c *gin.Context, who *access.Caller) (*access.Project, string, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return nil, "", err
	}
	id, err := projectsChildID(ctx, s.DB, c, "budget_id", "budget", "project_id", pr.ID)
	return pr, id, err
}

// projectsEntryOf adds to projectsBudgetOf the budget entry of the path,
// checked against its budget.
func (s *Server) projectsEntryOf(c *gin.Context, who *access.Caller) (pr *access.Project, budgetID, id string, err error) {
	if pr, budgetID, err = s.projectsBudgetOf(c, who); err != nil {
		return nil, "", "", err
	}
	id, err = projectsChildID(c.Request.Context(), s.DB, c, "entry_id", "budget_entry", "budget_id", budgetID)
	return pr, budgetID, id, err
}

// projectsEntryEvent tells the clients a budget entry moved (verb: create,
// update or delete); Zou names both the budget and the entry.
func (s *Server) projectsEntryEvent(ctx context.Context, verb, projectID, budgetID, id string) {
	s.publish(ctx, "budget-entry:"+verb, map[string]any{"budget_id": budgetID, "budget_entry_id": id}, projectID)
}

// projectsBudgets is GET /data/projects/<id>/budgets (Budget.present shape).
func (s *Server) projectsBudgets(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := engine.QueryJSON(ctx, s.DB, `SELECT id, project_id, revision, name, currency FROM budget
 WHERE project_id = ? ORDER BY revision, created_at`, pr.ID)
	return http.StatusOK, b, err
}

// projectsBudget is GET /data/projects/<id>/budgets/<budget_id>.
func (s *Server) projectsBudget(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	_, id, err := s.projectsBudgetOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Read(ctx, nil, s.projectsColl("budgets"), id, true)
	return http.StatusOK, b, err
}

// projectsBudgetCreate is POST /data/projects/<id>/budgets: the revision
// follows the project's last one.
func (s *Server) projectsBudgetCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, body, err := projectsManagedBody(c, who)
	if err != nil {
		return 0, nil, err
	}
	name, err := requiredString(body, "name")
	if err != nil {
		return 0, nil, err
	}
	currency, ok, err := field[string](body, "currency")
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		currency = "USD"
	}
	var out []byte
	var id string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Serialise concurrent creations on the project so revisions stay distinct.
		if _, err := tx.NewRaw("SELECT 1 FROM project WHERE id = ? FOR UPDATE", pr.ID).Exec(ctx); err != nil {
			return err
		}
		var rev int
		if err := tx.NewRaw("SELECT COALESCE(max(revision), 0) + 1 FROM budget WHERE project_id = ?", pr.ID).Scan(ctx, &rev); err != nil {
			return err
		}
		m, err := engine.Values(map[string]any{"project_id": pr.ID, "name": name, "currency": currency, "revision": rev})
		if err != nil {
			return err
		}
		id, out, err = s.Engine.Insert(ctx, tx, s.projectsColl("budgets"), who.Principal, m)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.publish(ctx, "budget:create", map[string]any{"budget_id": id}, pr.ID)
	return http.StatusOK, out, nil
}

// projectsBudgetUpdate is PUT /data/projects/<id>/budgets/<budget_id> (name, currency).
func (s *Server) projectsBudgetUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, id, err := s.projectsBudgetOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	m := map[string]json.RawMessage{}
	for _, k := range []string{"name", "currency"} {
		if v, ok, err := field[string](body, k); err != nil {
			return 0, nil, err
		} else if ok {
			m[k], _ = json.Marshal(v)
		}
	}
	out, err := s.Engine.Patch(ctx, s.DB, s.projectsColl("budgets"), who.Principal, id, m)
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "budget:update", map[string]any{"budget_id": id}, pr.ID)
	return http.StatusOK, out, nil
}

// projectsBudgetDelete is DELETE /data/projects/<id>/budgets/<budget_id>,
// entries included, in one transaction.
func (s *Server) projectsBudgetDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, id, err := s.projectsBudgetOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("DELETE FROM budget_entry WHERE budget_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw("DELETE FROM budget WHERE id = ?", id).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.publish(ctx, "budget:delete", map[string]any{"budget_id": id}, pr.ID)
	return http.StatusNoContent, nil, nil
}

// projectsBudgetEntries is GET .../budgets/<budget_id>/entries (BudgetEntry.present shape).
func (s *Server) projectsBudgetEntries(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	_, id, err := s.projectsBudgetOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	b, err := engine.QueryJSON(ctx, s.DB, `SELECT id, budget_id, department_id, person_id, start_date, months_duration,
 daily_salary, position, seniority, exceptions FROM budget_entry WHERE budget_id = ? ORDER BY created_at, id`, id)
	return http.StatusOK, b, err
}

// projectsBudgetEntry is GET .../budgets/<budget_id>/entries/<entry_id>.
func (s *Server) projectsBudgetEntry(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	_, _, id, err := s.projectsEntryOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Read(ctx, nil, s.projectsColl("budget-entries"), id, false)
	return http.StatusOK, b, err
}

var (
	projectsPositions   = []string{"supervisor", "lead", "artist"}
	projectsSeniorities = []string{"senior", "mid", "junior"}
)

// projectsEntryValues reads the keys of a budget entry body (typed, enums
// checked); exceptions keeps the months with a positive count, as Zou.
func projectsEntryValues(body map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	for _, k := range []string{"department_id", "person_id"} {
		id, err := idField(body, k)
		if err != nil {
			return nil, err
		}
		if _, present := body[k]; present {
			if id == "" {
				m[k] = json.RawMessage("null")
			} else {
				m[k], _ = json.Marshal(id)
			}
		}
	}
	if v, ok, err := field[string](body, "start_date"); err != nil {
		return nil, err
	} else if ok {
		if _, err := pathDate(v); err != nil {
			return nil, err
		}
		m["start_date"], _ = json.Marshal(v)
	}
	if v, ok, err := field[int](body, "months_duration"); err != nil {
		return nil, err
	} else if ok {
		m["months_duration"], _ = json.Marshal(v)
	}
	if v, ok, err := field[float64](body, "daily_salary"); err != nil {
		return nil, err
	} else if ok {
		m["daily_salary"], _ = json.Marshal(v)
	}
	for k, allowed := range map[string][]string{"position": projectsPositions, "seniority": projectsSeniorities} {
		if v, ok, err := field[string](body, k); err != nil {
			return nil, err
		} else if ok {
			if !slices.Contains(allowed, v) {
				return nil, engine.BadRequest("Invalid " + k)
			}
			m[k], _ = json.Marshal(v)
		}
	}
	if _, present := body["exceptions"]; present {
		ex, _, err := field[map[string]*int](body, "exceptions")
		if err != nil {
			return nil, err
		}
		kept := map[string]int{}
		for month, n := range ex {
			if n != nil && *n > 0 {
				kept[month] = *n
			}
		}
		m["exceptions"], _ = json.Marshal(kept)
	}
	return m, nil
}

// projectsBudgetEntryCreate is POST .../budgets/<budget_id>/entries.
func (s *Server) projectsBudgetEntryCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, budgetID, err := s.projectsBudgetOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	if _, err := requiredString(body, "department_id"); err != nil {
		return 0, nil, err
	}
	m, err := projectsEntryValues(body)
	if err != nil {
		return 0, nil, err
	}
	m["budget_id"], _ = json.Marshal(budgetID)
	m["exceptions"] = json.RawMessage("{}")
	id, out, err := s.Engine.Insert(ctx, s.DB, s.projectsColl("budget-entries"), who.Principal, m)
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.projectsEntryEvent(ctx, "create", pr.ID, budgetID, id)
	return http.StatusOK, out, nil
}

// projectsBudgetEntryUpdate is PUT .../budgets/<budget_id>/entries/<entry_id>.
func (s *Server) projectsBudgetEntryUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, budgetID, id, err := s.projectsEntryOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	m, err := projectsEntryValues(body)
	if err != nil {
		return 0, nil, err
	}
	if raw, ok := m["department_id"]; ok && string(raw) == "null" {
		return 0, nil, engine.BadRequest("The field department_id is missing.")
	}
	out, err := s.Engine.Patch(ctx, s.DB, s.projectsColl("budget-entries"), who.Principal, id, m)
	if err != nil {
		return 0, nil, err
	}
	s.projectsEntryEvent(ctx, "update", pr.ID, budgetID, id)
	return http.StatusOK, out, nil
}

// projectsBudgetEntryDelete is DELETE .../budgets/<budget_id>/entries/<entry_id>.
func (s *Server) projectsBudgetEntryDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, budgetID, id, err := s.projectsEntryOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.DB.NewRaw("DELETE FROM budget_entry WHERE id = ?", id).Exec(ctx); err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.projectsEntryEvent(ctx, "delete", pr.ID, budgetID, id)
	return http.StatusNoContent, nil, nil
}
