package routes

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/models"
)

// mountBreakdown adds the routes of one area. Breakdown: casting of shots, episodes and assets, entity links (routes.md § Breakdown / casting).
func (s *Server) mountBreakdown(r gin.IRouter) {
	r.GET("/data/projects/:id/entities/:entity_id/casting", s.route(s.breakdownEntityCastingGet))
	r.PUT("/data/projects/:id/entities/:entity_id/casting", s.route(s.breakdownEntityCastingPut))
	r.PUT("/data/projects/:id/entities/casting", s.route(s.breakdownEntitiesCastingPut))
	r.GET("/data/projects/:id/asset-types/:asset_type_id/casting", s.route(s.breakdownAssetTypeCasting))
	r.GET("/data/projects/:id/episodes/casting", s.route(s.breakdownEpisodesCasting))
	r.GET("/data/projects/:id/sequences/:sequence_id/casting", s.route(s.breakdownSequenceCasting))
	r.GET("/data/projects/:id/episodes/:episode_id/sequences/all/casting", s.route(s.breakdownShotsCasting))
	r.GET("/data/projects/:id/sequences/all/casting", s.route(s.breakdownShotsCasting))
	r.GET("/data/projects/:id/entity-links", s.route(s.breakdownEntityLinks))
	r.DELETE("/data/projects/:id/entity-links/:entity_link_id", s.route(s.breakdownEntityLinkDelete))
	r.GET("/data/asset-instances", s.route(s.breakdownInstancesList))
	r.GET("/data/scenes/:id/asset-instances", s.route(s.breakdownSceneInstances))
	r.POST("/data/scenes/:id/asset-instances", s.route(s.breakdownSceneAddInstance))
	r.GET("/data/scenes/:id/camera-instances", s.route(s.breakdownSceneCameras))
	r.GET("/data/shots/:id/asset-instances", s.route(s.breakdownShotInstances))
	r.POST("/data/shots/:id/asset-instances", s.route(s.breakdownShotAddInstance))
	r.DELETE("/data/shots/:id/asset-instances/:asset_instance_id", s.route(s.breakdownShotRemoveInstance))
}

// breakdownCast is one entry of a casting body.
type breakdownCast struct {
	AssetID      string `json:"asset_id"`
	NbOccurences int    `json:"nb_occurences"`
	Label        string `json:"label"`
}

// breakdownParseCasting reads a casting body: a JSON array of objects with
// asset_id and nb_occurences (Zou skips entries lacking one of them; the
// same here), label optional. A later entry for the same asset wins.
func breakdownParseCasting(raw []byte) ([]breakdownCast, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, engine.BadRequest("Request body must be a JSON array")
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &items); err != nil {
		return nil, engine.BadRequest("Each casting entry must be a JSON object.")
	}
	return breakdownCastEntries(items)
}

func breakdownCastEntries(items []map[string]json.RawMessage) ([]breakdownCast, error) {
	var out []breakdownCast
	index := map[string]int{}
	for _, m := range items {
		if m == nil {
			return nil, engine.BadRequest("Each casting entry must be a JSON object.")
		}
		if _, ok := m["asset_id"]; !ok {
			continue
		}
		if _, ok := m["nb_occurences"]; !ok {
			continue
		}
		id, err := idField(m, "asset_id")
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, engine.BadRequest("Invalid value for asset_id.")
		}
		n, _, err := field[int](m, "nb_occurences")
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, engine.BadRequest("Invalid value for nb_occurences.")
		}
		label, _, err := field[string](m, "label")
		if err != nil {
			return nil, err
		}
		if len(label) > 80 {
			return nil, engine.BadRequest("Invalid value for label: 80 characters at most.")
		}
		cast := breakdownCast{AssetID: id, NbOccurences: n, Label: label}
		if i, ok := index[id]; ok {
			out[i] = cast
			continue
		}
		index[id] = len(out)
		out = append(out, cast)
	}
	return out, nil
}

// breakdownCheckCastable answers 400 unless every id is an asset of the
// project, or a shared asset of another one (Zou does not check; casting
// another production's private asset would leak it).
func (s *Server) breakdownCheckCastable(ctx context.Context, projectID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var ok []string
	err := s.DB.NewSelect().TableExpr("entity t").ColumnExpr("t.id::text").Where("t.id IN (?)", bun.In(ids)).
		Where(assetsIsAssetSQL("t")).Where("(t.project_id = ? OR t.is_shared)", projectID).Scan(ctx, &ok)
	if err != nil {
		return fmt.Errorf("check cast assets: %w", err)
	}
	found := assetsUnique(ok)
	for _, id := range ids {
		if !found[id] {
			return engine.BadRequest(fmt.Sprintf("Invalid value for asset_id: %s is not an asset of this production.", id))
		}
	}
	return nil
}

// breakdownCastingEntry is the casting entry Zou's get_casting sends, over
// link alias el, asset alias a and its type et.
const breakdownCastingEntry = `json_build_object('asset_id', a.id, 'asset_name', a.name, 'asset_type_name', et.name,
	'ready_for', a.ready_for, 'episode_id', a.source_id, 'preview_file_id', a.preview_file_id,
	'nb_occurences', el.nb_occurences, 'label', el.label, 'is_shared', a.is_shared, 'project_id', a.project_id)`

