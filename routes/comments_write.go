package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// commentsReplyRow is one element of a comment's replies column.
type commentsReplyRow map[string]any

// commentsReplies reads (and locks) a comment's replies.
// Elements are kept as they are stored: a reply of another shape survives
// the rewrite of the column.
func commentsReplies(ctx context.Context, tx bun.IDB, commentID string) ([]any, error) {
	var raw []byte
	err := tx.NewRaw(`SELECT COALESCE(replies, '[]'::jsonb) FROM comment WHERE id = ? FOR UPDATE`, commentID).Scan(ctx, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("replies of %s: %w", commentID, err)
	}
	var out []any
	if json.Unmarshal(raw, &out) != nil {
		// Not an array: Zou would fail on it; nothing here is lost by
		// starting a list, as no reply can be read from it either.
		out = nil
	}
	return out, nil
}

// commentsReply is POST /data/tasks/<id>/comments/<comment_id>/reply: the
// comment's author, a task actor or a person mentioned in the conversation
// adds a reply (JSON {text}); assignees, subscribers, earlier repliers and
// the comment's author are notified, mentioned people too.
func (s *Server) commentsReply(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, cm, err := s.commentsTaskComment(c, who)
	if err != nil {
		return 0, nil, err
	}
	if cm.PersonID != who.PersonID {
		ok, err := t.CanAct(ctx)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			if ok, err = commentsMentioned(ctx, t); err != nil {
				return 0, nil, err
			}
		}
		if !ok {
			return 0, nil, engine.Forbidden()
		}
		// A client may not answer another studio's client.
		if t.IsClient() && cm.AuthorRole == "client" {
			same, err := s.DB.NewSelect().TableExpr("person a").Join("JOIN person b ON b.id = ?", who.PersonID).
				Where("a.id = ? AND a.studio_id IS NOT DISTINCT FROM b.studio_id", cm.PersonID).Exists(ctx)
			if err != nil {
				return 0, nil, fmt.Errorf("studio of %s: %w", cm.PersonID, err)
			}
			if !same {
				return 0, nil, engine.Forbidden()
			}
		}
	}
	m, err := optionalBody(c)
	if err != nil {
		return 0, nil, err
	}
	text, _, err := field[string](m, "text")
	if err != nil {
		return 0, nil, err
	}
	var reply commentsReplyRow
	err = s.commentsTx(ctx, func(tx bun.Tx, ev *commentsEvents) error {
		task, err := commentsLoadTask(ctx, tx, t.TaskID)
		if err != nil {
			return err
		}
		replies, err := commentsReplies(ctx, tx, cm.ID)
		if err != nil {
			return err
		}
		persons, depts, err := commentsMentions(ctx, tx, task.ProjectID, text)
		if err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Second)
		stamp := now.Format("2006-01-02T15:04:05")
		reply = commentsReplyRow{"id": uuid.NewString(), "date": stamp, "person_id": who.PersonID, "text": text,
			"mentions": commentsNonNil(persons), "department_mentions": commentsNonNil(depts), "created_at": stamp}
		replies = append(replies, reply)
		b, err := json.Marshal(replies)
		if err != nil {
			return fmt.Errorf("encode replies: %w", err)
		}
		if _, err := tx.NewRaw(`UPDATE comment SET replies = ?::jsonb, updated_at = ? WHERE id = ?`, string(b), now, cm.ID).Exec(ctx); err != nil {
			return fmt.Errorf("reply to %s: %w", cm.ID, err)
		}
		ev.add("comment:reply", map[string]any{"task_id": task.ID, "comment_id": cm.ID, "reply_id": reply["id"]}, task.ProjectID)

		var recipients []string
		err = tx.NewRaw(`SELECT DISTINCT pid::text FROM (
			SELECT person_id AS pid FROM task_person_link WHERE task_id = ?
			UNION SELECT person_id FROM subscription WHERE task_id = ?
			UNION SELECT person_id FROM subscription WHERE task_type_id = ? AND entity_id = ?
			UNION SELECT (r->>'person_id')::uuid FROM comment c, jsonb_array_elements(CASE WHEN jsonb_typeof(c.replies) = 'array' THEN c.replies ELSE '[]'::jsonb END) r
				WHERE c.id = ? AND r->>'person_id' ~* '^[0-9a-f-]{36}$'
			UNION SELECT person_id FROM comment WHERE id = ?
			) x WHERE pid <> ? ORDER BY 1`, task.ID, task.ID, task.TaskTypeID, task.ParentID, cm.ID, cm.ID, who.PersonID).Scan(ctx, &recipients)
		if err != nil {
			return fmt.Errorf("reply recipients: %w", err)
		}
		var mentioned []string
		err = tx.NewRaw(`SELECT pid::text FROM (
			SELECT unnest(?::uuid[]) AS pid
			UNION ALL SELECT l.person_id FROM department_link dl
			JOIN project_person_link l ON l.person_id = dl.person_id AND l.project_id = ?
			WHERE dl.department_id = ANY(?::uuid[])) r WHERE pid <> ?`,
			commentsArr(persons), task.ProjectID, commentsArr(depts), who.PersonID).Scan(ctx, &mentioned)
		if err != nil {
			return fmt.Errorf("reply mentions: %w", err)
		}
		if err := commentsInsertNotifications(ctx, tx, task, commentsNotif{comment: cm.ID, author: who.PersonID,
			reply: reply["id"].(string), createdAt: now}, recipients, mentioned, ev); err != nil {
			return err
		}
		var short string
		if err := tx.NewRaw(`SELECT jsonb_build_object('id', id, 'first_name', first_name, 'last_name', last_name,
			'full_name', trim(concat_ws(' ', nullif(first_name, ''), nullif(last_name, ''))), 'has_avatar', has_avatar, 'role', role)
			FROM person WHERE id = ?`, who.PersonID).Scan(ctx, &short); err != nil {
			return fmt.Errorf("reply author: %w", err)
		}
		reply["person"] = json.RawMessage(short)
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, reply, nil
}

