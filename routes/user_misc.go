package routes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// The caller's own records: time spents, day offs, desktop logins,
// subscriptions to tasks and sequences, chats, avatar.

func (s *Server) userMountMisc(r gin.IRouter) {
	r.GET("/data/user/desktop-login-logs", s.userRoute(s.userDesktopLogins))
	r.POST("/data/user/desktop-login-logs", s.userRoute(s.userDesktopLoginCreate))
	r.GET("/data/user/time-spents", s.userRoute(s.userTimeSpents))
	r.GET("/data/user/time-spents/:date", s.userRoute(s.userDayTimeSpents))
	r.GET("/data/user/tasks/:id/time-spents/:date", s.userRoute(s.userTaskTimeSpent))
	r.GET("/data/user/day-offs/:date", s.userRoute(s.userDayOff))
	r.GET("/data/user/tasks/:id/subscribed", s.userRoute(s.userTaskSubscribed))
	r.POST("/actions/user/tasks/:id/subscribe", s.userRoute(s.userTaskSubscribe))
	r.DELETE("/actions/user/tasks/:id/unsubscribe", s.userRoute(s.userTaskUnsubscribe))
	r.POST("/actions/user/tasks/subscribe", s.userRoute(s.userTasksSubscribe))
	r.POST("/actions/user/tasks/unsubscribe", s.userRoute(s.userTasksUnsubscribe))
	r.GET("/data/user/sequences/:id/task-types/:task_type_id/subscribed", s.userRoute(s.userSequenceSubscribed))
	r.GET("/data/user/entities/:id/task-types/:task_type_id/subscribed", s.userRoute(s.userSequenceSubscribed))
	r.GET("/data/user/projects/:id/task-types/:task_type_id/sequence-subscriptions", s.userRoute(s.userSequenceSubscriptions))
	r.POST("/actions/user/sequences/:id/task-types/:task_type_id/subscribe", s.userRoute(s.userSequenceSubscribe))
	r.DELETE("/actions/user/sequences/:id/task-types/:task_type_id/unsubscribe", s.userRoute(s.userSequenceUnsubscribe))
	r.GET("/data/user/chats", s.userRoute(s.userChats))
	r.POST("/actions/user/chats/:id/join", s.userRoute(s.userChatJoin))
	r.DELETE("/actions/user/chats/:id/join", s.userRoute(s.userChatLeave))
	r.DELETE("/actions/user/clear-avatar", s.userRoute(s.userClearAvatar))
}

func (s *Server) userDesktopLogins(c *gin.Context, who *access.Caller) (int, any, error) {
	b, err := s.Engine.Rows(c.Request.Context(), nil, s.userCollection("desktop_login_log"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.person_id = ?", who.PersonID).OrderExpr("t.date DESC, t.id")
	})
	return http.StatusOK, b, err
}

// userDesktopLoginCreate records a desktop login (date defaults to now) and
// the caller's presence of the day, together.
func (s *Server) userDesktopLoginCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, err := optionalBody(c)
	if err != nil {
		return 0, nil, err
	}
	date := time.Now().UTC()
	if v, ok, err := field[string](m, "date"); err != nil {
		return 0, nil, err
	} else if ok {
		if date, err = userParseTime(v, "Wrong date format for "+v+"."); err != nil {
			return 0, nil, err
		}
	}
	values, err := engine.Values(map[string]any{"person_id": who.PersonID, "date": date.Format("2006-01-02T15:04:05")})
	if err != nil {
		return 0, nil, err
	}
	var b []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if _, b, err = s.Engine.Insert(ctx, tx, s.userCollection("desktop_login_log"), who.Principal, values); err != nil {
			return err
		}
		_, err = tx.NewUpdate().TableExpr("person").Set("last_presence = ?", time.Now().UTC().Format("2006-01-02")).
			Where("id = ?", who.PersonID).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, b, nil
}

