package routes

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// commentsListSQL builds every comment of a task as Zou's get_comments
// shapes it, in one query: the row, its author, editor and status, and the
// ids or short rows of its links (acknowledgements, mentions, previews,
// attachments), replies with their authors. ?0 is the task, ?1 whether
// rejected previews are left out (clients), ?2 whether clients' comments
// are left out (artists and vendors).
func (s *Server) commentsListSQL() string {
	return `SELECT COALESCE(jsonb_agg(x.o ORDER BY x.at DESC, x.id), '[]'::jsonb) FROM (
	SELECT c.created_at AS at, c.id, ` + s.commentsColl().ObjectSQL("c") + ` || jsonb_build_object(
		'person', ` + commentsShort("p") + `,
		'task_status', jsonb_build_object('name', s.name, 'short_name', s.short_name, 'color', s.color, 'id', s.id),
		'acknowledgements', COALESCE((SELECT jsonb_agg(a.person) FROM comment_acknoledgments a WHERE a.comment = c.id), '[]'::jsonb),
		'mentions', COALESCE((SELECT jsonb_agg(m.person) FROM comment_mentions m WHERE m.comment = c.id), '[]'::jsonb),
		'department_mentions', COALESCE((SELECT jsonb_agg(m.department) FROM comment_department_mentions m WHERE m.comment = c.id), '[]'::jsonb),
		'previews', ` + commentsPreviewsSQL("?1") + `,
		'attachment_files', COALESCE((SELECT jsonb_agg(jsonb_build_object('id', f.id, 'name', f.name, 'extension', f.extension,
			'reply_id', f.reply_id, 'size', f.size) ORDER BY f.created_at) FROM attachment_file f WHERE f.comment_id = c.id), '[]'::jsonb),
		'replies', ` + commentsRepliesSQL + `
	) || CASE WHEN c.editor_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('editor', jsonb_build_object(
		'first_name', ed.first_name, 'last_name', ed.last_name, 'has_avatar', ed.has_avatar, 'role', ed.role, 'id', c.editor_id)) END AS o
	FROM comment c JOIN person p ON p.id = c.person_id JOIN task_status s ON s.id = c.task_status_id
	JOIN task t ON t.id = c.object_id
	LEFT JOIN person ed ON ed.id = c.editor_id
	LEFT JOIN project_person_link ppl ON ppl.person_id = p.id AND ppl.project_id = t.project_id
	WHERE c.object_id = ?0 AND NOT (?2 AND COALESCE(NULLIF(ppl.role, ''), p.role) = 'client')) x`
}

// commentsShort is Zou's build_short_person for person row alias a.
func commentsShort(a string) string {
	return `jsonb_build_object('id', ` + a + `.id, 'first_name', ` + a + `.first_name, 'last_name', ` + a + `.last_name,
		'full_name', trim(concat_ws(' ', nullif(` + a + `.first_name, ''), nullif(` + a + `.last_name, ''))),
		'has_avatar', ` + a + `.has_avatar, 'role', ` + a + `.role)`
}

// commentsPreviewsSQL is the short previews of comment c (Zou's preview
// map); hideRejected is an SQL boolean leaving rejected ones out (clients).
func commentsPreviewsSQL(hideRejected string) string {
	return `COALESCE((SELECT jsonb_agg(jsonb_build_object('id', pf.id, 'task_id', pf.task_id, 'revision', pf.revision,
		'extension', pf.extension, 'width', pf.width, 'height', pf.height, 'duration', pf.duration,
		'status', COALESCE(pf.status, 'ready'), 'validation_status', COALESCE(pf.validation_status, 'neutral'),
		'original_name', pf.original_name, 'position', pf.position, 'annotations', pf.annotations) ORDER BY pf.position, pf.created_at)
		FROM comment_preview_link l JOIN preview_file pf ON pf.id = l.preview_file
		WHERE l.comment = c.id AND NOT (` + hideRejected + ` AND pf.validation_status = 'rejected')), '[]'::jsonb)`
}

