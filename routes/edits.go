package routes

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/models"
)

// mountEdits adds the routes of one area. Edits (routes.md § Edits).
func (s *Server) mountEdits(r gin.IRouter) {
	r.GET("/data/edits", s.route(s.editsList))
	r.GET("/data/edits/all", s.route(s.editsList))
	r.GET("/data/edits/with-tasks", s.route(s.editsWithTasks))
	r.GET("/data/edits/:id", s.route(s.editsGet))
	r.DELETE("/data/edits/:id", s.route(s.editsDeleteRoute("Edit")))
	r.GET("/data/edits/:id/task-types", s.route(s.editsTaskTypesRoute(editsLoad)))
	r.GET("/data/edits/:id/tasks", s.route(s.editsTasksRoute(editsLoad)))
	r.GET("/data/edits/:id/preview-files", s.route(s.editsPreviewFilesRoute(editsLoad)))
	r.GET("/data/edits/:id/versions", s.route(s.editsVersions))
	r.GET("/data/episodes/:id/edits", s.route(s.editsOfEpisode))
	r.GET("/data/episodes/:id/edit-tasks", s.route(s.editsTasksOfEpisode))
	r.GET("/data/projects/:id/edits", s.route(s.editsOfProject))
	r.POST("/data/projects/:id/edits", s.route(s.editsCreate))
}

// editsListScope resolves who may list edits/concepts with a query string
// (Zou's check_project_access on ?project_id): admins without a project see
// every production; anyone else must name a project of his team. It returns
// the project standing (nil for an admin without project_id).
func editsListScope(ctx context.Context, c *gin.Context, who *access.Caller) (*access.Project, error) {
	pid := c.Query("project_id")
	if pid == "" {
		if who.IsAdmin() {
			return nil, nil
		}
		return nil, engine.Forbidden()
	}
	if !engine.IsUUID(pid) {
		return nil, engine.BadRequest("Wrong UUID format for project_id.")
	}
	return who.Project(ctx, pid)
}

