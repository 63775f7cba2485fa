package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/engine"
)

// What posting a comment changes, shared by the comment routes: the comment
// row and its mentions, the task status and dates, notifications, news and
// status automations, all in the caller's transaction. Events are collected
// and published by the caller once the transaction has committed, so no
// client hears of a change that was rolled back.

// commentsEvent is one event waiting for the commit.
type commentsEvent struct {
	name    string
	data    map[string]any
	project string
}

// commentsEvents collects the events of one request, in Zou's order.
type commentsEvents []commentsEvent

func (ev *commentsEvents) add(name string, data map[string]any, project string) {
	*ev = append(*ev, commentsEvent{name: name, data: data, project: project})
}

// commentsFlush publishes the collected events (after commit).
func (s *Server) commentsFlush(ctx context.Context, ev commentsEvents) {
	for _, e := range ev {
		s.publish(ctx, e.name, e.data, e.project)
	}
}

// commentsTask is what comment writes read of a task.
type commentsTask struct {
	ID              string         `bun:"id"`
	ProjectID       string         `bun:"project_id"`
	EntityID        string         `bun:"entity_id"`
	TaskTypeID      string         `bun:"task_type_id"`
	TaskStatusID    string         `bun:"task_status_id"`
	RetakeCount     sql.NullInt64  `bun:"retake_count"`
	RealStartDate   sql.NullTime   `bun:"real_start_date"`
	LastCommentDate sql.NullTime   `bun:"last_comment_date"`
	ParentID        sql.NullString `bun:"parent_id"`
	EntityTypeName  string         `bun:"entity_type_name"`
	Business        string         `bun:"business"`
	MaxRetakes      sql.NullInt64  `bun:"max_retakes"`
	EntityMaxRetake sql.NullString `bun:"entity_max_retakes"`
}

// commentsLoadTask reads (and locks) a task for a comment write; 404 when gone.
func commentsLoadTask(ctx context.Context, db bun.IDB, taskID string) (*commentsTask, error) {
	if !engine.IsUUID(taskID) {
		return nil, engine.NotFound()
	}
	var t commentsTask
	err := db.NewRaw(`SELECT t.id::text, t.project_id::text, t.entity_id::text, t.task_type_id::text,
		t.task_status_id::text, t.retake_count, t.real_start_date, t.last_comment_date,
		e.parent_id::text, et.name AS entity_type_name,
		CASE WHEN et.name IN ('Shot', 'Sequence', 'Episode', 'Scene', 'Edit', 'Concept') THEN et.name ELSE 'Asset' END AS business,
		p.max_retakes, e.data->>'max_retakes' AS entity_max_retakes
		FROM task t JOIN entity e ON e.id = t.entity_id JOIN entity_type et ON et.id = e.entity_type_id
		JOIN project p ON p.id = t.project_id
		WHERE t.id = ? FOR UPDATE OF t`, taskID).Scan(ctx, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load task %s: %w", taskID, err)
	}
	return &t, nil
}

// commentsStatus is a task status with the flags comment writes read.
type commentsStatus struct {
	ID                string `bun:"id" json:"-"`
	Name              string `bun:"name"`
	IsDone            bool   `bun:"is_done"`
	IsRetake          bool   `bun:"is_retake"`
	IsWIP             bool   `bun:"is_wip"`
	IsFeedbackRequest bool   `bun:"is_feedback_request"`
	IsArtistAllowed   bool   `bun:"is_artist_allowed"`
	IsClientAllowed   bool   `bun:"is_client_allowed"`
}

// commentsLoadStatus reads a task status; 404 when unknown, as Zou's
// get_task_status.
func commentsLoadStatus(ctx context.Context, db bun.IDB, id string) (*commentsStatus, error) {
	if !engine.IsUUID(id) {
		return nil, engine.BadRequest("Invalid value for task_status_id: not an id.")
	}
	var st commentsStatus
	err := db.NewRaw(`SELECT id::text, name, COALESCE(is_done, false) AS is_done, COALESCE(is_retake, false) AS is_retake,
		COALESCE(is_wip, false) AS is_wip, COALESCE(is_feedback_request, false) AS is_feedback_request,
		COALESCE(is_artist_allowed, true) AS is_artist_allowed, COALESCE(is_client_allowed, true) AS is_client_allowed
		FROM task_status WHERE id = ?`, id).Scan(ctx, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Status(404, "Task status not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load task status %s: %w", id, err)
	}
	return &st, nil
}

// commentsInput is one comment to post.
type commentsInput struct {
	TaskID    string
	StatusID  string
	AuthorID  string
	Text      string
	Checklist json.RawMessage
	Links     []string
	ForClient bool
	CreatedAt *time.Time
	hashtags  bool
}

