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
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Assignment, unassignment and priorities, under Zou's department rules
// (permissions_service.check_task_department_access and friends).

// mountTasksAssign mounts assignment, unassignment and priorities.
func (s *Server) mountTasksAssign(r gin.IRouter) {
	r.PUT("/actions/tasks/:id/assign", s.route(s.tasksAssignOne))
	r.PUT("/actions/persons/:id/assign", s.route(s.tasksAssignMany))
	r.PUT("/actions/tasks/clear-assignation", s.route(s.tasksClearAssignation))
	r.PUT("/actions/tasks/set-priority", s.route(s.tasksSetPriority))
}

// tasksEvent is an event held until the transaction that caused it commits.
type tasksEvent struct {
	name    string
	data    map[string]any
	project string
}

// tasksFlush publishes held events in order.
func (s *Server) tasksFlush(ctx context.Context, evs []tasksEvent) {
	for _, ev := range evs {
		s.publish(ctx, ev.name, ev.data, ev.project)
	}
}

// tasksTargetDepartments are the departments of the person a route acts on.
func (s *Server) tasksTargetDepartments(ctx context.Context, db bun.IDB, personID string) ([]string, error) {
	var deps []string
	err := db.NewSelect().TableExpr("department_link").ColumnExpr("department_id::text").
		Where("person_id = ?", personID).Scan(ctx, &deps)
	if err != nil {
		return nil, fmt.Errorf("departments of %s: %w", personID, err)
	}
	return deps, nil
}

// tasksTeamVerdict is the head Zou's assign and unassign checks share:
// admins may, callers outside the team may not, its managers may. decided
// is false when the department rules must answer.
func tasksTeamVerdict(t *access.Task) (ok, decided bool) {
	switch {
	case t.Caller().IsAdmin():
		return true, true
	case !t.Member:
		return false, true
	case t.IsManager():
		return true, true
	}
	return false, false
}

// tasksMayAssign is check_task_department_access: admin; in the team and
// manager there; supervisor there without departments, or of the task type's
// department sharing a department with the assignee; anyone assigning
// himself to a task of one of his departments.
func tasksMayAssign(ctx context.Context, t *access.Task, personID string, targetDeps []string) (bool, error) {
	if ok, decided := tasksTeamVerdict(t); decided {
		return ok, nil
	}
	c := t.Caller()
	deps, err := c.Departments(ctx)
	if err != nil {
		return false, err
	}
	if t.IsSupervisor() {
		if len(deps) == 0 {
			return true, nil
		}
		if t.DepartmentID != "" && slices.Contains(deps, t.DepartmentID) &&
			slices.ContainsFunc(targetDeps, func(d string) bool { return slices.Contains(deps, d) }) {
			return true, nil
		}
	}
	return personID == c.PersonID && t.DepartmentID != "" && slices.Contains(deps, t.DepartmentID), nil
}

// tasksMayUnassign is check_task_department_access_for_unassign: admin; in
// the team and manager there; supervisor there covering the task type's
// department (or without departments); an assignee removing himself.
func tasksMayUnassign(ctx context.Context, t *access.Task, personID string) (bool, error) {
	if ok, decided := tasksTeamVerdict(t); decided {
		return ok, nil
	}
	c := t.Caller()
	if t.IsSupervisor() {
		ok, err := c.CoversDepartment(ctx, t.DepartmentID)
		if err != nil || ok {
			return ok, err
		}
	}
	return t.IsAssigned() && personID == c.PersonID, nil
}

// tasksMaySupervise is check_supervisor_task_access for the fields a
// supervisor may change: admin; manager there; supervisor there covering the
// task type's department (or without departments).
func tasksMaySupervise(ctx context.Context, t *access.Task) (bool, error) {
	if t.IsManager() {
		return true, nil
	}
	if t.IsSupervisor() {
		return t.Caller().CoversDepartment(ctx, t.DepartmentID)
	}
	return false, nil
}

// tasksAssignee checks the person a task is being assigned to: 400 when
// unknown, 403 for a bot (unless the project lets bots collaborate), 400
// when not in the project's team.
func (s *Server) tasksAssignee(ctx context.Context, db bun.IDB, personID, projectID string) error {
	if _, err := s.tasksTargetPerson(ctx, db, personID, projectID); err != nil {
		if e, ok := err.(*engine.Error); ok && e.Status == http.StatusNotFound {
			return engine.BadRequest("Assignee doesn't exist in database.")
		}
		return err
	}
	in, err := db.NewSelect().TableExpr("project_person_link").
		Where("project_id = ? AND person_id = ?", projectID, personID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("team of %s: %w", projectID, err)
	}
	if !in {
		return engine.BadRequest("Assignee is not in the project team.")
	}
	return nil
}