// editsList: GET /data/edits and /data/edits/all, edits filtered by the
// query string, with their project name, ordered by name; vendors get the
// edits holding one of their tasks, with metadata masked.
func (s *Server) editsList(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	filters, err := s.Engine.Filters(s.entitiesColl(), who.Principal, entitiesQuery(c.Request.URL.Query(), "entity_type_id"))
	if err != nil {
		return 0, nil, err
	}
	pr, err := editsListScope(ctx, c, who)
	if err != nil {
		return 0, nil, err
	}
	var deps []string
	if pr != nil {
		if deps, err = entitiesVendorDeps(ctx, pr); err != nil {
			return 0, nil, err
		}
	}
	view := entitiesView("Edit", deps, false, engine.Extra{Key: "project_name",
		SQL: "(SELECT p.name FROM project p WHERE p.id = t.project_id)", Kind: engine.KindText})
	b, err := s.Engine.Rows(ctx, nil, s.entitiesColl(), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = filters(q).Where("t.entity_type_id = "+entitiesTypeIDSQL, "Edit")
		if pr != nil && pr.IsVendor() {
			q = q.Where(entitiesAssignedSQL, who.PersonID)
		}
		return q.OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}

// editsTaskFields are the task keys of Zou's edits-with-tasks answers.
var editsTaskFields = []string{"id", "duration", "due_date", "entity_id", "end_date", "estimation", "last_comment_date",
	"last_preview_file_id", "nb_assets_ready", "priority", "real_start_date", "retake_count", "start_date",
	"task_status_id", "task_type_id", "data"}

// editsTaskJSON builds the json object of task alias tk with the given keys,
// plus is_subscribed (for person ?) and assignees. One placeholder: the caller.
func editsTaskJSON(keys []string) string {
	exprs := map[string]string{
		"id": "tk.id", "duration": "tk.duration", "entity_id": "tk.entity_id", "estimation": "tk.estimation",
		"last_preview_file_id": "tk.last_preview_file_id", "nb_assets_ready": "tk.nb_assets_ready",
		"priority": "COALESCE(tk.priority, 0)", "retake_count": "tk.retake_count", "task_status_id": "tk.task_status_id",
		"task_type_id": "tk.task_type_id", "data": "tk.data", "difficulty": "tk.difficulty",
		"due_date": entitiesTS("tk.due_date"), "end_date": entitiesTS("tk.end_date"), "done_date": entitiesTS("tk.done_date"),
		"last_comment_date": entitiesTS("tk.last_comment_date"), "real_start_date": entitiesTS("tk.real_start_date"),
		"start_date": entitiesTS("tk.start_date"),
	}
	parts := make([]string, 0, len(keys)+2)
	for _, k := range keys {
		parts = append(parts, "'"+k+"', "+exprs[k])
	}
	parts = append(parts,
		"'is_subscribed', EXISTS (SELECT 1 FROM subscription su WHERE su.task_id = tk.id AND su.person_id = ?::uuid)",
		"'assignees', COALESCE((SELECT json_agg(a.person_id) FROM task_person_link a WHERE a.task_id = tk.id), '[]'::json)")
	return "json_build_object(" + strings.Join(parts, ", ") + ")"
}

// editsWithTasksQuery answers Zou's get_edits_and_tasks for the edits that
// cond selects (over alias e, with args), each with its episode and tasks;
// assignedTo, when set, keeps only edits and tasks assigned to that person.
// deps != nil masks metadata for a vendor.
func (s *Server) editsWithTasksQuery(ctx context.Context, who *access.Caller, cond string, args []any, assignedTo string, deps []string) ([]byte, error) {
	taskCond := ""
	var taskArgs []any
	if assignedTo != "" {
		taskCond = " AND EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = tk.id AND a.person_id = ?)"
		taskArgs = append(taskArgs, assignedTo)
		cond += " AND EXISTS (SELECT 1 FROM task tk JOIN task_person_link a ON a.task_id = tk.id WHERE tk.entity_id = e.id AND a.person_id = ?)"
		args = append(args, assignedTo)
	}
	data := "COALESCE(e.data, '{}'::jsonb)"
	var dataArgs []any
	if deps != nil {
		data = entitiesMaskedDataSQL("e") + "::jsonb"
		dataArgs = []any{"Edit", pgdialect.Array(deps)}
	}
	q := `SELECT e.canceled, ` + data + ` AS data, e.description, e.entity_type_id, ep.id AS episode_id,
		COALESCE(ep.name, '') AS episode_name, e.id, e.name, e.parent_id, e.preview_file_id, e.project_id,
		p.name AS project_name, e.source_id, e.nb_entities_out,
		COALESCE((SELECT json_agg(` + editsTaskJSON(editsTaskFields) + `) FROM task tk WHERE tk.entity_id = e.id` + taskCond + `), '[]'::json) AS tasks,
		'Edit' AS type
		FROM entity e JOIN project p ON p.id = e.project_id LEFT JOIN entity ep ON ep.id = e.parent_id
		WHERE e.entity_type_id = ` + entitiesTypeIDSQL + ` AND ` + cond + ` ORDER BY e.name, e.id`
	all := append(append(append(append([]any{}, dataArgs...), who.PersonID), taskArgs...), "Edit")
	return engine.QueryJSON(ctx, s.DB, q, append(all, args...)...)
}

// editsWithTasks: GET /data/edits/with-tasks (?project_id, ?episode_id, ?id).
func (s *Server) editsWithTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	cond, args, err := editsIDCriteria(c, map[string]string{"id": "e.id", "project_id": "e.project_id", "episode_id": "e.parent_id"})
	if err != nil {
		return 0, nil, err
	}
	pr, err := editsListScope(ctx, c, who)
	if err != nil {
		return 0, nil, err
	}
	assigned := ""
	var deps []string
	if pr != nil && pr.IsVendor() {
		assigned = who.PersonID
		if deps, err = entitiesVendorDeps(ctx, pr); err != nil {
			return 0, nil, err
		}
	}
	b, err := s.editsWithTasksQuery(ctx, who, cond, args, assigned, deps)
	return http.StatusOK, b, err
}

