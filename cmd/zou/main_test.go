package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/dbtest"
)

// configEnv is every environment variable loadConfig reads.
var configEnv = []string{"ZOU_CONFIG", "ADDR", "DEBUG", "DEV_MODE", "SECRET_KEY", "AUTH_STRATEGY", "BCRYPT_LOG_ROUNDS",
	"MIN_PASSWORD_LENGTH", "USER_LIMIT", "ALLOW_REGISTRATION", "PROTECTED_ACCOUNTS", "DATABASE_URL", "DB_HOST", "DB_PORT",
	"DB_USERNAME", "DB_PASSWORD", "DB_DATABASE", "DB_POOL_SIZE", "KV_HOST", "KV_PORT", "KV_PASSWORD", "NB_RECORDS_PER_PAGE",
	"MAX_CONTENT_LENGTH", "MAX_JSON_BODY", "AUTO_MIGRATE", "POLICY_DIR", "DEFAULT_TIMEZONE", "DEFAULT_LOCALE",
	"IS_SELF_HOSTED", "CRISP_TOKEN", "INDEXER_KEY", "SAML_ENABLED", "SAML_IDP_NAME", "OIDC_ENABLED", "OIDC_IDP_NAME",
	"ENFORCE_2FA", "EVENT_STREAM_HOST", "EVENT_STREAM_PORT", "ACCESS_TOKEN_HOURS", "REFRESH_TOKEN_HOURS",
	"MAIL_ENABLED", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER"}

// isolate runs the test in an empty directory with none of the configuration
// variables set, whatever the machine's environment holds.
func isolate(t *testing.T) string {
	t.Helper()
	for _, k := range configEnv {
		t.Setenv(k, "") // restores the original value afterwards
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	isolate(t)
	c, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, config.Defaults()) {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, config.Defaults())
	}
	if c.SecretKey != "mysecretkey" || c.DB.Port != 5432 || c.NbRecordsPerPage != 100 || c.KV.Host != "" ||
		c.AccessTokenTTL != 7*24*time.Hour || c.RefreshTokenTTL != 15*24*time.Hour || c.MinPasswordLength != 8 || c.UserLimit != 100 {
		t.Errorf("Zou's defaults not kept: %+v", c)
	}
}

const sampleYAML = `
db_host: db.internal
db_port: 5433
db_username: zou
db_password: s3cret
db_database: kitsu
secret_key: from-the-file
kv_host: redis.internal
kv_port: 6380
nb_records_per_page: 50
debug: yes
allow_registration: true
min_password_length: 10
protected_accounts: "boss@studio.com; ops@studio.com"
default_timezone: Asia/Tokyo
`

func TestLoadConfigFile(t *testing.T) {
	dir := isolate(t)
	writeFile(t, filepath.Join(dir, "config.yaml"), sampleYAML)
	c, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if c.DB.Host != "db.internal" || c.DB.Port != 5433 || c.DB.Username != "zou" || c.DB.Password != "s3cret" || c.DB.Database != "kitsu" {
		t.Errorf("db: %+v", c.DB)
	}
	if c.SecretKey != "from-the-file" || c.KV.Host != "redis.internal" || c.KV.Port != 6380 || c.NbRecordsPerPage != 50 {
		t.Errorf("values: %+v", c)
	}
	if !c.Debug || !c.AllowRegistration || c.MinPasswordLength != 10 || c.DefaultTimezone != "Asia/Tokyo" {
		t.Errorf("values: %+v", c)
	}
	if !reflect.DeepEqual(c.ProtectedAccounts, []string{"boss@studio.com", "ops@studio.com"}) {
		t.Errorf("protected accounts: %q", c.ProtectedAccounts)
	}
	if got := c.DB.DSN(); got != "postgres://zou:s3cret@db.internal:5433/kitsu?sslmode=disable" {
		t.Errorf("DSN %s", got)
	}

	// A YAML list works too, and --config / ZOU_CONFIG name another file.
	other := filepath.Join(dir, "other.yaml")
	writeFile(t, other, "protected_accounts:\n  - a@studio.com\n  - b@studio.com\nnb_records_per_page: 7\n")
	c, err = loadConfig(other)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.ProtectedAccounts, []string{"a@studio.com", "b@studio.com"}) || c.NbRecordsPerPage != 7 {
		t.Errorf("--config file: %q %d", c.ProtectedAccounts, c.NbRecordsPerPage)
	}
	t.Setenv("ZOU_CONFIG", other)
	if c, err = loadConfig(""); err != nil || c.NbRecordsPerPage != 7 {
		t.Errorf("ZOU_CONFIG: %d, %v", c.NbRecordsPerPage, err)
	}
	// A named file that does not exist is an error; a missing ./config.yaml is not.
	if _, err := loadConfig(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing --config file should be refused")
	}
	writeFile(t, other, "db_port: [unclosed\n")
	if _, err := loadConfig(other); err == nil {
		t.Error("a malformed file should be refused")
	}
}

