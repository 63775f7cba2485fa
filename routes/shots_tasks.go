package routes

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// shotsWithTasksFields are the shot keys of Zou's /data/shots/with-tasks rows.
var shotsWithTasksFields = []string{"canceled", "data", "description", "entity_type_id", "id", "name", "nb_frames",
	"parent_id", "preview_file_id", "project_id", "source_id", "nb_entities_out", "is_casting_standby"}

// shotsWithTasks answers GET /data/shots/with-tasks (?project_id, ?id,
// ?episode_id): shots with their sequence, episode and project names and
// their tasks, all in one query (tasks nested with json_agg). Vendors get
// the shots and tasks they are assigned to, masked. The stream and compact
// variants of Zou are not served: their flags are ignored.
func (s *Server) shotsWithTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	for _, k := range []string{"project_id", "id", "episode_id"} {
		if v := q.Get(k); v != "" && !(k == "episode_id" && v == "all") && !engine.IsUUID(v) {
			return 0, nil, engine.BadRequest("Invalid id format for " + k + ".")
		}
	}
	var pr *access.Project
	if projectID := q.Get("project_id"); projectID != "" {
		var err error
		if pr, err = who.Project(ctx, projectID); err != nil {
			return 0, nil, err
		}
	} else if !who.IsAdmin() {
		return 0, nil, engine.Forbidden()
	}
	vendor := shotsVendorOf(pr)
	v := shotsView(shotsShot, vendor, shotsContextExtra()...)
	v.Fields = shotsWithTasksFields
	v.Extra = append(v.Extra,
		engine.Extra{Key: "sequence_id", SQL: shotsParentIDSQL, Kind: engine.KindUUID},
		engine.Extra{Key: "episode_id", SQL: shotsGrandIDSQL, Kind: engine.KindUUID},
		engine.Extra{Key: "episode_name", SQL: "COALESCE(" + shotsGrandNameSQL + ", '')", Kind: engine.KindText},
		engine.Extra{Key: "fps", SQL: "(t.data->'fps')::text", Kind: engine.KindJSON},
		engine.Extra{Key: "frame_in", SQL: "(t.data->'frame_in')::text", Kind: engine.KindJSON},
		engine.Extra{Key: "frame_out", SQL: "(t.data->'frame_out')::text", Kind: engine.KindJSON})
	if vendor != "" {
		v.Extra = append(v.Extra, engine.Extra{Key: "tasks", SQL: shotsMyTasksSQL, Args: []any{who.PersonID, who.PersonID}, Kind: engine.KindJSON})
	} else {
		v.Extra = append(v.Extra, engine.Extra{Key: "tasks", SQL: shotsTasksSQL, Args: []any{who.PersonID}, Kind: engine.KindJSON})
	}
	b, err := s.Engine.Rows(ctx, s.DB, s.shotsEntities(), v, func(sq *bun.SelectQuery) *bun.SelectQuery {
		// As Zou, a shot outside any sequence is not listed here.
		sq = sq.Where(shotsTypeWhere, shotsShot).Where("EXISTS (SELECT 1 FROM entity sq WHERE sq.id = t.parent_id)")
		if pr != nil {
			sq = sq.Where("t.project_id = ?", pr.ID)
		}
		if id := q.Get("id"); id != "" {
			sq = sq.Where("t.id = ?", id)
		}
		if ep := q.Get("episode_id"); ep != "" && ep != "all" {
			sq = sq.Where("t.parent_id IN (SELECT sq.id FROM entity sq WHERE sq.parent_id = ?)", ep)
		}
		if vendor != "" {
			sq = sq.Where(shotsAssignedWhere, vendor)
		}
		return sq.OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}

// shotsEntitiesWithTasks answers /data/<kind>s/with-tasks for sequences,
// episodes and scenes (?project_id, ?episode_id = parent): Zou's short
// entity rows with their tasks, in one query. Vendors see the sequences and
// episodes they work on with only their own tasks, and no scenes.
func (s *Server) shotsEntitiesWithTasks(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		q := c.Request.URL.Query()
		for _, k := range []string{"project_id", "episode_id"} {
			if v := q.Get(k); v != "" && v != "all" && !engine.IsUUID(v) {
				return 0, nil, engine.BadRequest("Invalid id format for " + k + ".")
			}
		}
		var pr *access.Project
		if projectID := q.Get("project_id"); projectID != "" {
			var err error
			if pr, err = who.Project(ctx, projectID); err != nil {
				return 0, nil, err
			}
		} else if !who.IsAdmin() {
			return 0, nil, engine.Forbidden()
		}
		vendor := shotsVendorOf(pr)
		if vendor != "" && kind == shotsScene {
			return 0, nil, engine.Forbidden()
		}
		if q.Get("episode_id") == "all" {
			return http.StatusOK, []byte("[]"), nil
		}
		v := shotsView(kind, vendor,
			engine.Extra{Key: "episode_id", SQL: "t.parent_id", Kind: engine.KindUUID},
			engine.Extra{Key: "preview_file_id", SQL: "COALESCE(t.preview_file_id::text, '')", Kind: engine.KindText},
			engine.Extra{Key: "fps", SQL: "(t.data->'fps')::text", Kind: engine.KindJSON},
			engine.Extra{Key: "frame_in", SQL: "(t.data->'frame_in')::text", Kind: engine.KindJSON},
			engine.Extra{Key: "frame_out", SQL: "(t.data->'frame_out')::text", Kind: engine.KindJSON})
		v.Fields = []string{"id", "name", "status", "description", "canceled", "data"}
		if vendor != "" {
			v.Extra = append(v.Extra, engine.Extra{Key: "tasks", SQL: shotsMyTasksSQL, Args: []any{who.PersonID, who.PersonID}, Kind: engine.KindJSON})
		} else {
			v.Extra = append(v.Extra, engine.Extra{Key: "tasks", SQL: shotsTasksSQL, Args: []any{who.PersonID}, Kind: engine.KindJSON})
		}
		b, err := s.Engine.Rows(ctx, s.DB, s.shotsEntities(), v, func(sq *bun.SelectQuery) *bun.SelectQuery {
			sq = sq.Where(shotsTypeWhere, kind)
			if pr != nil {
				sq = sq.Where("t.project_id = ?", pr.ID)
			}
			if ep := q.Get("episode_id"); ep != "" {
				sq = sq.Where("t.parent_id = ?", ep)
			}
			if vendor != "" {
				sq = sq.Where(shotsVendorScope(kind), vendor)
			}
			return sq.OrderExpr("t.name, t.id")
		})
		return http.StatusOK, b, err
	}
}
