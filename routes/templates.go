package routes

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// mountTemplates adds the routes of one area. Project templates, the non-CRUD part (routes.md § Project templates).
func (s *Server) mountTemplates(r gin.IRouter) {
	base := "/data/project-templates/:id/"
	for _, l := range []*templatesRanked{templatesTaskTypeLinks, templatesTaskStatusLinks} {
		r.GET(base+l.path, s.route(s.templatesRankedList(l)))
		r.POST(base+l.path, s.route(s.templatesRankedAdd(l)))
		r.POST("/actions/project-templates/:id/"+l.path+"/reorder", s.route(s.templatesReorder(l)))
		r.DELETE(base+l.path+"/:target_id", s.route(s.templatesUnlink(l.table, l.col)))
	}
	for _, l := range []*templatesLink{templatesAssetTypes, templatesAutomations, templatesBackgrounds} {
		r.GET(base+l.path, s.route(s.templatesLinked(l)))
		r.POST(base+l.path, s.route(s.templatesLinkAdd(l)))
		r.DELETE(base+l.path+"/:target_id", s.route(s.templatesUnlink(l.table, l.col)))
	}
	r.PUT(base+"metadata-descriptors", s.route(s.templatesSetDescriptors))
	r.PUT(base+"default-preview-background-file", s.route(s.templatesSetDefaultBackground))
	r.POST("/data/project-templates/from-project/:project_id", s.route(s.templatesFromProject))
	r.POST("/data/projects/:id/apply-template/:template_id", s.route(s.templatesApplyRoute))
	r.POST("/data/project-templates", s.route(s.templatesCreate))
	r.PUT("/data/project-templates/:id", s.route(s.templatesUpdate))
	r.DELETE("/data/project-templates/:id", s.route(s.templatesDelete))
}

// templatesNotFound is the body Zou's template routes answer (no "error" key).
func templatesNotFound() error {
	return engine.Raw(http.StatusNotFound, gin.H{"message": "Project template not found"})
}

// templatesWrong is a service refusal as the template routes word it.
func templatesWrong(msg string) error {
	return engine.Raw(http.StatusBadRequest, gin.H{"message": msg})
}

// templatesID checks the template of the path exists (404 otherwise).
func templatesID(ctx context.Context, db bun.IDB, id string) (string, error) {
	if !engine.IsUUID(id) {
		return "", templatesNotFound()
	}
	ok, err := projectsExists(ctx, db, "project_template", id)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", templatesNotFound()
	}
	return strings.ToLower(id), nil
}

// templatesProjectFound answers 404, worded as the template routes word it,
// unless the project of the path exists.
func templatesProjectFound(ctx context.Context, db bun.IDB, id string) error {
	ok := engine.IsUUID(id)
	if ok {
		var err error
		if ok, err = projectsExists(ctx, db, "project", id); err != nil {
			return err
		}
	}
	if !ok {
		return engine.Raw(http.StatusNotFound, gin.H{"message": "Project not found"})
	}
	return nil
}

// templatesChanged tells the clients a template moved.
func (s *Server) templatesChanged(ctx context.Context, id, action string) {
	s.publish(ctx, "project-template:"+action, map[string]any{"project_template_id": id}, "")
}

// templatesRequiredID reads the id a link body names: a valid UUID of an
// existing row, or Zou's 400 sentences.
func templatesRequiredID(ctx context.Context, db bun.IDB, body map[string]json.RawMessage, key, table, label string) (string, error) {
	v, _, err := field[string](body, key)
	if err != nil {
		return "", err
	}
	if v == "" || !engine.IsUUID(v) {
		return "", templatesWrong(key + " is required and must be a valid UUID")
	}
	v = strings.ToLower(v)
	ok, err := projectsExists(ctx, db, table, v)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", templatesWrong(label + " " + v + " does not exist")
	}
	return v, nil
}

// templatesReader is the MGR check of the template reads, then the template.
func templatesReader(c *gin.Context, who *access.Caller, db bun.IDB) (string, error) {
	if err := who.RequireGlobalManager(); err != nil {
		return "", err
	}
	return templatesID(c.Request.Context(), db, c.Param("id"))
}

// templatesWriter is the admin check of the template writes, then the template.
func templatesWriter(c *gin.Context, who *access.Caller, db bun.IDB) (string, error) {
	if err := who.RequireAdmin(); err != nil {
		return "", err
	}
	return templatesID(c.Request.Context(), db, c.Param("id"))
}