func TestEnvOverridesFile(t *testing.T) {
	dir := isolate(t)
	writeFile(t, filepath.Join(dir, "config.yaml"), sampleYAML)
	t.Setenv("DB_HOST", "env-db")
	t.Setenv("DB_PORT", "6543")
	t.Setenv("SECRET_KEY", "from-the-env")
	t.Setenv("KV_HOST", "env-redis")
	t.Setenv("NB_RECORDS_PER_PAGE", "25")
	t.Setenv("PROTECTED_ACCOUNTS", "x@studio.com;y@studio.com")
	c, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if c.DB.Host != "env-db" || c.DB.Port != 6543 || c.SecretKey != "from-the-env" || c.KV.Host != "env-redis" || c.NbRecordsPerPage != 25 {
		t.Errorf("env did not win: %+v", c)
	}
	if c.DB.Username != "zou" || c.KV.Port != 6380 {
		t.Errorf("file values not overridden should stay: %+v", c)
	}
	if !reflect.DeepEqual(c.ProtectedAccounts, []string{"x@studio.com", "y@studio.com"}) {
		t.Errorf("protected accounts: %q", c.ProtectedAccounts)
	}
	// DATABASE_URL wins over every db_* value.
	url := "postgres://u:p@elsewhere:5555/other?sslmode=disable"
	t.Setenv("DATABASE_URL", url)
	if c, err = loadConfig(""); err != nil || c.DB.DSN() != url {
		t.Errorf("DATABASE_URL: %s, %v", c.DB.DSN(), err)
	}
}

func TestLoadConfigRefusesBadValues(t *testing.T) {
	isolate(t)
	t.Setenv("DEBUG", "maybe")
	_, err := loadConfig("")
	if err == nil || !strings.Contains(err.Error(), "DEBUG") || !strings.Contains(err.Error(), "maybe") {
		t.Fatalf("DEBUG=maybe: %v", err)
	}
	// Zou's spellings are all accepted.
	for v, want := range map[string]bool{"y": true, "YES": true, "t": true, "on": true, "1": true, "n": false, "No": false, "f": false, "off": false, "0": false} {
		t.Setenv("DEBUG", v)
		c, err := loadConfig("")
		if err != nil || c.Debug != want {
			t.Errorf("DEBUG=%s: %v, %v", v, c.Debug, err)
		}
	}
	t.Setenv("DEBUG", "maybe")
	t.Setenv("DB_PORT", "five")
	_, err = loadConfig("")
	if err == nil || !strings.Contains(err.Error(), "DB_PORT") || !strings.Contains(err.Error(), "DEBUG") {
		t.Fatalf("every bad value should be reported at once: %v", err)
	}
	// run refuses to go on with a bad configuration.
	if err := run(context.Background(), []string{"init-db"}, io.Discard); err == nil || !strings.Contains(err.Error(), "DEBUG") {
		t.Fatalf("run with DEBUG=maybe: %v", err)
	}
}

// syncBuffer is written by the server goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeSecretKey(t *testing.T) {
	isolate(t)
	db := freshDatabase(t)
	t.Setenv("DATABASE_URL", dbtest.URLFor(db))

	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "SECRET_KEY") || !strings.Contains(err.Error(), "export SECRET_KEY=") || !strings.Contains(err.Error(), "--dev") {
		t.Fatalf("serve with the default key: %v", err)
	}
	if dbExists(t, db) {
		t.Fatal("serve created the database before refusing its configuration")
	}

	// --dev accepts it: the server creates and migrates the database, answers, and stops on cancel.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--dev", "--addr", "127.0.0.1:0"}, out) }()
	addr := waitListening(t, out, done)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"version":"1.0.67"`) {
		t.Errorf("GET /: %d %s", resp.StatusCode, b)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after cancel: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
	if !dbExists(t, db) {
		t.Error("serve did not create its database")
	}

	// A real secret is accepted without --dev, as is DEBUG=true.
	for _, env := range [][2]string{{"SECRET_KEY", "a-long-random-production-secret"}, {"DEBUG", "true"}} {
		t.Run(env[0], func(t *testing.T) {
			t.Setenv(env[0], env[1])
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := &syncBuffer{}
			done := make(chan error, 1)
			go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, out) }()
			waitListening(t, out, done)
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
}

var listeningRE = regexp.MustCompile(`listening on http://([^ ]+)`)

func waitListening(t *testing.T, out *syncBuffer, done chan error) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningRE.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before listening: %v; output %s", err, out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start; output %s", out)
	return ""
}

