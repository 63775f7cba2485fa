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

// Removal of production elements (assets, shots, sequences, episodes,
// scenes, edits, concepts) and of tasks with everything that hangs on them,
// Zou's deletion service. Every statement is set-based: the number of
// queries does not grow with the number of rows removed. Child rows go
// first so that no foreign key is left dangling.

// purgedTask is a task deleted by purgeTasks, for the task:delete events.
type purgedTask struct {
	ID         string `bun:"id"`
	EntityID   string `bun:"entity_id"`
	TaskTypeID string `bun:"task_type_id"`
	ProjectID  string `bun:"project_id"`
}

// purgeTasks deletes tasks taskIDs and every row that references them, their
// comments or their previews; rows of other tasks or entities that merely
// point at a preview are kept with the pointer cleared.
func purgeTasks(ctx context.Context, tx bun.IDB, taskIDs []string) ([]purgedTask, error) {
	if len(taskIDs) == 0 {
		return nil, nil
	}
	const comments = `(SELECT id FROM comment WHERE object_id = ANY(?0::uuid[]))`
	const previews = `(SELECT id FROM preview_file WHERE task_id = ANY(?0::uuid[]))`
	const outputs = `(SELECT id FROM output_file WHERE source_file_id IN (SELECT id FROM working_file WHERE task_id = ANY(?0::uuid[])))`
	stmts := []string{
		`UPDATE entity SET preview_file_id = NULL WHERE preview_file_id IN ` + previews,
		`UPDATE task SET last_preview_file_id = NULL WHERE last_preview_file_id IN ` + previews,
		`UPDATE comment SET preview_file_id = NULL WHERE preview_file_id IN ` + previews,
		`DELETE FROM news WHERE task_id = ANY(?0::uuid[]) OR comment_id IN ` + comments,
		`UPDATE news SET preview_file_id = NULL WHERE preview_file_id IN ` + previews,
		`DELETE FROM notification WHERE task_id = ANY(?0::uuid[]) OR comment_id IN ` + comments,
		`DELETE FROM attachment_file WHERE comment_id IN ` + comments,
		`DELETE FROM comment_acknoledgments WHERE comment IN ` + comments,
		`DELETE FROM comment_department_mentions WHERE comment IN ` + comments,
		`DELETE FROM comment_mentions WHERE comment IN ` + comments,
		`DELETE FROM comment_preview_link WHERE comment IN ` + comments + ` OR preview_file IN ` + previews,
		`DELETE FROM comment WHERE object_id = ANY(?0::uuid[])`,
		`UPDATE preview_file SET source_file_id = NULL WHERE source_file_id IN ` + outputs,
		`DELETE FROM preview_file WHERE task_id = ANY(?0::uuid[])`,
		`DELETE FROM output_file WHERE id IN ` + outputs,
		`DELETE FROM working_file WHERE task_id = ANY(?0::uuid[])`,
		`DELETE FROM time_spent WHERE task_id = ANY(?0::uuid[])`,
		`DELETE FROM subscription WHERE task_id = ANY(?0::uuid[])`,
		`DELETE FROM task_person_link WHERE task_id = ANY(?0::uuid[])`,
		`DELETE FROM production_schedule_version_task_link WHERE task_id = ANY(?0::uuid[])`,
	}
	if err := purgeRun(ctx, tx, pgdialect.Array(taskIDs), stmts); err != nil {
		return nil, fmt.Errorf("remove what hangs off tasks: %w", err)
	}
	return deleteTaskRows(ctx, tx, taskIDs)
}

// deleteTaskRows deletes the task rows themselves, answering what went.
func deleteTaskRows(ctx context.Context, tx bun.IDB, taskIDs []string) ([]purgedTask, error) {
	var rows []purgedTask
	err := tx.NewRaw(`DELETE FROM task WHERE id = ANY(?::uuid[])
		RETURNING id::text, entity_id::text, task_type_id::text, project_id::text`, pgdialect.Array(taskIDs)).Scan(ctx, &rows)
	if err != nil {
		return nil, engine.FromDB(err)
	}
	return rows, nil
}

