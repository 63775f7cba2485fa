package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// The /data/tasks and /data/time-spents writes, which Zou gives side
// effects the generic engine has not: entity-type checks, assignment events
// and notifications, forced deletion, task duration upkeep.

// mountTasksData mounts the /data/tasks and /data/time-spents writes, in place of the generic ones.
func (s *Server) mountTasksData(r gin.IRouter) {
	r.POST("/data/tasks", s.route(s.tasksDataCreate))
	r.PUT("/data/tasks/:id", s.route(s.tasksDataUpdate))
	r.DELETE("/data/tasks/:id", s.route(s.tasksDataDelete))
	r.POST("/data/time-spents", s.route(s.tasksTimeDataCreate))
	r.PUT("/data/time-spents/:id", s.route(s.tasksTimeDataUpdate))
	r.DELETE("/data/time-spents/:id", s.route(s.tasksTimeDataDelete))
}

// tasksSupervisorKeys are the only keys a department supervisor may change
// on a task (check_supervisor_task_access).
var tasksSupervisorKeys = []string{"priority", "start_date", "due_date", "estimation", "difficulty", "data"}

// tasksDataCreate is POST /data/tasks. Zou checks nothing here (any token
// may create a task in any production); we require what POST
// /data/entities/<id>/tasks requires: access to the entity's project, not as
// a vendor or client. The task type's for_entity must match the entity,
// the name defaults to "main", the status to the default one, and the
// project is the entity's.
func (s *Server) tasksDataCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	taskTypeID, err := idField(m, "task_type_id")
	if err != nil {
		return 0, nil, err
	}
	entityID, err := idField(m, "entity_id")
	if err != nil {
		return 0, nil, err
	}
	if taskTypeID == "" || entityID == "" {
		return 0, nil, engine.BadRequest("The fields task_type_id and entity_id are required.")
	}
	en, err := who.LoadEntity(ctx, entityID)
	if err != nil {
		return 0, nil, err
	}
	if !en.Readable() {
		return 0, nil, engine.NotFound()
	}
	if en.IsVendor() || en.IsClient() {
		return 0, nil, engine.Forbidden()
	}
	var forEntity string
	err = s.DB.NewRaw("SELECT COALESCE(for_entity, 'Asset') FROM task_type WHERE id = ?", taskTypeID).Scan(ctx, &forEntity)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, engine.NotFound()
	}
	if err != nil {
		return 0, nil, fmt.Errorf("task type %s: %w", taskTypeID, err)
	}
	if forEntity != en.TypeName {
		return 0, nil, engine.BadRequest("Task type of the task does not match entity type.")
	}
	if p, err := idField(m, "project_id"); err != nil {
		return 0, nil, err
	} else if p != "" && p != en.ID {
		return 0, nil, engine.BadRequest("The project of the task must be the project of its entity.")
	}
	name, _, err := field[string](m, "name")
	if err != nil {
		return 0, nil, err
	}
	if name == "" {
		name = "main"
	}
	m["name"], _ = json.Marshal(name)
	m["project_id"], _ = json.Marshal(en.ID)
	var id string
	var evs []tasksEvent
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if st, _, err := field[string](m, "task_status_id"); err != nil {
			return err
		} else if st == "" {
			statusID, more, err := s.tasksDefaultStatus(ctx, tx, en.TypeName == "Concept")
			if err != nil {
				return err
			}
			evs = more
			m["task_status_id"], _ = json.Marshal(statusID)
		}
		exists, err := tx.NewSelect().TableExpr("task").
			Where("entity_id = ? AND task_type_id = ? AND name = ?", entityID, taskTypeID, name).Exists(ctx)
		if err != nil {
			return fmt.Errorf("find task: %w", err)
		}
		if exists {
			return engine.BadRequest("Task already exists.")
		}
		id, _, err = s.Engine.Insert(ctx, tx, s.tasksColl("tasks"), who.Principal, m)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	s.tasksFlush(ctx, evs)
	s.Engine.Publish(ctx, s.tasksColl("tasks"), "new", id, en.ID)
	b, err := s.Engine.Read(ctx, nil, s.tasksColl("tasks"), id, true)
	return http.StatusCreated, b, err
}

