package routes

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Shots, sequences, episodes and scenes are entity rows typed by their
// entity_type (Shot, Sequence, Episode, Scene); parent_id chains shot →
// sequence → episode, and a shot's source_id names the scene it comes from.

// Kinds served by this area.
const (
	shotsShot     = "Shot"
	shotsSequence = "Sequence"
	shotsEpisode  = "Episode"
	shotsScene    = "Scene"
)

// shotsTypeWhere narrows entity alias t to one kind without looking the
// type row up first (one query less per request).
const shotsTypeWhere = "t.entity_type_id IN (SELECT et.id FROM entity_type et WHERE et.name = ?)"

// shotsAssignedWhere: the caller (?) is assigned to a task of entity t.
const shotsAssignedWhere = `EXISTS (SELECT 1 FROM task x JOIN task_person_link a ON a.task_id = x.id
	WHERE x.entity_id = t.id AND a.person_id = ?)`

// Context keys computed in SQL over entity alias t.
const (
	shotsProjectNameSQL  = "(SELECT p.name FROM project p WHERE p.id = t.project_id)"
	shotsParentIDSQL     = "(SELECT sq.id FROM entity sq WHERE sq.id = t.parent_id)"
	shotsParentNameSQL   = "(SELECT sq.name FROM entity sq WHERE sq.id = t.parent_id)"
	shotsGrandIDSQL      = "(SELECT ep.id FROM entity sq JOIN entity ep ON ep.id = sq.parent_id WHERE sq.id = t.parent_id)"
	shotsGrandNameSQL    = "(SELECT ep.name FROM entity sq JOIN entity ep ON ep.id = sq.parent_id WHERE sq.id = t.parent_id)"
	shotsTimestampFormat = `'YYYY-MM-DD"T"HH24:MI:SS'`
)

// shotsTaskObjectSQL is one task of task alias x in the shape of Zou's
// "with tasks" answers (one ? = the caller, for is_subscribed).
const shotsTaskObjectSQL = `jsonb_build_object('id', x.id, 'duration', x.duration,
	'due_date', to_char(x.due_date, ` + shotsTimestampFormat + `),
	'end_date', to_char(x.end_date, ` + shotsTimestampFormat + `),
	'done_date', to_char(x.done_date, ` + shotsTimestampFormat + `),
	'entity_id', x.entity_id, 'estimation', x.estimation,
	'is_subscribed', EXISTS (SELECT 1 FROM subscription sb WHERE sb.task_id = x.id AND sb.person_id = ?),
	'last_comment_date', to_char(x.last_comment_date, ` + shotsTimestampFormat + `),
	'last_preview_file_id', x.last_preview_file_id, 'nb_assets_ready', x.nb_assets_ready,
	'priority', COALESCE(x.priority, 0),
	'real_start_date', to_char(x.real_start_date, ` + shotsTimestampFormat + `),
	'retake_count', x.retake_count,
	'start_date', to_char(x.start_date, ` + shotsTimestampFormat + `),
	'difficulty', x.difficulty, 'nb_drawings', x.nb_drawings,
	'task_status_id', x.task_status_id, 'task_type_id', x.task_type_id,
	'assignees', COALESCE((SELECT jsonb_agg(a.person_id::text ORDER BY a.person_id) FROM task_person_link a WHERE a.task_id = x.id), '[]'::jsonb),
	'data', x.data)`

// shotsTasksSQL is the tasks of entity t as a JSON array, in one subquery
// (args: the caller for is_subscribed).
const shotsTasksSQL = `(SELECT COALESCE(jsonb_agg(` + shotsTaskObjectSQL + ` ORDER BY x.name, x.id), '[]'::jsonb)::text
	FROM task x WHERE x.entity_id = t.id)`

// shotsMyTasksSQL is shotsTasksSQL limited to the caller's own tasks
// (args: the caller twice), for vendors.
const shotsMyTasksSQL = `(SELECT COALESCE(jsonb_agg(` + shotsTaskObjectSQL + ` ORDER BY x.name, x.id), '[]'::jsonb)::text
	FROM task x WHERE x.entity_id = t.id AND EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = x.id AND a.person_id = ?))`

