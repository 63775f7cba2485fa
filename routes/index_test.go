package routes_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/config"
)

func TestIndex(t *testing.T) {
	e := apptest.New(t)
	expect(t, e.Do("GET", "/", nil, ""), 200, map[string]any{"api": "Zou", "version": "1.0.67"})
	// Public: a token is not needed, and a bad one is not looked at.
	expect(t, e.Do("GET", "/", nil, "garbage"), 200, map[string]any{"api": "Zou", "version": "1.0.67"})
}

func statusOf(t *testing.T, e *apptest.Env) map[string]any {
	t.Helper()
	r := e.Do("GET", "/status", nil, "")
	if r.Status != 200 {
		t.Fatalf("/status: %d %s", r.Status, r.Body)
	}
	return body(t, r)
}

func TestStatus(t *testing.T) {
	e := apptest.New(t)
	st := statusOf(t, e)
	keys := []string{"name", "version", "database-up", "key-value-store-up", "event-stream-up", "job-queue-up", "indexer-up"}
	if len(st) != len(keys) {
		t.Errorf("/status keys %v, want %v", st, keys)
	}
	if st["name"] != "Zou" || st["version"] != "1.0.67" {
		t.Errorf("name/version: %v", st)
	}
	for _, k := range keys[2:] {
		if _, ok := st[k].(bool); !ok {
			t.Errorf("%s = %#v, want a boolean", k, st[k])
		}
	}
	if st["database-up"] != true || st["key-value-store-up"] != true {
		t.Errorf("database and in-process store should be up: %v", st)
	}
	if st["job-queue-up"] != false || st["indexer-up"] != false {
		t.Errorf("no job queue or indexer here: %v", st)
	}

	// Influx: the same probes as 0/1 integers, plus the time as a float.
	r := e.Do("GET", "/status/influx", nil, "")
	if r.Status != 200 {
		t.Fatalf("/status/influx: %d %s", r.Status, r.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var inf map[string]json.Number
	if err := dec.Decode(&inf); err != nil {
		t.Fatalf("/status/influx: %v: %s", err, r.Body)
	}
	if len(inf) != 6 {
		t.Errorf("/status/influx keys: %s", r.Body)
	}
	for _, k := range keys[2:] {
		v := inf[k].String()
		if v != "0" && v != "1" {
			t.Errorf("influx %s = %q, want 0 or 1", k, v)
		}
	}
	if inf["database-up"] != "1" || inf["key-value-store-up"] != "1" {
		t.Errorf("influx: %s", r.Body)
	}
	ts := inf["time"].String()
	if !strings.Contains(ts, ".") {
		t.Errorf("time %q is not written as a float", ts)
	}
	if f, err := inf["time"].Float64(); err != nil || time.Since(time.Unix(int64(f), 0)).Abs() > time.Minute {
		t.Errorf("time %q is not now", ts)
	}

	// Text: one line per key, values up/down, in Zou's order.
	r = e.Do("GET", "/status.txt", nil, "")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text") {
		t.Fatalf("/status.txt: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	want := "name: Zou\nversion: 1.0.67\ndatabase-up: up\nevent-stream-up: down\nkey-value-store-up: up\njob-queue-up: down\nindexer-up: down\n"
	if string(r.Body) != want {
		t.Errorf("/status.txt:\n%s\nwant:\n%s", r.Body, want)
	}
}

func TestStatusWithRedisDown(t *testing.T) {
	// Redis configured at a closed port: the probe says so, the route still answers 200.
	e := apptest.New(t, func(c *config.Config) { c.KV.Host = "127.0.0.1"; c.KV.Port = 1 })
	st := statusOf(t, e)
	if st["key-value-store-up"] != false || st["database-up"] != true {
		t.Errorf("/status with Redis down: %v", st)
	}
	r := e.Do("GET", "/status.txt", nil, "")
	if r.Status != 200 || !strings.Contains(string(r.Body), "key-value-store-up: down\n") {
		t.Errorf("/status.txt with Redis down: %d %s", r.Status, r.Body)
	}
	r = e.Do("GET", "/status/influx", nil, "")
	if r.Status != 200 || body(t, r)["key-value-store-up"] != float64(0) {
		t.Errorf("/status/influx with Redis down: %d %s", r.Status, r.Body)
	}
	// Config and the index do not depend on Redis.
	e.Must(200, "GET", "/", nil, "")
	e.Must(200, "GET", "/config", nil, "")
}

func TestConfigRoute(t *testing.T) {
	e := apptest.New(t)
	r := e.Do("GET", "/config", nil, "")
	if r.Status != 200 {
		t.Fatalf("/config: %d %s", r.Status, r.Body)
	}
	expect(t, r, 200, map[string]any{
		"is_self_hosted": true, "crisp_token": "", "dark_theme_by_default": false,
		"indexer_configured": false, "saml_enabled": false, "saml_idp_name": "",
		"oidc_enabled": false, "oidc_idp_name": "", "default_locale": "en_US",
		"default_timezone": "Europe/Paris", "enforce_2fa": false,
	})

	// Values come from the configuration and the organisation row.
	e = apptest.New(t, func(c *config.Config) {
		c.IsSelfHosted = false
		c.CrispToken = "crisp-1"
		c.IndexerKey = "key"
		c.SAMLEnabled, c.SAMLIdPName = true, "Okta"
		c.OIDCEnabled, c.OIDCIdPName = true, "Keycloak"
		c.DefaultLocale, c.DefaultTimezone = "fr_FR", "America/Montreal"
		c.Enforce2FA = true
	})
	e.Must(200, "GET", "/auth/authenticated", nil, e.Admin.Token) // creates the organisation
	sqlExec(t, e, "UPDATE organisation SET dark_theme_by_default = true")
	expect(t, e.Do("GET", "/config", nil, ""), 200, map[string]any{
		"is_self_hosted": false, "crisp_token": "crisp-1", "dark_theme_by_default": true,
		"indexer_configured": true, "saml_enabled": true, "saml_idp_name": "Okta",
		"oidc_enabled": true, "oidc_idp_name": "Keycloak", "default_locale": "fr_FR",
		"default_timezone": "America/Montreal", "enforce_2fa": true,
	})
}

func TestSecurityHeadersAndJSONErrors(t *testing.T) {
	e := apptest.New(t)
	refresh := body(t, e.Must(200, "POST", "/auth/login", map[string]any{"email": e.Admin.Email, "password": e.Admin.Password}, ""))["refresh_token"].(string)
	cases := []struct {
		method, path, token string
		body                any
		status              int
	}{
		{"GET", "/", "", nil, 200},
		{"GET", "/status", "", nil, 200},
		{"GET", "/status.txt", "", nil, 200},
		{"GET", "/status/influx", "", nil, 200},
		{"GET", "/config", "", nil, 200},
		{"GET", "/auth/authenticated", e.Admin.Token, nil, 200},
		{"GET", "/auth/authenticated", "", nil, 401},
		{"GET", "/auth/authenticated", "garbage", nil, 422},
		{"GET", "/data/persons", refresh, nil, 422},
		{"POST", "/auth/login", "", map[string]any{"email": "nobody@example.com", "password": "x"}, 400},
		{"POST", "/auth/login", "", map[string]any{}, 400},
		{"POST", "/auth/register", "", map[string]any{}, 403},
		{"GET", "/auth/refresh-token", "", nil, 401},
		{"POST", "/auth/change-password", e.Admin.Token, map[string]any{}, 400},
		{"GET", "/no/such/route", "", nil, 404},
		{"DELETE", "/auth/login", "", nil, 405},
	}
	for _, c := range cases {
		r := e.Do(c.method, c.path, c.body, c.token)
		if r.Status != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, r.Status, c.status, r.Body)
		}
		for h, v := range map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "SAMEORIGIN",
			"Content-Security-Policy": "frame-ancestors 'self'",
			"Referrer-Policy":         "strict-origin-when-cross-origin",
		} {
			if got := r.Header.Get(h); got != v {
				t.Errorf("%s %s: %s = %q, want %q", c.method, c.path, h, got, v)
			}
		}
		if c.path != "/status.txt" {
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || !json.Valid(r.Body) || !bytes.HasPrefix(bytes.TrimSpace(r.Body), []byte("{")) {
				t.Errorf("%s %s: %q body %s is not a JSON object", c.method, c.path, ct, r.Body)
			}
		}
	}
}