// breakdownCasting is Zou's get_casting: the assets cast in an entity.
func (s *Server) breakdownCasting(ctx context.Context, entityID string) ([]byte, error) {
	var b []byte
	err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(json_agg(`+breakdownCastingEntry+` ORDER BY et.name, a.name), '[]'::json)::text
		FROM entity_link el JOIN entity a ON a.id = el.entity_out_id JOIN entity_type et ON et.id = a.entity_type_id
		WHERE el.entity_in_id = ? AND a.canceled IS NOT TRUE`, entityID).Scan(&b)
	if err != nil {
		return nil, fmt.Errorf("casting of %s: %w", entityID, err)
	}
	return b, nil
}

// breakdownProject checks the caller reads the project of the path and is
// not a vendor there (casting routes refuse vendors).
func breakdownProject(c *gin.Context, who *access.Caller) (*access.Project, error) {
	pr, err := who.Project(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	return pr, pr.RefuseVendor()
}

// breakdownEntityOf loads an entity that must belong to the path's project;
// one of another production answers 404 (Zou: 403), as out of reach.
func breakdownEntityOf(ctx context.Context, who *access.Caller, pr *access.Project, id string) (*access.Entity, error) {
	en, err := who.LoadEntity(ctx, id)
	if err != nil {
		return nil, err
	}
	if en.ID != pr.ID {
		return nil, engine.NotFound()
	}
	return en, nil
}

// breakdownEntityCastingGet is GET /data/projects/:id/entities/:entity_id/casting.
func (s *Server) breakdownEntityCastingGet(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := breakdownProject(c, who)
	if err != nil {
		return 0, nil, err
	}
	en, err := breakdownEntityOf(ctx, who, pr, c.Param("entity_id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.breakdownCasting(ctx, en.EntityID)
	return http.StatusOK, json.RawMessage(b), err
}

// breakdownEntityCastingPut is PUT /data/projects/:id/entities/:entity_id/casting.
func (s *Server) breakdownEntityCastingPut(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return 0, nil, err
	}
	casting, err := breakdownParseCasting(raw)
	if err != nil {
		return 0, nil, err
	}
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	en, err := breakdownEntityOf(ctx, who, pr, c.Param("entity_id"))
	if err != nil {
		return 0, nil, err
	}
	out, err := s.breakdownUpdateCasting(ctx, en, casting)
	return http.StatusOK, out, err
}

// breakdownEntitiesCastingPut is PUT /data/projects/:id/entities/casting:
// several castings at once ({entity_id: [casting]}), all or nothing per entity.
func (s *Server) breakdownEntitiesCastingPut(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return 0, nil, err
	}
	var castings map[string][]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &castings); err != nil || castings == nil {
		return 0, nil, engine.BadRequest("Request body must be a JSON object mapping entity ids to casting arrays")
	}
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	ids := make([]string, 0, len(castings))
	for id := range castings {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	entities := map[string]*access.Entity{}
	parsed := map[string][]breakdownCast{}
	for _, id := range ids {
		en, err := breakdownEntityOf(ctx, who, pr, id)
		if err != nil {
			return 0, nil, err
		}
		cast, err := breakdownCastEntries(castings[id])
		if err != nil {
			return 0, nil, err
		}
		assets := make([]string, len(cast))
		for i, c := range cast {
			if c.AssetID == en.EntityID {
				return 0, nil, engine.BadRequest("An entity cannot be cast in itself.")
			}
			assets[i] = c.AssetID
		}
		// Every casting is checked before the first is written.
		if err := s.breakdownCheckCastable(ctx, pr.ID, assets); err != nil {
			return 0, nil, err
		}
		entities[id], parsed[id] = en, cast
	}
	out := map[string]any{}
	for _, id := range ids {
		res, err := s.breakdownUpdateCasting(ctx, entities[id], parsed[id])
		if err != nil {
			return 0, nil, err
		}
		out[id] = res
	}
	return http.StatusOK, out, nil
}

// breakdownGrouped runs one query answering {key: [entry, ...]} with keys
// in keyOrder (which must be the same for every row of a key) and entries
// in entryOrder.
func (s *Server) breakdownGrouped(ctx context.Context, key, keyOrder, entry, entryOrder, from string, args ...any) ([]byte, error) {
	var b []byte
	// Sorted once, grouped on the sort's prefix (see breakdownSequenceCasting).
	err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(json_object_agg(g.k, g.l ORDER BY g.o), '{}'::json)::text FROM (
		SELECT r.k, r.o, json_agg(r.j) AS l FROM (
			SELECT `+key+` AS k, `+keyOrder+` AS o, `+entry+` AS j
			FROM `+from+` ORDER BY 2, 1, `+entryOrder+`) r
		GROUP BY r.o, r.k) g`, args...).Scan(&b)
	if err != nil {
		return nil, fmt.Errorf("grouped casting: %w", err)
	}
	return b, nil
}

// breakdownShotEntry is an entry of sequence castings (shot alias sh, sequence sq).
const breakdownShotEntry = `json_build_object('asset_id', a.id, 'name', a.name, 'asset_name', a.name, 'asset_type_name', et.name,
	'sequence_name', sq.name, 'preview_file_id', a.preview_file_id, 'nb_occurences', el.nb_occurences, 'label', el.label,
	'is_shared', a.is_shared, 'project_id', a.project_id)`

