package routes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// mountEntities adds the routes of one area. Entities: generic entity routes (routes.md § Entities) and the /data/entities overrides.
func (s *Server) mountEntities(r gin.IRouter) {
	r.POST("/actions/projects/:id/delete-entities", s.route(s.entitiesDeleteMany))
	r.GET("/data/entities/:id/news", s.route(s.entitiesNews))
	r.GET("/data/entities/:id/preview-files", s.route(s.entitiesPreviewFiles))
	r.GET("/data/entities/:id/time-spents", s.route(s.entitiesTimeSpents))
	r.GET("/data/entities/:id/entities-linked/with-tasks", s.route(s.entitiesLinkedWithTasks))
	r.POST("/data/entities/:id/tasks", s.route(s.entitiesCreateTasks))
	r.GET("/data/entities/:id", s.route(s.entitiesGetOne))
	r.POST("/data/entities", s.route(s.entitiesCreate))
	r.PUT("/data/entities/:id", s.route(s.entitiesUpdate))
	r.DELETE("/data/entities/:id", s.route(s.entitiesDeleteOne))
	r.POST("/data/entity-types", s.route(s.entitiesTypeCreate))
	r.PUT("/data/entity-types/:id", s.route(s.entitiesTypeUpdate))
	r.DELETE("/data/entity-types/:id", s.route(s.entitiesTypeDelete))
}

// entitiesTS formats a timestamp SQL expression the way Zou's
// serialize_datetime writes it (naive ISO 8601, to the second).
func entitiesTS(expr string) string {
	return `to_char(` + expr + `, 'YYYY-MM-DD"T"HH24:MI:SS')`
}

// entitiesTypeIDSQL is the id of the entity type named by one ? (the
// temporal types Zou creates on demand).
const entitiesTypeIDSQL = `(SELECT et.id FROM entity_type et WHERE et.name = ? ORDER BY et.created_at LIMIT 1)`

// entitiesColl is the collection entity rows are served from.
func (s *Server) entitiesColl() *engine.Collection { return s.Engine.Reg.MustCollection("entities") }

// entitiesView serialises entity rows as Zou's Entity.serialize(obj_type=kind).
// For a vendor (deps != nil) the data keys of metadata columns reserved to
// departments the vendor is not in are removed (Zou's
// mask_metadata_for_vendor); kind names the descriptors' entity_type.
func entitiesView(kind string, vendorDeps []string, relations bool, extra ...engine.Extra) engine.View {
	v := engine.View{TypeName: kind, Relations: relations, Extra: extra}
	if vendorDeps != nil {
		v.Omit = []string{"data"}
		v.Extra = append(v.Extra, engine.Extra{Key: "data", SQL: entitiesMaskedDataSQL("t"), Args: []any{kind, pgdialect.Array(vendorDeps)}, Kind: engine.KindJSON})
	}
	return v
}

// entitiesMaskedDataSQL is the data of entity alias without the keys of the
// descriptors (entity_type ?, departments ?::uuid[]) reserved to other
// departments. Two placeholders: entity type, the caller's departments.
func entitiesMaskedDataSQL(alias string) string {
	return `(COALESCE(` + alias + `.data, '{}'::jsonb) - ARRAY(SELECT md.field_name::text FROM metadata_descriptor md
		WHERE md.project_id = ` + alias + `.project_id AND md.entity_type = ?
		AND EXISTS (SELECT 1 FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = md.id)
		AND NOT EXISTS (SELECT 1 FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = md.id
			AND dl.department_id = ANY(?::uuid[]))))::text`
}

// entitiesVendorDeps returns the caller's departments when Zou masks
// metadata for him (vendors), else nil.
func entitiesVendorDeps(ctx context.Context, pr *access.Project) ([]string, error) {
	if !pr.IsVendor() {
		return nil, nil
	}
	deps, err := pr.Caller().Departments(ctx)
	if deps == nil {
		deps = []string{}
	}
	return deps, err
}

// entitiesAssignedSQL keeps entity rows (alias t) holding a task assigned
// to the person given by one ?.
const entitiesAssignedSQL = `EXISTS (SELECT 1 FROM task x JOIN task_person_link a ON a.task_id = x.id WHERE x.entity_id = t.id AND a.person_id = ?)`

