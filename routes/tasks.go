package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// mountTasks adds the routes of one area. Tasks: creation, assignment, time spents, to-do lists (routes.md § Tasks).
//
// Path parameters after a collection segment are named ":id", as the
// engine's generic /data routes name them: gin refuses two names for one
// wildcard position.
func (s *Server) mountTasks(r gin.IRouter) {
	r.GET("/data/tasks/open-tasks", s.route(s.tasksOpen))
	r.GET("/data/tasks/open-tasks/stats", s.route(s.tasksOpenStats))
	r.GET("/data/tasks/:id/full", s.route(s.tasksFull))
	r.GET("/data/tasks/:id/previews", s.route(s.tasksPreviews))
	r.GET("/data/persons/task-dates", s.route(s.tasksPersonsDates))
	r.GET("/data/persons/:id/tasks", s.route(s.tasksOfPersonTodo))
	r.GET("/data/persons/:id/done-tasks", s.route(s.tasksOfPersonDone))
	r.GET("/data/persons/:id/related-tasks/:task_type_id", s.route(s.tasksRelated))
	r.GET("/data/entities/:id/task-types/:task_type_id/tasks", s.route(s.tasksForEntityAndType))
	r.GET("/data/projects/:id/tasks", s.route(s.tasksOfProject))
	r.GET("/data/projects/:id/notifications", s.route(s.tasksProjectNotifications))
	r.GET("/data/projects/:id/preview-files", s.route(s.tasksProjectPreviewFiles))
	r.GET("/data/projects/:id/subscriptions", s.route(s.tasksProjectSubscriptions))

	s.mountTasksAssign(r)
	s.mountTasksTime(r)
	s.mountTasksCreate(r)
	s.mountTasksData(r)
	s.mountTasksPreview(r)
	s.mountTasksReview(r)
}

// tasksColl is a registered collection (the registry is fixed at boot).
func (s *Server) tasksColl(name string) *engine.Collection { return s.Engine.Reg.MustCollection(name) }

// tasksFull answers get_full_task: the task with its relations and its
// entity, entity type, project, type, status, assignees (safe persons),
// assigner and, for shots/scenes/sequences, sequence and episode, in one query.
func (s *Server) tasksFull(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	persons := s.tasksColl("persons")
	entities := s.tasksColl("entities")
	obj := func(coll, table, alias, idExpr string) string {
		return "(SELECT " + s.tasksColl(coll).ObjectSQL(alias) + " FROM " + table + " " + alias + " WHERE " + alias + ".id = " + idExpr + ")"
	}
	// The sequence of a shot or scene is its parent; a sequence is its own.
	seqID := `(CASE WHEN fe.parent_id IS NULL THEN NULL
		WHEN fet.name = 'Sequence' THEN fe.id WHEN fet.name IN ('Shot', 'Scene') THEN fe.parent_id END)`
	extra := []engine.Extra{
		{Key: "entity", SQL: obj("entities", "entity", "xe", "t.entity_id"), Kind: engine.KindJSON},
		{Key: "entity_type", SQL: obj("entity-types", "entity_type", "xet", "fe.entity_type_id"), Kind: engine.KindJSON},
		{Key: "is_subscribed", SQL: "EXISTS (SELECT 1 FROM subscription sb WHERE sb.task_id = t.id AND sb.person_id = ?)", Args: []any{who.PersonID}, Kind: engine.KindBool},
		{Key: "persons", SQL: "(SELECT COALESCE(jsonb_agg(" + persons.ObjectSQL("xp") + " ORDER BY xp.last_name, xp.first_name), '[]'::jsonb) FROM person xp JOIN task_person_link xl ON xl.person_id = xp.id WHERE xl.task_id = t.id)", Kind: engine.KindJSON},
		{Key: "project", SQL: obj("projects", "project", "xpr", "t.project_id"), Kind: engine.KindJSON},
		{Key: "task_status", SQL: obj("task-status", "task_status", "xts", "t.task_status_id"), Kind: engine.KindJSON},
		{Key: "task_type", SQL: obj("task-types", "task_type", "xtt", "t.task_type_id"), Kind: engine.KindJSON},
		{Key: "tasks_assigner", SQL: "(SELECT " + persons.ObjectSQL("xa") + " || jsonb_build_object('departments', COALESCE((SELECT jsonb_agg(dl.department_id) FROM department_link dl WHERE dl.person_id = xa.id), '[]'::jsonb)) FROM person xa WHERE xa.id = t.assigner_id)", Kind: engine.KindJSON},
		{Key: "tasks_sequence", SQL: "(SELECT " + entities.ObjectSQL("xs") + " FROM entity xs WHERE xs.id = " + seqID + ")", Kind: engine.KindJSON},
		{Key: "tasks_episode", SQL: "(SELECT " + entities.ObjectSQL("xep") + " FROM entity xep WHERE xep.id = (SELECT sq.parent_id FROM entity sq WHERE sq.id = " + seqID + "))", Kind: engine.KindJSON},
	}
	b, err := s.Engine.Rows(ctx, nil, s.tasksColl("tasks"), engine.View{Relations: true, Extra: extra}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Join("JOIN entity fe ON fe.id = t.entity_id").Join("JOIN entity_type fet ON fet.id = fe.entity_type_id").
			Where("t.id = ?", t.TaskID)
	})
	if err != nil {
		return 0, nil, err
	}
	var rows []map[string]any
	if err := json.Unmarshal(b, &rows); err != nil || len(rows) == 0 {
		return 0, nil, engine.NotFound()
	}
	row := rows[0]
	// Zou adds assigner, sequence and episode only when they exist.
	for key, name := range map[string]string{"tasks_assigner": "assigner", "tasks_sequence": "sequence", "tasks_episode": "episode"} {
		if v := row[key]; v != nil {
			row[name] = v
		}
		delete(row, key)
	}
	return http.StatusOK, row, nil
}