// shotsMaskSQL is entity t's data without the metadata a vendor (second ?)
// may not see: keys whose descriptors for this kind (first ?) belong to
// departments, none of them the vendor's (Zou's mask_metadata_for_vendor).
const shotsMaskSQL = `(COALESCE(t.data, '{}'::jsonb) - ARRAY(SELECT md.field_name FROM metadata_descriptor md
	WHERE md.project_id = t.project_id AND md.entity_type = ?
	AND EXISTS (SELECT 1 FROM department_metadata_descriptor_link l WHERE l.metadata_descriptor_id = md.id)
	AND NOT EXISTS (SELECT 1 FROM department_metadata_descriptor_link l JOIN department_link d ON d.department_id = l.department_id
		WHERE l.metadata_descriptor_id = md.id AND d.person_id = ?)))::text`

// mountShots adds the routes of one area. Shots, sequences, episodes and scenes (routes.md § Shots, sequences, episodes, scenes).
func (s *Server) mountShots(r gin.IRouter) {
	r.GET("/data/shots", s.route(s.shotsSearch(shotsShot)))
	r.GET("/data/shots/all", s.route(s.shotsSearch(shotsShot)))
	r.GET("/data/shots/with-tasks", s.route(s.shotsWithTasks))
	r.GET("/data/shots/:id", s.route(s.shotsGetFull(shotsShot)))
	r.PUT("/data/shots/:id", s.route(s.shotsUpdate))
	r.DELETE("/data/shots/:id", s.route(s.shotsDelete(shotsShot)))
	r.GET("/data/shots/:id/task-types", s.route(s.shotsTaskTypes(shotsShot)))
	r.GET("/data/shots/:id/tasks", s.route(s.shotsTasks(shotsShot, true)))
	r.GET("/data/shots/:id/versions", s.route(s.shotsVersions))
	r.GET("/data/shots/:id/assets", s.route(s.shotsAssets))
	r.GET("/data/shots/:id/preview-files", s.route(s.shotsPreviewFiles))

	r.GET("/data/scenes/all", s.route(s.shotsSearch(shotsScene)))
	r.GET("/data/scenes/with-tasks", s.route(s.shotsEntitiesWithTasks(shotsScene)))
	r.GET("/data/scenes/:id", s.route(s.shotsGetFull(shotsScene)))
	r.DELETE("/data/scenes/:id", s.route(s.shotsDelete(shotsScene)))
	r.GET("/data/scenes/:id/tasks", s.route(s.shotsTasks(shotsScene, false)))
	r.GET("/data/scenes/:id/task-types", s.route(s.shotsTaskTypes(shotsScene)))
	r.GET("/data/scenes/:id/shots", s.route(s.shotsSceneShots))
	r.POST("/data/scenes/:id/shots", s.route(s.shotsSceneAddShot))
	r.DELETE("/data/scenes/:id/shots/:shot_id", s.route(s.shotsSceneRemoveShot))

	r.GET("/data/episodes", s.route(s.shotsSearch(shotsEpisode)))
	r.GET("/data/episodes/with-tasks", s.route(s.shotsEntitiesWithTasks(shotsEpisode)))
	r.GET("/data/episodes/:id", s.route(s.shotsGetFull(shotsEpisode)))
	r.DELETE("/data/episodes/:id", s.route(s.shotsDelete(shotsEpisode)))
	r.GET("/data/episodes/:id/shots", s.route(s.shotsEpisodeShots))
	r.GET("/data/episodes/:id/sequences", s.route(s.shotsEpisodeSequences))
	r.GET("/data/episodes/:id/tasks", s.route(s.shotsTasks(shotsEpisode, false)))
	r.GET("/data/episodes/:id/task-types", s.route(s.shotsTaskTypes(shotsEpisode)))
	r.GET("/data/episodes/:id/shot-tasks", s.route(s.shotsChildTasks(shotsEpisode, "shots")))
	r.GET("/data/episodes/:id/asset-tasks", s.route(s.shotsChildTasks(shotsEpisode, "assets")))

	r.GET("/data/sequences", s.route(s.shotsSearch(shotsSequence)))
	r.GET("/data/sequences/with-tasks", s.route(s.shotsEntitiesWithTasks(shotsSequence)))
	r.GET("/data/sequences/:id", s.route(s.shotsGetFull(shotsSequence)))
	r.DELETE("/data/sequences/:id", s.route(s.shotsDelete(shotsSequence)))
	r.GET("/data/sequences/:id/shots", s.route(s.shotsSequenceShots))
	r.GET("/data/sequences/:id/scenes", s.route(s.shotsSequenceScenes))
	r.GET("/data/sequences/:id/tasks", s.route(s.shotsTasks(shotsSequence, true)))
	r.GET("/data/sequences/:id/task-types", s.route(s.shotsTaskTypes(shotsSequence)))
	r.GET("/data/sequences/:id/shot-tasks", s.route(s.shotsChildTasks(shotsSequence, "shots")))

	// The engine names the project segment :id; gin wants one name per position.
	for _, kind := range []string{shotsShot, shotsScene, shotsSequence, shotsEpisode} {
		path := "/data/projects/:id/" + strings.ToLower(kind) + "s"
		r.GET(path, s.route(s.shotsProjectList(kind)))
		r.POST(path, s.route(s.shotsCreate(kind)))
	}
	r.GET("/data/projects/:id/episodes/stats", s.route(s.shotsEpisodeStats))
	r.GET("/data/projects/:id/episodes/retake-stats", s.route(s.shotsEpisodeRetakeStats))
	r.GET("/data/projects/:id/quotas/:task_type_id", s.route(s.shotsProjectQuotas))
	r.GET("/data/projects/:id/quotas/persons/:person_id", s.route(s.shotsPersonQuotas))
	r.POST("/actions/projects/:id/task-types/:task_type_id/set-shot-nb-frames", s.route(s.shotsSetNbFrames))
}

