package routes

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// The caller's notifications: the last hundred, enriched with what the
// notification list draws (project, comment text, mentions, entity name,
// playlist), in one query.

func (s *Server) userMountNotifications(r gin.IRouter) {
	r.GET("/data/user/notifications", s.userRoute(s.userNotificationsList))
	r.GET("/data/user/notifications/:id", s.userRoute(s.userNotificationGet))
	r.PUT("/data/user/notifications/:id", s.userRoute(s.userNotificationUpdate))
	r.POST("/actions/user/notifications/mark-all-as-read", s.userRoute(s.userNotificationsMarkAllRead))
}

// userNotificationSQL selects the enriched notifications of person ? (the
// caller's role, ?, decides whether clients' words are hidden: Zou blanks
// the text of comments by clients for artists).
const userNotificationSQL = `SELECT n.id, 'Notification' AS type, n.type AS notification_type, n.author_id,
 n.comment_id, n.task_id, tk.task_type_id, cm.task_status_id,
 COALESCE((SELECT jsonb_agg(m.person) FROM comment_mentions m WHERE m.comment = cm.id), '[]'::jsonb) AS mentions,
 COALESCE((SELECT jsonb_agg(m.department) FROM comment_department_mentions m WHERE m.comment = cm.id), '[]'::jsonb) AS department_mentions,
 COALESCE(NULLIF(rp.r->'mentions', 'null'::jsonb), '[]'::jsonb) AS reply_mentions,
 COALESCE(NULLIF(rp.r->'department_mentions', 'null'::jsonb), '[]'::jsonb) AS reply_department_mentions,
 (SELECT pl.preview_file FROM comment_preview_link pl JOIN preview_file pf ON pf.id = pl.preview_file
   WHERE pl.comment = cm.id ORDER BY pf.created_at LIMIT 1) AS preview_file_id,
 COALESCE(pp.id, pr.id) AS project_id, COALESCE(pp.name, pr.name) AS project_name,
 CASE WHEN au.role = 'client' AND ? = 'user' THEN '' ELSE cm.text END AS comment_text,
 CASE WHEN au.role = 'client' AND ? = 'user' THEN '' ELSE COALESCE(rp.r->>'text', '') END AS reply_text,
 n.created_at, n.read, n.change,
 CASE WHEN n.playlist_id IS NOT NULL OR en.id IS NULL THEN ''
  WHEN et.name = 'Shot' THEN CASE WHEN gpar.id IS NULL THEN par.name || ' / ' || en.name
   ELSE gpar.name || ' / ' || par.name || ' / ' || en.name END
  WHEN et.name = 'Episode' THEN en.name
  WHEN et.name = 'Sequence' THEN CASE WHEN par.id IS NULL THEN en.name ELSE par.name || ' / ' || en.name END
  ELSE et.name || ' / ' || en.name END AS full_entity_name,
 CASE WHEN n.playlist_id IS NOT NULL THEN pl.episode_id
  WHEN et.name = 'Shot' THEN par.parent_id
  WHEN et.name = 'Episode' THEN NULL
  WHEN et.name = 'Sequence' THEN en.parent_id
  ELSE en.source_id END AS episode_id,
 en.preview_file_id AS entity_preview_file_id,
 sub.id AS subscription_id, n.playlist_id, COALESCE(pl.name, '') AS playlist_name,
 COALESCE(pl.for_entity, '') AS playlist_for_entity, COALESCE(pl.is_for_all, false) AS playlist_is_for_all
FROM notification n
JOIN person au ON au.id = n.author_id
LEFT JOIN task tk ON tk.id = n.task_id
LEFT JOIN project pr ON pr.id = tk.project_id
LEFT JOIN subscription sub ON sub.task_id = tk.id AND sub.person_id = n.person_id
LEFT JOIN comment cm ON cm.id = n.comment_id
LEFT JOIN playlist pl ON pl.id = n.playlist_id
LEFT JOIN project pp ON pp.id = pl.project_id
LEFT JOIN LATERAL (SELECT x.r FROM jsonb_array_elements(CASE WHEN jsonb_typeof(cm.replies) = 'array'
   THEN cm.replies ELSE '[]'::jsonb END) AS x(r)
  WHERE n.type IN ('reply', 'reply-mention') AND x.r->>'id' = n.reply_id::text LIMIT 1) rp ON true
LEFT JOIN entity en ON en.id = tk.entity_id
LEFT JOIN entity_type et ON et.id = en.entity_type_id
LEFT JOIN entity par ON par.id = en.parent_id
LEFT JOIN entity gpar ON gpar.id = par.parent_id
WHERE n.person_id = ?`