// commentsMaxDepth caps the comments that automations and hashtags post in
// cascade: Zou relies on task type priorities to stop cycles; a cap keeps a
// misconfigured studio from looping.
const commentsMaxDepth = 8

// commentsCreate posts a comment as Zou's create_comment does and returns
// its id. It runs on tx; events go to ev.
func commentsCreate(ctx context.Context, tx bun.IDB, in commentsInput, ev *commentsEvents, depth int) (string, error) {
	task, err := commentsLoadTask(ctx, tx, in.TaskID)
	if err != nil {
		return "", err
	}
	st, err := commentsLoadStatus(ctx, tx, in.StatusID)
	if err != nil {
		return "", err
	}
	if st.IsRetake && task.MaxRetakes.Int64 > 0 {
		limit := task.MaxRetakes.Int64
		if n, err := commentsRetakeCap(task.EntityMaxRetake.String); err == nil && n > 0 {
			limit = n
		}
		if task.RetakeCount.Int64 >= limit {
			return "", engine.BadRequest("No more retakes allowed on this task")
		}
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	createdAt := now
	if in.CreatedAt != nil {
		createdAt = *in.CreatedAt
	}
	checklist := in.Checklist
	if len(checklist) == 0 {
		checklist = json.RawMessage("[]")
	}
	links := in.Links
	if links == nil {
		links = []string{}
	}
	id := uuid.NewString()
	_, err = tx.NewRaw(`INSERT INTO comment (id, created_at, updated_at, object_id, object_type, text, replies,
		checklist, links, for_client, task_status_id, person_id)
		VALUES (?, ?, ?, ?, 'Task', ?, '[]'::jsonb, ?::jsonb, ?, ?, ?, ?)`,
		id, createdAt, now, task.ID, in.Text, string(checklist), pgdialect.Array(links), in.ForClient, st.ID, in.AuthorID).Exec(ctx)
	if err != nil {
		return "", engine.FromDB(err)
	}
	if err := commentsWriteMentions(ctx, tx, id, task.ProjectID, in.Text); err != nil {
		return "", err
	}
	ev.add("comment:new", map[string]any{"comment_id": id, "task_id": task.ID, "task_status_id": st.ID}, task.ProjectID)

	if in.hashtags && depth < commentsMaxDepth {
		if err := commentsHashtags(ctx, tx, in, task, ev, depth); err != nil {
			return "", err
		}
	}

	changed, err := commentsApplyStatus(ctx, tx, task, st, id, in.AuthorID, createdAt, ev)
	if err != nil {
		return "", err
	}
	if err := commentsNotify(ctx, tx, task, id, in.AuthorID, changed, ev); err != nil {
		return "", err
	}
	if task.Business != "Concept" {
		newsID := uuid.NewString()
		_, err := tx.NewRaw(`INSERT INTO news (id, created_at, updated_at, change, author_id, comment_id, task_id)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, newsID, createdAt, now, changed, in.AuthorID, id, task.ID).Exec(ctx)
		if err != nil {
			return "", fmt.Errorf("news of comment %s: %w", id, err)
		}
		ev.add("news:new", map[string]any{"news_id": newsID, "task_status_id": st.ID, "task_type_id": task.TaskTypeID}, task.ProjectID)
	}
	if depth < commentsMaxDepth {
		if err := commentsAutomations(ctx, tx, task, in.AuthorID, ev, depth); err != nil {
			return "", err
		}
	}
	return id, nil
}

// commentsRetakeCap reads an entity's data.max_retakes (a number, maybe as text).
func commentsRetakeCap(s string) (int64, error) {
	var n float64
	if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &n); err != nil {
		return 0, err
	}
	return int64(n), nil
}

// commentsWriteMentions stores the people (@Full Name, team members of the
// project) and departments (@Name) a text mentions.
func commentsWriteMentions(ctx context.Context, tx bun.IDB, commentID, projectID, text string) error {
	persons, depts, err := commentsMentions(ctx, tx, projectID, text)
	if err != nil {
		return err
	}
	if len(persons) > 0 {
		if _, err := tx.NewRaw(`INSERT INTO comment_mentions (comment, person) SELECT ?, unnest(?::uuid[])`,
			commentID, pgdialect.Array(persons)).Exec(ctx); err != nil {
			return fmt.Errorf("mentions of %s: %w", commentID, err)
		}
	}
	if len(depts) > 0 {
		if _, err := tx.NewRaw(`INSERT INTO comment_department_mentions (comment, department) SELECT ?, unnest(?::uuid[])`,
			commentID, pgdialect.Array(depts)).Exec(ctx); err != nil {
			return fmt.Errorf("department mentions of %s: %w", commentID, err)
		}
	}
	return nil
}

// commentsMentions finds the team members and departments a text names.
func commentsMentions(ctx context.Context, db bun.IDB, projectID, text string) (persons, depts []string, err error) {
	if !strings.Contains(text, "@") {
		return nil, nil, nil
	}
	var rows []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
		Dept bool   `bun:"dept"`
	}
	err = db.NewRaw(`SELECT p.id::text, concat(p.first_name, ' ', p.last_name) AS name, false AS dept
		FROM person p JOIN project_person_link l ON l.person_id = p.id WHERE l.project_id = ?
		UNION ALL SELECT d.id::text, d.name, true FROM department d`, projectID).Scan(ctx, &rows)
	if err != nil {
		return nil, nil, fmt.Errorf("mention candidates: %w", err)
	}
	for _, r := range rows {
		re, err := regexp.Compile("@" + regexp.QuoteMeta(r.Name) + "( |$)")
		if err != nil || !re.MatchString(text) {
			continue
		}
		if r.Dept {
			depts = append(depts, r.ID)
		} else {
			persons = append(persons, r.ID)
		}
	}
	return persons, depts, nil
}

var commentsHashtagRE = regexp.MustCompile(`#[a-zA-Z]*`)

// commentsHashtags posts the comment again on the sibling tasks whose task
// type a #hashtag names (#all: every other task of the entity), keeping
// each sibling's status.
func commentsHashtags(ctx context.Context, tx bun.IDB, in commentsInput, task *commentsTask, ev *commentsEvents, depth int) error {
	tags := map[string]bool{}
	for _, h := range commentsHashtagRE.FindAllString(in.Text, -1) {
		tags[strings.ToLower(h[1:])] = true
	}
	delete(tags, "")
	if len(tags) == 0 {
		return nil
	}
	var siblings []struct {
		ID     string `bun:"id"`
		Status string `bun:"task_status_id"`
		Type   string `bun:"type_name"`
	}
	var ownType string
	if err := tx.NewRaw(`SELECT name FROM task_type WHERE id = ?`, task.TaskTypeID).Scan(ctx, &ownType); err != nil {
		return fmt.Errorf("task type of %s: %w", task.ID, err)
	}
	err := tx.NewRaw(`SELECT t.id::text, t.task_status_id::text, tt.name AS type_name FROM task t
		JOIN task_type tt ON tt.id = t.task_type_id WHERE t.entity_id = ? ORDER BY tt.name`, task.EntityID).Scan(ctx, &siblings)
	if err != nil {
		return fmt.Errorf("sibling tasks of %s: %w", task.ID, err)
	}
	for _, sib := range siblings {
		name := strings.ToLower(sib.Type)
		if name == strings.ToLower(ownType) || (!tags["all"] && !tags[name]) {
			continue
		}
		_, err := commentsCreate(ctx, tx, commentsInput{
			TaskID: sib.ID, StatusID: sib.Status, AuthorID: in.AuthorID,
			Text: in.Text + "\n\n____\nFrom " + ownType + " task",
		}, ev, depth+1)
		if err != nil {
			return err
		}
	}
	return nil
}

// commentsApplyStatus is Zou's _manage_status_change: the comment's status
// goes to the task with retake count and dates, unless the comment is
// older than the last one (then the history is replayed). It reports
// whether the status changed.
func commentsApplyStatus(ctx context.Context, tx bun.IDB, task *commentsTask, st *commentsStatus,
	commentID, authorID string, createdAt time.Time, ev *commentsEvents) (bool, error) {
	if task.LastCommentDate.Valid && task.LastCommentDate.Time.After(createdAt) {
		newStatus, err := commentsResetTask(ctx, tx, task.ID, ev)
		task.TaskStatusID = newStatus
		return false, err
	}
	changed := st.ID != task.TaskStatusID
	now := time.Now().UTC().Truncate(time.Microsecond)
	q := tx.NewUpdate().Table("task").Where("id = ?", task.ID).
		Set("task_status_id = ?", st.ID).Set("last_comment_date = ?", createdAt).Set("updated_at = ?", now)
	if changed {
		if st.IsRetake {
			q = q.Set("retake_count = COALESCE(retake_count, 0) + 1")
		}
		if st.IsWIP && !task.RealStartDate.Valid {
			q = q.Set("real_start_date = ?", now)
		}
		switch {
		case st.IsFeedbackRequest:
			q = q.Set("end_date = ?", now)
		case !st.IsDone:
			q = q.Set("end_date = NULL")
		}
		if st.IsDone {
			q = q.Set("done_date = ?", now)
		} else {
			q = q.Set("done_date = NULL")
		}
	}
	if _, err := q.Exec(ctx); err != nil {
		return false, fmt.Errorf("status of task %s: %w", task.ID, err)
	}
	ev.add("task:update", map[string]any{"task_id": task.ID}, task.ProjectID)
	if changed {
		data := map[string]any{"task_id": task.ID, "new_task_status_id": st.ID,
			"previous_task_status_id": task.TaskStatusID, "person_id": authorID}
		ev.add("task:status-changed", data, task.ProjectID)
		if st.IsFeedbackRequest {
			review := map[string]any{"comment_id": commentID}
			for k, v := range data {
				review[k] = v
			}
			ev.add("task:to-review", review, task.ProjectID)
		}
	}
	task.TaskStatusID = st.ID
	return changed, nil
}

// commentsResetTask is Zou's reset_task_data: status, retake count and
// dates recomputed from the comment history (default status when none). It
// returns the resulting status.
func commentsResetTask(ctx context.Context, tx bun.IDB, taskID string, ev *commentsEvents) (string, error) {
	var rows []struct {
		Status    string    `bun:"task_status_id"`
		CreatedAt time.Time `bun:"created_at"`
		Retake    bool      `bun:"is_retake"`
		Feedback  bool      `bun:"is_feedback_request"`
		Done      bool      `bun:"is_done"`
		WIP       bool      `bun:"is_wip"`
	}
	err := tx.NewRaw(`SELECT c.task_status_id::text, c.created_at, COALESCE(s.is_retake, false) AS is_retake,
		COALESCE(s.is_feedback_request, false) AS is_feedback_request, COALESCE(s.is_done, false) AS is_done,
		COALESCE(s.is_wip, false) AS is_wip
		FROM comment c JOIN task_status s ON s.id = c.task_status_id WHERE c.object_id = ? ORDER BY c.created_at`, taskID).Scan(ctx, &rows)
	if err != nil {
		return "", fmt.Errorf("history of task %s: %w", taskID, err)
	}
	var projectID string
	var concept bool
	err = tx.NewRaw(`SELECT t.project_id::text, et.name = 'Concept' FROM task t JOIN entity e ON e.id = t.entity_id
		JOIN entity_type et ON et.id = e.entity_type_id WHERE t.id = ?`, taskID).Scan(ctx, &projectID, &concept)
	if err != nil {
		return "", fmt.Errorf("reset task %s: %w", taskID, err)
	}
	status, err := commentsDefaultStatus(ctx, tx, concept)
	if err != nil {
		return "", err
	}
	retakes := 0
	var realStart, lastComment, end, done *time.Time
	previousRetake := false
	for _, r := range rows {
		at := r.CreatedAt
		if r.Retake && !previousRetake {
			retakes++
		}
		previousRetake = r.Retake
		if r.WIP && realStart == nil {
			realStart = &at
		}
		if r.Feedback && end == nil {
			end = &at
		}
		if r.Done {
			done = &at
		}
		status = r.Status
		lastComment = &at
	}
	_, err = tx.NewRaw(`UPDATE task SET duration = COALESCE((SELECT sum(duration) FROM time_spent WHERE task_id = ?), 0),
		retake_count = ?, real_start_date = ?, last_comment_date = ?, end_date = ?, done_date = ?, task_status_id = ?,
		updated_at = ? WHERE id = ?`, taskID, retakes, realStart, lastComment, end, done, status,
		time.Now().UTC().Truncate(time.Microsecond), taskID).Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("reset task %s: %w", taskID, err)
	}
	ev.add("task:update", map[string]any{"task_id": taskID}, projectID)
	return status, nil
}

// commentsDefaultStatus is Zou's get_default_status: Todo (Neutral for
// concepts), created when missing.
func commentsDefaultStatus(ctx context.Context, tx bun.IDB, concept bool) (string, error) {
	name, short, color := "Todo", "todo", "#f5f5f5"
	if concept {
		name, short, color = "Neutral", "neutral", "#CCCCCC"
	}
	var id string
	err := tx.NewRaw(`SELECT id::text FROM task_status WHERE name = ? AND COALESCE(for_concept, false) = ? ORDER BY created_at LIMIT 1`,
		name, concept).Scan(ctx, &id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("default status: %w", err)
	}
	id = uuid.NewString()
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, err = tx.NewRaw(`INSERT INTO task_status (id, created_at, updated_at, name, short_name, color, is_default, for_concept,
		archived, priority, is_done, is_artist_allowed, is_client_allowed, is_retake, is_feedback_request, is_wip)
		VALUES (?, ?, ?, ?, ?, ?, true, ?, false, 1, false, true, true, false, false, false)`,
		id, now, now, name, short, color, concept).Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("create default status: %w", err)
	}
	return id, nil
}

// commentsNotify creates the notifications of a new comment as Zou does:
// "comment" for assignees and subscribers of the task (or of the task type
// on the shot's sequence), "mention" for the people named or in a named
// department of the team; never for the author.
func commentsNotify(ctx context.Context, tx bun.IDB, task *commentsTask, commentID, authorID string, change bool, ev *commentsEvents) error {
	var recipients []string
	err := tx.NewRaw(`SELECT DISTINCT pid::text FROM (
		SELECT person_id AS pid FROM task_person_link WHERE task_id = ?
		UNION SELECT person_id FROM subscription WHERE task_id = ?
		UNION SELECT person_id FROM subscription WHERE task_type_id = ? AND entity_id = ?
		) r WHERE pid <> ? ORDER BY 1`, task.ID, task.ID, task.TaskTypeID, task.ParentID, authorID).Scan(ctx, &recipients)
	if err != nil {
		return fmt.Errorf("recipients of %s: %w", commentID, err)
	}
	var mentioned []string
	err = tx.NewRaw(`SELECT pid::text FROM (
		SELECT person AS pid FROM comment_mentions WHERE comment = ?
		UNION ALL SELECT l.person_id FROM comment_department_mentions m
		JOIN department_link dl ON dl.department_id = m.department
		JOIN project_person_link l ON l.person_id = dl.person_id AND l.project_id = ?
		WHERE m.comment = ?) r WHERE pid <> ?`, commentID, task.ProjectID, commentID, authorID).Scan(ctx, &mentioned)
	if err != nil {
		return fmt.Errorf("mentioned in %s: %w", commentID, err)
	}
	return commentsInsertNotifications(ctx, tx, task, commentsNotif{comment: commentID, author: authorID, change: change},
		recipients, mentioned, ev)
}

// commentsNotif is what notification rows of one comment or reply share.
type commentsNotif struct {
	comment, author, reply string
	change                 bool
	createdAt              time.Time
}

// commentsInsertNotifications writes one notification per recipient of the
// plain kind and one per mentioned person, in one statement, and queues a
// notification:new event per row.
func commentsInsertNotifications(ctx context.Context, tx bun.IDB, task *commentsTask, n commentsNotif,
	recipients, mentioned []string, ev *commentsEvents) error {
	plain, mention := "comment", "mention"
	if n.reply != "" {
		plain, mention = "reply", "reply-mention"
	}
	type row struct {
		id, person, kind string
	}
	var rows []row
	for _, p := range recipients {
		rows = append(rows, row{uuid.NewString(), p, plain})
	}
	for _, p := range mentioned {
		rows = append(rows, row{uuid.NewString(), p, mention})
	}
	if len(rows) == 0 {
		return nil
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	at := now
	if !n.createdAt.IsZero() {
		at = n.createdAt
	}
	ids, persons, kinds := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		ids[i], persons[i], kinds[i] = r.id, r.person, r.kind
	}
	var reply any
	if n.reply != "" {
		reply = n.reply
	}
	_, err := tx.NewRaw(`INSERT INTO notification (id, created_at, updated_at, read, change, type, person_id, author_id,
		comment_id, task_id, reply_id)
		SELECT u.id, ?, ?, false, CASE WHEN u.kind IN ('comment') THEN ? ELSE false END, u.kind, u.person, ?, ?, ?, ?
		FROM unnest(?::uuid[], ?::uuid[], ?::text[]) AS u(id, person, kind)`,
		at, now, n.change, n.author, n.comment, task.ID, reply,
		pgdialect.Array(ids), pgdialect.Array(persons), pgdialect.Array(kinds)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("notifications of %s: %w", n.comment, err)
	}
	for _, r := range rows {
		ev.add("notification:new", map[string]any{"notification_id": r.id, "person_id": r.person}, task.ProjectID)
	}
	return nil
}

// commentsAutomations runs the project's status automations triggered by
// the task's new status: another task type of the same entity gets a
// comment moving it to the target status, or the asset's ready_for moves.
func commentsAutomations(ctx context.Context, tx bun.IDB, task *commentsTask, authorID string, ev *commentsEvents, depth int) error {
	var autos []struct {
		EntityType  string         `bun:"entity_type"`
		OutField    string         `bun:"out_field_type"`
		OutTypeID   sql.NullString `bun:"out_task_type_id"`
		OutStatusID sql.NullString `bun:"out_task_status_id"`
		InTypeName  string         `bun:"in_type_name"`
		InStatus    string         `bun:"in_status_name"`
		InPriority  sql.NullInt64  `bun:"in_priority"`
		OutPriority sql.NullInt64  `bun:"out_priority"`
		ImportLast  bool           `bun:"import_last_revision"`
	}
	err := tx.NewRaw(`SELECT COALESCE(a.entity_type, '') AS entity_type, a.out_field_type, a.out_task_type_id::text,
		a.out_task_status_id::text, itt.name AS in_type_name, its.name AS in_status_name,
		(SELECT l.priority FROM project_task_type_link l JOIN task_type x ON x.id = l.task_type_id
		 WHERE l.project_id = ? AND l.task_type_id = a.in_task_type_id AND lower(x.for_entity) = lower(a.entity_type)) AS in_priority,
		(SELECT l.priority FROM project_task_type_link l JOIN task_type x ON x.id = l.task_type_id
		 WHERE l.project_id = ? AND l.task_type_id = a.out_task_type_id AND lower(x.for_entity) = lower(a.entity_type)) AS out_priority,
		COALESCE(a.import_last_revision, false) AS import_last_revision
		FROM project_status_automation_link pl JOIN status_automation a ON a.id = pl.status_automation_id
		JOIN task_type itt ON itt.id = a.in_task_type_id JOIN task_status its ON its.id = a.in_task_status_id
		WHERE pl.project_id = ? AND NOT COALESCE(a.archived, false)
		AND a.in_task_type_id = ? AND a.in_task_status_id = ?
		ORDER BY a.created_at`, task.ProjectID, task.ProjectID, task.ProjectID, task.TaskTypeID, task.TaskStatusID).Scan(ctx, &autos)
	if err != nil {
		return fmt.Errorf("status automations of %s: %w", task.ProjectID, err)
	}
	for _, a := range autos {
		wanted := strings.ToLower(a.EntityType)
		if wanted == "asset" {
			if task.Business != "Asset" {
				continue
			}
		} else if strings.ToLower(task.EntityTypeName) != wanted {
			continue
		}
		// A rollback (towards an earlier task type) is not applied, to avoid cycles.
		if a.OutField != "ready_for" && a.InPriority.Int64 > a.OutPriority.Int64 {
			continue
		}
		switch a.OutField {
		case "status":
			if !a.OutTypeID.Valid || !a.OutStatusID.Valid {
				continue
			}
			var target string
			err := tx.NewRaw(`SELECT id::text FROM task WHERE entity_id = ? AND task_type_id = ? ORDER BY created_at LIMIT 1`,
				task.EntityID, a.OutTypeID.String).Scan(ctx, &target)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("automation target: %w", err)
			}
			newID, err := commentsCreate(ctx, tx, commentsInput{TaskID: target, StatusID: a.OutStatusID.String, AuthorID: authorID,
				Text: fmt.Sprintf("Change triggered by %s set to %s", a.InTypeName, a.InStatus)}, ev, depth+1)
			if err != nil {
				return err
			}
			if a.ImportLast {
				if err := commentsImportRevision(ctx, tx, task, target, newID, authorID, ev); err != nil {
					return err
				}
			}
		case "ready_for":
			if task.Business != "Asset" || !a.OutTypeID.Valid {
				continue
			}
			_, err := tx.NewRaw(`UPDATE entity SET ready_for = ?, updated_at = ? WHERE id = ?`, a.OutTypeID.String,
				time.Now().UTC().Truncate(time.Microsecond), task.EntityID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("automation ready_for: %w", err)
			}
			ev.add("asset:update", map[string]any{"asset_id": task.EntityID,
				"data": map[string]any{"ready_for": a.OutTypeID.String}}, task.ProjectID)
		}
	}
	return nil
}

// commentsRemove deletes a comment as Zou's remove_comment does
// (notifications, news, previews, attachments with it), then replays the
// task's history. It returns the task status before and after.
func commentsRemove(ctx context.Context, tx bun.IDB, commentID string, ev *commentsEvents) (taskID, before, after, projectID string, err error) {
	var row struct {
		Task    string `bun:"task_id"`
		Status  string `bun:"task_status_id"`
		Project string `bun:"project_id"`
	}
	err = tx.NewRaw(`SELECT t.id::text AS task_id, t.task_status_id::text, t.project_id::text FROM comment c
		JOIN task t ON t.id = c.object_id WHERE c.id = ? FOR UPDATE OF t`, commentID).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", "", engine.NotFound()
	}
	if err != nil {
		return "", "", "", "", fmt.Errorf("load comment %s: %w", commentID, err)
	}
	var previews []string
	err = tx.NewRaw(`SELECT preview_file::text FROM comment_preview_link WHERE comment = ?0
		UNION SELECT preview_file_id::text FROM comment WHERE id = ?0 AND preview_file_id IS NOT NULL`, commentID).Scan(ctx, &previews)
	if err != nil {
		return "", "", "", "", fmt.Errorf("previews of comment %s: %w", commentID, err)
	}
	if previews == nil {
		previews = []string{}
	}
	stmts := []string{
		`DELETE FROM notification WHERE comment_id = ?0`,
		`DELETE FROM news WHERE comment_id = ?0`,
		// Previews published by the comment go with it, after being unset
		// wherever they are the current one.
		`UPDATE entity SET preview_file_id = NULL WHERE preview_file_id = ANY(?1::uuid[])`,
		`UPDATE task SET last_preview_file_id = NULL WHERE last_preview_file_id = ANY(?1::uuid[])`,
		`UPDATE news SET preview_file_id = NULL WHERE preview_file_id = ANY(?1::uuid[])`,
		`UPDATE comment SET preview_file_id = NULL WHERE preview_file_id = ANY(?1::uuid[])`,
		`DELETE FROM comment_preview_link WHERE preview_file = ANY(?1::uuid[]) OR comment = ?0`,
		`DELETE FROM preview_file WHERE id = ANY(?1::uuid[])`,
		`DELETE FROM attachment_file WHERE comment_id = ?0`,
		`DELETE FROM comment_mentions WHERE comment = ?0`,
		`DELETE FROM comment_department_mentions WHERE comment = ?0`,
		`DELETE FROM comment_acknoledgments WHERE comment = ?0`,
		`DELETE FROM comment WHERE id = ?0`,
	}
	for _, q := range stmts {
		if _, err := tx.NewRaw(q, commentID, pgdialect.Array(previews)).Exec(ctx); err != nil {
			return "", "", "", "", fmt.Errorf("remove comment %s: %w", commentID, engine.FromDB(err))
		}
	}
	ev.add("comment:delete", map[string]any{"comment_id": commentID}, row.Project)
	after, err = commentsResetTask(ctx, tx, row.Task, ev)
	if err != nil {
		return "", "", "", "", err
	}
	return row.Task, row.Status, after, row.Project, nil
}

