package models

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/uptrace/bun"

	"github.com/zou-go/zou/engine"
)

// Hooks of the task reference data: task types and task statuses.

// taskTypeHooks refuse a second task type of exactly the same name (Zou
// compares names case-sensitively here) and a delete while projects or
// schedule items still use the type, unless ?force=true detaches them.
func taskTypeHooks() engine.Hooks {
	return engine.Hooks{
		BeforeWrite: func(ctx context.Context, tx bun.IDB, row, _ any, _ *engine.Principal) error {
			tt := row.(*TaskType)
			taken, err := tx.NewSelect().TableExpr("task_type").Where("name = ? AND id <> ?", tt.Name, tt.ID).Exists(ctx)
			if err != nil {
				return fmt.Errorf("task type name: %w", err)
			}
			if taken {
				return engine.BadRequest("A task type with similar name already exists")
			}
			return nil
		},
		BeforeDelete: func(ctx context.Context, tx bun.IDB, id string, _ *engine.Principal, q url.Values) error {
			if strings.EqualFold(q.Get("force"), "true") {
				for _, table := range []string{"schedule_item", "project_task_type_link"} {
					if _, err := tx.NewDelete().TableExpr(table).Where("task_type_id = ?", id).Exec(ctx); err != nil {
						return fmt.Errorf("detach task type from %s: %w", table, err)
					}
				}
				return nil
			}
			var blockers []string
			for table, what := range map[string]string{"schedule_item": "schedule items", "project_task_type_link": "projects"} {
				used, err := tx.NewSelect().TableExpr(table).Where("task_type_id = ?", id).Exists(ctx)
				if err != nil {
					return fmt.Errorf("task type links: %w", err)
				}
				if used {
					blockers = append(blockers, what)
				}
			}
			if len(blockers) > 0 {
				if blockers[0] == "projects" && len(blockers) == 2 {
					blockers[0], blockers[1] = blockers[1], blockers[0]
				}
				return engine.BadRequest("Task type is attached to " + strings.Join(blockers, " and ") +
					". Re-issue the request with force=true to detach.")
			}
			return nil
		},
	}
}

// taskStatusHooks keep one default status: setting is_default clears the
// flag on the others of the same kind (concept statuses have their own).
func taskStatusHooks() engine.Hooks {
	return engine.Hooks{
		AfterWrite: func(ctx context.Context, tx bun.IDB, row, _ any, _ *engine.Principal) error {
			ts := row.(*TaskStatus)
			if ts.IsDefault == nil || !*ts.IsDefault {
				return nil
			}
			concept := ts.ForConcept != nil && *ts.ForConcept
			_, err := tx.NewRaw(`UPDATE task_status SET is_default = false, updated_at = now() at time zone 'utc'
				WHERE is_default IS TRUE AND id <> ? AND COALESCE(for_concept, false) = ?`, ts.ID, concept).Exec(ctx)
			if err != nil {
				return fmt.Errorf("clear previous default status: %w", err)
			}
			return nil
		},
	}
}
