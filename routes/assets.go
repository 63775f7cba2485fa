package routes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// mountAssets adds the routes of one area. Assets: asset types, assets, asset instances and sharing (routes.md § Assets).
func (s *Server) mountAssets(r gin.IRouter) {
	r.GET("/data/asset-types", s.route(s.assetTypesList))
	r.GET("/data/asset-types/:id", s.route(s.assetTypeGet))
	r.GET("/data/assets", s.route(s.assetsAll))
	r.GET("/data/assets/all", s.route(s.assetsAll))
	r.GET("/data/assets/with-tasks", s.assetsWithTasksHandler())
	r.GET("/data/assets/:id", s.route(s.assetsGetFull))
	r.DELETE("/data/assets/:id", s.route(s.assetsDelete))
	r.GET("/data/assets/:id/assets", s.route(s.assetsCastAssets))
	r.GET("/data/assets/:id/tasks", s.route(s.assetsTasks))
	r.GET("/data/assets/:id/task-types", s.route(s.assetsTaskTypes))
	r.GET("/data/assets/:id/cast-in", s.route(s.assetsCastIn))
	r.GET("/data/assets/:id/casting", s.route(s.assetsCastingGet))
	r.PUT("/data/assets/:id/casting", s.route(s.assetsCastingPut))
	r.GET("/data/assets/:id/shot-asset-instances", s.route(s.assetsShotInstances))
	r.GET("/data/assets/:id/scene-asset-instances", s.route(s.assetsSceneInstances))
	r.GET("/data/assets/:id/asset-asset-instances", s.route(s.assetsAssetInstances))
	r.POST("/data/assets/:id/asset-asset-instances", s.route(s.assetsAddAssetInstance))
	r.GET("/data/projects/:id/asset-types/:asset_type_id/assets", s.route(s.assetsOfProjectType))
	r.POST("/data/projects/:id/asset-types/:asset_type_id/assets/new", s.route(s.assetsCreate))
	r.GET("/data/projects/:id/asset-types", s.route(s.assetTypesOfProject))
	r.GET("/data/shots/:id/asset-types", s.route(s.assetTypesOfShot))
	r.GET("/data/projects/:id/assets", s.route(s.assetsOfProject))
	r.POST("/actions/assets/share", s.route(s.assetsShareList))
	r.POST("/actions/projects/:id/assets/share", s.route(s.assetsShareProject))
	r.POST("/actions/projects/:id/asset-types/:asset_type_id/assets/share", s.route(s.assetsShareProjectType))
	r.GET("/data/projects/:id/assets/shared-used", s.route(s.assetsSharedUsed))
	r.GET("/data/projects/:id/episodes/:episode_id/assets/shared-used", s.route(s.assetsSharedUsed))
}

// assetsTemporalTypes are the entity type names that are not asset types
// (Zou's get_temporal_type_ids).
const assetsTemporalTypes = `('Shot', 'Sequence', 'Episode', 'Scene', 'Edit', 'Concept')`

// assetsIsAssetSQL is true when entity row alias is an asset.
func assetsIsAssetSQL(alias string) string {
	return `NOT EXISTS (SELECT 1 FROM entity_type xt WHERE xt.id = ` + alias + `.entity_type_id AND xt.name IN ` + assetsTemporalTypes + `)`
}

// assetsView serialises entity rows as Zou's assets (type "Asset").
var assetsView = engine.View{TypeName: "Asset"}

// assetsVendorData is the data of asset row t without the metadata keys a
// vendor (one ?: the person) may not see: those of descriptors tied to
// departments, none of which is theirs (Zou's VMASK).
const assetsVendorData = `COALESCE(t.data - COALESCE((SELECT array_agg(md.field_name::text) FROM metadata_descriptor md
	WHERE md.project_id = t.project_id AND md.entity_type = 'Asset'
	AND EXISTS (SELECT 1 FROM department_metadata_descriptor_link dl WHERE dl.metadata_descriptor_id = md.id)
	AND NOT EXISTS (SELECT 1 FROM department_metadata_descriptor_link dl JOIN department_link pl ON pl.department_id = dl.department_id
		WHERE dl.metadata_descriptor_id = md.id AND pl.person_id = ?)), '{}'::text[]), '{}'::jsonb)::text`

// assetsMasked is v with the data key masked for a vendor.
func assetsMasked(v engine.View, personID string) engine.View {
	v.Omit = append(append([]string(nil), v.Omit...), "data")
	v.Extra = append(append([]engine.Extra(nil), v.Extra...), engine.Extra{Key: "data", SQL: assetsVendorData, Args: []any{personID}, Kind: engine.KindJSON})
	return v
}

