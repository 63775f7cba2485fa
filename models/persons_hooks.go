package models

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/engine"
)

// dayOffHooks are Zou's rules on day offs: a period that ends before it
// starts or overlaps another of the person's is refused; only an admin moves
// a day off to another person; the time logged inside the period is removed.
func dayOffHooks() engine.Hooks {
	return engine.Hooks{
		BeforeWrite: func(ctx context.Context, tx bun.IDB, row, before any, p *engine.Principal) error {
			d := row.(*DayOff)
			if d.PersonID == nil {
				return engine.BadRequest("The field person_id is missing.")
			}
			if d.EndDate.Before(d.Date) {
				return engine.BadRequest("The end date of a day off must not be before its start date.")
			}
			if b, ok := before.(*DayOff); ok && b.PersonID != nil && *b.PersonID != *d.PersonID && (p == nil || !p.IsAdmin()) {
				return engine.Forbidden()
			}
			q := tx.NewSelect().TableExpr("day_off").
				Where("person_id = ? AND end_date >= ? AND date <= ?", d.PersonID.String(), d.Date, d.EndDate)
			if before != nil {
				q = q.Where("id != ?", d.ID.String())
			}
			overlap, err := q.Exists(ctx)
			if err != nil {
				return fmt.Errorf("day off overlap: %w", err)
			}
			if overlap {
				return engine.BadRequest("Day off already exists for this period")
			}
			return nil
		},
		AfterWrite: func(ctx context.Context, tx bun.IDB, row, _ any, _ *engine.Principal) error {
			d := row.(*DayOff)
			_, err := tx.NewRaw("DELETE FROM time_spent WHERE person_id = ? AND date >= ? AND date <= ?",
				d.PersonID.String(), d.Date, d.EndDate).Exec(ctx)
			if err != nil {
				return fmt.Errorf("time spents covered by a day off: %w", err)
			}
			return nil
		},
	}
}

// personPurge detaches or deletes what a person owns before the person is
// deleted with ?force=true, as Zou's remove_person does. With or without
// force, a person something still points at is refused with Zou's message:
// the delete is tried under a savepoint and rolled back, so the answer names
// the cause instead of the generic foreign-key sentence.
func personPurge(ctx context.Context, tx bun.IDB, id string, q url.Values) error {
	if q.Get("force") == "true" {
		for _, stmt := range personPurgeSteps {
			if _, err := tx.NewRaw(stmt, id).Exec(ctx); err != nil {
				return fmt.Errorf("purge person %s: %w", id, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT person_delete"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	_, delErr := tx.NewRaw("DELETE FROM person WHERE id = ?", id).Exec(ctx)
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT person_delete"); err != nil {
		return fmt.Errorf("rollback to savepoint: %w", err)
	}
	var pgErr *pgconn.PgError
	if errors.As(delErr, &pgErr) && pgErr.Code == "23503" {
		return engine.Status(http.StatusBadRequest, "Some data are still linked to given person.")
	}
	return delErr
}

// personPurgeSteps are Zou's remove_person with force, in an order the
// foreign keys accept: comments with what hangs on them, then the person's
// own rows, then links, then the rows that only name the person.
var personPurgeSteps = []string{
	`DELETE FROM comment_preview_link WHERE comment IN (SELECT id FROM comment WHERE person_id = ?0)`,
	`DELETE FROM comment_mentions WHERE comment IN (SELECT id FROM comment WHERE person_id = ?0)`,
	`DELETE FROM comment_department_mentions WHERE comment IN (SELECT id FROM comment WHERE person_id = ?0)`,
	`DELETE FROM comment_acknoledgments WHERE comment IN (SELECT id FROM comment WHERE person_id = ?0)`,
	`DELETE FROM attachment_file WHERE comment_id IN (SELECT id FROM comment WHERE person_id = ?0)`,
	`DELETE FROM notification WHERE comment_id IN (SELECT id FROM comment WHERE person_id = ?0)`,
	`DELETE FROM news WHERE comment_id IN (SELECT id FROM comment WHERE person_id = ?0) OR author_id = ?0`,
	`DELETE FROM comment WHERE person_id = ?0`,
	`DELETE FROM comment_acknoledgments WHERE person = ?0`,
	`DELETE FROM comment_mentions WHERE person = ?0`,
	`DELETE FROM api_event WHERE user_id = ?0`,
	`DELETE FROM notification WHERE person_id = ?0 OR author_id = ?0`,
	`DELETE FROM search_filter WHERE person_id = ?0`,
	`DELETE FROM search_filter_group WHERE person_id = ?0`,
	`DELETE FROM desktop_login_log WHERE person_id = ?0`,
	`DELETE FROM login_log WHERE person_id = ?0`,
	`DELETE FROM subscription WHERE person_id = ?0`,
	`DELETE FROM time_spent WHERE person_id = ?0`,
	`DELETE FROM project_person_link WHERE person_id = ?0`,
	`DELETE FROM task_person_link WHERE person_id = ?0`,
	`DELETE FROM department_link WHERE person_id = ?0`,
	`UPDATE task SET assigner_id = NULL WHERE assigner_id = ?0`,
	`UPDATE output_file SET person_id = NULL WHERE person_id = ?0`,
	`UPDATE working_file SET person_id = NULL WHERE person_id = ?0`,
	`UPDATE preview_file SET person_id = NULL WHERE person_id = ?0`,
}