// commentsRepliesSQL is the replies of comment c, each with its author.
var commentsRepliesSQL = `COALESCE((SELECT jsonb_agg(CASE WHEN jsonb_typeof(r.v) = 'object'
		THEN r.v || jsonb_build_object('person', (SELECT ` + commentsShort("rp") + ` FROM person rp WHERE rp.id::text = r.v->>'person_id'))
		ELSE r.v END ORDER BY r.n)
		FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.replies) = 'array' THEN c.replies ELSE '[]'::jsonb END)
		WITH ORDINALITY AS r(v, n)), '[]'::jsonb)`

// commentsOfTask is GET /data/tasks/<id>/comments: the conversation of a
// task, newest first. Clients see comments for clients and clients'
// comments (their own only in an isolated project), studio identities
// hidden, and only the fact of a preview on other comments; artists and
// vendors do not see clients' comments.
func (s *Server) commentsOfTask(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	isClient := t.IsClient()
	hideClients := !isClient && !t.IsAtLeastSupervisor()
	var raw []byte
	if err := s.DB.NewRaw(s.commentsListSQL(), t.TaskID, isClient, hideClients).Scan(ctx, &raw); err != nil {
		return 0, nil, fmt.Errorf("comments of task %s: %w", t.TaskID, err)
	}
	if !isClient {
		return http.StatusOK, raw, nil
	}
	var isolated bool
	if err := s.DB.NewRaw(`SELECT COALESCE(is_clients_isolated, false) FROM project WHERE id = ?`, t.Project.ID).Scan(ctx, &isolated); err != nil {
		return 0, nil, fmt.Errorf("project of task %s: %w", t.TaskID, err)
	}
	out, err := commentsForClient(raw, who.PersonID, isolated)
	return http.StatusOK, out, err
}

// commentsForClient applies Zou's client filter to a comment list.
func commentsForClient(raw []byte, me string, isolated bool) ([]map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var all []map[string]any
	if err := dec.Decode(&all); err != nil {
		return nil, fmt.Errorf("decode comments: %w", err)
	}
	out := make([]map[string]any, 0, len(all))
	for _, cm := range all {
		person, _ := cm["person"].(map[string]any)
		authorClient := person != nil && person["role"] == "client"
		isAuthor := cm["person_id"] == me
		if !authorClient {
			cm["person"] = nil
		}
		if ed, ok := cm["editor"].(map[string]any); ok && ed["role"] != "client" {
			cm["editor"], cm["editor_id"] = nil, nil
		}
		if replies, ok := cm["replies"].([]any); ok {
			for _, r := range replies {
				if rm, ok := r.(map[string]any); ok {
					if rp, ok := rm["person"].(map[string]any); ok && rp["role"] != "client" {
						rm["person"] = nil
					}
				}
			}
		}
		forClient, _ := cm["for_client"].(bool)
		allowed := forClient || (isolated && isAuthor) || (!isolated && authorClient)
		previews, _ := cm["previews"].([]any)
		switch {
		case len(previews) > 0 && !authorClient && !forClient:
			cm["text"], cm["attachment_files"], cm["checklist"], cm["replies"] = "", []any{}, []any{}, []any{}
			out = append(out, cm)
		case allowed:
			out = append(out, cm)
		}
	}
	return out, nil
}

// commentsPage reads Zou's page and limit parameters (page < 1: no paging).
func commentsPage(c *gin.Context, defLimit int) (page, limit int, err error) {
	if v := c.Query("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil {
			return 0, 0, engine.BadRequest("page must be an integer.")
		}
	}
	limit = defLimit
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, engine.BadRequest("limit must be a positive integer.")
		}
	}
	return page, limit, nil
}

// commentsPaginated answers the rows where selects as Zou's sync routes do:
// a plain list without page, else the envelope {data, total, nb_pages,
// limit, offset, page}.
func (s *Server) commentsPaginated(ctx context.Context, c *gin.Context, coll *engine.Collection, v engine.View,
	where func(*bun.SelectQuery) *bun.SelectQuery) (any, error) {
	page, limit, err := commentsPage(c, s.Cfg.NbRecordsPerPage)
	if err != nil {
		return nil, err
	}
	if page < 1 {
		return s.Engine.Rows(ctx, nil, coll, v, where)
	}
	total, err := where(s.DB.NewSelect().TableExpr("? AS t", bun.Ident(coll.Table.Name))).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", coll.Name, err)
	}
	offset := (page - 1) * limit
	env := map[string]any{"total": total, "nb_pages": int(math.Ceil(float64(total) / float64(limit))),
		"limit": limit, "offset": offset, "page": page}
	if int64(total) < int64(offset) {
		env["data"], env["total"] = json.RawMessage("[]"), 0
		return env, nil
	}
	rows, err := s.Engine.Rows(ctx, nil, coll, v, func(q *bun.SelectQuery) *bun.SelectQuery {
		return where(q).Limit(int64(limit)).Offset(int64(offset))
	})
	if err != nil {
		return nil, err
	}
	env["data"] = json.RawMessage(rows)
	return env, nil
}