// purgeEntities deletes entities entityIDs, their tasks (purgeTasks) and
// every row that references them; other entities' parent_id and source_id
// pointers to them are cleared. Answers the tasks deleted.
func purgeEntities(ctx context.Context, tx bun.IDB, entityIDs []string) ([]purgedTask, error) {
	arr := pgdialect.Array(entityIDs)
	var taskIDs []string
	if err := tx.NewRaw(`SELECT id::text FROM task WHERE entity_id = ANY(?::uuid[])`, arr).Scan(ctx, &taskIDs); err != nil {
		return nil, fmt.Errorf("tasks of entities: %w", err)
	}
	tasks, err := purgeTasks(ctx, tx, taskIDs)
	if err != nil {
		return nil, err
	}
	const outputs = `(SELECT id FROM output_file WHERE entity_id = ANY(?0::uuid[]) OR temporal_entity_id = ANY(?0::uuid[])
		OR source_file_id IN (SELECT id FROM working_file WHERE entity_id = ANY(?0::uuid[])))`
	const instances = `(SELECT id FROM asset_instance WHERE asset_id = ANY(?0::uuid[]) OR target_asset_id = ANY(?0::uuid[])
		OR scene_id = ANY(?0::uuid[]) OR entity_id = ANY(?0::uuid[]))`
	stmts := []string{
		`UPDATE preview_file SET source_file_id = NULL WHERE source_file_id IN ` + outputs,
		`DELETE FROM output_file WHERE id IN ` + outputs,
		`DELETE FROM working_file WHERE entity_id = ANY(?0::uuid[])`,
		`DELETE FROM subscription WHERE entity_id = ANY(?0::uuid[])`,
		`DELETE FROM schedule_item WHERE object_id = ANY(?0::uuid[])`,
		`DELETE FROM entity_version WHERE entity_id = ANY(?0::uuid[])`,
		`DELETE FROM entity_link WHERE entity_in_id = ANY(?0::uuid[]) OR entity_out_id = ANY(?0::uuid[])`,
		`DELETE FROM entity_concept_link WHERE entity_in_id = ANY(?0::uuid[]) OR entity_out_id = ANY(?0::uuid[])`,
		`DELETE FROM asset_instance_link WHERE entity_id = ANY(?0::uuid[]) OR asset_instance_id IN ` + instances,
		`UPDATE output_file SET asset_instance_id = NULL WHERE asset_instance_id IN ` + instances,
		`DELETE FROM asset_instance WHERE id IN ` + instances,
		`UPDATE playlist SET episode_id = NULL WHERE episode_id = ANY(?0::uuid[])`,
		`UPDATE entity SET parent_id = NULL WHERE parent_id = ANY(?0::uuid[]) AND NOT id = ANY(?0::uuid[])`,
		`UPDATE entity SET source_id = NULL WHERE source_id = ANY(?0::uuid[]) AND NOT id = ANY(?0::uuid[])`,
		// Inside the set, deepest first comes down to cutting the pointers
		// up the tree before the one delete.
		`UPDATE entity SET parent_id = NULL, source_id = NULL WHERE id = ANY(?0::uuid[])`,
		`DELETE FROM entity WHERE id = ANY(?0::uuid[])`,
	}
	if err := purgeRun(ctx, tx, arr, stmts); err != nil {
		return nil, fmt.Errorf("remove entities: %w", err)
	}
	return tasks, nil
}

