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

// mountProjects adds the routes of one area. Projects: team, settings, metadata descriptors, milestones, schedule, budgets (routes.md § Projects).
func (s *Server) mountProjects(r gin.IRouter) {
	r.GET("/data/projects/open", s.route(s.projectsOpen))
	r.GET("/data/projects/all", s.route(s.projectsAll))

	r.GET("/data/projects/:id/team", s.route(s.projectsTeam))
	r.POST("/data/projects/:id/team", s.route(s.projectsTeamAdd))
	r.PUT("/data/projects/:id/team/:person_id", s.route(s.projectsTeamRole))
	r.DELETE("/data/projects/:id/team/:person_id", s.route(s.projectsTeamRemove))

	r.GET("/data/projects/:id/task-types", s.route(s.projectsSettingList(projectsTaskTypes, false)))
	r.GET("/data/projects/:id/settings/task-status", s.route(s.projectsSettingList(projectsTaskStatuses, false)))
	r.GET("/data/projects/:id/settings/status-automations", s.route(s.projectsSettingList(projectsAutomations, true)))
	r.GET("/data/projects/:id/settings/preview-background-files", s.route(s.projectsSettingList(projectsBackgrounds, false)))
	for _, st := range []*projectsSetting{projectsAssetTypes, projectsTaskTypes, projectsTaskStatuses, projectsAutomations, projectsBackgrounds} {
		r.POST("/data/projects/:id/settings/"+st.path, s.route(s.projectsSettingAdd(st)))
		r.DELETE("/data/projects/:id/settings/"+st.path+"/:target_id", s.route(s.projectsSettingRemove(st)))
	}
	r.POST("/data/projects/:id/settings/batch", s.route(s.projectsSettingsBatch))

	s.mountProjectsMetadata(r)
	s.mountProjectsMetadataAll(r)
	s.mountProjectsSchedule(r)
	s.mountProjectsTime(r)
	s.mountProjectsVersions(r)
	s.mountProjectsLinks(r)
	s.mountProjectsData(r)
}

// projectsColl is a registered collection (the registry is fixed at boot).
func (s *Server) projectsColl(name string) *engine.Collection {
	return s.Engine.Reg.MustCollection(name)
}

// projectsRead answers a project as Zou's project.serialize() (no relations),
// the answer of every settings change.
func (s *Server) projectsRead(ctx context.Context, db bun.IDB, projectID string) ([]byte, error) {
	return s.Engine.Read(ctx, db, s.projectsColl("projects"), projectID, false)
}

// projectsUpdated tells the clients a production's settings moved (Zou emits
// project:update with an empty payload plus the project id).
func (s *Server) projectsUpdated(ctx context.Context, projectID string) {
	s.publish(ctx, "project:update", map[string]any{}, projectID)
}

// projectsExists reports whether table has a row with this id.
func projectsExists(ctx context.Context, db bun.IDB, table, id string) (bool, error) {
	var ok bool
	err := db.NewRaw("SELECT EXISTS (SELECT 1 FROM ? WHERE id = ?)", bun.Ident(table), id).Scan(ctx, &ok)
	if err != nil {
		return false, fmt.Errorf("look up %s %s: %w", table, id, err)
	}
	return ok, nil
}

// projectsPathID reads an id path parameter; a malformed one answers 404 as
// the access checks do for rows.
func projectsPathID(c *gin.Context, key string) (string, error) {
	id := c.Param(key)
	if !engine.IsUUID(id) {
		return "", engine.NotFound()
	}
	return id, nil
}

// projectsManagedPath is the project of the path, for its managers only, and
// the id path parameter key (projectsPathID), the start of the routes that
// remove or change one member or link.
func projectsManagedPath(c *gin.Context, who *access.Caller, key string) (*access.Project, string, error) {
	pr, err := who.ManagerOf(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, "", err
	}
	id, err := projectsPathID(c, key)
	return pr, id, err
}

// ---- Project lists -------------------------------------------------------

// projectsDescriptorJSON is the shape Zou gives the descriptors nested in
// project lists (_serialize_descriptor), over metadata_descriptor alias md.
const projectsDescriptorJSON = `jsonb_build_object('id', md.id, 'name', md.name, 'field_name', md.field_name,
 'data_type', md.data_type, 'choices', md.choices, 'for_client', COALESCE(md.for_client, false),
 'entity_type', md.entity_type, 'task_type_id', md.task_type_id, 'position', md.position,
 'departments', COALESCE((SELECT jsonb_agg(dl.department_id) FROM department_metadata_descriptor_link dl
   WHERE dl.metadata_descriptor_id = md.id), '[]'::jsonb))`