// editsIDCriteria reads id criteria of the query string (400 when
// malformed, as Zou's check_criterion_id_format) as SQL conditions.
func editsIDCriteria(c *gin.Context, cols map[string]string) (string, []any, error) {
	conds := []string{"true"}
	var args []any
	for _, key := range []string{"id", "project_id", "episode_id"} {
		col, ok := cols[key]
		if !ok {
			continue
		}
		v := c.Query(key)
		if v == "" {
			continue
		}
		if !engine.IsUUID(v) {
			return "", nil, engine.BadRequest("Wrong UUID format for " + key + ".")
		}
		conds = append(conds, col+" = ?")
		args = append(args, strings.ToLower(v))
	}
	return strings.Join(conds, " AND "), args, nil
}

// editsGet: GET /data/edits/<id>, one edit with its episode and tasks.
func (s *Server) editsGet(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := editsLoad(c, who)
	if err != nil {
		return 0, nil, err
	}
	deps, err := entitiesVendorDeps(ctx, en.Project)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.editsWithTasksQuery(ctx, who, "e.id = ?", []any{en.EntityID}, "", deps)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, editsFirst(b), nil
}

// editsFirst is the first element of a JSON array answer (or 404).
func editsFirst(b []byte) json.RawMessage {
	var rows []json.RawMessage
	if json.Unmarshal(b, &rows) != nil || len(rows) == 0 {
		return nil
	}
	return rows[0]
}

// editsLoader reaches the entity in the path for a read route; edits and
// concepts differ only there, so their read routes share one body each.
type editsLoader func(c *gin.Context, who *access.Caller) (*access.Entity, error)

// editsLoad reaches an edit for its read routes: project member, vendors
// on their edits.
func editsLoad(c *gin.Context, who *access.Caller) (*access.Entity, error) {
	return who.Entity(c.Request.Context(), c.Param("id"), "Edit")
}

// editsDeleteRoute answers DELETE /data/edits/<id> and /data/concepts/<id>
// for that kind (creator or project manager); an entity with tasks is
// canceled unless ?force=true.
func (s *Server) editsDeleteRoute(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		en, err := s.entitiesLoadForDelete(ctx, who, c.Param("id"), kind)
		if err != nil {
			return 0, nil, err
		}
		if err := s.removeEntity(ctx, en, boolQuery(c, "force", false), true); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, nil
	}
}

// editsTaskTypesRoute answers GET .../<id>/task-types for the entity load reaches.
func (s *Server) editsTaskTypesRoute(load editsLoader) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		en, err := load(c, who)
		if err != nil {
			return 0, nil, err
		}
		b, err := s.entitiesTaskTypes(c.Request.Context(), en.EntityID)
		return http.StatusOK, b, err
	}
}

// editsTasksRoute answers GET .../<id>/tasks for the entity load reaches
// (?relations adds assignees).
func (s *Server) editsTasksRoute(load editsLoader) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		en, err := load(c, who)
		if err != nil {
			return 0, nil, err
		}
		b, err := s.entitiesDetailedTasks(c.Request.Context(), boolQuery(c, "relations", false), func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.entity_id = ?", en.EntityID)
		})
		return http.StatusOK, b, err
	}
}

// editsPreviewFilesRoute answers GET .../<id>/preview-files for the entity
// load reaches, grouped by task type.
func (s *Server) editsPreviewFilesRoute(load editsLoader) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		en, err := load(c, who)
		if err != nil {
			return 0, nil, err
		}
		res, err := s.entitiesPreviewsByTaskType(c.Request.Context(), en.EntityID)
		return http.StatusOK, res, err
	}
}

// editsVersions: GET /data/edits/<id>/versions, the stored data versions of
// an edit, newest first.
func (s *Server) editsVersions(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := editsLoad(c, who)
	if err != nil {
		return 0, nil, err
	}
	coll, ok := s.Engine.Reg.Table("entity_version")
	if !ok {
		return 0, nil, engine.Status(http.StatusInternalServerError, engine.MsgInternal)
	}
	b, err := s.Engine.Rows(ctx, nil, coll, engine.View{TypeName: "EditVersion"}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.entity_id = ?", en.EntityID).OrderExpr("t.created_at DESC, t.id")
	})
	return http.StatusOK, b, err
}

