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

// shotsPreviewRow is one preview of a shot's task, as the query yields it.
type shotsPreviewRow struct {
	TaskID     string          `bun:"task_id"`
	TaskTypeID string          `bun:"task_type_id"`
	Revision   *int            `bun:"revision"`
	Full       json.RawMessage `bun:"full,type:jsonb"` // every key, for the "previews" of a revision
	Head       json.RawMessage `bun:"head,type:jsonb"` // the keys of the first preview of a revision
}

// shotsPreviewKeysSQL are the keys of a preview in Zou's per-entity answer.
const shotsPreviewKeysSQL = `'id', pf.id, 'revision', pf.revision, 'original_name', pf.original_name,
	'extension', pf.extension, 'width', pf.width, 'height', pf.height, 'duration', COALESCE(pf.duration, 0)::float8,
	'status', pf.status, 'annotations', pf.annotations, 'created_at', to_char(pf.created_at, 'YYYY-MM-DD"T"HH24:MI:SS'),
	'task_id', pf.task_id, 'original_width', pf.data->'original_width', 'original_height', pf.data->'original_height',
	'original_duration', pf.data->'original_duration', 'original_file_size', pf.data->'original_file_size'`

// shotsPreviewFiles answers GET /data/shots/<id>/preview-files: the shot's
// previews by task type id, newest revision first; the other files of a
// revision (its pages or takes) nested under its first one.
func (s *Server) shotsPreviewFiles(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), shotsShot)
	if err != nil {
		return 0, nil, err
	}
	var rows []shotsPreviewRow
	err = s.DB.NewRaw(`SELECT x.id::text AS task_id, x.task_type_id::text AS task_type_id, pf.revision,
			jsonb_build_object(`+shotsPreviewKeysSQL+`, 'position', pf.position, 'task_type_id', x.task_type_id) AS full,
			jsonb_build_object(`+shotsPreviewKeysSQL+`) AS head
		FROM task x JOIN preview_file pf ON pf.task_id = x.id JOIN task_type tt ON tt.id = x.task_type_id
		WHERE x.entity_id = ?
		ORDER BY tt.priority DESC NULLS LAST, tt.name, x.id, pf.revision DESC NULLS LAST, pf.created_at, pf.id`, en.EntityID).Scan(ctx, &rows)
	if err != nil {
		return 0, nil, engine.FromDB(fmt.Errorf("previews of %s: %w", en.EntityID, err))
	}
	type head struct {
		obj      map[string]json.RawMessage
		previews []json.RawMessage
	}
	out := map[string][]map[string]json.RawMessage{}
	var task string
	var heads []*head
	byRevision := map[int]*head{}
	flush := func(typeID string) error {
		if task == "" {
			return nil
		}
		list := make([]map[string]json.RawMessage, 0, len(heads))
		for _, h := range heads {
			p, err := json.Marshal(h.previews)
			if err != nil {
				return err
			}
			if h.previews == nil {
				p = []byte("[]")
			}
			h.obj["previews"] = p
			list = append(list, h.obj)
		}
		// As in Zou, a later task of the same type replaces an earlier one.
		out[typeID] = list
		return nil
	}
	prevType := ""
	for _, r := range rows {
		if r.TaskID != task {
			if err := flush(prevType); err != nil {
				return 0, nil, err
			}
			task, prevType, heads, byRevision = r.TaskID, r.TaskTypeID, nil, map[int]*head{}
		}
		rev := -1
		if r.Revision != nil {
			rev = *r.Revision
		}
		if h, ok := byRevision[rev]; ok {
			h.previews = append(h.previews, r.Full)
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(r.Head, &obj); err != nil {
			return 0, nil, fmt.Errorf("preview row: %w", err)
		}
		h := &head{obj: obj}
		byRevision[rev] = h
		heads = append(heads, h)
	}
	if err := flush(prevType); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// shotsAssets answers GET /data/shots/<id>/assets: the assets cast in the
// shot, typed Asset, by name.
func (s *Server) shotsAssets(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), shotsShot)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, s.DB, s.shotsEntities(), engine.View{TypeName: "Asset"}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.id IN (SELECT l.entity_out_id FROM entity_link l WHERE l.entity_in_id = ?)", en.EntityID).OrderExpr("t.name, t.id")
	})
	return http.StatusOK, b, err
}