// entitiesDetailedTasks answers tasks as Zou's get_task_dicts_for_entity
// does: each task row with its project, task type, status, entity type and
// entity names (and assignees when relations), for the tasks that where
// selects (alias t).
func (s *Server) entitiesDetailedTasks(ctx context.Context, relations bool, where func(*bun.SelectQuery) *bun.SelectQuery) ([]byte, error) {
	extra := []engine.Extra{
		{Key: "project_name", SQL: `(SELECT p.name FROM project p WHERE p.id = t.project_id)`, Kind: engine.KindText},
		{Key: "task_type_name", SQL: `(SELECT tt.name FROM task_type tt WHERE tt.id = t.task_type_id)`, Kind: engine.KindText},
		{Key: "task_status_name", SQL: `(SELECT ts.name FROM task_status ts WHERE ts.id = t.task_status_id)`, Kind: engine.KindText},
		{Key: "entity_type_name", SQL: `(SELECT et.name FROM entity e JOIN entity_type et ON et.id = e.entity_type_id WHERE e.id = t.entity_id)`, Kind: engine.KindText},
		{Key: "entity_name", SQL: `(SELECT e.name FROM entity e WHERE e.id = t.entity_id)`, Kind: engine.KindText},
	}
	if relations {
		extra = append(extra, engine.Extra{Key: "assignees", Kind: engine.KindJSON,
			SQL: `COALESCE((SELECT json_agg(a.person_id ORDER BY a.person_id) FROM task_person_link a WHERE a.task_id = t.id), '[]')::text`})
	}
	return s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("tasks"), engine.View{Extra: extra},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return where(q).
				Join("JOIN project ep ON ep.id = t.project_id").
				Join("JOIN task_type ett ON ett.id = t.task_type_id").
				Join("JOIN entity ee ON ee.id = t.entity_id").
				Join("JOIN entity_type eet ON eet.id = ee.entity_type_id").
				OrderExpr("t.name, ep.name, ett.name, eet.name, ee.name")
		})
}

// entitiesTaskTypes answers the task types of the tasks of an entity.
func (s *Server) entitiesTaskTypes(ctx context.Context, entityID string) ([]byte, error) {
	return s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("task-types"), engine.View{},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.id IN (SELECT x.task_type_id FROM task x WHERE x.entity_id = ?)", entityID).OrderExpr("t.name")
		})
}

// entitiesPreviewsByTaskType answers the previews of an entity grouped by
// task type id, as Zou's playlists get_preview_files_for_entity: per task,
// newest revision first, the first preview of each revision carrying the
// others of that revision under "previews".
func (s *Server) entitiesPreviewsByTaskType(ctx context.Context, entityID string) (any, error) {
	raw, err := engine.QueryJSON(ctx, s.DB, `SELECT pf.id, pf.revision, pf.position, pf.original_name, pf.extension,
		pf.width, pf.height, COALESCE(pf.duration, 0)::float8 AS duration, pf.status, pf.annotations,
		`+entitiesTS("pf.created_at")+` AS created_at, tk.id AS task_id, tk.task_type_id,
		pf.data->'original_width' AS original_width, pf.data->'original_height' AS original_height,
		pf.data->'original_duration' AS original_duration, pf.data->'original_file_size' AS original_file_size
		FROM task tk JOIN preview_file pf ON pf.task_id = tk.id JOIN task_type tt ON tt.id = tk.task_type_id
		WHERE tk.entity_id = ?
		ORDER BY tt.priority DESC NULLS LAST, tt.name, pf.revision DESC, pf.created_at`, entityID)
	if err != nil {
		return nil, err
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	type group struct {
		taskType string
		list     []map[string]json.RawMessage
		byRev    map[string]map[string]json.RawMessage
		subs     map[string][]map[string]json.RawMessage
	}
	var order []string
	groups := map[string]*group{}
	for _, row := range rows {
		task := string(row["task_id"])
		g := groups[task]
		if g == nil {
			var tt string
			_ = json.Unmarshal(row["task_type_id"], &tt)
			g = &group{taskType: tt, byRev: map[string]map[string]json.RawMessage{}, subs: map[string][]map[string]json.RawMessage{}}
			groups[task] = g
			order = append(order, task)
		}
		rev := string(row["revision"])
		if _, ok := g.byRev[rev]; ok {
			g.subs[rev] = append(g.subs[rev], row)
			continue
		}
		g.byRev[rev] = row
		g.list = append(g.list, row)
	}
	out := map[string]any{}
	keys := []string{"id", "revision", "original_name", "extension", "width", "height", "duration", "status",
		"annotations", "created_at", "task_id", "original_width", "original_height", "original_duration", "original_file_size"}
	for _, task := range order {
		g := groups[task]
		list := make([]map[string]any, 0, len(g.list))
		for _, row := range g.list {
			m := map[string]any{}
			for _, k := range keys {
				m[k] = entitiesRawOrNull(row[k])
			}
			subs := g.subs[string(row["revision"])]
			if subs == nil {
				subs = []map[string]json.RawMessage{}
			}
			m["previews"] = subs
			list = append(list, m)
		}
		out[g.taskType] = list
	}
	return out, nil
}

func entitiesRawOrNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}