const breakdownShotFrom = `entity_link el JOIN entity sh ON sh.id = el.entity_in_id JOIN entity sq ON sq.id = sh.parent_id
	JOIN entity a ON a.id = el.entity_out_id JOIN entity_type et ON et.id = a.entity_type_id
	WHERE a.canceled IS NOT TRUE`

// breakdownSequenceCasting is GET /data/projects/:id/sequences/:sequence_id/casting:
// one query checks the sequence and builds the casting of all its shots.
// The rows are sorted once and grouped on the sort's prefix, so json_agg
// takes them in order: an ORDER BY inside the aggregate would sort each
// shot's rows apart (PostgreSQL 15), a third of the route's time.
func (s *Server) breakdownSequenceCasting(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := breakdownProject(c, who)
	if err != nil {
		return 0, nil, err
	}
	seq := c.Param("sequence_id")
	if !engine.IsUUID(seq) {
		return 0, nil, engine.NotFound()
	}
	var row struct {
		Project *string `bun:"project"`
		Casting []byte  `bun:"casting"`
	}
	err = s.DB.NewRaw(`SELECT (SELECT e.project_id::text FROM entity e JOIN entity_type et ON et.id = e.entity_type_id
			WHERE e.id = ? AND et.name = 'Sequence') AS project,
		(SELECT COALESCE(json_object_agg(g.k, g.l ORDER BY g.o), '{}'::json)::text FROM (
			SELECT r.k, r.o, json_agg(r.j) AS l FROM (
				SELECT sh.id::text AS k, sh.name AS o, `+breakdownShotEntry+` AS j
				FROM `+breakdownShotFrom+` AND sh.parent_id = ? ORDER BY sh.name, 1, et.name, a.name) r
			GROUP BY r.o, r.k) g) AS casting`, seq, seq).Scan(ctx, &row)
	if err != nil {
		return 0, nil, fmt.Errorf("sequence casting %s: %w", seq, err)
	}
	if row.Project == nil || *row.Project != pr.ID {
		return 0, nil, engine.NotFound()
	}
	return http.StatusOK, json.RawMessage(row.Casting), nil
}

// breakdownShotsCasting is GET /data/projects/:id/sequences/all/casting and
// its per-episode form: the casting of every shot, keyed by shot id.
func (s *Server) breakdownShotsCasting(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := breakdownProject(c, who)
	if err != nil {
		return 0, nil, err
	}
	from := breakdownShotFrom + ` AND sh.project_id = ?`
	args := []any{pr.ID}
	if ep, ok := c.Params.Get("episode_id"); ok {
		switch {
		case ep == "main":
			return http.StatusOK, json.RawMessage("{}"), nil
		case ep == "all":
		case !engine.IsUUID(ep):
			return 0, nil, engine.NotFound()
		default:
			from += ` AND sq.parent_id = ?`
			args = append(args, ep)
		}
	}
	b, err := s.breakdownGrouped(ctx, "sh.id::text", "ROW(sq.name, sh.name)", breakdownShotEntry, "et.name, a.name", from, args...)
	return http.StatusOK, json.RawMessage(b), err
}

// breakdownEpisodesCasting is GET /data/projects/:id/episodes/casting.
func (s *Server) breakdownEpisodesCasting(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := breakdownProject(c, who)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.breakdownGrouped(ctx, "ep.id::text", "ep.name",
		`json_build_object('asset_id', a.id, 'name', a.name, 'asset_name', a.name, 'asset_type_name', et.name,
			'preview_file_id', a.preview_file_id, 'nb_occurences', el.nb_occurences, 'label', el.label,
			'is_shared', a.is_shared, 'project_id', a.project_id)`, "et.name, a.name",
		`entity_link el JOIN entity ep ON ep.id = el.entity_in_id JOIN entity_type ept ON ept.id = ep.entity_type_id
		JOIN entity a ON a.id = el.entity_out_id JOIN entity_type et ON et.id = a.entity_type_id
		WHERE ept.name = 'Episode' AND ep.project_id = ? AND a.canceled IS NOT TRUE`, pr.ID)
	return http.StatusOK, json.RawMessage(b), err
}

// breakdownAssetTypeCasting is GET /data/projects/:id/asset-types/:asset_type_id/casting.
func (s *Server) breakdownAssetTypeCasting(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := breakdownProject(c, who)
	if err != nil {
		return 0, nil, err
	}
	typeID := c.Param("asset_type_id")
	if err := s.assetsCheckType(ctx, typeID); err != nil {
		return 0, nil, err
	}
	b, err := s.breakdownGrouped(ctx, "p.id::text", "p.name",
		`json_build_object('asset_id', a.id, 'name', a.name, 'asset_name', a.name, 'asset_type_name', et.name,
			'preview_file_id', a.preview_file_id, 'nb_occurences', el.nb_occurences, 'label', el.label)`, "et.name, a.name",
		`entity_link el JOIN entity p ON p.id = el.entity_in_id
		JOIN entity a ON a.id = el.entity_out_id JOIN entity_type et ON et.id = a.entity_type_id
		WHERE p.project_id = ? AND p.entity_type_id = ? AND a.canceled IS NOT TRUE`, pr.ID, typeID)
	return http.StatusOK, json.RawMessage(b), err
}

