package routes

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/models"
)

// Metadata descriptors: the custom columns of a production, whose values
// live in the data of its entities, tasks or the project itself.

func (s *Server) mountProjectsMetadata(r gin.IRouter) {
	r.GET("/data/projects/:id/metadata-descriptors", s.route(s.projectsDescriptors))
	r.POST("/data/projects/:id/metadata-descriptors", s.route(s.projectsDescriptorCreate))
	r.POST("/data/projects/:id/metadata-descriptors/reorder", s.route(s.projectsDescriptorsReorder))
	r.GET("/data/projects/:id/metadata-descriptors/:descriptor_id", s.route(s.projectsDescriptor))
	r.PUT("/data/projects/:id/metadata-descriptors/:descriptor_id", s.route(s.projectsDescriptorUpdate))
	r.DELETE("/data/projects/:id/metadata-descriptors/:descriptor_id", s.route(s.projectsDescriptorDelete))
}

// projectsDescriptorEntityTypes are the kinds of rows a descriptor may describe.
var projectsDescriptorEntityTypes = []string{"Asset", "Shot", "Edit", "Episode", "Sequence", "Project", "Task"}

const projectsWrongEntityType = "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, Project, or Task."

// projectsDescriptors is GET /data/projects/<id>/metadata-descriptors:
// clients see the for_client ones only, vendors those of their departments
// (or of no department).
func (s *Server) projectsDescriptors(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	var deps []string
	if pr.IsVendor() {
		if deps, err = who.Departments(ctx); err != nil {
			return 0, nil, err
		}
	}
	b, err := s.Engine.Rows(ctx, nil, s.projectsColl("metadata-descriptors"), engine.View{Relations: true}, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("t.project_id = ?", pr.ID)
		if pr.IsClient() {
			q = q.Where("t.for_client IS TRUE")
		}
		if pr.IsVendor() {
			q = q.Where(`NOT EXISTS (SELECT 1 FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = t.id)
 OR EXISTS (SELECT 1 FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = t.id AND dl.department_id::text = ANY(?))`, projectsPgStrings(deps))
		}
		return q.OrderExpr("t.position NULLS LAST, t.name")
	})
	return http.StatusOK, b, err
}

// projectsDescriptorRow is the stored descriptor a route works on.
type projectsDescriptorRow struct {
	ID          string   `bun:"id"`
	ProjectID   string   `bun:"project_id"`
	EntityType  string   `bun:"entity_type"`
	TaskTypeID  *string  `bun:"task_type_id"`
	FieldName   string   `bun:"field_name"`
	Departments []string `bun:"departments,array"`
}

// projectsDescriptorRowSelect reads projectsDescriptorRow over
// metadata_descriptor alias md; callers add their WHERE.
const projectsDescriptorRowSelect = `SELECT md.id::text, md.project_id::text, md.entity_type, md.task_type_id::text, md.field_name,
 ARRAY(SELECT dl.department_id::text FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = md.id) AS departments
 FROM metadata_descriptor md`