// tasksPreviews lists the preview files of a task, latest revision first.
func (s *Server) tasksPreviews(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.tasksColl("preview-files"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.task_id = ?", t.TaskID).OrderExpr("t.revision DESC, t.position")
	})
	return http.StatusOK, b, err
}

// tasksTargetPerson is check_person_is_not_bot for routes naming a person:
// 404 when the person does not exist, 403 for a bot unless the project
// (when given) lets bots collaborate. It returns the person's global role.
func (s *Server) tasksTargetPerson(ctx context.Context, db bun.IDB, personID, projectID string) (string, error) {
	if !engine.IsUUID(personID) {
		return "", engine.NotFound()
	}
	var row struct {
		Role  string `bun:"role"`
		IsBot bool   `bun:"is_bot"`
		Bots  bool   `bun:"bots"`
	}
	err := db.NewRaw(`SELECT p.role, COALESCE(p.is_bot, false) AS is_bot,
		COALESCE((SELECT pr.is_bot_collaboration_enabled FROM project pr WHERE pr.id = ?), false) AS bots
		FROM person p WHERE p.id = ?`, nullIfEmpty(projectID), personID).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return "", engine.NotFound()
	}
	if err != nil {
		return "", fmt.Errorf("load person %s: %w", personID, err)
	}
	if row.IsBot && !row.Bots {
		return "", engine.Forbidden()
	}
	return row.Role, nil
}

// tasksOfPersonTodo is GET /data/persons/<id>/tasks: not-done tasks.
func (s *Server) tasksOfPersonTodo(c *gin.Context, who *access.Caller) (int, any, error) {
	return s.tasksOfPerson(c, who, false)
}

// tasksOfPersonDone is GET /data/persons/<id>/done-tasks.
func (s *Server) tasksOfPersonDone(c *gin.Context, who *access.Caller) (int, any, error) {
	return s.tasksOfPerson(c, who, true)
}

