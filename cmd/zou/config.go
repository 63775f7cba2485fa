package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/viper"

	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/engine"
)

// loadConfig reads config.yaml (if present) then Zou's environment variables,
// which win, into the typed Config. Keys are Zou's variable names in lower case,
// so DB_HOST overrides db_host.
func loadConfig(path string) (config.Config, error) {
	d := config.Defaults()
	v := viper.New()
	v.SetConfigType("yaml")
	v.AutomaticEnv()
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	explicit := path != ""
	if path == "" {
		path = os.Getenv("ZOU_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		path = "config.yaml"
	}
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		var notFound viper.ConfigFileNotFoundError
		if explicit || !(errors.As(err, &notFound) || errors.Is(err, os.ErrNotExist)) {
			if _, statErr := os.Stat(path); explicit || statErr == nil {
				return d, fmt.Errorf("read %s: %w", path, err)
			}
		}
	}
	r := reader{v: v}
	c := d
	c.Addr = r.str("addr", d.Addr)
	c.Debug = r.boolean("debug", d.Debug)
	c.DevMode = r.boolean("dev_mode", d.DevMode)
	c.SecretKey = r.str("secret_key", d.SecretKey)
	c.AuthStrategy = r.str("auth_strategy", d.AuthStrategy)
	c.BcryptRounds = r.integer("bcrypt_log_rounds", d.BcryptRounds)
	c.MinPasswordLength = r.integer("min_password_length", d.MinPasswordLength)
	c.UserLimit = r.integer("user_limit", d.UserLimit)
	c.AllowRegistration = r.boolean("allow_registration", d.AllowRegistration)
	c.ProtectedAccounts = r.list("protected_accounts")
	c.DB.URL = r.str("database_url", "")
	c.DB.Host = r.str("db_host", d.DB.Host)
	c.DB.Port = r.integer("db_port", d.DB.Port)
	c.DB.Username = r.str("db_username", d.DB.Username)
	c.DB.Password = r.str("db_password", d.DB.Password)
	c.DB.Database = r.str("db_database", d.DB.Database)
	c.DB.PoolSize = r.integer("db_pool_size", d.DB.PoolSize)
	c.KV.Host = r.str("kv_host", d.KV.Host)
	c.KV.Port = r.integer("kv_port", d.KV.Port)
	c.KV.Password = r.str("kv_password", d.KV.Password)
	c.NbRecordsPerPage = r.integer("nb_records_per_page", d.NbRecordsPerPage)
	c.MaxContentLength = int64(r.integer("max_content_length", int(d.MaxContentLength)))
	c.MaxJSONBody = int64(r.integer("max_json_body", int(d.MaxJSONBody)))
	c.AutoMigrate = r.boolean("auto_migrate", d.AutoMigrate)
	c.PolicyDir = r.str("policy_dir", d.PolicyDir)
	c.DefaultTimezone = r.str("default_timezone", d.DefaultTimezone)
	c.DefaultLocale = r.str("default_locale", d.DefaultLocale)
	c.DomainName = r.str("domain_name", d.DomainName)
	c.DomainProtocol = r.str("domain_protocol", d.DomainProtocol)
	c.IsSelfHosted = r.boolean("is_self_hosted", d.IsSelfHosted)
	c.CrispToken = r.str("crisp_token", d.CrispToken)
	c.IndexerKey = r.str("indexer_key", d.IndexerKey)
	c.SAMLEnabled = r.boolean("saml_enabled", false)
	c.SAMLIdPName = r.str("saml_idp_name", "")
	c.OIDCEnabled = r.boolean("oidc_enabled", false)
	c.OIDCIdPName = r.str("oidc_idp_name", "")
	c.Enforce2FA = r.boolean("enforce_2fa", false)
	c.EventStreamHost = r.str("event_stream_host", d.EventStreamHost)
	c.EventStreamPort = r.integer("event_stream_port", d.EventStreamPort)
	c.Mail.Enabled = r.boolean("mail_enabled", d.Mail.Enabled)
	c.Mail.Server = r.str("mail_server", d.Mail.Server)
	c.Mail.Port = r.integer("mail_port", d.Mail.Port)
	c.Mail.Username = r.str("mail_username", d.Mail.Username)
	c.Mail.Password = r.str("mail_password", d.Mail.Password)
	c.Mail.UseTLS = r.boolean("mail_use_tls", d.Mail.UseTLS)
	c.Mail.UseSSL = r.boolean("mail_use_ssl", d.Mail.UseSSL)
	c.Mail.DefaultSender = r.str("mail_default_sender", d.Mail.DefaultSender)
	c.AccessTokenTTL = time.Duration(r.integer("access_token_hours", int(d.AccessTokenTTL.Hours()))) * time.Hour
	c.RefreshTokenTTL = time.Duration(r.integer("refresh_token_hours", int(d.RefreshTokenTTL.Hours()))) * time.Hour
	if len(r.errs) > 0 {
		return c, errors.Join(r.errs...)
	}
	return c, nil
}

// reader collects every malformed value so one run reports them all.
type reader struct {
	v    *viper.Viper
	errs []error
}

func (r *reader) str(key, def string) string {
	if !r.v.IsSet(key) {
		return def
	}
	return r.v.GetString(key)
}

func (r *reader) integer(key string, def int) int {
	if !r.v.IsSet(key) {
		return def
	}
	var n int
	s := strings.TrimSpace(r.v.GetString(key))
	if _, err := fmt.Sscan(s, &n); err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: %q is not an integer", strings.ToUpper(key), s))
		return def
	}
	return n
}

// boolean uses Zou's spellings (y/yes/t/true/on/1 …) and refuses anything else, as Zou does.
func (r *reader) boolean(key string, def bool) bool {
	if !r.v.IsSet(key) {
		return def
	}
	s := r.v.GetString(key)
	b, ok := engine.ParseBool(s)
	if !ok {
		r.errs = append(r.errs, fmt.Errorf("%s: %q is not a boolean (use true or false)", strings.ToUpper(key), s))
		return def
	}
	return b
}

// list reads Zou's semicolon-separated lists (or a YAML list).
func (r *reader) list(key string) []string {
	if !r.v.IsSet(key) {
		return nil
	}
	var parts []string
	switch v := r.v.Get(key).(type) {
	case []any:
		for _, e := range v {
			parts = append(parts, fmt.Sprint(e))
		}
	case []string:
		parts = v
	default:
		parts = strings.Split(r.v.GetString(key), ";")
	}
	var out []string
	for _, part := range parts {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