// projectsLoadDescriptor reads a descriptor of the project (404 when it
// belongs to another one: Zou does not check, and would leak it).
func projectsLoadDescriptor(ctx context.Context, db bun.IDB, projectID, id string) (*projectsDescriptorRow, error) {
	if !engine.IsUUID(id) {
		return nil, engine.NotFound()
	}
	var d projectsDescriptorRow
	err := db.NewRaw(projectsDescriptorRowSelect+" WHERE md.id = ? AND md.project_id = ?", id, projectID).Scan(ctx, &d)
	if projectsNoRows(err) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// projectsDescriptorOf is the project of the path (any member) and its
// descriptor of the path, the start of the routes on one descriptor.
func (s *Server) projectsDescriptorOf(c *gin.Context, who *access.Caller) (*access.Project, *projectsDescriptorRow, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	d, err := projectsLoadDescriptor(ctx, s.DB, pr.ID, c.Param("descriptor_id"))
	if err != nil {
		return nil, nil, err
	}
	return pr, d, nil
}

// projectsDescriptor is GET /data/projects/<id>/metadata-descriptors/<id>.
func (s *Server) projectsDescriptor(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	_, d, err := s.projectsDescriptorOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Read(ctx, nil, s.projectsColl("metadata-descriptors"), d.ID, true)
	return http.StatusOK, b, err
}

// projectsAllDepartments is Zou's check_all_departments_access: admins and
// managers of the project pass; a supervisor there passes when the
// descriptor has departments and his own are all among them (or he has none).
func projectsAllDepartments(ctx context.Context, who *access.Caller, projectID string, departments []string) (*access.Project, error) {
	pr, err := who.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if pr.IsManager() {
		return pr, nil
	}
	if pr.IsSupervisor() && len(departments) > 0 {
		mine, err := who.Departments(ctx)
		if err != nil {
			return nil, err
		}
		ok := true
		for _, d := range mine {
			ok = ok && slices.Contains(departments, d)
		}
		if ok {
			return pr, nil
		}
	}
	return nil, engine.Forbidden()
}

// projectsDescriptorBody is what create and update read.
type projectsDescriptorBody struct {
	entityType  string
	taskTypeID  string
	name        *string
	dataType    *string
	forClient   *bool
	choices     json.RawMessage
	departments []string
	hasDeps     bool
}

func projectsReadDescriptorBody(body map[string]json.RawMessage) (*projectsDescriptorBody, error) {
	d := &projectsDescriptorBody{}
	var err error
	if d.entityType, _, err = field[string](body, "entity_type"); err != nil {
		return nil, err
	}
	if d.taskTypeID, err = idField(body, "task_type_id"); err != nil {
		return nil, err
	}
	if v, ok, err := field[string](body, "name"); err != nil {
		return nil, err
	} else if ok {
		d.name = &v
	}
	if v, ok, err := field[string](body, "data_type"); err != nil {
		return nil, err
	} else if ok {
		if !slices.Contains(models.MetadataDataTypes, v) {
			return nil, engine.BadRequest("Invalid data_type")
		}
		d.dataType = &v
	}
	if v, ok, err := field[bool](body, "for_client"); err != nil {
		return nil, err
	} else if ok {
		d.forClient = &v
	}
	if v, ok, err := field[[]string](body, "choices"); err != nil {
		return nil, err
	} else if ok {
		d.choices, _ = json.Marshal(v)
	}
	_, d.hasDeps = body["departments"]
	if d.departments, err = idList(body, "departments"); err != nil {
		return nil, err
	}
	return d, nil
}

// projectsDescriptorRequest reads the request body as a descriptor body
// (the raw object too, for routes that check more keys).
func projectsDescriptorRequest(c *gin.Context) (*projectsDescriptorBody, map[string]json.RawMessage, error) {
	body, err := bodyObject(c)
	if err != nil {
		return nil, nil, err
	}
	d, err := projectsReadDescriptorBody(body)
	return d, body, err
}

// projectsNewDescriptor checks a creation body has a name and fills in
// Zou's defaults for what it leaves out.
func projectsNewDescriptor(d *projectsDescriptorBody) error {
	if d.name == nil || *d.name == "" {
		return engine.BadRequest("The field name is missing.")
	}
	if d.entityType == "" {
		d.entityType = "Asset"
	}
	if d.dataType == nil {
		str := "string"
		d.dataType = &str
	}
	if d.choices == nil {
		d.choices = json.RawMessage("[]")
	}
	if d.forClient == nil {
		f := false
		d.forClient = &f
	}
	return nil
}

// projectsCheckDepartments refuses unknown departments (Zou: 404 Department
// not found; a 400 here, as for any other bad id of a body).
func projectsCheckDepartments(ctx context.Context, db bun.IDB, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var n int
	if err := db.NewRaw("SELECT count(*) FROM department WHERE id::text = ANY(?)", projectsPgStrings(ids)).Scan(ctx, &n); err != nil {
		return err
	}
	if n != len(projectsUnique(ids)) {
		return engine.BadRequest("Department not found.")
	}
	return nil
}

func projectsUnique(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// projectsDescriptorCreate is POST /data/projects/<id>/metadata-descriptors.
func (s *Server) projectsDescriptorCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if _, err := who.Project(ctx, c.Param("id")); err != nil {
		return 0, nil, err
	}
	d, _, err := projectsDescriptorRequest(c)
	if err != nil {
		return 0, nil, err
	}
	pr, err := projectsAllDepartments(ctx, who, c.Param("id"), d.departments)
	if err != nil {
		return 0, nil, err
	}
	if err := projectsNewDescriptor(d); err != nil {
		return 0, nil, err
	}
	if err := s.projectsCheckDescriptorTarget(ctx, d.entityType, d.taskTypeID); err != nil {
		return 0, nil, err
	}
	if err := projectsCheckDepartments(ctx, s.DB, d.departments); err != nil {
		return 0, nil, err
	}
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = projectsInsertDescriptor(ctx, s.Engine, tx, pr.ID, d)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	var row struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(out, &row)
	s.publish(ctx, "metadata-descriptor:new", map[string]any{"metadata_descriptor_id": row.ID}, pr.ID)
	return http.StatusCreated, out, nil
}

// projectsCheckDescriptorTarget checks entity_type and task_type_id together.
func (s *Server) projectsCheckDescriptorTarget(ctx context.Context, entityType, taskTypeID string) error {
	if !slices.Contains(projectsDescriptorEntityTypes, entityType) {
		return engine.BadRequest(projectsWrongEntityType)
	}
	if entityType == "Task" {
		if taskTypeID == "" {
			return engine.BadRequest("Task metadata descriptors require a task_type_id.")
		}
		return projectsFound(ctx, s.DB, "task_type", taskTypeID, engine.BadRequest("Task type not found."))
	}
	if taskTypeID != "" {
		return engine.BadRequest("task_type_id only applies to Task metadata descriptors.")
	}
	return nil
}

// projectsInsertDescriptor writes a descriptor and its departments; a
// duplicate name is Zou's 400.
func projectsInsertDescriptor(ctx context.Context, e *engine.Engine, tx bun.IDB, projectID string, d *projectsDescriptorBody) ([]byte, error) {
	var taskType any
	if d.taskTypeID != "" {
		taskType = d.taskTypeID
	}
	var id string
	err := tx.NewRaw(`INSERT INTO metadata_descriptor (id, created_at, updated_at, project_id, entity_type, task_type_id, name,
 data_type, field_name, choices, for_client)
 VALUES (gen_random_uuid(), now() at time zone 'utc', now() at time zone 'utc', ?, ?, ?, ?, ?, ?, ?, ?)
 ON CONFLICT DO NOTHING RETURNING id::text`,
		projectID, d.entityType, taskType, *d.name, *d.dataType, projectsSlug(*d.name), string(d.choices), *d.forClient).Scan(ctx, &id)
	if projectsNoRows(err) {
		return nil, engine.BadRequest("Metadata descriptor already exists.")
	}
	if err != nil {
		return nil, engine.FromDB(err)
	}
	if len(d.departments) > 0 {
		// Only existing departments: template snapshots may name removed ones.
		if _, err := tx.NewRaw(`INSERT INTO department_metadata_descriptor_link (metadata_descriptor_id, department_id)
 SELECT ?, d.id FROM department d WHERE d.id::text = ANY(?) ON CONFLICT DO NOTHING`, id, projectsPgStrings(d.departments)).Exec(ctx); err != nil {
			return nil, engine.FromDB(err)
		}
	}
	return e.Read(ctx, tx, e.Reg.MustCollection("metadata-descriptors"), id, false)
}

// projectsDescriptorUpdate is PUT /data/projects/<id>/metadata-descriptors/<id>.
// A new name renames the field_name and moves the stored values with it.
func (s *Server) projectsDescriptorUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, cur, err := s.projectsDescriptorOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	d, _, err := projectsDescriptorRequest(c)
	if err != nil {
		return 0, nil, err
	}
	if _, err := projectsAllDepartments(ctx, who, pr.ID, append(slices.Clone(cur.Departments), d.departments...)); err != nil {
		return 0, nil, err
	}
	if d.name != nil && *d.name == "" {
		return 0, nil, engine.BadRequest("Name cannot be empty.")
	}
	if err := projectsCheckDepartments(ctx, s.DB, d.departments); err != nil {
		return 0, nil, err
	}
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.projectsChangeDescriptor(ctx, tx, cur, d)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.publish(ctx, "metadata-descriptor:update", map[string]any{"metadata_descriptor_id": cur.ID}, pr.ID)
	return http.StatusOK, out, nil
}