// projectsOpen is GET /data/projects/open: open productions with their
// descriptors, task type priorities, status links and first episode (admins:
// every open one; others: those of their team).
func (s *Server) projectsOpen(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	descWhere, descArgs := "", []any(nil)
	if !who.IsAdmin() {
		switch who.Role {
		case "client":
			descWhere = " AND md.for_client IS TRUE"
		case "vendor":
			deps, err := who.Departments(ctx)
			if err != nil {
				return 0, nil, err
			}
			descWhere = ` AND (NOT EXISTS (SELECT 1 FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = md.id)
 OR EXISTS (SELECT 1 FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = md.id AND dl.department_id::text = ANY(?)))`
			descArgs = append(descArgs, projectsPgStrings(deps))
		}
	}
	view := engine.View{Relations: true, Extra: []engine.Extra{
		{Key: "descriptors", Kind: engine.KindJSON, Args: descArgs, SQL: `COALESCE((SELECT jsonb_agg(` + projectsDescriptorJSON +
			` ORDER BY md.position, md.name) FROM metadata_descriptor md WHERE md.project_id = t.id` + descWhere + `), '[]'::jsonb)`},
		{Key: "task_types_priority", Kind: engine.KindJSON, SQL: `COALESCE((SELECT jsonb_object_agg(l.task_type_id, l.priority)
 FROM project_task_type_link l WHERE l.project_id = t.id), '{}'::jsonb)`},
		{Key: "task_statuses_link", Kind: engine.KindJSON, SQL: `COALESCE((SELECT jsonb_object_agg(l.task_status_id,
 jsonb_build_object('priority', l.priority, 'roles_for_board', COALESCE(to_jsonb(l.roles_for_board), '[]'::jsonb)))
 FROM project_task_status_link l WHERE l.project_id = t.id), '{}'::jsonb)`},
		{Key: "first_episode_id", Kind: engine.KindUUID, SQL: `CASE WHEN t.production_type = 'tvshow' THEN (SELECT e.id FROM entity e
 JOIN entity_type et ON et.id = e.entity_type_id WHERE et.name = 'Episode' AND e.project_id = t.id
 ORDER BY (e.status = 'running') DESC, e.name LIMIT 1) END`},
	}}
	name, byName := c.GetQuery("name")
	b, err := s.Engine.Rows(ctx, nil, s.projectsColl("projects"), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("t.project_status_id IN (SELECT id FROM project_status WHERE name IN ('Active', 'open', 'Open'))")
		if !who.IsAdmin() {
			q = q.Where("t.id IN (SELECT project_id FROM project_person_link WHERE person_id = ?)", who.PersonID)
		}
		if byName {
			q = q.Where("t.name = ?", name)
		}
		return q.OrderExpr("t.name")
	})
	if err != nil {
		return 0, nil, err
	}
	// Zou names a first episode only for tvshows that have one.
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil {
		return 0, nil, fmt.Errorf("open projects: %w", err)
	}
	for _, p := range list {
		if string(p["first_episode_id"]) == "null" {
			delete(p, "first_episode_id")
		}
	}
	return http.StatusOK, list, nil
}

// projectsAll is GET /data/projects/all: every production for admins (with
// its status name and Project descriptors), the caller's related open ones
// for the others; ?name narrows to one project (404 when absent).
func (s *Server) projectsAll(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	view := engine.View{Extra: []engine.Extra{
		{Key: "project_status_name", Kind: engine.KindText, SQL: "(SELECT ps.name FROM project_status ps WHERE ps.id = t.project_status_id)"},
		{Key: "descriptors", Kind: engine.KindJSON, SQL: `COALESCE((SELECT jsonb_agg(` + projectsDescriptorJSON +
			` ORDER BY md.position, md.name) FROM metadata_descriptor md WHERE md.project_id = t.id AND md.entity_type = 'Project'), '[]'::jsonb)`},
	}}
	if !who.IsAdmin() {
		view = engine.View{Relations: true}
	}
	name, byName := c.GetQuery("name")
	b, err := s.Engine.Rows(ctx, nil, s.projectsColl("projects"), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !who.IsAdmin() {
			q = q.Where("t.id IN ("+access.OpenTeamProjectsSQL+")", who.PersonID)
		}
		if byName {
			q = q.Where("t.name = ?", name)
		}
		return q.OrderExpr("t.name")
	})
	if err == nil && byName && len(b) <= 2 {
		return 0, nil, engine.NotFound()
	}
	return http.StatusOK, b, err
}

