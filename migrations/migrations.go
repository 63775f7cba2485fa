// Package migrations creates and upgrades the server's PostgreSQL schema.
//
// The schema is the one Zou 1.0.67 creates (same tables, columns, types,
// defaults, keys, indexes and constraint names), so this server and Zou can
// share a database. Migrations are SQL files embedded in the binary and run
// by bun's migrator, which records them in bun_migrations; Zou's own
// alembic_version table is left alone.
//
// Every statement of a migration is idempotent, because a studio may point
// the server at a database Zou already created: there the first migration
// finds the objects in place and only adds what is missing.
package migrations

import (
	"context"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// sqlFiles holds the migrations. Files ending in .tx.up.sql run inside a
// transaction, so a failing migration leaves no half-built schema behind.
//
//go:embed *.sql
var sqlFiles embed.FS

// lockKey identifies the advisory lock that serialises migrations between
// server processes sharing a database: "zou_migr" read as a big-endian int64.
const lockKey int64 = 0x7a6f755f6d696772

// bookkeepingTable is where bun's migrator records applied migrations.
const bookkeepingTable = "bun_migrations"

func newMigrations() (*migrate.Migrations, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(sqlFiles); err != nil {
		return nil, fmt.Errorf("migrations: discover embedded files: %w", err)
	}
	return ms, nil
}

// Migrate applies pending migrations; concurrent callers wait on a PostgreSQL advisory lock.
//
// It returns the names (e.g. "20261203000001_initial_schema") of the
// migrations it applied, none when the schema is up to date. The lock is held
// on a dedicated connection while the migrations run on others from the pool,
// so db must allow at least two open connections.
func Migrate(ctx context.Context, db *bun.DB) (applied []string, err error) {
	if db.Stats().MaxOpenConnections == 1 {
		return nil, errors.New("migrations: the pool allows one connection, Migrate needs two (one holds the lock)")
	}
	ms, err := newMigrations()
	if err != nil {
		return nil, err
	}
	// Without MarkAppliedOnSuccess bun records a migration before running it,
	// so one that failed would never be retried.
	m := migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))

	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: get a connection for the lock: %w", err)
	}
	// pg_advisory_lock waits rather than failing, unlike bun's own lock table,
	// so a second server starting at the same moment simply runs after us and
	// finds nothing left to do.
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", lockKey); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("migrations: take advisory lock: %w", err)
	}
	defer func() {
		if uerr := unlock(ctx, conn); uerr != nil && err == nil {
			err = uerr
		}
	}()

	// Init runs under the lock too: concurrent CREATE TABLE IF NOT EXISTS
	// statements can still collide in PostgreSQL's catalogs.
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("migrations: create %s: %w", bookkeepingTable, err)
	}
	group, err := m.Migrate(ctx)
	for _, mig := range group.Migrations {
		applied = append(applied, mig.String())
	}
	if err != nil {
		// The group ends with the migration that failed; it was rolled back.
		if len(applied) > 0 {
			applied = applied[:len(applied)-1]
		}
		return applied, fmt.Errorf("migrations: %w", err)
	}
	return applied, nil
}

// unlock releases the advisory lock and returns conn to the pool.
func unlock(ctx context.Context, conn bun.Conn) error {
	// The lock must be released even when the caller's context is done.
	ctx = context.WithoutCancel(ctx)
	var released bool
	err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock(?)", lockKey).Scan(&released)
	if err == nil && !released {
		err = errors.New("lock was not held")
	}
	if err != nil {
		// A session-level lock lives as long as its connection: returning
		// ErrBadConn makes database/sql close it instead of pooling it, which
		// releases the lock server-side.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close()
		return fmt.Errorf("migrations: release advisory lock: %w", err)
	}
	return conn.Close()
}

// Pending returns the names of the migrations Migrate would apply, in order.
// It changes nothing, not even bun's bookkeeping tables.
func Pending(ctx context.Context, db *bun.DB) ([]string, error) {
	ms, err := newMigrations()
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass(?) IS NOT NULL", bookkeepingTable).Scan(&exists); err != nil {
		return nil, fmt.Errorf("migrations: look for %s: %w", bookkeepingTable, err)
	}
	all := ms.Sorted()
	if exists {
		all, err = migrate.NewMigrator(db, ms).MigrationsWithStatus(ctx)
		if err != nil {
			return nil, fmt.Errorf("migrations: read %s: %w", bookkeepingTable, err)
		}
	}
	var names []string
	for _, mig := range all.Unapplied() {
		names = append(names, mig.String())
	}
	return names, nil
}