// projectsChangeDescriptor applies an update body to a stored descriptor in
// tx (a rename moves the stored values) and answers the descriptor.
func (s *Server) projectsChangeDescriptor(ctx context.Context, tx bun.IDB, cur *projectsDescriptorRow, d *projectsDescriptorBody) ([]byte, error) {
	set := []string{"updated_at = now() at time zone 'utc'"}
	args := []any{}
	if d.name != nil {
		slug := projectsSlug(*d.name)
		set = append(set, "name = ?", "field_name = ?")
		args = append(args, *d.name, slug)
		if slug != cur.FieldName {
			if err := projectsRenameValues(ctx, tx, cur, slug); err != nil {
				return nil, err
			}
		}
	}
	if d.dataType != nil {
		set = append(set, "data_type = ?")
		args = append(args, *d.dataType)
	}
	if d.forClient != nil {
		set = append(set, "for_client = ?")
		args = append(args, *d.forClient)
	}
	if d.choices != nil {
		set = append(set, "choices = ?")
		args = append(args, string(d.choices))
	}
	args = append(args, cur.ID)
	// The SET list is built from constant column names; values stay parameters.
	if _, err := tx.NewRaw("UPDATE metadata_descriptor SET "+strings.Join(set, ", ")+" WHERE id = ?", args...).Exec(ctx); err != nil {
		return nil, err
	}
	if d.hasDeps {
		if _, err := tx.NewRaw("DELETE FROM department_metadata_descriptor_link WHERE metadata_descriptor_id = ?", cur.ID).Exec(ctx); err != nil {
			return nil, err
		}
		if len(d.departments) > 0 {
			if _, err := tx.NewRaw(`INSERT INTO department_metadata_descriptor_link (metadata_descriptor_id, department_id)
 SELECT ?, unnest(?::uuid[])`, cur.ID, projectsPgStrings(projectsUnique(d.departments))).Exec(ctx); err != nil {
				return nil, err
			}
		}
	}
	return s.Engine.Read(ctx, tx, s.projectsColl("metadata-descriptors"), cur.ID, false)
}