// tasksOfPerson answers Zou's PersonTasksResource: a vendor may only ask
// about himself (and, as in Zou, vendors and clients get an empty list);
// rows come from open projects, of the caller's team unless admin.
func (s *Server) tasksOfPerson(c *gin.Context, who *access.Caller, done bool) (int, any, error) {
	ctx := c.Request.Context()
	personID := c.Param("id")
	targetRole, err := s.tasksTargetPerson(ctx, s.DB, personID, "")
	if err != nil {
		return 0, nil, err
	}
	if personID != who.PersonID && who.Role == "vendor" {
		return 0, nil, engine.Forbidden()
	}
	if (who.Role == "vendor" && targetRole == "vendor") || who.Role == "client" {
		return http.StatusOK, []byte("[]"), nil
	}
	b, err := s.Engine.Rows(ctx, nil, s.tasksColl("tasks"), engine.View{Relations: true, Extra: tasksDetailExtra}, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = tasksDetailJoins(q).
			Where("EXISTS (SELECT 1 FROM task_person_link tpl WHERE tpl.task_id = t.id AND tpl.person_id = ?)", personID).
			Where("ts.is_done IS ?", done)
		if who.IsAdmin() {
			q = q.Where("t.project_id IN (SELECT op.id FROM project op JOIN project_status ops ON ops.id = op.project_status_id WHERE ops.name = 'Open')")
		} else {
			q = q.Where("t.project_id IN ("+access.OpenTeamProjectsSQL+")", who.PersonID)
		}
		if done {
			return q.OrderExpr("t.end_date DESC NULLS LAST, tt.name, e.name")
		}
		return q.OrderExpr("p.name, tt.name, e.name")
	})
	return http.StatusOK, b, err
}

// tasksDetailJoins adds the rows the detailed task keys read: project p,
// task type tt, status ts, entity e, its type et, the parent seq and its
// parent ep (sequence and episode of a shot).
func tasksDetailJoins(q *bun.SelectQuery) *bun.SelectQuery {
	return q.Join("JOIN project p ON p.id = t.project_id").
		Join("JOIN task_type tt ON tt.id = t.task_type_id").
		Join("JOIN task_status ts ON ts.id = t.task_status_id").
		Join("JOIN entity e ON e.id = t.entity_id").
		Join("JOIN entity_type et ON et.id = e.entity_type_id").
		Join("LEFT JOIN entity seq ON seq.id = e.parent_id").
		Join("LEFT JOIN entity ep ON ep.id = seq.parent_id")
}

// tasksDetailExtra are the keys Zou's person task lists add to each task
// (over the joins of tasksDetailJoins). The episode of a sequence is its
// parent; an asset without one falls back to its source episode.
var tasksDetailExtra = append(slices.Clone(tasksEntityExtra),
	engine.Extra{Key: "task_estimation", SQL: "t.estimation", Kind: engine.KindFloat},
	engine.Extra{Key: "task_duration", SQL: "t.duration", Kind: engine.KindFloat},
	engine.Extra{Key: "task_start_date", SQL: "t.start_date", Kind: engine.KindTimestamp},
	engine.Extra{Key: "task_due_date", SQL: "t.due_date", Kind: engine.KindTimestamp},
	engine.Extra{Key: "task_type_name", SQL: "tt.name", Kind: engine.KindText},
	engine.Extra{Key: "task_status_name", SQL: "ts.name", Kind: engine.KindText},
	engine.Extra{Key: "task_type_color", SQL: "tt.color", Kind: engine.KindText},
	engine.Extra{Key: "task_status_color", SQL: "ts.color", Kind: engine.KindText},
	engine.Extra{Key: "task_status_short_name", SQL: "ts.short_name", Kind: engine.KindText},
	// The last comment by someone who is not a client there, or {}.
	engine.Extra{Key: "last_comment", SQL: `COALESCE((SELECT jsonb_build_object('text', lc.text,
		'date', to_char(lc.created_at, 'YYYY-MM-DD"T"HH24:MI:SS'), 'person_id', lc.person_id)
		FROM comment lc JOIN person lp ON lp.id = lc.person_id
		LEFT JOIN project_person_link lpl ON lpl.person_id = lp.id AND lpl.project_id = t.project_id
		WHERE lc.object_id = t.id AND COALESCE(lpl.role, lp.role) <> 'client'
		ORDER BY lc.created_at DESC LIMIT 1), '{}'::jsonb)`, Kind: engine.KindJSON},
)

