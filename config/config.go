// Package config holds the server's typed configuration. It is filled once by
// cmd/zou (viper: config.yaml, then Zou's environment variable names) and passed down.
package config

import (
	"fmt"
	"net/url"
	"time"
)

// DefaultSecretKey is Zou's shipped secret; the server refuses it outside dev mode.
const DefaultSecretKey = "mysecretkey"

// Config is every setting the server reads.
type Config struct {
	Addr    string // listen address, e.g. 127.0.0.1:5000
	Debug   bool   // Zou's DEBUG: allows the default secret key
	DevMode bool   // explicit dev mode (--dev): same allowance as Debug

	SecretKey         string
	AuthStrategy      string // auth_local_classic or auth_local_no_password
	BcryptRounds      int
	MinPasswordLength int
	UserLimit         int
	AllowRegistration bool
	ProtectedAccounts []string
	AccessTokenTTL    time.Duration
	RefreshTokenTTL   time.Duration

	DB DB
	KV KV

	NbRecordsPerPage int
	MaxContentLength int64 // bytes; 0 disables the cap
	MaxJSONBody      int64 // bytes accepted for JSON bodies
	AutoMigrate      bool
	PolicyDir        string // directory with model.conf and policy.csv; "" = built-in copy

	DefaultTimezone string
	DomainName      string // host (and port) of the Kitsu front end, for links such as password resets
	DomainProtocol  string // http or https
	DefaultLocale   string
	IsSelfHosted    bool
	CrispToken      string
	IndexerKey      string
	SAMLEnabled     bool
	SAMLIdPName     string
	OIDCEnabled     bool
	OIDCIdPName     string
	Enforce2FA      bool
	EventStreamHost string
	EventStreamPort int

	Mail Mail
}

// Mail is the SMTP account the server sends its emails (invitations) through.
type Mail struct {
	Enabled       bool
	Server        string
	Port          int
	Username      string
	Password      string // never logged nor echoed in errors
	UseTLS        bool   // STARTTLS after connecting
	UseSSL        bool   // TLS from the first byte (usually port 465)
	DefaultSender string // the From address
}

// String shows the account without its password, so that printing or
// logging a Config cannot leak it.
func (m Mail) String() string {
	pw := ""
	if m.Password != "" {
		pw = "***"
	}
	return fmt.Sprintf("{Enabled:%t Server:%s Port:%d Username:%s Password:%s UseTLS:%t UseSSL:%t DefaultSender:%s}",
		m.Enabled, m.Server, m.Port, m.Username, pw, m.UseTLS, m.UseSSL, m.DefaultSender)
}

// DB is the PostgreSQL connection.
type DB struct {
	URL      string // DATABASE_URL: overrides every other field when set
	Host     string
	Port     int
	Username string
	Password string
	Database string
	PoolSize int
}

// KV is the Redis connection; an empty Host means the in-process store.
type KV struct {
	Host     string
	Port     int
	Password string
}

// Defaults returns Zou's defaults (see config.yaml for each one's meaning).
func Defaults() Config {
	return Config{
		Addr:              "127.0.0.1:5000",
		SecretKey:         DefaultSecretKey,
		AuthStrategy:      "auth_local_classic",
		BcryptRounds:      12,
		MinPasswordLength: 8,
		UserLimit:         100,
		AccessTokenTTL:    7 * 24 * time.Hour,
		RefreshTokenTTL:   15 * 24 * time.Hour,
		DB:                DB{Host: "localhost", Port: 5432, Username: "postgres", Database: "zoudb", PoolSize: 30},
		KV:                KV{Port: 6379},
		NbRecordsPerPage:  100,
		MaxContentLength:  10 << 30,
		MaxJSONBody:       16 << 20,
		AutoMigrate:       true,
		PolicyDir:         "",
		DefaultTimezone:   "Europe/Paris",
		DomainName:        "localhost:8080",
		DomainProtocol:    "https",
		DefaultLocale:     "en_US",
		IsSelfHosted:      true,
		EventStreamHost:   "localhost",
		EventStreamPort:   5001,
		Mail:              Mail{Enabled: true, Server: "localhost", Port: 25, DefaultSender: "no-reply@your-studio.com"},
	}
}

// DSN is the PostgreSQL connection string.
func (d DB) DSN() string {
	if d.URL != "" {
		return d.URL
	}
	u := url.URL{Scheme: "postgres", Host: fmt.Sprintf("%s:%d", d.Host, d.Port), Path: "/" + d.Database}
	if d.Password != "" {
		u.User = url.UserPassword(d.Username, d.Password)
	} else {
		u.User = url.User(d.Username)
	}
	u.RawQuery = "sslmode=disable"
	return u.String()
}

// Validate refuses settings the server must not run with.
func (c Config) Validate() error {
	if c.SecretKey == "" || (c.SecretKey == DefaultSecretKey && !c.Debug && !c.DevMode) {
		return fmt.Errorf("SECRET_KEY is unset or still the default %q: set a long random value, e.g. `export SECRET_KEY=$(openssl rand -hex 32)` (or secret_key in config.yaml); for local development only, pass --dev or DEBUG=true", DefaultSecretKey)
	}
	switch c.AuthStrategy {
	case "auth_local_classic", "auth_local_no_password":
	default:
		return fmt.Errorf("AUTH_STRATEGY %q is not supported (auth_local_classic, auth_local_no_password)", c.AuthStrategy)
	}
	if c.BcryptRounds < 4 || c.BcryptRounds > 31 {
		return fmt.Errorf("BCRYPT_LOG_ROUNDS must be between 4 and 31, got %d", c.BcryptRounds)
	}
	if c.NbRecordsPerPage <= 0 {
		return fmt.Errorf("NB_RECORDS_PER_PAGE must be positive, got %d", c.NbRecordsPerPage)
	}
	if c.Mail.UseTLS && c.Mail.UseSSL {
		return fmt.Errorf("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL (TLS from the start) exclude each other: set one")
	}
	if c.Mail.Port <= 0 || c.Mail.Port > 65535 {
		return fmt.Errorf("MAIL_PORT must be between 1 and 65535, got %d", c.Mail.Port)
	}
	return nil
}