// entitiesNews: GET /data/entities/<id>/news, the news about an entity's
// tasks (Zou's get_news_for_entity: at most 2000, no stats).
func (s *Server) entitiesNews(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), "")
	if err != nil {
		return 0, nil, err
	}
	res, err := s.newsFeed(ctx, newsFilter{entityID: en.EntityID, page: 1, limit: 2000})
	return http.StatusOK, res, err
}

// entitiesPreviewFiles: GET /data/entities/<id>/preview-files, the previews
// of every task of an entity, as preview file rows.
func (s *Server) entitiesPreviewFiles(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), "")
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("preview-files"), engine.View{},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Join("JOIN task x ON x.id = t.task_id").Join("JOIN task_type xt ON xt.id = x.task_type_id").
				Where("x.entity_id = ?", en.EntityID).OrderExpr("xt.name, t.revision DESC, t.position")
		})
	return http.StatusOK, b, err
}

// entitiesTimeSpents: GET /data/entities/<id>/time-spents, the time spent
// on the entity's tasks, latest day first.
func (s *Server) entitiesTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), "")
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("time-spents"), engine.View{},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.task_id IN (SELECT x.id FROM task x WHERE x.entity_id = ?)", en.EntityID).OrderExpr("t.date DESC, t.id")
		})
	return http.StatusOK, b, err
}

// entitiesLinkedWithTasks: GET /data/entities/<id>/entities-linked/with-tasks,
// the entities that link to this one through concept links (a concept's
// linked assets seen from the asset), each with its tasks, in one query.
func (s *Server) entitiesLinkedWithTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), "")
	if err != nil {
		return 0, nil, err
	}
	b, err := engine.QueryJSON(ctx, s.DB, `SELECT e.canceled, COALESCE(e.data, '{}'::jsonb) AS data, e.description, e.entity_type_id,
		e.data->'fps' AS fps, e.data->'frame_in' AS frame_in, e.data->'frame_out' AS frame_out,
		e.id, e.name, e.nb_frames, e.parent_id, e.preview_file_id, e.project_id, p.name AS project_name, e.source_id,
		e.nb_entities_out, e.is_casting_standby,
		COALESCE((SELECT json_agg(json_build_object('id', tk.id, 'duration', tk.duration, 'due_date', `+entitiesTS("tk.due_date")+`,
			'end_date', `+entitiesTS("tk.end_date")+`, 'entity_id', tk.entity_id, 'estimation', tk.estimation,
			'last_comment_date', `+entitiesTS("tk.last_comment_date")+`, 'nb_assets_ready', tk.nb_assets_ready,
			'priority', COALESCE(tk.priority, 0), 'real_start_date', `+entitiesTS("tk.real_start_date")+`,
			'retake_count', tk.retake_count, 'start_date', `+entitiesTS("tk.start_date")+`,
			'task_status_id', tk.task_status_id, 'task_type_id', tk.task_type_id, 'assigner_id', tk.assigner_id,
			'assignees', COALESCE((SELECT json_agg(a.person_id) FROM task_person_link a WHERE a.task_id = tk.id), '[]'::json)))
			FROM task tk WHERE tk.entity_id = e.id), '[]'::json) AS tasks,
		COALESCE((SELECT json_agg(l.entity_out_id) FROM entity_concept_link l WHERE l.entity_in_id = e.id), '[]'::json) AS entity_concept_links,
		`+access.BusinessTypeSQL("e")+` AS type,
		e.updated_at, e.created_at, e.created_by
		FROM entity e JOIN project p ON p.id = e.project_id
		WHERE e.id IN (SELECT l.entity_in_id FROM entity_concept_link l WHERE l.entity_out_id = ?)
		ORDER BY e.name, e.id`, en.EntityID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, b, nil
}

// entitiesGetOne: GET /data/entities/<id>, one entity with its relations,
// its "type" the business type (Asset, Shot, Edit…); vendors only for the
// entities they hold a task on.
func (s *Server) entitiesGetOne(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if !engine.IsUUID(c.Param("id")) {
		return 0, nil, engine.MalformedID() // as every /data/<collection>/<id>
	}
	en, err := who.Entity(ctx, c.Param("id"), "")
	if err != nil {
		return 0, nil, err
	}
	relations := true
	if v, ok := c.GetQuery("relations"); ok {
		relations = strings.EqualFold(v, "true")
	}
	deps, err := entitiesVendorDeps(ctx, en.Project)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.One(ctx, nil, s.entitiesColl(), entitiesView(en.TypeName, deps, relations), en.EntityID)
	return http.StatusOK, b, err
}

