package models

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/zou-go/zou/engine"
)

// editsEntityStatuses are Zou's ENTITY_STATUSES.
var editsEntityStatuses = []string{"standby", "running", "complete", "canceled"}

// editsBusinessTypeSQL is the business type of entity row t: its entity
// type's name for the temporal kinds, else Asset (Zou's
// get_base_entity_type_name, used as the "type" key of /data/entities).
const editsBusinessTypeSQL = `(SELECT CASE WHEN et.name IN ('Shot', 'Sequence', 'Episode', 'Scene', 'Edit', 'Concept') THEN et.name ELSE 'Asset' END
	FROM entity_type et WHERE et.id = t.entity_type_id)`

// configureEdits attaches the entity and entity type behaviours of the
// edits/entities area: the business "type" key, the status check, and the
// case-insensitive uniqueness of entity type names.
func configureEdits(r *engine.Registry) {
	entities := r.MustCollection("entities")
	entities.Computed = append(entities.Computed, engine.ComputedColumn{Name: "type", SQL: editsBusinessTypeSQL})
	// Another area may hook entity writes too: run its check after ours.
	next := entities.Hooks.BeforeWrite
	entities.Hooks.BeforeWrite = func(ctx context.Context, tx bun.IDB, row, before any, p *engine.Principal) error {
		if !slices.Contains(editsEntityStatuses, row.(*Entity).Status) {
			return engine.BadRequest("Invalid status")
		}
		if next != nil {
			return next(ctx, tx, row, before, p)
		}
		return nil
	}
	types := r.MustCollection("entity-types")
	nextType := types.Hooks.BeforeWrite
	types.Hooks.BeforeWrite = func(ctx context.Context, tx bun.IDB, row, before any, p *engine.Principal) error {
		if nextType != nil {
			if err := nextType(ctx, tx, row, before, p); err != nil {
				return err
			}
		}
		if before != nil {
			return nil // Zou checks names on creation only
		}
		exists, err := tx.NewSelect().TableExpr("entity_type").Where("lower(name) = lower(?)", row.(*EntityType).Name).Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			return engine.BadRequest("Entity type with this name already exists")
		}
		return nil
	}
}