func (s *Server) shotsEntities() *engine.Collection { return s.Engine.Reg.MustCollection("entities") }

// shotsVendorOf returns the vendor whose results are masked, or "" when
// the caller is not a vendor in the project.
func shotsVendorOf(pr *access.Project) string {
	if pr != nil && pr.IsVendor() {
		return pr.Caller().PersonID
	}
	return ""
}

// shotsView is Zou's plain serialisation of a kind (no relations), its data
// masked for a vendor when vendor is not "".
func shotsView(kind, vendor string, extra ...engine.Extra) engine.View {
	v := engine.View{TypeName: kind, Extra: extra}
	if vendor != "" {
		v.Omit = []string{"data"}
		v.Extra = append(v.Extra, engine.Extra{Key: "data", SQL: shotsMaskSQL, Args: []any{kind, vendor}, Kind: engine.KindJSON})
	}
	return v
}

// shotsContextExtra are the names listed shots and scenes carry.
func shotsContextExtra() []engine.Extra {
	return []engine.Extra{
		{Key: "project_name", SQL: shotsProjectNameSQL, Kind: engine.KindText},
		{Key: "sequence_name", SQL: shotsParentNameSQL, Kind: engine.KindText},
	}
}

// shotsVendorScope narrows kind rows to what a vendor (?) works on: their
// own tasks for shots and scenes, tasks on their shots for sequences, and
// for episodes tasks on their shots or on assets the episode is source of.
func shotsVendorScope(kind string) string {
	switch kind {
	case shotsSequence:
		return `EXISTS (SELECT 1 FROM entity sh JOIN task x ON x.entity_id = sh.id JOIN task_person_link a ON a.task_id = x.id
			WHERE sh.parent_id = t.id AND a.person_id = ?)`
	case shotsEpisode:
		return `EXISTS (SELECT 1 FROM entity sq JOIN entity sh ON sh.parent_id = sq.id JOIN task x ON x.entity_id = sh.id
			JOIN task_person_link a ON a.task_id = x.id WHERE sq.parent_id = t.id AND a.person_id = ?0)
			OR EXISTS (SELECT 1 FROM entity ast JOIN task x ON x.entity_id = ast.id JOIN task_person_link a ON a.task_id = x.id
			WHERE ast.source_id = t.id AND a.person_id = ?0)`
	}
	return shotsAssignedWhere
}

// shotsTyped reads an entity of a kind with no access decision (Zou's
// typed getters): 404 when missing, malformed or of another kind.
func shotsTyped(ctx context.Context, who *access.Caller, id, kind string) (*access.Entity, error) {
	en, err := who.LoadEntity(ctx, id)
	if err != nil {
		return nil, err
	}
	if en.TypeName != kind {
		return nil, engine.NotFound()
	}
	return en, nil
}