// entitiesDeleteOne: DELETE /data/entities/<id>: the creator or a manager of
// the project; an entity with tasks is only canceled unless ?force=true.
func (s *Server) entitiesDeleteOne(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if !engine.IsUUID(c.Param("id")) {
		return 0, nil, engine.MalformedID()
	}
	en, err := s.entitiesLoadForDelete(ctx, who, c.Param("id"), "")
	if err != nil {
		return 0, nil, err
	}
	if err := s.removeEntity(ctx, en, boolQuery(c, "force", false), false); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// entitiesLoadForDelete applies Zou's delete rule for an entity of a kind
// ("" = any): its creator may delete it (team membership not checked, as
// Zou's check_belong_to_project only resolves the role), anyone else must be
// a manager of its project.
func (s *Server) entitiesLoadForDelete(ctx context.Context, who *access.Caller, id, kind string) (*access.Entity, error) {
	en, err := who.LoadEntity(ctx, id)
	if err != nil {
		return nil, err
	}
	if kind != "" && en.TypeName != kind {
		return nil, engine.NotFound()
	}
	if en.IsCreator() {
		return en, nil
	}
	if !en.Readable() {
		return nil, engine.NotFound()
	}
	return en, en.RequireManager()
}

// entitiesEventPrefix is the event family of a business type (asset, shot, edit…).
func entitiesEventPrefix(kind string) string { return strings.ToLower(kind) }

// entitiesDeleteMany: POST /actions/projects/<id>/delete-entities, Zou's
// batch removal of assets, shots, edits and concepts of a project from an
// id list; unknown ids and other kinds are skipped; answers the ids handled.
func (s *Server) entitiesDeleteMany(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.LoadProject(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return 0, nil, err
	}
	var items []any
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return 0, nil, engine.BadRequest("Request body must be a JSON array.")
	}
	ids := make([]string, len(items))
	for i, it := range items {
		id, ok := it.(string)
		if !ok || !engine.IsUUID(id) {
			return 0, nil, engine.BadRequest("Request body must only contain valid UUIDs.")
		}
		ids[i] = strings.ToLower(id)
	}
	force := boolQuery(c, "force", false)
	var rows []struct {
		ID        string `bun:"id"`
		Kind      string `bun:"kind"`
		CreatedBy string `bun:"created_by"`
		Canceled  bool   `bun:"canceled"`
	}
	if len(ids) > 0 {
		err = s.DB.NewRaw(`SELECT t.id::text, `+access.BusinessTypeSQL("t")+` AS kind, COALESCE(t.created_by::text, '') AS created_by,
			COALESCE(t.canceled, false) AS canceled FROM entity t WHERE t.id = ANY(?::uuid[]) AND t.project_id = ?`,
			pgdialect.Array(ids), pr.ID).Scan(ctx, &rows)
		if err != nil {
			return 0, nil, err
		}
	}
	// Zou checks the caller against every entity before removing any: a
	// manager passes for all, a creator for his own (inside his team).
	for _, r := range rows {
		if r.CreatedBy == who.PersonID {
			continue
		}
		if !pr.Readable() {
			return 0, nil, engine.NotFound()
		}
		if err := pr.RequireManager(); err != nil {
			return 0, nil, err
		}
	}
	byID := map[string]int{}
	for i, r := range rows {
		byID[r.ID] = i
	}
	var targets []removeTarget
	done := []string{}
	seen := map[string]bool{}
	for _, id := range ids {
		i, ok := byID[id]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		r := rows[i]
		if r.Kind != "Asset" && r.Kind != "Shot" && r.Kind != "Edit" && r.Kind != "Concept" {
			continue
		}
		// Concepts always go for good; canceled entities too (Zou's entity_force).
		targets = append(targets, removeTarget{ID: id, Kind: r.Kind, Force: force || r.Canceled || r.Kind == "Concept"})
		done = append(done, id)
	}
	if err := s.removeEntities(ctx, pr.ID, targets, false); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, done, nil
}