// projectsValuesTarget is the table and condition of the rows whose data
// holds a descriptor's values (?-args: project id, and the task type for Task).
func projectsValuesTarget(d *projectsDescriptorRow) (table, where string, args []any) {
	switch d.EntityType {
	case "Project":
		return "project", "id = ?", []any{d.ProjectID}
	case "Task":
		return "task", "project_id = ? AND task_type_id = ?", []any{d.ProjectID, d.TaskTypeID}
	}
	// Zou strips the key from every entity of the project on delete.
	return "entity", "project_id = ?", []any{d.ProjectID}
}

// projectsRenameValues moves the stored values of a descriptor to its new key.
func projectsRenameValues(ctx context.Context, tx bun.IDB, d *projectsDescriptorRow, newKey string) error {
	table, where, args := projectsValuesTarget(d)
	all := append([]any{bun.Ident(table), d.FieldName, newKey, d.FieldName}, args...)
	all = append(all, d.FieldName, d.FieldName)
	_, err := tx.NewRaw(`UPDATE ? SET data = (data - ?) || jsonb_build_object(?::text, data -> ?) WHERE `+where+
		` AND jsonb_exists(data, ?) AND data -> ? <> 'null'::jsonb`, all...).Exec(ctx)
	return err
}

// projectsDescriptorDelete is DELETE /data/projects/<id>/metadata-descriptors/<id>.
func (s *Server) projectsDescriptorDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, cur, err := s.projectsDescriptorOf(c, who)
	if err != nil {
		return 0, nil, err
	}
	if _, err := projectsAllDepartments(ctx, who, pr.ID, cur.Departments); err != nil {
		return 0, nil, err
	}
	// The collection's delete hook strips the values in the same transaction.
	if err := s.Engine.Remove(ctx, s.DB, s.projectsColl("metadata-descriptors"), who.Principal, cur.ID, nil); err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "metadata-descriptor:delete", map[string]any{"metadata_descriptor_id": cur.ID}, pr.ID)
	return http.StatusNoContent, nil, nil
}

