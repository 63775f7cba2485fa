package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Creating the tasks of a type for many entities at once, deleting tasks in
// bulk, and the global order of task types.

// mountTasksCreate mounts bulk creation and deletion of tasks and the task type order.
func (s *Server) mountTasksCreate(r gin.IRouter) {
	r.POST("/actions/projects/:id/task-types/:task_type_id/shots/create-tasks", s.route(s.tasksCreateFor("Shot")))
	r.POST("/actions/projects/:id/task-types/:task_type_id/assets/create-tasks", s.route(s.tasksCreateFor("Asset")))
	r.POST("/actions/projects/:id/task-types/:task_type_id/edits/create-tasks", s.route(s.tasksCreateFor("Edit")))
	r.POST("/actions/projects/:id/task-types/:task_type_id/concepts/create-tasks", s.route(s.tasksCreateFor("Concept")))
	r.POST("/actions/projects/:id/task-types/:task_type_id/create-tasks/:entity_type", s.route(s.tasksCreateFor("")))
	r.DELETE("/actions/projects/:id/task-types/:task_type_id/delete-tasks", s.route(s.tasksDeleteForType))
	r.POST("/actions/projects/:id/delete-tasks", s.route(s.tasksDeleteMany))
	r.POST("/actions/task-types/reorder", s.route(s.tasksReorderTypes))
}

// tasksBodyIDs is Zou's validate_id_list(required=False): a JSON array of
// ids, or nothing (absent, null or {}) for "every entity".
func tasksBodyIDs(c *gin.Context, required bool) ([]string, error) {
	var raw []byte
	if c.Request.ContentLength != 0 || c.GetHeader("Content-Type") != "" {
		b, err := engine.ReadJSONBody(c)
		if err != nil && required {
			return nil, err
		}
		raw = b
	}
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" || trimmed == "{}" {
		if required {
			return nil, engine.BadRequest("Request body must be a JSON array.")
		}
		return nil, nil
	}
	var list []any
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, engine.BadRequest("Request body must be a JSON array.")
	}
	ids := make([]string, 0, len(list))
	for _, v := range list {
		id, ok := v.(string)
		if !ok || !engine.IsUUID(id) {
			return nil, engine.BadRequest("Request body must only contain valid UUIDs.")
		}
		ids = append(ids, strings.ToLower(id))
	}
	return ids, nil
}

// tasksCreateFor answers the create-tasks routes for entities of a business
// kind ("" = the :entity_type path segment, an entity type name).
func (s *Server) tasksCreateFor(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		projectID := c.Param("id")
		if kind == "Concept" {
			pr, err := who.Project(ctx, projectID)
			if err != nil {
				return 0, nil, err
			}
			if pr.IsVendor() || pr.IsClient() {
				return 0, nil, engine.Forbidden()
			}
		} else if _, err := who.ManagerOf(ctx, projectID); err != nil {
			return 0, nil, err
		}
		taskTypeID := c.Param("task_type_id")
		if !engine.IsUUID(taskTypeID) {
			return 0, nil, engine.NotFound()
		}
		if ok, err := s.DB.NewSelect().TableExpr("task_type").Where("id = ?", taskTypeID).Exists(ctx); err != nil || !ok {
			if err != nil {
				return 0, nil, fmt.Errorf("task type %s: %w", taskTypeID, err)
			}
			return 0, nil, engine.NotFound()
		}
		// Which entities: the business kind, or an entity type named in the path.
		typeCond, typeArg := "("+access.BusinessTypeSQL("e")+") = ?", any(kind)
		if kind == "" {
			name := c.Param("entity_type")
			var typeID string
			err := s.DB.NewRaw("SELECT id::text FROM entity_type WHERE lower(name) = lower(?) LIMIT 1", name).Scan(ctx, &typeID)
			if errors.Is(err, sql.ErrNoRows) {
				return 0, nil, engine.NotFound()
			}
			if err != nil {
				return 0, nil, fmt.Errorf("entity type %s: %w", name, err)
			}
			typeCond, typeArg = "e.entity_type_id = ?", typeID
		}
		ids, err := tasksBodyIDs(c, false)
		if err != nil {
			return 0, nil, err
		}
		var entities []string
		ids = slices.Compact(ids)
		if len(ids) > 0 {
			// Listed ids must be entities of that kind (404 otherwise); those
			// of another production are skipped, as Zou does.
			var rows []struct {
				ID      string `bun:"id"`
				Project string `bun:"project_id"`
			}
			err := s.DB.NewRaw("SELECT e.id::text, e.project_id::text FROM entity e WHERE e.id = ANY(?::uuid[]) AND "+typeCond,
				pgdialect.Array(ids), typeArg).Scan(ctx, &rows)
			if err != nil {
				return 0, nil, fmt.Errorf("entities to create tasks on: %w", err)
			}
			found := map[string]string{}
			for _, r := range rows {
				found[r.ID] = r.Project
			}
			for _, id := range ids {
				p, ok := found[id]
				if !ok {
					return 0, nil, engine.NotFound()
				}
				if p == projectID {
					entities = append(entities, id)
				}
			}
		} else {
			q := "SELECT e.id::text FROM entity e WHERE e.project_id = ? AND " + typeCond
			args := []any{projectID, typeArg}
			if ep := c.Query("episode_id"); ep != "" && kind == "" {
				if !engine.IsUUID(ep) {
					return 0, nil, engine.BadRequest(engine.MsgMalformedID)
				}
				q += " AND (e.parent_id = ? OR e.parent_id IN (SELECT sq.id FROM entity sq WHERE sq.parent_id = ?))"
				args = append(args, ep, ep)
			}
			if err := s.DB.NewRaw(q+" ORDER BY e.name", args...).Scan(ctx, &entities); err != nil {
				return 0, nil, fmt.Errorf("entities to create tasks on: %w", err)
			}
		}
		created, err := s.tasksCreateMany(ctx, who, taskTypeID, entities, kind == "Concept")
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, created, nil
	}
}

