// Package app assembles the server from its configuration: database, schema,
// policies, registry, token store, engine and routes. cmd/zou and the tests
// build the same thing through it.
package app

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/events"
	"github.com/zou-go/zou/migrations"
	"github.com/zou-go/zou/models"
	"github.com/zou-go/zou/policies"
	"github.com/zou-go/zou/routes"
)

// App is a built server.
type App struct {
	Cfg      config.Config
	DB       *bun.DB
	Policy   *policies.Enforcer
	Registry *engine.Registry
	Engine   *engine.Engine
	Store    auth.Store
	Events   *events.Log
	Server   *routes.Server
	Handler  http.Handler
}

// OpenDB connects to PostgreSQL with the configured pool size.
func OpenDB(cfg config.Config) (*bun.DB, error) {
	sqldb, err := sql.Open("pgx", cfg.DB.DSN())
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pool := cfg.DB.PoolSize
	if pool < 2 {
		pool = 2 // migrations hold a lock on one connection while using another
	}
	sqldb.SetMaxOpenConns(pool)
	sqldb.SetMaxIdleConns(pool)
	sqldb.SetConnMaxLifetime(time.Hour)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// NewRegistry declares every model.
func NewRegistry() *engine.Registry {
	r := engine.NewRegistry(pgdialect.New())
	models.Register(r)
	return r
}

// New builds the server on db (already migrated unless cfg.AutoMigrate).
func New(ctx context.Context, cfg config.Config, db *bun.DB) (*App, error) {
	if cfg.AutoMigrate {
		if _, err := migrations.Migrate(ctx, db); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	pol, err := policies.Load(cfg.PolicyDir)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	reg := NewRegistry()
	if err := reg.Check(ctx, db, pol.Objects()); err != nil {
		return nil, err
	}
	var store auth.Store = auth.NewMemoryStore()
	if cfg.KV.Host != "" {
		store = auth.NewRedisStore(net.JoinHostPort(cfg.KV.Host, strconv.Itoa(cfg.KV.Port)), cfg.KV.Password)
	}
	ev := events.NewLog(db, 1000)
	ev.UserKey = func(ctx context.Context) string {
		if p := engine.PrincipalFromContext(ctx); p != nil {
			return p.PersonID
		}
		return ""
	}
	eng := &engine.Engine{Reg: reg, DB: db, Authz: pol, Events: ev, DefaultLimit: cfg.NbRecordsPerPage}
	models.Configure(reg, models.Settings{
		BcryptRounds: cfg.BcryptRounds, UserLimit: cfg.UserLimit,
		DefaultTimezone: cfg.DefaultTimezone, DefaultLocale: cfg.DefaultLocale,
		ProtectedAccounts: cfg.ProtectedAccounts,
	})
	authn := &auth.Authenticator{Signer: auth.NewSigner(cfg.SecretKey, cfg.AccessTokenTTL, cfg.RefreshTokenTTL), Store: store, DB: db}
	srv := &routes.Server{Cfg: cfg, DB: db, Engine: eng, Auth: authn, Store: store}
	return &App{Cfg: cfg, DB: db, Policy: pol, Registry: reg, Engine: eng, Store: store, Events: ev, Server: srv, Handler: srv.Handler()}, nil
}

// Close releases the token store (the caller owns the database).
func (a *App) Close() error { return a.Store.Close() }
