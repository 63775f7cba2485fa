package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// mountComments adds the routes of one area. Comments: posting with status changes, replies, acknowledgements, attachments (routes.md § Comments).
func (s *Server) mountComments(r gin.IRouter) {
	r.POST("/actions/tasks/:id/comment", s.route(s.commentsPost))
	r.POST("/actions/projects/:id/tasks/comment-many", s.route(s.commentsPostMany))
	r.GET("/data/tasks/:id/comments", s.route(s.commentsOfTask))
	r.GET("/data/tasks/:id/comments/:comment_id", s.route(s.commentsOneOfTask))
	r.DELETE("/data/tasks/:id/comments/:comment_id", s.route(s.commentsDeleteOfTask))
	r.POST("/data/tasks/:id/comments/:comment_id/ack", s.route(s.commentsAck))
	r.POST("/data/tasks/:id/comments/:comment_id/reply", s.route(s.commentsReply))
	r.DELETE("/data/tasks/:id/comments/:comment_id/reply/:reply_id", s.route(s.commentsDeleteReply))
	r.DELETE("/data/tasks/:id/comments/:comment_id/attachments/:attachment_file_id", s.route(s.commentsDeleteAttachment))
	r.POST("/actions/tasks/:id/comments/:comment_id/move", s.route(s.commentsMove))
	r.POST("/actions/tasks/:id/comments/:comment_id/add-preview", s.route(s.commentsAddPreview))
	r.GET("/data/projects/:id/comments", s.route(s.commentsOfProject))
	r.GET("/data/projects/:id/attachment-files", s.route(s.commentsProjectAttachments))
	r.GET("/data/tasks/:id/attachment-files", s.route(s.commentsTaskAttachments))
	r.GET("/data/comments", s.route(s.commentsList))
	r.GET("/data/attachment-files", s.route(s.commentsAttachmentList))
	r.GET("/data/attachment-files/:id", s.route(s.commentsAttachmentGet))
	r.GET("/data/comments/:id", s.route(s.commentsGet))
	r.PUT("/data/comments/:id", s.route(s.commentsUpdate))
	r.DELETE("/data/comments/:id", s.route(s.commentsDelete))
	r.GET("/data/status-automations/:id", s.route(s.commentsAutomationGet))
	r.DELETE("/data/status-automations/:id", s.route(s.commentsAutomationDelete))
}

func (s *Server) commentsColl() *engine.Collection { return s.Engine.Reg.MustCollection("comments") }

// commentsTx runs fn in one transaction and publishes its events after commit.
func (s *Server) commentsTx(ctx context.Context, fn func(tx bun.Tx, ev *commentsEvents) error) error {
	var ev commentsEvents
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(tx, &ev) })
	if err != nil {
		return err
	}
	s.commentsFlush(ctx, ev)
	return nil
}

// commentsTaskComment reaches the task in the path, then its comment
// comment_id. Zou does not check that the comment belongs to the task; we
// do, so access to one task does not open another's comments.
func (s *Server) commentsTaskComment(c *gin.Context, who *access.Caller) (*access.Task, *commentsMeta, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	cm, err := commentsOfTaskComment(ctx, s.DB, t.TaskID, c.Param("comment_id"))
	if err != nil {
		return nil, nil, err
	}
	return t, cm, nil
}