// commentsArr is a Go string slice as a PostgreSQL array parameter (never NULL).
func commentsArr(ids []string) any {
	if ids == nil {
		ids = []string{}
	}
	return pgdialect.Array(ids)
}

// commentsNewPreview creates the preview_file row of a comment as Zou's
// add_preview_file_to_comment: the next revision of the task for a first
// preview, the comment's revision (next position) otherwise, or the given
// revision when it is free. It returns the new id.
func commentsNewPreview(ctx context.Context, tx bun.IDB, commentID, taskID, projectID, personID string,
	revision int, hasRevision bool, ev *commentsEvents) (string, error) {
	// The task row lock serialises revision numbering on one task.
	if _, err := commentsLoadTask(ctx, tx, taskID); err != nil {
		return "", err
	}
	var current sql.NullInt64
	if err := tx.NewRaw(`SELECT (SELECT pf.revision FROM comment_preview_link l JOIN preview_file pf ON pf.id = l.preview_file
		WHERE l.comment = ? ORDER BY pf.position, pf.created_at LIMIT 1)`, commentID).Scan(ctx, &current); err != nil {
		return "", fmt.Errorf("comment revision: %w", err)
	}
	position := 1
	switch {
	case !hasRevision && !current.Valid:
		if err := tx.NewRaw(`SELECT COALESCE(max(revision), 0) + 1 FROM preview_file WHERE task_id = ?`, taskID).Scan(ctx, &revision); err != nil {
			return "", fmt.Errorf("next revision: %w", err)
		}
	default:
		if !hasRevision {
			revision = int(current.Int64)
		} else if !current.Valid {
			taken, err := tx.NewSelect().TableExpr("preview_file").Where("task_id = ? AND revision = ? AND position = 1", taskID, revision).Exists(ctx)
			if err != nil {
				return "", fmt.Errorf("revision check: %w", err)
			}
			if taken {
				return "", engine.BadRequest(fmt.Sprintf("Revision %d already exists for this task. Choose a different revision number, or omit it to let the revision auto-increment.", revision))
			}
		}
		if err := tx.NewRaw(`SELECT count(*) + 1 FROM preview_file WHERE task_id = ? AND revision = ?`, taskID, revision).Scan(ctx, &position); err != nil {
			return "", fmt.Errorf("next position: %w", err)
		}
	}
	if position > 1 {
		var single bool
		if err := tx.NewRaw(`SELECT COALESCE(is_single_preview_per_revision, false) FROM project WHERE id = ?`, projectID).Scan(ctx, &single); err != nil {
			return "", fmt.Errorf("project settings: %w", err)
		}
		if single {
			return "", engine.BadRequest("Only one preview file is allowed per revision for this project.")
		}
	}
	id := uuid.NewString()
	now := time.Now().UTC().Truncate(time.Microsecond)
	if _, err := tx.NewRaw(`INSERT INTO preview_file (id, created_at, updated_at, name, revision, position, source, extension,
		task_id, person_id, status, validation_status, file_size, width, height, duration, is_movie)
		VALUES (?, ?, ?, ?, ?, ?, 'webgui', 'mp4', ?, ?, 'processing', 'neutral', 0, 0, 0, 0, false)`,
		id, now, now, id[:13], revision, position, taskID, personID).Exec(ctx); err != nil {
		return "", engine.FromDB(err)
	}
	ev.add("preview-file:new", map[string]any{"preview_file_id": id, "comment_id": commentID}, projectID)
	if _, err := tx.NewRaw(`INSERT INTO comment_preview_link (comment, preview_file) VALUES (?, ?)`, commentID, id).Exec(ctx); err != nil {
		return "", fmt.Errorf("link preview: %w", err)
	}
	if _, err := tx.NewRaw(`UPDATE news SET preview_file_id = ? WHERE comment_id = ?`, id, commentID).Exec(ctx); err != nil {
		return "", fmt.Errorf("news preview: %w", err)
	}
	ev.add("comment:update", map[string]any{"comment_id": commentID}, projectID)
	return id, nil
}