// tasksAssignAll adds personID to the assignees of tasks (assigner = the
// caller) with set-based statements, and the notifications Zou's
// create_assignation_notification writes (none when the assigner assigns
// himself); it returns the events to publish, per task in Zou's order.
func tasksAssignAll(ctx context.Context, tx bun.IDB, tasks []*access.Task, personID, assignerID string) ([]tasksEvent, error) {
	if len(tasks) == 0 {
		return nil, nil
	}
	ids := make([]string, len(tasks))
	for i, t := range tasks {
		ids[i] = t.TaskID
	}
	arr := pgdialect.Array(ids)
	if _, err := tx.NewRaw(`INSERT INTO task_person_link (task_id, person_id) SELECT x.id, ? FROM unnest(?::uuid[]) AS x(id)
		ON CONFLICT DO NOTHING`, personID, arr).Exec(ctx); err != nil {
		return nil, fmt.Errorf("assign tasks: %w", err)
	}
	if _, err := tx.NewRaw("UPDATE task SET assigner_id = ?, updated_at = now() at time zone 'utc' WHERE id = ANY(?::uuid[])",
		assignerID, arr).Exec(ctx); err != nil {
		return nil, fmt.Errorf("assign tasks: %w", err)
	}
	notified := map[string]string{}
	if assignerID != personID {
		var rows []struct {
			ID   string `bun:"id"`
			Task string `bun:"task_id"`
		}
		err := tx.NewRaw(`INSERT INTO notification (id, created_at, updated_at, read, change, type, person_id, author_id, task_id)
			SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', false, false, 'assignation', ?, ?, x.id
			FROM unnest(?::uuid[]) AS x(id) RETURNING id::text, task_id::text`, personID, assignerID, arr).Scan(ctx, &rows)
		if err != nil {
			return nil, fmt.Errorf("assignation notifications: %w", err)
		}
		for _, r := range rows {
			notified[r.Task] = r.ID
		}
	}
	var evs []tasksEvent
	for _, t := range tasks {
		evs = append(evs,
			tasksEvent{"task:assign", map[string]any{"task_id": t.TaskID, "person_id": personID}, t.ID},
			tasksEvent{"task:update", map[string]any{"task_id": t.TaskID}, t.ID})
		if id, ok := notified[t.TaskID]; ok {
			evs = append(evs, tasksEvent{"notification:new", map[string]any{"notification_id": id, "person_id": personID}, t.ID})
		}
	}
	return evs, nil
}

// tasksRowsByID answers tasks (with assignees) in the order of ids.
func (s *Server) tasksRowsByID(ctx context.Context, ids []string, relations bool) ([]byte, error) {
	if len(ids) == 0 {
		return []byte("[]"), nil
	}
	return s.Engine.Rows(ctx, nil, s.tasksColl("tasks"), engine.View{Relations: relations}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.id IN (?)", bun.List(ids)).OrderExpr("array_position(?::uuid[], t.id)", pgdialect.Array(ids))
	})
}

// tasksAssignOne is PUT /actions/tasks/<id>/assign {person_id}.
func (s *Server) tasksAssignOne(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	personID, err := requiredString(m, "person_id")
	if err != nil {
		return 0, nil, err
	}
	if !engine.IsUUID(personID) {
		return 0, nil, engine.BadRequest("Assignee doesn't exist in database.")
	}
	if err := s.tasksAssignee(ctx, s.DB, personID, t.ID); err != nil {
		return 0, nil, err
	}
	deps, err := s.tasksTargetDepartments(ctx, s.DB, personID)
	if err != nil {
		return 0, nil, err
	}
	ok, err := tasksMayAssign(ctx, t, personID, deps)
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		return 0, nil, engine.Forbidden()
	}
	var evs []tasksEvent
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		evs, err = tasksAssignAll(ctx, tx, []*access.Task{t}, personID, who.PersonID)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	s.tasksFlush(ctx, evs)
	b, err := s.Engine.Read(ctx, nil, s.tasksColl("tasks"), t.TaskID, true)
	return http.StatusOK, b, err
}

// tasksAssignMany is PUT /actions/persons/<id>/assign {task_ids}: tasks the
// caller may not assign, out of reach, unknown, of a production the person
// is not in the team of (or that refuses bots, for a bot) are skipped as in
// Zou. A fixed number of queries whatever the number of tasks.
func (s *Server) tasksAssignMany(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	personID := c.Param("id")
	_, ids, err := tasksIDBody(c)
	if err != nil {
		return 0, nil, err
	}
	if !engine.IsUUID(personID) {
		return 0, nil, engine.BadRequest("Assignee doesn't exist in database.")
	}
	var isBot bool
	err = s.DB.NewRaw("SELECT COALESCE(is_bot, false) FROM person WHERE id = ?", personID).Scan(ctx, &isBot)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, engine.BadRequest("Assignee doesn't exist in database.")
	}
	if err != nil {
		return 0, nil, fmt.Errorf("assignee %s: %w", personID, err)
	}
	tasks, err := who.ReachableTasks(ctx, ids)
	if err != nil || len(tasks) == 0 {
		return http.StatusOK, []byte("[]"), err
	}
	projectIDs := make([]string, 0, len(tasks))
	for _, t := range tasks {
		projectIDs = append(projectIDs, t.ID)
	}
	// Where the person may be assigned: team member, and bots only where
	// the production lets them collaborate.
	var open []string
	err = s.DB.NewRaw(`SELECT p.id::text FROM project p
		WHERE p.id = ANY(?::uuid[]) AND (? IS FALSE OR p.is_bot_collaboration_enabled IS TRUE)
		AND EXISTS (SELECT 1 FROM project_person_link l WHERE l.project_id = p.id AND l.person_id = ?)`,
		pgdialect.Array(projectIDs), isBot, personID).Scan(ctx, &open)
	if err != nil {
		return 0, nil, fmt.Errorf("assignee's productions: %w", err)
	}
	deps, err := s.tasksTargetDepartments(ctx, s.DB, personID)
	if err != nil {
		return 0, nil, err
	}
	var allowed []*access.Task
	var done []string
	for _, t := range tasks {
		if !slices.Contains(open, t.ID) {
			continue
		}
		ok, err := tasksMayAssign(ctx, t, personID, deps)
		if err != nil {
			return 0, nil, err
		}
		if ok {
			allowed = append(allowed, t)
			done = append(done, t.TaskID)
		}
	}
	var evs []tasksEvent
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		evs, err = tasksAssignAll(ctx, tx, allowed, personID, who.PersonID)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	s.tasksFlush(ctx, evs)
	b, err := s.tasksRowsByID(ctx, done, true)
	return http.StatusOK, b, err
}

