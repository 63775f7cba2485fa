package routes

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// The same metadata column across every open production the caller manages
// (Kitsu's "all projects" columns).

func (s *Server) mountProjectsMetadataAll(r gin.IRouter) {
	r.POST("/data/metadata-descriptors/all-projects", s.route(s.projectsAllDescriptorCreate))
	r.POST("/actions/metadata-descriptors/all-projects/reorder", s.route(s.projectsAllDescriptorsReorder))
	r.PUT("/data/metadata-descriptors/all-projects/:field_name", s.route(s.projectsAllDescriptorUpdate))
	r.DELETE("/data/metadata-descriptors/all-projects/:field_name", s.route(s.projectsAllDescriptorDelete))
}

// projectsAllEntityTypes are the kinds an all-projects column may describe (no Task).
var projectsAllEntityTypes = []string{"Asset", "Shot", "Edit", "Episode", "Sequence", "Project"}

func projectsAllEntityType(entityType string) error {
	if !slices.Contains(projectsAllEntityTypes, entityType) {
		return engine.BadRequest("Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, or Project.")
	}
	return nil
}

// projectsManagedOpen are the open productions the caller may reshape:
// every one for an admin, else those of his team where his effective role
// is manager (a per-project role replaces the global one).
func projectsManagedOpen(ctx context.Context, db bun.IDB, who *access.Caller) ([]string, error) {
	var ids []string
	err := db.NewRaw(`SELECT p.id::text FROM project p JOIN project_status ps ON ps.id = p.project_status_id
 WHERE ps.name IN ('Active', 'open', 'Open') AND (? OR EXISTS (SELECT 1 FROM project_person_link l
 WHERE l.project_id = p.id AND l.person_id = ? AND COALESCE(l.role, ?) = 'manager')) ORDER BY p.name`,
		who.IsAdmin(), who.PersonID, who.Role).Scan(ctx, &ids)
	if err != nil && !projectsNoRows(err) {
		return nil, err
	}
	return ids, nil
}

// projectsDescriptorsByField loads the descriptors of a field across projects.
func projectsDescriptorsByField(ctx context.Context, db bun.IDB, projectIDs []string, entityType, fieldName string) ([]projectsDescriptorRow, error) {
	var rows []projectsDescriptorRow
	err := db.NewRaw(projectsDescriptorRowSelect+` WHERE md.project_id::text = ANY(?) AND md.entity_type = ? AND md.field_name = ? ORDER BY md.created_at`,
		projectsPgStrings(projectIDs), entityType, fieldName).Scan(ctx, &rows)
	if err != nil && !projectsNoRows(err) {
		return nil, err
	}
	return rows, nil
}

// projectsOnField runs fn on each descriptor of fieldName across projects,
// all in one transaction, and answers the rows it ran on.
func (s *Server) projectsOnField(ctx context.Context, projects []string, entityType, fieldName string,
	fn func(ctx context.Context, tx bun.Tx, r *projectsDescriptorRow) error) ([]projectsDescriptorRow, error) {
	var rows []projectsDescriptorRow
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if rows, err = projectsDescriptorsByField(ctx, tx, projects, entityType, fieldName); err != nil {
			return err
		}
		for i := range rows {
			if err := fn(ctx, tx, &rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, engine.FromDB(err)
	}
	return rows, nil
}

// projectsDescriptorEvents tells each descriptor's project it moved (verb:
// update or delete).
func (s *Server) projectsDescriptorEvents(ctx context.Context, verb string, rows []projectsDescriptorRow) {
	for _, r := range rows {
		s.publish(ctx, "metadata-descriptor:"+verb, map[string]any{"metadata_descriptor_id": r.ID}, r.ProjectID)
	}
}

// projectsJSONList joins JSON objects into an array.
func projectsJSONList(items [][]byte) []byte {
	out := []byte{'['}
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	return append(out, ']')
}

// projectsAllDescriptorCreate is POST /data/metadata-descriptors/all-projects:
// the descriptor on every managed open production lacking that field; 201
// with the created ones.
func (s *Server) projectsAllDescriptorCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireGlobalManager(); err != nil {
		return 0, nil, err
	}
	d, _, err := projectsDescriptorRequest(c)
	if err != nil {
		return 0, nil, err
	}
	if err := projectsNewDescriptor(d); err != nil {
		return 0, nil, err
	}
	if err := projectsAllEntityType(d.entityType); err != nil {
		return 0, nil, err
	}
	d.taskTypeID = ""
	if err := projectsCheckDepartments(ctx, s.DB, d.departments); err != nil {
		return 0, nil, err
	}
	projects, err := projectsManagedOpen(ctx, s.DB, who)
	if err != nil {
		return 0, nil, err
	}
	// One statement for every project lacking the field, then its departments.
	type createdRow struct {
		ID        string `bun:"id"`
		ProjectID string `bun:"project_id"`
	}
	var created []createdRow
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`INSERT INTO metadata_descriptor (id, created_at, updated_at, project_id, entity_type, name, data_type, field_name, choices, for_client)
 SELECT gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', p::uuid, ?, ?, ?, ?, ?, ?
 FROM unnest(?::text[]) p WHERE NOT EXISTS (SELECT 1 FROM metadata_descriptor m WHERE m.project_id = p::uuid AND m.entity_type = ? AND m.field_name = ?)
 ON CONFLICT DO NOTHING RETURNING id::text, project_id::text`,
			d.entityType, *d.name, *d.dataType, projectsSlug(*d.name), string(d.choices), *d.forClient,
			projectsPgStrings(projects), d.entityType, projectsSlug(*d.name)).Scan(ctx, &created)
		if err != nil && !projectsNoRows(err) {
			return err
		}
		ids := make([]string, len(created))
		for i, r := range created {
			ids[i] = r.ID
		}
		if len(d.departments) > 0 && len(ids) > 0 {
			if _, err := tx.NewRaw(`INSERT INTO department_metadata_descriptor_link (metadata_descriptor_id, department_id)
 SELECT m::uuid, dp.id FROM unnest(?::text[]) m CROSS JOIN department dp WHERE dp.id::text = ANY(?) ON CONFLICT DO NOTHING`,
				projectsPgStrings(ids), projectsPgStrings(d.departments)).Exec(ctx); err != nil {
				return err
			}
		}
		out, err = s.Engine.Rows(ctx, tx, s.projectsColl("metadata-descriptors"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.id::text = ANY(?)", projectsPgStrings(ids)).OrderExpr("t.project_id")
		})
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	for _, r := range created {
		s.publish(ctx, "metadata-descriptor:new", map[string]any{"metadata_descriptor_id": r.ID}, r.ProjectID)
	}
	return http.StatusCreated, out, nil
}