// breakdownChange is what one casting update changed, for its events.
type breakdownChange struct {
	entityID, projectID, kind string
	links                     []models.EntityLink
	added, removed            []string
	nb                        int
	shotUpdates               []breakdownShotUpdate // shots of an episode that lost assets
	episodeAdded              []string              // assets newly linked to the shot's episode
	episodeID                 string
	episodeDetached           []string
	episodeNb                 int
}

type breakdownShotUpdate struct {
	shotID  string
	nb      int
	assetID string
}

// breakdownUpdateCasting is Zou's update_casting in one transaction: the
// links of the entity are replaced, the episode casting follows its shots,
// then the events are published and the casting stats of the shots refreshed.
func (s *Server) breakdownUpdateCasting(ctx context.Context, en *access.Entity, casting []breakdownCast) ([]breakdownCast, error) {
	ids := make([]string, len(casting))
	for i, c := range casting {
		if c.AssetID == en.EntityID {
			return nil, engine.BadRequest("An entity cannot be cast in itself.")
		}
		ids[i] = c.AssetID
	}
	if err := s.breakdownCheckCastable(ctx, en.ID, ids); err != nil {
		return nil, err
	}
	ch := breakdownChange{entityID: en.EntityID, projectID: en.ID, kind: en.TypeName, nb: len(casting)}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Lock the entity: concurrent updates of one casting run one after the other.
		if _, err := tx.NewRaw(`SELECT id FROM entity WHERE id = ? FOR UPDATE`, en.EntityID).Exec(ctx); err != nil {
			return fmt.Errorf("lock entity: %w", err)
		}
		var previous []string
		if err := tx.NewRaw(`SELECT entity_out_id::text FROM entity_link WHERE entity_in_id = ?`, en.EntityID).Scan(ctx, &previous); err != nil {
			return fmt.Errorf("previous casting: %w", err)
		}
		prev, next := assetsUnique(previous), assetsUnique(ids)
		for _, id := range ids {
			if !prev[id] {
				ch.added = append(ch.added, id)
			}
		}
		for _, id := range previous {
			if !next[id] {
				ch.removed = append(ch.removed, id)
			}
		}
		sort.Strings(ch.added)
		sort.Strings(ch.removed)
		if en.TypeName == "Episode" && len(ch.removed) > 0 {
			// Assets leaving an episode leave its shots too.
			var rows []struct {
				Shot  string `bun:"shot"`
				Asset string `bun:"asset"`
				Nb    int    `bun:"nb"`
			}
			err := tx.NewRaw(`WITH gone AS (DELETE FROM entity_link el USING entity sh, entity sq
					WHERE el.entity_in_id = sh.id AND sh.parent_id = sq.id AND sq.parent_id = ? AND el.entity_out_id IN (?)
					RETURNING sh.id AS shot, el.entity_out_id AS asset)
				SELECT g.shot::text AS shot, g.asset::text AS asset, 0 AS nb FROM gone g ORDER BY 1, 2`,
				en.EntityID, bun.In(ch.removed)).Scan(ctx, &rows)
			if err != nil {
				return fmt.Errorf("remove episode assets from shots: %w", err)
			}
			for _, r := range rows {
				var nb int
				if err := tx.NewRaw(`UPDATE entity SET nb_entities_out = GREATEST(COALESCE(nb_entities_out, 0) - 1, 0)
					WHERE id = ? RETURNING nb_entities_out`, r.Shot).Scan(ctx, &nb); err != nil {
					return fmt.Errorf("shot casting count: %w", err)
				}
				ch.shotUpdates = append(ch.shotUpdates, breakdownShotUpdate{shotID: r.Shot, nb: nb, assetID: r.Asset})
			}
		}
		if _, err := tx.NewRaw(`DELETE FROM entity_link WHERE entity_in_id = ?`, en.EntityID).Exec(ctx); err != nil {
			return fmt.Errorf("clear casting: %w", err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		in := uuid.MustParse(en.EntityID)
		for _, c := range casting {
			n, label := c.NbOccurences, c.Label
			ch.links = append(ch.links, models.EntityLink{Base: models.Base{ID: uuid.New(), CreatedAt: &now, UpdatedAt: &now},
				EntityInID: in, EntityOutID: uuid.MustParse(c.AssetID), NbOccurences: &n, Label: &label})
		}
		if len(ch.links) > 0 {
			if _, err := tx.NewInsert().Model(&ch.links).Exec(ctx); err != nil {
				return fmt.Errorf("write casting: %w", err)
			}
		}
		if _, err := tx.NewRaw(`UPDATE entity SET nb_entities_out = ?, updated_at = ? WHERE id = ?`, ch.nb, now, en.EntityID).Exec(ctx); err != nil {
			return fmt.Errorf("casting count: %w", err)
		}
		if en.TypeName == "Shot" {
			return breakdownFollowEpisode(ctx, tx, en, &ch, now)
		}
		return nil
	})
	if err != nil {
		return nil, engine.FromDB(err)
	}
	s.breakdownPublishCasting(ctx, &ch)
	if casting == nil {
		casting = []breakdownCast{}
	}
	return casting, nil
}