// templatesAdminBody is the admin check of the template writes, then the
// JSON object body.
func templatesAdminBody(c *gin.Context, who *access.Caller) (map[string]json.RawMessage, error) {
	if err := who.RequireAdmin(); err != nil {
		return nil, err
	}
	return bodyObject(c)
}

// templatesRankedList is GET /data/project-templates/<id>/task-types and
// /task-statuses: the linked rows with their link priority (and board
// roles), by priority then name.
func (s *Server) templatesRankedList(l *templatesRanked) handler {
	extra := []engine.Extra{{Key: "priority", Kind: engine.KindInt, SQL: "l.priority"}}
	if l.roles {
		extra = append(extra, engine.Extra{Key: "roles_for_board", Kind: engine.KindJSON, SQL: "COALESCE(to_jsonb(l.roles_for_board), '[]'::jsonb)"})
	}
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		id, err := templatesReader(c, who, s.DB)
		if err != nil {
			return 0, nil, err
		}
		b, err := s.Engine.Rows(c.Request.Context(), nil, s.projectsColl(l.coll), engine.View{Extra: extra}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Join("JOIN ? AS l ON l.? = t.id AND l.project_template_id = ?", bun.Ident(l.table), bun.Ident(l.col), id).
				OrderExpr("COALESCE(l.priority, 0), t.name")
		})
		return http.StatusOK, b, err
	}
}

// templatesLinkRow answers one priority link row of a template.
func templatesLinkRow(ctx context.Context, db bun.IDB, l *templatesRanked, templateID, targetID string) ([]byte, error) {
	extra := ""
	if l.roles {
		extra = ", to_jsonb(roles_for_board) AS roles_for_board"
	}
	return engine.QueryObject(ctx, db, "SELECT id, created_at, updated_at, project_template_id, ?, priority"+extra+", ? AS type FROM ? WHERE project_template_id = ? AND ? = ?",
		bun.Ident(l.col), l.typeName, bun.Ident(l.table), templateID, bun.Ident(l.col), targetID)
}

// templatesUpsertTaskType links a task type (or sets the priority of its link).
func templatesUpsertTaskType(ctx context.Context, db bun.IDB, templateID, taskTypeID string, priority *int) ([]byte, error) {
	_, err := db.NewRaw(`INSERT INTO project_template_task_type_link (id, created_at, updated_at, project_template_id, task_type_id, priority)
 VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, ?)
 ON CONFLICT (project_template_id, task_type_id) DO UPDATE SET priority = COALESCE(EXCLUDED.priority, project_template_task_type_link.priority),
 updated_at = EXCLUDED.updated_at`, templateID, taskTypeID, priority).Exec(ctx)
	if err != nil {
		return nil, engine.FromDB(err)
	}
	return templatesLinkRow(ctx, db, templatesTaskTypeLinks, templateID, taskTypeID)
}

// templatesUpsertTaskStatus links a task status; priority and board roles
// change only when given.
func templatesUpsertTaskStatus(ctx context.Context, db bun.IDB, templateID, taskStatusID string, priority *int, roles []string) ([]byte, error) {
	var rolesArg any
	if roles != nil {
		rolesArg = projectsPgStrings(roles)
	}
	_, err := db.NewRaw(`INSERT INTO project_template_task_status_link (id, created_at, updated_at, project_template_id, task_status_id, priority, roles_for_board)
 VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, ?, COALESCE(?::varchar[], '{}'))
 ON CONFLICT (project_template_id, task_status_id) DO UPDATE SET
 priority = COALESCE(EXCLUDED.priority, project_template_task_status_link.priority),
 roles_for_board = CASE WHEN ?::varchar[] IS NULL THEN project_template_task_status_link.roles_for_board ELSE EXCLUDED.roles_for_board END,
 updated_at = EXCLUDED.updated_at`, templateID, taskStatusID, priority, rolesArg, rolesArg).Exec(ctx)
	if err != nil {
		return nil, engine.FromDB(err)
	}
	return templatesLinkRow(ctx, db, templatesTaskStatusLinks, templateID, taskStatusID)
}

// templatesPriority reads the optional priority of a link body.
func templatesPriority(body map[string]json.RawMessage) (*int, error) {
	p, ok, err := field[int](body, "priority")
	if err != nil || !ok {
		return nil, err
	}
	return &p, nil
}

// templatesRanked is one of the two link lists of a template that carry a
// priority: task types, and task statuses (which also carry board roles).
type templatesRanked struct {
	path, col, target, label, table, typeName string
	coll                                      string // the collection of the linked rows
	roles                                     bool
}

