package routes

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// mountNews adds the routes of one area. News feeds (routes.md § News).
func (s *Server) mountNews(r gin.IRouter) {
	r.GET("/data/projects/news", s.route(s.newsStudio))
	r.GET("/data/projects/:id/news", s.route(s.newsProject))
	r.GET("/data/projects/:id/news/:news_id", s.route(s.newsOne))
}

// newsFilter holds the criteria of Zou's get_last_news_for_project.
type newsFilter struct {
	projectIDs   []string // nil = no project restriction
	projectID    string
	newsID       string
	entityID     string
	onlyPreview  bool
	taskTypeID   string
	taskStatusID string
	authorID     string
	episodeID    string
	after        *time.Time
	before       *time.Time
	page, limit  int
}

// newsWhere builds the shared WHERE clause (aliases: n news, tk task, e
// entity, c comment) and its arguments.
func (f newsFilter) where() (string, []any) {
	conds := []string{"true"}
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.newsID != "" {
		add("n.id = ?", f.newsID)
	}
	if f.entityID != "" {
		add("e.id = ?", f.entityID)
	}
	if f.projectID != "" {
		add("tk.project_id = ?", f.projectID)
	}
	if f.projectIDs != nil {
		add("tk.project_id = ANY(?::uuid[])", pgdialect.Array(f.projectIDs))
	}
	if f.episodeID != "" {
		add("EXISTS (SELECT 1 FROM entity sq WHERE sq.id = e.parent_id AND sq.parent_id = ?)", f.episodeID)
	}
	if f.taskStatusID != "" {
		add("c.task_status_id = ?", f.taskStatusID)
	}
	if f.taskTypeID != "" {
		add("tk.task_type_id = ?", f.taskTypeID)
	}
	if f.authorID != "" {
		add("n.author_id = ?", f.authorID)
	}
	if f.onlyPreview {
		add("n.preview_file_id IS NOT NULL")
	}
	if f.after != nil {
		add("n.created_at > ?", *f.after)
	}
	if f.before != nil {
		add("n.created_at < ?", *f.before)
	}
	return strings.Join(conds, " AND "), args
}

const newsFrom = ` FROM news n JOIN task tk ON tk.id = n.task_id JOIN project p ON p.id = tk.project_id
	JOIN entity e ON e.id = tk.entity_id LEFT JOIN comment c ON c.id = n.comment_id
	LEFT JOIN preview_file pf ON pf.id = n.preview_file_id `

// newsFullNameSQL is Zou's full entity name (episode / sequence / shot,
// asset type / asset) and newsEpisodeSQL the episode it belongs to, over e,
// its type et, its parent par and grandparent gp.
const (
	newsFullNameSQL = `CASE et.name
		WHEN 'Shot' THEN CASE WHEN par.id IS NULL THEN e.name
			WHEN par.parent_id IS NULL OR gp.id IS NULL THEN par.name || ' / ' || e.name
			ELSE gp.name || ' / ' || par.name || ' / ' || e.name END
		WHEN 'Episode' THEN e.name
		WHEN 'Sequence' THEN CASE WHEN par.id IS NULL THEN e.name ELSE par.name || ' / ' || e.name END
		ELSE et.name || ' / ' || e.name END`
	newsEpisodeSQL = `CASE et.name WHEN 'Shot' THEN CASE WHEN par.parent_id IS NULL THEN NULL ELSE gp.id END
		WHEN 'Episode' THEN NULL WHEN 'Sequence' THEN par.id ELSE e.source_id END`
)

// newsFeed answers Zou's paginated news feed: {data, total, nb_pages, limit,
// offset, page}; each entry with its task, entity name, author and, with
// only_preview, the previews of its revision.
func (s *Server) newsFeed(ctx context.Context, f newsFilter) (map[string]any, error) {
	where, args := f.where()
	var total int
	if err := s.DB.NewRaw("SELECT count(n.id)"+newsFrom+"WHERE "+where, args...).Scan(ctx, &total); err != nil {
		return nil, err
	}
	previews := ""
	if f.onlyPreview {
		previews = `, COALESCE((SELECT json_agg(json_build_object('id', x.id, 'name', x.name, 'extension', x.extension,
			'revision', x.revision, 'position', x.position, 'status', x.status) ORDER BY x.position)
			FROM preview_file x WHERE x.task_id = n.task_id AND x.revision = pf.revision), '[]'::json) AS preview_files`
	}
	offset := (f.page - 1) * f.limit
	q := `SELECT n.id, 'News' AS type, n.author_id, n.comment_id, n.task_id, tk.task_type_id, c.task_status_id,
		tk.entity_id AS task_entity_id, n.preview_file_id, pf.extension AS preview_file_extension,
		pf.revision AS preview_file_revision, p.id AS project_id, p.name AS project_name, n.created_at, n.change,
		` + newsFullNameSQL + ` AS full_entity_name, ` + newsEpisodeSQL + ` AS episode_id,
		e.preview_file_id AS entity_preview_file_id,
		(SELECT json_build_object('id', pe.id, 'first_name', pe.first_name, 'last_name', pe.last_name,
			'full_name', trim(concat_ws(' ', nullif(pe.first_name, ''), nullif(pe.last_name, ''))),
			'has_avatar', pe.has_avatar, 'role', pe.role) FROM person pe WHERE pe.id = n.author_id) AS person` + previews +
		newsFrom + ` JOIN entity_type et ON et.id = e.entity_type_id
		LEFT JOIN entity par ON par.id = e.parent_id LEFT JOIN entity gp ON gp.id = par.parent_id
		WHERE ` + where + ` ORDER BY n.created_at DESC, n.id LIMIT ? OFFSET ?`
	data, err := engine.QueryJSON(ctx, s.DB, q, append(args, f.limit, offset)...)
	if err != nil {
		return nil, err
	}
	return map[string]any{"data": json.RawMessage(data), "total": total,
		"nb_pages": int(math.Ceil(float64(total) / float64(f.limit))),
		"limit":    f.limit, "offset": offset, "page": f.page}, nil
}

