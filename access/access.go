// Package access answers, for hand-written routes, whether the caller may
// read or act on a project, an entity or a task, with Zou's rules: the
// effective role inside a project, vendor scoping, departments.
//
// Denials follow one rule across the server: a row the caller cannot reach
// at all (another production's, or an entity a vendor has no task on)
// answers 404, as if it did not exist; a row the caller can see but not
// change answers 403.
package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/zou-go/zou/engine"
)

// Caller is the principal of one request with what access checks load about
// them (their departments), loaded once.
type Caller struct {
	*engine.Principal
	DB   bun.IDB
	deps []string
	done bool
}

// New returns the caller of a request.
func New(db bun.IDB, p *engine.Principal) *Caller { return &Caller{Principal: p, DB: db} }

// Departments are the ids of the caller's departments (none = every
// department, for supervisors and vendors in Zou's rules).
func (c *Caller) Departments(ctx context.Context) ([]string, error) {
	if c.done {
		return c.deps, nil
	}
	var deps []string
	err := c.DB.NewSelect().TableExpr("department_link").ColumnExpr("department_id::text").
		Where("person_id = ?", c.PersonID).Scan(ctx, &deps)
	if err != nil {
		return nil, fmt.Errorf("departments of %s: %w", c.PersonID, err)
	}
	c.deps, c.done = deps, true
	return deps, nil
}

// CoversDepartment reports whether a department is one of the caller's, or
// the caller has none (Zou: a supervisor without departments covers all).
func (c *Caller) CoversDepartment(ctx context.Context, departmentID string) (bool, error) {
	deps, err := c.Departments(ctx)
	if err != nil {
		return false, err
	}
	return len(deps) == 0 || (departmentID != "" && slices.Contains(deps, departmentID)), nil
}

// InDepartment reports whether the department is one of the caller's (no
// department covers nothing here: self-assignment needs a real match).
func (c *Caller) InDepartment(ctx context.Context, departmentID string) (bool, error) {
	deps, err := c.Departments(ctx)
	if err != nil {
		return false, err
	}
	return departmentID != "" && slices.Contains(deps, departmentID), nil
}

// Project is the caller's standing in one production.
type Project struct {
	ID     string
	Name   string
	Open   bool   // the project status is "Open"
	Member bool   // the caller is in the team
	Role   string // effective role: per-project role when set (never admin), else the global one
	caller *Caller
}

// LoadProject reads the caller's standing in a project without deciding
// anything; 404 when the project does not exist (or the id is malformed).
func (c *Caller) LoadProject(ctx context.Context, projectID string) (*Project, error) {
	if !engine.IsUUID(projectID) {
		return nil, engine.NotFound()
	}
	var row struct {
		Name   string         `bun:"name"`
		Open   bool           `bun:"open"`
		Member bool           `bun:"member"`
		Role   sql.NullString `bun:"role"`
	}
	err := c.DB.NewRaw(`SELECT p.name,
		COALESCE((SELECT ps.name = 'Open' FROM project_status ps WHERE ps.id = p.project_status_id), false) AS open,
		l.person_id IS NOT NULL AS member, l.role
		FROM project p LEFT JOIN project_person_link l ON l.project_id = p.id AND l.person_id = ?
		WHERE p.id = ?`, c.PersonID, projectID).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load project %s: %w", projectID, err)
	}
	return &Project{ID: projectID, Name: row.Name, Open: row.Open, Member: row.Member,
		Role: engine.EffectiveRole(c.Role, row.Role.String), caller: c}, nil
}

// Project is Zou's check_project_access: admins and team members pass;
// anyone else gets 404 (the production is out of their reach).
func (c *Caller) Project(ctx context.Context, projectID string) (*Project, error) {
	pr, err := c.LoadProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if !pr.Readable() {
		return nil, engine.NotFound()
	}
	return pr, nil
}

// ManagerOf is check_manager_project_access: 404 outside the team, 403 for
// a member who is not a manager there.
func (c *Caller) ManagerOf(ctx context.Context, projectID string) (*Project, error) {
	pr, err := c.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	return pr, pr.RequireManager()
}

// SupervisorOf is check_supervisor_project_access (manager or supervisor there).
func (c *Caller) SupervisorOf(ctx context.Context, projectID string) (*Project, error) {
	pr, err := c.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	return pr, pr.RequireSupervisor()
}

// Caller returns who asked.
func (pr *Project) Caller() *Caller { return pr.caller }

// Readable: admin, or in the team (open or closed project).
func (pr *Project) Readable() bool { return pr.caller.IsAdmin() || pr.Member }

// IsManager: admin, or manager there.
func (pr *Project) IsManager() bool {
	return pr.caller.IsAdmin() || (pr.Member && pr.Role == "manager")
}

// IsSupervisor: the effective role there is supervisor.
func (pr *Project) IsSupervisor() bool { return pr.Member && pr.Role == "supervisor" }