// commentsChange runs fn like commentsTx and answers 200 with comment id
// read inside the same transaction (with relations or not), so the answer
// shows the change the events announce.
func (s *Server) commentsChange(ctx context.Context, id string, relations bool, fn func(tx bun.Tx, ev *commentsEvents) error) (int, any, error) {
	var out []byte
	err := s.commentsTx(ctx, func(tx bun.Tx, ev *commentsEvents) error {
		if err := fn(tx, ev); err != nil {
			return err
		}
		var err error
		out, err = s.Engine.Read(ctx, tx, s.commentsColl(), id, relations)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// commentsMentioned reports whether the caller was mentioned in the task's
// conversation (by name or department, in comments or replies): Zou's
// check_task_mention_access lets them answer there.
func commentsMentioned(ctx context.Context, t *access.Task) (bool, error) {
	who := t.Caller()
	if !t.Member || t.IsVendor() {
		return false, nil
	}
	deps, err := who.Departments(ctx)
	if err != nil {
		return false, err
	}
	if deps == nil {
		deps = []string{}
	}
	var found bool
	err = who.DB.NewRaw(`SELECT EXISTS (SELECT 1 FROM comment c WHERE c.object_id = ? AND (
		EXISTS (SELECT 1 FROM comment_mentions m WHERE m.comment = c.id AND m.person = ?)
		OR EXISTS (SELECT 1 FROM comment_department_mentions m WHERE m.comment = c.id AND m.department::text = ANY(?::text[]))
		OR EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.replies) = 'array' THEN c.replies ELSE '[]'::jsonb END) r
			WHERE jsonb_exists(COALESCE(r->'mentions', '[]'::jsonb), ?)
			OR jsonb_exists_any(COALESCE(r->'department_mentions', '[]'::jsonb), ?::text[]))))`,
		t.TaskID, who.PersonID, pgdialect.Array(deps), who.PersonID, pgdialect.Array(deps)).Scan(ctx, &found)
	if err != nil {
		return false, fmt.Errorf("mentions on task %s: %w", t.TaskID, err)
	}
	return found, nil
}

// commentsCheckStatus is TSTAT: artists and clients may only use statuses
// flagged for them.
func commentsCheckStatus(pr *access.Project, st *commentsStatus) error {
	if (pr.IsArtist() && !st.IsArtistAllowed) || (pr.IsClient() && !st.IsClientAllowed) {
		return engine.Forbidden()
	}
	return nil
}

// commentsBody is the body of POST /actions/tasks/<id>/comment.
type commentsBody struct {
	StatusID  string
	Text      string
	PersonID  string
	CreatedAt *time.Time
	Checklist json.RawMessage
	Links     []string
	ForClient bool
}

func commentsParseBody(m map[string]json.RawMessage) (*commentsBody, error) {
	var b commentsBody
	var err error
	if b.StatusID, err = requiredString(m, "task_status_id"); err != nil {
		return nil, err
	}
	if !engine.IsUUID(b.StatusID) {
		return nil, engine.BadRequest("Invalid value for task_status_id: not an id.")
	}
	b.StatusID = strings.ToLower(b.StatusID)
	if b.Text, _, err = field[string](m, "comment"); err != nil {
		return nil, err
	}
	if b.PersonID, err = idField(m, "person_id"); err != nil {
		return nil, err
	}
	at, _, err := field[string](m, "created_at")
	if err != nil {
		return nil, err
	}
	if at != "" {
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02"} {
			if d, err := time.Parse(layout, at); err == nil {
				d = d.UTC()
				b.CreatedAt = &d
				break
			}
		}
	}
	// Multipart senders (and Kitsu's nulls) give checklist and links as JSON text.
	for _, key := range []string{"checklist", "links"} {
		raw, ok := m[key]
		if !ok || string(raw) == "null" {
			continue
		}
		var str string
		if json.Unmarshal(raw, &str) == nil {
			if str == "" {
				continue
			}
			raw = json.RawMessage(str)
		}
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, engine.BadRequest(fmt.Sprintf("Invalid value for %s: expected a list.", key))
		}
		if key == "checklist" {
			b.Checklist = raw
			continue
		}
		for _, l := range list {
			var s string
			if err := json.Unmarshal(l, &s); err != nil {
				return nil, engine.BadRequest("Invalid value for links: expected a list of strings.")
			}
			b.Links = append(b.Links, s)
		}
	}
	if b.ForClient, _, err = field[bool](m, "for_client"); err != nil {
		return nil, err
	}
	return &b, nil
}

// commentsPost is POST /actions/tasks/<id>/comment: a comment with a status
// change, by a task actor, or by a person mentioned in the conversation as
// long as the status stays the same.
func (s *Server) commentsPost(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	b, err := commentsParseBody(m)
	if err != nil {
		return 0, nil, err
	}
	ok, err := t.CanAct(ctx)
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		mentioned, err := commentsMentioned(ctx, t)
		if err != nil {
			return 0, nil, err
		}
		if !mentioned || b.StatusID != t.TaskStatusID {
			return 0, nil, engine.Forbidden()
		}
	}
	st, err := commentsLoadStatus(ctx, s.DB, b.StatusID)
	if err != nil {
		return 0, nil, err
	}
	if err := commentsCheckStatus(t.Project, st); err != nil {
		return 0, nil, err
	}
	author := who.PersonID
	if !t.IsManager() {
		b.PersonID, b.CreatedAt, b.ForClient = "", nil, false
	}
	if b.PersonID != "" {
		exists, err := s.DB.NewSelect().TableExpr("person").Where("id = ?", b.PersonID).Exists(ctx)
		if err != nil {
			return 0, nil, fmt.Errorf("comment author: %w", err)
		}
		if !exists {
			return 0, nil, engine.Status(http.StatusNotFound, "Person not found")
		}
		author = b.PersonID
	}
	var out []byte
	err = s.commentsTx(ctx, func(tx bun.Tx, ev *commentsEvents) error {
		id, err := commentsCreate(ctx, tx, commentsInput{TaskID: t.TaskID, StatusID: st.ID, AuthorID: author, Text: b.Text,
			Checklist: b.Checklist, Links: b.Links, ForClient: b.ForClient, CreatedAt: b.CreatedAt, hashtags: true}, ev, 0)
		if err != nil {
			return err
		}
		out, err = s.commentsFull(ctx, tx, id)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

// commentsFull is a comment as create_comment answers it: the row with its
// relations, its task status and its author.
func (s *Server) commentsFull(ctx context.Context, db bun.IDB, id string) ([]byte, error) {
	row, err := s.Engine.Read(ctx, db, s.commentsColl(), id, true)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(row, &obj); err != nil {
		return nil, fmt.Errorf("decode comment %s: %w", id, err)
	}
	var statusID, personID string
	_ = json.Unmarshal(obj["task_status_id"], &statusID)
	_ = json.Unmarshal(obj["person_id"], &personID)
	if obj["task_status"], err = s.Engine.Read(ctx, db, s.Engine.Reg.MustCollection("task-status"), statusID, false); err != nil {
		return nil, err
	}
	if obj["person"], err = s.Engine.Read(ctx, db, s.Engine.Reg.MustCollection("persons"), personID, false); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}

// commentsPostMany is POST /actions/projects/<id>/tasks/comment-many: a
// project manager posts every comment; others only those they could post
// one by one (task action right and allowed status), the rest skipped.
func (s *Server) commentsPostMany(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return 0, nil, err
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return 0, nil, engine.BadRequest("Request body must be a JSON array.")
	}
	type item struct {
		task string
		body *commentsBody
	}
	var todo []item
	for _, m := range items {
		// Zou skips entries that lack one of the three keys.
		if m == nil || m["object_id"] == nil || m["task_status_id"] == nil || m["comment"] == nil {
			continue
		}
		taskID, err := idField(m, "object_id")
		if err != nil {
			return 0, nil, err
		}
		b, err := commentsParseBody(m)
		if err != nil {
			return 0, nil, err
		}
		t, err := who.LoadTask(ctx, taskID)
		if err != nil {
			return 0, nil, err
		}
		// Tasks of other productions are never written through this project.
		if t.Project.ID != pr.ID {
			return 0, nil, engine.NotFound()
		}
		st, err := commentsLoadStatus(ctx, s.DB, b.StatusID)
		if err != nil {
			return 0, nil, err
		}
		if !pr.IsManager() {
			// Others keep the comments on tasks they are assigned to or
			// supervise (department), as Zou's get_allowed_comments_only.
			ok := t.IsAssigned()
			if !ok && t.IsSupervisor() {
				if ok, err = who.CoversDepartment(ctx, t.DepartmentID); err != nil {
					return 0, nil, err
				}
			}
			if !ok {
				continue
			}
		}
		if err := commentsCheckStatus(pr, st); err != nil {
			return 0, nil, err
		}
		b.Checklist = nil
		todo = append(todo, item{task: taskID, body: b})
	}
	var outs []json.RawMessage
	err = s.commentsTx(ctx, func(tx bun.Tx, ev *commentsEvents) error {
		for _, it := range todo {
			id, err := commentsCreate(ctx, tx, commentsInput{TaskID: it.task, StatusID: it.body.StatusID, AuthorID: who.PersonID,
				Text: it.body.Text, Checklist: it.body.Checklist, Links: it.body.Links, hashtags: true}, ev, 0)
			if err != nil {
				return err
			}
			out, err := s.commentsFull(ctx, tx, id)
			if err != nil {
				return err
			}
			outs = append(outs, out)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	if outs == nil {
		outs = []json.RawMessage{}
	}
	return http.StatusCreated, outs, nil
}

// commentsMeta is what access decisions read of a comment.
type commentsMeta struct {
	ID         string `bun:"id"`
	TaskID     string `bun:"object_id"`
	PersonID   string `bun:"person_id"`
	ForClient  bool   `bun:"for_client"`
	AuthorRole string `bun:"author_role"`
	Isolated   bool   `bun:"isolated"`
}

// commentsLoad reads a comment with its author's role in the task's
// project; 404 when gone.
func commentsLoad(ctx context.Context, db bun.IDB, id string) (*commentsMeta, error) {
	if !engine.IsUUID(id) {
		return nil, engine.NotFound()
	}
	var m commentsMeta
	err := db.NewRaw(`SELECT c.id::text, c.object_id::text, c.person_id::text, COALESCE(c.for_client, false) AS for_client,
		COALESCE(NULLIF(l.role, ''), p.role, '') AS author_role, COALESCE(pr.is_clients_isolated, false) AS isolated
		FROM comment c JOIN task t ON t.id = c.object_id JOIN project pr ON pr.id = t.project_id
		LEFT JOIN person p ON p.id = c.person_id
		LEFT JOIN project_person_link l ON l.person_id = c.person_id AND l.project_id = t.project_id
		WHERE c.id = ?`, id).Scan(ctx, &m)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load comment %s: %w", id, err)
	}
	return &m, nil
}

// commentsVisible is CMT (Zou's check_comment_access): the task must be
// reachable (404 otherwise); supervisors and managers see every comment;
// clients see comments for clients and other clients' (their own only in
// an isolated project); artists and vendors do not see clients' comments.
func commentsVisible(ctx context.Context, who *access.Caller, cm *commentsMeta) (*access.Task, error) {
	t, err := who.Task(ctx, cm.TaskID)
	if err != nil {
		return nil, err
	}
	if who.IsAdmin() || t.IsAtLeastSupervisor() {
		return t, nil
	}
	if t.IsClient() {
		if cm.Isolated && cm.PersonID != who.PersonID && !cm.ForClient {
			return nil, engine.Forbidden()
		}
		if cm.AuthorRole == "client" || cm.ForClient {
			return t, nil
		}
		return nil, engine.Forbidden()
	}
	if cm.AuthorRole == "client" {
		return nil, engine.Forbidden()
	}
	return t, nil
}

// commentsOfTaskComment loads a comment of the task in the path (a comment
// of another task is a 404).
func commentsOfTaskComment(ctx context.Context, db bun.IDB, taskID, commentID string) (*commentsMeta, error) {
	cm, err := commentsLoad(ctx, db, commentID)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(cm.TaskID, taskID) {
		return nil, engine.NotFound()
	}
	return cm, nil
}

// commentsOneOfTask is GET /data/tasks/<id>/comments/<comment_id>: the
// comment row (no relations), under CMT.
func (s *Server) commentsOneOfTask(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	cm, err := commentsOfTaskComment(ctx, s.DB, c.Param("id"), c.Param("comment_id"))
	if err != nil {
		return 0, nil, err
	}
	if _, err := commentsVisible(ctx, who, cm); err != nil {
		return 0, nil, err
	}
	out, err := s.Engine.Read(ctx, s.DB, s.commentsColl(), cm.ID, false)
	return http.StatusOK, out, err
}

// commentsList is GET /data/comments: admins only, as Zou refuses the list
// to every other role in code (the policy lets team members read one).
func (s *Server) commentsList(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	out, err := s.Engine.List(c.Request.Context(), s.commentsColl(), who.Principal, c.Request.URL.Query())
	return http.StatusOK, out, err
}

// commentsGet is GET /data/comments/<id>: the comment with its relations
// (unless ?relations=false), under CMT.
func (s *Server) commentsGet(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if !engine.IsUUID(c.Param("id")) {
		return 0, nil, engine.MalformedID()
	}
	cm, err := commentsLoad(ctx, s.DB, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	t, err := commentsVisible(ctx, who, cm)
	if err != nil {
		return 0, nil, err
	}
	relations := boolQuery(c, "relations", true)
	row, err := s.Engine.Read(ctx, s.DB, s.commentsColl(), cm.ID, relations)
	if err != nil {
		return 0, nil, err
	}
	out, err := s.commentsDecorate(ctx, row, cm.ID, t.IsClient(), relations && boolQuery(c, "with_previews", false))
	return http.StatusOK, out, err
}

// commentsDecorate adds what Zou's comment resource embeds in one comment:
// its author (short), its replies' authors, its attachments as objects and,
// on demand, its previews as objects. Clients do not see studio members.
func (s *Server) commentsDecorate(ctx context.Context, row []byte, id string, isClient, withPreviews bool) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(row, &obj); err != nil {
		return nil, fmt.Errorf("decode comment %s: %w", id, err)
	}
	var x struct {
		Person     sql.NullString `bun:"person"`
		Replies    string         `bun:"replies"`
		Files      string         `bun:"files"`
		Previews   string         `bun:"previews"`
		EditorRole sql.NullString `bun:"editor_role"`
		AuthorRole sql.NullString `bun:"author_role"`
	}
	err := s.DB.NewRaw(`SELECT (SELECT `+commentsShort("p")+` FROM person p WHERE p.id = c.person_id)::text AS person,
		`+commentsRepliesSQL+`::text AS replies,
		COALESCE((SELECT jsonb_agg(jsonb_build_object('id', f.id, 'name', f.name, 'extension', f.extension, 'size', f.size) ORDER BY f.created_at)
			FROM attachment_file f WHERE f.comment_id = c.id), '[]'::jsonb)::text AS files,
		`+commentsPreviewsSQL("?1")+`::text AS previews,
		(SELECT e.role FROM person e WHERE e.id = c.editor_id AND c.editor_id <> c.person_id) AS editor_role,
		(SELECT a.role FROM person a WHERE a.id = c.person_id) AS author_role
		FROM comment c WHERE c.id = ?0`, id, isClient).Scan(ctx, &x)
	if err != nil {
		return nil, fmt.Errorf("decorate comment %s: %w", id, err)
	}
	person := json.RawMessage("null")
	if x.Person.Valid {
		person = json.RawMessage(x.Person.String)
		if isClient && x.AuthorRole.String != "client" {
			person = json.RawMessage("null")
		}
	}
	obj["person"] = person
	if isClient && x.EditorRole.Valid && x.EditorRole.String != "client" {
		obj["editor_id"] = json.RawMessage("null")
	}
	replies := json.RawMessage(x.Replies)
	if isClient {
		var rs []map[string]any
		if json.Unmarshal(replies, &rs) == nil {
			for _, r := range rs {
				if p, ok := r["person"].(map[string]any); ok && p["role"] != "client" {
					r["person"] = nil
				}
			}
			if b, err := json.Marshal(rs); err == nil {
				replies = b
			}
		}
	}
	obj["replies"] = replies
	if _, ok := obj["attachment_files"]; ok {
		obj["attachment_files"] = json.RawMessage(x.Files)
	}
	if withPreviews {
		obj["previews"] = json.RawMessage(x.Previews)
	}
	return json.Marshal(obj)
}

// commentsMayDelete: a manager of the project (who reaches it), or the author.
func commentsMayDelete(ctx context.Context, who *access.Caller, cm *commentsMeta) error {
	t, err := who.LoadTask(ctx, cm.TaskID)
	if err != nil {
		return err
	}
	if t.IsManager() || cm.PersonID == who.PersonID {
		return nil
	}
	if !t.Readable() {
		return engine.NotFound()
	}
	return engine.Forbidden()
}

// commentsRemoveAndAnswer deletes a comment in one transaction, and tells
// of the status change the replayed history brings.
func (s *Server) commentsRemoveAndAnswer(ctx context.Context, cm *commentsMeta) error {
	return s.commentsTx(ctx, func(tx bun.Tx, ev *commentsEvents) error {
		taskID, before, after, project, err := commentsRemove(ctx, tx, cm.ID, ev)
		if err != nil {
			return err
		}
		if before != after {
			ev.add("task:status-changed", map[string]any{"task_id": taskID, "new_task_status_id": after,
				"previous_task_status_id": before, "person_id": cm.PersonID}, project)
		}
		return nil
	})
}

// commentsDeleteOfTask is DELETE /data/tasks/<id>/comments/<comment_id>.
func (s *Server) commentsDeleteOfTask(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	cm, err := commentsOfTaskComment(ctx, s.DB, c.Param("id"), c.Param("comment_id"))
	if err != nil {
		return 0, nil, err
	}
	if err := commentsMayDelete(ctx, who, cm); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.commentsRemoveAndAnswer(ctx, cm)
}

// commentsDelete is DELETE /data/comments/<id>, with the same rules.
func (s *Server) commentsDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if !engine.IsUUID(c.Param("id")) {
		return 0, nil, engine.MalformedID()
	}
	cm, err := commentsLoad(ctx, s.DB, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := commentsMayDelete(ctx, who, cm); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.commentsRemoveAndAnswer(ctx, cm)
}

// commentsAck is POST /data/tasks/<id>/comments/<comment_id>/ack: toggles
// the caller's acknowledgement and answers the comment with relations.
func (s *Server) commentsAck(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, cm, err := s.commentsTaskComment(c, who)
	if err != nil {
		return 0, nil, err
	}
	return s.commentsChange(ctx, cm.ID, true, func(tx bun.Tx, ev *commentsEvents) error {
		res, err := tx.NewRaw(`DELETE FROM comment_acknoledgments WHERE comment = ? AND person = ?`, cm.ID, who.PersonID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("unacknowledge %s: %w", cm.ID, err)
		}
		name := "comment:unacknowledge"
		if n, _ := res.RowsAffected(); n == 0 {
			name = "comment:acknowledge"
			if _, err := tx.NewRaw(`INSERT INTO comment_acknoledgments (comment, person) VALUES (?, ?)`, cm.ID, who.PersonID).Exec(ctx); err != nil {
				return fmt.Errorf("acknowledge %s: %w", cm.ID, err)
			}
		}
		ev.add(name, map[string]any{"comment_id": cm.ID, "person_id": who.PersonID}, t.Project.ID)
		return nil
	})
}

// commentsAutomationGet is GET /data/status-automations/<id>: admins only,
// as Zou's resource (the list is open to every role but vendors).
func (s *Server) commentsAutomationGet(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	out, err := s.Engine.Get(c.Request.Context(), s.Engine.Reg.MustCollection("status-automations"), who.Principal, c.Param("id"), c.Request.URL.Query())
	return http.StatusOK, out, err
}

// commentsAutomationDelete is DELETE /data/status-automations/<id>: admins
// only, refused while a project uses the automation.
func (s *Server) commentsAutomationDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	id := c.Param("id")
	if !engine.IsUUID(id) {
		return 0, nil, engine.MalformedID()
	}
	used, err := s.DB.NewSelect().TableExpr("project_status_automation_link").Where("status_automation_id = ?", id).Exists(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("automation links: %w", err)
	}
	if used {
		return 0, nil, engine.Plain400("This automation is used in a project.")
	}
	return http.StatusNoContent, nil, s.Engine.Delete(ctx, s.Engine.Reg.MustCollection("status-automations"), who.Principal, id, c.Request.URL.Query())
}