// projectsPgStrings passes a Go string list as a PostgreSQL text[] parameter.
func projectsPgStrings(v []string) any {
	if v == nil {
		v = []string{}
	}
	return pgdialect.Array(v)
}

// ---- Team -----------------------------------------------------------------

// projectsRoles are the roles a team member may hold in one production
// (admin stays global).
var projectsRoles = []string{"user", "supervisor", "manager", "client", "vendor"}

// projectsRole reads the optional per-project role of a team body.
func projectsRole(body map[string]json.RawMessage) (*string, error) {
	role, ok, err := field[string](body, "role")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	if role == "admin" {
		return nil, engine.BadRequest("admin is a global role and cannot be set per project")
	}
	if !slices.Contains(projectsRoles, role) {
		return nil, engine.BadRequest(role + " is not a role")
	}
	return &role, nil
}

// projectsPersonMinimal are the person keys non-managers see in a team list
// (Zou's present_minimal).
var projectsPersonMinimal = []string{"id", "first_name", "last_name", "full_name", "has_avatar", "active",
	"departments", "studio_id", "role", "desktop_login", "is_bot"}

// projectsTeam is GET /data/projects/<id>/team: the team, each person with
// the role held in this production (null = the global role).
func (s *Server) projectsTeam(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	view := engine.View{Relations: true, Extra: []engine.Extra{{Key: "project_role", Kind: engine.KindText,
		SQL: "(SELECT l.role FROM project_person_link l WHERE l.project_id = ? AND l.person_id = t.id)", Args: []any{pr.ID}}}}
	if who.Role != "admin" && who.Role != "manager" {
		view.Fields = projectsPersonMinimal
	}
	b, err := s.Engine.Rows(ctx, nil, s.projectsColl("persons"), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.id IN (SELECT person_id FROM project_person_link WHERE project_id = ?)", pr.ID).
			OrderExpr("t.first_name, t.last_name, t.id")
	})
	return http.StatusOK, b, err
}

// projectsTeamAdd is POST /data/projects/<id>/team: person_id joins the team
// (with an optional per-project role); 201 with the project.
func (s *Server) projectsTeamAdd(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, body, err := projectsManagedBody(c, who)
	if err != nil {
		return 0, nil, err
	}
	personID, err := projectsRequiredID(body, "person_id")
	if err != nil {
		return 0, nil, err
	}
	role, err := projectsRole(body)
	if err != nil {
		return 0, nil, err
	}
	if err := projectsFound(ctx, s.DB, "person", personID, engine.BadRequest("Person with id "+personID+" not found")); err != nil {
		return 0, nil, err
	}
	q := "INSERT INTO project_person_link (project_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
	args := []any{pr.ID, personID}
	if role != nil {
		q = "INSERT INTO project_person_link (project_id, person_id, role) VALUES (?, ?, ?) ON CONFLICT (project_id, person_id) DO UPDATE SET role = EXCLUDED.role"
		args = append(args, *role)
	}
	if _, err := s.DB.NewRaw(q, args...).Exec(ctx); err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.projectsUpdated(ctx, pr.ID)
	b, err := s.projectsRead(ctx, nil, pr.ID)
	return http.StatusCreated, b, err
}

// projectsTeamRole is PUT /data/projects/<id>/team/<person_id>: sets (or,
// with null, clears) the role a member holds in this production.
func (s *Server) projectsTeamRole(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, personID, err := projectsManagedPath(c, who, "person_id")
	if err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	role, err := projectsRole(body)
	if err != nil {
		return 0, nil, err
	}
	res, err := s.DB.NewRaw("UPDATE project_person_link SET role = ? WHERE project_id = ? AND person_id = ?", role, pr.ID, personID).Exec(ctx)
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil, engine.BadRequest("Person is not a member of the project team")
	}
	s.projectsUpdated(ctx, pr.ID)
	return http.StatusOK, map[string]any{"project_id": pr.ID, "person_id": personID, "role": role}, nil
}

