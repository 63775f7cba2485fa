package routes

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Episode statistics: task counts of the entities two levels under each
// episode (shots in sequences), by task type and status, or by retake state.

// shotsBucket is a count with the frames and drawings it weighs.
type shotsBucket struct {
	Count    int64 `json:"count"`
	Frames   int64 `json:"frames"`
	Drawings int64 `json:"drawings"`
}

func (b *shotsBucket) add(count, frames, drawings int64) {
	b.Count += count
	b.Frames += frames
	b.Drawings += drawings
}

// shotsStatusEntry is one status of the episode stats.
type shotsStatusEntry struct {
	Name  string `json:"name"`
	Color string `json:"color"`
	shotsBucket
}

// shotsAssignedTaskSQL limits task alias x to the caller's (?) tasks, for vendors.
const shotsAssignedTaskSQL = ` AND EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = x.id AND a.person_id = ?)`

// shotsEpisodeStats answers GET /data/projects/<id>/episodes/stats:
// {episode_id|"all": {task_type_id|"all": {task_status_id: {name, color,
// count, frames, drawings}}}}; vendors count their own tasks only.
func (s *Server) shotsEpisodeStats(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	query := `SELECT ep.id::text AS episode_id, x.task_type_id::text AS task_type_id, x.task_status_id::text AS task_status_id,
			ts.short_name, ts.color, count(x.id) AS n, COALESCE(sum(x.nb_drawings), 0) AS drawings, COALESCE(sum(e.nb_frames), 0) AS frames
		FROM task x JOIN task_status ts ON ts.id = x.task_status_id JOIN entity e ON e.id = x.entity_id
		JOIN entity sq ON sq.id = e.parent_id JOIN entity ep ON ep.id = sq.parent_id
		WHERE x.project_id = ?`
	args := []any{pr.ID}
	if vendor := shotsVendorOf(pr); vendor != "" {
		query += shotsAssignedTaskSQL
		args = append(args, vendor)
	}
	query += ` GROUP BY ep.id, x.task_type_id, x.task_status_id, ts.short_name, ts.color ORDER BY 1, 2, 3`
	var rows []struct {
		Episode  string `bun:"episode_id"`
		TaskType string `bun:"task_type_id"`
		Status   string `bun:"task_status_id"`
		Short    string `bun:"short_name"`
		Color    string `bun:"color"`
		N        int64  `bun:"n"`
		Drawings int64  `bun:"drawings"`
		Frames   int64  `bun:"frames"`
	}
	if err := s.DB.NewRaw(query, args...).Scan(ctx, &rows); err != nil {
		return 0, nil, fmt.Errorf("episode stats: %w", err)
	}
	out := map[string]map[string]map[string]*shotsStatusEntry{}
	entry := func(ep, tt, st, name, color string) *shotsStatusEntry {
		if out[ep] == nil {
			out[ep] = map[string]map[string]*shotsStatusEntry{}
		}
		if out[ep][tt] == nil {
			out[ep][tt] = map[string]*shotsStatusEntry{}
		}
		if out[ep][tt][st] == nil {
			out[ep][tt][st] = &shotsStatusEntry{Name: name, Color: color}
		}
		return out[ep][tt][st]
	}
	for _, r := range rows {
		for _, k := range [][2]string{{r.Episode, r.TaskType}, {r.Episode, "all"}, {"all", r.TaskType}, {"all", "all"}} {
			entry(k[0], k[1], r.Status, r.Short, r.Color).add(r.N, r.Frames, r.Drawings)
		}
	}
	return http.StatusOK, out, nil
}

// shotsRetakeEntry is one cell of the retake stats.
type shotsRetakeEntry struct {
	MaxRetakeCount int64                              `json:"max_retake_count"`
	Evolution      map[string]map[string]*shotsBucket `json:"evolution"`
	Done           shotsBucket                        `json:"done"`
	Retake         shotsBucket                        `json:"retake"`
	Other          shotsBucket                        `json:"other"`
}

func shotsNewRetakeEntry() *shotsRetakeEntry {
	return &shotsRetakeEntry{Evolution: map[string]map[string]*shotsBucket{}}
}