// editsOfEpisode: GET /data/episodes/<id>/edits (?relations).
func (s *Server) editsOfEpisode(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	ep, err := who.Entity(ctx, c.Param("id"), "Episode")
	if err != nil {
		return 0, nil, err
	}
	deps, err := entitiesVendorDeps(ctx, ep.Project)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.entitiesColl(), entitiesView("Edit", deps, boolQuery(c, "relations", false)),
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.entity_type_id = "+entitiesTypeIDSQL, "Edit").Where("t.parent_id = ?", ep.EntityID).OrderExpr("t.name, t.id")
		})
	return http.StatusOK, b, err
}

// editsTasksOfEpisode: GET /data/episodes/<id>/edit-tasks; vendors refused.
func (s *Server) editsTasksOfEpisode(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	ep, err := who.Entity(ctx, c.Param("id"), "Episode")
	if err != nil {
		return 0, nil, err
	}
	if err := ep.RefuseVendor(); err != nil {
		return 0, nil, err
	}
	b, err := s.entitiesDetailedTasks(ctx, boolQuery(c, "relations", false), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.entity_id IN (SELECT x.id FROM entity x WHERE x.parent_id = ? AND x.entity_type_id = "+entitiesTypeIDSQL+")", ep.EntityID, "Edit")
	})
	return http.StatusOK, b, err
}

// editsOfProject: GET /data/projects/<id>/edits, the edits of a production
// by name; vendors get those holding one of their tasks, metadata masked.
func (s *Server) editsOfProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	deps, err := entitiesVendorDeps(ctx, pr)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.entitiesColl(), entitiesView("Edit", deps, false), func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("t.entity_type_id = "+entitiesTypeIDSQL, "Edit").Where("t.project_id = ?", pr.ID)
		if pr.IsVendor() {
			q = q.Where(entitiesAssignedSQL, who.PersonID)
		}
		return q.OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}

// editsCreate: POST /data/projects/<id>/edits (name, description, data,
// episode_id), managers of the production. An edit of the same name under
// the same episode is answered as is, without a new row (Zou's get-or-create).
func (s *Server) editsCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	name, description, data, err := editsCreateFields(body)
	if err != nil {
		return 0, nil, err
	}
	episodeID, err := idField(body, "episode_id")
	if err != nil {
		return 0, nil, err
	}
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if episodeID != "" {
		// The parent must be an episode of this production (Zou would store any id).
		ok, err := s.DB.NewSelect().TableExpr("entity t").Where("t.id = ? AND t.project_id = ?", episodeID, pr.ID).
			Where(access.BusinessTypeSQL("t") + " = 'Episode'").Exists(ctx)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			return 0, nil, engine.BadRequest("Episode not found in this project.")
		}
	}
	typeID, err := models.EntityTypeID(ctx, s.DB, "Edit")
	if err != nil {
		return 0, nil, err
	}
	out, created, err := s.entitiesGetOrCreate(ctx, who, "Edit", map[string]any{"name": name, "project_id": pr.ID,
		"entity_type_id": typeID, "parent_id": editsNullable(episodeID), "description": description, "data": editsData(data)}, true)
	if err != nil {
		return 0, nil, err
	}
	if created != "" {
		s.publish(ctx, "edit:new", map[string]any{"edit_id": created, "parent_id": editsNullable(episodeID)}, pr.ID)
	}
	return http.StatusCreated, out, nil
}

// editsCreateFields reads what a new edit or concept is given alike: a
// required name, an optional description and data.
func editsCreateFields(body map[string]json.RawMessage) (name, description string, data map[string]any, err error) {
	if name, err = requiredString(body, "name"); err != nil {
		return "", "", nil, err
	}
	if description, _, err = field[string](body, "description"); err != nil {
		return "", "", nil, err
	}
	data, _, err = field[map[string]any](body, "data")
	return name, description, data, err
}

// editsData is the data a new edit or concept starts with ({} when none).
func editsData(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// editsNullable maps "" to JSON null.
func editsNullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
