package routes

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Entity removal, Zou's remove_asset: an entity with tasks is only
// canceled unless forced; otherwise it goes with its tasks and everything
// hanging on them, in one transaction. Written for assets, in terms of any
// entity id so that the shots and edits areas can share it later.

// assetsRemove deletes (or cancels) asset id of project projectID and
// publishes Zou's events after commit: asset:update (canceled) or
// asset:delete, then the casting stats of the shots it was cast in.
func (s *Server) assetsRemove(ctx context.Context, id, projectID string, force bool) error {
	var shots []string
	canceled := false
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// The shots casting it: their casting stats change either way.
		if err := tx.NewRaw(`SELECT el.entity_in_id::text FROM entity_link el JOIN entity sh ON sh.id = el.entity_in_id
			WHERE el.entity_out_id = ? AND sh.parent_id IS NOT NULL AND sh.canceled IS NOT TRUE`, id).Scan(ctx, &shots); err != nil {
			return fmt.Errorf("shots casting %s: %w", id, err)
		}
		hasTasks, err := tx.NewSelect().TableExpr("task").Where("entity_id = ?", id).Exists(ctx)
		if err != nil {
			return fmt.Errorf("tasks of %s: %w", id, err)
		}
		if hasTasks && !force {
			canceled = true
			_, err := tx.NewRaw(`UPDATE entity SET canceled = true, updated_at = now() at time zone 'utc' WHERE id = ?`, id).Exec(ctx)
			if err != nil {
				return fmt.Errorf("cancel %s: %w", id, err)
			}
			return nil
		}
		return assetsPurgeEntity(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	if canceled {
		s.publish(ctx, "asset:update", map[string]any{"asset_id": id}, projectID)
	} else {
		s.publish(ctx, "asset:delete", map[string]any{"asset_id": id}, projectID)
	}
	return s.breakdownRefreshStats(ctx, s.DB, shots)
}

// assetsPurgeEntity deletes an entity and every row that references it or
// its tasks (comments, previews, files, links, notifications...), children
// first so that no foreign key is left dangling.
func assetsPurgeEntity(ctx context.Context, tx bun.Tx, id string) error {
	const tasks = `(SELECT id FROM task WHERE entity_id = ?)`
	const comments = `(SELECT id FROM comment WHERE object_id IN ` + tasks + `)`
	const previews = `(SELECT id FROM preview_file WHERE task_id IN ` + tasks + `)`
	const workFiles = `(SELECT id FROM working_file WHERE entity_id = ? OR task_id IN ` + tasks + `)`
	const outFiles = `(SELECT id FROM output_file WHERE entity_id = ? OR temporal_entity_id = ? OR source_file_id IN ` + workFiles + `)`
	const instances = `(SELECT id FROM asset_instance WHERE asset_id = ? OR target_asset_id = ? OR scene_id = ? OR entity_id = ?)`
	steps := []struct {
		sql  string
		args int // how many times id is bound
	}{
		{`UPDATE entity SET preview_file_id = NULL WHERE preview_file_id IN ` + previews, 1},
		{`UPDATE comment SET preview_file_id = NULL WHERE preview_file_id IN ` + previews, 1},
		{`UPDATE task SET last_preview_file_id = NULL WHERE last_preview_file_id IN ` + previews, 1},
		{`UPDATE preview_file SET source_file_id = NULL WHERE source_file_id IN ` + outFiles, 4},
		{`DELETE FROM notification WHERE task_id IN ` + tasks + ` OR comment_id IN ` + comments, 2},
		{`DELETE FROM news WHERE task_id IN ` + tasks + ` OR comment_id IN ` + comments + ` OR preview_file_id IN ` + previews, 3},
		{`DELETE FROM attachment_file WHERE comment_id IN ` + comments, 1},
		{`DELETE FROM comment_acknoledgments WHERE comment IN ` + comments, 1},
		{`DELETE FROM comment_department_mentions WHERE comment IN ` + comments, 1},
		{`DELETE FROM comment_mentions WHERE comment IN ` + comments, 1},
		{`DELETE FROM comment_preview_link WHERE comment IN ` + comments + ` OR preview_file IN ` + previews, 2},
		{`DELETE FROM comment WHERE id IN ` + comments, 1},
		{`DELETE FROM preview_file WHERE id IN ` + previews, 1},
		{`DELETE FROM output_file WHERE id IN ` + outFiles, 4},
		{`DELETE FROM working_file WHERE id IN ` + workFiles, 2},
		{`DELETE FROM subscription WHERE entity_id = ? OR task_id IN ` + tasks, 2},
		{`DELETE FROM task_person_link WHERE task_id IN ` + tasks, 1},
		{`DELETE FROM time_spent WHERE task_id IN ` + tasks, 1},
		{`DELETE FROM task WHERE entity_id = ?`, 1},
		{`DELETE FROM entity_version WHERE entity_id = ?`, 1},
		{`DELETE FROM entity_link WHERE entity_in_id = ? OR entity_out_id = ?`, 2},
		{`DELETE FROM entity_concept_link WHERE entity_in_id = ? OR entity_out_id = ?`, 2},
		{`DELETE FROM asset_instance_link WHERE entity_id = ? OR asset_instance_id IN ` + instances, 5},
		{`DELETE FROM asset_instance WHERE id IN ` + instances, 4},
		{`UPDATE entity SET parent_id = NULL WHERE parent_id = ?`, 1},
		{`UPDATE entity SET source_id = NULL WHERE source_id = ?`, 1},
		{`DELETE FROM entity WHERE id = ?`, 1},
	}
	for _, st := range steps {
		args := make([]any, st.args)
		for i := range args {
			args[i] = id
		}
		if _, err := tx.ExecContext(ctx, st.sql, args...); err != nil {
			return fmt.Errorf("remove entity %s: %w", id, err)
		}
	}
	return nil
}