var (
	templatesTaskTypeLinks = &templatesRanked{path: "task-types", col: "task_type_id", target: "task_type", label: "Task type",
		table: "project_template_task_type_link", typeName: "ProjectTemplateTaskTypeLink", coll: "task-types"}
	templatesTaskStatusLinks = &templatesRanked{path: "task-statuses", col: "task_status_id", target: "task_status", label: "Task status",
		table: "project_template_task_status_link", typeName: "ProjectTemplateTaskStatusLink", coll: "task-status", roles: true}
)

// templatesRankedAdd is POST /data/project-templates/<id>/task-types and
// /task-statuses: 201 with the link.
func (s *Server) templatesRankedAdd(l *templatesRanked) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		body, err := templatesAdminBody(c, who)
		if err != nil {
			return 0, nil, err
		}
		priority, err := templatesPriority(body)
		if err != nil {
			return 0, nil, err
		}
		var roles []string
		if l.roles {
			if roles, err = templatesRoles(body); err != nil {
				return 0, nil, err
			}
		}
		target, err := templatesRequiredID(ctx, s.DB, body, l.col, l.target, l.label)
		if err != nil {
			return 0, nil, err
		}
		id, err := templatesID(ctx, s.DB, c.Param("id"))
		if err != nil {
			return 0, nil, err
		}
		var out []byte
		if l.roles {
			out, err = templatesUpsertTaskStatus(ctx, s.DB, id, target, priority, roles)
		} else {
			out, err = templatesUpsertTaskType(ctx, s.DB, id, target, priority)
		}
		if err != nil {
			return 0, nil, err
		}
		s.templatesChanged(ctx, id, "update")
		return http.StatusCreated, out, nil
	}
}

// templatesRoles reads roles_for_board: a list of Zou's roles, nil when absent.
func templatesRoles(body map[string]json.RawMessage) ([]string, error) {
	roles, ok, err := field[[]string](body, "roles_for_board")
	if err != nil || !ok {
		return nil, err
	}
	for _, r := range roles {
		if r != "admin" && !strings.Contains(" user supervisor manager client vendor ", " "+r+" ") {
			return nil, engine.BadRequest(r + " is not a role")
		}
	}
	if roles == nil {
		roles = []string{}
	}
	return roles, nil
}

// templatesReorder sets link priorities from an ordered id list (creating
// missing links, as Zou's reorder goes through its add function; board
// roles kept) in one statement; 200 with the links by priority.
func (s *Server) templatesReorder(l *templatesRanked) handler {
	key := l.col + "s" // task_type_ids, task_status_ids
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		body, err := templatesAdminBody(c, who)
		if err != nil {
			return 0, nil, err
		}
		var list []string
		if raw, ok := body[key]; !ok || json.Unmarshal(raw, &list) != nil || list == nil {
			return 0, nil, engine.BadRequest(key + " must be a list of ids")
		}
		id, err := templatesID(ctx, s.DB, c.Param("id"))
		if err != nil {
			return 0, nil, err
		}
		// A repeated id takes its last position, as Zou's loop leaves it.
		rank := map[string]int{}
		var ids []string
		for i, x := range list {
			if !engine.IsUUID(x) {
				return 0, nil, templatesWrong(l.col + " is required and must be a valid UUID")
			}
			x = strings.ToLower(x)
			if _, dup := rank[x]; !dup {
				ids = append(ids, x)
			}
			rank[x] = i + 1
		}
		prios := make([]string, len(ids))
		for i, x := range ids {
			prios[i] = strconv.Itoa(rank[x])
		}
		var missing string
		err = s.DB.NewRaw("SELECT x FROM unnest(?::text[]) x WHERE NOT EXISTS (SELECT 1 FROM ? t WHERE t.id::text = x) LIMIT 1",
			projectsPgStrings(ids), bun.Ident(l.target)).Scan(ctx, &missing)
		if err == nil {
			return 0, nil, templatesWrong(l.label + " " + missing + " does not exist")
		}
		if !projectsNoRows(err) {
			return 0, nil, err
		}
		extra := ""
		if l.roles {
			extra = ", to_jsonb(l.roles_for_board) AS roles_for_board"
		}
		links, err := engine.QueryJSON(ctx, s.DB, `WITH up AS (INSERT INTO ? AS l (id, created_at, updated_at, project_template_id, ?, priority)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, x.id::uuid, x.prio::int
 FROM unnest(?::text[], ?::text[]) AS x(id, prio)
 ON CONFLICT (project_template_id, ?) DO UPDATE SET priority = EXCLUDED.priority, updated_at = EXCLUDED.updated_at RETURNING l.*)
 SELECT l.id, l.created_at, l.updated_at, l.project_template_id, l.?, l.priority`+extra+`, ? AS type FROM up l ORDER BY l.priority`,
			bun.Ident(l.table), bun.Ident(l.col), id, projectsPgStrings(ids), projectsPgStrings(prios), bun.Ident(l.col), bun.Ident(l.col), l.typeName)
		if err != nil {
			return 0, nil, engine.FromDB(err)
		}
		s.templatesChanged(ctx, id, "update")
		return http.StatusOK, links, nil
	}
}

