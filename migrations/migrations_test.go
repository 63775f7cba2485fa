package migrations_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/migrations"
)

const defaultDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// bunTables are bun's bookkeeping tables, which Zou's schema does not have.
var bunTables = []string{"bun_migrations", "bun_migration_locks"}

// newTestDB creates an empty database with a random name and drops it when
// the test ends, so tests never see each other's schema. It returns the
// database opened with bun, the same pool without bun, and its DSN.
func newTestDB(t *testing.T) (*bun.DB, *sql.DB, string) {
	t.Helper()
	dsn := os.Getenv("TEST_DATABASE_URL")
	if dsn == "" {
		dsn = defaultDSN
	}
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("TEST_DATABASE_URL must be a postgres:// URL, got %q", dsn)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open PostgreSQL %s: %v", dsn, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		t.Fatalf("PostgreSQL is unreachable at %s (set TEST_DATABASE_URL to a server where the user may CREATE DATABASE): %v", dsn, err)
	}

	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "zou_migrations_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		t.Fatalf("create test database %s: %v", name, err)
	}

	// Registered before any pool on the new database opens, so that (cleanups
	// running last-in first-out) the pools are closed before the drop.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		_ = admin.Close()
	})

	u.Path = "/" + name
	dbDSN := u.String()
	db, sqldb := openDB(t, dbDSN)
	return db, sqldb, dbDSN
}

// openDB opens a pool the way the server does; it is closed before the
// test database is dropped.
func openDB(t *testing.T, dsn string) (*bun.DB, *sql.DB) {
	t.Helper()
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() { _ = db.Close() })
	return db, sqldb
}