// breakdownFollowEpisode keeps an episode's casting the union of its
// shots': assets cast in a shot join the episode, assets no shot casts any
// more leave it.
func breakdownFollowEpisode(ctx context.Context, tx bun.Tx, en *access.Entity, ch *breakdownChange, now time.Time) error {
	var ep *string
	if err := tx.NewRaw(`SELECT sq.parent_id::text FROM entity sq WHERE sq.id = (SELECT parent_id FROM entity WHERE id = ?)`,
		en.EntityID).Scan(ctx, &ep); err != nil && !breakdownNoRows(err) {
		return fmt.Errorf("episode of shot: %w", err)
	}
	if ep == nil || *ep == "" {
		return nil
	}
	ch.episodeID = *ep
	for _, c := range ch.links {
		var added []string
		err := tx.NewRaw(`INSERT INTO entity_link (id, created_at, updated_at, entity_in_id, entity_out_id, nb_occurences, label)
			VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (entity_in_id, entity_out_id) DO NOTHING RETURNING entity_out_id::text`,
			uuid.New(), now, now, *ep, c.EntityOutID, *c.Label).Scan(ctx, &added)
		if err != nil && !breakdownNoRows(err) {
			return fmt.Errorf("episode casting: %w", err)
		}
		ch.episodeAdded = append(ch.episodeAdded, added...)
	}
	if len(ch.removed) > 0 {
		err := tx.NewRaw(`WITH gone AS (DELETE FROM entity_link el WHERE el.entity_in_id = ? AND el.entity_out_id IN (?)
				AND NOT EXISTS (SELECT 1 FROM entity_link x JOIN entity sh ON sh.id = x.entity_in_id JOIN entity sq ON sq.id = sh.parent_id
					WHERE sq.parent_id = ? AND x.entity_out_id = el.entity_out_id)
				RETURNING el.entity_out_id) SELECT entity_out_id::text FROM gone ORDER BY 1`,
			*ep, bun.In(ch.removed), *ep).Scan(ctx, &ch.episodeDetached)
		if err != nil && !breakdownNoRows(err) {
			return fmt.Errorf("episode casting cleanup: %w", err)
		}
	}
	if delta := len(ch.episodeAdded) - len(ch.episodeDetached); delta != 0 {
		if err := tx.NewRaw(`UPDATE entity SET nb_entities_out = GREATEST(COALESCE(nb_entities_out, 0) + ?, 0) WHERE id = ? RETURNING nb_entities_out`,
			delta, *ep).Scan(ctx, &ch.episodeNb); err != nil {
			return fmt.Errorf("episode casting count: %w", err)
		}
	}
	return nil
}

// breakdownPublishCasting emits the events of a casting update in Zou's order.
func (s *Server) breakdownPublishCasting(ctx context.Context, ch *breakdownChange) {
	p := ch.projectID
	for _, u := range ch.shotUpdates {
		s.publish(ctx, "shot:casting-update", map[string]any{"shot_id": u.shotID, "nb_entities_out": u.nb,
			"added_asset_ids": []string{}, "removed_asset_ids": []string{u.assetID}}, p)
	}
	for _, l := range ch.links {
		for _, a := range ch.episodeAdded {
			if a == l.EntityOutID.String() {
				s.publish(ctx, "asset:update", map[string]any{"asset_id": a}, p)
			}
		}
		s.publish(ctx, "entity-link:new", map[string]any{"entity_link_id": l.ID.String(), "entity_in_id": l.EntityInID.String(),
			"entity_out_id": l.EntityOutID.String(), "nb_occurences": *l.NbOccurences}, p)
		if ch.kind == "Episode" {
			s.publish(ctx, "asset:update", map[string]any{"asset_id": l.EntityOutID.String()}, p)
		}
	}
	added, removed := ch.added, ch.removed
	if added == nil {
		added = []string{}
	}
	if removed == nil {
		removed = []string{}
	}
	diff := map[string]any{"nb_entities_out": ch.nb, "added_asset_ids": added, "removed_asset_ids": removed}
	shots := make([]string, 0, len(ch.shotUpdates)+1)
	for _, u := range ch.shotUpdates {
		shots = append(shots, u.shotID)
	}
	switch ch.kind {
	case "Shot":
		shots = append(shots, ch.entityID)
		diff["shot_id"] = ch.entityID
		s.publish(ctx, "shot:casting-update", diff, p)
		for _, a := range ch.episodeDetached {
			s.publish(ctx, "episode:casting-update", map[string]any{"episode_id": ch.episodeID, "nb_entities_out": ch.episodeNb,
				"added_asset_ids": []string{}, "removed_asset_ids": []string{a}}, p)
			s.publish(ctx, "asset:update", map[string]any{"asset_id": a}, p)
		}
	case "Episode":
		diff["episode_id"] = ch.entityID
		s.publish(ctx, "episode:casting-update", diff, p)
	default:
		diff["asset_id"] = ch.entityID
		s.publish(ctx, "asset:casting-update", diff, p)
	}
	if err := s.breakdownRefreshStats(ctx, s.DB, shots); err != nil {
		engine.LogWarn("refresh casting stats", err)
	}
}