// templatesUnlink is DELETE /data/project-templates/<id>/<kind>/<id>: 204,
// also when nothing was linked; removing the default background clears it.
func (s *Server) templatesUnlink(table, col string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		id, err := templatesWriter(c, who, s.DB)
		if err != nil {
			return 0, nil, err
		}
		target := c.Param("target_id")
		if !engine.IsUUID(target) {
			return 0, nil, engine.NotFound()
		}
		err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewRaw("DELETE FROM ? WHERE project_template_id = ? AND ? = ?", bun.Ident(table), id, bun.Ident(col), target).Exec(ctx); err != nil {
				return err
			}
			if col != "preview_background_file_id" {
				return nil
			}
			_, err := tx.NewRaw(`UPDATE project_template SET default_preview_background_file_id = NULL
 WHERE id = ? AND default_preview_background_file_id = ?`, id, target).Exec(ctx)
			return err
		})
		if err != nil {
			return 0, nil, engine.FromDB(err)
		}
		s.templatesChanged(ctx, id, "update")
		return http.StatusNoContent, nil, nil
	}
}

// templatesLink is one of the plain link lists of a template.
type templatesLink struct {
	path, bodyKey, table, col, target, label string
	shape                                    string // SQL of the answer row over target alias x
}

var (
	templatesAssetTypes = &templatesLink{"asset-types", "asset_type_id", "project_template_asset_type_link", "asset_type_id",
		"entity_type", "Asset type", "x.id, x.name"}
	templatesAutomations = &templatesLink{"status-automations", "status_automation_id", "project_template_status_automation_link",
		"status_automation_id", "status_automation", "Status automation", ""}
	templatesBackgrounds = &templatesLink{"preview-background-files", "preview_background_file_id",
		"project_template_preview_background_file_link", "preview_background_file_id", "preview_background_file",
		"Preview background file", "x.id, x.name, COALESCE(x.is_default, false) AS is_default"}
)

// templatesLinkedRows answers the linked rows (status automations serialised
// in full, the others in Zou's short shapes).
func (s *Server) templatesLinkedRows(ctx context.Context, l *templatesLink, templateID, targetID string) ([]byte, error) {
	if l.shape == "" {
		return s.Engine.Rows(ctx, nil, s.projectsColl("status-automations"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Join("JOIN project_template_status_automation_link AS l ON l.status_automation_id = t.id AND l.project_template_id = ?", templateID)
			if targetID != "" {
				q = q.Where("t.id = ?", targetID)
			}
			return q.OrderExpr("t.created_at, t.id")
		})
	}
	cond, args := "", []any{bun.Ident(l.target), bun.Ident(l.table), bun.Ident(l.col), templateID}
	if targetID != "" {
		cond = " AND x.id = ?"
		args = append(args, targetID)
	}
	return engine.QueryJSON(ctx, s.DB, "SELECT "+l.shape+" FROM ? x JOIN ? l ON l.? = x.id WHERE l.project_template_id = ?"+cond+" ORDER BY x.name", args...)
}

// templatesLinked is GET /data/project-templates/<id>/<kind>.
func (s *Server) templatesLinked(l *templatesLink) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		id, err := templatesReader(c, who, s.DB)
		if err != nil {
			return 0, nil, err
		}
		b, err := s.templatesLinkedRows(c.Request.Context(), l, id, "")
		return http.StatusOK, b, err
	}
}

// templatesLinkAdd is POST /data/project-templates/<id>/<kind>: 201 with the
// linked row (no-op when already linked).
func (s *Server) templatesLinkAdd(l *templatesLink) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		body, err := templatesAdminBody(c, who)
		if err != nil {
			return 0, nil, err
		}
		target, err := templatesRequiredID(ctx, s.DB, body, l.bodyKey, l.target, l.label)
		if err != nil {
			return 0, nil, err
		}
		id, err := templatesID(ctx, s.DB, c.Param("id"))
		if err != nil {
			return 0, nil, err
		}
		if _, err := s.DB.NewRaw("INSERT INTO ? (project_template_id, ?) VALUES (?, ?) ON CONFLICT DO NOTHING",
			bun.Ident(l.table), bun.Ident(l.col), id, target).Exec(ctx); err != nil {
			return 0, nil, engine.FromDB(err)
		}
		b, err := s.templatesLinkedRows(ctx, l, id, target)
		if err != nil {
			return 0, nil, err
		}
		s.templatesChanged(ctx, id, "update")
		return http.StatusCreated, json.RawMessage(b[1 : len(b)-1]), nil
	}
}