// shotsProjectList answers GET /data/projects/<id>/<kind>s: the project's
// rows of a kind by name; vendors see only what they work on, masked.
func (s *Server) shotsProjectList(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		pr, err := who.Project(ctx, c.Param("id"))
		if err != nil {
			return 0, nil, err
		}
		vendor := shotsVendorOf(pr)
		b, err := s.Engine.Rows(ctx, s.DB, s.shotsEntities(), shotsView(kind, vendor), func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("t.project_id = ?", pr.ID).Where(shotsTypeWhere, kind)
			if vendor != "" {
				q = q.Where(shotsVendorScope(kind), vendor)
			}
			return q.OrderExpr("t.name, t.id")
		})
		return http.StatusOK, b, err
	}
}

// shotsSearch answers the query-criteria lists (/data/shots, /data/shots/all,
// /data/scenes/all, /data/episodes, /data/sequences): the /data filters on
// entity columns, plus sequence_id (shots) and episode_id (sequences). Zou
// lets only admins list without a project_id.
func (s *Server) shotsSearch(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		q := url.Values{}
		for k, v := range c.Request.URL.Query() {
			q[k] = v
		}
		parentKey := map[string]string{shotsShot: "sequence_id", shotsSequence: "episode_id"}[kind]
		if parentKey != "" && q.Get(parentKey) != "" {
			parentKind := map[string]string{shotsShot: shotsSequence, shotsSequence: shotsEpisode}[kind]
			parent, err := shotsTyped(ctx, who, q.Get(parentKey), parentKind)
			if err != nil {
				return 0, nil, err
			}
			q.Set("project_id", parent.ID)
			q.Set("parent_id", parent.EntityID)
			q.Del(parentKey)
		}
		return s.shotsFilteredList(ctx, who, kind, q, nil)
	}
}

// shotsListScope is Zou's check on a list's project_id: the caller must
// reach it (only admins list without one); vendors see no scenes. It
// answers the project (nil without one) and the vendor's id ("" for others).
func shotsListScope(ctx context.Context, who *access.Caller, kind string, q url.Values) (*access.Project, string, error) {
	var pr *access.Project
	if projectID := q.Get("project_id"); projectID != "" {
		var err error
		if pr, err = who.Project(ctx, projectID); err != nil {
			return nil, "", err
		}
	} else if !who.IsAdmin() {
		return nil, "", engine.Forbidden()
	}
	vendor := shotsVendorOf(pr)
	if vendor != "" && kind == shotsScene {
		return nil, "", engine.Forbidden()
	}
	return pr, vendor, nil
}

