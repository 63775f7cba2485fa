// Package initdata inserts the reference data of Zou's `zou init-data`
// command (Zou 1.0.67): project statuses, asset types, shot-side entity types,
// departments, task types and task statuses, per studio domain (2d, 3d, vfx,
// games).
//
// Every row is looked up the way Zou's get-or-create service functions look it
// up, and created only when missing, so running it on a database Zou (or a
// previous run) already initialised adds nothing. Like Zou, each creation of an
// asset type, department, task type or task status is recorded as an
// api_event row (asset-type:new, department:new, task-type:new,
// task-status:new); project statuses and temporal entity types are created
// silently, as in Zou.
package initdata

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/models"
)

// Run inserts Zou's default reference data for a studio of the given domain
// ("3d" default, "2d", "vfx", "games"; case-insensitive, "" means "3d"),
// skipping what already exists (idempotent: running twice changes nothing). It
// returns one line per group for the CLI to print (Zou's own messages). All
// writes happen in one transaction (a savepoint when db is already a
// transaction); an unknown domain is an error and writes nothing.
func Run(ctx context.Context, db bun.IDB, domain string) ([]string, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" {
		domain = DefaultDomain
	}
	p, ok := presets[domain]
	if !ok {
		return nil, fmt.Errorf("initdata: unknown domain %q (want one of %s)", domain, strings.Join(Domains, ", "))
	}
	var lines []string
	err := db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		lines = nil
		return runner{tx: tx}.run(ctx, domain, p, &lines)
	})
	if err != nil {
		return nil, err
	}
	return lines, nil
}

// runner performs the get-or-create steps inside one transaction.
type runner struct {
	tx bun.Tx
}

func (r runner) run(ctx context.Context, domain string, p preset, lines *[]string) error {
	for _, name := range projectStatuses {
		if err := r.projectStatus(ctx, name); err != nil {
			return err
		}
	}
	*lines = append(*lines, "Project status initialized.")

	for _, name := range p.assetTypes {
		if err := r.entityType(ctx, name, "asset-type:new"); err != nil {
			return err
		}
	}
	*lines = append(*lines, fmt.Sprintf("Asset types initialized (domain: %s).", domain))

	for _, name := range temporalTypes[:3] {
		if err := r.entityType(ctx, name, ""); err != nil {
			return err
		}
	}
	*lines = append(*lines, "Shot types initialized.")

	for _, name := range temporalTypes[3:] {
		if err := r.entityType(ctx, name, ""); err != nil {
			return err
		}
	}
	*lines = append(*lines, "Edit type initialized.")

	departments := make(map[string]uuid.UUID, len(p.departments))
	for _, d := range p.departments {
		id, err := r.department(ctx, d)
		if err != nil {
			return err
		}
		departments[d.name] = id
	}
	for _, t := range p.taskTypes {
		deptID, ok := departments[t.dept]
		if !ok {
			return fmt.Errorf("initdata: task type %q: department %q not in the %s preset", t.name, t.dept, domain)
		}
		if err := r.taskType(ctx, deptID, t); err != nil {
			return err
		}
	}
	*lines = append(*lines, "Task types initialized.")

	for _, s := range taskStatuses {
		if err := r.taskStatus(ctx, s); err != nil {
			return err
		}
	}
	*lines = append(*lines, "Task status initialized.")
	return nil
}

// findID returns the id of the first row of table matching where, or uuid.Nil.
func (r runner) findID(ctx context.Context, table, where string, args ...any) (uuid.UUID, error) {
	var id uuid.UUID
	q := "SELECT id FROM ? WHERE " + where + " LIMIT 1"
	err := r.tx.NewRaw(q, append([]any{bun.Ident(table)}, args...)...).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, nil
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("initdata: look up %s: %w", table, err)
	}
	return id, nil
}

// now is Zou's get_utc_now_datetime: the current naive UTC time.
func now() *time.Time {
	t := time.Now().UTC()
	return &t
}

func ptr[T any](v T) *T { return &v }

func (r runner) insert(ctx context.Context, what string, row any) error {
	if _, err := r.tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("initdata: create %s: %w", what, err)
	}
	return nil
}

// emit records an event the way Zou's events.emit persists it: an api_event
// row without user nor project, whose data holds the new row's id.
func (r runner) emit(ctx context.Context, name, key string, id uuid.UUID) error {
	data, err := json.Marshal(map[string]string{key: id.String()})
	if err != nil {
		return err
	}
	at := now()
	ev := models.APIEvent{
		Base: models.Base{ID: uuid.New(), CreatedAt: at, UpdatedAt: at},
		Name: name,
		Data: data,
	}
	return r.insert(ctx, "event "+name, &ev)
}