func (s *Server) assetsEntities() *engine.Collection { return s.Engine.Reg.MustCollection("entities") }

// assetsReach loads an asset and checks the caller reads its project; with
// vendorScoped a vendor must also be assigned to one of its tasks. Anything
// that is not an asset, or out of reach, answers 404.
func (s *Server) assetsReach(ctx context.Context, who *access.Caller, id string, vendorScoped bool) (*access.Entity, error) {
	return assetsReachKind(ctx, who, id, "Asset", vendorScoped)
}

// assetsReachKind is assetsReach for any business type.
func assetsReachKind(ctx context.Context, who *access.Caller, id, kind string, vendorScoped bool) (*access.Entity, error) {
	if vendorScoped {
		return who.Entity(ctx, id, kind)
	}
	en, err := who.LoadEntity(ctx, id)
	if err != nil {
		return nil, err
	}
	if en.TypeName != kind || !en.Readable() {
		return nil, engine.NotFound()
	}
	return en, nil
}

// assetsListQuery narrows asset lists the way Zou's get_assets does: query
// filters on entity columns, episode_id (created in or cast in the episode),
// assigned_to (assets holding a task of the caller), team projects for
// non-admins and assigned assets for vendors.
type assetsListQuery struct {
	query     url.Values
	projectID string // forced project (path)
	typeID    string // forced asset type (path)
	teamOnly  bool
	vendor    bool // assigned assets only, metadata masked
}

func (s *Server) assetsList(ctx context.Context, who *access.Caller, lq assetsListQuery) ([]byte, error) {
	q := url.Values{}
	for k, v := range lq.query {
		q[k] = v
	}
	episodeID := q.Get("episode_id")
	assignedTo := q.Has("assigned_to")
	q.Del("episode_id")
	q.Del("assigned_to")
	if lq.projectID != "" {
		q.Del("project_id")
	}
	if lq.typeID != "" {
		q.Del("entity_type_id")
	}
	if episodeID != "" && !engine.IsUUID(episodeID) {
		return nil, engine.BadRequest("Invalid value for episode_id.")
	}
	filters, err := s.Engine.Filters(s.assetsEntities(), who.Principal, q)
	if err != nil {
		return nil, err
	}
	view := assetsView
	if lq.vendor {
		view = assetsMasked(view, who.PersonID)
	}
	return s.Engine.Rows(ctx, nil, s.assetsEntities(), view, func(sq *bun.SelectQuery) *bun.SelectQuery {
		sq = filters(sq).Where(assetsIsAssetSQL("t"))
		if lq.projectID != "" {
			sq = sq.Where("t.project_id = ?", lq.projectID)
		}
		if lq.typeID != "" {
			sq = sq.Where("t.entity_type_id = ?", lq.typeID)
		}
		if episodeID != "" {
			sq = sq.Where("(t.source_id = ? OR EXISTS (SELECT 1 FROM entity_link el WHERE el.entity_out_id = t.id AND el.entity_in_id = ?))", episodeID, episodeID)
		}
		if lq.teamOnly {
			sq = sq.Where("t.project_id IN (SELECT project_id FROM project_person_link WHERE person_id = ?)", who.PersonID)
		}
		if lq.vendor || assignedTo {
			sq = sq.Where("EXISTS (SELECT 1 FROM task x JOIN task_person_link a ON a.task_id = x.id WHERE x.entity_id = t.id AND a.person_id = ?)", who.PersonID)
		}
		return sq.OrderExpr("t.name, t.id")
	})
}

// assetsAll is GET /data/assets and /data/assets/all.
func (s *Server) assetsAll(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	vendor := who.Role == "vendor"
	if err := s.assetsCriterionAccess(ctx, who, q, &vendor); err != nil {
		return 0, nil, err
	}
	b, err := s.assetsList(ctx, who, assetsListQuery{query: q, teamOnly: !who.IsAdmin(), vendor: vendor})
	return http.StatusOK, b, err
}

// assetsCriterionAccess is Zou's check_criterion_access: a project_id (or
// episode_id) filter must name a production the caller reads; the role
// there decides vendor scoping.
func (s *Server) assetsCriterionAccess(ctx context.Context, who *access.Caller, q url.Values, vendor *bool) error {
	projectID := q.Get("project_id")
	if projectID == "" && q.Get("episode_id") != "" {
		en, err := who.LoadEntity(ctx, q.Get("episode_id"))
		if err != nil {
			return err
		}
		if en.TypeName != "Episode" {
			return engine.NotFound()
		}
		projectID = en.ID
	}
	if projectID == "" {
		return nil
	}
	pr, err := who.Project(ctx, projectID)
	if err != nil {
		return err
	}
	*vendor = pr.IsVendor()
	return nil
}