// IsAtLeastSupervisor: admin, manager or supervisor there.
func (pr *Project) IsAtLeastSupervisor() bool { return pr.IsManager() || pr.IsSupervisor() }

// IsArtist: a team member whose effective role there is user.
func (pr *Project) IsArtist() bool { return pr.Member && pr.Role == "user" }

// IsClient: the effective role there is client.
func (pr *Project) IsClient() bool { return !pr.caller.IsAdmin() && pr.Role == "client" }

// IsVendor: the effective role there is vendor.
func (pr *Project) IsVendor() bool { return !pr.caller.IsAdmin() && pr.Role == "vendor" }

// RequireManager answers 403 unless IsManager.
func (pr *Project) RequireManager() error {
	if !pr.IsManager() {
		return engine.Forbidden()
	}
	return nil
}

// RequireSupervisor answers 403 unless IsAtLeastSupervisor.
func (pr *Project) RequireSupervisor() error {
	if !pr.IsAtLeastSupervisor() {
		return engine.Forbidden()
	}
	return nil
}

// RefuseVendor answers 403 for vendors (Zou's block_access_to_vendor).
func (pr *Project) RefuseVendor() error {
	if pr.IsVendor() {
		return engine.Forbidden()
	}
	return nil
}

// RefuseClient answers 403 for clients.
func (pr *Project) RefuseClient() error {
	if pr.IsClient() {
		return engine.Forbidden()
	}
	return nil
}

// Entity is an entity row the caller reached, with its project standing.
type Entity struct {
	*Project
	EntityID     string
	EntityTypeID string
	TypeName     string // business type: Asset, Shot, Sequence, Episode, Scene, Edit, Concept
	ParentID     string
	CreatedBy    string
}

// BusinessTypeSQL is the SQL giving the business type of entity row alias
// (Zou's "type" key of entities): the name of its entity type when it is one
// of the temporal or special kinds, else Asset.
func BusinessTypeSQL(alias string) string {
	return `(SELECT CASE WHEN et.name IN ('Shot', 'Sequence', 'Episode', 'Scene', 'Edit', 'Concept') THEN et.name ELSE 'Asset' END
		FROM entity_type et WHERE et.id = ` + alias + `.entity_type_id)`
}

// LoadEntity reads an entity and the caller's standing in its project
// without deciding; 404 when it does not exist.
func (c *Caller) LoadEntity(ctx context.Context, entityID string) (*Entity, error) {
	if !engine.IsUUID(entityID) {
		return nil, engine.NotFound()
	}
	var row struct {
		Project   string         `bun:"project_id"`
		Type      string         `bun:"entity_type_id"`
		Business  string         `bun:"business"`
		Parent    sql.NullString `bun:"parent_id"`
		CreatedBy sql.NullString `bun:"created_by"`
	}
	err := c.DB.NewRaw(`SELECT t.project_id::text, t.entity_type_id::text, `+BusinessTypeSQL("t")+` AS business,
		t.parent_id::text, t.created_by::text FROM entity t WHERE t.id = ?`, entityID).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load entity %s: %w", entityID, err)
	}
	pr, err := c.LoadProject(ctx, row.Project)
	if err != nil {
		return nil, err
	}
	return &Entity{Project: pr, EntityID: entityID, EntityTypeID: row.Type, TypeName: row.Business,
		ParentID: row.Parent.String, CreatedBy: row.CreatedBy.String}, nil
}

// Entity is check_project_access on the entity's project plus
// check_entity_access: a vendor must be assigned to one of its tasks. Out of
// reach answers 404. kind, when not "", also requires the business type
// (an asset id on a shot route is a 404, as Zou's typed getters answer).
func (c *Caller) Entity(ctx context.Context, entityID, kind string) (*Entity, error) {
	en, err := c.LoadEntity(ctx, entityID)
	if err != nil {
		return nil, err
	}
	if kind != "" && en.TypeName != kind {
		return nil, engine.NotFound()
	}
	if !en.Readable() {
		return nil, engine.NotFound()
	}
	if en.IsVendor() {
		ok, err := c.assignedOnEntity(ctx, entityID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, engine.NotFound()
		}
	}
	return en, nil
}

func (c *Caller) assignedOnEntity(ctx context.Context, entityID string) (bool, error) {
	return c.DB.NewSelect().TableExpr("task x").Join("JOIN task_person_link a ON a.task_id = x.id").
		Where("x.entity_id = ? AND a.person_id = ?", entityID, c.PersonID).Exists(ctx)
}

// IsCreator: the caller created the entity.
func (en *Entity) IsCreator() bool { return en.CreatedBy != "" && en.CreatedBy == en.caller.PersonID }

// Task is a task row the caller reached, with its project standing.
type Task struct {
	*Project
	TaskID       string
	EntityID     string
	TaskTypeID   string
	TaskStatusID string
	DepartmentID string // the task type's department ("" = none)
	Assignees    []string
}