// shotsFilteredList lists rows of kind matching query filters after
// Zou's project check; extraWhere may narrow further (parent, source).
func (s *Server) shotsFilteredList(ctx context.Context, who *access.Caller, kind string, q url.Values,
	extraWhere func(*bun.SelectQuery) *bun.SelectQuery) (int, any, error) {
	_, vendor, err := shotsListScope(ctx, who, kind, q)
	if err != nil {
		return 0, nil, err
	}
	filters, err := s.Engine.Filters(s.shotsEntities(), who.Principal, q)
	if err != nil {
		return 0, nil, err
	}
	var extra []engine.Extra
	if kind == shotsShot || kind == shotsScene {
		extra = shotsContextExtra()
	}
	b, err := s.Engine.Rows(ctx, s.DB, s.shotsEntities(), shotsView(kind, vendor, extra...), func(sq *bun.SelectQuery) *bun.SelectQuery {
		sq = filters(sq).Where(shotsTypeWhere, kind)
		if extraWhere != nil {
			sq = extraWhere(sq)
		}
		if vendor != "" {
			sq = sq.Where(shotsVendorScope(kind), vendor)
		}
		return sq.OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}

// shotsGetFull answers GET /data/<kind>s/<id>: the row with its context
// (project, sequence and episode names; a shot also its relations, frame
// keys and tasks).
func (s *Server) shotsGetFull(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		en, err := who.Entity(ctx, c.Param("id"), kind)
		if err != nil {
			return 0, nil, err
		}
		v := engine.View{TypeName: kind, Extra: []engine.Extra{{Key: "project_name", SQL: shotsProjectNameSQL, Kind: engine.KindText}}}
		switch kind {
		case shotsShot, shotsScene:
			v.Extra = append(v.Extra,
				engine.Extra{Key: "sequence_id", SQL: shotsParentIDSQL, Kind: engine.KindUUID},
				engine.Extra{Key: "sequence_name", SQL: shotsParentNameSQL, Kind: engine.KindText},
				engine.Extra{Key: "episode_id", SQL: shotsGrandIDSQL, Kind: engine.KindUUID},
				engine.Extra{Key: "episode_name", SQL: "COALESCE(" + shotsGrandNameSQL + ", '')", Kind: engine.KindText})
		case shotsSequence:
			v.Extra = append(v.Extra,
				engine.Extra{Key: "episode_id", SQL: shotsParentIDSQL, Kind: engine.KindUUID},
				engine.Extra{Key: "episode_name", SQL: "COALESCE(" + shotsParentNameSQL + ", '')", Kind: engine.KindText})
		}
		if kind == shotsShot {
			v.Relations = true
			v.Extra = append(v.Extra,
				engine.Extra{Key: "fps", SQL: "(t.data->'fps')::text", Kind: engine.KindJSON},
				engine.Extra{Key: "frame_in", SQL: "(t.data->'frame_in')::text", Kind: engine.KindJSON},
				engine.Extra{Key: "frame_out", SQL: "(t.data->'frame_out')::text", Kind: engine.KindJSON},
				engine.Extra{Key: "tasks", SQL: shotsTasksSQL, Args: []any{who.PersonID}, Kind: engine.KindJSON})
		}
		b, err := s.Engine.One(ctx, s.DB, s.shotsEntities(), v, en.EntityID)
		return http.StatusOK, b, err
	}
}

// shotsTaskView is Zou's detailed task list shape: the task with the names
// of its project, type, status, entity type and entity; assignees only
// with relations.
func shotsTaskView(relations bool) engine.View {
	return engine.View{Relations: relations, Extra: []engine.Extra{
		{Key: "project_name", SQL: "(SELECT p.name FROM project p WHERE p.id = t.project_id)", Kind: engine.KindText},
		{Key: "task_type_name", SQL: "(SELECT tt.name FROM task_type tt WHERE tt.id = t.task_type_id)", Kind: engine.KindText},
		{Key: "task_status_name", SQL: "(SELECT ts.name FROM task_status ts WHERE ts.id = t.task_status_id)", Kind: engine.KindText},
		{Key: "entity_type_name", SQL: "(SELECT et.name FROM entity e JOIN entity_type et ON et.id = e.entity_type_id WHERE e.id = t.entity_id)", Kind: engine.KindText},
		{Key: "entity_name", SQL: "(SELECT e.name FROM entity e WHERE e.id = t.entity_id)", Kind: engine.KindText},
	}}
}

// shotsTaskOrder is Zou's order of detailed task lists.
const shotsTaskOrder = `t.name, (SELECT p.name FROM project p WHERE p.id = t.project_id),
	(SELECT tt.name FROM task_type tt WHERE tt.id = t.task_type_id),
	(SELECT e.name FROM entity e WHERE e.id = t.entity_id), t.id`

func (s *Server) shotsTaskList(ctx context.Context, relations bool, where func(*bun.SelectQuery) *bun.SelectQuery) ([]byte, error) {
	return s.Engine.Rows(ctx, s.DB, s.Engine.Reg.MustCollection("tasks"), shotsTaskView(relations), func(q *bun.SelectQuery) *bun.SelectQuery {
		return where(q).OrderExpr(shotsTaskOrder)
	})
}

// shotsTasks answers GET /data/<kind>s/<id>/tasks: the tasks of the entity
// itself (?relations adds assignees where Zou reads it). A vendor sees the
// tasks of a sequence or an episode they are assigned to.
func (s *Server) shotsTasks(kind string, readsRelations bool) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		en, err := who.Entity(ctx, c.Param("id"), kind)
		if err != nil {
			return 0, nil, err
		}
		relations := readsRelations && boolQuery(c, "relations", false)
		onlyMine := en.IsVendor() && (kind == shotsSequence || kind == shotsEpisode)
		b, err := s.shotsTaskList(ctx, relations || onlyMine, func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("t.entity_id = ?", en.EntityID)
			if onlyMine {
				q = q.Where("EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = t.id AND a.person_id = ?)", who.PersonID)
			}
			return q
		})
		return http.StatusOK, b, err
	}
}