// assetsOfProject is GET /data/projects/:id/assets.
func (s *Server) assetsOfProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsList(ctx, who, assetsListQuery{query: c.Request.URL.Query(), projectID: pr.ID, vendor: pr.IsVendor()})
	return http.StatusOK, b, err
}

// assetsOfProjectType is GET /data/projects/:id/asset-types/:asset_type_id/assets.
func (s *Server) assetsOfProjectType(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	typeID := c.Param("asset_type_id")
	if !engine.IsUUID(typeID) {
		return 0, nil, engine.NotFound()
	}
	b, err := s.assetsList(ctx, who, assetsListQuery{query: c.Request.URL.Query(), projectID: pr.ID, typeID: typeID, vendor: pr.IsVendor()})
	return http.StatusOK, b, err
}

// assetsTaskJSON is the task object Zou embeds in assets with tasks, built
// over task alias tk for the caller (one ?: the person for is_subscribed).
const assetsTaskJSON = `json_build_object(
	'id', tk.id, 'due_date', to_char(tk.due_date, 'YYYY-MM-DD"T"HH24:MI:SS'),
	'done_date', to_char(tk.done_date, 'YYYY-MM-DD"T"HH24:MI:SS'), 'duration', tk.duration,
	'entity_id', tk.entity_id, 'estimation', tk.estimation, 'end_date', to_char(tk.end_date, 'YYYY-MM-DD"T"HH24:MI:SS'),
	'is_subscribed', EXISTS (SELECT 1 FROM subscription sb WHERE sb.task_id = tk.id AND sb.person_id = ?),
	'last_comment_date', to_char(tk.last_comment_date, 'YYYY-MM-DD"T"HH24:MI:SS'),
	'last_preview_file_id', COALESCE(tk.last_preview_file_id::text, ''), 'priority', COALESCE(tk.priority, 0),
	'real_start_date', to_char(tk.real_start_date, 'YYYY-MM-DD"T"HH24:MI:SS'), 'retake_count', tk.retake_count,
	'start_date', to_char(tk.start_date, 'YYYY-MM-DD"T"HH24:MI:SS'), 'difficulty', tk.difficulty,
	'task_status_id', tk.task_status_id, 'task_type_id', tk.task_type_id,
	'assignees', COALESCE((SELECT json_agg(tpl.person_id ORDER BY tpl.person_id) FROM task_person_link tpl WHERE tpl.task_id = tk.id), '[]'::json),
	'data', tk.data)`

// assetsWithTasksExtra are the keys Zou's get_assets_and_tasks adds to (or
// rewrites on) an asset row (alias t); the ? is the caller's id.
func assetsWithTasksExtra(personID string, onlyAssigned bool) []engine.Extra {
	tasks := `COALESCE((SELECT json_agg(` + assetsTaskJSON + ` ORDER BY tk.created_at, tk.id) FROM task tk WHERE tk.entity_id = t.id`
	args := []any{personID}
	if onlyAssigned {
		// Vendors (and assigned_to) see only their own tasks, as Zou filters them.
		tasks += ` AND EXISTS (SELECT 1 FROM task_person_link me WHERE me.task_id = tk.id AND me.person_id = ?)`
		args = append(args, personID)
	}
	tasks += `), '[]'::json)::text`
	return []engine.Extra{
		{Key: "preview_file_id", SQL: "COALESCE(t.preview_file_id::text, '')", Kind: engine.KindText},
		{Key: "data", SQL: "COALESCE(t.data, '{}'::jsonb)::text", Kind: engine.KindJSON},
		{Key: "asset_type_id", SQL: "t.entity_type_id", Kind: engine.KindUUID},
		{Key: "asset_type_name", SQL: "(SELECT et.name FROM entity_type et WHERE et.id = t.entity_type_id)", Kind: engine.KindText},
		{Key: "episode_id", SQL: "COALESCE(t.source_id::text, '')", Kind: engine.KindText},
		{Key: "casting_episode_ids", SQL: `COALESCE((SELECT json_agg(ep.id ORDER BY ep.name) FROM entity_link el
			JOIN entity ep ON ep.id = el.entity_in_id JOIN entity_type ept ON ept.id = ep.entity_type_id
			WHERE el.entity_out_id = t.id AND ept.name = 'Episode'), '[]'::json)::text`, Kind: engine.KindJSON},
		{Key: "tasks", SQL: tasks, Args: args, Kind: engine.KindJSON},
	}
}