// breakdownRefreshStats is Zou's refresh_shot_casting_stats for several
// shots in one statement: each task of the shots counts the cast assets
// ready for its task type (shared assets of other productions are ready;
// otherwise the asset's ready_for task type must come at or after the
// task's in the project's shot task type priorities).
func (s *Server) breakdownRefreshStats(ctx context.Context, db bun.IDB, shotIDs []string) error {
	if len(shotIDs) == 0 {
		return nil
	}
	const prio = `(SELECT NULLIF(l.priority, 0) FROM project_task_type_link l JOIN task_type tt ON tt.id = l.task_type_id
		WHERE l.project_id = tk2.project_id AND tt.for_entity = 'Shot' AND l.task_type_id = %s)`
	var rows []struct {
		ID   string `bun:"id"`
		Nb   int    `bun:"nb"`
		Proj string `bun:"project"`
		Shot string `bun:"shot"`
	}
	err := db.NewRaw(`UPDATE task tk SET nb_assets_ready = sub.n FROM (
		SELECT tk2.id, (SELECT count(*) FROM entity_link el JOIN entity a ON a.id = el.entity_out_id
			WHERE el.entity_in_id = tk2.entity_id AND a.canceled IS NOT TRUE AND (
				(a.is_shared AND a.project_id <> tk2.project_id)
				OR (a.ready_for IS NOT NULL AND COALESCE(`+fmt.Sprintf(prio, "tk2.task_type_id")+`, 0) <= COALESCE(`+fmt.Sprintf(prio, "a.ready_for")+`, -1)))) AS n
		FROM task tk2 WHERE tk2.entity_id IN (?)) sub
		WHERE tk.id = sub.id RETURNING tk.id::text AS id, tk.nb_assets_ready AS nb, tk.project_id::text AS project, tk.entity_id::text AS shot`,
		bun.In(shotIDs)).Scan(ctx, &rows)
	if err != nil && !breakdownNoRows(err) {
		return fmt.Errorf("refresh casting stats: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	for _, r := range rows {
		s.publish(ctx, "task:update-casting-stats", map[string]any{"task_id": r.ID, "nb_assets_ready": r.Nb}, r.Proj)
	}
	return nil
}

// breakdownEntityLinks is GET /data/projects/:id/entity-links, Zou's sync
// export in its three shapes: page>0 answers a page envelope (data, total,
// nb_pages, limit, offset, page); cursor_created_at answers the links created
// after it ({data, total, limit}); otherwise a plain list, cut at limit.
func (s *Server) breakdownEntityLinks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	page, err := breakdownIntQuery(c, "page", -1)
	if err != nil {
		return 0, nil, err
	}
	limit, err := breakdownIntQuery(c, "limit", 0)
	if err != nil {
		return 0, nil, err
	}
	cursor, hasCursor := c.GetQuery("cursor_created_at")
	var cursorTime time.Time
	if hasCursor && page <= 0 {
		for _, layout := range []string{"2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", time.RFC3339Nano} {
			if cursorTime, err = time.Parse(layout, cursor); err == nil {
				break
			}
		}
		if err != nil {
			return 0, nil, engine.BadRequest("Invalid value for cursor_created_at.")
		}
	}
	ofProject := func(sq *bun.SelectQuery) *bun.SelectQuery {
		return sq.Where("t.entity_in_id IN (SELECT e.id FROM entity e WHERE e.project_id = ?)", pr.ID)
	}
	coll := s.Engine.Reg.MustCollection("entity-links")
	// Zou writes created_at to the millisecond in the list and cursor shapes.
	msView := engine.View{Fields: []string{"id", "entity_in_id", "entity_out_id", "nb_occurences", "label", "data"},
		Extra: []engine.Extra{{Key: "created_at", SQL: `to_char(t.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS')`, Kind: engine.KindText}}}
	count := func() (int, error) {
		var total int
		err := s.DB.NewRaw(`SELECT count(*) FROM entity_link t WHERE t.entity_in_id IN (SELECT e.id FROM entity e WHERE e.project_id = ?)`, pr.ID).Scan(ctx, &total)
		if err != nil {
			return 0, fmt.Errorf("count entity links: %w", err)
		}
		return total, nil
	}
	switch {
	case page > 0:
		if limit < 1 {
			limit = s.breakdownPageSize()
		}
		total, err := count()
		if err != nil {
			return 0, nil, err
		}
		offset := (page - 1) * limit
		rows, err := s.Engine.Rows(ctx, nil, coll, engine.View{}, func(sq *bun.SelectQuery) *bun.SelectQuery {
			return ofProject(sq).OrderExpr("t.created_at, t.id").Limit(int64(limit)).Offset(int64(offset))
		})
		if err != nil {
			return 0, nil, err
		}
		if total < offset {
			rows, total = []byte("[]"), 0
		}
		return http.StatusOK, map[string]any{"data": json.RawMessage(rows), "total": total, "nb_pages": (total + limit - 1) / limit,
			"limit": limit, "offset": offset, "page": page}, nil
	case hasCursor:
		if limit < 1 {
			limit = s.breakdownPageSize()
		}
		total, err := count()
		if err != nil {
			return 0, nil, err
		}
		rows, err := s.Engine.Rows(ctx, nil, coll, msView, func(sq *bun.SelectQuery) *bun.SelectQuery {
			return ofProject(sq).Where("t.created_at > ?", cursorTime).OrderExpr("t.created_at, t.updated_at, t.id").Limit(int64(limit))
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"data": json.RawMessage(rows), "total": total, "limit": limit}, nil
	}
	rows, err := s.Engine.Rows(ctx, nil, coll, msView, func(sq *bun.SelectQuery) *bun.SelectQuery {
		sq = ofProject(sq).OrderExpr("t.created_at, t.id")
		if limit > 0 {
			sq = sq.Limit(int64(limit))
		}
		return sq
	})
	return http.StatusOK, rows, err
}

// breakdownPageSize is Zou's NB_RECORDS_PER_PAGE default for sync pages.
func (s *Server) breakdownPageSize() int {
	if s.Engine.DefaultLimit > 0 {
		return s.Engine.DefaultLimit
	}
	return 100
}

// breakdownIntQuery is Zou's get_integer_parameter: 400 "<key> must be an integer."
func breakdownIntQuery(c *gin.Context, key string, def int) (int, error) {
	v, ok := c.GetQuery(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, engine.BadRequest(key + " must be an integer.")
	}
	return n, nil
}

// breakdownEntityLinkDelete is DELETE /data/projects/:id/entity-links/:entity_link_id;
// Zou answers the deleted link.
func (s *Server) breakdownEntityLinkDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	id := c.Param("entity_link_id")
	coll := s.Engine.Reg.MustCollection("entity-links")
	b, err := s.Engine.One(ctx, nil, coll, engine.View{}, id)
	if err != nil {
		return 0, nil, err
	}
	var link struct {
		In  string `json:"entity_in_id"`
		Out string `json:"entity_out_id"`
	}
	if err := json.Unmarshal(b, &link); err != nil {
		return 0, nil, fmt.Errorf("read entity link: %w", err)
	}
	if _, err := breakdownEntityOf(ctx, who, pr, link.In); err != nil {
		return 0, nil, err
	}
	if _, err := s.DB.NewRaw(`DELETE FROM entity_link WHERE id = ?`, id).Exec(ctx); err != nil {
		return 0, nil, fmt.Errorf("delete entity link: %w", err)
	}
	s.publish(ctx, "entity-link:delete", map[string]any{"entity_link_id": id}, pr.ID)
	return http.StatusOK, json.RawMessage(b), nil
}

