package routes

import (
	"encoding/json"
	"fmt"
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
// the shots and tasks they are assigned to, masked. ?compact=true answers
// positional rows, ?stream=true NDJSON (a header line, then a line per row).
func (s *Server) shotsWithTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	for _, k := range []string{"project_id", "id", "episode_id"} {
		if v := q.Get(k); v != "" && !(k == "episode_id" && v == "all") && !engine.IsUUID(v) {
			return 0, nil, engine.BadRequest("Invalid id format for " + k + ".")
		}
	}
	pr, vendor, err := shotsListScope(ctx, who, shotsShot, q)
	if err != nil {
		return 0, nil, err
	}
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
	if err != nil {
		return 0, nil, err
	}
	stream, compact := boolQuery(c, "stream", false), boolQuery(c, "compact", false)
	if !stream && !compact {
		return http.StatusOK, b, nil
	}
	out, err := shotsRowsAnswer(b, stream, compact)
	if err != nil {
		return 0, nil, err
	}
	if stream {
		// The adapter keeps a content type set before it writes.
		c.Header("Content-Type", "application/x-ndjson")
	}
	return http.StatusOK, out, nil
}

// Positional field orders of Zou's compact shots-with-tasks answer.
var (
	shotsCompactShotFields = []string{"canceled", "data", "description", "entity_type_id", "episode_id", "episode_name", "fps",
		"frame_in", "frame_out", "id", "name", "nb_frames", "parent_id", "preview_file_id", "project_id", "project_name",
		"sequence_id", "sequence_name", "source_id", "nb_entities_out", "is_casting_standby", "type", "tasks"}
	shotsCompactTaskFields = []string{"id", "duration", "due_date", "end_date", "done_date", "entity_id", "estimation",
		"is_subscribed", "last_comment_date", "last_preview_file_id", "nb_assets_ready", "priority", "real_start_date",
		"retake_count", "start_date", "difficulty", "nb_drawings", "task_status_id", "task_type_id", "assignees", "data"}
)

// shotsRowsAnswer reshapes a JSON array of shots with tasks into Zou's
// rows answer: {compact, [shot_fields, task_fields,] rows}, or the same as
// NDJSON lines when streamed.
func shotsRowsAnswer(list []byte, stream, compact bool) ([]byte, error) {
	var shots []map[string]json.RawMessage
	if err := json.Unmarshal(list, &shots); err != nil {
		return nil, fmt.Errorf("shots with tasks: %w", err)
	}
	header := map[string]any{"compact": compact}
	if compact {
		header["shot_fields"] = shotsCompactShotFields
		header["task_fields"] = shotsCompactTaskFields
	}
	rows := make([]json.RawMessage, 0, len(shots))
	for _, shot := range shots {
		if !compact {
			b, err := json.Marshal(shot)
			if err != nil {
				return nil, err
			}
			rows = append(rows, b)
			continue
		}
		var tasks []map[string]json.RawMessage
		if err := json.Unmarshal(shot["tasks"], &tasks); err != nil {
			return nil, fmt.Errorf("tasks of a shot: %w", err)
		}
		positional := make([][]json.RawMessage, len(tasks))
		for i, task := range tasks {
			positional[i] = shotsPick(task, shotsCompactTaskFields)
		}
		b, err := json.Marshal(positional)
		if err != nil {
			return nil, err
		}
		shot["tasks"] = b
		if b, err = json.Marshal(shotsPick(shot, shotsCompactShotFields)); err != nil {
			return nil, err
		}
		rows = append(rows, b)
	}
	if !stream {
		header["rows"] = rows
		return json.Marshal(header)
	}
	out, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	out = append(out, '\n')
	for _, r := range rows {
		out = append(append(out, r...), '\n')
	}
	return out, nil
}

// shotsPick lists an object's values in a field order (null when missing).
func shotsPick(obj map[string]json.RawMessage, fields []string) []json.RawMessage {
	out := make([]json.RawMessage, len(fields))
	for i, f := range fields {
		if v, ok := obj[f]; ok {
			out[i] = v
		} else {
			out[i] = json.RawMessage("null")
		}
	}
	return out
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
		pr, vendor, err := shotsListScope(ctx, who, kind, q)
		if err != nil {
			return 0, nil, err
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