// projectsTeamRemove is DELETE /data/projects/<id>/team/<person_id> (204,
// also when the person was not in the team, as Zou).
func (s *Server) projectsTeamRemove(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, personID, err := projectsManagedPath(c, who, "person_id")
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.DB.NewRaw("DELETE FROM project_person_link WHERE project_id = ? AND person_id = ?", pr.ID, personID).Exec(ctx); err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.projectsUpdated(ctx, pr.ID)
	return http.StatusNoContent, nil, nil
}

// ---- Settings links ---------------------------------------------------------

// projectsSetting describes one list of production settings: a link table
// between project and a reference table.
type projectsSetting struct {
	path      string // URL segment under /settings/
	bodyKey   string // id key of the POST body
	linkTable string
	linkCol   string // the target's column in the link table
	target    string // the target's table
	label     string // Zou's model name in "<label> with id x not found"
	coll      string // the target's /data collection, to serialise it
	withID    bool   // the link row has its own id, timestamps and priority
}

var (
	projectsAssetTypes   = &projectsSetting{"asset-types", "asset_type_id", "project_asset_type_link", "asset_type_id", "entity_type", "EntityType", "entity-types", false}
	projectsTaskTypes    = &projectsSetting{"task-types", "task_type_id", "project_task_type_link", "task_type_id", "task_type", "TaskType", "task-types", true}
	projectsTaskStatuses = &projectsSetting{"task-status", "task_status_id", "project_task_status_link", "task_status_id", "task_status", "TaskStatus", "task-status", true}
	projectsAutomations  = &projectsSetting{"status-automations", "status_automation_id", "project_status_automation_link", "status_automation_id", "status_automation", "StatusAutomation", "status-automations", false}
	projectsBackgrounds  = &projectsSetting{"preview-background-files", "preview_background_file_id", "project_preview_background_file_link", "preview_background_file_id", "preview_background_file", "PreviewBackgroundFile", "preview-background-files", false}
)

// projectsSettingList answers the rows linked to a production (task types in
// their link priority order); managers only when managerOnly.
func (s *Server) projectsSettingList(st *projectsSetting, managerOnly bool) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		check := who.Project
		if managerOnly {
			check = who.ManagerOf
		}
		pr, err := check(ctx, c.Param("id"))
		if err != nil {
			return 0, nil, err
		}
		b, err := s.Engine.Rows(ctx, nil, s.projectsColl(st.coll), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Join("JOIN ? AS l ON l.? = t.id AND l.project_id = ?", bun.Ident(st.linkTable), bun.Ident(st.linkCol), pr.ID)
			switch {
			case st.withID:
				return q.OrderExpr("l.priority NULLS LAST, t.name")
			case st.target == "status_automation": // no name to sort by
				return q.OrderExpr("t.created_at, t.id")
			}
			return q.OrderExpr("t.name")
		})
		return http.StatusOK, b, err
	}
}

// projectsLink inserts one settings link (no-op when it exists; a priority
// given for an existing task type link is kept as Zou does).
func projectsLink(ctx context.Context, db bun.IDB, st *projectsSetting, projectID, targetID string, priority *int) error {
	var err error
	if st.withID {
		_, err = db.NewRaw(`INSERT INTO ? (id, created_at, updated_at, project_id, ?, priority)
 VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, ?) ON CONFLICT DO NOTHING`,
			bun.Ident(st.linkTable), bun.Ident(st.linkCol), projectID, targetID, priority).Exec(ctx)
	} else {
		_, err = db.NewRaw("INSERT INTO ? (project_id, ?) VALUES (?, ?) ON CONFLICT DO NOTHING",
			bun.Ident(st.linkTable), bun.Ident(st.linkCol), projectID, targetID).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("link %s to project: %w", st.target, err)
	}
	return nil
}

// projectsSettingAdd is POST /data/projects/<id>/settings/<kind>: links a
// row (400 when it does not exist); 201 with the project.
func (s *Server) projectsSettingAdd(st *projectsSetting) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		pr, body, err := projectsManagedBody(c, who)
		if err != nil {
			return 0, nil, err
		}
		targetID, err := projectsRequiredID(body, st.bodyKey)
		if err != nil {
			return 0, nil, err
		}
		var priority *int
		if st == projectsTaskTypes {
			p, ok, err := field[int](body, "priority")
			if err != nil {
				return 0, nil, err
			}
			if ok {
				priority = &p
			}
		}
		if err := projectsFound(ctx, s.DB, st.target, targetID, engine.BadRequest(st.label+" with id "+targetID+" not found")); err != nil {
			return 0, nil, err
		}
		if err := projectsLink(ctx, s.DB, st, pr.ID, targetID, priority); err != nil {
			return 0, nil, err
		}
		s.projectsUpdated(ctx, pr.ID)
		b, err := s.projectsRead(ctx, nil, pr.ID)
		return http.StatusCreated, b, err
	}
}