// breakdownSceneInstances is GET /data/scenes/:id/asset-instances.
func (s *Server) breakdownSceneInstances(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := assetsReachKind(ctx, who, c.Param("id"), "Scene", true)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsInstances(ctx, "ai.asset_id::text", "asset_instance ai", "ai.scene_id = ?", en.EntityID)
	return http.StatusOK, json.RawMessage(b), err
}

// breakdownSceneCameras is GET /data/scenes/:id/camera-instances: the
// instances of assets of type Camera (Zou creates that type when missing;
// here a missing type simply means no camera).
func (s *Server) breakdownSceneCameras(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := assetsReachKind(ctx, who, c.Param("id"), "Scene", true)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsInstances(ctx, "ai.asset_id::text", "asset_instance ai JOIN entity ca ON ca.id = ai.asset_id JOIN entity_type cat ON cat.id = ca.entity_type_id",
		"ai.scene_id = ? AND cat.name = 'Camera'", en.EntityID)
	return http.StatusOK, json.RawMessage(b), err
}

// breakdownNewInstance creates an asset instance of asset, placed in a
// scene or an asset (column = scene_id or target_asset_id), numbered after
// the last one there and named <asset>_<number>.
func (s *Server) breakdownNewInstance(ctx context.Context, who *access.Caller, asset, column, place, desc string) ([]byte, string, error) {
	var out []byte
	var id string
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var row struct {
			Name   string `bun:"name"`
			Number int    `bun:"number"`
		}
		// Lock the asset row so that two requests cannot take one number.
		if err := tx.NewRaw(`SELECT a.name, COALESCE((SELECT max(ai.number) FROM asset_instance ai WHERE ai.asset_id = a.id AND ai.`+column+` = ?), 0) + 1 AS number
			FROM entity a WHERE a.id = ? FOR UPDATE`, place, asset).Scan(ctx, &row); err != nil {
			return fmt.Errorf("number asset instance: %w", err)
		}
		body, err := engine.Values(map[string]any{"asset_id": asset, column: place, "number": row.Number,
			"name": fmt.Sprintf("%s_%04d", breakdownSlug(row.Name), row.Number), "description": desc})
		if err != nil {
			return err
		}
		id, out, err = s.Engine.Insert(ctx, tx, s.Engine.Reg.MustCollection("asset-instances"), who.Principal, body)
		return err
	})
	return out, id, err
}

// breakdownSlug is python-slugify's slugify(name, separator="_",
// lowercase=False) for the common case: runs of characters other than
// ASCII letters and digits become one underscore, trimmed at both ends.
func breakdownSlug(name string) string {
	var b []byte
	sep := false
	for _, r := range name {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			if sep && len(b) > 0 {
				b = append(b, '_')
			}
			b = append(b, byte(r))
			sep = false
		} else {
			sep = true
		}
	}
	return string(b)
}