// entitiesQuery copies a query string without the keys a route reads itself.
func entitiesQuery(q url.Values, drop ...string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

// entitiesGetOrCreate is Zou's get-or-create of edits and concepts: an
// entity of the same type, project and name (and parent when
// matchParent) is answered as it is; otherwise values are inserted as the
// caller (created_by stamped). It answers the row serialised as kind, and
// the new id ("" when the row existed).
func (s *Server) entitiesGetOrCreate(ctx context.Context, who *access.Caller, kind string, values map[string]any, matchParent bool) (json.RawMessage, string, error) {
	q := s.DB.NewSelect().TableExpr("entity t").ColumnExpr("t.id::text").
		Where("t.entity_type_id = ? AND t.project_id = ? AND t.name = ?", values["entity_type_id"], values["project_id"], values["name"])
	if matchParent {
		if parent, _ := values["parent_id"].(string); parent != "" {
			q = q.Where("t.parent_id = ?", parent)
		} else {
			q = q.Where("t.parent_id IS NULL")
		}
	}
	var ids []string
	if err := q.OrderExpr("t.created_at").Limit(1).Scan(ctx, &ids); err != nil {
		return nil, "", err
	}
	created := ""
	id := ""
	if len(ids) > 0 {
		id = ids[0]
	} else {
		body, err := engine.Values(values)
		if err != nil {
			return nil, "", err
		}
		id, _, err = s.Engine.Insert(ctx, s.DB, s.entitiesColl(), who.Principal, body)
		if err != nil {
			return nil, "", err
		}
		created = id
	}
	out, err := s.Engine.One(ctx, nil, s.entitiesColl(), entitiesView(kind, nil, false), id)
	return out, created, err
}

// entitiesKindOf reads the business type of an entity row.
func (s *Server) entitiesKindOf(ctx context.Context, db bun.IDB, id string) (string, error) {
	var kind string
	err := db.NewRaw("SELECT "+access.BusinessTypeSQL("t")+" FROM entity t WHERE t.id = ?", id).Scan(ctx, &kind)
	return kind, err
}

// entitiesCreate: POST /data/entities, any kind of entity, by a manager of
// the body's project; the event is named after the business type
// (asset:new {"asset_id"}, shot:new…).
func (s *Server) entitiesCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	projectID, err := idField(body, "project_id")
	if err != nil {
		return 0, nil, err
	}
	if !who.IsAdmin() {
		if projectID == "" {
			return 0, nil, engine.Forbidden() // nobody manages "no project"
		}
		// Zou answers 403 here even outside the team: the body names a
		// project, it does not reach a row (the policy tests pin it).
		pr, err := who.LoadProject(ctx, projectID)
		if err != nil {
			return 0, nil, engine.Forbidden()
		}
		if err := pr.RequireManager(); err != nil {
			return 0, nil, err
		}
	}
	id, out, err := s.Engine.Insert(ctx, s.DB, s.entitiesColl(), who.Principal, body)
	if err != nil {
		return 0, nil, err
	}
	kind, err := s.entitiesKindOf(ctx, s.DB, id)
	if err != nil {
		return 0, nil, err
	}
	prefix := entitiesEventPrefix(kind)
	s.publish(ctx, prefix+":new", map[string]any{prefix + "_id": id}, projectID)
	return http.StatusCreated, out, nil
}