// projectStatus is projects_service.get_or_create_status: matched by name.
func (r runner) projectStatus(ctx context.Context, name string) error {
	id, err := r.findID(ctx, "project_status", "name = ?", name)
	if err != nil || id != uuid.Nil {
		return err
	}
	at := now()
	row := models.ProjectStatus{
		Base:  models.Base{ID: uuid.New(), CreatedAt: at, UpdatedAt: at},
		Name:  name,
		Color: projectStatusColor,
	}
	return r.insert(ctx, "project status "+name, &row)
}

// entityType is entities_service.get_entity_type_by_name (event == "") or
// assets_service.get_or_create_asset_type (event == "asset-type:new"): an
// entity type matched by name, created with only its name.
func (r runner) entityType(ctx context.Context, name, event string) error {
	id, err := r.findID(ctx, "entity_type", "name = ?", name)
	if err != nil || id != uuid.Nil {
		return err
	}
	at := now()
	row := models.EntityType{
		Base:     models.Base{ID: uuid.New(), CreatedAt: at, UpdatedAt: at},
		Name:     name,
		Archived: ptr(false),
	}
	if err := r.insert(ctx, "entity type "+name, &row); err != nil {
		return err
	}
	if event == "" {
		return nil
	}
	return r.emit(ctx, event, "asset_type_id", row.ID)
}

// department is tasks_service.get_or_create_department: matched by name; it
// returns the id of the existing or new department.
func (r runner) department(ctx context.Context, d department) (uuid.UUID, error) {
	id, err := r.findID(ctx, "department", "name = ?", d.name)
	if err != nil || id != uuid.Nil {
		return id, err
	}
	at := now()
	row := models.Department{
		Base:     models.Base{ID: uuid.New(), CreatedAt: at, UpdatedAt: at},
		Name:     d.name,
		Color:    d.color,
		Archived: ptr(false),
	}
	if err := r.insert(ctx, "department "+d.name, &row); err != nil {
		return uuid.Nil, err
	}
	return row.ID, r.emit(ctx, "department:new", "department_id", row.ID)
}

// taskType is tasks_service.get_or_create_task_type: matched by name and
// for_entity (whatever its department); created with an empty short name.
func (r runner) taskType(ctx context.Context, deptID uuid.UUID, t taskType) error {
	id, err := r.findID(ctx, "task_type", "name = ? AND for_entity = ?", t.name, t.forEntity)
	if err != nil || id != uuid.Nil {
		return err
	}
	at := now()
	row := models.TaskType{
		Base:         models.Base{ID: uuid.New(), CreatedAt: at, UpdatedAt: at},
		Name:         t.name,
		ShortName:    ptr(""),
		Color:        ptr(t.color),
		Priority:     ptr(t.priority),
		ForEntity:    ptr(t.forEntity),
		AllowTimelog: ptr(true),
		Archived:     ptr(false),
		DepartmentID: ptr(deptID),
	}
	if err := r.insert(ctx, "task type "+t.name+" ("+t.forEntity+")", &row); err != nil {
		return err
	}
	return r.emit(ctx, "task-type:new", "task_type_id", row.ID)
}

// taskStatus is tasks_service.get_or_create_status: a default status is
// matched by is_default and for_concept (any default of that family counts),
// another by name and for_concept; failing that, by short name and
// for_concept.
func (r runner) taskStatus(ctx context.Context, s taskStatus) error {
	var id uuid.UUID
	var err error
	if s.isDefault {
		id, err = r.findID(ctx, "task_status", "is_default = ? AND for_concept = ?", true, s.forConcept)
	} else {
		id, err = r.findID(ctx, "task_status", "name = ? AND for_concept = ?", s.name, s.forConcept)
	}
	if err != nil || id != uuid.Nil {
		return err
	}
	if s.shortName != "" {
		id, err = r.findID(ctx, "task_status", "short_name = ? AND for_concept = ?", s.shortName, s.forConcept)
		if err != nil || id != uuid.Nil {
			return err
		}
	}
	shortName := s.shortName
	if shortName == "" {
		shortName = strings.ToLower(s.name)
	}
	at := now()
	row := models.TaskStatus{
		Base:              models.Base{ID: uuid.New(), CreatedAt: at, UpdatedAt: at},
		Name:              s.name,
		Archived:          ptr(false),
		ShortName:         shortName,
		Color:             s.color,
		Priority:          ptr(1),
		IsDone:            ptr(s.isDone),
		IsArtistAllowed:   ptr(s.isArtistAllowed),
		IsClientAllowed:   ptr(s.isClientAllowed),
		IsRetake:          ptr(s.isRetake),
		IsFeedbackRequest: ptr(s.isFeedbackRequest),
		IsDefault:         ptr(s.isDefault),
		IsWIP:             ptr(s.isWIP),
		ForConcept:        ptr(s.forConcept),
	}
	if err := r.insert(ctx, "task status "+s.name, &row); err != nil {
		return err
	}
	return r.emit(ctx, "task-status:new", "task_status_id", row.ID)
}