// tasksDataUpdate is PUT /data/tasks/<id>: admin or manager there; a
// supervisor there covering the task type's department may change only the
// tasksSupervisorKeys. New assignees get task:assign and an assignation
// notification, removed ones task:unassign.
func (s *Server) tasksDataUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	if !t.IsManager() {
		ok := t.IsSupervisor()
		for k := range m {
			ok = ok && slices.Contains(tasksSupervisorKeys, k)
		}
		if ok {
			if ok, err = t.Caller().CoversDepartment(ctx, t.DepartmentID); err != nil {
				return 0, nil, err
			}
		}
		if !ok {
			return 0, nil, engine.Forbidden()
		}
	}
	// Zou lets a manager move a task to any production by its ids; a task
	// stays on its entity and in its project here.
	for key, current := range map[string]string{"project_id": t.ID, "entity_id": t.EntityID} {
		if v, present, err := field[string](m, key); err != nil {
			return 0, nil, err
		} else if present && v != current {
			return 0, nil, engine.BadRequest("The " + key + " of a task cannot be changed.")
		}
	}
	_, setAssignees := m["assignees"]
	if setAssignees {
		if err := tasksAssigneeList(m["assignees"]); err != nil {
			return 0, nil, err
		}
	}
	var out []byte
	var evs []tasksEvent
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		out, err = s.Engine.Patch(ctx, tx, s.tasksColl("tasks"), who.Principal, t.TaskID, m)
		if err != nil || !setAssignees {
			return err
		}
		// Compare with what was stored: the engine drops ids of unknown persons.
		var now []string
		if err := tx.NewRaw("SELECT person_id::text FROM task_person_link WHERE task_id = ?", t.TaskID).Scan(ctx, &now); err != nil {
			return fmt.Errorf("assignees of %s: %w", t.TaskID, err)
		}
		for _, p := range now {
			if slices.Contains(t.Assignees, p) {
				continue
			}
			more, err := tasksNotifyAssignation(ctx, tx, t, p, who.PersonID)
			if err != nil {
				return err
			}
			evs = append(evs, more...)
		}
		for _, p := range t.Assignees {
			if !slices.Contains(now, p) {
				evs = append(evs, tasksEvent{"task:unassign", map[string]any{"task_id": t.TaskID, "person_id": p}, t.ID})
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	s.Engine.Publish(ctx, s.tasksColl("tasks"), "update", t.TaskID, t.ID)
	s.tasksFlush(ctx, evs)
	return http.StatusOK, out, nil
}

// tasksAssigneeList checks the assignees key is a list of ids (or of {"id"}).
func tasksAssigneeList(raw json.RawMessage) error {
	var ids []string
	if err := json.Unmarshal(raw, &ids); err == nil {
		return nil
	}
	var objs []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &objs); err != nil {
		return engine.BadRequest("Invalid value for assignees.")
	}
	return nil
}

// tasksNotifyAssignation is the event and notification of one new assignee
// set through PUT /data/tasks (the author is the caller, nobody is notified
// of his own assignment).
func tasksNotifyAssignation(ctx context.Context, tx bun.IDB, t *access.Task, personID, authorID string) ([]tasksEvent, error) {
	evs := []tasksEvent{{"task:assign", map[string]any{"task_id": t.TaskID, "person_id": personID}, t.ID}}
	if personID == authorID {
		return evs, nil
	}
	var id string
	err := tx.NewRaw(`INSERT INTO notification (id, created_at, updated_at, read, change, type, person_id, author_id, task_id)
		VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', false, false, 'assignation', ?, ?, ?)
		RETURNING id::text`, personID, authorID, t.TaskID).Scan(ctx, &id)
	if err != nil {
		return nil, fmt.Errorf("assignation notification: %w", err)
	}
	return append(evs, tasksEvent{"notification:new", map[string]any{"notification_id": id, "person_id": personID}, t.ID}), nil
}

// tasksDataDelete is DELETE /data/tasks/<id>[?force=true], for managers of
// the project; without force a task others still point at is a 400.
func (s *Server) tasksDataDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := t.RequireManager(); err != nil {
		return 0, nil, err
	}
	force := boolQuery(c, "force", false)
	var evs []tasksEvent
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		evs, err = tasksRemove(ctx, tx, []string{t.TaskID}, force)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	s.tasksFlush(ctx, evs)
	return http.StatusNoContent, nil, nil
}

// tasksTimeCheck refuses durations outside 0..1440 minutes.
func tasksTimeCheck(ctx context.Context, tx bun.IDB, id string) error {
	var d float64
	if err := tx.NewRaw("SELECT duration FROM time_spent WHERE id = ?", id).Scan(ctx, &d); err != nil {
		return fmt.Errorf("time spent %s: %w", id, err)
	}
	if d < 0 || d > tasksMaxMinutes {
		return engine.BadRequest("duration must be between 0 and 1440 minutes.")
	}
	return nil
}