// entitiesMetadataAccess is Zou's check_metadata_department_access: admin;
// a team member who manages the project or created the entity; or a
// supervisor of the project sending only data keys whose metadata
// descriptors (of the entity's kind) belong to one of his departments
// (every key when he has no department).
func (s *Server) entitiesMetadataAccess(ctx context.Context, en *access.Entity, body map[string]json.RawMessage) error {
	who := en.Caller()
	if who.IsAdmin() || (en.Member && (en.IsManager() || en.IsCreator())) {
		return nil
	}
	if !en.Readable() {
		return engine.NotFound()
	}
	if !en.IsSupervisor() {
		return engine.Forbidden()
	}
	for k := range body {
		if k != "data" {
			return engine.Forbidden()
		}
	}
	deps, err := who.Departments(ctx)
	if err != nil {
		return err
	}
	if len(deps) == 0 {
		return nil
	}
	if en.TypeName != "Shot" && en.TypeName != "Asset" && en.TypeName != "Edit" {
		return engine.Forbidden()
	}
	var data map[string]json.RawMessage
	if raw, ok := body["data"]; !ok || json.Unmarshal(raw, &data) != nil || len(data) == 0 {
		return engine.Forbidden()
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	var allowed int
	err = s.DB.NewRaw(`SELECT count(DISTINCT md.field_name) FROM metadata_descriptor md
		JOIN department_metadata_descriptor_link dl ON dl.metadata_descriptor_id = md.id
		WHERE md.project_id = ? AND md.entity_type = ? AND md.field_name = ANY(?::text[]) AND dl.department_id = ANY(?::uuid[])`,
		en.ID, en.TypeName, pgdialect.Array(keys), pgdialect.Array(deps)).Scan(ctx, &allowed)
	if err != nil {
		return err
	}
	if allowed != len(keys) {
		return engine.Forbidden()
	}
	return nil
}

// entitiesUpdate: PUT /data/entities/<id>: data merged into the stored one;
// name/type/parent must stay unique in the project; a shot whose frames or
// name change keeps its previous state as an entity version (when its last
// change is more than a minute old, as Zou).
func (s *Server) entitiesUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	if !engine.IsUUID(c.Param("id")) {
		return 0, nil, engine.MalformedID()
	}
	en, err := who.LoadEntity(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := s.entitiesMetadataAccess(ctx, en, body); err != nil {
		return 0, nil, err
	}
	for _, k := range []string{"parent_id", "source_id"} {
		if v, ok := body[k]; ok && (string(v) == `""` || string(v) == `"null"`) {
			body[k] = json.RawMessage("null")
		}
	}
	var prev struct {
		Name      string          `bun:"name"`
		TypeID    string          `bun:"entity_type_id"`
		ParentID  string          `bun:"parent_id"`
		Data      json.RawMessage `bun:"data"`
		UpdatedAt time.Time       `bun:"updated_at"`
	}
	err = s.DB.NewRaw(`SELECT name, entity_type_id::text, COALESCE(parent_id::text, '') AS parent_id,
		COALESCE(data, '{}'::jsonb) AS data, COALESCE(updated_at, created_at) AS updated_at FROM entity WHERE id = ?`, en.EntityID).Scan(ctx, &prev)
	if err != nil {
		return 0, nil, err
	}
	name, _, err := field[string](body, "name")
	if err != nil {
		return 0, nil, err
	}
	if _, ok := body["name"]; !ok {
		name = prev.Name
	}
	typeID, err := idField(body, "entity_type_id")
	if err != nil {
		return 0, nil, err
	}
	if typeID == "" {
		typeID = prev.TypeID
	}
	parentID := prev.ParentID
	if _, ok := body["parent_id"]; ok {
		if parentID, err = idField(body, "parent_id"); err != nil {
			return 0, nil, err
		}
	}
	if name != prev.Name || typeID != prev.TypeID || parentID != prev.ParentID {
		q := s.DB.NewSelect().TableExpr("entity").Where("name = ? AND project_id = ? AND entity_type_id = ? AND id <> ?", name, en.ID, typeID, en.EntityID)
		if parentID == "" {
			q = q.Where("parent_id IS NULL")
		} else {
			q = q.Where("parent_id = ?", parentID)
		}
		dup, err := q.Exists(ctx)
		if err != nil {
			return 0, nil, err
		}
		if dup {
			return 0, nil, engine.BadRequest(fmt.Sprintf("An entity with name '%s', project_id '%s', entity_type_id '%s', and parent_id '%s' already exists. The combination of these fields must be unique.", name, en.ID, typeID, parentID))
		}
	}
	var kind string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.Engine.Patch(ctx, tx, s.entitiesColl(), who.Principal, en.EntityID, body); err != nil {
			return err
		}
		var err error
		if kind, err = s.entitiesKindOf(ctx, tx, en.EntityID); err != nil {
			return err
		}
		if kind != "Shot" || time.Since(prev.UpdatedAt) <= time.Minute {
			return nil
		}
		_, err = tx.NewRaw(`INSERT INTO entity_version (id, created_at, updated_at, name, data, entity_id, person_id)
			SELECT gen_random_uuid(), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', ?, e.data, e.id, ?
			FROM entity e WHERE e.id = ? AND (e.name <> ?
				OR (e.data->'frame_in') IS DISTINCT FROM (?::jsonb->'frame_in')
				OR (e.data->'frame_out') IS DISTINCT FROM (?::jsonb->'frame_out'))`,
			prev.Name, who.PersonID, en.EntityID, prev.Name, string(prev.Data), string(prev.Data)).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	out, err := s.Engine.One(ctx, nil, s.entitiesColl(), engine.View{Relations: true, TypeName: kind}, en.EntityID)
	if err != nil {
		return 0, nil, err
	}
	prefix := entitiesEventPrefix(kind)
	s.publish(ctx, prefix+":update", map[string]any{prefix + "_id": en.EntityID}, en.ID)
	return http.StatusOK, out, nil
}

// entitiesTypeCreate: POST /data/entity-types (admins): the name must be
// new whatever its case; asset-type:new {"asset_type_id"}.
func (s *Server) entitiesTypeCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	id, out, err := s.Engine.Insert(ctx, s.DB, s.Engine.Reg.MustCollection("entity-types"), who.Principal, body)
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "asset-type:new", map[string]any{"asset_type_id": id}, "")
	return http.StatusCreated, out, nil
}

