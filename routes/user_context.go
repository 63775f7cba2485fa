package routes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// The boot call of the web app and the open productions it lists. Every
// list is one query whatever the number of productions: the per-project
// extras (descriptors, task type priorities, status links, first episode)
// are correlated subqueries of the projects query, not a loop.

// userPersonMinimal are the keys of a person non-managers get in the context
// (Zou's present_minimal).
var userPersonMinimal = []string{"id", "first_name", "last_name", "full_name", "has_avatar", "active",
	"departments", "studio_id", "role", "desktop_login", "is_bot"}

// userTemporalTypes are the entity types that are not asset types.
const userTemporalTypes = `('Shot', 'Sequence', 'Episode', 'Scene', 'Edit', 'Concept')`

// userOpenProjectsRoute answers GET /data/user/projects/open (?name: exact name).
func (s *Server) userOpenProjectsRoute(c *gin.Context, who *access.Caller) (int, any, error) {
	name, hasName := c.GetQuery("name")
	b, err := s.userOpenProjects(c.Request.Context(), who, name, hasName)
	return http.StatusOK, b, err
}

// userOpenProjects lists the open productions of the caller (all of them for
// an admin) with Zou's extra keys. Clients see only the descriptors flagged
// for clients; vendors those without departments or of their departments.
func (s *Server) userOpenProjects(ctx context.Context, who *access.Caller, name string, hasName bool) ([]byte, error) {
	var descFilter string
	var descArgs []any
	switch who.Role {
	case "client":
		descFilter = " AND md.for_client = true"
	case "vendor":
		descFilter = ` AND (NOT EXISTS (SELECT 1 FROM department_metadata_descriptor_link ml WHERE ml.metadata_descriptor_id = md.id)
			OR EXISTS (SELECT 1 FROM department_metadata_descriptor_link ml JOIN department_link dl ON dl.department_id = ml.department_id
				WHERE ml.metadata_descriptor_id = md.id AND dl.person_id = ?))`
		descArgs = append(descArgs, who.PersonID)
	}
	view := engine.View{Relations: true, Extra: []engine.Extra{
		{Key: "descriptors", Kind: engine.KindJSON, Args: descArgs, SQL: `COALESCE((SELECT json_agg(json_build_object(
			'id', md.id, 'name', md.name, 'field_name', md.field_name, 'data_type', md.data_type,
			'choices', md.choices, 'for_client', COALESCE(md.for_client, false), 'entity_type', md.entity_type,
			'task_type_id', md.task_type_id, 'position', md.position,
			'departments', COALESCE((SELECT json_agg(ml.department_id) FROM department_metadata_descriptor_link ml
				WHERE ml.metadata_descriptor_id = md.id), '[]'::json))
			ORDER BY md.position NULLS LAST, md.name)
			FROM metadata_descriptor md WHERE md.project_id = t.id` + descFilter + `), '[]'::json)::text`},
		{Key: "task_types_priority", Kind: engine.KindJSON, SQL: `COALESCE((SELECT json_object_agg(l.task_type_id, l.priority)
			FROM project_task_type_link l WHERE l.project_id = t.id), '{}'::json)::text`},
		{Key: "task_statuses_link", Kind: engine.KindJSON, SQL: `COALESCE((SELECT json_object_agg(l.task_status_id,
			json_build_object('priority', l.priority, 'roles_for_board', COALESCE(to_json(l.roles_for_board), '[]'::json)))
			FROM project_task_status_link l WHERE l.project_id = t.id), '{}'::json)::text`},
		// Zou names the first running episode of a TV show, else its first episode.
		{Key: "first_episode_id", Kind: engine.KindUUID, SQL: `(SELECT ep.id FROM entity ep
			JOIN entity_type ept ON ept.id = ep.entity_type_id AND ept.name = 'Episode'
			WHERE ep.project_id = t.id AND t.production_type = 'tvshow'
			ORDER BY (ep.status = 'running') DESC, ep.name LIMIT 1)`},
	}}
	b, err := s.Engine.Rows(ctx, nil, s.userCollection("projects"), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("t.id IN (" + userOpenProjectIDsSQL + ")")
		if !who.IsAdmin() {
			q = q.Where("t.id IN (SELECT upl.project_id FROM project_person_link upl WHERE upl.person_id = ?)", who.PersonID)
		}
		if hasName {
			q = q.Where("t.name = ?", name)
		}
		return q.OrderExpr("t.name, t.id")
	})
	if err != nil {
		return nil, fmt.Errorf("open projects: %w", err)
	}
	return b, nil
}