// LoadTask reads a task and the caller's standing in its project without
// deciding; 404 when it does not exist.
func (c *Caller) LoadTask(ctx context.Context, taskID string) (*Task, error) {
	if !engine.IsUUID(taskID) {
		return nil, engine.NotFound()
	}
	var row struct {
		Project    string         `bun:"project_id"`
		Entity     string         `bun:"entity_id"`
		TaskType   string         `bun:"task_type_id"`
		Status     string         `bun:"task_status_id"`
		Department sql.NullString `bun:"department_id"`
		Assignees  []string       `bun:"assignees,array"`
	}
	err := c.DB.NewRaw(`SELECT t.project_id::text, t.entity_id::text, t.task_type_id::text, t.task_status_id::text,
		(SELECT tt.department_id::text FROM task_type tt WHERE tt.id = t.task_type_id) AS department_id,
		ARRAY(SELECT a.person_id::text FROM task_person_link a WHERE a.task_id = t.id) AS assignees
		FROM task t WHERE t.id = ?`, taskID).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load task %s: %w", taskID, err)
	}
	pr, err := c.LoadProject(ctx, row.Project)
	if err != nil {
		return nil, err
	}
	return &Task{Project: pr, TaskID: taskID, EntityID: row.Entity, TaskTypeID: row.TaskType, TaskStatusID: row.Status,
		DepartmentID: row.Department.String, Assignees: row.Assignees}, nil
}

// Task is Zou's check_task_access: project access, and a vendor must be
// assigned to a task of the task's entity. Out of reach answers 404.
func (c *Caller) Task(ctx context.Context, taskID string) (*Task, error) {
	t, err := c.LoadTask(ctx, taskID)
	if err != nil {
		return nil, err
	}
	if !t.Readable() {
		return nil, engine.NotFound()
	}
	if t.IsVendor() {
		ok, err := c.assignedOnEntity(ctx, t.EntityID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, engine.NotFound()
		}
	}
	return t, nil
}

// IsAssigned: the caller is one of the task's assignees.
func (t *Task) IsAssigned() bool { return slices.Contains(t.Assignees, t.caller.PersonID) }

// CanAct is Zou's check_task_action_access (comment, change status, upload a
// preview): admin; in the team and manager or client there; an assignee; a
// supervisor covering the task type's department; the entity's creator.
func (t *Task) CanAct(ctx context.Context) (bool, error) {
	c := t.caller
	if c.IsAdmin() {
		return true, nil
	}
	if !t.Member {
		return false, nil
	}
	if t.IsManager() || t.IsClient() || t.IsAssigned() {
		return true, nil
	}
	if t.IsSupervisor() {
		ok, err := c.CoversDepartment(ctx, t.DepartmentID)
		if err != nil || ok {
			return ok, err
		}
	}
	return c.DB.NewSelect().TableExpr("entity").Where("id = ? AND created_by = ?", t.EntityID, c.PersonID).Exists(ctx)
}

// RequireAct answers 403 unless CanAct.
func (t *Task) RequireAct(ctx context.Context) error {
	ok, err := t.CanAct(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return engine.Forbidden()
	}
	return nil
}

// RequireSupervisorOfTaskType is check_supervisor_project_task_type_access:
// manager there, or a supervisor covering the department of the task type.
func (pr *Project) RequireSupervisorOfTaskType(ctx context.Context, departmentID string) error {
	if pr.IsManager() {
		return nil
	}
	if pr.IsSupervisor() {
		ok, err := pr.caller.CoversDepartment(ctx, departmentID)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
	return engine.Forbidden()
}

// RequirePerson refuses bots on person-only routes (Zou's check_person_permissions).
func (c *Caller) RequirePerson() error {
	if c.IdentityType != "" && c.IdentityType != "person" && c.IdentityType != "person_api" {
		return engine.Forbidden()
	}
	return nil
}

// RequireAdmin answers 403 unless the caller is a global admin.
func (c *Caller) RequireAdmin() error {
	if !c.IsAdmin() {
		return engine.Forbidden()
	}
	return nil
}

// RequireGlobalManager answers 403 unless the global role is admin or manager
// (routes that test the role before any project is resolved).
func (c *Caller) RequireGlobalManager() error {
	if c.Role != "admin" && c.Role != "manager" {
		return engine.Forbidden()
	}
	return nil
}

// RequireSelfOrAdmin is check_person_access.
func (c *Caller) RequireSelfOrAdmin(personID string) error {
	if c.IsAdmin() || c.PersonID == personID {
		return nil
	}
	return engine.Forbidden()
}

// OpenTeamProjectsSQL is the subquery of projects a person (one ?) lists:
// open ones where they are in the team (Zou's "related projects").
const OpenTeamProjectsSQL = `SELECT ppl.project_id FROM project_person_link ppl
 JOIN project pr ON pr.id = ppl.project_id
 JOIN project_status ps ON ps.id = pr.project_status_id
 WHERE ppl.person_id = ? AND ps.name = 'Open'`