// entitiesTypeUpdate: PUT /data/entity-types/<id> (admins), answered with
// its task_types; asset-type:update.
func (s *Server) entitiesTypeUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	id := c.Param("id")
	coll := s.Engine.Reg.MustCollection("entity-types")
	if _, err := s.Engine.Read(ctx, nil, coll, id, false); err != nil {
		return 0, nil, err
	}
	out, err := s.Engine.Patch(ctx, s.DB, coll, who.Principal, id, body)
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "asset-type:update", map[string]any{"asset_type_id": id}, "")
	return http.StatusOK, out, nil
}

// entitiesTypeDelete: DELETE /data/entity-types/<id> (admins); asset-type:delete.
func (s *Server) entitiesTypeDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	id := c.Param("id")
	coll := s.Engine.Reg.MustCollection("entity-types")
	if _, err := s.Engine.Read(ctx, nil, coll, id, false); err != nil {
		return 0, nil, err
	}
	if err := s.Engine.Remove(ctx, s.DB, coll, who.Principal, id, c.Request.URL.Query()); err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "asset-type:delete", map[string]any{"asset_type_id": id}, "")
	return http.StatusNoContent, nil, nil
}

// entitiesTaskTypeRow is what task creation reads of a task type.
type entitiesTaskTypeRow struct {
	ID        string  `bun:"id"`
	Name      string  `bun:"name"`
	Color     *string `bun:"color"`
	Priority  *int    `bun:"priority"`
	ForEntity *string `bun:"for_entity"`
	InProject bool    `bun:"in_project"`
	InFlow    bool    `bun:"in_flow"`
}

