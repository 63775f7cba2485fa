package routes

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Task type and task status links of a production, with their priorities.

func (s *Server) mountProjectsLinks(r gin.IRouter) {
	r.POST("/data/task-type-links", s.route(s.projectsTaskTypeLink))
	r.POST("/data/task-status-links", s.route(s.projectsTaskStatusLink))
	r.POST("/actions/projects/:id/task-type-links/reorder", s.route(s.projectsReorderLinks("project_task_type_link", "task_type_id", "task_type_ids", "ProjectTaskTypeLink")))
	r.POST("/actions/projects/:id/task-status-links/reorder", s.route(s.projectsReorderLinks("project_task_status_link", "task_status_id", "task_status_ids", "ProjectTaskStatusLink")))
}

// projectsLinkProject is the project a link body names, for its manager only
// (these routes know no 404: an unknown project is a bad body).
func projectsLinkProject(ctx context.Context, who *access.Caller, body map[string]json.RawMessage) (*access.Project, error) {
	projectID, err := projectsRequiredID(body, "project_id")
	if err != nil {
		return nil, err
	}
	pr, err := who.LoadProject(ctx, projectID)
	if err != nil {
		return nil, engine.BadRequest("Project " + projectID + " not found.")
	}
	return pr, pr.RequireManager()
}

// projectsLinkTarget reads the linked row's id: a valid UUID of an existing row.
func projectsLinkTarget(ctx context.Context, db bun.IDB, body map[string]json.RawMessage, key, table string) (string, error) {
	v, _, err := field[string](body, key)
	if err != nil {
		return "", err
	}
	if !engine.IsUUID(v) {
		return "", engine.BadRequest(key + " is required and must be a valid UUID")
	}
	return v, projectsFound(ctx, db, table, v, engine.BadRequest(key+" "+v+" does not exist"))
}

// projectsLinkPriority reads priority (1 when absent): an integer, or a
// string holding one, which Zou's int() accepts too.
func projectsLinkPriority(body map[string]json.RawMessage) (int, error) {
	p, ok, err := field[int](body, "priority")
	if err == nil {
		if !ok {
			return 1, nil
		}
		return p, nil
	}
	str, _, serr := field[string](body, "priority")
	if n, aerr := strconv.Atoi(strings.TrimSpace(str)); serr == nil && aerr == nil {
		return n, nil
	}
	return 0, err
}

// projectsLinkRequest is what both link routes read from their body.
type projectsLinkRequest struct {
	body     map[string]json.RawMessage
	pr       *access.Project
	targetID string
	priority int
}

// projectsReadLink reads a link body in Zou's order of checks: the project
// (managers only), the linked row (key, an id of table), then the priority.
func (s *Server) projectsReadLink(c *gin.Context, who *access.Caller, key, table string) (*projectsLinkRequest, error) {
	ctx := c.Request.Context()
	body, err := bodyObject(c)
	if err != nil {
		return nil, err
	}
	pr, err := projectsLinkProject(ctx, who, body)
	if err != nil {
		return nil, err
	}
	targetID, err := projectsLinkTarget(ctx, s.DB, body, key, table)
	if err != nil {
		return nil, err
	}
	priority, err := projectsLinkPriority(body)
	if err != nil {
		return nil, err
	}
	return &projectsLinkRequest{body: body, pr: pr, targetID: targetID, priority: priority}, nil
}

// projectsTaskTypeLink is POST /data/task-type-links: links a task type to a
// project, or sets the priority of the existing link; 201 with the link.
func (s *Server) projectsTaskTypeLink(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	l, err := s.projectsReadLink(c, who, "task_type_id", "task_type")
	if err != nil {
		return 0, nil, err
	}
	out, err := engine.QueryObject(ctx, s.DB, `INSERT INTO project_task_type_link (id, created_at, updated_at, project_id, task_type_id, priority)
 VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, ?)
 ON CONFLICT (project_id, task_type_id) DO UPDATE SET priority = EXCLUDED.priority, updated_at = EXCLUDED.updated_at
 RETURNING id, created_at, updated_at, project_id, task_type_id, priority, 'ProjectTaskTypeLink' AS type`, l.pr.ID, l.targetID, l.priority)
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.projectsUpdated(ctx, l.pr.ID)
	return http.StatusCreated, out, nil
}

// projectsTaskStatusLink is POST /data/task-status-links: links a task status
// to a project (priority, roles_for_board), or updates the existing link.
func (s *Server) projectsTaskStatusLink(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	l, err := s.projectsReadLink(c, who, "task_status_id", "task_status")
	if err != nil {
		return 0, nil, err
	}
	roles, err := templatesRoles(l.body)
	if err != nil {
		return 0, nil, err
	}
	var rolesArg any
	if roles != nil {
		rolesArg = projectsPgStrings(roles)
	}
	// Absent roles keep the stored ones (or the column default on a new link).
	out, err := engine.QueryObject(ctx, s.DB, `INSERT INTO project_task_status_link (id, created_at, updated_at, project_id, task_status_id, priority, roles_for_board)
 VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, ?, COALESCE(?::varchar[], '{user,admin,supervisor,manager,vendor}'))
 ON CONFLICT (project_id, task_status_id) DO UPDATE SET priority = EXCLUDED.priority, updated_at = EXCLUDED.updated_at,
 roles_for_board = CASE WHEN ?::varchar[] IS NULL THEN project_task_status_link.roles_for_board ELSE EXCLUDED.roles_for_board END
 RETURNING id, created_at, updated_at, project_id, task_status_id, priority, to_jsonb(roles_for_board) AS roles_for_board,
 'ProjectTaskStatusLink' AS type`, l.pr.ID, l.targetID, l.priority, rolesArg, rolesArg)
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.projectsUpdated(ctx, l.pr.ID)
	return http.StatusCreated, out, nil
}

// projectsReorderLinks is POST /actions/projects/<id>/<kind>-links/reorder:
// priority = rank in the id list, for existing links only (one statement);
// 200 with the updated links.
func (s *Server) projectsReorderLinks(table, col, key, typeName string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		pr, body, err := projectsManagedBody(c, who)
		if err != nil {
			return 0, nil, err
		}
		if raw, ok := body[key]; !ok || string(raw) == "null" {
			return 0, nil, engine.BadRequest("The field " + key + " is missing.")
		}
		ids, err := idList(body, key)
		if err != nil {
			return 0, nil, err
		}
		extra := ""
		if typeName == "ProjectTaskStatusLink" {
			extra = ", to_jsonb(l.roles_for_board) AS roles_for_board"
		}
		out, err := engine.QueryJSON(ctx, s.DB, `WITH upd AS (UPDATE ? l SET priority = array_position(?::text[], l.?::text), updated_at = now() at time zone 'utc'
 WHERE l.project_id = ? AND l.?::text = ANY(?) RETURNING l.*)
 SELECT l.id, l.created_at, l.updated_at, l.project_id, l.?, l.priority`+extra+`, ? AS type FROM upd l ORDER BY l.priority`,
			bun.Ident(table), projectsPgStrings(ids), bun.Ident(col), pr.ID, bun.Ident(col), projectsPgStrings(ids), bun.Ident(col), typeName)
		if err != nil {
			return 0, nil, engine.FromDB(err)
		}
		s.projectsUpdated(ctx, pr.ID)
		return http.StatusOK, out, nil
	}
}