// templatesRead answers a template as Zou's serialize() (no relations).
func (s *Server) templatesRead(ctx context.Context, db bun.IDB, id string) ([]byte, error) {
	return s.Engine.Read(ctx, db, s.projectsColl("project-templates"), id, false)
}

// templatesUpdated tells the clients a template changed and answers it (200).
func (s *Server) templatesUpdated(ctx context.Context, id string) (int, any, error) {
	s.templatesChanged(ctx, id, "update")
	b, err := s.templatesRead(ctx, nil, id)
	return http.StatusOK, b, err
}

// templatesSetDefaultBackground is PUT .../default-preview-background-file:
// one of the template's backgrounds, or null to clear.
func (s *Server) templatesSetDefaultBackground(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	body, err := optionalBody(c)
	if err != nil {
		return 0, nil, err
	}
	bg, _, err := field[string](body, "default_preview_background_file_id")
	if err != nil {
		return 0, nil, err
	}
	id, err := templatesID(ctx, s.DB, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	var value any
	if bg != "" {
		var linked bool
		if engine.IsUUID(bg) {
			if err := s.DB.NewRaw(`SELECT EXISTS (SELECT 1 FROM project_template_preview_background_file_link
 WHERE project_template_id = ? AND preview_background_file_id = ?)`, id, bg).Scan(ctx, &linked); err != nil {
				return 0, nil, err
			}
		}
		if !linked {
			return 0, nil, templatesWrong("Preview background file is not linked to this template")
		}
		value = bg
	}
	if _, err := s.DB.NewRaw(`UPDATE project_template SET default_preview_background_file_id = ?, updated_at = now() at time zone 'utc'
 WHERE id = ?`, value, id).Exec(ctx); err != nil {
		return 0, nil, engine.FromDB(err)
	}
	return s.templatesUpdated(ctx, id)
}

// templatesDescriptor is the normalised shape of a descriptor snapshot entry.
type templatesDescriptor struct {
	Name        string          `json:"name"`
	FieldName   string          `json:"field_name"`
	EntityType  *string         `json:"entity_type"`
	TaskTypeID  *string         `json:"task_type_id"`
	DataType    *string         `json:"data_type"`
	Choices     json.RawMessage `json:"choices"`
	ForClient   bool            `json:"for_client"`
	Departments []string        `json:"departments"`
	Position    *int            `json:"position"`
}

// templatesSetDescriptors is PUT /data/project-templates/<id>/metadata-descriptors:
// the body is {"metadata_descriptors": [...]} or, as Zou's legacy shape, the
// bare list; each entry is normalised.
func (s *Server) templatesSetDescriptors(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return 0, nil, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		obj, err := engine.ParseObject(raw)
		if err != nil {
			return 0, nil, err
		}
		if v, ok := obj["metadata_descriptors"]; ok && string(v) != "null" {
			if json.Unmarshal(v, &list) != nil {
				return 0, nil, templatesWrong("metadata_descriptors must be a list")
			}
		}
	}
	id, err := templatesID(ctx, s.DB, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	cleaned := make([]templatesDescriptor, 0, len(list))
	for _, entry := range list {
		var m map[string]any
		if json.Unmarshal(entry, &m) != nil || m == nil {
			return 0, nil, templatesWrong("Each metadata descriptor must be an object")
		}
		cleaned = append(cleaned, templatesClean(m))
	}
	snapshot, _ := json.Marshal(cleaned)
	if _, err := s.DB.NewRaw(`UPDATE project_template SET metadata_descriptors = ?, updated_at = now() at time zone 'utc' WHERE id = ?`,
		string(snapshot), id).Exec(ctx); err != nil {
		return 0, nil, engine.FromDB(err)
	}
	return s.templatesUpdated(ctx, id)
}

// templatesClean normalises one snapshot entry (Zou's _clean_descriptor_dict).
func templatesClean(m map[string]any) templatesDescriptor {
	str := func(k string) *string {
		if v, ok := m[k].(string); ok && v != "" {
			return &v
		}
		return nil
	}
	d := templatesDescriptor{EntityType: str("entity_type"), TaskTypeID: str("task_type_id"), DataType: str("data_type"),
		Choices: json.RawMessage("[]"), Departments: []string{}}
	d.Name, _ = m["name"].(string)
	if f := str("field_name"); f != nil {
		d.FieldName = *f
	} else {
		d.FieldName = projectsSlug(d.Name)
	}
	if ch, ok := m["choices"]; ok && ch != nil {
		if b, err := json.Marshal(ch); err == nil && string(b) != "false" && string(b) != `""` && string(b) != "0" {
			d.Choices = b
		}
	}
	switch v := m["for_client"].(type) {
	case bool:
		d.ForClient = v
	case string:
		d.ForClient = v != ""
	case float64:
		d.ForClient = v != 0
	}
	if deps, ok := m["departments"].([]any); ok {
		for _, dep := range deps {
			if s, ok := dep.(string); ok {
				d.Departments = append(d.Departments, s)
			}
		}
	}
	if p, ok := m["position"].(float64); ok {
		n := int(p)
		d.Position = &n
	}
	return d
}

// templatesSettingFields are the production settings a template carries.
var templatesSettingFields = []string{"fps", "ratio", "resolution", "production_type", "production_style", "max_retakes",
	"is_clients_isolated", "is_preview_download_allowed", "is_set_preview_automated", "is_publish_default_for_artists",
	"homepage", "hd_bitrate_compression", "ld_bitrate_compression"}

// templatesFromProject is POST /data/project-templates/from-project/<project_id>:
// a new template holding the project's settings, links and descriptors.
func (s *Server) templatesFromProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	body, err := templatesAdminBody(c, who)
	if err != nil {
		return 0, nil, err
	}
	name, err := requiredString(body, "name")
	if err != nil {
		return 0, nil, err
	}
	description, _, err := field[string](body, "description")
	if err != nil {
		return 0, nil, err
	}
	projectID := c.Param("project_id")
	if err := templatesProjectFound(ctx, s.DB, projectID); err != nil {
		return 0, nil, err
	}
	var desc any
	if description != "" {
		desc = description
	}
	return s.templatesInsert(ctx, name, func(ctx context.Context, tx bun.IDB) (string, error) {
		return templatesCopyProject(ctx, tx, projectID, name, desc)
	})
}