// assetsGetFull is GET /data/assets/:id: Zou's get_full_asset (the asset
// with relations, project and type names, its tasks and episode casting).
func (s *Server) assetsGetFull(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), true)
	if err != nil {
		return 0, nil, err
	}
	v := engine.View{TypeName: "Asset", Relations: true, Omit: []string{"source_id", "nb_frames", "preview_file_id", "data"},
		Extra: append(assetsWithTasksExtra(who.PersonID, false),
			engine.Extra{Key: "project_name", SQL: "(SELECT p.name FROM project p WHERE p.id = t.project_id)", Kind: engine.KindText})}
	b, err := s.Engine.One(ctx, nil, s.assetsEntities(), v, en.EntityID)
	return http.StatusOK, b, err
}

// assetsWithTasks is GET /data/assets/with-tasks as a plain JSON list
// (assetsWithTasksHandler adds the compact and stream shapes).
func (s *Server) assetsWithTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	// Response options, not filters (assetsWithTasksHandler shapes the answer).
	q.Del("stream")
	q.Del("compact")
	for _, k := range []string{"id", "project_id", "asset_type_id"} {
		if v := q.Get(k); v != "" && !engine.IsUUID(v) {
			return 0, nil, engine.BadRequest(fmt.Sprintf("Invalid value for %s.", k))
		}
	}
	ep := q.Get("episode_id")
	if ep != "" && ep != "main" && ep != "all" && !engine.IsUUID(ep) {
		return 0, nil, engine.BadRequest("Invalid value for episode_id.")
	}
	vendor := who.Role == "vendor"
	if ep == "main" || ep == "all" {
		q.Del("episode_id")
	}
	if err := s.assetsCriterionAccess(ctx, who, q, &vendor); err != nil {
		return 0, nil, err
	}
	v := engine.View{TypeName: "Asset", Fields: []string{"id", "name", "description", "canceled", "ready_for",
		"is_casting_standby", "is_shared", "project_id"}, Extra: assetsWithTasksExtra(who.PersonID, vendor || q.Has("assigned_to"))}
	if vendor {
		for i, x := range v.Extra {
			if x.Key == "data" {
				v.Extra[i] = engine.Extra{Key: "data", SQL: assetsVendorData, Args: []any{who.PersonID}, Kind: engine.KindJSON}
			}
		}
	}
	b, err := s.Engine.Rows(ctx, nil, s.assetsEntities(), v, func(sq *bun.SelectQuery) *bun.SelectQuery {
		sq = sq.Where(assetsIsAssetSQL("t"))
		if id := q.Get("id"); id != "" {
			sq = sq.Where("t.id = ?", id)
		}
		if p := q.Get("project_id"); p != "" {
			sq = sq.Where("t.project_id = ?", p)
		}
		if at := q.Get("asset_type_id"); at != "" {
			sq = sq.Where("t.entity_type_id = ?", at)
		}
		switch {
		case ep == "main":
			sq = sq.Where("t.source_id IS NULL")
		case ep != "" && ep != "all":
			sq = sq.Where("(t.source_id = ? OR EXISTS (SELECT 1 FROM entity_link el WHERE el.entity_out_id = t.id AND el.entity_in_id = ?))", ep, ep)
		}
		if !who.IsAdmin() {
			sq = sq.Where("t.project_id IN (SELECT project_id FROM project_person_link WHERE person_id = ?)", who.PersonID)
		}
		if vendor || q.Has("assigned_to") {
			sq = sq.Where("EXISTS (SELECT 1 FROM task x JOIN task_person_link a ON a.task_id = x.id WHERE x.entity_id = t.id AND a.person_id = ?)", who.PersonID)
		}
		return sq.OrderExpr("(SELECT et.name FROM entity_type et WHERE et.id = t.entity_type_id), t.name")
	})
	return http.StatusOK, b, err
}

// assetsTypeView serialises entity types as Zou's asset types.
func (s *Server) assetsTypeList(ctx context.Context, relations bool, where func(*bun.SelectQuery) *bun.SelectQuery) ([]byte, error) {
	return s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("entity-types"), engine.View{TypeName: "AssetType", Relations: relations},
		func(sq *bun.SelectQuery) *bun.SelectQuery {
			sq = sq.Where("t.name NOT IN " + assetsTemporalTypes)
			if where != nil {
				sq = where(sq)
			}
			return sq.OrderExpr("t.name")
		})
}