// tasksDefaultStatus is Zou's get_default_status: the default status (of
// concepts or not), else the one with its short name, else a new one.
func (s *Server) tasksDefaultStatus(ctx context.Context, tx bun.IDB, concept bool) (string, []tasksEvent, error) {
	name, short, color := "Todo", "todo", "#f5f5f5"
	if concept {
		name, short, color = "Neutral", "neutral", "#CCCCCC"
	}
	var id string
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT id::text FROM task_status WHERE is_default IS TRUE AND COALESCE(for_concept, false) = ? ORDER BY created_at LIMIT 1", []any{concept}},
		{"SELECT id::text FROM task_status WHERE short_name = ? AND COALESCE(for_concept, false) = ? ORDER BY created_at LIMIT 1", []any{short, concept}},
	} {
		err := tx.NewRaw(q.sql, q.args...).Scan(ctx, &id)
		if err == nil {
			return id, nil, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", nil, fmt.Errorf("default status: %w", err)
		}
	}
	err := tx.NewRaw(`INSERT INTO task_status (id, created_at, updated_at, name, short_name, color, is_default, for_concept,
		is_done, is_retake, is_feedback_request, is_wip, is_artist_allowed, is_client_allowed, archived, priority)
		VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, ?, true, ?,
		false, false, false, false, true, true, false, 1) RETURNING id::text`, name, short, color, concept).Scan(ctx, &id)
	if err != nil {
		return "", nil, fmt.Errorf("create default status: %w", err)
	}
	return id, []tasksEvent{{"task-status:new", map[string]any{"task_status_id": id}, ""}}, nil
}

// tasksCreateMany is Zou's create_tasks: one task of the type per entity
// that has none yet, in one transaction; answers the new tasks with their
// status and type names; emits task:new for each.
func (s *Server) tasksCreateMany(ctx context.Context, who *access.Caller, taskTypeID string, entityIDs []string, concept bool) ([]byte, error) {
	if len(entityIDs) == 0 {
		return []byte("[]"), nil
	}
	var ids []string
	var evs []tasksEvent
	var projects []string
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		statusID, more, err := s.tasksDefaultStatus(ctx, tx, concept)
		if err != nil {
			return err
		}
		evs = append(evs, more...)
		var rows []struct {
			ID      string `bun:"id"`
			Project string `bun:"project_id"`
		}
		err = tx.NewRaw(`INSERT INTO task (id, created_at, updated_at, name, duration, estimation, completion_rate, retake_count,
			sort_order, priority, difficulty, nb_assets_ready, nb_drawings, project_id, task_type_id, task_status_id, entity_id, assigner_id)
			SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', 'main', 0, 0, 0, 0, 0, 0, 3, 0, 0,
			e.project_id, ?, ?, e.id, ?
			FROM unnest(?::uuid[]) WITH ORDINALITY AS x(id, n) JOIN entity e ON e.id = x.id
			WHERE NOT EXISTS (SELECT 1 FROM task o WHERE o.entity_id = e.id AND o.task_type_id = ?)
			ORDER BY x.n
			ON CONFLICT DO NOTHING
			RETURNING id::text, project_id::text`,
			taskTypeID, statusID, nullIfEmpty(who.PersonID), pgdialect.Array(entityIDs), taskTypeID).Scan(ctx, &rows)
		if err != nil {
			return fmt.Errorf("create tasks: %w", err)
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
			projects = append(projects, r.Project)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		evs = append(evs, tasksEvent{"task:new", map[string]any{"task_id": id}, projects[i]})
	}
	s.tasksFlush(ctx, evs)
	if len(ids) == 0 {
		return []byte("[]"), nil
	}
	return s.Engine.Rows(ctx, nil, s.tasksColl("tasks"), engine.View{Relations: true, Extra: []engine.Extra{
		{Key: "task_status_name", SQL: "(SELECT x.name FROM task_status x WHERE x.id = t.task_status_id)", Kind: engine.KindText},
		{Key: "task_status_short_name", SQL: "(SELECT x.short_name FROM task_status x WHERE x.id = t.task_status_id)", Kind: engine.KindText},
		{Key: "task_status_color", SQL: "(SELECT x.color FROM task_status x WHERE x.id = t.task_status_id)", Kind: engine.KindText},
		{Key: "task_type_name", SQL: "(SELECT x.name FROM task_type x WHERE x.id = t.task_type_id)", Kind: engine.KindText},
		{Key: "task_type_color", SQL: "(SELECT x.color FROM task_type x WHERE x.id = t.task_type_id)", Kind: engine.KindText},
		{Key: "task_type_priority", SQL: "(SELECT x.priority FROM task_type x WHERE x.id = t.task_type_id)", Kind: engine.KindInt},
	}}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.id = ANY(?::uuid[])", pgdialect.Array(ids)).OrderExpr("array_position(?::uuid[], t.id)", pgdialect.Array(ids))
	})
}