// shotsEpisodeRetakeStats answers GET /data/projects/<id>/episodes/retake-stats:
// per episode and task type (and "all"), done/retake/other counts, the
// highest retake count, and per take number the state of the tasks.
func (s *Server) shotsEpisodeRetakeStats(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	query := `SELECT ep.id::text AS episode_id, COALESCE(x.nb_drawings, 0) AS drawings, COALESCE(e.nb_frames, 0) AS frames,
			x.task_type_id::text AS task_type_id, COALESCE(x.retake_count, 0) AS retake_count,
			COALESCE(ts.is_done, false) AS is_done, COALESCE(ts.is_retake, false) AS is_retake
		FROM task x JOIN task_status ts ON ts.id = x.task_status_id JOIN entity e ON e.id = x.entity_id
		JOIN entity sq ON sq.id = e.parent_id JOIN entity ep ON ep.id = sq.parent_id
		WHERE x.project_id = ?`
	args := []any{pr.ID}
	if vendor := shotsVendorOf(pr); vendor != "" {
		query += shotsAssignedTaskSQL
		args = append(args, vendor)
	}
	var rows []struct {
		Episode  string `bun:"episode_id"`
		Drawings int64  `bun:"drawings"`
		Frames   int64  `bun:"frames"`
		TaskType string `bun:"task_type_id"`
		Retakes  int64  `bun:"retake_count"`
		IsDone   bool   `bun:"is_done"`
		IsRetake bool   `bun:"is_retake"`
	}
	if err := s.DB.NewRaw(query+" ORDER BY x.id", args...).Scan(ctx, &rows); err != nil {
		return 0, nil, fmt.Errorf("retake stats: %w", err)
	}
	out := map[string]map[string]*shotsRetakeEntry{"all": {"all": shotsNewRetakeEntry()}}
	cell := func(ep, tt string) *shotsRetakeEntry {
		if out[ep] == nil {
			out[ep] = map[string]*shotsRetakeEntry{"all": shotsNewRetakeEntry()}
		}
		if out[ep][tt] == nil {
			out[ep][tt] = shotsNewRetakeEntry()
		}
		return out[ep][tt]
	}
	for _, r := range rows {
		for _, k := range [][2]string{{"all", "all"}, {"all", r.TaskType}, {r.Episode, "all"}, {r.Episode, r.TaskType}} {
			en := cell(k[0], k[1])
			en.MaxRetakeCount = max(en.MaxRetakeCount, r.Retakes)
			switch {
			case r.IsDone:
				en.Done.add(1, r.Frames, r.Drawings)
			case r.IsRetake:
				en.Retake.add(1, r.Frames, r.Drawings)
			default:
				en.Other.add(1, r.Frames, r.Drawings)
			}
		}
	}
	// The evolution needs each cell's final max_retake_count: a second pass.
	for _, r := range rows {
		for _, k := range [][2]string{{r.Episode, "all"}, {r.Episode, r.TaskType}} {
			en := out[k[0]][k[1]]
			for i := int64(1); i <= en.MaxRetakeCount; i++ {
				take := strconv.FormatInt(i, 10)
				if en.Evolution[take] == nil {
					en.Evolution[take] = map[string]*shotsBucket{"done": {}, "retake": {}, "other": {}}
				}
				key := "other"
				if r.Retakes > 0 && i <= r.Retakes {
					key = "retake"
				} else if r.IsDone {
					key = "done"
				}
				en.Evolution[take][key].add(1, r.Frames, r.Drawings)
			}
		}
	}
	return http.StatusOK, out, nil
}

// shotsSetNbFrames answers POST /actions/projects/<id>/task-types/<task_type_id>/set-shot-nb-frames
// (?episode_id): each shot's nb_frames from the duration of the latest
// preview of its task of that type, at the project's fps. Answers the
// changes as Zou: [{id, nb_frames}].
func (s *Server) shotsSetNbFrames(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.ManagerOf(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	taskTypeID := c.Param("task_type_id")
	if !engine.IsUUID(taskTypeID) {
		return 0, nil, engine.BadRequest("Invalid project or task type id")
	}
	episodeID := c.Query("episode_id")
	if episodeID != "" && !engine.IsUUID(episodeID) {
		return 0, nil, engine.BadRequest("Invalid episode id")
	}
	var ep any
	if episodeID != "" {
		ep = episodeID
	}
	// One statement: the latest preview per shot, its frames at the
	// project's fps (25 when unset or unreadable), written and returned.
	b, err := engine.QueryJSON(ctx, s.DB, `WITH latest AS (
			SELECT DISTINCT ON (sh.id) sh.id, pf.duration
			FROM entity sh JOIN task x ON x.entity_id = sh.id JOIN preview_file pf ON pf.task_id = x.id
			WHERE sh.project_id = ? AND x.task_type_id = ?
			AND sh.entity_type_id IN (SELECT et.id FROM entity_type et WHERE et.name = 'Shot')
			AND (?::uuid IS NULL OR sh.parent_id IN (SELECT sq.id FROM entity sq WHERE sq.parent_id = ?::uuid))
			ORDER BY sh.id, pf.created_at DESC, pf.id),
		fps AS (SELECT CASE WHEN p.fps ~ '^[0-9]+([.][0-9]+){0,1}$' THEN p.fps::float8 ELSE 25 END AS v FROM project p WHERE p.id = ?),
		upd AS (UPDATE entity e SET nb_frames = round(COALESCE(l.duration, 0) * (SELECT v FROM fps))::int,
				updated_at = now() AT TIME ZONE 'UTC'
			FROM latest l WHERE e.id = l.id RETURNING e.id, e.nb_frames)
		SELECT id, nb_frames FROM upd ORDER BY id`, pr.ID, taskTypeID, ep, ep, pr.ID)
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	return http.StatusOK, b, nil
}
