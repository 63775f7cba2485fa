package routes

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zou-go/zou/access"
)

// The caller's task lists (to-do, done, to check): task rows enriched with
// their production, entity, episode, type, status, assignees and last
// comment, built as one JSON array by a single query (Zou runs three).

func (s *Server) userMountTasks(r gin.IRouter) {
	r.GET("/data/user/tasks", s.userRoute(s.userTodos))
	r.GET("/data/user/done-tasks", s.userRoute(s.userDoneTasks))
	r.GET("/data/user/tasks-to-check", s.userRoute(s.userTasksToCheck))
}

// userEnrichedTasksSQL returns the query of enriched task rows matching
// where (over t, pr, tt, ts, en, et), ordered by order.
func (s *Server) userEnrichedTasksSQL(where, order string) string {
	taskObj := s.userCollection("tasks").ObjectSQL("t")
	return `SELECT COALESCE(json_agg(x.obj ORDER BY x.n), '[]'::json)::text FROM (
 SELECT tj.tobj || jsonb_build_object(
  'project_name', pr.name, 'project_id', t.project_id, 'project_has_avatar', pr.has_avatar,
  'entity_id', en.id, 'entity_name', en.name, 'entity_description', en.description, 'entity_data', en.data,
  'entity_preview_file_id', COALESCE(en.preview_file_id::text, ''), 'entity_source_id', COALESCE(en.source_id::text, ''),
  'entity_type_name', et.name, 'entity_canceled', en.canceled, 'sequence_name', par.name,
  'episode_id', CASE WHEN et.name = 'Sequence' AND en.parent_id IS NOT NULL THEN en.parent_id::text
   ELSE COALESCE(ep.id::text, en.source_id::text, '') END,
  'episode_name', CASE WHEN et.name = 'Sequence' AND en.parent_id IS NOT NULL THEN par.name
   WHEN ep.id IS NOT NULL THEN ep.name
   WHEN en.source_id IS NOT NULL THEN COALESCE((SELECT src.name FROM entity src WHERE src.id = en.source_id), 'MP') END,
  'task_type_for_entity', tt.for_entity,
  'task_estimation', tj.tobj->'estimation', 'task_duration', tj.tobj->'duration',
  'task_start_date', tj.tobj->'start_date', 'task_due_date', tj.tobj->'due_date',
  'task_type_name', tt.name, 'task_status_name', ts.name, 'task_type_color', tt.color,
  'task_status_color', ts.color, 'task_status_short_name', ts.short_name,
  'assignees', COALESCE((SELECT jsonb_agg(a.person_id::text) FROM task_person_link a WHERE a.task_id = t.id), '[]'::jsonb),
  'last_comment', COALESCE((SELECT jsonb_build_object('text', c.text,
    'date', to_char(c.created_at, 'YYYY-MM-DD"T"HH24:MI:SS'), 'person_id', c.person_id::text)
   FROM comment c JOIN person cp ON cp.id = c.person_id
   LEFT JOIN project_person_link cl ON cl.person_id = cp.id AND cl.project_id = t.project_id
   WHERE c.object_id = t.id AND COALESCE(cl.role, cp.role) <> 'client'
   ORDER BY c.created_at DESC LIMIT 1), '{}'::jsonb)
 ) || COALESCE((SELECT jsonb_build_object('episode_ids', jsonb_agg(epc.id::text ORDER BY epc.name),
    'episode_names', jsonb_agg(epc.name ORDER BY epc.name))
   FROM entity_link el JOIN entity epc ON epc.id = el.entity_in_id
   JOIN entity_type ept ON ept.id = epc.entity_type_id AND ept.name = 'Episode'
   WHERE el.entity_out_id = t.entity_id HAVING count(*) > 0), '{}'::jsonb) AS obj,
  row_number() OVER (ORDER BY ` + order + `) AS n
 FROM task t
 JOIN project pr ON pr.id = t.project_id
 JOIN task_type tt ON tt.id = t.task_type_id
 JOIN task_status ts ON ts.id = t.task_status_id
 JOIN entity en ON en.id = t.entity_id
 JOIN entity_type et ON et.id = en.entity_type_id
 LEFT JOIN entity par ON par.id = en.parent_id
 LEFT JOIN entity ep ON ep.id = par.parent_id
 CROSS JOIN LATERAL (SELECT ` + taskObj + ` AS tobj) tj
 WHERE ` + where + `) x`
}

// userEnrichedTasks runs the enriched task query.
func (s *Server) userEnrichedTasks(ctx context.Context, where, order string, args ...any) ([]byte, error) {
	var out string
	if err := s.DB.NewRaw(s.userEnrichedTasksSQL(where, order), args...).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("task list: %w", err)
	}
	return []byte(out), nil
}

// userTodos answers the caller's assigned, not-done tasks of the open
// productions they are in.
func (s *Server) userTodos(c *gin.Context, who *access.Caller) (int, any, error) {
	b, err := s.userEnrichedTasks(c.Request.Context(),
		`t.project_id IN (`+access.OpenTeamProjectsSQL+`) AND `+userAssignedSQL("t")+` AND ts.is_done IS NOT TRUE`,
		"pr.name, tt.name, en.name, t.id", who.PersonID, who.PersonID)
	return http.StatusOK, b, err
}

// userDoneTasks answers the caller's assigned, done tasks of the open
// productions they are in, last finished first.
func (s *Server) userDoneTasks(c *gin.Context, who *access.Caller) (int, any, error) {
	b, err := s.userEnrichedTasks(c.Request.Context(),
		`t.project_id IN (`+access.OpenTeamProjectsSQL+`) AND `+userAssignedSQL("t")+` AND ts.is_done`,
		"t.end_date DESC NULLS LAST, tt.name, en.name, t.id", who.PersonID, who.PersonID)
	return http.StatusOK, b, err
}

// userTasksToCheck answers the tasks waiting for feedback the caller may
// review: an admin every open production's; a manager those of their open
// productions; a supervisor those, narrowed to their departments' task
// types when they have departments; anyone else none.
func (s *Server) userTasksToCheck(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	where := "ts.is_feedback_request AND t.project_id IN (" + userOpenProjectIDsSQL + ")"
	var args []any
	switch who.Role {
	case "admin":
	case "manager":
		where += " AND t.project_id IN (" + access.OpenTeamProjectsSQL + ")"
		args = append(args, who.PersonID)
	case "supervisor":
		where += " AND t.project_id IN (" + access.OpenTeamProjectsSQL + ")"
		args = append(args, who.PersonID)
		deps, err := who.Departments(ctx)
		if err != nil {
			return 0, nil, err
		}
		if len(deps) > 0 {
			where += " AND tt.department_id IN (SELECT udl.department_id FROM department_link udl WHERE udl.person_id = ?)"
			args = append(args, who.PersonID)
		}
	default:
		return http.StatusOK, []byte("[]"), nil
	}
	b, err := s.userEnrichedTasks(ctx, where, "pr.name, tt.name, en.name, t.id", args...)
	return http.StatusOK, b, err
}
