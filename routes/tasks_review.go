package routes

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Setting a task to review by hand (Zou's deprecated task_to_review, still
// called by pipeline scripts): the "To review" status and task:to-review.

// mountTasksReview mounts PUT /actions/tasks/<id>/to-review.
func (s *Server) mountTasksReview(r gin.IRouter) {
	r.PUT("/actions/tasks/:id/to-review", s.route(s.tasksToReview))
}

// The status Zou's get_to_review_status finds or creates (its
// TO_REVIEW_TASK_STATUS setting keeps this name by default).
const (
	tasksToReviewName  = "To review"
	tasksToReviewShort = "pndng"
)

// tasksToReviewBody is the body Zou's ToReviewSchema accepts. Every key is
// optional; a null comment or change_status stays null as in Zou (a null
// change_status leaves the status as it is).
type tasksToReviewBody struct {
	personID     string
	hasPerson    bool
	comment      any // string or nil
	changeStatus any // bool or nil
}

// tasksReadToReview validates the body's types (400) before the task is
// looked at, as Zou does. name and revision only shape the preview path,
// which this server answers empty (see tasksToReview), but their types are
// still checked: name a string, revision an integer >= 0.
func tasksReadToReview(c *gin.Context) (tasksToReviewBody, error) {
	b := tasksToReviewBody{comment: "", changeStatus: true}
	m, err := optionalBody(c)
	if err != nil {
		return b, err
	}
	isNull := func(key string) bool {
		raw, ok := m[key]
		return ok && string(bytes.TrimSpace(raw)) == "null"
	}
	if b.personID, b.hasPerson, err = field[string](m, "person_id"); err != nil {
		return b, err
	}
	comment, ok, err := field[string](m, "comment")
	if err != nil {
		return b, err
	}
	if ok {
		b.comment = comment
	} else if isNull("comment") {
		b.comment = nil
	}
	if _, _, err := field[string](m, "name"); err != nil {
		return b, err
	}
	// An integer; 2.0 passes as Zou's lax integer parsing lets it.
	revision, ok, err := field[float64](m, "revision")
	if err != nil {
		return b, err
	}
	if ok && revision != math.Trunc(revision) {
		return b, engine.BadRequest("Invalid value for revision.")
	}
	if ok && revision < 0 {
		return b, engine.BadRequest("Invalid value for revision: it must be 0 or more.")
	}
	change, ok, err := field[bool](m, "change_status")
	if err != nil {
		return b, err
	}
	if ok {
		b.changeStatus = change
	} else if isNull("change_status") {
		b.changeStatus = nil
	}
	return b, nil
}

// tasksToReview is PUT /actions/tasks/<id>/to-review {person_id, comment,
// name, revision, change_status}: project member (vendors: tasks of the
// entities they are assigned on; 404 otherwise). The person defaults to the
// caller; an unknown or malformed person_id is a 400. Unless change_status is
// false (or null), the task goes to the "To review" status, found or created
// as Zou does. Answers the task with its project, entity, entity type, the
// person, the comment and the preview path, and emits task:to-review.
func (s *Server) tasksToReview(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	body, err := tasksReadToReview(c)
	if err != nil {
		return 0, nil, err
	}
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	// Zou gives the given person with relations, the caller without.
	personID, relations := who.PersonID, false
	if body.hasPerson {
		personID, relations = body.personID, true
	}
	person, err := s.Engine.One(ctx, nil, s.tasksColl("persons"), engine.View{Relations: relations}, personID)
	var notFound *engine.Error
	if errors.As(err, &notFound) && notFound.Status == http.StatusNotFound {
		return 0, nil, engine.Status(http.StatusBadRequest, "Cannot find given person.")
	}
	if err != nil {
		return 0, nil, err
	}
	// Zou builds the preview path from the project's file tree and answers
	// empty strings when the tree has no preview template. File trees are not
	// built by this server yet, so every project is in that case.
	previewPath := map[string]string{"folder_path": "", "file_name": ""}

	change, _ := body.changeStatus.(bool)
	var (
		evs    []tasksEvent
		before tasksReviewState
	)
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`SELECT t.task_status_id::text AS task_status_id, t.shotgun_id,
			e.shotgun_id AS entity_shotgun_id, et.name AS entity_type_name, p.shotgun_id AS project_shotgun_id,
			(SELECT pe.shotgun_id FROM person pe WHERE pe.id = ?) AS person_shotgun_id
			FROM task t JOIN entity e ON e.id = t.entity_id JOIN entity_type et ON et.id = e.entity_type_id
			JOIN project p ON p.id = t.project_id WHERE t.id = ? FOR UPDATE OF t`, personID, t.TaskID).Scan(ctx, &before)
		if errors.Is(err, sql.ErrNoRows) {
			return engine.NotFound() // deleted meanwhile
		}
		if err != nil {
			return fmt.Errorf("load task %s: %w", t.TaskID, err)
		}
		// Zou looks the status up (or creates it) whether it changes the task or not.
		statusID, created, err := tasksToReviewStatus(ctx, tx)
		if err != nil {
			return err
		}
		evs = append(evs, created...)
		if change {
			_, err = tx.NewRaw(`UPDATE task SET task_status_id = ?, updated_at = now() at time zone 'utc'
				WHERE id = ? AND task_status_id IS DISTINCT FROM ?::uuid`, statusID, t.TaskID, statusID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("set task %s to review: %w", t.TaskID, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	evs = append(evs, tasksEvent{"task:to-review", map[string]any{
		"task_id":                 t.TaskID,
		"task_shotgun_id":         nullInt(before.TaskShotgunID),
		"entity_type_name":        before.EntityTypeName,
		"previous_task_status_id": before.StatusID,
		"entity_shotgun_id":       nullInt(before.EntityShotgunID),
		"project_shotgun_id":      nullInt(before.ProjectShotgunID),
		"person_shotgun_id":       nullInt(before.PersonShotgunID),
		"comment":                 body.comment,
		"preview_path":            previewPath,
		"change_status":           body.changeStatus,
	}, ""}) // Zou emits it without a project id.
	s.tasksFlush(ctx, evs)

	return s.tasksToReviewAnswer(ctx, t, person, body.comment, previewPath)
}

// tasksReviewState is the task before the change, with the shotgun ids of
// what Zou's event names.
type tasksReviewState struct {
	StatusID         string        `bun:"task_status_id"`
	TaskShotgunID    sql.NullInt64 `bun:"shotgun_id"`
	EntityShotgunID  sql.NullInt64 `bun:"entity_shotgun_id"`
	EntityTypeName   string        `bun:"entity_type_name"`
	ProjectShotgunID sql.NullInt64 `bun:"project_shotgun_id"`
	PersonShotgunID  sql.NullInt64 `bun:"person_shotgun_id"`
}

// nullInt is a nullable integer as JSON: the number or null.
func nullInt(v sql.NullInt64) any {
	if !v.Valid {
		return nil
	}
	return v.Int64
}

// tasksToReviewStatus is Zou's get_to_review_status: the non-concept status
// named "To review", else the one with short name "pndng", else a new one
// (with task-status:new).
func tasksToReviewStatus(ctx context.Context, tx bun.IDB) (string, []tasksEvent, error) {
	find := func(column, value string) (string, error) {
		var id string
		err := tx.NewRaw(`SELECT id::text FROM task_status WHERE `+column+` = ? AND COALESCE(for_concept, false) = false
			ORDER BY created_at LIMIT 1`, value).Scan(ctx, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("to review status: %w", err)
		}
		return id, nil
	}
	for _, by := range [][2]string{{"name", tasksToReviewName}, {"short_name", tasksToReviewShort}} {
		if id, err := find(by[0], by[1]); err != nil || id != "" {
			return id, nil, err
		}
	}
	// The short name is unique: a request creating it at the same time wins,
	// and its status is used.
	var ids []string
	err := tx.NewRaw(`INSERT INTO task_status (id, created_at, updated_at, name, short_name, color, is_default, for_concept,
		is_done, is_retake, is_feedback_request, is_wip, is_artist_allowed, is_client_allowed, archived, priority)
		VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, '#f5f5f5', false, false,
		false, false, false, false, true, true, false, 1) ON CONFLICT (short_name) DO NOTHING RETURNING id::text`,
		tasksToReviewName, tasksToReviewShort).Scan(ctx, &ids)
	if err != nil {
		return "", nil, fmt.Errorf("create to review status: %w", err)
	}
	if len(ids) == 0 {
		id, err := find("short_name", tasksToReviewShort)
		if err == nil && id == "" {
			err = errors.New("to review status: short name pndng is taken by a concept status")
		}
		return id, nil, err
	}
	return ids[0], []tasksEvent{{"task-status:new", map[string]any{"task_status_id": ids[0]}, ""}}, nil
}

// tasksToReviewAnswer is what Zou's task_to_review answers: the task (no
// relations) with its project, entity and entity type (no relations either),
// the person, the comment and the preview path.
func (s *Server) tasksToReviewAnswer(ctx context.Context, t *access.Task, person []byte, comment any, previewPath map[string]string) (int, any, error) {
	task, err := s.Engine.Read(ctx, nil, s.tasksColl("tasks"), t.TaskID, false)
	if err != nil {
		return 0, nil, err
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(task, &out); err != nil {
		return 0, nil, fmt.Errorf("decode task %s: %w", t.TaskID, err)
	}
	var entityTypeID string
	if err := s.DB.NewRaw("SELECT entity_type_id::text FROM entity WHERE id = ?", t.EntityID).Scan(ctx, &entityTypeID); err != nil {
		return 0, nil, fmt.Errorf("entity type of %s: %w", t.EntityID, err)
	}
	// Zou serialises the entity as a plain Entity row: its type is "Entity",
	// not the business type the entities collection computes.
	for _, part := range []struct {
		key, coll, id string
		view          engine.View
	}{
		{"project", "projects", t.ID, engine.View{}},
		{"entity", "entities", t.EntityID, engine.View{Omit: []string{"type"}, TypeName: "Entity"}},
		{"entity_type", "entity-types", entityTypeID, engine.View{}},
	} {
		b, err := s.Engine.One(ctx, nil, s.tasksColl(part.coll), part.view, part.id)
		if err != nil {
			return 0, nil, err
		}
		out[part.key] = b
	}
	out["person"] = person
	for key, v := range map[string]any{"comment": comment, "preview_path": previewPath} {
		b, err := json.Marshal(v)
		if err != nil {
			return 0, nil, fmt.Errorf("encode %s: %w", key, err)
		}
		out[key] = b
	}
	return http.StatusOK, out, nil
}