// breakdownSceneAddInstance is POST /data/scenes/:id/asset-instances.
func (s *Server) breakdownSceneAddInstance(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	en, err := assetsReachKind(ctx, who, c.Param("id"), "Scene", false)
	if err != nil {
		return 0, nil, err
	}
	asset, err := idField(m, "asset_id")
	if err != nil {
		return 0, nil, err
	}
	if asset == "" {
		return 0, nil, engine.BadRequest("The field asset_id is missing.")
	}
	desc, _, err := field[string](m, "description")
	if err != nil {
		return 0, nil, err
	}
	if err := s.breakdownCheckCastable(ctx, en.ID, []string{asset}); err != nil {
		return 0, nil, err
	}
	out, id, err := s.breakdownNewInstance(ctx, who, asset, "scene_id", en.EntityID, desc)
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "asset_instance:new", map[string]any{"scene_id": en.EntityID, "asset_id": asset, "asset_instance_id": id}, en.ID)
	return http.StatusCreated, out, nil
}

// breakdownShotInstances is GET /data/shots/:id/asset-instances: the
// instances linked to the shot, keyed by asset id.
func (s *Server) breakdownShotInstances(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := assetsReachKind(ctx, who, c.Param("id"), "Shot", true)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.assetsInstances(ctx, "ai.asset_id::text", "asset_instance ai JOIN asset_instance_link ail ON ail.asset_instance_id = ai.id",
		"ail.entity_id = ?", en.EntityID)
	return http.StatusOK, json.RawMessage(b), err
}

// breakdownShotInstance checks the shot and the asset instance (which
// must be of the shot's production); 404 otherwise.
func (s *Server) breakdownShotInstance(ctx context.Context, who *access.Caller, shotID, instanceID string) (*access.Entity, error) {
	en, err := assetsReachKind(ctx, who, shotID, "Shot", false)
	if err != nil {
		return nil, err
	}
	if !engine.IsUUID(instanceID) {
		return nil, engine.NotFound()
	}
	ok, err := s.DB.NewSelect().TableExpr("asset_instance ai").Join("JOIN entity a ON a.id = ai.asset_id").
		Where("ai.id = ? AND (a.project_id = ? OR a.is_shared)", instanceID, en.ID).Exists(ctx)
	if err != nil {
		return nil, fmt.Errorf("find asset instance: %w", err)
	}
	if !ok {
		return nil, engine.NotFound()
	}
	return en, nil
}

// breakdownShotJSON answers the shot as Zou's add/remove instance routes
// do (the shot serialised, type Shot).
func (s *Server) breakdownShotJSON(ctx context.Context, id string) ([]byte, error) {
	return s.Engine.One(ctx, nil, s.assetsEntities(), engine.View{TypeName: "Shot"}, id)
}

// breakdownShotAddInstance is POST /data/shots/:id/asset-instances.
func (s *Server) breakdownShotAddInstance(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	instance, err := idField(m, "asset_instance_id")
	if err != nil {
		return 0, nil, err
	}
	if instance == "" {
		return 0, nil, engine.BadRequest("The field asset_instance_id is missing.")
	}
	en, err := s.breakdownShotInstance(ctx, who, c.Param("id"), instance)
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.DB.NewRaw(`INSERT INTO asset_instance_link (entity_id, asset_instance_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		en.EntityID, instance).Exec(ctx); err != nil {
		return 0, nil, engine.FromDB(fmt.Errorf("link asset instance: %w", err))
	}
	s.publish(ctx, "asset_instance:add-to-shot", map[string]any{"shot_id": en.EntityID, "asset_instance_id": instance}, en.ID)
	b, err := s.breakdownShotJSON(ctx, en.EntityID)
	return http.StatusCreated, b, err
}

// breakdownShotRemoveInstance is DELETE /data/shots/:id/asset-instances/:asset_instance_id.
func (s *Server) breakdownShotRemoveInstance(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	en, err := s.breakdownShotInstance(ctx, who, c.Param("id"), c.Param("asset_instance_id"))
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.DB.NewRaw(`DELETE FROM asset_instance_link WHERE entity_id = ? AND asset_instance_id = ?`,
		en.EntityID, c.Param("asset_instance_id")).Exec(ctx); err != nil {
		return 0, nil, fmt.Errorf("unlink asset instance: %w", err)
	}
	s.publish(ctx, "asset_instance:remove-from-shot", map[string]any{"shot_id": en.EntityID, "asset_instance_id": c.Param("asset_instance_id")}, en.ID)
	return http.StatusNoContent, nil, nil
}

// breakdownNoRows reports a scan that found no row (an answer, not a failure here).
func breakdownNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// breakdownInstancesList is GET /data/asset-instances: admins only (Zou's
// list is admin-only, while members may read one row, which the policy's
// read action alone cannot tell apart).
func (s *Server) breakdownInstancesList(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.List(c.Request.Context(), s.Engine.Reg.MustCollection("asset-instances"), who.Principal, c.Request.URL.Query())
	return http.StatusOK, b, err
}
