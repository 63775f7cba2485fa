package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/models"
)

// /data/projects creation: the generic insert, plus what Zou's project
// resource does after it (template, first episode, all-projects columns).

func (s *Server) mountProjectsData(r gin.IRouter) {
	r.POST("/data/projects", s.route(s.projectsCreate))
	r.GET("/data/projects/:id", s.route(s.projectsGet))
	r.PUT("/data/projects/:id", s.route(s.projectsUpdate))
	r.DELETE("/data/projects/:id", s.route(s.projectsDelete))
}

// projectsWithKey adds one key to a JSON object answer.
func projectsWithKey(obj []byte, key string, value any) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, fmt.Errorf("add %s: %w", key, err)
	}
	m[key], _ = json.Marshal(value)
	return json.Marshal(m)
}

// projectsGet is GET /data/projects/<id>: the generic read plus the name of
// the project status (Zou's clean_get_result).
func (s *Server) projectsGet(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	b, err := s.Engine.Get(ctx, s.projectsColl("projects"), who.Principal, id, c.Request.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	var status sql.NullString
	if err := s.DB.NewRaw("SELECT ps.name FROM project p JOIN project_status ps ON ps.id = p.project_status_id WHERE p.id = ?", id).
		Scan(ctx, &status); err != nil && !projectsNoRows(err) {
		return 0, nil, err
	}
	var name any
	if status.Valid {
		name = status.String
	}
	b, err = projectsWithKey(b, "project_status_name", name)
	return http.StatusOK, b, err
}

// projectsUpdate is PUT /data/projects/<id>: the generic update; a tvshow
// gets its first episode if it has none, named in first_episode_id.
func (s *Server) projectsUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Update(ctx, s.projectsColl("projects"), who.Principal, id, raw)
	if err != nil {
		return 0, nil, err
	}
	var tvshow bool
	if err := s.DB.NewRaw("SELECT production_type = 'tvshow' FROM project WHERE id = ?", id).Scan(ctx, &tvshow); err != nil {
		return 0, nil, err
	}
	if !tvshow {
		return http.StatusOK, b, nil
	}
	var episode string
	err = s.DB.NewRaw(`SELECT e.id::text FROM entity e JOIN entity_type et ON et.id = e.entity_type_id
 WHERE et.name = 'Episode' AND e.project_id = ? ORDER BY e.created_at, e.name LIMIT 1`, id).Scan(ctx, &episode)
	if projectsNoRows(err) {
		if episode, err = s.projectsFirstEpisode(ctx, s.DB, who, id); err == nil {
			s.publish(ctx, "episode:new", map[string]any{"episode_id": episode}, id)
		}
	}
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	b, err = projectsWithKey(b, "first_episode_id", episode)
	return http.StatusOK, b, err
}

// projectsCreate is POST /data/projects. The policy decides who may create
// (admins; managers too in our policy); a non-admin creator joins the team
// (project hook). project_template_id applies a template after the insert,
// explicit body values winning; a tvshow gets its first episode E01; the
// Project columns of open productions are copied. All in one transaction.
func (s *Server) projectsCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	coll := s.projectsColl("projects")
	if !who.IsAdmin() && !slices.Contains(s.Engine.Authz.Conditions(who.Role, coll.Name, engine.ActCreate), "all") {
		return 0, nil, engine.Forbidden()
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	templateID, err := idField(body, "project_template_id")
	if err != nil {
		return 0, nil, err
	}
	delete(body, "project_template_id")
	if templateID != "" {
		// Checked before anything is written: Zou found out after the insert.
		if _, err := templatesID(ctx, s.DB, templateID); err != nil {
			return 0, nil, err
		}
	}
	var id, episodeID string
	var created []string
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if id, _, err = s.Engine.Insert(ctx, tx, coll, who.Principal, body); err != nil {
			return err
		}
		if templateID != "" {
			if created, err = s.templatesApply(ctx, tx, id, templateID, body); err != nil {
				return err
			}
		}
		var tvshow bool
		if err := tx.NewRaw("SELECT production_type = 'tvshow' FROM project WHERE id = ?", id).Scan(ctx, &tvshow); err != nil {
			return err
		}
		if tvshow {
			if episodeID, err = s.projectsFirstEpisode(ctx, tx, who, id); err != nil {
				return err
			}
		}
		more, err := projectsCopyAllProjectsColumns(ctx, s.Engine, tx, id)
		if err != nil {
			return err
		}
		created = append(created, more...)
		out, err = s.Engine.Read(ctx, tx, coll, id, true)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.Engine.Publish(ctx, coll, "new", id, id)
	if episodeID != "" {
		s.publish(ctx, "episode:new", map[string]any{"episode_id": episodeID}, id)
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err == nil {
			m["first_episode_id"], _ = json.Marshal(episodeID)
			if b, err := json.Marshal(m); err == nil {
				out = b
			}
		}
	}
	for _, d := range created {
		s.publish(ctx, "metadata-descriptor:new", map[string]any{"metadata_descriptor_id": d}, id)
	}
	return http.StatusCreated, out, nil
}

// projectsFirstEpisode creates episode E01 of a new tvshow, by the caller.
func (s *Server) projectsFirstEpisode(ctx context.Context, tx bun.IDB, who *access.Caller, projectID string) (string, error) {
	typeID, err := models.EntityTypeID(ctx, tx, "Episode")
	if err != nil {
		return "", err
	}
	m, err := engine.Values(map[string]any{"name": "E01", "project_id": projectID, "entity_type_id": typeID})
	if err != nil {
		return "", err
	}
	id, _, err := s.Engine.Insert(ctx, tx, s.projectsColl("entities"), who.Principal, m)
	return id, err
}

// projectsCopyAllProjectsColumns copies onto a new project the Project
// descriptors of the open productions (one per field name it lacks), with
// their departments, and returns the new descriptor ids.
func projectsCopyAllProjectsColumns(ctx context.Context, e *engine.Engine, tx bun.IDB, projectID string) ([]string, error) {
	var ids []string
	err := tx.NewRaw(`WITH src AS (
 SELECT DISTINCT ON (md.field_name) md.id, md.name, md.field_name, md.data_type, md.choices, md.for_client, md.position
 FROM metadata_descriptor md JOIN project p ON p.id = md.project_id JOIN project_status ps ON ps.id = p.project_status_id
 WHERE ps.name IN ('Active', 'open', 'Open') AND md.entity_type = 'Project' AND md.project_id <> ?
 AND NOT EXISTS (SELECT 1 FROM metadata_descriptor o WHERE o.project_id = ? AND o.entity_type = 'Project' AND o.field_name = md.field_name)
 ORDER BY md.field_name, md.position NULLS LAST, md.name),
 ins AS (INSERT INTO metadata_descriptor (id, created_at, updated_at, project_id, entity_type, name, data_type, field_name, choices, for_client)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, 'Project', src.name, src.data_type, src.field_name,
 src.choices, src.for_client FROM src ON CONFLICT DO NOTHING RETURNING id, field_name),
 deps AS (INSERT INTO department_metadata_descriptor_link (metadata_descriptor_id, department_id)
 SELECT ins.id, dl.department_id FROM ins JOIN src ON src.field_name = ins.field_name
 JOIN department_metadata_descriptor_link dl ON dl.metadata_descriptor_id = src.id ON CONFLICT DO NOTHING)
 SELECT id::text FROM ins`, projectID, projectID, projectID).Scan(ctx, &ids)
	if err != nil && !projectsNoRows(err) {
		return nil, err
	}
	return ids, nil
}