// userTimeSpents answers the caller's time spents, all of them or those of
// a start_date..end_date range (both needed).
func (s *Server) userTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	start, end := c.Query("start_date"), c.Query("end_date")
	where := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.person_id = ?", who.PersonID).OrderExpr("t.date, t.id")
	}
	if start != "" || end != "" {
		if start == "" || end == "" {
			return 0, nil, engine.BadRequest("If querying for a range of dates, both a `start_date` and an `end_date` must be given.")
		}
		from, err1 := time.Parse("2006-01-02", start)
		to, err2 := time.Parse("2006-01-02", end)
		if err1 != nil || err2 != nil {
			return 0, nil, engine.BadRequest(fmt.Sprintf("Wrong date format for %s and/or %s", start, end))
		}
		base := where
		where = func(q *bun.SelectQuery) *bun.SelectQuery {
			return base(q).Where("t.date BETWEEN ? AND ?", from.Format("2006-01-02"), to.Format("2006-01-02"))
		}
	}
	b, err := s.Engine.Rows(c.Request.Context(), nil, s.userCollection("time-spents"), engine.View{}, where)
	return http.StatusOK, b, err
}

func (s *Server) userDayTimeSpents(c *gin.Context, who *access.Caller) (int, any, error) {
	day, err := pathDate(c.Param("date"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(c.Request.Context(), nil, s.userCollection("time-spents"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.person_id = ? AND t.date = ?", who.PersonID, day.Format("2006-01-02")).OrderExpr("t.created_at, t.id")
	})
	return http.StatusOK, b, err
}

// userTaskTimeSpent answers the caller's time spent on a task for a day, or
// null when there is none (as Zou).
func (s *Server) userTaskTimeSpent(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	day, err := pathDate(c.Param("date"))
	if err != nil {
		return 0, nil, err
	}
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.userCollection("time-spents"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.person_id = ? AND t.task_id = ? AND t.date = ?", who.PersonID, t.TaskID, day.Format("2006-01-02")).
			OrderExpr("t.created_at, t.id").Limit(1)
	})
	if err != nil {
		return 0, nil, err
	}
	if row, ok := userFirst(b); ok {
		return http.StatusOK, row, nil
	}
	return http.StatusOK, json.RawMessage("null"), nil
}

// userDayOff answers the caller's day off covering a date, or {}.
func (s *Server) userDayOff(c *gin.Context, who *access.Caller) (int, any, error) {
	day, err := pathDate(c.Param("date"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(c.Request.Context(), nil, s.userCollection("day-offs"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.person_id = ? AND ? BETWEEN t.date AND t.end_date", who.PersonID, day.Format("2006-01-02")).
			OrderExpr("t.date, t.id").Limit(1)
	})
	if err != nil {
		return 0, nil, err
	}
	if row, ok := userFirst(b); ok {
		return http.StatusOK, row, nil
	}
	return http.StatusOK, json.RawMessage("{}"), nil
}

// userFirst unwraps the first row of a JSON array of rows; false when the
// array is empty.
func userFirst(b []byte) (json.RawMessage, bool) {
	if len(b) <= 2 {
		return nil, false
	}
	return json.RawMessage(b[1 : len(b)-1]), true
}

// userSubscriptionRow answers one subscription row as Zou serialises it.
func (s *Server) userSubscriptionRow(ctx context.Context, db bun.IDB, id string) ([]byte, error) {
	return s.Engine.One(ctx, db, s.userCollection("subscriptions"), engine.View{}, id)
}

func (s *Server) userTaskSubscribed(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	ok, err := s.DB.NewSelect().TableExpr("subscription").Where("person_id = ? AND task_id = ?", who.PersonID, t.TaskID).Exists(ctx)
	return http.StatusOK, ok, err
}

// userSubscribeTasks subscribes the caller to tasks (once each: an existing
// subscription is kept) in one statement and answers the subscription rows.
func (s *Server) userSubscribeTasks(ctx context.Context, who *access.Caller, taskIDs []string) ([]byte, error) {
	var b []byte
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO subscription (id, created_at, updated_at, person_id, task_id)
			SELECT gen_random_uuid(), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', ?, t.id FROM task t
			WHERE t.id IN (?) AND NOT EXISTS (SELECT 1 FROM subscription su WHERE su.person_id = ? AND su.task_id = t.id)`,
			who.PersonID, bun.In(taskIDs), who.PersonID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("subscribe to tasks: %w", err)
		}
		b, err = s.Engine.Rows(ctx, tx, s.userCollection("subscriptions"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.person_id = ? AND t.task_id IN (?)", who.PersonID, bun.In(taskIDs)).OrderExpr("t.created_at, t.id")
		})
		return err
	})
	return b, err
}

func (s *Server) userTaskSubscribe(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.userSubscribeTasks(ctx, who, []string{t.TaskID})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, json.RawMessage(b[1 : len(b)-1]), nil
}

func (s *Server) userTaskUnsubscribe(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	_, err = s.DB.NewDelete().TableExpr("subscription").Where("person_id = ? AND task_id = ?", who.PersonID, t.TaskID).Exec(ctx)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// userMaxTaskIDs caps the task ids of one (un)subscribe call, as list
// filters cap their IN lists.
const userMaxTaskIDs = 1000

// userBodyTaskIDs reads task_ids (at least one) and checks that each task
// exists and is in a production the caller belongs to (400 naming the
// others: Zou would fail on the foreign key).
func (s *Server) userBodyTaskIDs(c *gin.Context, who *access.Caller) ([]string, error) {
	m, err := bodyObject(c)
	if err != nil {
		return nil, err
	}
	ids, err := idList(m, "task_ids")
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, engine.BadRequest("The field task_ids is missing.")
	}
	if len(ids) > userMaxTaskIDs {
		return nil, engine.BadRequest(fmt.Sprintf("Too many task ids: at most %d at once.", userMaxTaskIDs))
	}
	q := s.DB.NewSelect().TableExpr("task t").ColumnExpr("t.id::text").Where("t.id IN (?)", bun.In(ids))
	if !who.IsAdmin() {
		q = q.Where("t.project_id IN (SELECT upl.project_id FROM project_person_link upl WHERE upl.person_id = ?)", who.PersonID)
	}
	var found []string
	if err := q.Scan(c.Request.Context(), &found); err != nil {
		return nil, fmt.Errorf("check task ids: %w", err)
	}
	known := map[string]bool{}
	for _, id := range found {
		known[id] = true
	}
	var missing []string
	for _, id := range ids {
		if !known[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, engine.BadRequest("Unknown task ids: " + strings.Join(missing, ", "))
	}
	return ids, nil
}

func (s *Server) userTasksSubscribe(c *gin.Context, who *access.Caller) (int, any, error) {
	ids, err := s.userBodyTaskIDs(c, who)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.userSubscribeTasks(c.Request.Context(), who, ids)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, b, nil
}

func (s *Server) userTasksUnsubscribe(c *gin.Context, who *access.Caller) (int, any, error) {
	ids, err := s.userBodyTaskIDs(c, who)
	if err != nil {
		return 0, nil, err
	}
	_, err = s.DB.NewDelete().TableExpr("subscription").
		Where("person_id = ? AND task_id IN (?)", who.PersonID, bun.In(ids)).Exec(c.Request.Context())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ids, nil
}

// userSequenceAndTaskType checks the sequence (reachable) and the task type
// (existing) of a sequence subscription route.
func (s *Server) userSequenceAndTaskType(c *gin.Context, who *access.Caller) (string, string, error) {
	ctx := c.Request.Context()
	seq, err := who.Entity(ctx, c.Param("id"), "Sequence")
	if err != nil {
		return "", "", err
	}
	tt := c.Param("task_type_id")
	if err := s.userRequireTaskType(ctx, tt); err != nil {
		return "", "", err
	}
	return seq.EntityID, tt, nil
}

// userRequireTaskType answers 404 unless the task type exists.
func (s *Server) userRequireTaskType(ctx context.Context, id string) error {
	return s.userRequire(ctx, "task_type", "", id)
}

// userRequire answers 404 unless id is a row of table that also meets
// cond (SQL over the row's columns, "" for none).
func (s *Server) userRequire(ctx context.Context, table, cond, id string) error {
	if !engine.IsUUID(id) {
		return engine.NotFound()
	}
	q := s.DB.NewSelect().TableExpr("?", bun.Ident(table)).Where("id = ?", id)
	if cond != "" {
		q = q.Where(cond)
	}
	ok, err := q.Exists(ctx)
	if err != nil {
		return fmt.Errorf("check %s %s: %w", table, id, err)
	}
	if !ok {
		return engine.NotFound()
	}
	return nil
}

func (s *Server) userSequenceSubscribed(c *gin.Context, who *access.Caller) (int, any, error) {
	seq, tt, err := s.userSequenceAndTaskType(c, who)
	if err != nil {
		return 0, nil, err
	}
	ok, err := s.DB.NewSelect().TableExpr("subscription").
		Where("person_id = ? AND entity_id = ? AND task_type_id = ?", who.PersonID, seq, tt).Exists(c.Request.Context())
	return http.StatusOK, ok, err
}

func (s *Server) userSequenceSubscribe(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	seq, tt, err := s.userSequenceAndTaskType(c, who)
	if err != nil {
		return 0, nil, err
	}
	var b []byte
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var id string
		err := tx.NewRaw(`WITH found AS (SELECT id FROM subscription WHERE person_id = ? AND entity_id = ? AND task_type_id = ? LIMIT 1),
			made AS (INSERT INTO subscription (id, created_at, updated_at, person_id, entity_id, task_type_id)
				SELECT ?, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM found) RETURNING id)
			SELECT id::text FROM found UNION ALL SELECT id::text FROM made`,
			who.PersonID, seq, tt, uuid.NewString(), who.PersonID, seq, tt).Scan(ctx, &id)
		if err != nil {
			return fmt.Errorf("subscribe to sequence %s: %w", seq, err)
		}
		b, err = s.userSubscriptionRow(ctx, tx, id)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, b, nil
}

func (s *Server) userSequenceUnsubscribe(c *gin.Context, who *access.Caller) (int, any, error) {
	seq, tt, err := s.userSequenceAndTaskType(c, who)
	if err != nil {
		return 0, nil, err
	}
	_, err = s.DB.NewDelete().TableExpr("subscription").
		Where("person_id = ? AND entity_id = ? AND task_type_id = ?", who.PersonID, seq, tt).Exec(c.Request.Context())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// userSequenceSubscriptions answers the ids of the sequences of a project
// the caller follows for a task type.
func (s *Server) userSequenceSubscriptions(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	tt := c.Param("task_type_id")
	if err := s.userRequireTaskType(ctx, tt); err != nil {
		return 0, nil, err
	}
	ids := []string{}
	err = s.DB.NewSelect().TableExpr("subscription su").Join("JOIN entity en ON en.id = su.entity_id").
		ColumnExpr("su.entity_id::text").Where("en.project_id = ? AND su.task_type_id = ? AND su.person_id = ?", pr.ID, tt, who.PersonID).
		OrderExpr("su.created_at, su.id").Scan(ctx, &ids)
	if err != nil {
		return 0, nil, fmt.Errorf("sequence subscriptions: %w", err)
	}
	return http.StatusOK, ids, nil
}

// userChats answers the chats the caller takes part in, on entities of open
// productions, with the entity's full name, project and preview.
func (s *Server) userChats(c *gin.Context, who *access.Caller) (int, any, error) {
	b, err := engine.QueryJSON(c.Request.Context(), s.DB, `SELECT ch.id, ch.object_id, ch.last_message,
		CASE WHEN et.name = 'Shot' THEN CASE WHEN gpar.id IS NULL THEN par.name || ' / ' || en.name
			ELSE gpar.name || ' / ' || par.name || ' / ' || en.name END
		WHEN et.name = 'Episode' THEN en.name
		WHEN et.name = 'Sequence' THEN CASE WHEN par.id IS NULL THEN en.name ELSE par.name || ' / ' || en.name END
		ELSE et.name || ' / ' || en.name END AS entity_name,
		en.project_id, en.preview_file_id
		FROM chat ch JOIN chat_participant cp ON cp.chat_id = ch.id AND cp.person_id = ?
		JOIN entity en ON en.id = ch.object_id
		JOIN entity_type et ON et.id = en.entity_type_id
		LEFT JOIN entity par ON par.id = en.parent_id
		LEFT JOIN entity gpar ON gpar.id = par.parent_id
		WHERE en.project_id IN (`+userOpenProjectIDsSQL+`)
		ORDER BY ch.last_message DESC NULLS LAST, ch.id`, who.PersonID)
	return http.StatusOK, b, err
}

// userChatOf returns the id of the chat of an entity the caller reaches,
// creating it when there is none yet.
func (s *Server) userChatOf(ctx context.Context, tx bun.IDB, entityID string) (string, error) {
	var id string
	err := tx.NewRaw(`WITH found AS (SELECT id FROM chat WHERE object_id = ? ORDER BY created_at LIMIT 1),
		made AS (INSERT INTO chat (id, created_at, updated_at, object_id, object_type)
			SELECT ?, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', ?, 'entity' WHERE NOT EXISTS (SELECT 1 FROM found) RETURNING id)
		SELECT id::text FROM found UNION ALL SELECT id::text FROM made`, entityID, uuid.NewString(), entityID).Scan(ctx, &id)
	if err != nil {
		return "", fmt.Errorf("chat of %s: %w", entityID, err)
	}
	return id, nil
}

// userChatMembership runs change on the chat of the path's entity (made
// when missing) in one transaction, then tells the clients event.
func (s *Server) userChatMembership(c *gin.Context, who *access.Caller, event string, change func(ctx context.Context, tx bun.Tx, chatID string) error) error {
	ctx := c.Request.Context()
	en, err := who.Entity(ctx, c.Param("id"), "")
	if err != nil {
		return err
	}
	var chatID string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if chatID, err = s.userChatOf(ctx, tx, en.EntityID); err != nil {
			return err
		}
		return change(ctx, tx, chatID)
	})
	if err != nil {
		return err
	}
	s.publish(ctx, event, map[string]any{"chat_id": chatID, "person_id": who.PersonID}, en.Project.ID)
	return nil
}

func (s *Server) userChatJoin(c *gin.Context, who *access.Caller) (int, any, error) {
	var b []byte
	err := s.userChatMembership(c, who, "chat:joined", func(ctx context.Context, tx bun.Tx, chatID string) error {
		if _, err := tx.NewRaw(`INSERT INTO chat_participant (chat_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			chatID, who.PersonID).Exec(ctx); err != nil {
			return fmt.Errorf("join chat %s: %w", chatID, err)
		}
		var err error
		b, err = s.Engine.One(ctx, tx, s.userCollection("chats"), engine.View{}, chatID)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, b, nil
}

func (s *Server) userChatLeave(c *gin.Context, who *access.Caller) (int, any, error) {
	err := s.userChatMembership(c, who, "chat:left", func(ctx context.Context, tx bun.Tx, chatID string) error {
		_, err := tx.NewDelete().TableExpr("chat_participant").Where("chat_id = ? AND person_id = ?", chatID, who.PersonID).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// userClearAvatar drops the caller's avatar flag (no picture storage yet:
// the thumbnail files belong to the previews issue).
func (s *Server) userClearAvatar(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	_, err := s.DB.NewUpdate().TableExpr("person").Set("has_avatar = false").Set("updated_at = now() AT TIME ZONE 'UTC'").
		Where("id = ?", who.PersonID).Exec(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("clear avatar: %w", err)
	}
	s.publish(ctx, "person:update", map[string]any{"person_id": who.PersonID}, "")
	return http.StatusNoContent, nil, nil
}