// freshDatabase returns the name of a database that does not exist yet, and
// drops it (WITH (FORCE)) when the test ends. The PostgreSQL server must answer.
func freshDatabase(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "zoucli_" + hex.EncodeToString(b)
	admin, err := dbtest.Open(dbtest.URLFor("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		t.Fatalf("PostgreSQL is not reachable at %s (set TEST_DATABASE_URL, or start it): %v", dbtest.URLFor("postgres"), err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return name
}

func dbExists(t *testing.T, name string) bool {
	t.Helper()
	admin, err := dbtest.Open(dbtest.URLFor("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRowContext(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestCLIEndToEnd(t *testing.T) {
	isolate(t)
	name := freshDatabase(t)
	t.Setenv("DATABASE_URL", dbtest.URLFor(name))
	t.Setenv("BCRYPT_LOG_ROUNDS", "4")
	ctx := context.Background()
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, &out)
		return out.String(), err
	}

	if out, err := cli("help"); err != nil || !strings.Contains(out, "create-admin") {
		t.Fatalf("help: %q %v", out, err)
	}
	if _, err := cli("frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}

	// init-db creates the database and applies the schema; a second run has nothing to do.
	if dbExists(t, name) {
		t.Fatal("database exists before init-db")
	}
	out, err := cli("init-db")
	if err != nil {
		t.Fatalf("init-db: %v\n%s", err, out)
	}
	if !dbExists(t, name) || !strings.Contains(out, "Applied migration") {
		t.Fatalf("init-db did not create and migrate %s: %s", name, out)
	}
	if out, err = cli("init-db"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second init-db: %q %v", out, err)
	}
	if out, err = cli("upgrade-db"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("upgrade-db: %q %v", out, err)
	}

	db, err := dbtest.Open(dbtest.URLFor(name))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type row struct {
		Role     string `bun:"role"`
		Active   bool   `bun:"active"`
		Password []byte `bun:"password"`
		First    string `bun:"first_name"`
		Failures int    `bun:"login_failed_attemps"`
	}
	read := func(email string) row {
		t.Helper()
		var r row
		if err := db.NewRaw("SELECT role, active, password, first_name, coalesce(login_failed_attemps, 0) AS login_failed_attemps FROM person WHERE email = ?", email).Scan(ctx, &r); err != nil {
			t.Fatalf("read %s: %v", email, err)
		}
		return r
	}

	// create-admin: flags before or after the email.
	if out, err = cli("create-admin", "a@b.c", "--password", "longenough"); err != nil {
		t.Fatalf("create-admin: %v %s", err, out)
	}
	r := read("a@b.c")
	if r.Role != "admin" || !r.Active || !auth.CheckPassword(r.Password, "longenough") || !bytes.HasPrefix(r.Password, []byte("$2a$04$")) {
		t.Fatalf("admin row: %+v (%s)", r, r.Password)
	}
	if _, err = cli("create-admin", "--password", "longenough", "A@B.C"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate create-admin: %v", err)
	}
	if _, err = cli("create-admin", "x@b.c", "--password", "short"); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("short password: %v", err)
	}
	if _, err = cli("create-admin", "not-an-email", "--password", "longenough"); err == nil {
		t.Fatal("create-admin accepted a non-email")
	}
	if _, err = cli("create-admin", "x@b.c"); err == nil || !strings.Contains(err.Error(), "--password") {
		t.Fatalf("create-admin without a password: %v", err)
	}
	var n int
	if err := db.NewRaw("SELECT count(*) FROM person").Scan(ctx, &n); err != nil || n != 1 {
		t.Fatalf("%d persons after refused commands (%v), want 1", n, err)
	}

	// reset-password sets a new hash and clears a lockout.
	if _, err := db.NewRaw("UPDATE person SET login_failed_attemps = 5, last_login_failed = now() WHERE email = 'a@b.c'").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err = cli("reset-password", "A@b.c", "--password", "another-long-one"); err != nil {
		t.Fatalf("reset-password: %v %s", err, out)
	}
	r = read("a@b.c")
	if !auth.CheckPassword(r.Password, "another-long-one") || auth.CheckPassword(r.Password, "longenough") || r.Failures != 0 {
		t.Fatalf("after reset-password: %+v", r)
	}
	if _, err = cli("reset-password", "nobody@b.c", "--password", "another-long-one"); err == nil || !strings.Contains(err.Error(), "no person") {
		t.Fatalf("reset-password of an unknown email: %v", err)
	}

	// Commands that need a database say which one they could not reach.
	t.Setenv("DATABASE_URL", "postgres://postgres:hunter2@127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=2")
	for _, cmd := range []string{"upgrade-db", "init-db"} {
		_, err = cli(cmd)
		if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL") || !strings.Contains(err.Error(), "port=1") {
			t.Fatalf("%s on an unreachable database: %v", cmd, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error leaks the password: %v", cmd, err)
		}
	}
}