// readTSV returns the data rows of a testdata file: '#' lines and the header
// line are skipped.
func readTSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	header := true
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if header {
			header = false
			continue
		}
		rows = append(rows, strings.Split(line, "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func queryRows(t *testing.T, db *bun.DB, query string, args ...any) [][]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("query: %v\n%s", err, query)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// diffRows compares two multisets of rows and returns one line per row that
// only one side has.
func diffRows(want, got [][]string) []string {
	count := map[string]int{}
	for _, r := range want {
		count[strings.Join(r, " | ")]++
	}
	for _, r := range got {
		count[strings.Join(r, " | ")]--
	}
	var diffs []string
	for k, n := range count {
		for ; n > 0; n-- {
			diffs = append(diffs, "missing:    "+k)
		}
		for ; n < 0; n++ {
			diffs = append(diffs, "unexpected: "+k)
		}
	}
	sort.Strings(diffs)
	return diffs
}

func reportDiffs(t *testing.T, what string, diffs []string) {
	t.Helper()
	if len(diffs) > 0 {
		t.Errorf("%s differ from Zou's (%d differences):\n%s", what, len(diffs), strings.Join(diffs, "\n"))
	}
}

func mustMigrate(t *testing.T, db *bun.DB) []string {
	t.Helper()
	applied, err := migrations.Migrate(context.Background(), db)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return applied
}

// checkColumns compares every column of the public schema with the columns
// read from a live Zou database.
func checkColumns(t *testing.T, db *bun.DB) {
	t.Helper()
	got := queryRows(t, db, `
		SELECT table_name, column_name,
		       CASE
		           WHEN data_type = 'character varying' AND character_maximum_length IS NOT NULL
		               THEN 'varchar(' || character_maximum_length || ')'
		           WHEN data_type = 'character varying' THEN 'varchar'
		           WHEN data_type IN ('ARRAY', 'USER-DEFINED') THEN udt_name
		           ELSE data_type
		       END,
		       is_nullable, coalesce(column_default, '')
		FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name NOT IN (?)`, bun.In(bunTables))
	want := readTSV(t, "schema-columns.tsv")

	wantTables, gotTables := map[string]bool{}, map[string]bool{}
	for _, r := range want {
		wantTables[r[0]] = true
	}
	for _, r := range got {
		gotTables[r[0]] = true
	}
	var tableDiffs []string
	for name := range wantTables {
		if !gotTables[name] {
			tableDiffs = append(tableDiffs, "missing table:    "+name)
		}
	}
	for name := range gotTables {
		if !wantTables[name] {
			tableDiffs = append(tableDiffs, "unexpected table: "+name)
		}
	}
	sort.Strings(tableDiffs)
	reportDiffs(t, "tables", tableDiffs)
	if len(gotTables) != 77 {
		t.Errorf("got %d tables, Zou has 77", len(gotTables))
	}
	// Rows read: table | column | type | nullable | default.
	reportDiffs(t, "columns", diffRows(want, got))
}

// checkConstraints compares primary keys, unique constraints and foreign keys
// (columns in key order, referenced table) with a live Zou database's.
func checkConstraints(t *testing.T, db *bun.DB) {
	t.Helper()
	got := queryRows(t, db, `
		SELECT r.relname,
		       CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' ELSE 'FOREIGN KEY' END,
		       (SELECT string_agg(a.attname, ',' ORDER BY k.ord)
		        FROM unnest(c.conkey) WITH ORDINALITY AS k (attnum, ord)
		        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
		       CASE WHEN c.contype = 'f' THEN (SELECT relname FROM pg_class WHERE oid = c.confrelid) ELSE '' END
		FROM pg_constraint c
		JOIN pg_class r ON r.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f') AND r.relname NOT IN (?)`,
		bun.In(bunTables))
	reportDiffs(t, "constraints", diffRows(readTSV(t, "schema-constraints.tsv"), got))
}

// checkConstraintNames compares every constraint's name and full definition
// (including CHECK constraints and ON DELETE) with the names Zou gives them.
func checkConstraintNames(t *testing.T, db *bun.DB) {
	t.Helper()
	got := queryRows(t, db, `
		SELECT r.relname, c.conname, pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		JOIN pg_class r ON r.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE n.nspname = 'public' AND r.relname NOT IN (?)`, bun.In(bunTables))
	reportDiffs(t, "constraint names or definitions", diffRows(readTSV(t, "schema-constraint-names.tsv"), got))
}

// checkIndexes compares the indexes that back no constraint (plain, unique
// and partial unique indexes) with the ones Zou creates.
func checkIndexes(t *testing.T, db *bun.DB) {
	t.Helper()
	got := queryRows(t, db, `
		SELECT r.relname, i.relname, replace(pg_get_indexdef(x.indexrelid), ' ON public.', ' ON ')
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class r ON r.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE n.nspname = 'public' AND r.relname NOT IN (?)
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
		bun.In(bunTables))
	reportDiffs(t, "indexes", diffRows(readTSV(t, "schema-indexes.tsv"), got))
}

func checkEnum(t *testing.T, db *bun.DB) {
	t.Helper()
	got := queryRows(t, db, `
		SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
		FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
		WHERE t.typname = 'import_source_enum'`)
	if len(got) != 1 || got[0][0] != "csv,shotgun" {
		t.Errorf("import_source_enum labels = %v, want csv,shotgun", got)
	}
}

func TestFreshDatabaseMatchesZou(t *testing.T) {
	db, _, _ := newTestDB(t)
	applied := mustMigrate(t, db)
	if len(applied) == 0 {
		t.Fatal("Migrate applied nothing on an empty database")
	}
	t.Run("columns", func(t *testing.T) { checkColumns(t, db) })
	t.Run("constraints", func(t *testing.T) { checkConstraints(t, db) })
	t.Run("constraint names", func(t *testing.T) { checkConstraintNames(t, db) })
	t.Run("indexes", func(t *testing.T) { checkIndexes(t, db) })
	t.Run("enum", func(t *testing.T) { checkEnum(t, db) })
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := context.Background()

	pending, err := migrations.Pending(ctx, db)
	if err != nil {
		t.Fatalf("Pending on an empty database: %v", err)
	}
	if len(pending) == 0 {
		t.Fatal("Pending found nothing to apply on an empty database")
	}
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('bun_migrations') IS NOT NULL").Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Error("Pending created bun_migrations; it must only read")
	}

	first := mustMigrate(t, db)
	if fmt.Sprint(first) != fmt.Sprint(pending) {
		t.Errorf("first Migrate applied %v, Pending announced %v", first, pending)
	}
	if second := mustMigrate(t, db); len(second) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", second)
	}
	if pending, err := migrations.Pending(ctx, db); err != nil || len(pending) != 0 {
		t.Errorf("Pending after Migrate = %v, %v; want none", pending, err)
	}

	// A lock left on a pooled connection would block the next server forever.
	var locks int
	if err := db.QueryRowContext(ctx, `
		SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory'
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&locks); err != nil {
		t.Fatal(err)
	}
	if locks != 0 {
		t.Errorf("%d advisory locks still held after Migrate returned", locks)
	}
}

// TestConcurrentMigrate starts two servers, each with its own pool, on the
// same empty database at the same moment.
func TestConcurrentMigrate(t *testing.T) {
	db, _, dsn := newTestDB(t)
	pending, err := migrations.Pending(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}

	const callers = 2
	dbs := []*bun.DB{db}
	for len(dbs) < callers {
		other, _ := openDB(t, dsn)
		dbs = append(dbs, other)
	}
	var wg sync.WaitGroup
	results := make([][]string, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			results[i], errs[i] = migrations.Migrate(context.Background(), dbs[i])
		}(i)
	}
	close(start)
	wg.Wait()

	var all []string
	for i := range errs {
		if errs[i] != nil {
			t.Errorf("caller %d: %v", i, errs[i])
		}
		all = append(all, results[i]...)
	}
	// Whoever got the lock first applies everything; the other finds nothing.
	if fmt.Sprint(all) != fmt.Sprint(pending) {
		t.Errorf("callers applied %v together, want each of %v exactly once", results, pending)
	}
	checkColumns(t, db)
}

// TestMigrateOnZouCreatedDatabase simulates a studio pointing the server at
// its Zou database: the schema exists, bun's bookkeeping does not, and a
// database upgraded through Zou's older migrations may name a constraint
// differently or miss one.
func TestMigrateOnZouCreatedDatabase(t *testing.T) {
	db, sqldb, _ := newTestDB(t)
	ctx := context.Background()

	files, err := filepath.Glob("*.up.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files found: %v", err)
	}
	sort.Strings(files)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Plain database/sql, not bun: this stands for Zou building its schema.
		if _, err := sqldb.ExecContext(ctx, string(body)); err != nil {
			t.Fatalf("run %s directly: %v", f, err)
		}
	}
	if _, err := sqldb.ExecContext(ctx, `
		ALTER TABLE entity RENAME CONSTRAINT fk_main_preview TO entity_preview_file_id_fkey;
		ALTER TABLE playlist DROP CONSTRAINT playlist_created_by_fkey;
		INSERT INTO project_status (id, name, color) VALUES (gen_random_uuid(), 'Open', '#000000');`); err != nil {
		t.Fatal(err)
	}

	if applied := mustMigrate(t, db); len(applied) == 0 {
		t.Error("Migrate recorded nothing on a database without bun_migrations")
	}

	checkColumns(t, db)
	checkConstraints(t, db)
	checkIndexes(t, db)

	names := queryRows(t, db, `
		SELECT conname FROM pg_constraint
		WHERE conname IN ('fk_main_preview', 'entity_preview_file_id_fkey', 'playlist_created_by_fkey')
		ORDER BY conname`)
	if fmt.Sprint(names) != "[[entity_preview_file_id_fkey] [playlist_created_by_fkey]]" {
		t.Errorf("foreign keys after Migrate = %v; want the renamed one kept as is and the dropped one restored", names)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM project_status").Scan(&n); err != nil || n != 1 {
		t.Errorf("project_status rows = %d, %v; Migrate must keep existing data", n, err)
	}
	if again := mustMigrate(t, db); len(again) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", again)
	}
}