// TestAuthErrorBodies pins every auth refusal's exact keys (Kitsu reads flags, not text).
func TestAuthErrorBodies(t *testing.T) {
	e := apptest.New(t)
	keys := func(r *apptest.Response) string {
		var ks []string
		for k := range body(t, r) {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return strings.Join(ks, ",")
	}
	for _, c := range []struct {
		name string
		r    *apptest.Response
		want string
	}{
		{"unknown login", login(e, "nobody@example.com", "x"), "login"},
		{"missing email", e.Do("POST", "/auth/login", map[string]any{}, ""), "data,error,message"},
		{"missing token", e.Do("GET", "/data/persons", nil, ""), "msg"},
		{"bad token", e.Do("GET", "/data/persons", nil, "x"), "msg"},
		{"wrong old password", e.Do("POST", "/auth/change-password", map[string]any{"old_password": "nope", "password": "long-enough", "password_2": "long-enough"}, e.Admin.Token), "error,message"},
		{"registration off", e.Do("POST", "/auth/register", map[string]any{}, ""), "error,message"},
	} {
		if got := keys(c.r); got != c.want {
			t.Errorf("%s: keys %s, want %s (%d %s)", c.name, got, c.want, c.r.Status, c.r.Body)
		}
	}
	if r := e.Do("GET", "/data/persons", nil, ""); r.Status != http.StatusUnauthorized {
		t.Errorf("missing token: %d", r.Status)
	}
}