// tasksEntityExtra are the project and entity keys Zou's detailed task rows
// carry (_resolve_episode_and_build_task_dict).
var tasksEntityExtra = []engine.Extra{
	{Key: "project_name", SQL: "p.name", Kind: engine.KindText},
	{Key: "project_has_avatar", SQL: "p.has_avatar", Kind: engine.KindBool},
	{Key: "entity_name", SQL: "e.name", Kind: engine.KindText},
	{Key: "entity_description", SQL: "e.description", Kind: engine.KindText},
	{Key: "entity_data", SQL: "e.data", Kind: engine.KindJSON},
	{Key: "entity_preview_file_id", SQL: "COALESCE(e.preview_file_id::text, '')", Kind: engine.KindText},
	{Key: "entity_source_id", SQL: "COALESCE(e.source_id::text, '')", Kind: engine.KindText},
	{Key: "entity_type_name", SQL: "et.name", Kind: engine.KindText},
	{Key: "entity_canceled", SQL: "e.canceled", Kind: engine.KindBool},
	{Key: "sequence_name", SQL: "seq.name", Kind: engine.KindText},
	{Key: "episode_id", SQL: `CASE WHEN et.name = 'Sequence' AND e.parent_id IS NOT NULL THEN e.parent_id::text
		ELSE COALESCE(ep.id::text, e.source_id::text, '') END`, Kind: engine.KindText},
	{Key: "episode_name", SQL: `CASE WHEN et.name = 'Sequence' AND e.parent_id IS NOT NULL THEN seq.name
		ELSE COALESCE(ep.name, (SELECT src.name FROM entity src WHERE src.id = e.source_id)) END`, Kind: engine.KindText},
	{Key: "task_type_for_entity", SQL: "tt.for_entity", Kind: engine.KindText},
}

// tasksRelated is GET /data/persons/<id>/related-tasks/<task_type_id>: tasks
// of a type on every entity of an open project where the person has a task.
func (s *Server) tasksRelated(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	personID := c.Param("id")
	if _, err := s.tasksTargetPerson(ctx, s.DB, personID, ""); err != nil {
		return 0, nil, err
	}
	if personID != who.PersonID && who.Role == "vendor" {
		return 0, nil, engine.Forbidden()
	}
	taskTypeID := c.Param("task_type_id")
	if !engine.IsUUID(taskTypeID) {
		return 0, nil, engine.NotFound()
	}
	b, err := s.Engine.Rows(ctx, nil, s.tasksColl("tasks"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("t.task_type_id = ?", taskTypeID).
			Where(`t.entity_id IN (SELECT rt.entity_id FROM task rt JOIN task_person_link rl ON rl.task_id = rt.id
				JOIN project rp ON rp.id = rt.project_id JOIN project_status rps ON rps.id = rp.project_status_id
				WHERE rl.person_id = ? AND rps.name = 'Open')`, personID)
		if !who.IsAdmin() {
			// Zou lists every open production here; a non-admin only sees his own.
			q = q.Where("t.project_id IN ("+access.OpenTeamProjectsSQL+")", who.PersonID)
		}
		return q.OrderExpr("t.created_at")
	})
	return http.StatusOK, b, err
}

// tasksForEntityAndType lists the tasks of a type on an entity, by name.
func (s *Server) tasksForEntityAndType(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), "")
	if err != nil {
		return 0, nil, err
	}
	taskTypeID := c.Param("task_type_id")
	if !engine.IsUUID(taskTypeID) {
		return 0, nil, engine.NotFound()
	}
	b, err := s.Engine.Rows(ctx, nil, s.tasksColl("tasks"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.entity_id = ? AND t.task_type_id = ?", en.EntityID, taskTypeID).OrderExpr("t.name")
	})
	return http.StatusOK, b, err
}

// tasksPage reads Zou's ?page (0 or absent = every row).
func tasksPage(c *gin.Context) (int, error) {
	v := c.Query("page")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, engine.BadRequest("page must be an integer.")
	}
	return n, nil
}