// projectsAllDescriptorUpdate is PUT /data/metadata-descriptors/all-projects/<field_name>:
// 200 with the updated descriptors.
func (s *Server) projectsAllDescriptorUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireGlobalManager(); err != nil {
		return 0, nil, err
	}
	d, body, err := projectsDescriptorRequest(c)
	if err != nil {
		return 0, nil, err
	}
	if _, err := requiredString(body, "entity_type"); err != nil {
		return 0, nil, err
	}
	if err := projectsAllEntityType(d.entityType); err != nil {
		return 0, nil, err
	}
	if d.name != nil && *d.name == "" {
		d.name = nil // an empty name keeps the field name, as Zou
	}
	if err := projectsCheckDepartments(ctx, s.DB, d.departments); err != nil {
		return 0, nil, err
	}
	projects, err := projectsManagedOpen(ctx, s.DB, who)
	if err != nil {
		return 0, nil, err
	}
	var updated [][]byte
	rows, err := s.projectsOnField(ctx, projects, d.entityType, c.Param("field_name"), func(ctx context.Context, tx bun.Tx, r *projectsDescriptorRow) error {
		out, err := s.projectsChangeDescriptor(ctx, tx, r, d)
		if err != nil {
			return err
		}
		updated = append(updated, out)
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	s.projectsDescriptorEvents(ctx, "update", rows)
	return http.StatusOK, projectsJSONList(updated), nil
}

// projectsAllDescriptorDelete is DELETE /data/metadata-descriptors/all-projects/<field_name>?entity_type=:
// 200 with the removed ids; the values leave the data of their rows.
func (s *Server) projectsAllDescriptorDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireGlobalManager(); err != nil {
		return 0, nil, err
	}
	entityType := c.Query("entity_type")
	if err := projectsAllEntityType(entityType); err != nil {
		return 0, nil, err
	}
	projects, err := projectsManagedOpen(ctx, s.DB, who)
	if err != nil {
		return 0, nil, err
	}
	rows, err := s.projectsOnField(ctx, projects, entityType, c.Param("field_name"), func(ctx context.Context, tx bun.Tx, r *projectsDescriptorRow) error {
		// The collection's delete hook strips the values.
		return s.Engine.Remove(ctx, tx, s.projectsColl("metadata-descriptors"), who.Principal, r.ID, nil)
	})
	if err != nil {
		return 0, nil, err
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	s.projectsDescriptorEvents(ctx, "delete", rows)
	return http.StatusOK, ids, nil
}

// projectsAllDescriptorsReorder is POST /actions/metadata-descriptors/all-projects/reorder:
// one column order (field names) on every managed open production having
// one of them; 200 with the reordered descriptors.
func (s *Server) projectsAllDescriptorsReorder(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireGlobalManager(); err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	entityType, err := requiredString(body, "entity_type")
	if err != nil {
		return 0, nil, err
	}
	if err := projectsAllEntityType(entityType); err != nil {
		return 0, nil, err
	}
	order, _, err := field[[]string](body, "field_order")
	if err != nil {
		return 0, nil, err
	}
	if len(order) == 0 {
		return 0, nil, engine.BadRequest("The field field_order is missing.")
	}
	projects, err := projectsManagedOpen(ctx, s.DB, who)
	if err != nil {
		return 0, nil, err
	}
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Per project: listed fields take their rank, the others follow by name;
		// projects with none of the fields are left alone.
		var touched []string
		if err := tx.NewRaw(`WITH scope AS (SELECT DISTINCT m.project_id FROM metadata_descriptor m
 WHERE m.project_id::text = ANY(?) AND m.entity_type = ? AND m.field_name = ANY(?)),
 o AS (SELECT m.id, row_number() OVER (PARTITION BY m.project_id ORDER BY array_position(?::text[], m.field_name::text) NULLS LAST, m.name) AS pos
 FROM metadata_descriptor m JOIN scope ON scope.project_id = m.project_id WHERE m.entity_type = ?)
 UPDATE metadata_descriptor md SET position = o.pos FROM o WHERE md.id = o.id RETURNING md.id::text`,
			projectsPgStrings(projects), entityType, projectsPgStrings(order), projectsPgStrings(order), entityType).Scan(ctx, &touched); err != nil && !projectsNoRows(err) {
			return err
		}
		var err error
		out, err = s.Engine.Rows(ctx, tx, s.projectsColl("metadata-descriptors"), engine.View{Relations: true}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.id::text = ANY(?)", projectsPgStrings(touched)).OrderExpr("t.project_id, t.position, t.name")
		})
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	return http.StatusOK, out, nil
}