// projectsDescriptorsReorder is POST /data/projects/<id>/metadata-descriptors/reorder:
// positions follow descriptor_ids; the others follow, by name.
func (s *Server) projectsDescriptorsReorder(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, body, err := projectsManagedBody(c, who)
	if err != nil {
		return 0, nil, err
	}
	entityType, err := requiredString(body, "entity_type")
	if err != nil {
		return 0, nil, err
	}
	if !slices.Contains(projectsDescriptorEntityTypes, entityType) {
		return 0, nil, engine.BadRequest(projectsWrongEntityType)
	}
	ids, err := idList(body, "descriptor_ids")
	if err != nil {
		return 0, nil, err
	}
	if len(ids) == 0 {
		return 0, nil, engine.BadRequest("The field descriptor_ids is missing.")
	}
	var out []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var known []string
		if err := tx.NewRaw("SELECT id::text FROM metadata_descriptor WHERE project_id = ? AND entity_type = ?", pr.ID, entityType).
			Scan(ctx, &known); err != nil && !projectsNoRows(err) {
			return err
		}
		for _, id := range ids {
			if !slices.Contains(known, id) {
				return engine.BadRequest("Descriptor " + id + " not found for project " + pr.ID + " and entity type " + entityType)
			}
		}
		// One statement: listed ids take their rank, the others follow by name.
		if _, err := tx.NewRaw(`UPDATE metadata_descriptor md SET position = o.pos FROM (
 SELECT m.id, row_number() OVER (ORDER BY array_position(?::text[], m.id::text) NULLS LAST, m.name) AS pos
 FROM metadata_descriptor m WHERE m.project_id = ? AND m.entity_type = ?) o WHERE md.id = o.id`,
			projectsPgStrings(ids), pr.ID, entityType).Exec(ctx); err != nil {
			return err
		}
		var err error
		out, err = s.Engine.Rows(ctx, tx, s.projectsColl("metadata-descriptors"), engine.View{Relations: true}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.project_id = ? AND t.entity_type = ?", pr.ID, entityType).OrderExpr("t.position, t.name")
		})
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	return http.StatusOK, out, nil
}

// projectsSlug is python-slugify's slugify(name, separator="_") for the
// names people type: accents dropped, lower case, runs of other characters
// folded to one "_", none at the ends.
func projectsSlug(name string) string {
	var b strings.Builder
	pending := false
	for _, r := range strings.ToLower(name) {
		if base, ok := projectsAccents[r]; ok {
			r = base
		}
		if r == '\'' {
			continue // slugify drops quotes instead of separating on them
		}
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			pending = false
			b.WriteRune(r)
			continue
		}
		pending = true
	}
	return b.String()
}

// projectsAccents folds the Latin letters with diacritics to their base.
var projectsAccents = func() map[rune]rune {
	m := map[rune]rune{}
	for base, list := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'd': "ďđ", 'e': "èéêëēĕėęě", 'g': "ĝğġģ", 'h': "ĥħ",
		'i': "ìíîïĩīĭįı", 'j': "ĵ", 'k': "ķ", 'l': "ĺļľŀł", 'n': "ñńņňŉ", 'o': "òóôõöøōŏő",
		'r': "ŕŗř", 's': "śŝşšß", 't': "ţťŧ", 'u': "ùúûüũūŭůűų", 'w': "ŵ", 'y': "ýÿŷ", 'z': "źżž",
	} {
		for _, r := range list {
			m[r] = base
		}
	}
	return m
}()