// commentsNonNil makes an absent id list an empty JSON array.
func commentsNonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// commentsDeleteReply is DELETE .../comments/<comment_id>/reply/<reply_id>:
// the reply's author or an admin removes it, with its attachments and
// notifications; the answer is the comment.
func (s *Server) commentsDeleteReply(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, cm, err := s.commentsTaskComment(c, who)
	if err != nil {
		return 0, nil, err
	}
	replyID := c.Param("reply_id")
	return s.commentsChange(ctx, cm.ID, false, func(tx bun.Tx, ev *commentsEvents) error {
		replies, err := commentsReplies(ctx, tx, cm.ID)
		if err != nil {
			return err
		}
		kept := make([]any, 0, len(replies))
		var found map[string]any
		for _, r := range replies {
			if m, ok := r.(map[string]any); ok && m["id"] == replyID && found == nil {
				found = m
				continue
			}
			kept = append(kept, r)
		}
		if found == nil {
			return engine.Status(http.StatusNotFound, "Reply not found")
		}
		if author, _ := found["person_id"].(string); author != who.PersonID {
			if err := who.RequireAdmin(); err != nil {
				return err
			}
		}
		b, err := json.Marshal(kept)
		if err != nil {
			return fmt.Errorf("encode replies: %w", err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		if _, err := tx.NewRaw(`UPDATE comment SET replies = ?::jsonb, updated_at = ? WHERE id = ?`, string(b), now, cm.ID).Exec(ctx); err != nil {
			return fmt.Errorf("delete reply: %w", err)
		}
		if engine.IsUUID(replyID) {
			if _, err := tx.NewRaw(`DELETE FROM attachment_file WHERE comment_id = ? AND reply_id = ?`, cm.ID, replyID).Exec(ctx); err != nil {
				return fmt.Errorf("reply attachments: %w", err)
			}
			if _, err := tx.NewRaw(`DELETE FROM notification WHERE reply_id = ?`, replyID).Exec(ctx); err != nil {
				return fmt.Errorf("reply notifications: %w", err)
			}
		}
		ev.add("comment:delete-reply", map[string]any{"task_id": t.TaskID, "comment_id": cm.ID, "reply_id": replyID}, t.Project.ID)
		return nil
	})
}

// commentsDeleteAttachment is DELETE .../comments/<comment_id>/attachments/<attachment_file_id>:
// the comment's author, or a manager of the project.
func (s *Server) commentsDeleteAttachment(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, cm, err := s.commentsTaskComment(c, who)
	if err != nil {
		return 0, nil, err
	}
	fileID := c.Param("attachment_file_id")
	if !engine.IsUUID(fileID) {
		return 0, nil, engine.NotFound()
	}
	ok, err := s.DB.NewSelect().TableExpr("attachment_file").Where("id = ? AND comment_id = ?", fileID, cm.ID).Exists(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("attachment %s: %w", fileID, err)
	}
	if !ok {
		return 0, nil, engine.NotFound()
	}
	if cm.PersonID != who.PersonID {
		if err := t.RequireManager(); err != nil {
			return 0, nil, err
		}
	}
	if _, err := s.DB.NewRaw(`DELETE FROM attachment_file WHERE id = ?`, fileID).Exec(ctx); err != nil {
		return 0, nil, fmt.Errorf("delete attachment %s: %w", fileID, err)
	}
	return http.StatusNoContent, nil, nil
}

// commentsMove is POST /actions/tasks/<id>/comments/<comment_id>/move: a
// global manager moves a comment to another task of the same entity; its
// notifications and news are recreated there and both tasks replayed.
func (s *Server) commentsMove(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	if err := who.RequireGlobalManager(); err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	targetID, err := requiredString(m, "target_task_id")
	if err != nil {
		return 0, nil, err
	}
	src, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	dst, err := who.Task(ctx, targetID)
	if err != nil {
		return 0, nil, err
	}
	cm, err := commentsLoad(ctx, s.DB, c.Param("comment_id"))
	if err != nil {
		return 0, nil, err
	}
	if cm.TaskID != src.TaskID {
		return 0, nil, engine.BadRequest("Comment does not belong to the given task.")
	}
	if src.TaskID == dst.TaskID {
		return 0, nil, engine.BadRequest("Source and target tasks must be different.")
	}
	if src.EntityID != dst.EntityID {
		return 0, nil, engine.BadRequest("A comment can only be moved between tasks of the same entity.")
	}
	return s.commentsChange(ctx, cm.ID, true, func(tx bun.Tx, ev *commentsEvents) error {
		var withPreview bool
		if err := tx.NewRaw(`SELECT preview_file_id IS NOT NULL OR EXISTS (SELECT 1 FROM comment_preview_link WHERE comment = c.id)
			FROM comment c WHERE c.id = ? FOR UPDATE`, cm.ID).Scan(ctx, &withPreview); err != nil {
			return fmt.Errorf("move comment %s: %w", cm.ID, err)
		}
		if withPreview {
			return engine.BadRequest("A comment attached to a preview revision cannot be moved.")
		}
		for _, q := range []string{`DELETE FROM notification WHERE comment_id = ?0`, `DELETE FROM news WHERE comment_id = ?0`,
			`UPDATE comment SET object_id = ?1 WHERE id = ?0`} {
			if _, err := tx.NewRaw(q, cm.ID, dst.TaskID).Exec(ctx); err != nil {
				return fmt.Errorf("move comment %s: %w", cm.ID, err)
			}
		}
		if _, err := commentsResetTask(ctx, tx, src.TaskID, ev); err != nil {
			return err
		}
		if _, err := commentsResetTask(ctx, tx, dst.TaskID, ev); err != nil {
			return err
		}
		var row struct {
			Status    string    `bun:"task_status_id"`
			CreatedAt time.Time `bun:"created_at"`
		}
		if err := tx.NewRaw(`SELECT task_status_id::text, created_at FROM comment WHERE id = ?`, cm.ID).Scan(ctx, &row); err != nil {
			return fmt.Errorf("moved comment: %w", err)
		}
		ev.add("comment:delete", map[string]any{"comment_id": cm.ID}, src.Project.ID)
		ev.add("comment:new", map[string]any{"comment_id": cm.ID, "task_id": dst.TaskID, "task_status_id": row.Status}, dst.Project.ID)
		task, err := commentsLoadTask(ctx, tx, dst.TaskID)
		if err != nil {
			return err
		}
		if err := commentsNotify(ctx, tx, task, cm.ID, cm.PersonID, false, ev); err != nil {
			return err
		}
		if task.Business != "Concept" {
			newsID := uuid.NewString()
			if _, err := tx.NewRaw(`INSERT INTO news (id, created_at, updated_at, change, author_id, comment_id, task_id)
				VALUES (?, ?, ?, false, ?, ?, ?)`, newsID, row.CreatedAt, time.Now().UTC(), cm.PersonID, cm.ID, task.ID).Exec(ctx); err != nil {
				return fmt.Errorf("news of moved comment: %w", err)
			}
			ev.add("news:new", map[string]any{"news_id": newsID, "task_status_id": row.Status, "task_type_id": task.TaskTypeID}, task.ProjectID)
		}
		return nil
	})
}

// commentsAddPreview is POST /actions/tasks/<id>/comments/<comment_id>/add-preview:
// a task actor creates the preview_file row of the comment's revision
// (next revision for a first preview, the comment's revision otherwise);
// the media is uploaded afterwards on another route.
func (s *Server) commentsAddPreview(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	m, err := optionalBody(c)
	if err != nil {
		return 0, nil, err
	}
	revision, hasRevision, err := field[int](m, "revision")
	if err != nil {
		return 0, nil, err
	}
	if hasRevision && revision < 0 {
		return 0, nil, engine.BadRequest("Invalid value for revision: must be 0 or more.")
	}
	if err := t.RequireAct(ctx); err != nil {
		return 0, nil, err
	}
	cm, err := commentsOfTaskComment(ctx, s.DB, t.TaskID, c.Param("comment_id"))
	if err != nil {
		return 0, nil, err
	}
	var out []byte
	err = s.commentsTx(ctx, func(tx bun.Tx, ev *commentsEvents) error {
		id, err := commentsNewPreview(ctx, tx, cm.ID, t.TaskID, t.Project.ID, who.PersonID, revision, hasRevision, ev)
		if err != nil {
			return err
		}
		out, err = s.Engine.Read(ctx, tx, s.Engine.Reg.MustCollection("preview-files"), id, true)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

// commentsUpdate is PUT /data/comments/<id>: admins and managers of the
// project change anything; others change their own comments (not
// for_client, person_id, object_id), pin others' as supervisors of the
// department, and tick others' checklists as assignees or department
// supervisors. editor_id is set to the caller, mentions recomputed, and a
// status change replays the task's history.
func (s *Server) commentsUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if !engine.IsUUID(id) {
		return 0, nil, engine.MalformedID()
	}
	cm, err := commentsLoad(ctx, s.DB, id)
	if err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	var cur struct {
		Status    string       `bun:"task_status_id"`
		Pinned    sql.NullBool `bun:"pinned"`
		Checklist string       `bun:"checklist"`
	}
	if err := s.DB.NewRaw(`SELECT task_status_id::text, pinned, COALESCE(checklist::text, '') AS checklist FROM comment WHERE id = ?`, cm.ID).Scan(ctx, &cur); err != nil {
		return 0, nil, fmt.Errorf("load comment %s: %w", cm.ID, err)
	}
	newStatus := ""
	if _, ok := m["task_status_id"]; ok {
		if newStatus, err = idField(m, "task_status_id"); err != nil {
			return 0, nil, err
		}
	}
	if !who.IsAdmin() {
		if err := commentsMayUpdate(ctx, who, cm, m, cur.Pinned, json.RawMessage(cur.Checklist), cur.Status, newStatus); err != nil {
			return 0, nil, err
		}
	}
	if newStatus != "" {
		if _, err := commentsLoadStatus(ctx, s.DB, newStatus); err != nil {
			return 0, nil, err
		}
	}
	m["editor_id"] = json.RawMessage(`"` + who.PersonID + `"`)
	return s.commentsChange(ctx, cm.ID, true, func(tx bun.Tx, ev *commentsEvents) error {
		if _, err := s.Engine.Patch(ctx, tx, s.commentsColl(), who.Principal, cm.ID, m); err != nil {
			return err
		}
		task, err := commentsLoadTask(ctx, tx, cm.TaskID)
		if err != nil {
			return err
		}
		var text sql.NullString
		var createdAt time.Time
		var status string
		if err := tx.NewRaw(`SELECT text, created_at, task_status_id::text FROM comment WHERE id = ?`, cm.ID).Scan(ctx, &text, &createdAt, &status); err != nil {
			return fmt.Errorf("updated comment: %w", err)
		}
		for _, q := range []string{`DELETE FROM comment_mentions WHERE comment = ?`, `DELETE FROM comment_department_mentions WHERE comment = ?`} {
			if _, err := tx.NewRaw(q, cm.ID).Exec(ctx); err != nil {
				return fmt.Errorf("reset mentions: %w", err)
			}
		}
		if err := commentsWriteMentions(ctx, tx, cm.ID, task.ProjectID, text.String); err != nil {
			return err
		}
		if status != cur.Status {
			if _, err := commentsResetTask(ctx, tx, task.ID, ev); err != nil {
				return err
			}
			ev.add("task:status-changed", map[string]any{"task_id": task.ID, "new_task_status_id": status,
				"previous_task_status_id": cur.Status, "person_id": cm.PersonID}, task.ProjectID)
		}
		// Mention notifications follow the new text (reply notifications stay).
		if _, err := tx.NewRaw(`DELETE FROM notification WHERE type = 'mention' AND comment_id = ?`, cm.ID).Exec(ctx); err != nil {
			return fmt.Errorf("reset mention notifications: %w", err)
		}
		var mentioned []string
		if err := tx.NewRaw(`SELECT person::text FROM comment_mentions WHERE comment = ?0
			UNION ALL SELECT l.person_id::text FROM comment_department_mentions m
			JOIN department_link dl ON dl.department_id = m.department
			JOIN project_person_link l ON l.person_id = dl.person_id AND l.project_id = ?1
			WHERE m.comment = ?0`, cm.ID, task.ProjectID).Scan(ctx, &mentioned); err != nil {
			return fmt.Errorf("mentioned in %s: %w", cm.ID, err)
		}
		if err := commentsInsertNotifications(ctx, tx, task, commentsNotif{comment: cm.ID, author: cm.PersonID, createdAt: createdAt},
			nil, mentioned, ev); err != nil {
			return err
		}
		ev.add("comment:update", map[string]any{"comment_id": cm.ID, "task_id": task.ID}, task.ProjectID)
		return nil
	})
}

// commentsMayUpdate applies Zou's update rules for non-admins.
func commentsMayUpdate(ctx context.Context, who *access.Caller, cm *commentsMeta, m map[string]json.RawMessage,
	pinned sql.NullBool, checklist json.RawMessage, status, newStatus string) error {
	t, err := who.Task(ctx, cm.TaskID)
	if err != nil {
		return err
	}
	if !t.Member {
		return engine.Forbidden()
	}
	if t.IsManager() {
		return nil
	}
	own := cm.PersonID == who.PersonID
	changes := func(key string, current any) bool {
		raw, ok := m[key]
		if !ok {
			return false
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return true
		}
		return !reflect.DeepEqual(v, current)
	}
	var curPinned any
	if pinned.Valid {
		curPinned = pinned.Bool
	}
	var curChecklist any
	if len(checklist) > 0 {
		_ = json.Unmarshal(checklist, &curChecklist)
	}
	if changes("for_client", cm.ForClient) {
		return engine.Forbidden()
	}
	supervisorHere := false
	if t.IsSupervisor() {
		if supervisorHere, err = who.CoversDepartment(ctx, t.DepartmentID); err != nil {
			return err
		}
	}
	if changes("pinned", curPinned) && !supervisorHere {
		return engine.Forbidden()
	}
	if !own && changes("checklist", curChecklist) {
		if !supervisorHere && !t.IsAssigned() {
			return engine.Forbidden()
		}
		if !commentsOnlyTicks(curChecklist, m["checklist"]) {
			return engine.Forbidden()
		}
	}
	if !own {
		for k := range m {
			if k != "pinned" && k != "checklist" {
				return engine.Forbidden()
			}
		}
	}
	if changes("person_id", who.PersonID) || changes("object_id", cm.TaskID) {
		return engine.Forbidden()
	}
	if newStatus != "" {
		if !strings.EqualFold(newStatus, status) {
			if err := t.RequireAct(ctx); err != nil {
				return err
			}
		}
		st, err := commentsLoadStatus(ctx, who.DB, newStatus)
		if err != nil {
			return err
		}
		return commentsCheckStatus(t.Project, st)
	}
	return nil
}

// commentsOnlyTicks: the new checklist has the same items with only their
// "checked" values changed.
func commentsOnlyTicks(current any, raw json.RawMessage) bool {
	var next []map[string]any
	if json.Unmarshal(raw, &next) != nil {
		return false
	}
	cur, _ := current.([]any)
	if len(cur) != len(next) {
		return false
	}
	for i, item := range cur {
		ci, ok := item.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range next[i] {
			if k == "checked" {
				continue
			}
			if !reflect.DeepEqual(ci[k], v) {
				return false
			}
		}
		for k := range ci {
			if _, ok := next[i][k]; !ok && k != "checked" {
				return false
			}
		}
	}
	return true
}
