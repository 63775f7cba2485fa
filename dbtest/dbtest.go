// Package dbtest gives tests a fresh, migrated PostgreSQL database each: the
// schema is migrated once per test binary into a template, and every test
// clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/migrations"
)

// DefaultURL is used when TEST_DATABASE_URL is unset: the local PostgreSQL.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	once     sync.Once
	template string
	setupErr error
	mu       sync.Mutex // CREATE DATABASE … TEMPLATE needs the template unused
)

func adminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// URLFor returns the admin URL with the database name replaced.
func URLFor(name string) string {
	u, err := url.Parse(adminURL())
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open connects bun to a database URL.
func Open(dsn string) (*bun.DB, error) {
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(8)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func admin(ctx context.Context) (*bun.DB, error) {
	db, err := Open(adminURL())
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("PostgreSQL is not reachable at %s (set TEST_DATABASE_URL, or start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): %w", adminURL(), err)
	}
	return db, nil
}

func setup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a, err := admin(ctx)
	if err != nil {
		setupErr = err
		return
	}
	defer a.Close()
	template = randomName("zoutest_tmpl_")
	if _, err := a.ExecContext(ctx, "CREATE DATABASE "+template); err != nil {
		setupErr = fmt.Errorf("create template database: %w", err)
		return
	}
	db, err := Open(URLFor(template))
	if err != nil {
		setupErr = err
		return
	}
	defer db.Close()
	if _, err := migrations.Migrate(ctx, db); err != nil {
		setupErr = fmt.Errorf("migrate template database: %w", err)
	}
}

// Main runs the package's tests and drops the template afterwards; call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if template != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if a, err := admin(ctx); err == nil {
			_, _ = a.ExecContext(ctx, "DROP DATABASE IF EXISTS "+template+" WITH (FORCE)")
			a.Close()
		}
	}
	return code
}

// New returns a connection to a fresh migrated database, dropped when the test ends.
// It fails the test (never skips) when PostgreSQL cannot be reached.
func New(tb testing.TB) *bun.DB {
	tb.Helper()
	name, err := Clone()
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	db, err := Open(URLFor(name))
	if err != nil {
		tb.Fatalf("dbtest: open %s: %v", name, err)
	}
	tb.Cleanup(func() {
		db.Close()
		Drop(name)
	})
	return db
}

// Clone creates a fresh database from the migrated template and returns its name.
func Clone() (string, error) {
	once.Do(setup)
	if setupErr != nil {
		return "", setupErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := admin(ctx)
	if err != nil {
		return "", err
	}
	defer a.Close()
	name := randomName("zoutest_")
	mu.Lock()
	_, err = a.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template)
	mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("clone template: %w", err)
	}
	return name, nil
}

// Drop removes a database made by Clone.
func Drop(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if a, err := admin(ctx); err == nil {
		_, _ = a.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		a.Close()
	}
}