// projectsSettingRemove is DELETE /data/projects/<id>/settings/<kind>/<id>
// (204, also when nothing was linked, as Zou).
func (s *Server) projectsSettingRemove(st *projectsSetting) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		pr, targetID, err := projectsManagedPath(c, who, "target_id")
		if err != nil {
			return 0, nil, err
		}
		if _, err := s.DB.NewRaw("DELETE FROM ? WHERE project_id = ? AND ? = ?",
			bun.Ident(st.linkTable), pr.ID, bun.Ident(st.linkCol), targetID).Exec(ctx); err != nil {
			return 0, nil, engine.FromDB(err)
		}
		s.projectsUpdated(ctx, pr.ID)
		return http.StatusNoContent, nil, nil
	}
}

// projectsSettingsBatch is POST /data/projects/<id>/settings/batch: links
// several task types (with priorities), task statuses and asset types in one
// transaction; unknown ids are skipped as Zou does; replace_task_types
// unlinks the task types left out.
func (s *Server) projectsSettingsBatch(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	var body struct {
		TaskTypes []struct {
			TaskTypeID string `json:"task_type_id"`
			Priority   *int   `json:"priority"`
		} `json:"task_types"`
		TaskStatusIDs    []string `json:"task_status_ids"`
		AssetTypeIDs     []string `json:"asset_type_ids"`
		ReplaceTaskTypes bool     `json:"replace_task_types"`
	}
	if err := decodeBody(c, &body); err != nil {
		return 0, nil, err
	}
	ids := func(key string, list []string) error {
		for _, id := range list {
			if !engine.IsUUID(id) {
				return engine.BadRequest(fmt.Sprintf("Invalid value for %s: %q is not an id.", key, id))
			}
		}
		return nil
	}
	var typeIDs []string
	for _, tt := range body.TaskTypes {
		typeIDs = append(typeIDs, tt.TaskTypeID)
	}
	for _, err := range []error{ids("task_types", typeIDs), ids("task_status_ids", body.TaskStatusIDs), ids("asset_type_ids", body.AssetTypeIDs)} {
		if err != nil {
			return 0, nil, err
		}
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, tt := range body.TaskTypes {
			// Zou updates the priority of an existing link when one is given.
			if _, err := tx.NewRaw(`INSERT INTO project_task_type_link (id, created_at, updated_at, project_id, task_type_id, priority)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, tt.id, ? FROM task_type tt WHERE tt.id = ?
 ON CONFLICT (project_id, task_type_id) DO UPDATE SET priority = COALESCE(EXCLUDED.priority, project_task_type_link.priority),
 updated_at = EXCLUDED.updated_at`, pr.ID, tt.Priority, tt.TaskTypeID).Exec(ctx); err != nil {
				return err
			}
		}
		if body.ReplaceTaskTypes {
			if _, err := tx.NewRaw("DELETE FROM project_task_type_link WHERE project_id = ? AND NOT (task_type_id::text = ANY(?))",
				pr.ID, projectsPgStrings(typeIDs)).Exec(ctx); err != nil {
				return err
			}
		}
		if _, err := tx.NewRaw(`INSERT INTO project_task_status_link (id, created_at, updated_at, project_id, task_status_id)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ts.id FROM task_status ts WHERE ts.id::text = ANY(?)
 ON CONFLICT DO NOTHING`, pr.ID, projectsPgStrings(body.TaskStatusIDs)).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw(`INSERT INTO project_asset_type_link (project_id, asset_type_id)
 SELECT ?, et.id FROM entity_type et WHERE et.id::text = ANY(?) ON CONFLICT DO NOTHING`, pr.ID, projectsPgStrings(body.AssetTypeIDs)).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.projectsUpdated(ctx, pr.ID)
	b, err := s.projectsRead(ctx, nil, pr.ID)
	return http.StatusOK, b, err
}

// projectsNoRows reports sql.ErrNoRows.
func projectsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
