package routes

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/models"
)

// shotsEpisodeStatuses are the statuses an episode may have; Zou silently
// falls back to running for any other.
var shotsEpisodeStatuses = []string{"running", "complete", "standby", "canceled"}

// shotsFrameKeys are the data keys holding frame numbers, checked like nb_frames.
var shotsFrameKeys = []string{"frame_in", "frame_out"}

// shotsCheckFrames refuses a negative or fractional nb_frames and frame
// numbers in data that are not non-negative integers (Zou stores anything
// and breaks the frame ranges Kitsu computes).
func shotsCheckFrames(body map[string]json.RawMessage) error {
	if raw, ok := body["nb_frames"]; ok && strings.TrimSpace(string(raw)) != "null" {
		if _, ok := shotsFrameNumber(raw, false); !ok {
			return engine.BadRequest("Invalid value for nb_frames: expected a non-negative integer.")
		}
	}
	raw, ok := body["data"]
	if !ok || strings.TrimSpace(string(raw)) == "null" {
		return nil
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(raw, &data); err != nil {
		return engine.BadRequest("Invalid value for data: expected a JSON object.")
	}
	for _, k := range shotsFrameKeys {
		v, ok := data[k]
		if !ok || strings.TrimSpace(string(v)) == "null" || strings.TrimSpace(string(v)) == `""` {
			continue
		}
		if _, ok := shotsFrameNumber(v, true); !ok {
			return engine.BadRequest(fmt.Sprintf("Invalid value for data.%s: expected a non-negative integer.", k))
		}
	}
	return nil
}

// shotsFrameNumber reads a non-negative integer; Kitsu sends frame numbers
// in data as strings too, so digits in a string pass when strings is set.
func shotsFrameNumber(raw json.RawMessage, strings bool) (int64, bool) {
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		if f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
			return 0, false
		}
		return int64(f), true
	}
	var s string
	if !strings || json.Unmarshal(raw, &s) != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	return n, err == nil && n >= 0
}