// templatesCopyProject writes a template holding the project's settings,
// links and descriptor snapshot inside tx, and returns its id.
func templatesCopyProject(ctx context.Context, tx bun.IDB, projectID, name string, desc any) (string, error) {
	cols := strings.Join(templatesSettingFields, ", ")
	var id string
	err := tx.NewRaw(`INSERT INTO project_template (id, created_at, updated_at, name, description, `+cols+`, file_tree, data,
 metadata_descriptors, default_preview_background_file_id, revision_padding)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, `+cols+`, file_tree, data,
 COALESCE((SELECT jsonb_agg(jsonb_build_object('name', md.name, 'field_name', md.field_name, 'entity_type', md.entity_type,
   'task_type_id', md.task_type_id, 'data_type', md.data_type, 'choices', COALESCE(md.choices, '[]'::jsonb),
   'for_client', COALESCE(md.for_client, false), 'departments', COALESCE((SELECT jsonb_agg(dl.department_id)
   FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = md.id), '[]'::jsonb), 'position', md.position)
   ORDER BY md.position, md.name) FROM metadata_descriptor md WHERE md.project_id = p.id), '[]'::jsonb),
 default_preview_background_file_id, 0
 FROM project p WHERE p.id = ? RETURNING id::text`, name, desc, projectID).Scan(ctx, &id)
	if err != nil {
		return "", err
	}
	for _, q := range []string{
		`INSERT INTO project_template_task_type_link (id, created_at, updated_at, project_template_id, task_type_id, priority)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, task_type_id, priority FROM project_task_type_link WHERE project_id = ?`,
		`INSERT INTO project_template_task_status_link (id, created_at, updated_at, project_template_id, task_status_id, priority, roles_for_board)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, task_status_id, priority, roles_for_board FROM project_task_status_link WHERE project_id = ?`,
		`INSERT INTO project_template_asset_type_link (project_template_id, asset_type_id) SELECT ?, asset_type_id FROM project_asset_type_link WHERE project_id = ?`,
		`INSERT INTO project_template_status_automation_link (project_template_id, status_automation_id) SELECT ?, status_automation_id FROM project_status_automation_link WHERE project_id = ?`,
		`INSERT INTO project_template_preview_background_file_link (project_template_id, preview_background_file_id) SELECT ?, preview_background_file_id FROM project_preview_background_file_link WHERE project_id = ?`,
	} {
		if _, err := tx.NewRaw(q, id, projectID).Exec(ctx); err != nil {
			return "", err
		}
	}
	return id, nil
}