// shotsChildTasks answers /data/<kind>s/<id>/shot-tasks and
// /data/episodes/<id>/asset-tasks: tasks of the shots below the entity, or
// of the assets it is the source of. Vendors are refused, as in Zou.
func (s *Server) shotsChildTasks(kind, of string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		en, err := who.Entity(ctx, c.Param("id"), kind)
		if err != nil {
			return 0, nil, err
		}
		if err := en.RefuseVendor(); err != nil {
			return 0, nil, err
		}
		var cond string
		switch {
		case of == "assets":
			cond = `EXISTS (SELECT 1 FROM entity e JOIN entity_type et ON et.id = e.entity_type_id WHERE e.id = t.entity_id
				AND e.source_id = ? AND et.name NOT IN ('Shot', 'Sequence', 'Episode', 'Scene', 'Edit', 'Concept'))`
		case kind == shotsSequence:
			cond = "EXISTS (SELECT 1 FROM entity e WHERE e.id = t.entity_id AND e.parent_id = ?)"
		default:
			cond = "EXISTS (SELECT 1 FROM entity e JOIN entity sq ON sq.id = e.parent_id WHERE e.id = t.entity_id AND sq.parent_id = ?)"
		}
		b, err := s.shotsTaskList(ctx, boolQuery(c, "relations", false), func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(cond, en.EntityID)
		})
		return http.StatusOK, b, err
	}
}

// shotsTaskTypes answers /data/<kind>s/<id>/task-types: task types having
// tasks on the shot or scene itself, and, as Zou computes it, on the shots
// of a sequence or of an episode's sequences. Each type once (Zou repeats
// a type per task for shots and scenes).
func (s *Server) shotsTaskTypes(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		en, err := who.Entity(ctx, c.Param("id"), kind)
		if err != nil {
			return 0, nil, err
		}
		cond := "EXISTS (SELECT 1 FROM task x WHERE x.task_type_id = t.id AND x.entity_id = ?)"
		switch kind {
		case shotsSequence:
			cond = "EXISTS (SELECT 1 FROM task x JOIN entity e ON e.id = x.entity_id WHERE x.task_type_id = t.id AND e.parent_id = ?)"
		case shotsEpisode:
			cond = `EXISTS (SELECT 1 FROM task x JOIN entity e ON e.id = x.entity_id JOIN entity sq ON sq.id = e.parent_id
				WHERE x.task_type_id = t.id AND sq.parent_id = ?)`
		}
		b, err := s.Engine.Rows(ctx, s.DB, s.Engine.Reg.MustCollection("task-types"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(cond, en.EntityID).OrderExpr("t.priority, t.name, t.id")
		})
		return http.StatusOK, b, err
	}
}

// shotsVersions answers /data/shots/<id>/versions: stored states of the
// shot, newest first, typed ShotVersion as in Zou.
func (s *Server) shotsVersions(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), shotsShot)
	if err != nil {
		return 0, nil, err
	}
	b, err := engine.QueryJSON(ctx, s.DB, `SELECT v.id, v.created_at, v.updated_at, v.name, v.data, v.entity_id, v.person_id,
		'ShotVersion' AS type FROM entity_version v WHERE v.entity_id = ? ORDER BY v.created_at DESC, v.id`, en.EntityID)
	return http.StatusOK, b, err
}

// shotsEpisodeShots answers /data/episodes/<id>/shots: shots of the
// episode's sequences (?relations), masked for vendors.
func (s *Server) shotsEpisodeShots(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), shotsEpisode)
	if err != nil {
		return 0, nil, err
	}
	v := shotsView(shotsShot, shotsVendorOf(en.Project))
	v.Relations = boolQuery(c, "relations", false)
	b, err := s.Engine.Rows(ctx, s.DB, s.shotsEntities(), v, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where(shotsTypeWhere, shotsShot).
			Where("t.parent_id IN (SELECT sq.id FROM entity sq WHERE sq.parent_id = ?)", en.EntityID).OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}

// shotsEpisodeSequences answers /data/episodes/<id>/sequences: the
// episode's sequences with the query filters; a vendor gets those they
// work on, masked. Zou answers [] for a malformed id.
func (s *Server) shotsEpisodeSequences(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if !engine.IsUUID(c.Param("id")) {
		return http.StatusOK, []byte("[]"), nil
	}
	en, err := shotsTyped(ctx, who, c.Param("id"), shotsEpisode)
	if err != nil {
		return 0, nil, err
	}
	q := c.Request.URL.Query()
	q.Set("project_id", en.ID)
	q.Set("parent_id", en.EntityID)
	return s.shotsFilteredList(ctx, who, shotsSequence, q, nil)
}