// assetTypesList is GET /data/asset-types (filters; project_id: types used there).
func (s *Server) assetTypesList(c *gin.Context, _ *access.Caller) (int, any, error) {
	q := c.Request.URL.Query()
	projectID := q.Get("project_id")
	q.Del("project_id")
	if projectID != "" && !engine.IsUUID(projectID) {
		return 0, nil, engine.BadRequest("Invalid value for project_id.")
	}
	filters, err := s.Engine.Filters(s.Engine.Reg.MustCollection("entity-types"), engine.PrincipalFrom(c), q)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsTypeList(c.Request.Context(), true, func(sq *bun.SelectQuery) *bun.SelectQuery {
		sq = filters(sq)
		if projectID != "" {
			sq = sq.Where("t.id IN (SELECT e.entity_type_id FROM entity e WHERE e.project_id = ?)", projectID)
		}
		return sq
	})
	return http.StatusOK, b, err
}

// assetTypeGet is GET /data/asset-types/:id (404 for Shot, Sequence...).
func (s *Server) assetTypeGet(c *gin.Context, _ *access.Caller) (int, any, error) {
	id := c.Param("id")
	if !engine.IsUUID(id) {
		return 0, nil, engine.NotFound()
	}
	b, err := s.assetsTypeList(c.Request.Context(), true, func(sq *bun.SelectQuery) *bun.SelectQuery { return sq.Where("t.id = ?", id) })
	if err != nil {
		return 0, nil, err
	}
	if len(b) <= 2 {
		return 0, nil, engine.NotFound()
	}
	return http.StatusOK, b[1 : len(b)-1], nil
}

// assetTypesOfProject is GET /data/projects/:id/asset-types.
func (s *Server) assetTypesOfProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsTypeList(ctx, false, func(sq *bun.SelectQuery) *bun.SelectQuery {
		return sq.Where("t.id IN (SELECT e.entity_type_id FROM entity e WHERE e.project_id = ?)", pr.ID)
	})
	return http.StatusOK, b, err
}

// assetTypesOfShot is GET /data/shots/:id/asset-types: types of the assets cast in the shot.
func (s *Server) assetTypesOfShot(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := assetsReachKind(ctx, who, c.Param("id"), "Shot", false)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsTypeList(ctx, false, func(sq *bun.SelectQuery) *bun.SelectQuery {
		return sq.Where("t.id IN (SELECT e.entity_type_id FROM entity_link el JOIN entity e ON e.id = el.entity_out_id WHERE el.entity_in_id = ?)", en.EntityID)
	})
	return http.StatusOK, b, err
}

// assetsCreate is POST /data/projects/:id/asset-types/:asset_type_id/assets/new.
// Zou has no duplicate check here: the entity_uc constraint includes the
// null parent_id, so two assets of one name and type may coexist (as in Zou).
func (s *Server) assetsCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	typeID := c.Param("asset_type_id")
	if err := s.assetsCheckType(ctx, typeID); err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	name, err := requiredString(m, "name")
	if err != nil {
		return 0, nil, err
	}
	desc, _, err := field[string](m, "description")
	if err != nil {
		return 0, nil, err
	}
	data, _, err := field[map[string]any](m, "data")
	if err != nil {
		return 0, nil, err
	}
	if data == nil {
		data = map[string]any{}
	}
	shared, _, err := field[bool](m, "is_shared")
	if err != nil {
		return 0, nil, err
	}
	episodeID, err := idField(m, "episode_id")
	if err != nil {
		return 0, nil, err
	}
	values := map[string]any{"name": name, "description": desc, "data": data, "is_shared": shared,
		"project_id": pr.ID, "entity_type_id": typeID}
	if episodeID != "" {
		ok, err := s.DB.NewSelect().TableExpr("entity e").Join("JOIN entity_type et ON et.id = e.entity_type_id").
			Where("e.id = ? AND e.project_id = ? AND et.name = 'Episode'", episodeID, pr.ID).Exists(ctx)
		if err != nil {
			return 0, nil, fmt.Errorf("check episode %s: %w", episodeID, err)
		}
		if !ok {
			return 0, nil, engine.BadRequest("Invalid value for episode_id: no such episode in this project.")
		}
		values["source_id"] = episodeID
	}
	body, err := engine.Values(values)
	if err != nil {
		return 0, nil, err
	}
	id, _, err := s.Engine.Insert(ctx, s.DB, s.assetsEntities(), who.Principal, body)
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "asset:new", map[string]any{"asset_id": id, "asset_type": typeID}, pr.ID)
	b, err := s.Engine.One(ctx, nil, s.assetsEntities(), assetsView, id)
	return http.StatusCreated, b, err
}