// templatesApplyRoute is POST /data/projects/<id>/apply-template/<template_id>.
func (s *Server) templatesApplyRoute(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	projectID := c.Param("id")
	if err := templatesProjectFound(ctx, s.DB, projectID); err != nil {
		return 0, nil, err
	}
	templateID, err := templatesID(ctx, s.DB, c.Param("template_id"))
	if err != nil {
		return 0, nil, err
	}
	var created []string
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if created, err = s.templatesApply(ctx, tx, projectID, templateID, nil); err != nil {
			return err
		}
		out, err = s.projectsRead(ctx, tx, projectID)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	for _, d := range created {
		s.publish(ctx, "metadata-descriptor:new", map[string]any{"metadata_descriptor_id": d}, projectID)
	}
	s.projectsUpdated(ctx, projectID)
	return http.StatusOK, out, nil
}

// templatesApply copies a template onto a project inside tx: settings the
// caller did not give explicitly (keys of overrides with a non-null value
// win), missing links, the default background when the project has none, and
// the descriptor snapshot (existing names skipped). It returns the ids of
// the descriptors it created, for their events.
func (s *Server) templatesApply(ctx context.Context, tx bun.IDB, projectID, templateID string, overrides map[string]json.RawMessage) ([]string, error) {
	given := func(k string) bool {
		v, ok := overrides[k]
		return ok && string(v) != "null"
	}
	set := make([]string, 0, len(templatesSettingFields)+2)
	for _, f := range append(slices.Clone(templatesSettingFields), "file_tree", "data") {
		if !given(f) {
			// Column names come from the constant list above, never from input.
			set = append(set, f+" = COALESCE(tp."+f+", p."+f+")")
		}
	}
	if len(set) > 0 {
		if _, err := tx.NewRaw("UPDATE project p SET "+strings.Join(set, ", ")+" FROM project_template tp WHERE tp.id = ? AND p.id = ?",
			templateID, projectID).Exec(ctx); err != nil {
			return nil, err
		}
	}
	for _, q := range []string{
		`INSERT INTO project_task_type_link (id, created_at, updated_at, project_id, task_type_id, priority)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, task_type_id, priority FROM project_template_task_type_link
 WHERE project_template_id = ? ON CONFLICT DO NOTHING`,
		`INSERT INTO project_task_status_link (id, created_at, updated_at, project_id, task_status_id, priority, roles_for_board)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, task_status_id, priority, roles_for_board
 FROM project_template_task_status_link WHERE project_template_id = ? ON CONFLICT DO NOTHING`,
		`INSERT INTO project_asset_type_link (project_id, asset_type_id) SELECT ?, asset_type_id FROM project_template_asset_type_link
 WHERE project_template_id = ? ON CONFLICT DO NOTHING`,
		`INSERT INTO project_status_automation_link (project_id, status_automation_id) SELECT ?, status_automation_id
 FROM project_template_status_automation_link WHERE project_template_id = ? ON CONFLICT DO NOTHING`,
		`INSERT INTO project_preview_background_file_link (project_id, preview_background_file_id) SELECT ?, preview_background_file_id
 FROM project_template_preview_background_file_link WHERE project_template_id = ? ON CONFLICT DO NOTHING`,
	} {
		if _, err := tx.NewRaw(q, projectID, templateID).Exec(ctx); err != nil {
			return nil, err
		}
	}
	if _, present := overrides["default_preview_background_file_id"]; !present {
		if _, err := tx.NewRaw(`UPDATE project p SET default_preview_background_file_id = tp.default_preview_background_file_id
 FROM project_template tp WHERE tp.id = ? AND p.id = ? AND p.default_preview_background_file_id IS NULL`, templateID, projectID).Exec(ctx); err != nil {
			return nil, err
		}
	}
	var snapshot string
	if err := tx.NewRaw("SELECT COALESCE(metadata_descriptors, '[]'::jsonb)::text FROM project_template WHERE id = ?", templateID).Scan(ctx, &snapshot); err != nil {
		return nil, err
	}
	var entries []map[string]any
	_ = json.Unmarshal([]byte(snapshot), &entries)
	var created []string
	for _, m := range entries {
		d := templatesClean(m)
		if d.Name == "" || d.EntityType == nil || (*d.EntityType == "Task" && d.TaskTypeID == nil) {
			continue
		}
		if d.TaskTypeID != nil {
			if !engine.IsUUID(*d.TaskTypeID) {
				continue
			}
			ok, err := projectsExists(ctx, tx, "task_type", *d.TaskTypeID)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue // a task type removed since the snapshot
			}
		}
		var deps []string
		for _, dep := range d.Departments {
			if engine.IsUUID(dep) {
				deps = append(deps, dep)
			}
		}
		body := &projectsDescriptorBody{entityType: *d.EntityType, name: &d.Name, dataType: d.DataType,
			forClient: &d.ForClient, choices: d.Choices, departments: deps}
		if body.dataType == nil {
			str := "string"
			body.dataType = &str
		}
		if d.TaskTypeID != nil {
			body.taskTypeID = *d.TaskTypeID
		}
		out, err := projectsInsertDescriptor(ctx, s.Engine, tx, projectID, body)
		var e *engine.Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest {
			continue // already there: skipped, as Zou does
		}
		if err != nil {
			return nil, err
		}
		var row struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(out, &row)
		created = append(created, row.ID)
	}
	return created, nil
}