// commentsImportRevision gives the automation's comment on target a copy of
// the previews of the source task's last revision (Zou's
// import_last_revision): new preview rows of the next revision with the
// originals' media attributes. The media files are not copied: this server
// stores none yet.
func commentsImportRevision(ctx context.Context, tx bun.IDB, src *commentsTask, target, commentID, authorID string, ev *commentsEvents) error {
	var originals []string
	err := tx.NewRaw(`SELECT id::text FROM preview_file WHERE task_id = ?0 AND revision = (SELECT revision FROM preview_file
		WHERE task_id = ?0 ORDER BY revision DESC, created_at LIMIT 1) ORDER BY position, created_at`, src.ID).Scan(ctx, &originals)
	if err != nil {
		return fmt.Errorf("last revision of %s: %w", src.ID, err)
	}
	for _, orig := range originals {
		id, err := commentsNewPreview(ctx, tx, commentID, target, src.ProjectID, authorID, 0, false, ev)
		if err != nil {
			return err
		}
		var copied struct {
			Revision  int            `bun:"revision"`
			Position  int            `bun:"position"`
			Extension sql.NullString `bun:"extension"`
			Status    string         `bun:"status"`
		}
		err = tx.NewRaw(`UPDATE preview_file n SET extension = o.extension, original_name = o.original_name, status = o.status,
			file_size = o.file_size, width = o.width, height = o.height, duration = o.duration, updated_at = now() at time zone 'utc'
			FROM preview_file o WHERE n.id = ? AND o.id = ? RETURNING n.revision, n.position, n.extension, n.status`, id, orig).Scan(ctx, &copied)
		if err != nil {
			return fmt.Errorf("copy preview %s: %w", orig, err)
		}
		if copied.Position == 1 {
			if _, err := tx.NewRaw(`UPDATE task SET last_preview_file_id = ? WHERE id = ?`, id, target).Exec(ctx); err != nil {
				return fmt.Errorf("last preview of %s: %w", target, err)
			}
			if _, err := tx.NewRaw(`UPDATE entity SET preview_file_id = ? WHERE id = (SELECT entity_id FROM task WHERE id = ?)
				AND (SELECT COALESCE(is_set_preview_automated, false) FROM project WHERE id = ?)`, id, target, src.ProjectID).Exec(ctx); err != nil {
				return fmt.Errorf("entity preview of %s: %w", target, err)
			}
		}
		ev.add("comment:update", map[string]any{"comment_id": commentID}, src.ProjectID)
		ev.add("preview-file:add-file", map[string]any{"comment_id": commentID, "task_id": target, "preview_file_id": id,
			"revision": copied.Revision, "extension": copied.Extension.String, "status": copied.Status}, src.ProjectID)
	}
	return nil
}
