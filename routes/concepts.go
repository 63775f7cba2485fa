package routes

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/models"
)

// mountConcepts adds the routes of one area. Concepts (routes.md § Concepts).
func (s *Server) mountConcepts(r gin.IRouter) {
	r.GET("/data/concepts", s.route(s.conceptsList))
	r.GET("/data/concepts/with-tasks", s.route(s.conceptsWithTasks))
	r.GET("/data/concepts/:id", s.route(s.conceptsGet))
	r.DELETE("/data/concepts/:id", s.route(s.editsDeleteRoute("Concept")))
	r.GET("/data/concepts/:id/task-types", s.route(s.editsTaskTypesRoute(conceptsLoad)))
	r.GET("/data/concepts/:id/tasks", s.route(s.editsTasksRoute(conceptsLoad)))
	r.GET("/data/concepts/:id/preview-files", s.route(s.editsPreviewFilesRoute(conceptsLoad)))
	r.GET("/data/projects/:id/concepts", s.route(s.conceptsOfProject))
	r.POST("/data/projects/:id/concepts", s.route(s.conceptsCreate))
}

// conceptsRefuse is Zou's refusal of vendors and clients on concept lists.
func conceptsRefuse(pr *access.Project) error {
	if pr == nil {
		return nil
	}
	if err := pr.RefuseVendor(); err != nil {
		return err
	}
	return pr.RefuseClient()
}

// conceptsListScope is editsListScope for the concept lists, which refuse
// vendors and clients of the project named.
func conceptsListScope(ctx context.Context, c *gin.Context, who *access.Caller) error {
	pr, err := editsListScope(ctx, c, who)
	if err != nil {
		return err
	}
	return conceptsRefuse(pr)
}

// conceptsList: GET /data/concepts, concepts filtered by the query string,
// with their project name, ordered by name.
func (s *Server) conceptsList(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	filters, err := s.Engine.Filters(s.entitiesColl(), who.Principal, entitiesQuery(c.Request.URL.Query(), "entity_type_id"))
	if err != nil {
		return 0, nil, err
	}
	if err := conceptsListScope(ctx, c, who); err != nil {
		return 0, nil, err
	}
	view := entitiesView("Concept", nil, false, engine.Extra{Key: "project_name",
		SQL: "(SELECT p.name FROM project p WHERE p.id = t.project_id)", Kind: engine.KindText})
	b, err := s.Engine.Rows(ctx, nil, s.entitiesColl(), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		return filters(q).Where("t.entity_type_id = "+entitiesTypeIDSQL, "Concept").OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}

// conceptsWithTasksQuery answers Zou's get_concepts_and_tasks for the
// concepts cond selects (alias e): each with its tasks and linked entities.
func (s *Server) conceptsWithTasksQuery(ctx context.Context, who *access.Caller, cond string, args []any) ([]byte, error) {
	q := `SELECT e.canceled, COALESCE(e.data, '{}'::jsonb) AS data, e.description, e.entity_type_id,
		e.data->'fps' AS fps, e.data->'frame_in' AS frame_in, e.data->'frame_out' AS frame_out,
		e.id, e.name, e.nb_frames, e.parent_id, e.preview_file_id, e.project_id, p.name AS project_name,
		e.source_id, e.nb_entities_out, e.is_casting_standby,
		COALESCE((SELECT json_agg(` + editsTaskJSON(conceptsTaskFields) + `) FROM task tk WHERE tk.entity_id = e.id), '[]'::json) AS tasks,
		COALESCE((SELECT json_agg(l.entity_out_id) FROM entity_concept_link l WHERE l.entity_in_id = e.id), '[]'::json) AS entity_concept_links,
		'Concept' AS type, e.updated_at, e.created_at, e.created_by
		FROM entity e JOIN project p ON p.id = e.project_id
		WHERE e.entity_type_id = ` + entitiesTypeIDSQL + ` AND ` + cond + ` ORDER BY e.name, e.id`
	return engine.QueryJSON(ctx, s.DB, q, append([]any{who.PersonID, "Concept"}, args...)...)
}

// conceptsTaskFields are the task keys of Zou's concepts-with-tasks answers.
var conceptsTaskFields = []string{"id", "duration", "due_date", "end_date", "entity_id", "estimation", "last_comment_date",
	"nb_assets_ready", "priority", "real_start_date", "retake_count", "start_date", "task_status_id", "task_type_id", "data"}

// conceptsWithTasks: GET /data/concepts/with-tasks (?project_id, ?id).
func (s *Server) conceptsWithTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	cond, args, err := editsIDCriteria(c, map[string]string{"id": "e.id", "project_id": "e.project_id"})
	if err != nil {
		return 0, nil, err
	}
	if err := conceptsListScope(ctx, c, who); err != nil {
		return 0, nil, err
	}
	b, err := s.conceptsWithTasksQuery(ctx, who, cond, args)
	return http.StatusOK, b, err
}

