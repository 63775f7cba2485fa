// Command zou runs the Zou-compatible API server and its administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/app"
	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/initdata"
	"github.com/zou-go/zou/migrations"
)

const usage = `Usage: zou <command> [flags]

Commands:
  serve            run the API server (creates and migrates the database if needed)
  init-db          create the database if missing and apply the schema
  upgrade-db       apply pending schema migrations
  init-data        add Zou's default statuses, task types, asset types and departments
  create-admin     EMAIL --password PW   create an admin account
  reset-password   EMAIL --password PW   set a person's password
Common flags: --config FILE (default ./config.yaml, or $ZOU_CONFIG)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "zou:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	cfgPath := fs.String("config", "", "configuration file")
	addr := fs.String("addr", "", "listen address (serve), default 127.0.0.1:5000")
	dev := fs.Bool("dev", false, "development mode: allows the default SECRET_KEY (serve)")
	password := fs.String("password", "", "password (create-admin, reset-password)")
	domain := fs.String("domain", "3d", "studio domain for init-data: 3d, 2d, vfx, games")
	// Flags may come after the positional EMAIL.
	var positional []string
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			positional = append(positional, rest[0])
			rest = rest[1:]
		}
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	if *dev {
		cfg.DevMode = true
	}
	setupLogging(cfg)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, out)
	case "init-db":
		db, err := openDB(ctx, cfg, true)
		if err != nil {
			return err
		}
		defer db.Close()
		return migrate(ctx, db, out)
	case "upgrade-db":
		db, err := openDB(ctx, cfg, false)
		if err != nil {
			return err
		}
		defer db.Close()
		return migrate(ctx, db, out)
	case "init-data":
		db, err := openDB(ctx, cfg, false)
		if err != nil {
			return err
		}
		defer db.Close()
		lines, err := initdata.Run(ctx, db, *domain)
		for _, l := range lines {
			fmt.Fprintln(out, l)
		}
		return err
	case "create-admin", "reset-password":
		if len(positional) != 1 || *password == "" {
			return fmt.Errorf("usage: zou %s EMAIL --password PASSWORD", cmd)
		}
		if n := len([]rune(*password)); n < cfg.MinPasswordLength {
			return fmt.Errorf("password is too short (%d characters, at least %d)", n, cfg.MinPasswordLength)
		}
		db, err := openDB(ctx, cfg, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if cmd == "create-admin" {
			return createAdmin(ctx, db, cfg, positional[0], *password, out)
		}
		return resetPassword(ctx, db, cfg, positional[0], *password, out)
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

func setupLogging(cfg config.Config) {
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
}

// openDB connects, creating the database first when create is set and it is missing.
func openDB(ctx context.Context, cfg config.Config, create bool) (*bun.DB, error) {
	if create {
		if err := ensureDatabase(ctx, cfg); err != nil {
			return nil, err
		}
	}
	db, err := app.OpenDB(cfg)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL (%s): %w", redact(cfg.DB.DSN()), err)
	}
	return db, nil
}

// ensureDatabase creates the configured database through the server's
// maintenance database when it does not exist yet.
func ensureDatabase(ctx context.Context, cfg config.Config) error {
	pcfg, err := pgx.ParseConfig(cfg.DB.DSN())
	if err != nil {
		return fmt.Errorf("parse database address: %w", err)
	}
	name := pcfg.Database
	pcfg.Database = "postgres"
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, pcfg)
	if err != nil {
		return fmt.Errorf("cannot reach PostgreSQL to create database %q (%s): %w", name, redact(cfg.DB.DSN()), err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(cctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(cctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	slog.Info("database created", "name", name)
	return nil
}

// redact hides the password of a connection string before it is printed.
func redact(dsn string) string {
	if cfg, err := pgx.ParseConfig(dsn); err == nil {
		return fmt.Sprintf("host=%s port=%d user=%s database=%s", cfg.Host, cfg.Port, cfg.User, cfg.Database)
	}
	return "<unparsable DATABASE_URL>"
}

func migrate(ctx context.Context, db *bun.DB, out io.Writer) error {
	applied, err := migrations.Migrate(ctx, db)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(out, "Database schema is up to date.")
	}
	for _, name := range applied {
		fmt.Fprintln(out, "Applied migration", name)
	}
	return nil
}

func serve(ctx context.Context, cfg config.Config, out io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.AutoMigrate)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(ctx, cfg, db)
	if err != nil {
		return err
	}
	defer a.Close()
	go func() {
		if err := a.Policy.Watch(ctx, slog.Default()); err != nil {
			slog.Error("policy watch stopped", "err", err)
		}
	}()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	kv := "in-process token store"
	if cfg.KV.Host != "" {
		kv = "Redis at " + net.JoinHostPort(cfg.KV.Host, fmt.Sprint(cfg.KV.Port))
	}
	fmt.Fprintf(out, "Zou API listening on http://%s (database %s, %s)\n", ln.Addr(), redact(cfg.DB.DSN()), kv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func createAdmin(ctx context.Context, db *bun.DB, cfg config.Config, email, password string, out io.Writer) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		return fmt.Errorf("%q is not an email address", email)
	}
	hash, err := auth.HashPassword(password, cfg.BcryptRounds)
	if err != nil {
		return err
	}
	exists, err := db.NewSelect().TableExpr("person").Where("lower(email) = ? AND is_bot IS NOT TRUE", email).Exists(ctx)
	if err != nil {
		return err
	}
	if exists {
		return fmt.Errorf("a person with email %s already exists (use reset-password)", email)
	}
	now := time.Now().UTC()
	_, err = db.NewRaw(`INSERT INTO person (id, created_at, updated_at, first_name, last_name, email, password, role,
		active, archived, contract_type, is_bot, is_guest, timezone, locale, login_failed_attemps, display_date_format,
		has_avatar, desktop_login)
		VALUES (?, ?, ?, 'Super', 'Admin', ?, ?, 'admin', true, false, 'open-ended', false, false, ?, ?, 0, 'YYYY-MM-DD', false, '')`,
		uuid.NewString(), now, now, email, hash, cfg.DefaultTimezone, cfg.DefaultLocale).Exec(ctx)
	if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	fmt.Fprintf(out, "Admin %s created.\n", email)
	return nil
}

func resetPassword(ctx context.Context, db *bun.DB, cfg config.Config, email, password string, out io.Writer) error {
	hash, err := auth.HashPassword(password, cfg.BcryptRounds)
	if err != nil {
		return err
	}
	res, err := db.NewRaw("UPDATE person SET password = ?, login_failed_attemps = 0, last_login_failed = NULL, updated_at = ? WHERE lower(email) = lower(?) AND is_bot IS NOT TRUE",
		hash, time.Now().UTC(), strings.TrimSpace(email)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no person with email %s", email)
	}
	fmt.Fprintf(out, "Password of %s changed.\n", email)
	return nil
}