// userContext answers GET /data/user/context: everything the web app needs
// at boot, in a fixed number of queries.
func (s *Server) userContext(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	out := map[string]json.RawMessage{}
	rows := func(key, coll string, v engine.View, where func(*bun.SelectQuery) *bun.SelectQuery) error {
		b, err := s.Engine.Rows(ctx, nil, s.userCollection(coll), v, where)
		if err != nil {
			return fmt.Errorf("context %s: %w", key, err)
		}
		out[key] = b
		return nil
	}
	persons := engine.View{Relations: true}
	if who.Role != "admin" && who.Role != "manager" {
		persons.Fields = userPersonMinimal
	}
	steps := []func() error{
		func() error {
			return rows("asset_types", "entity-types", engine.View{Relations: true, TypeName: "AssetType"}, func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("t.name NOT IN " + userTemporalTypes).OrderExpr("t.name, t.id")
			})
		},
		func() error { return s.userContextReferences(ctx, who, out) },
		func() error {
			// Guests of shared playlists are not part of the studio.
			return rows("persons", "persons", persons, func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("t.is_guest IS NOT TRUE").OrderExpr("t.first_name, t.last_name, t.id")
			})
		},
		func() error {
			b, err := s.userOpenProjects(ctx, who, "", false)
			out["projects"] = b
			return err
		},
		func() error {
			b, err := s.userFiltersGrouped(ctx, who, "search_filter")
			out["search_filters"] = b
			return err
		},
		func() error {
			b, err := s.userFiltersGrouped(ctx, who, "search_filter_group")
			out["search_filter_groups"] = b
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return 0, nil, err
		}
	}
	if who.IsAdmin() {
		out["user_limit"], _ = json.Marshal(s.Cfg.UserLimit)
	}
	return http.StatusOK, out, nil
}

// userContextReferences adds the studio's reference lists (rows without
// relations), the caller's unread count and explicit project roles, and the
// plugins, all read by one query: each list is a jsonb_agg of the rows
// serialised as the engine does.
func (s *Server) userContextReferences(ctx context.Context, who *access.Caller, out map[string]json.RawMessage) error {
	var parts []string
	for _, ref := range []struct{ key, coll string }{
		{"custom_actions", "custom-actions"}, {"status_automations", "status-automations"},
		{"departments", "departments"}, {"studios", "studios"}, {"project_status", "project-status"},
		{"task_types", "task-types"}, {"task_status", "task-status"},
		{"preview_background_files", "preview-background-files"},
	} {
		c := s.userCollection(ref.coll)
		order := "t.name, t.id"
		if ref.key == "status_automations" {
			order = "t.created_at, t.id"
		}
		parts = append(parts, fmt.Sprintf(`'%s', COALESCE((SELECT jsonb_agg(%s ORDER BY %s) FROM "%s" t), '[]'::jsonb)`,
			ref.key, c.ObjectSQL("t"), order, c.Table.Name))
	}
	parts = append(parts,
		`'plugins', COALESCE((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'plugin_id', t.plugin_id, 'name', t.name,
			'description', t.description, 'version', t.version, 'maintainer_name', t.maintainer_name,
			'maintainer_email', t.maintainer_email, 'frontend_project_enabled', t.frontend_project_enabled,
			'frontend_studio_enabled', t.frontend_studio_enabled, 'icon', t.icon) ORDER BY t.name, t.id) FROM plugin t), '[]'::jsonb)`,
		`'notification_count', (SELECT count(*) FROM notification WHERE person_id = ?0 AND read = false)`,
		`'project_roles', COALESCE((SELECT jsonb_object_agg(l.project_id, l.role) FROM project_person_link l
			WHERE l.person_id = ?0 AND l.role IS NOT NULL), '{}'::jsonb)`,
	)
	var raw string
	if err := s.DB.NewRaw("SELECT jsonb_build_object("+strings.Join(parts, ", ")+")::text", who.PersonID).Scan(ctx, &raw); err != nil {
		return fmt.Errorf("context references: %w", err)
	}
	var refs map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &refs); err != nil {
		return fmt.Errorf("decode context references: %w", err)
	}
	for k, v := range refs {
		out[k] = v
	}
	return nil
}