// conceptsLoad reaches a concept for its read routes: project member
// (vendors on their entities), clients refused.
func conceptsLoad(c *gin.Context, who *access.Caller) (*access.Entity, error) {
	en, err := who.Entity(c.Request.Context(), c.Param("id"), "Concept")
	if err != nil {
		return nil, err
	}
	return en, en.RefuseClient()
}

// conceptsGet: GET /data/concepts/<id>, the concept with its tasks and its
// relations.
func (s *Server) conceptsGet(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := conceptsLoad(c, who)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.conceptsWithTasksQuery(ctx, who, "e.id = ?", []any{en.EntityID})
	if err != nil {
		return 0, nil, err
	}
	var full map[string]json.RawMessage
	if err := json.Unmarshal(editsFirst(b), &full); err != nil {
		return 0, nil, engine.NotFound()
	}
	row, err := s.Engine.One(ctx, nil, s.entitiesColl(), entitiesView("Concept", nil, true), en.EntityID)
	if err != nil {
		return 0, nil, err
	}
	var plain map[string]json.RawMessage
	if err := json.Unmarshal(row, &plain); err != nil {
		return 0, nil, err
	}
	for k, v := range plain {
		full[k] = v
	}
	return http.StatusOK, full, nil
}

// conceptsOfProject: GET /data/projects/<id>/concepts; vendors and clients refused.
func (s *Server) conceptsOfProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := conceptsRefuse(pr); err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.entitiesColl(), entitiesView("Concept", nil, false), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.entity_type_id = "+entitiesTypeIDSQL, "Concept").Where("t.project_id = ?", pr.ID).OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}

// conceptsCreate: POST /data/projects/<id>/concepts (name, description,
// data, entity_concept_links): any team member but vendors and clients. A
// concept of the same name in the production is answered as is.
func (s *Server) conceptsCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	name, description, data, err := editsCreateFields(body)
	if err != nil {
		return 0, nil, err
	}
	var links []string
	if raw, ok := body["entity_concept_links"]; ok && string(raw) != "null" {
		// Kitsu sends ids; Zou's schema names objects: both spellings are read.
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return 0, nil, engine.BadRequest("Invalid value for entity_concept_links: expected a list.")
		}
		for _, it := range items {
			var id string
			if json.Unmarshal(it, &id) != nil {
				var obj struct {
					ID string `json:"id"`
				}
				if json.Unmarshal(it, &obj) != nil {
					return 0, nil, engine.BadRequest("Invalid value for entity_concept_links: expected ids.")
				}
				id = obj.ID
			}
			if !engine.IsUUID(id) {
				return 0, nil, engine.BadRequest("Invalid value for entity_concept_links: expected ids.")
			}
			links = append(links, id)
		}
	}
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := conceptsRefuse(pr); err != nil {
		return 0, nil, err
	}
	if len(links) > 0 {
		// Links only reach entities of the same production (ids elsewhere
		// are dropped, as Zou drops unknown ones).
		var kept []string
		if err := s.DB.NewRaw("SELECT id::text FROM entity WHERE id = ANY(?::uuid[]) AND project_id = ?",
			pgdialect.Array(links), pr.ID).Scan(ctx, &kept); err != nil {
			return 0, nil, err
		}
		links = kept
	}
	typeID, err := models.EntityTypeID(ctx, s.DB, "Concept")
	if err != nil {
		return 0, nil, err
	}
	values := map[string]any{"name": name, "project_id": pr.ID, "entity_type_id": typeID,
		"description": editsNullable(description), "data": editsData(data)}
	if len(links) > 0 {
		values["entity_concept_links"] = links
	}
	out, created, err := s.entitiesGetOrCreate(ctx, who, "Concept", values, false)
	if err != nil {
		return 0, nil, err
	}
	if created != "" {
		s.publish(ctx, "concept:new", map[string]any{"concept_id": created}, pr.ID)
	}
	return http.StatusCreated, out, nil
}