// shotsCreate answers POST /data/projects/<id>/<kind>s: get-or-create by
// (type, project, parent, name) as Zou does, 201 either way; the event only
// for a new row.
func (s *Server) shotsCreate(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		ctx := c.Request.Context()
		pr, err := who.ManagerOf(ctx, c.Param("id"))
		if err != nil {
			return 0, nil, err
		}
		body, err := bodyObject(c)
		if err != nil {
			return 0, nil, err
		}
		name, err := requiredString(body, "name")
		if err != nil {
			return 0, nil, err
		}
		values := map[string]any{"name": name, "project_id": pr.ID}
		for _, k := range []string{"description"} {
			v, ok, err := field[string](body, k)
			if err != nil {
				return 0, nil, err
			}
			if ok {
				values[k] = v
			} else if kind == shotsSequence || kind == shotsEpisode {
				values[k] = ""
			}
		}
		if kind != shotsScene {
			data, ok, err := field[map[string]any](body, "data")
			if err != nil {
				return 0, nil, engine.BadRequest("Invalid value for data: expected a JSON object.")
			}
			if !ok {
				data = map[string]any{}
			}
			values["data"] = data
		} else {
			values["data"] = map[string]any{}
		}
		parentKey := map[string]string{shotsShot: "sequence_id", shotsScene: "sequence_id", shotsSequence: "episode_id"}[kind]
		parentID := ""
		if parentKey != "" {
			if parentID, err = idField(body, parentKey); err != nil {
				return 0, nil, err
			}
		}
		switch kind {
		case shotsShot:
			if err := shotsCheckFrames(body); err != nil {
				return 0, nil, err
			}
			nb, ok, err := field[int](body, "nb_frames")
			if err != nil {
				return 0, nil, err
			}
			if ok {
				values["nb_frames"] = nb
			}
		case shotsEpisode:
			status, _, err := field[string](body, "status")
			if err != nil {
				return 0, nil, err
			}
			if !containsStr(shotsEpisodeStatuses, status) {
				status = "running"
			}
			values["status"] = status
		}
		episodeID := ""
		if parentID != "" {
			parentKind := shotsSequence
			if kind == shotsSequence {
				parentKind = shotsEpisode
			}
			parent, err := shotsTyped(ctx, who, parentID, parentKind)
			if err != nil {
				return 0, nil, err
			}
			if parent.ID != pr.ID {
				return 0, nil, engine.BadRequest(fmt.Sprintf("The %s belongs to another project.", strings.ToLower(parentKind)))
			}
			values["parent_id"] = parentID
			episodeID = parent.ParentID
		}
		id, created, err := s.shotsGetOrCreate(ctx, who, kind, values)
		if err != nil {
			return 0, nil, err
		}
		if created {
			lower := strings.ToLower(kind)
			data := map[string]any{lower + "_id": id}
			if kind == shotsShot {
				var ep any
				if episodeID != "" {
					ep = episodeID
				}
				data["episode_id"] = ep
			}
			s.publish(ctx, lower+":new", data, pr.ID)
		}
		b, err := s.Engine.One(ctx, s.DB, s.shotsEntities(), shotsView(kind, ""), id)
		return http.StatusCreated, b, err
	}
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// shotsGetOrCreate returns the entity of kind with the same project,
// parent and name, or inserts one. A transaction-scoped advisory lock on
// that key makes two simultaneous creations settle on one row.
func (s *Server) shotsGetOrCreate(ctx context.Context, who *access.Caller, kind string, values map[string]any) (string, bool, error) {
	var id string
	created := false
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		typeID, err := models.EntityTypeID(ctx, tx, kind)
		if err != nil {
			return err
		}
		parent, _ := values["parent_id"].(string)
		key := fmt.Sprintf("%s/%s/%s/%s", values["project_id"], typeID, parent, values["name"])
		if _, err := tx.NewRaw("SELECT pg_advisory_xact_lock(hashtext(?))", key).Exec(ctx); err != nil {
			return fmt.Errorf("lock %s: %w", key, err)
		}
		var ids []string
		err = tx.NewRaw(`SELECT id::text FROM entity WHERE entity_type_id = ? AND project_id = ?
			AND parent_id IS NOT DISTINCT FROM ?::uuid AND name = ? LIMIT 1`,
			typeID, values["project_id"], nullIfEmpty(parent), values["name"]).Scan(ctx, &ids)
		if err != nil {
			return fmt.Errorf("find %s: %w", kind, err)
		}
		if len(ids) > 0 {
			id = ids[0]
			return nil
		}
		values["entity_type_id"] = typeID
		body, err := engine.Values(values)
		if err != nil {
			return err
		}
		id, _, err = s.Engine.Insert(ctx, tx, s.shotsEntities(), who.Principal, body)
		created = err == nil
		return err
	})
	if err != nil {
		return "", false, engine.FromDB(err)
	}
	return id, created, nil
}

// shotsUpdate answers PUT /data/shots/<id> (project manager): the body's
// columns except those Zou strips; data is merged as on /data/entities.
func (s *Server) shotsUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := shotsTyped(ctx, who, c.Param("id"), shotsShot)
	if err != nil {
		return 0, nil, err
	}
	if !en.Readable() {
		return 0, nil, engine.NotFound()
	}
	if err := en.RequireManager(); err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	for _, k := range []string{"id", "created_at", "updated_at", "instance_casting", "project_id", "entities_in",
		"entities_out", "type", "shotgun_id", "created_by", "entity_type_id"} {
		delete(body, k)
	}
	if err := shotsCheckFrames(body); err != nil {
		return 0, nil, err
	}
	if raw, ok := body["parent_id"]; ok && strings.TrimSpace(string(raw)) != "null" {
		parentID, err := idField(body, "parent_id")
		if err != nil {
			return 0, nil, err
		}
		parent, err := shotsTyped(ctx, who, parentID, shotsSequence)
		if err != nil {
			return 0, nil, engine.BadRequest("parent_id is not a sequence of this project.")
		}
		if parent.ID != en.ID {
			return 0, nil, engine.BadRequest("parent_id is not a sequence of this project.")
		}
	}
	if _, err := s.Engine.Patch(ctx, s.DB, s.shotsEntities(), who.Principal, en.EntityID, body); err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "shot:update", map[string]any{"shot_id": en.EntityID}, en.ID)
	b, err := s.Engine.One(ctx, s.DB, s.shotsEntities(), shotsView(shotsShot, ""), en.EntityID)
	return http.StatusOK, b, err
}