// tasksPaginated answers Zou's get_paginated_results: the plain list when
// page < 1, else the page envelope (total reported 0 past the end, as Zou).
func (s *Server) tasksPaginated(ctx context.Context, c *gin.Context, coll *engine.Collection, v engine.View,
	where func(*bun.SelectQuery) *bun.SelectQuery) (any, error) {
	page, err := tasksPage(c)
	if err != nil {
		return nil, err
	}
	if page < 1 {
		return s.Engine.Rows(ctx, nil, coll, v, where)
	}
	limit := s.Engine.DefaultLimit
	if limit <= 0 {
		limit = 100
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return nil, engine.BadRequest("limit must be a positive integer.")
		}
		limit = n
	}
	total, err := s.DB.NewSelect().TableExpr(coll.Table.Name + " AS t").Apply(where).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", coll.Name, err)
	}
	offset := (page - 1) * limit
	env := map[string]any{"data": []any{}, "total": 0, "nb_pages": int(math.Ceil(float64(total) / float64(limit))),
		"limit": limit, "offset": offset, "page": page}
	if total >= int64(offset) {
		rows, err := s.Engine.Rows(ctx, nil, coll, v, func(q *bun.SelectQuery) *bun.SelectQuery {
			return where(q).Limit(int64(limit)).Offset(int64(offset))
		})
		if err != nil {
			return nil, err
		}
		env["data"], env["total"] = json.RawMessage(rows), total
	}
	return env, nil
}

// tasksOfProject is GET /data/projects/<id>/tasks (sync): tasks with their
// assignees, latest change first, optionally of one type or episode.
func (s *Server) tasksOfProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	taskTypeID, episodeID := c.Query("task_type_id"), c.Query("episode_id")
	for _, id := range []string{taskTypeID, episodeID} {
		if id != "" && !engine.IsUUID(id) {
			return 0, nil, engine.BadRequest(engine.MsgMalformedID)
		}
	}
	out, err := s.tasksPaginated(ctx, c, s.tasksColl("tasks"), engine.View{Relations: true}, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("t.project_id = ?", pr.ID)
		if taskTypeID != "" {
			q = q.Where("t.task_type_id = ?", taskTypeID)
		}
		if episodeID != "" {
			q = q.Where("t.entity_id IN (SELECT se.id FROM entity se JOIN entity sq ON sq.id = se.parent_id WHERE sq.parent_id = ?)", episodeID)
		}
		if pr.IsVendor() {
			q = q.Where("EXISTS (SELECT 1 FROM task_person_link vl WHERE vl.task_id = t.id AND vl.person_id = ?)", who.PersonID)
		}
		return q.OrderExpr("t.updated_at DESC, t.id")
	})
	return http.StatusOK, out, err
}

// tasksAdminProject resolves a project for the admin-only sync routes.
func (s *Server) tasksAdminProject(c *gin.Context, who *access.Caller) (string, error) {
	if err := who.RequireAdmin(); err != nil {
		return "", err
	}
	pr, err := who.Project(c.Request.Context(), c.Param("id"))
	if err != nil {
		return "", err
	}
	return pr.ID, nil
}

// tasksProjectNotifications is the admin sync of a project's notifications.
func (s *Server) tasksProjectNotifications(c *gin.Context, who *access.Caller) (int, any, error) {
	projectID, err := s.tasksAdminProject(c, who)
	if err != nil {
		return 0, nil, err
	}
	out, err := s.tasksPaginated(c.Request.Context(), c, s.tasksColl("notifications"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.task_id IN (SELECT pt.id FROM task pt WHERE pt.project_id = ?)", projectID).OrderExpr("t.updated_at DESC, t.id")
	})
	return http.StatusOK, out, err
}

// tasksProjectPreviewFiles is the admin sync of a project's preview files.
func (s *Server) tasksProjectPreviewFiles(c *gin.Context, who *access.Caller) (int, any, error) {
	projectID, err := s.tasksAdminProject(c, who)
	if err != nil {
		return 0, nil, err
	}
	out, err := s.tasksPaginated(c.Request.Context(), c, s.tasksColl("preview-files"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.task_id IN (SELECT pt.id FROM task pt WHERE pt.project_id = ?)", projectID).OrderExpr("t.updated_at DESC, t.id")
	})
	return http.StatusOK, out, err
}

// tasksProjectSubscriptions is the admin sync of a project's task subscriptions.
func (s *Server) tasksProjectSubscriptions(c *gin.Context, who *access.Caller) (int, any, error) {
	projectID, err := s.tasksAdminProject(c, who)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(c.Request.Context(), nil, s.tasksColl("subscriptions"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.task_id IN (SELECT pt.id FROM task pt WHERE pt.project_id = ?)", projectID).OrderExpr("t.created_at, t.id")
	})
	return http.StatusOK, b, err
}
