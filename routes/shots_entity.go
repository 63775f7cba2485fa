package routes

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Entity deletion shared by every kind of production element (shots,
// sequences, episodes, scenes; assets, edits and concepts follow the same
// rules in Zou): an entity that still has tasks is only canceled unless the
// caller forces it; a forced delete removes the entity, what hangs below it
// and every task with what those tasks own, in one transaction.

// shotsDeleteAllowed is the permission of Zou's delete routes: the entity's
// creator, or a manager of its project. Zou lets a creator who left the team
// through (and, for sequences, checks nothing at all); here the creator must
// still reach the production, else the row answers 404.
func shotsDeleteAllowed(en *access.Entity) error {
	if !en.Readable() {
		return engine.NotFound()
	}
	if en.IsCreator() {
		return nil
	}
	return en.RequireManager()
}

// shotsRemoved says what shotsRemoveEntity did, for the events to publish.
type shotsRemoved struct {
	Canceled bool       // only flagged canceled=true
	Entities []shotsRef // entities deleted (the target last)
	Tasks    []shotsTaskRef
}

type shotsRef struct{ ID, Kind string }

type shotsTaskRef struct {
	ID         string `bun:"id"`
	EntityID   string `bun:"entity_id"`
	TaskTypeID string `bun:"task_type_id"`
}

// shotsRemoveEntity deletes entity en (or cancels it): without force, an
// entity with tasks is flagged canceled; one with children (shots under a
// sequence, sequences under an episode) is refused with Zou's 400; with
// force the subtree and its tasks go. The caller publishes the events after
// the commit (shotsPublishRemoval).
func (s *Server) shotsRemoveEntity(ctx context.Context, en *access.Entity, force bool) (*shotsRemoved, error) {
	out := &shotsRemoved{}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if !force {
			hasTasks, err := tx.NewSelect().TableExpr("task").Where("entity_id = ?", en.EntityID).Exists(ctx)
			if err != nil {
				return fmt.Errorf("tasks of %s: %w", en.EntityID, err)
			}
			if hasTasks || en.TypeName == "Scene" && shotsHasSourced(ctx, tx, en.EntityID) {
				_, err := tx.NewRaw("UPDATE entity SET canceled = true, updated_at = now() AT TIME ZONE 'UTC' WHERE id = ?", en.EntityID).Exec(ctx)
				if err != nil {
					return fmt.Errorf("cancel %s: %w", en.EntityID, err)
				}
				out.Canceled = true
				return nil
			}
			children, err := tx.NewSelect().TableExpr("entity").Where("parent_id = ?", en.EntityID).Exists(ctx)
			if err != nil {
				return fmt.Errorf("children of %s: %w", en.EntityID, err)
			}
			if children {
				return engine.BadRequest("Some data are still linked to this " + strings.ToLower(en.TypeName) + ".")
			}
		}
		// The subtree: the entity, what hangs below it through parent_id and,
		// for an episode, the assets it is the source of (Zou removes them too).
		var refs []struct {
			ID   string `bun:"id"`
			Kind string `bun:"kind"`
		}
		err := tx.NewRaw(`WITH RECURSIVE sub(id) AS (
				SELECT id FROM entity WHERE id = ?0
				UNION SELECT e.id FROM entity e WHERE e.source_id = ?0 AND ?1::text = 'Episode'
				UNION SELECT e.id FROM entity e JOIN sub ON e.parent_id = sub.id)
			SELECT t.id::text, `+access.BusinessTypeSQL("t")+` AS kind
			FROM entity t WHERE t.id IN (SELECT id FROM sub) ORDER BY t.name`, en.EntityID, en.TypeName).Scan(ctx, &refs)
		if err != nil {
			return fmt.Errorf("subtree of %s: %w", en.EntityID, err)
		}
		ids := make([]string, 0, len(refs))
		for _, r := range refs {
			if r.ID != en.EntityID {
				ids = append(ids, r.ID)
				out.Entities = append(out.Entities, shotsRef{ID: r.ID, Kind: r.Kind})
			}
		}
		ids = append(ids, en.EntityID)
		out.Entities = append(out.Entities, shotsRef{ID: en.EntityID, Kind: en.TypeName})
		if err := tx.NewRaw("SELECT id::text, entity_id::text, task_type_id::text FROM task WHERE entity_id = ANY(?::uuid[])",
			pgArray(ids)).Scan(ctx, &out.Tasks); err != nil {
			return fmt.Errorf("tasks of subtree: %w", err)
		}
		return shotsDeleteRows(ctx, tx, ids)
	})
	if err != nil {
		return nil, engine.FromDB(err)
	}
	return out, nil
}