// userNotificationFilter is one optional condition of the list.
type userNotificationFilter struct {
	sql string
	arg any
}

// userNotifications runs the enriched query with extra conditions.
func (s *Server) userNotifications(ctx context.Context, who *access.Caller, filters []userNotificationFilter, limit int) ([]byte, error) {
	var sb strings.Builder
	sb.WriteString(userNotificationSQL)
	args := []any{who.Role, who.Role, who.PersonID}
	for _, f := range filters {
		sb.WriteString(" AND " + f.sql)
		if f.arg != nil {
			args = append(args, f.arg)
		}
	}
	sb.WriteString(" ORDER BY n.created_at DESC, n.id LIMIT ?")
	args = append(args, limit)
	return engine.QueryJSON(ctx, s.DB, sb.String(), args...)
}

// userParseTime reads an ISO date or date-time (a 400 with msg otherwise).
func userParseTime(v, msg string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
		time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, engine.BadRequest(msg)
}

func (s *Server) userNotificationsList(c *gin.Context, who *access.Caller) (int, any, error) {
	var filters []userNotificationFilter
	for _, k := range []struct{ key, sql string }{
		{"after", "n.created_at > ?"}, {"before", "n.created_at < ?"},
	} {
		if v := c.Query(k.key); v != "" {
			t, err := userParseTime(v, "Wrong date format for after or before.")
			if err != nil {
				return 0, nil, err
			}
			filters = append(filters, userNotificationFilter{k.sql, t})
		}
	}
	for _, k := range []struct{ key, sql string }{
		{"task_type_id", "tk.task_type_id = ?"}, {"task_status_id", "tk.task_status_id = ?"},
	} {
		if v := c.Query(k.key); v != "" {
			if !engine.IsUUID(v) {
				return 0, nil, engine.BadRequest("Invalid UUID format for " + k.key + ": " + v)
			}
			filters = append(filters, userNotificationFilter{k.sql, v})
		}
	}
	if v := c.Query("type"); v != "" {
		filters = append(filters, userNotificationFilter{"n.type = ?", v})
	}
	if _, ok := c.GetQuery("read"); ok {
		filters = append(filters, userNotificationFilter{"n.read = ?", boolQuery(c, "read", false)})
	}
	if _, ok := c.GetQuery("watching"); ok {
		if boolQuery(c, "watching", false) {
			filters = append(filters, userNotificationFilter{"sub.id IS NOT NULL", nil})
		} else {
			filters = append(filters, userNotificationFilter{"sub.id IS NULL", nil})
		}
	}
	b, err := s.userNotifications(c.Request.Context(), who, filters, 100)
	return http.StatusOK, b, err
}

func (s *Server) userNotificationGet(c *gin.Context, who *access.Caller) (int, any, error) {
	id := c.Param("id")
	if !engine.IsUUID(id) {
		return 0, nil, engine.NotFound()
	}
	b, err := s.userNotifications(c.Request.Context(), who, []userNotificationFilter{{"n.id = ?", id}}, 1)
	if err != nil {
		return 0, nil, err
	}
	row, ok := userFirst(b)
	if !ok {
		return 0, nil, engine.NotFound()
	}
	return http.StatusOK, row, nil
}

func (s *Server) userNotificationUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if !engine.IsUUID(id) {
		return 0, nil, engine.NotFound()
	}
	ok, err := s.DB.NewSelect().TableExpr("notification").Where("id = ? AND person_id = ?", id, who.PersonID).Exists(ctx)
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		return 0, nil, engine.NotFound()
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	read, present, err := field[bool](m, "read")
	if err != nil {
		return 0, nil, err
	}
	if !present {
		return 0, nil, engine.BadRequest("The field read is missing.")
	}
	values, err := engine.Values(map[string]any{"read": read})
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Patch(ctx, s.DB, s.userCollection("notifications"), who.Principal, id, values)
	if err != nil {
		return 0, nil, err
	}
	name := "notification:unread"
	if read {
		name = "notification:read"
	}
	s.publish(ctx, name, map[string]any{"person_id": who.PersonID, "notification_id": id}, "")
	return http.StatusOK, b, nil
}

func (s *Server) userNotificationsMarkAllRead(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	_, err := s.DB.NewUpdate().TableExpr("notification").Set("read = true").
		Where("person_id = ? AND read = false", who.PersonID).Exec(ctx)
	if err != nil {
		return 0, nil, err
	}
	s.publish(ctx, "notification:all-read", map[string]any{"person_id": who.PersonID}, "")
	return http.StatusOK, map[string]bool{"success": true}, nil
}