// shotsSequenceShots answers /data/sequences/<id>/shots: the sequence's
// shots with the query filters (vendors: those they work on).
func (s *Server) shotsSequenceShots(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := shotsTyped(ctx, who, c.Param("id"), shotsSequence)
	if err != nil {
		return 0, nil, err
	}
	q := c.Request.URL.Query()
	q.Set("project_id", en.ID)
	q.Set("parent_id", en.EntityID)
	return s.shotsFilteredList(ctx, who, shotsShot, q, nil)
}

// shotsSequenceScenes answers /data/sequences/<id>/scenes, masked for vendors.
func (s *Server) shotsSequenceScenes(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), shotsSequence)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, s.DB, s.shotsEntities(), shotsView(shotsScene, shotsVendorOf(en.Project)), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where(shotsTypeWhere, shotsScene).Where("t.parent_id = ?", en.EntityID).OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}

// shotsSceneShots answers GET /data/scenes/<id>/shots: shots whose source
// is the scene, listed like /data/shots.
func (s *Server) shotsSceneShots(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), shotsScene)
	if err != nil {
		return 0, nil, err
	}
	q := url.Values{"project_id": {en.ID}, "source_id": {en.EntityID}}
	return s.shotsFilteredList(ctx, who, shotsShot, q, nil)
}

// shotsSceneAddShot answers POST /data/scenes/<id>/shots {shot_id}: the shot
// now comes from the scene. Zou accepts a shot of another production; here
// that is a 400.
func (s *Server) shotsSceneAddShot(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	scene, err := who.Entity(ctx, c.Param("id"), shotsScene)
	if err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	shotID, err := idField(body, "shot_id")
	if err != nil {
		return 0, nil, err
	}
	if shotID == "" {
		return 0, nil, engine.BadRequest("The field shot_id is missing.")
	}
	shot, err := shotsTyped(ctx, who, shotID, shotsShot)
	if err != nil {
		return 0, nil, err
	}
	if shot.ID != scene.ID {
		return 0, nil, engine.BadRequest("The shot does not belong to the scene's project.")
	}
	b, err := s.shotsSetSource(ctx, shot.EntityID, scene.EntityID)
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "shot:update", map[string]any{"shot_id": shot.EntityID}, scene.ID)
	s.publish(ctx, "shot:add-to-scene", map[string]any{"scene_id": scene.EntityID, "shot_id": shot.EntityID}, scene.ID)
	return http.StatusCreated, b, nil
}

// shotsSceneRemoveShot answers DELETE /data/scenes/<id>/shots/<shot_id>.
func (s *Server) shotsSceneRemoveShot(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	scene, err := who.Entity(ctx, c.Param("id"), shotsScene)
	if err != nil {
		return 0, nil, err
	}
	shot, err := shotsTyped(ctx, who, c.Param("shot_id"), shotsShot)
	if err != nil {
		return 0, nil, err
	}
	if shot.ID != scene.ID {
		return 0, nil, engine.NotFound()
	}
	if _, err := s.shotsSetSource(ctx, shot.EntityID, ""); err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "shot:update", map[string]any{"shot_id": shot.EntityID}, scene.ID)
	s.publish(ctx, "shot:remove-from-scene", map[string]any{"scene_id": scene.EntityID, "shot_id": shot.EntityID}, scene.ID)
	return http.StatusNoContent, nil, nil
}

func (s *Server) shotsSetSource(ctx context.Context, shotID, sourceID string) ([]byte, error) {
	var src any
	if sourceID != "" {
		src = sourceID
	}
	_, err := s.DB.NewRaw("UPDATE entity SET source_id = ?, updated_at = now() AT TIME ZONE 'UTC' WHERE id = ?", src, shotID).Exec(ctx)
	if err != nil {
		return nil, engine.FromDB(err)
	}
	return s.Engine.One(ctx, s.DB, s.shotsEntities(), shotsView(shotsShot, ""), shotID)
}

// shotsDelete answers DELETE /data/<kind>s/<id> (?force=true): creator or
// project manager; with tasks and no force the entity is only canceled.
func (s *Server) shotsDelete(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		en, err := shotsTyped(ctx, who, c.Param("id"), kind)
		if err != nil {
			return 0, nil, err
		}
		if err := shotsDeleteAllowed(en); err != nil {
			return 0, nil, err
		}
		if err := s.removeEntity(ctx, en, boolQuery(c, "force", false), true); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, nil
	}
}
