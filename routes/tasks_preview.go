package routes

import (
	"context"
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

// Making the last preview of tasks the thumbnail of their entities.

// mountTasksPreview mounts the main-preview actions.
func (s *Server) mountTasksPreview(r gin.IRouter) {
	r.PUT("/actions/tasks/set-main-preview", s.route(s.tasksSetMainPreviews))
	r.PUT("/actions/tasks/:id/set-main-preview", s.route(s.tasksSetMainPreview))
}

// tasksMainPreview is one entity thumbnail change.
type tasksMainPreview struct {
	Entity  string `bun:"entity_id"`
	Preview string `bun:"preview_id"`
	Project string `bun:"project_id"`
	Kind    string `bun:"kind"`
}

// tasksApplyMainPreviews sets, for each task, its last preview (highest
// revision, first created) as its entity's preview, in one statement; tasks
// without a preview are left out. It answers the changes in task order.
func tasksApplyMainPreviews(ctx context.Context, tx bun.IDB, taskIDs []string) ([]tasksMainPreview, error) {
	var rows []tasksMainPreview
	err := tx.NewRaw(`WITH last AS (
			SELECT DISTINCT ON (pf.task_id) pf.task_id, pf.id AS preview_id FROM preview_file pf
			WHERE pf.task_id = ANY(?::uuid[]) ORDER BY pf.task_id, pf.revision DESC, pf.created_at),
		picked AS (
			SELECT DISTINCT ON (t.entity_id) t.entity_id, l.preview_id, x.n FROM unnest(?::uuid[]) WITH ORDINALITY AS x(id, n)
			JOIN task t ON t.id = x.id JOIN last l ON l.task_id = t.id ORDER BY t.entity_id, x.n DESC),
		upd AS (
			UPDATE entity e SET preview_file_id = p.preview_id, updated_at = now() at time zone 'utc'
			FROM picked p WHERE e.id = p.entity_id
			RETURNING e.id, e.project_id, e.preview_file_id, `+access.BusinessTypeSQL("e")+` AS kind)
		SELECT upd.id::text AS entity_id, upd.preview_file_id::text AS preview_id, upd.project_id::text AS project_id, upd.kind
		FROM upd JOIN picked p ON p.entity_id = upd.id ORDER BY p.n`,
		pgdialect.Array(taskIDs), pgdialect.Array(taskIDs)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("set main previews: %w", err)
	}
	return rows, nil
}

// tasksMainPreviewEvents are Zou's preview-file:set-main and <kind>:update.
func tasksMainPreviewEvents(changes []tasksMainPreview) []tasksEvent {
	var evs []tasksEvent
	for _, ch := range changes {
		kind := strings.ToLower(ch.Kind)
		evs = append(evs,
			tasksEvent{"preview-file:set-main", map[string]any{"entity_id": ch.Entity, "preview_file_id": ch.Preview}, ch.Project},
			tasksEvent{kind + ":update", map[string]any{kind + "_id": ch.Entity}, ch.Project})
	}
	return evs
}

// tasksSetMainPreview is PUT /actions/tasks/<id>/set-main-preview: project
// member (vendors: assigned), not a client; 400 when the task has no preview.
func (s *Server) tasksSetMainPreview(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := t.RefuseClient(); err != nil {
		return 0, nil, err
	}
	var changes []tasksMainPreview
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		changes, err = tasksApplyMainPreviews(ctx, tx, []string{t.TaskID})
		if err == nil && len(changes) == 0 {
			return engine.BadRequest("This task has no preview file to set as the main preview.")
		}
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	s.tasksFlush(ctx, tasksMainPreviewEvents(changes))
	b, err := s.Engine.Read(ctx, nil, s.tasksColl("entities"), t.EntityID, false)
	return http.StatusOK, b, err
}

// tasksSetMainPreviews is PUT /actions/tasks/set-main-preview {task_ids}:
// every task must be reachable (404) and the caller no client there (403),
// or nothing changes; tasks without a preview are skipped. Answers the
// updated entities.
func (s *Server) tasksSetMainPreviews(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	_, ids, err := tasksIDBody(c)
	if err != nil {
		return 0, nil, err
	}
	tasks, err := who.ReachableTasks(ctx, ids)
	if err != nil {
		return 0, nil, err
	}
	slices.Sort(ids)
	if len(tasks) != len(slices.Compact(ids)) {
		return 0, nil, engine.NotFound()
	}
	ordered := make([]string, 0, len(tasks))
	for _, t := range tasks {
		if err := t.RefuseClient(); err != nil {
			return 0, nil, err
		}
		ordered = append(ordered, t.TaskID)
	}
	var changes []tasksMainPreview
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		changes, err = tasksApplyMainPreviews(ctx, tx, ordered)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	s.tasksFlush(ctx, tasksMainPreviewEvents(changes))
	if len(changes) == 0 {
		return http.StatusOK, []byte("[]"), nil
	}
	entities := make([]string, len(changes))
	for i, ch := range changes {
		entities[i] = ch.Entity
	}
	b, err := s.Engine.Rows(ctx, nil, s.tasksColl("entities"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.id = ANY(?::uuid[])", pgdialect.Array(entities)).OrderExpr("array_position(?::uuid[], t.id)", pgdialect.Array(entities))
	})
	return http.StatusOK, b, err
}