// tasksIDBody reads the JSON object of a bulk route and its required
// task_ids, for the routes that read more fields from the same body.
func tasksIDBody(c *gin.Context) (map[string]json.RawMessage, []string, error) {
	m, err := bodyObject(c)
	if err != nil {
		return nil, nil, err
	}
	ids, err := tasksIDList(m)
	if err != nil {
		return nil, nil, err
	}
	return m, ids, nil
}

// tasksIDList reads the required non-empty task_ids list of bulk routes.
func tasksIDList(m map[string]json.RawMessage) ([]string, error) {
	ids, err := idList(m, "task_ids")
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, engine.BadRequest("Tasks list required.")
	}
	return ids, nil
}

// tasksClearAssignation is PUT /actions/tasks/clear-assignation {task_ids,
// person_id?}: removes one assignee (or all) from each task the caller may
// unassign, and answers the ids of the tasks it changed.
func (s *Server) tasksClearAssignation(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, ids, err := tasksIDBody(c)
	if err != nil {
		return 0, nil, err
	}
	personID, err := idField(m, "person_id")
	if err != nil {
		return 0, nil, err
	}
	tasks, err := who.ReachableTasks(ctx, ids)
	if err != nil {
		return 0, nil, err
	}
	done := []string{}
	var evs []tasksEvent
	for _, t := range tasks {
		ok, err := tasksMayUnassign(ctx, t, personID)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			continue
		}
		removed := t.Assignees
		if personID != "" {
			removed = []string{personID}
		}
		for _, p := range removed {
			evs = append(evs, tasksEvent{"task:unassign", map[string]any{"person_id": p, "task_id": t.TaskID}, t.ID})
		}
		evs = append(evs, tasksEvent{"task:update", map[string]any{"task_id": t.TaskID}, t.ID})
		done = append(done, t.TaskID)
	}
	if len(done) == 0 {
		return http.StatusOK, done, nil
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewDelete().TableExpr("task_person_link").Where("task_id = ANY(?::uuid[])", pgdialect.Array(done))
		if personID != "" {
			q = q.Where("person_id = ?", personID)
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("unassign tasks: %w", err)
		}
		_, err := tx.NewRaw("UPDATE task SET updated_at = now() at time zone 'utc' WHERE id = ANY(?::uuid[])", pgdialect.Array(done)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("unassign tasks: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	s.tasksFlush(ctx, evs)
	return http.StatusOK, done, nil
}

// tasksSetPriority is PUT /actions/tasks/set-priority {task_ids, priority}:
// tasks the caller may not supervise are skipped; answers the changed tasks.
func (s *Server) tasksSetPriority(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, ids, err := tasksIDBody(c)
	if err != nil {
		return 0, nil, err
	}
	priority, ok, err := field[int](m, "priority")
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		return 0, nil, engine.BadRequest("The field priority is missing.")
	}
	if priority < 0 {
		return 0, nil, engine.BadRequest("priority must be greater than or equal to 0.")
	}
	tasks, err := who.ReachableTasks(ctx, ids)
	if err != nil {
		return 0, nil, err
	}
	var done []string
	var evs []tasksEvent
	for _, t := range tasks {
		ok, err := tasksMaySupervise(ctx, t)
		if err != nil {
			return 0, nil, err
		}
		if ok {
			done = append(done, t.TaskID)
			evs = append(evs, tasksEvent{"task:update", map[string]any{"task_id": t.TaskID}, t.ID})
		}
	}
	if len(done) == 0 {
		return http.StatusOK, []byte("[]"), nil
	}
	_, err = s.DB.NewRaw("UPDATE task SET priority = ?, updated_at = now() at time zone 'utc' WHERE id = ANY(?::uuid[])",
		priority, pgdialect.Array(done)).Exec(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("set priority: %w", err)
	}
	s.tasksFlush(ctx, evs)
	b, err := s.tasksRowsByID(ctx, done, false)
	return http.StatusOK, b, err
}