// tasksRemove deletes tasks as Zou's remove_task does. With force, what
// hangs off them goes too (purgeTasks); without, only their assignments, and
// a task still referenced is a 400 from the foreign key. It answers the
// task:delete events.
func tasksRemove(ctx context.Context, tx bun.IDB, ids []string, force bool) ([]tasksEvent, error) {
	var rows []purgedTask
	var err error
	if force {
		rows, err = purgeTasks(ctx, tx, ids)
	} else {
		if _, err := tx.NewRaw("DELETE FROM task_person_link WHERE task_id = ANY(?::uuid[])", pgdialect.Array(ids)).Exec(ctx); err != nil {
			return nil, fmt.Errorf("remove assignments: %w", err)
		}
		rows, err = deleteTaskRows(ctx, tx, ids)
	}
	if err != nil {
		return nil, err
	}
	evs := make([]tasksEvent, 0, len(rows))
	for _, r := range rows {
		evs = append(evs, tasksEvent{"task:delete", map[string]any{"task_id": r.ID, "entity_id": r.EntityID,
			"task_type_id": r.TaskTypeID}, r.ProjectID})
	}
	return evs, nil
}

// tasksDeleteForType is the admin's removal of every task of a type in a project.
func (s *Server) tasksDeleteForType(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	taskTypeID := c.Param("task_type_id")
	if !engine.IsUUID(taskTypeID) {
		return 0, nil, engine.NotFound()
	}
	err = s.tasksRemoveSelected(ctx, "SELECT id::text FROM task WHERE project_id = ? AND task_type_id = ?", pr.ID, taskTypeID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// tasksRemoveSelected removes, in one transaction, the tasks the query
// selects (none is no error), then publishes what their removal announces.
func (s *Server) tasksRemoveSelected(ctx context.Context, query string, args ...any) error {
	var evs []tasksEvent
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var ids []string
		err := tx.NewRaw(query, args...).Scan(ctx, &ids)
		if err != nil || len(ids) == 0 {
			return err
		}
		evs, err = tasksRemove(ctx, tx, ids, true)
		return err
	})
	if err != nil {
		return err
	}
	s.tasksFlush(ctx, evs)
	return nil
}

// tasksDeleteMany is POST /actions/projects/<id>/delete-tasks [ids]: a
// manager removes the listed tasks of his project (others are left alone);
// answers the list it was given, as Zou does.
func (s *Server) tasksDeleteMany(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	ids, err := tasksBodyIDs(c, true)
	if err != nil {
		return 0, nil, err
	}
	err = s.tasksRemoveSelected(ctx, "SELECT id::text FROM task WHERE project_id = ? AND id = ANY(?::uuid[])", pr.ID, pgdialect.Array(ids))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ids, nil
}

// tasksReorderTypes sets the global priority of task types 1..n from an
// ordered id list; unknown ids are skipped (their rank is still used).
func (s *Server) tasksReorderTypes(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	if raw, ok := m["task_type_ids"]; !ok || !strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		return 0, nil, engine.BadRequest("Request body must be a JSON object with a 'task_type_ids' list.")
	}
	ids, err := idList(m, "task_type_ids")
	if err != nil {
		return 0, nil, err
	}
	var updated []string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewRaw(`UPDATE task_type tt SET priority = x.n, updated_at = now() at time zone 'utc'
			FROM unnest(?::uuid[]) WITH ORDINALITY AS x(id, n) WHERE tt.id = x.id RETURNING tt.id::text`,
			pgdialect.Array(ids)).Scan(ctx, &updated)
	})
	if err != nil {
		return 0, nil, err
	}
	if len(updated) == 0 {
		return http.StatusOK, []byte("[]"), nil
	}
	b, err := s.Engine.Rows(ctx, nil, s.tasksColl("task-types"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.id = ANY(?::uuid[])", pgdialect.Array(updated)).OrderExpr("t.priority")
	})
	return http.StatusOK, b, err
}