// tasksTimeDataCreate is the admin's POST /data/time-spents: the row, then
// the task's duration recomputed, and task:update.
func (s *Server) tasksTimeDataCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	var id, taskID, projectID string
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		id, out, err = s.Engine.Insert(ctx, tx, s.tasksColl("time-spents"), who.Principal, m)
		if err != nil {
			return err
		}
		if err := tasksTimeCheck(ctx, tx, id); err != nil {
			return err
		}
		taskID, projectID, err = tasksTimeTask(ctx, tx, id)
		if err != nil || taskID == "" {
			return err
		}
		return tasksRecomputeDuration(ctx, tx, taskID)
	})
	if err != nil {
		return 0, nil, err
	}
	s.Engine.Publish(ctx, s.tasksColl("time-spents"), "new", id, projectID)
	if taskID != "" {
		s.publish(ctx, "task:update", map[string]any{"task_id": taskID}, projectID)
	}
	return http.StatusCreated, out, nil
}

// tasksTimeTask is the task and project of a time spent row.
func tasksTimeTask(ctx context.Context, tx bun.IDB, id string) (string, string, error) {
	var row struct {
		Task    sql.NullString `bun:"task_id"`
		Project sql.NullString `bun:"project_id"`
	}
	err := tx.NewRaw(`SELECT ts.task_id::text, t.project_id::text FROM time_spent ts LEFT JOIN task t ON t.id = ts.task_id
		WHERE ts.id = ?`, id).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", engine.NotFound()
	}
	if err != nil {
		return "", "", fmt.Errorf("time spent %s: %w", id, err)
	}
	return row.Task.String, row.Project.String, nil
}

// tasksTimeDataUpdate is the admin's PUT /data/time-spents/<id>; both the
// old and the new task get their duration recomputed.
func (s *Server) tasksTimeDataUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	id := c.Param("id")
	if !engine.IsUUID(id) {
		return 0, nil, engine.NotFound()
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	var out []byte
	var before, after, project string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if before, _, err = tasksTimeTask(ctx, tx, id); err != nil {
			return err
		}
		if out, err = s.Engine.Patch(ctx, tx, s.tasksColl("time-spents"), who.Principal, id, m); err != nil {
			return err
		}
		if err := tasksTimeCheck(ctx, tx, id); err != nil {
			return err
		}
		if after, project, err = tasksTimeTask(ctx, tx, id); err != nil {
			return err
		}
		for _, tid := range slices.Compact([]string{before, after}) {
			if tid != "" {
				if err := tasksRecomputeDuration(ctx, tx, tid); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	s.Engine.Publish(ctx, s.tasksColl("time-spents"), "update", id, project)
	if after != "" {
		s.publish(ctx, "task:update", map[string]any{"task_id": after}, project)
	}
	return http.StatusOK, out, nil
}

// tasksTimeDataDelete is DELETE /data/time-spents/<id>: the row's person
// must be an assignee of the task (even for an admin, as Zou), and the
// caller that person, an admin or a manager of the project.
func (s *Server) tasksTimeDataDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if !engine.IsUUID(id) {
		return 0, nil, engine.NotFound()
	}
	var row struct {
		Person   sql.NullString `bun:"person_id"`
		Task     sql.NullString `bun:"task_id"`
		Project  sql.NullString `bun:"project_id"`
		Assigned bool           `bun:"assigned"`
	}
	err := s.DB.NewRaw(`SELECT ts.person_id::text, ts.task_id::text, t.project_id::text,
		EXISTS (SELECT 1 FROM task_person_link l WHERE l.task_id = ts.task_id AND l.person_id = ts.person_id) AS assigned
		FROM time_spent ts LEFT JOIN task t ON t.id = ts.task_id WHERE ts.id = ?`, id).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, engine.NotFound()
	}
	if err != nil {
		return 0, nil, fmt.Errorf("time spent %s: %w", id, err)
	}
	if !who.IsAdmin() && row.Person.String != who.PersonID {
		pr, err := who.Project(ctx, row.Project.String)
		if err != nil {
			return 0, nil, err
		}
		if !pr.IsManager() {
			return 0, nil, engine.Forbidden()
		}
	}
	if !row.Assigned {
		return 0, nil, engine.Forbidden()
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.Engine.Remove(ctx, tx, s.tasksColl("time-spents"), who.Principal, id, c.Request.URL.Query()); err != nil {
			return err
		}
		if row.Task.Valid {
			return tasksRecomputeDuration(ctx, tx, row.Task.String)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	s.Engine.Publish(ctx, s.tasksColl("time-spents"), "delete", id, row.Project.String)
	if row.Task.Valid {
		s.publish(ctx, "task:update", map[string]any{"task_id": row.Task.String}, row.Project.String)
	}
	return http.StatusNoContent, nil, nil
}