// purgeRun runs statements in order, each with the id array as ?0.
func purgeRun(ctx context.Context, tx bun.IDB, arr any, stmts []string) error {
	for _, q := range stmts {
		if _, err := tx.NewRaw(q, arr).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// removeTarget is an entity to remove: its id, business type (Asset, Shot,
// Sequence…) and whether it goes even when it has tasks.
type removeTarget struct {
	ID, Kind string
	Force    bool
}

// removeEntity is removeEntities for one entity of the caller's choosing.
func (s *Server) removeEntity(ctx context.Context, en *access.Entity, force, tree bool) error {
	return s.removeEntities(ctx, en.ID, []removeTarget{{ID: en.EntityID, Kind: en.TypeName, Force: force}}, tree)
}

// removeEntities is Zou's remove_<kind> for entities of project projectID,
// in one transaction. A target not forced that has tasks (or, for a scene,
// entities sourced from it) is only flagged canceled. A target other than
// an asset with children (parent_id) is refused with a 400 unless tree is
// set (the typed routes) and it is forced: then what hangs below it goes too
// (and, for an episode, the entities it is the source of). The rest is
// purged with its tasks; an asset's children stay, their parent cleared. After the commit it
// publishes <kind>:update for a cancel, task:delete per task and
// <kind>:delete per entity removed, then refreshes the casting stats of the
// shots that cast a removed or canceled entity.
func (s *Server) removeEntities(ctx context.Context, projectID string, targets []removeTarget, tree bool) error {
	if len(targets) == 0 {
		return nil
	}
	var canceled, deleted []removeTarget
	var tasks []purgedTask
	var shots []string
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var soft, scenes []string
		for _, t := range targets {
			if !t.Force {
				soft = append(soft, t.ID)
				if t.Kind == "Scene" {
					scenes = append(scenes, t.ID)
				}
			}
		}
		var cancel []string
		if len(soft) > 0 {
			err := tx.NewRaw(`UPDATE entity t SET canceled = true, updated_at = now() AT TIME ZONE 'UTC'
				WHERE t.id = ANY(?0::uuid[]) AND (EXISTS (SELECT 1 FROM task WHERE entity_id = t.id)
					OR t.id = ANY(?1::uuid[]) AND EXISTS (SELECT 1 FROM entity x WHERE x.source_id = t.id))
				RETURNING t.id::text`, pgdialect.Array(soft), pgdialect.Array(scenes)).Scan(ctx, &cancel)
			if err != nil {
				return fmt.Errorf("cancel entities: %w", err)
			}
		}
		isCanceled := map[string]bool{}
		for _, id := range cancel {
			isCanceled[id] = true
		}
		var roots, lonely, episodes []string
		kinds := map[string]string{}
		for _, t := range targets {
			if isCanceled[t.ID] {
				canceled = append(canceled, t)
				continue
			}
			roots = append(roots, t.ID)
			kinds[t.ID] = t.Kind
			if (!t.Force || !tree) && t.Kind != "Asset" {
				lonely = append(lonely, t.ID)
			}
			if t.Kind == "Episode" {
				episodes = append(episodes, t.ID)
			}
		}
		if len(lonely) > 0 {
			var parents []string
			err := tx.NewRaw(`SELECT DISTINCT parent_id::text FROM entity WHERE parent_id = ANY(?::uuid[])`,
				pgdialect.Array(lonely)).Scan(ctx, &parents)
			if err != nil {
				return fmt.Errorf("children of entities: %w", err)
			}
			if len(parents) > 0 {
				return engine.BadRequest("Some data are still linked to this " + strings.ToLower(kinds[parents[0]]) + ".")
			}
		}
		if len(roots) > 0 {
			var err error
			if deleted, err = removeSubtrees(ctx, tx, roots, kinds, episodes, tree); err != nil {
				return err
			}
		}
		ids := make([]string, len(deleted))
		for i, d := range deleted {
			ids[i] = d.ID
		}
		touched := append(append([]string{}, cancel...), ids...)
		if len(touched) > 0 {
			err := tx.NewRaw(`SELECT DISTINCT el.entity_in_id::text FROM entity_link el JOIN entity sh ON sh.id = el.entity_in_id
				WHERE el.entity_out_id = ANY(?::uuid[]) AND sh.parent_id IS NOT NULL AND sh.canceled IS NOT TRUE
				ORDER BY 1`, pgdialect.Array(touched)).Scan(ctx, &shots)
			if err != nil {
				return fmt.Errorf("shots casting removed entities: %w", err)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		var err error
		tasks, err = purgeEntities(ctx, tx, ids)
		return err
	})
	if err != nil {
		return engine.FromDB(err)
	}
	for _, t := range canceled {
		kind := strings.ToLower(t.Kind)
		s.publish(ctx, kind+":update", map[string]any{kind + "_id": t.ID}, projectID)
	}
	for _, t := range tasks {
		s.publish(ctx, "task:delete", map[string]any{"task_id": t.ID, "entity_id": t.EntityID,
			"task_type_id": t.TaskTypeID, "project_id": t.ProjectID}, projectID)
	}
	for _, d := range deleted {
		kind := strings.ToLower(d.Kind)
		s.publish(ctx, kind+":delete", map[string]any{kind + "_id": d.ID}, projectID)
	}
	return s.breakdownRefreshStats(ctx, s.DB, shots)
}

// removeSubtrees lists what goes with roots: with tree, for each root in
// turn what hangs below it (by name), then the root; without, the roots.
func removeSubtrees(ctx context.Context, tx bun.IDB, roots []string, kinds map[string]string, episodes []string, tree bool) ([]removeTarget, error) {
	var out []removeTarget
	if !tree {
		for _, id := range roots {
			out = append(out, removeTarget{ID: id, Kind: kinds[id]})
		}
		return out, nil
	}
	// An asset's children (parent_id) are assets of their own: they stay,
	// their pointer cleared by purgeEntities.
	var tops []string
	for _, id := range roots {
		if kinds[id] != "Asset" {
			tops = append(tops, id)
		}
	}
	var rows []struct {
		ID   string `bun:"id"`
		Kind string `bun:"kind"`
		Root string `bun:"root"`
	}
	err := tx.NewRaw(`WITH RECURSIVE sub(id, root) AS (
			SELECT id, id FROM entity WHERE id = ANY(?0::uuid[])
			UNION SELECT e.id, e.source_id FROM entity e WHERE e.source_id = ANY(?1::uuid[])
			UNION SELECT e.id, sub.root FROM entity e JOIN sub ON e.parent_id = sub.id)
		SELECT t.id::text, `+access.BusinessTypeSQL("t")+` AS kind, sub.root::text AS root
		FROM sub JOIN entity t ON t.id = sub.id ORDER BY t.name`, pgdialect.Array(tops), pgdialect.Array(episodes)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("subtrees: %w", err)
	}
	below := map[string][]removeTarget{}
	for _, r := range rows {
		if r.ID != r.Root {
			below[r.Root] = append(below[r.Root], removeTarget{ID: r.ID, Kind: r.Kind})
		}
	}
	seen := map[string]bool{}
	for _, root := range roots {
		for _, r := range below[root] {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
		if !seen[root] {
			seen[root] = true
			out = append(out, removeTarget{ID: root, Kind: kinds[root]})
		}
	}
	return out, nil
}