// assetsCheckType answers 404 unless id is an asset type.
func (s *Server) assetsCheckType(ctx context.Context, id string) error {
	if !engine.IsUUID(id) {
		return engine.NotFound()
	}
	ok, err := s.DB.NewSelect().TableExpr("entity_type t").Where("t.id = ? AND t.name NOT IN "+assetsTemporalTypes, id).Exists(ctx)
	if err != nil {
		return fmt.Errorf("check asset type %s: %w", id, err)
	}
	if !ok {
		return engine.NotFound()
	}
	return nil
}

// assetsDelete is DELETE /data/assets/:id: its creator or a project manager
// may delete; an asset with tasks is only canceled unless force=true.
func (s *Server) assetsDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.LoadEntity(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if en.TypeName != "Asset" {
		return 0, nil, engine.NotFound()
	}
	if !en.IsCreator() {
		if !en.Readable() {
			return 0, nil, engine.NotFound()
		}
		if err := en.RequireManager(); err != nil {
			return 0, nil, err
		}
	}
	if err := s.removeEntity(ctx, en, boolQuery(c, "force", false), true); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// assetsCastAssets is GET /data/assets/:id/assets: the assets cast in this
// asset, serialised as assets.
func (s *Server) assetsCastAssets(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), true)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.assetsEntities(), assetsView, func(sq *bun.SelectQuery) *bun.SelectQuery {
		return sq.Where("t.id IN (SELECT el.entity_out_id FROM entity_link el WHERE el.entity_in_id = ?)", en.EntityID).OrderExpr("t.name")
	})
	return http.StatusOK, b, err
}

// assetsTasks is GET /data/assets/:id/tasks (?relations=true adds assignees and the like).
func (s *Server) assetsTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), true)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("tasks"), engine.View{Relations: boolQuery(c, "relations", false)},
		func(sq *bun.SelectQuery) *bun.SelectQuery {
			return sq.Where("t.entity_id = ?", en.EntityID).OrderExpr("t.created_at, t.id")
		})
	return http.StatusOK, b, err
}

// assetsTaskTypes is GET /data/assets/:id/task-types.
func (s *Server) assetsTaskTypes(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), true)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("task-types"), engine.View{},
		func(sq *bun.SelectQuery) *bun.SelectQuery {
			return sq.Where("t.id IN (SELECT x.task_type_id FROM task x WHERE x.entity_id = ?)", en.EntityID).OrderExpr("t.name")
		})
	return http.StatusOK, b, err
}

// assetsCastIn is GET /data/assets/:id/cast-in: the shots, then the assets,
// that cast this asset (Zou's get_cast_in).
func (s *Server) assetsCastIn(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), true)
	if err != nil {
		return 0, nil, err
	}
	var b []byte
	err = s.DB.QueryRowContext(ctx, `SELECT COALESCE(json_agg(x.o ORDER BY x.k1, x.k2, x.k3, x.k4), '[]'::json)::text FROM (
		SELECT 0 AS k1, ep.name AS k2, sq.name AS k3, sh.name AS k4, json_build_object('shot_id', sh.id, 'shot_name', sh.name,
			'sequence_name', sq.name, 'episode_id', COALESCE(ep.id::text, 'None'), 'episode_name', ep.name,
			'preview_file_id', sh.preview_file_id, 'nb_occurences', el.nb_occurences) AS o
		FROM entity_link el JOIN entity sh ON sh.id = el.entity_in_id JOIN entity sq ON sq.id = sh.parent_id
		LEFT JOIN entity ep ON ep.id = sq.parent_id
		WHERE el.entity_out_id = ? AND sh.canceled IS NOT TRUE
		UNION ALL
		SELECT 1, et.name, a.name, NULL, json_build_object('asset_id', a.id, 'asset_name', a.name, 'asset_type_name', et.name,
			'preview_file_id', a.preview_file_id, 'nb_occurences', el.nb_occurences)
		FROM entity_link el JOIN entity a ON a.id = el.entity_in_id JOIN entity_type et ON et.id = a.entity_type_id
		WHERE el.entity_out_id = ? AND a.canceled IS NOT TRUE AND et.name NOT IN `+assetsTemporalTypes+`) x`,
		en.EntityID, en.EntityID).Scan(&b)
	if err != nil {
		return 0, nil, fmt.Errorf("cast in of %s: %w", en.EntityID, err)
	}
	return http.StatusOK, json.RawMessage(b), nil
}

// assetsCastingGet is GET /data/assets/:id/casting.
func (s *Server) assetsCastingGet(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), true)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.breakdownCasting(ctx, en.EntityID)
	return http.StatusOK, b, err
}

