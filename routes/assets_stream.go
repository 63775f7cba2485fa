package routes

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Kitsu's options for GET /data/assets/with-tasks: compact=true writes each
// asset and task as a positional array (field names in the header), and
// stream=true answers NDJSON: the header on the first line, then one asset
// per line. Without stream the header keys and "rows" form one JSON object.

// assetsCompactFields are Zou's ASSETS_AND_TASKS_ASSET_FIELDS, in order.
var assetsCompactFields = []string{"id", "name", "preview_file_id", "description", "asset_type_name", "asset_type_id",
	"canceled", "ready_for", "episode_id", "casting_episode_ids", "is_casting_standby", "is_shared", "data", "tasks"}

// assetsCompactTaskFields are Zou's ASSETS_AND_TASKS_TASK_FIELDS, in order.
var assetsCompactTaskFields = []string{"id", "due_date", "done_date", "duration", "entity_id", "estimation", "end_date",
	"is_subscribed", "last_comment_date", "last_preview_file_id", "priority", "real_start_date", "retake_count",
	"start_date", "difficulty", "task_status_id", "task_type_id", "assignees", "data"}

// assetsWithTasksHandler serves the plain list through the route adapter,
// and the compact or streamed shapes itself (they are not one JSON value).
func (s *Server) assetsWithTasksHandler() gin.HandlerFunc {
	plain := s.route(s.assetsWithTasks)
	return func(c *gin.Context) {
		stream, compact := c.Query("stream") == "true", c.Query("compact") == "true"
		if !stream && !compact {
			plain(c)
			return
		}
		p := engine.PrincipalFrom(c)
		if p == nil {
			engine.WriteError(c, engine.Status(http.StatusUnauthorized, "Missing authentication."))
			return
		}
		_, body, err := s.assetsWithTasks(c, access.New(s.DB, p))
		if err != nil {
			engine.WriteError(c, err)
			return
		}
		rows, err := assetsShapeRows(body.([]byte), compact)
		if err != nil {
			engine.WriteError(c, err)
			return
		}
		header := map[string]any{"compact": compact}
		if compact {
			header["asset_fields"], header["task_fields"] = assetsCompactFields, assetsCompactTaskFields
		}
		if !stream {
			header["rows"] = rows
			c.JSON(http.StatusOK, header)
			return
		}
		out, err := json.Marshal(header)
		if err != nil {
			engine.WriteError(c, fmt.Errorf("encode header: %w", err))
			return
		}
		out = append(out, '\n')
		for _, r := range rows {
			out = append(out, r...)
			out = append(out, '\n')
		}
		c.Data(http.StatusOK, "application/x-ndjson", out)
	}
}

// assetsShapeRows splits the JSON list into rows, as positional arrays when compact.
func assetsShapeRows(list []byte, compact bool) ([]json.RawMessage, error) {
	if !compact {
		var rows []json.RawMessage
		if err := json.Unmarshal(list, &rows); err != nil {
			return nil, fmt.Errorf("split assets: %w", err)
		}
		return rows, nil
	}
	var assets []map[string]json.RawMessage
	if err := json.Unmarshal(list, &assets); err != nil {
		return nil, fmt.Errorf("split assets: %w", err)
	}
	rows := make([]json.RawMessage, len(assets))
	for i, a := range assets {
		var tasks []map[string]json.RawMessage
		if err := json.Unmarshal(a["tasks"], &tasks); err != nil {
			return nil, fmt.Errorf("split tasks: %w", err)
		}
		compactTasks := make([]json.RawMessage, len(tasks))
		for j, t := range tasks {
			b, err := assetsPositional(t, assetsCompactTaskFields)
			if err != nil {
				return nil, err
			}
			compactTasks[j] = b
		}
		tb, err := json.Marshal(compactTasks)
		if err != nil {
			return nil, fmt.Errorf("encode tasks: %w", err)
		}
		a["tasks"] = tb
		if rows[i], err = assetsPositional(a, assetsCompactFields); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// assetsPositional writes the values of m in the order of fields (null when absent).
func assetsPositional(m map[string]json.RawMessage, fields []string) (json.RawMessage, error) {
	vals := make([]json.RawMessage, len(fields))
	for i, f := range fields {
		if v, ok := m[f]; ok {
			vals[i] = v
		} else {
			vals[i] = json.RawMessage("null")
		}
	}
	b, err := json.Marshal(vals)
	if err != nil {
		return nil, fmt.Errorf("encode compact row: %w", err)
	}
	return b, nil
}
