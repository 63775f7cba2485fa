package access

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/engine"
)

// ReachableTasks is Task (check_task_access) for a list of ids in three
// queries whatever its length, for the bulk routes that skip the tasks a
// caller cannot reach: malformed, unknown and out-of-reach ids are left out.
// Tasks come back in the order of ids, each once.
func (c *Caller) ReachableTasks(ctx context.Context, ids []string) ([]*Task, error) {
	var valid []string
	for _, id := range ids {
		if engine.IsUUID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID         string         `bun:"id"`
		Project    string         `bun:"project_id"`
		Entity     string         `bun:"entity_id"`
		TaskType   string         `bun:"task_type_id"`
		Status     string         `bun:"task_status_id"`
		Department sql.NullString `bun:"department_id"`
		Assignees  []string       `bun:"assignees,array"`
		Vendor     bool           `bun:"vendor_ok"`
	}
	err := c.DB.NewRaw(`SELECT t.id::text, t.project_id::text, t.entity_id::text, t.task_type_id::text, t.task_status_id::text,
		(SELECT tt.department_id::text FROM task_type tt WHERE tt.id = t.task_type_id) AS department_id,
		ARRAY(SELECT a.person_id::text FROM task_person_link a WHERE a.task_id = t.id) AS assignees,
		EXISTS (SELECT 1 FROM task v JOIN task_person_link va ON va.task_id = v.id
			WHERE v.entity_id = t.entity_id AND va.person_id = ?) AS vendor_ok
		FROM unnest(?::uuid[]) WITH ORDINALITY AS x(id, n) JOIN task t ON t.id = x.id ORDER BY x.n`,
		c.PersonID, pgdialect.Array(valid)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load tasks: %w", err)
	}
	projects := map[string]*Project{}
	var projectIDs []string
	for _, r := range rows {
		if _, ok := projects[r.Project]; !ok {
			projects[r.Project] = nil
			projectIDs = append(projectIDs, r.Project)
		}
	}
	var prs []struct {
		ID     string         `bun:"id"`
		Name   string         `bun:"name"`
		Open   bool           `bun:"open"`
		Member bool           `bun:"member"`
		Role   sql.NullString `bun:"role"`
	}
	err = c.DB.NewRaw(`SELECT p.id::text, p.name,
		COALESCE((SELECT ps.name = 'Open' FROM project_status ps WHERE ps.id = p.project_status_id), false) AS open,
		l.person_id IS NOT NULL AS member, l.role
		FROM project p LEFT JOIN project_person_link l ON l.project_id = p.id AND l.person_id = ?
		WHERE p.id = ANY(?::uuid[])`, c.PersonID, pgdialect.Array(projectIDs)).Scan(ctx, &prs)
	if err != nil {
		return nil, fmt.Errorf("load projects of tasks: %w", err)
	}
	for _, p := range prs {
		projects[p.ID] = &Project{ID: p.ID, Name: p.Name, Open: p.Open, Member: p.Member,
			Role: engine.EffectiveRole(c.Role, p.Role.String), caller: c}
	}
	seen := map[string]bool{}
	var out []*Task
	for _, r := range rows {
		pr := projects[r.Project]
		if pr == nil || seen[r.ID] || !pr.Readable() || (pr.IsVendor() && !r.Vendor) {
			continue
		}
		seen[r.ID] = true
		out = append(out, &Task{Project: pr, TaskID: r.ID, EntityID: r.Entity, TaskTypeID: r.TaskType,
			TaskStatusID: r.Status, DepartmentID: r.Department.String, Assignees: r.Assignees})
	}
	return out, nil
}