// commentsOfProject is GET /data/projects/<id>/comments (sync): every
// comment of the project's tasks with relations, latest change first;
// refused to vendors and clients.
func (s *Server) commentsOfProject(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	if pr.IsVendor() || pr.IsClient() {
		return 0, nil, engine.Forbidden()
	}
	out, err := s.commentsPaginated(ctx, c, s.commentsColl(), engine.View{Relations: true}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.object_id IN (SELECT pt.id FROM task pt WHERE pt.project_id = ?)", pr.ID).OrderExpr("t.updated_at DESC, t.id")
	})
	return http.StatusOK, out, err
}

// commentsProjectAttachments is GET /data/projects/<id>/attachment-files
// (admin sync): the attachments of the comments of the project's tasks.
func (s *Server) commentsProjectAttachments(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	out, err := s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("attachment-files"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.comment_id IN (SELECT ac.id FROM comment ac JOIN task at ON at.id = ac.object_id WHERE at.project_id = ?)", pr.ID).
			OrderExpr("t.created_at, t.id")
	})
	return http.StatusOK, out, err
}

// commentsTaskAttachments is GET /data/tasks/<id>/attachment-files (admin
// sync): the attachments of the task's comments.
func (s *Server) commentsTaskAttachments(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	t, err := who.Task(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	out, err := s.Engine.Rows(ctx, nil, s.Engine.Reg.MustCollection("attachment-files"), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.comment_id IN (SELECT ac.id FROM comment ac WHERE ac.object_id = ?)", t.TaskID).OrderExpr("t.created_at, t.id")
	})
	return http.StatusOK, out, err
}

// commentsAttachmentList is GET /data/attachment-files: admins only (Zou
// refuses the list to other roles in code).
func (s *Server) commentsAttachmentList(c *gin.Context, who *access.Caller) (int, any, error) {
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	out, err := s.Engine.List(c.Request.Context(), s.Engine.Reg.MustCollection("attachment-files"), who.Principal, c.Request.URL.Query())
	return http.StatusOK, out, err
}

// commentsAttachmentGet is GET /data/attachment-files/<id>: readable through
// the comment's task (team, vendor scope) or the chat's entity; an
// attachment tied to neither is refused.
func (s *Server) commentsAttachmentGet(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if !engine.IsUUID(id) {
		return 0, nil, engine.MalformedID()
	}
	var row struct {
		Task   sql.NullString `bun:"task_id"`
		Entity sql.NullString `bun:"entity_id"`
	}
	err := s.DB.NewRaw(`SELECT (SELECT cm.object_id::text FROM comment cm WHERE cm.id = f.comment_id) AS task_id,
		(SELECT ch.object_id::text FROM chat_message m JOIN chat ch ON ch.id = m.chat_id WHERE m.id = f.chat_message_id) AS entity_id
		FROM attachment_file f WHERE f.id = ?`, id).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, engine.NotFound()
	}
	if err != nil {
		return 0, nil, fmt.Errorf("attachment %s: %w", id, err)
	}
	switch {
	case row.Task.Valid:
		_, err = who.Task(ctx, row.Task.String)
	case row.Entity.Valid:
		// Zou checks only the vendor scope here; the project check keeps
		// other productions' chats out of reach.
		_, err = who.Entity(ctx, row.Entity.String, "")
	default:
		err = engine.Forbidden()
	}
	if err != nil {
		return 0, nil, err
	}
	out, err := s.Engine.Read(ctx, nil, s.Engine.Reg.MustCollection("attachment-files"), id, boolQuery(c, "relations", true))
	return http.StatusOK, out, err
}