// templatesFields are the keys a template body may set (Zou's create_project_template).
var templatesFields = append(slices.Clone(templatesSettingFields), "name", "description", "file_tree", "data", "metadata_descriptors")

// templatesNameFree answers 400 when another template than except (its id,
// or "" for none) already has the name.
func templatesNameFree(ctx context.Context, db bun.IDB, name, except string) error {
	var taken bool
	err := db.NewRaw("SELECT EXISTS (SELECT 1 FROM project_template WHERE name = ? AND id::text <> ?)", name, except).Scan(ctx, &taken)
	if err != nil {
		return err
	}
	if taken {
		return templatesWrong("A project template with this name already exists")
	}
	return nil
}

// templatesCreate is POST /data/project-templates (admins): unknown keys
// are dropped, the name must be free; 201 with the template.
func (s *Server) templatesCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	body, err := optionalBody(c)
	if err != nil {
		return 0, nil, err
	}
	for k := range body {
		if !slices.Contains(templatesFields, k) {
			delete(body, k)
		}
	}
	name, _, err := field[string](body, "name")
	if err != nil {
		return 0, nil, err
	}
	if name == "" {
		return 0, nil, templatesWrong("name is required")
	}
	return s.templatesInsert(ctx, name, func(ctx context.Context, tx bun.IDB) (string, error) {
		id, _, err := s.Engine.Insert(ctx, tx, s.projectsColl("project-templates"), who.Principal, body)
		return id, err
	})
}

// templatesInsert creates a template in one transaction: the name must be
// free, insert writes the row (and what hangs on it) and returns its id.
// 201 with the template, and the clients are told.
func (s *Server) templatesInsert(ctx context.Context, name string, insert func(context.Context, bun.IDB) (string, error)) (int, any, error) {
	var id string
	var out []byte
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := templatesNameFree(ctx, tx, name, ""); err != nil {
			return err
		}
		var err error
		if id, err = insert(ctx, tx); err != nil {
			return err
		}
		out, err = s.templatesRead(ctx, tx, id)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.templatesChanged(ctx, id, "new")
	return http.StatusCreated, out, nil
}

// templatesUpdate is PUT /data/project-templates/<id> (admins); the link
// lists are not changed here.
func (s *Server) templatesUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id, err := templatesWriter(c, who, s.DB)
	if err != nil {
		return 0, nil, err
	}
	body, err := optionalBody(c)
	if err != nil {
		return 0, nil, err
	}
	for _, k := range []string{"id", "type", "created_at", "updated_at", "task_types", "task_statuses", "asset_types", "status_automations"} {
		delete(body, k)
	}
	if name, ok, err := field[string](body, "name"); err != nil {
		return 0, nil, err
	} else if ok {
		if err := templatesNameFree(ctx, s.DB, name, id); err != nil {
			return 0, nil, err
		}
	}
	if _, err := s.Engine.Patch(ctx, s.DB, s.projectsColl("project-templates"), who.Principal, id, body); err != nil {
		return 0, nil, err
	}
	return s.templatesUpdated(ctx, id)
}

// templatesDelete is DELETE /data/project-templates/<id> (admins), links included.
func (s *Server) templatesDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id, err := templatesWriter(c, who, s.DB)
	if err != nil {
		return 0, nil, err
	}
	if err := s.Engine.Remove(ctx, s.DB, s.projectsColl("project-templates"), who.Principal, id, nil); err != nil {
		return 0, nil, err
	}
	s.templatesChanged(ctx, id, "delete")
	return http.StatusNoContent, nil, nil
}