func shotsHasSourced(ctx context.Context, tx bun.IDB, id string) bool {
	ok, err := tx.NewSelect().TableExpr("entity").Where("source_id = ?", id).Exists(ctx)
	return err == nil && ok
}

// pgArray passes a list of ids as one PostgreSQL array parameter.
func pgArray(ids []string) any { return pgdialect.Array(ids) }

// shotsDeleteRows removes entities ids, their tasks and everything that
// references either, child rows first so no foreign key is left dangling.
func shotsDeleteRows(ctx context.Context, tx bun.IDB, ids []string) error {
	arr := pgArray(ids)
	stmts := []string{
		// Tasks and what they own.
		`CREATE TEMP TABLE shots_gone_tasks ON COMMIT DROP AS SELECT id FROM task WHERE entity_id = ANY(?0::uuid[])`,
		`CREATE TEMP TABLE shots_gone_comments ON COMMIT DROP AS SELECT id FROM comment WHERE object_id IN (SELECT id FROM shots_gone_tasks)`,
		`CREATE TEMP TABLE shots_gone_previews ON COMMIT DROP AS SELECT id FROM preview_file WHERE task_id IN (SELECT id FROM shots_gone_tasks)`,
		`CREATE TEMP TABLE shots_gone_outputs ON COMMIT DROP AS SELECT id FROM output_file WHERE entity_id = ANY(?0::uuid[]) OR temporal_entity_id = ANY(?0::uuid[])
			OR source_file_id IN (SELECT id FROM working_file WHERE task_id IN (SELECT id FROM shots_gone_tasks) OR entity_id = ANY(?0::uuid[]))`,
		`DELETE FROM news WHERE task_id IN (SELECT id FROM shots_gone_tasks) OR comment_id IN (SELECT id FROM shots_gone_comments)
			OR preview_file_id IN (SELECT id FROM shots_gone_previews)`,
		`DELETE FROM notification WHERE task_id IN (SELECT id FROM shots_gone_tasks) OR comment_id IN (SELECT id FROM shots_gone_comments)`,
		`DELETE FROM attachment_file WHERE comment_id IN (SELECT id FROM shots_gone_comments)`,
		`DELETE FROM comment_acknoledgments WHERE comment IN (SELECT id FROM shots_gone_comments)`,
		`DELETE FROM comment_mentions WHERE comment IN (SELECT id FROM shots_gone_comments)`,
		`DELETE FROM comment_department_mentions WHERE comment IN (SELECT id FROM shots_gone_comments)`,
		`DELETE FROM comment_preview_link WHERE comment IN (SELECT id FROM shots_gone_comments) OR preview_file IN (SELECT id FROM shots_gone_previews)`,
		`DELETE FROM comment WHERE id IN (SELECT id FROM shots_gone_comments)`,
		`UPDATE comment SET preview_file_id = NULL WHERE preview_file_id IN (SELECT id FROM shots_gone_previews)`,
		`UPDATE entity SET preview_file_id = NULL WHERE preview_file_id IN (SELECT id FROM shots_gone_previews)`,
		`UPDATE preview_file SET source_file_id = NULL WHERE source_file_id IN (SELECT id FROM shots_gone_outputs)`,
		`DELETE FROM preview_file WHERE id IN (SELECT id FROM shots_gone_previews)`,
		`DELETE FROM output_file WHERE id IN (SELECT id FROM shots_gone_outputs)`,
		`UPDATE output_file SET source_file_id = NULL WHERE source_file_id IN (SELECT id FROM working_file WHERE task_id IN (SELECT id FROM shots_gone_tasks) OR entity_id = ANY(?0::uuid[]))`,
		`DELETE FROM working_file WHERE task_id IN (SELECT id FROM shots_gone_tasks) OR entity_id = ANY(?0::uuid[])`,
		`DELETE FROM time_spent WHERE task_id IN (SELECT id FROM shots_gone_tasks)`,
		`DELETE FROM subscription WHERE task_id IN (SELECT id FROM shots_gone_tasks) OR entity_id = ANY(?0::uuid[])`,
		`DELETE FROM task_person_link WHERE task_id IN (SELECT id FROM shots_gone_tasks)`,
		`DELETE FROM production_schedule_version_task_link WHERE task_id IN (SELECT id FROM shots_gone_tasks)`,
		`DELETE FROM task WHERE id IN (SELECT id FROM shots_gone_tasks)`,
		// The entities' own links.
		`DELETE FROM schedule_item WHERE object_id = ANY(?0::uuid[])`,
		`DELETE FROM entity_version WHERE entity_id = ANY(?0::uuid[])`,
		`DELETE FROM entity_link WHERE entity_in_id = ANY(?0::uuid[]) OR entity_out_id = ANY(?0::uuid[])`,
		`DELETE FROM entity_concept_link WHERE entity_in_id = ANY(?0::uuid[]) OR entity_out_id = ANY(?0::uuid[])`,
		`DELETE FROM asset_instance_link WHERE entity_id = ANY(?0::uuid[])`,
		`CREATE TEMP TABLE shots_gone_instances ON COMMIT DROP AS SELECT id FROM asset_instance WHERE asset_id = ANY(?0::uuid[])
			OR entity_id = ANY(?0::uuid[]) OR scene_id = ANY(?0::uuid[]) OR target_asset_id = ANY(?0::uuid[])`,
		`DELETE FROM asset_instance_link WHERE asset_instance_id IN (SELECT id FROM shots_gone_instances)`,
		`UPDATE output_file SET asset_instance_id = NULL WHERE asset_instance_id IN (SELECT id FROM shots_gone_instances)`,
		`DELETE FROM asset_instance WHERE id IN (SELECT id FROM shots_gone_instances)`,
		`UPDATE playlist SET episode_id = NULL WHERE episode_id = ANY(?0::uuid[])`,
		`UPDATE entity SET source_id = NULL WHERE source_id = ANY(?0::uuid[]) AND NOT id = ANY(?0::uuid[])`,
		// Deepest first: parent_id points up the tree.
		`UPDATE entity SET parent_id = NULL, source_id = NULL WHERE id = ANY(?0::uuid[])`,
		`DELETE FROM entity WHERE id = ANY(?0::uuid[])`,
		// Dropped now, not only at commit, so a caller may remove several
		// entities in one transaction.
		`DROP TABLE shots_gone_tasks, shots_gone_comments, shots_gone_previews, shots_gone_outputs, shots_gone_instances`,
	}
	for _, q := range stmts {
		if _, err := tx.NewRaw(q, arr).Exec(ctx); err != nil {
			return fmt.Errorf("remove entities: %w", err)
		}
	}
	return nil
}

// shotsPublishRemoval emits what Zou emits for a removal: <kind>:update for
// a cancel, else task:delete per task and <kind>:delete per entity.
func (s *Server) shotsPublishRemoval(ctx context.Context, en *access.Entity, r *shotsRemoved) {
	kind := strings.ToLower(en.TypeName)
	if r.Canceled {
		s.publish(ctx, kind+":update", map[string]any{kind + "_id": en.EntityID}, en.ID)
		return
	}
	for _, t := range r.Tasks {
		s.publish(ctx, "task:delete", map[string]any{"task_id": t.ID, "entity_id": t.EntityID,
			"task_type_id": t.TaskTypeID, "project_id": en.ID}, en.ID)
	}
	for _, x := range r.Entities {
		k := strings.ToLower(x.Kind)
		s.publish(ctx, k+":delete", map[string]any{k + "_id": x.ID}, en.ID)
	}
}