// entitiesCreateTasks: POST /data/entities/<id>/tasks {task_type_ids}: one
// "main" task per task type not yet on the entity (every type enabled in
// the project, and in the asset type's workflow, when the list is empty).
// Each type must suit the entity kind and be enabled (400 otherwise).
// Vendors and clients refused.
func (s *Server) entitiesCreateTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), "")
	if err != nil {
		return 0, nil, err
	}
	if err := en.RefuseVendor(); err != nil {
		return 0, nil, err
	}
	if err := en.RefuseClient(); err != nil {
		return 0, nil, err
	}
	body, err := optionalBody(c)
	if err != nil {
		return 0, nil, err
	}
	ids, err := idList(body, "task_type_ids")
	if err != nil {
		return 0, nil, err
	}
	// One query for the candidate types with what the checks need.
	var types []entitiesTaskTypeRow
	q := s.DB.NewSelect().TableExpr("task_type tt").
		ColumnExpr("tt.id::text, tt.name, tt.color, tt.priority, tt.for_entity").
		ColumnExpr("EXISTS (SELECT 1 FROM project_task_type_link l WHERE l.project_id = ? AND l.task_type_id = tt.id) AS in_project", en.ID).
		ColumnExpr("EXISTS (SELECT 1 FROM task_type_asset_type_link l WHERE l.asset_type_id = ? AND l.task_type_id = tt.id) AS in_flow", en.EntityTypeID)
	if len(ids) > 0 {
		q = q.Where("tt.id = ANY(?::uuid[])", pgdialect.Array(ids))
	}
	if err := q.OrderExpr("tt.name").Scan(ctx, &types); err != nil {
		return 0, nil, err
	}
	hasFlow := false
	if en.TypeName == "Asset" {
		if hasFlow, err = s.DB.NewSelect().TableExpr("task_type_asset_type_link").Where("asset_type_id = ?", en.EntityTypeID).Exists(ctx); err != nil {
			return 0, nil, err
		}
	}
	byID := map[string]entitiesTaskTypeRow{}
	for _, t := range types {
		byID[t.ID] = t
	}
	var chosen []entitiesTaskTypeRow
	if len(ids) == 0 {
		for _, t := range types {
			if t.InProject && (!hasFlow || t.InFlow) && (t.ForEntity == nil || *t.ForEntity == "" || *t.ForEntity == en.TypeName) {
				chosen = append(chosen, t)
			}
		}
	} else {
		seen := map[string]bool{}
		for _, id := range ids {
			t, ok := byID[id]
			if !ok {
				return 0, nil, engine.NotFound()
			}
			if t.ForEntity != nil && *t.ForEntity != "" && *t.ForEntity != en.TypeName {
				return 0, nil, engine.BadRequest(fmt.Sprintf("Task type %s is for %s entities, got %s.", id, *t.ForEntity, en.TypeName))
			}
			if !t.InProject {
				return 0, nil, engine.BadRequest(fmt.Sprintf("Task type %s is not enabled in project %s.", id, en.ID))
			}
			if hasFlow && !t.InFlow {
				return 0, nil, engine.BadRequest(fmt.Sprintf("Task type %s is not in the workflow of asset type %s.", id, en.EntityTypeID))
			}
			if !seen[id] {
				seen[id] = true
				chosen = append(chosen, t)
			}
		}
	}
	out := []map[string]any{}
	if len(chosen) == 0 {
		return http.StatusCreated, out, nil
	}
	status, err := s.entitiesDefaultStatus(ctx, who, en.TypeName == "Concept")
	if err != nil {
		return 0, nil, err
	}
	tasks := s.Engine.Reg.MustCollection("tasks")
	var created []string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var existing []string
		if err := tx.NewRaw("SELECT task_type_id::text FROM task WHERE entity_id = ? AND name = 'main'", en.EntityID).Scan(ctx, &existing); err != nil {
			return err
		}
		have := map[string]bool{}
		for _, id := range existing {
			have[id] = true
		}
		for _, t := range chosen {
			if have[t.ID] {
				continue
			}
			values, err := engine.Values(map[string]any{"name": "main", "duration": 0, "estimation": 0, "completion_rate": 0,
				"project_id": en.ID, "task_type_id": t.ID, "task_status_id": status.ID, "entity_id": en.EntityID,
				"assigner_id": editsNullable(who.PersonID)})
			if err != nil {
				return err
			}
			_, row, err := s.Engine.Insert(ctx, tx, tasks, who.Principal, values)
			if err != nil {
				return err
			}
			var m map[string]any
			if err := json.Unmarshal(row, &m); err != nil {
				return err
			}
			m["assignees"] = []string{}
			m["task_status_id"], m["task_status_name"], m["task_status_short_name"], m["task_status_color"] = status.ID, status.Name, status.ShortName, status.Color
			m["task_type_id"], m["task_type_name"], m["task_type_color"], m["task_type_priority"] = t.ID, t.Name, t.Color, t.Priority
			out = append(out, m)
			created = append(created, m["id"].(string))
		}
		return nil
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	for _, id := range created {
		s.publish(ctx, "task:new", map[string]any{"task_id": id}, en.ID)
	}
	return http.StatusCreated, out, nil
}

// entitiesStatus is the default task status new tasks start with.
type entitiesStatus struct {
	ID        string `bun:"id"`
	Name      string `bun:"name"`
	ShortName string `bun:"short_name"`
	Color     string `bun:"color"`
}

// entitiesDefaultStatus is Zou's get_default_status: the default status
// (of concepts, or of everything else), found by flag or short name, and
// created (task-status:new) when the studio has none.
func (s *Server) entitiesDefaultStatus(ctx context.Context, who *access.Caller, forConcept bool) (entitiesStatus, error) {
	name, short, color := "Todo", "todo", "#f5f5f5"
	if forConcept {
		name, short, color = "Neutral", "neutral", "#CCCCCC"
	}
	var rows []entitiesStatus
	err := s.DB.NewRaw(`SELECT id::text, name, short_name, color FROM task_status
		WHERE COALESCE(for_concept, false) = ? AND (is_default OR short_name = ?)
		ORDER BY is_default DESC NULLS LAST, created_at LIMIT 1`, forConcept, short).Scan(ctx, &rows)
	if err != nil {
		return entitiesStatus{}, err
	}
	if len(rows) > 0 {
		return rows[0], nil
	}
	values, err := engine.Values(map[string]any{"name": name, "short_name": short, "color": color, "is_default": true,
		"for_concept": forConcept, "is_artist_allowed": true, "is_client_allowed": true})
	if err != nil {
		return entitiesStatus{}, err
	}
	id, _, err := s.Engine.Insert(ctx, s.DB, s.Engine.Reg.MustCollection("task-status"), who.Principal, values)
	if err != nil {
		return entitiesStatus{}, err
	}
	s.publish(ctx, "task-status:new", map[string]any{"task_status_id": id}, "")
	return entitiesStatus{ID: id, Name: name, ShortName: short, Color: color}, nil
}