// assetsCastingPut is PUT /data/assets/:id/casting.
func (s *Server) assetsCastingPut(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return 0, nil, err
	}
	en, err := s.assetsReach(ctx, who, c.Param("id"), false)
	if err != nil {
		return 0, nil, err
	}
	if err := en.RequireManager(); err != nil {
		return 0, nil, err
	}
	casting, err := breakdownParseCasting(raw)
	if err != nil {
		return 0, nil, err
	}
	out, err := s.breakdownUpdateCasting(ctx, en, casting)
	return http.StatusOK, out, err
}

// assetsInstances answers asset instances (alias ai) grouped by a key, as
// Zou's _group_serialized_instances: {key: [instance, ...]}.
func (s *Server) assetsInstances(ctx context.Context, keySQL, from, where string, args ...any) ([]byte, error) {
	obj := s.Engine.Reg.MustCollection("asset-instances").ObjectSQL("ai")
	var b []byte
	err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(json_object_agg(g.k, g.l ORDER BY g.k), '{}'::json)::text FROM (
		SELECT `+keySQL+` AS k, json_agg(`+obj+` ORDER BY ai.asset_id, ai.number) AS l
		FROM `+from+` WHERE `+where+` GROUP BY 1) g`, args...).Scan(&b)
	if err != nil {
		return nil, fmt.Errorf("asset instances: %w", err)
	}
	return b, nil
}

// assetsShotInstances is GET /data/assets/:id/shot-asset-instances: the
// instances of the asset keyed by the shots they are linked to.
func (s *Server) assetsShotInstances(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), false)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsInstances(ctx, "ail.entity_id::text", "asset_instance ai JOIN asset_instance_link ail ON ail.asset_instance_id = ai.id",
		"ai.asset_id = ?", en.EntityID)
	return http.StatusOK, json.RawMessage(b), err
}

// assetsSceneInstances is GET /data/assets/:id/scene-asset-instances.
func (s *Server) assetsSceneInstances(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), false)
	if err != nil {
		return 0, nil, err
	}
	// Zou keys instances without a scene under "None".
	b, err := s.assetsInstances(ctx, "COALESCE(ai.scene_id::text, 'None')", "asset_instance ai", "ai.asset_id = ?", en.EntityID)
	return http.StatusOK, json.RawMessage(b), err
}

// assetsAssetInstances is GET /data/assets/:id/asset-asset-instances:
// instances placed inside this asset, keyed by the instantiated asset.
func (s *Server) assetsAssetInstances(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.assetsReach(ctx, who, c.Param("id"), false)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsInstances(ctx, "ai.asset_id::text", "asset_instance ai", "ai.target_asset_id = ?", en.EntityID)
	return http.StatusOK, json.RawMessage(b), err
}

// assetsAddAssetInstance is POST /data/assets/:id/asset-asset-instances.
func (s *Server) assetsAddAssetInstance(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	en, err := s.assetsReach(ctx, who, c.Param("id"), false)
	if err != nil {
		return 0, nil, err
	}
	target, err := idField(m, "asset_to_instantiate_id")
	if err != nil {
		return 0, nil, err
	}
	if target == "" {
		return 0, nil, engine.BadRequest("The field asset_to_instantiate_id is missing.")
	}
	desc, _, err := field[string](m, "description")
	if err != nil {
		return 0, nil, err
	}
	if err := s.breakdownCheckCastable(ctx, en.ID, []string{target}); err != nil {
		return 0, nil, err
	}
	out, id, err := s.breakdownNewInstance(ctx, who, target, "target_asset_id", en.EntityID, desc)
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "asset_instance:new", map[string]any{"asset_id": en.EntityID, "asset_instantiated": target, "asset_instance_id": id}, en.ID)
	return http.StatusCreated, out, nil
}

// assetsShareBody reads Zou's SetSharedAssetsSchema (is_shared defaults to true).
func assetsShareBody(c *gin.Context) (bool, []string, bool, error) {
	m, err := optionalBody(c)
	if err != nil {
		return false, nil, false, err
	}
	shared, present, err := field[bool](m, "is_shared")
	if err != nil {
		return false, nil, false, err
	}
	if !present {
		shared = true
	}
	ids, err := idList(m, "asset_ids")
	if err != nil {
		return false, nil, false, err
	}
	_, listed, _ := field[[]string](m, "asset_ids")
	return shared, ids, listed && len(ids) > 0, nil
}

// assetsSetShared is Zou's set_shared_assets in one UPDATE; it answers the
// changed assets. No event, as Zou (with_events is off on these routes).
func (s *Server) assetsSetShared(ctx context.Context, shared bool, projectID, typeID string, ids []string, byIDs bool) ([]byte, error) {
	var changed []string
	q := s.DB.NewUpdate().TableExpr("entity AS t").Set("is_shared = ?", shared).Set("updated_at = now() at time zone 'utc'").
		Where(assetsIsAssetSQL("t")).Returning("t.id::text")
	if projectID != "" {
		q = q.Where("t.project_id = ?", projectID)
	}
	if typeID != "" {
		q = q.Where("t.entity_type_id = ?", typeID)
	}
	if byIDs {
		q = q.Where("t.id IN (?)", bun.In(ids))
	}
	if err := q.Scan(ctx, &changed); err != nil {
		return nil, fmt.Errorf("share assets: %w", err)
	}
	if len(changed) == 0 {
		return []byte("[]"), nil
	}
	return s.Engine.Rows(ctx, nil, s.assetsEntities(), assetsView, func(sq *bun.SelectQuery) *bun.SelectQuery {
		return sq.Where("t.id IN (?)", bun.In(changed)).OrderExpr("t.name, t.id")
	})
}

// assetsShareProject is POST /actions/projects/:id/assets/share: every
// asset of the project, or only the listed ones.
func (s *Server) assetsShareProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	shared, ids, byIDs, err := assetsShareBody(c)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsSetShared(ctx, shared, pr.ID, "", ids, byIDs)
	return http.StatusOK, b, err
}

// assetsShareProjectType is POST /actions/projects/:id/asset-types/:asset_type_id/assets/share.
func (s *Server) assetsShareProjectType(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := s.assetsCheckType(ctx, c.Param("asset_type_id")); err != nil {
		return 0, nil, err
	}
	shared, _, _, err := assetsShareBody(c)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsSetShared(ctx, shared, pr.ID, c.Param("asset_type_id"), nil, false)
	return http.StatusOK, b, err
}

// assetsShareList is POST /actions/assets/share: the listed assets, each
// of a project the caller manages. An empty list changes nothing (Zou).
func (s *Server) assetsShareList(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	shared, ids, _, err := assetsShareBody(c)
	if err != nil {
		return 0, nil, err
	}
	if len(ids) == 0 {
		return http.StatusOK, []byte("[]"), nil
	}
	var projects []string
	if err := s.DB.NewSelect().TableExpr("entity t").ColumnExpr("DISTINCT t.project_id::text").
		Where("t.id IN (?)", bun.In(ids)).Where(assetsIsAssetSQL("t")).Scan(ctx, &projects); err != nil {
		return 0, nil, fmt.Errorf("projects of assets: %w", err)
	}
	var found int
	if err := s.DB.NewSelect().TableExpr("entity t").ColumnExpr("count(*)").
		Where("t.id IN (?)", bun.In(ids)).Where(assetsIsAssetSQL("t")).Scan(ctx, &found); err != nil {
		return 0, nil, fmt.Errorf("count assets: %w", err)
	}
	if found != len(assetsUnique(ids)) {
		return 0, nil, engine.NotFound()
	}
	for _, p := range projects {
		if _, err := who.ManagerOf(ctx, p); err != nil {
			return 0, nil, err
		}
	}
	b, err := s.assetsSetShared(ctx, shared, "", "", ids, true)
	return http.StatusOK, b, err
}

func assetsUnique(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// assetsSharedUsed is GET /data/projects/:id/assets/shared-used (and per
// episode): shared assets of other projects cast in this project's shots.
func (s *Server) assetsSharedUsed(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	ep := c.Param("episode_id")
	if ep == "main" || ep == "all" {
		ep = ""
	}
	if ep != "" && !engine.IsUUID(ep) {
		return 0, nil, engine.NotFound()
	}
	b, err := s.Engine.Rows(ctx, nil, s.assetsEntities(), assetsView, func(sq *bun.SelectQuery) *bun.SelectQuery {
		inner := `SELECT el.entity_out_id FROM entity_link el JOIN entity sh ON sh.id = el.entity_in_id
			JOIN entity sq ON sq.id = sh.parent_id WHERE sh.project_id = ?`
		args := []any{pr.ID}
		if ep != "" {
			inner += " AND sq.parent_id = ?"
			args = append(args, ep)
		}
		return sq.Where(assetsIsAssetSQL("t")).Where("t.is_shared AND t.canceled IS NOT TRUE AND t.project_id <> ?", pr.ID).
			Where("t.id IN ("+inner+")", args...).OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}