// newsStats counts the status changes of the feed by task status (Zou's
// get_news_stats_for_project: only news with a comment and change=true).
func (s *Server) newsStats(ctx context.Context, f newsFilter) (map[string]int, error) {
	where, args := f.where()
	var rows []struct {
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	err := s.DB.NewRaw(`SELECT c.task_status_id::text AS status, count(e.id) AS n`+newsFrom+
		`WHERE n.change AND c.id IS NOT NULL AND c.task_status_id IS NOT NULL AND `+where+` GROUP BY c.task_status_id`, args...).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	stats := map[string]int{}
	for _, r := range rows {
		stats[r.Status] = r.N
	}
	return stats, nil
}

// newsArgs reads the feed's query parameters (400 on a malformed id, date
// or number, where Zou would fail with a 500).
func newsArgs(c *gin.Context) (newsFilter, error) {
	f := newsFilter{page: 1, limit: 50, onlyPreview: boolQuery(c, "only_preview", false)}
	for key, dst := range map[string]*string{"task_type_id": &f.taskTypeID, "task_status_id": &f.taskStatusID,
		"person_id": &f.authorID, "episode_id": &f.episodeID} {
		v := c.Query(key)
		if v == "" {
			continue
		}
		if !engine.IsUUID(v) {
			return f, engine.BadRequest("Wrong UUID format for " + key + ".")
		}
		*dst = strings.ToLower(v)
	}
	for key, dst := range map[string]*int{"page": &f.page, "limit": &f.limit} {
		v, ok := c.GetQuery(key)
		if !ok || v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, engine.BadRequest("Invalid value for " + key + ": expected a positive integer.")
		}
		*dst = n
	}
	for key, dst := range map[string]**time.Time{"after": &f.after, "before": &f.before} {
		v := c.Query(key)
		if v == "" {
			continue
		}
		t, ok := newsParseDate(v)
		if !ok {
			return f, engine.BadRequest("Wrong date format for " + key + " argument.Expected format: 2020-01-05T13:23:10 or 2020-01-05")
		}
		*dst = &t
	}
	return f, nil
}

// newsParseDate accepts Zou's two formats (a datetime or a day), with or
// without fractional seconds.
func newsParseDate(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999", "2006-01-02T15:04:05Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// newsWithStats answers a feed and its stats.
func (s *Server) newsWithStats(ctx context.Context, f newsFilter) (map[string]any, error) {
	res, err := s.newsFeed(ctx, f)
	if err != nil {
		return nil, err
	}
	stats, err := s.newsStats(ctx, f)
	if err != nil {
		return nil, err
	}
	res["stats"] = stats
	return res, nil
}

// newsProject: GET /data/projects/<id>/news, the news feed of a production.
func (s *Server) newsProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	f, err := newsArgs(c)
	if err != nil {
		return 0, nil, err
	}
	f.projectIDs = []string{pr.ID}
	res, err := s.newsWithStats(ctx, f)
	return http.StatusOK, res, err
}

// newsStudio: GET /data/projects/news, the feed across the open productions
// the caller may see (all open ones for an admin), or one of them with
// ?project_id.
func (s *Server) newsStudio(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	f, err := newsArgs(c)
	if err != nil {
		return 0, nil, err
	}
	var ids []string
	if who.IsAdmin() {
		err = s.DB.NewRaw(`SELECT pr.id::text FROM project pr JOIN project_status ps ON ps.id = pr.project_status_id
			WHERE ps.name = 'Open'`).Scan(ctx, &ids)
	} else {
		err = s.DB.NewRaw(`SELECT project_id::text FROM (`+access.OpenTeamProjectsSQL+`) x`, who.PersonID).Scan(ctx, &ids)
	}
	if err != nil {
		return 0, nil, err
	}
	if pid := strings.ToLower(c.Query("project_id")); pid != "" {
		for _, id := range ids {
			if id == pid {
				ids = []string{pid}
				break
			}
		}
	}
	if ids == nil {
		ids = []string{}
	}
	f.projectIDs = ids
	res, err := s.newsWithStats(ctx, f)
	return http.StatusOK, res, err
}

// newsOne: GET /data/projects/<id>/news/<news_id>, one entry of a
// production's feed; vendors refused.
func (s *Server) newsOne(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := pr.RefuseVendor(); err != nil {
		return 0, nil, err
	}
	newsID := c.Param("news_id")
	if !engine.IsUUID(newsID) {
		return 0, nil, engine.NotFound()
	}
	res, err := s.newsFeed(ctx, newsFilter{projectID: pr.ID, newsID: newsID, page: 1, limit: 1})
	if err != nil {
		return 0, nil, err
	}
	var data []json.RawMessage
	if err := json.Unmarshal(res["data"].(json.RawMessage), &data); err != nil {
		return 0, nil, err
	}
	if len(data) == 0 {
		return 0, nil, engine.NotFound()
	}
	return http.StatusOK, data[0], nil
}
