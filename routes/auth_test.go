package routes_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/config"
)

const (
	chromeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	curlUA   = "curl/8.5.0"

	missingAccess = `Missing JWT in cookies or headers (Missing cookie "access_token_cookie"; Missing Authorization Header)`
	unauthorized  = "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."
)

// body checks that an answer is a JSON object and decodes it.
func body(t *testing.T, r *apptest.Response) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; status %d body %s", ct, r.Status, r.Body)
	}
	return r.Object(t)
}

// expect checks the status and that the JSON body is exactly want.
func expect(t *testing.T, r *apptest.Response, status int, want map[string]any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	got := body(t, r)
	// Round-trip want through JSON so numbers and nested values compare alike.
	raw, _ := json.Marshal(want)
	var w map[string]any
	_ = json.Unmarshal(raw, &w)
	if !reflect.DeepEqual(got, w) {
		t.Fatalf("body %s, want %s", r.Body, raw)
	}
}

func login(e *apptest.Env, email, password string, headers ...string) *apptest.Response {
	e.T.Helper()
	return e.Do("POST", "/auth/login", map[string]any{"email": email, "password": password}, "", headers...)
}

func mustLogin(t *testing.T, e *apptest.Env, email, password string, headers ...string) map[string]any {
	t.Helper()
	r := login(e, email, password, headers...)
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: status %d body %s", email, r.Status, r.Body)
	}
	return body(t, r)
}

func sqlExec(t *testing.T, e *apptest.Env, query string, args ...any) {
	t.Helper()
	if _, err := e.App.DB.NewRaw(query, args...).Exec(context.Background()); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func sqlInt(t *testing.T, e *apptest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.App.DB.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func setCookies(r *apptest.Response) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		out[c.Name] = c
	}
	return out
}

func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

var sensitivePersonFields = []string{"password", "jti", "totp_secret", "email_otp_secret", "otp_recovery_codes",
	"fido_credentials", "login_failed_attemps", "last_login_failed"}

func TestLoginByEmailAndDesktopLogin(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	sqlExec(t, e, "UPDATE person SET desktop_login = 'jdoe' WHERE id = ?", p.ID)

	for _, id := range []string{p.Email, strings.ToUpper(p.Email), "jdoe"} {
		b := mustLogin(t, e, id, p.Password)
		for _, k := range []string{"user", "organisation", "login", "access_token", "refresh_token"} {
			if _, ok := b[k]; !ok {
				t.Errorf("login %s: key %q missing: %v", id, k, b)
			}
		}
		if b["login"] != true {
			t.Errorf("login = %v", b["login"])
		}
		user := b["user"].(map[string]any)
		if user["id"] != p.ID || user["type"] != "Person" {
			t.Errorf("user: %v", user)
		}
		if _, ok := user["departments"]; !ok {
			t.Errorf("user lacks departments: %v", user)
		}
		for _, k := range sensitivePersonFields {
			if _, ok := user[k]; ok {
				t.Errorf("user exposes %q", k)
			}
		}
		org := b["organisation"].(map[string]any)
		if org["name"] == nil || org["chat_token_slack"] != nil {
			t.Errorf("organisation for a non-admin: %v", org)
		}
		// Both tokens are real: the access token opens data routes, the refresh token refreshes.
		tok := b["access_token"].(string)
		e.Must(http.StatusOK, "GET", "/auth/authenticated", nil, tok)
		if c := claims(t, tok); c["refresh_jti"] != claims(t, b["refresh_token"].(string))["jti"] || c["identity_type"] != "person" {
			t.Errorf("access claims %v", c)
		}
	}
	if n := sqlInt(t, e, "SELECT count(*) FROM login_log WHERE person_id = ? AND origin = 'script'", p.ID); n != 3 {
		t.Errorf("%d script login logs, want 3", n)
	}

	// Zou also accepts the credentials as query arguments (no JSON body).
	r := e.Do("POST", "/auth/login?email="+p.Email+"&password="+p.Password, nil, "")
	if r.Status != http.StatusOK {
		t.Fatalf("login by query args: %d %s", r.Status, r.Body)
	}
	// And as a form.
	r = e.Do("POST", "/auth/login", "email="+p.Email+"&password="+p.Password, "", "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != http.StatusOK {
		t.Fatalf("login by form: %d %s", r.Status, r.Body)
	}

	// An admin's login shows the organisation's chat tokens.
	b := mustLogin(t, e, e.Admin.Email, e.Admin.Password)
	if org := b["organisation"].(map[string]any); !hasKey(org, "chat_token_slack") {
		t.Errorf("admin login: organisation lacks chat tokens: %v", org)
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func TestLoginRefusals(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")

	expect(t, login(e, "nobody@example.com", "whatever1"), 400, map[string]any{"login": false})
	// The empty desktop login of some accounts must never match an empty identifier.
	sqlExec(t, e, "UPDATE person SET desktop_login = '' WHERE id = ?", p.ID)
	for _, empty := range []string{"", "   "} {
		r := login(e, empty, p.Password)
		if r.Status != 400 || body(t, r)["login"] == true {
			t.Errorf("login with email %q: %d %s", empty, r.Status, r.Body)
		}
	}
	expect(t, e.Do("POST", "/auth/login", map[string]any{"password": "x"}, ""), 400, map[string]any{
		"error": true, "message": "Validation error.",
		"data": map[string]any{"errors": []any{map[string]any{"field": "email", "message": "Field required"}}},
	})
	expect(t, e.Do("POST", "/auth/login", map[string]any{}, ""), 400, map[string]any{
		"error": true, "message": "Validation error.",
		"data": map[string]any{"errors": []any{map[string]any{"field": "email", "message": "Field required"}}},
	})
	r := e.Do("POST", "/auth/login", nil, "")
	if r.Status != 400 {
		t.Errorf("login without body: %d %s", r.Status, r.Body)
	}
	body(t, r)
	r = e.Do("POST", "/auth/login", "{not json", "")
	if r.Status != 400 {
		t.Errorf("login with broken JSON: %d %s", r.Status, r.Body)
	}
	body(t, r)

	// Inactive: the right password answers 401 unactive, a wrong one looks like an unknown account.
	sqlExec(t, e, "UPDATE person SET active = false WHERE id = ?", p.ID)
	expect(t, login(e, p.Email, p.Password), 401, map[string]any{
		"error": true, "login": false, "unactive": true, "message": "User is unactive, he cannot log in.",
	})
	expect(t, login(e, p.Email, "wrong-password"), 400, map[string]any{"login": false})
}

func TestLoginLockout(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	failures := func() int {
		return sqlInt(t, e, "SELECT coalesce(login_failed_attemps, 0) FROM person WHERE id = ?", p.ID)
	}
	locked := map[string]any{"error": true, "login": false, "too_many_failed_login_attemps": true}

	for i := 1; i <= 5; i++ {
		expect(t, login(e, p.Email, "wrong-password"), 400, map[string]any{"login": false})
		if n := failures(); n != i {
			t.Fatalf("after %d failures the counter is %d", i, n)
		}
	}
	// The sixth attempt is refused even with the right password.
	expect(t, login(e, p.Email, p.Password), 400, locked)
	expect(t, login(e, p.Email, "wrong-password"), 400, locked)

	// Once the minute has passed, the right password works and the counter resets.
	sqlExec(t, e, "UPDATE person SET last_login_failed = last_login_failed - interval '2 minutes' WHERE id = ?", p.ID)
	mustLogin(t, e, p.Email, p.Password)
	if n := failures(); n != 0 {
		t.Fatalf("counter after a successful login: %d", n)
	}

	// An elapsed lockout does not re-arm on a single failure (Zou's rule)...
	for i := 0; i < 5; i++ {
		login(e, p.Email, "wrong-password")
	}
	expect(t, login(e, p.Email, p.Password), 400, locked)
	sqlExec(t, e, "UPDATE person SET last_login_failed = last_login_failed - interval '2 minutes' WHERE id = ?", p.ID)
	expect(t, login(e, p.Email, "wrong-password"), 400, map[string]any{"login": false})
	if n := failures(); n != 1 {
		t.Fatalf("counter after a failure past the window: %d, want 1", n)
	}
	mustLogin(t, e, p.Email, p.Password)
	// ...but a fresh burst locks again.
	for i := 0; i < 5; i++ {
		login(e, p.Email, "wrong-password")
	}
	expect(t, login(e, p.Email, p.Password), 400, locked)
}

func TestLoginWithZouHashes(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	setHash := func(h string) {
		t.Helper()
		sqlExec(t, e, "UPDATE person SET password = ? WHERE id = ?", []byte(h), p.ID)
	}

	// Written by Python's bcrypt 3.2 (bcrypt.hashpw(pw, bcrypt.gensalt(12))), the format of Zou's rows.
	setHash("$2b$12$iqLZvmywB4XkGLufACyfj.bPbBWpeyUMDEnGR8Oz8fDvgCGpSUZ2i")
	mustLogin(t, e, p.Email, "zou-python-hash-pw")
	expect(t, login(e, p.Email, "zou-python-hash-px"), 400, map[string]any{"login": false})

	// A Go hash with its prefix rewritten to $2b$: the same algorithm.
	h, err := auth.HashPassword("rewritten-prefix", 4)
	if err != nil {
		t.Fatal(err)
	}
	setHash(strings.Replace(string(h), "$2a$", "$2b$", 1))
	mustLogin(t, e, p.Email, "rewritten-prefix")

	// Zou hashes and checks the first 72 bytes only.
	long := strings.Repeat("0123456789", 10)
	h, err = auth.HashPassword(long, 4)
	if err != nil {
		t.Fatal(err)
	}
	setHash(string(h))
	mustLogin(t, e, p.Email, long)
	mustLogin(t, e, p.Email, long[:72])
	expect(t, login(e, p.Email, long[:71]), 400, map[string]any{"login": false})
	// 100 bytes of "é" hashed by Python (Zou truncates to 72 bytes before hashing).
	setHash("$2b$04$p.HDLHI5RgD7tY/7M9JA7eOYuDkLRuwdhDsAW7LfsOMutVmSbymJK")
	mustLogin(t, e, p.Email, strings.Repeat("é", 50))
	mustLogin(t, e, p.Email, strings.Repeat("é", 36))

	// A stored value that is not a hash (LDAP sync's "default", a CSV import's NULL) never matches.
	setHash("default")
	expect(t, login(e, p.Email, "default"), 400, map[string]any{"login": false})
	sqlExec(t, e, "UPDATE person SET password = NULL WHERE id = ?", p.ID)
	expect(t, login(e, p.Email, ""), 400, map[string]any{"login": false})
}

func TestLoginDefaultPassword(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	h, _ := auth.HashPassword("default", 4)
	sqlExec(t, e, "UPDATE person SET password = ? WHERE id = ?", h, p.ID)

	// Zou refuses to open a session with the literal password "default" and hands
	// out a reset token instead (the password field defaults to "default" too).
	for _, r := range []*apptest.Response{
		login(e, p.Email, "default"),
		e.Do("POST", "/auth/login", map[string]any{"email": p.Email}, ""),
	} {
		b := body(t, r)
		if r.Status != 400 || b["login"] != false || b["default_password"] != true || len(b["token"].(string)) != 64 {
			t.Fatalf("default password login: %d %s", r.Status, r.Body)
		}
		if _, ok := b["access_token"]; ok {
			t.Fatal("a default-password login must not return tokens")
		}
	}
	// The token resets the password (PUT /auth/reset-password, Kitsu's first-connection page).
	tok := body(t, login(e, p.Email, "default"))["token"].(string)
	expect(t, e.Do("PUT", "/auth/reset-password", map[string]any{"email": p.Email, "token": "wrong", "password": "new-password-1", "password2": "new-password-1"}, ""),
		400, map[string]any{"error": true, "message": "Wrong or expired token."})
	expect(t, e.Do("PUT", "/auth/reset-password", map[string]any{"email": p.Email, "token": tok, "password": "short", "password2": "short"}, ""),
		400, map[string]any{"error": true, "message": "Password is too short."})
	expect(t, e.Do("PUT", "/auth/reset-password", map[string]any{"email": p.Email, "token": tok, "password": "new-password-1", "password2": "new-password-2"}, ""),
		400, map[string]any{"error": true, "message": "Confirmation password doesn't match."})
	expect(t, e.Do("PUT", "/auth/reset-password", map[string]any{"email": p.Email, "token": tok, "password": "new-password-1", "password2": "new-password-1"}, ""),
		200, map[string]any{"success": true})
	mustLogin(t, e, p.Email, "new-password-1")
	// The token is single-use.
	expect(t, e.Do("PUT", "/auth/reset-password", map[string]any{"email": p.Email, "token": tok, "password": "new-password-3", "password2": "new-password-3"}, ""),
		400, map[string]any{"error": true, "message": "Wrong or expired token."})

	// With auth_local_no_password, "default" is an ordinary password.
	e2 := apptest.New(t, func(c *config.Config) { c.AuthStrategy = "auth_local_no_password" })
	q := e2.NewPerson("user")
	mustLogin(t, e2, q.Email, "default")
	mustLogin(t, e2, q.Email, "anything")
}

func TestPasswordLengthCountsCharacters(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	change := func(old, pw string) *apptest.Response {
		return e.Do("POST", "/auth/change-password", map[string]any{"old_password": old, "password": pw, "password_2": pw}, p.Token)
	}
	// 7 two-byte characters are 14 bytes but still too short.
	expect(t, change(p.Password, "ééééééé"), 400, map[string]any{"error": true, "message": "Password is too short."})
	expect(t, change(p.Password, "éééééééé"), 200, map[string]any{"success": true})
	mustLogin(t, e, p.Email, "éééééééé")
	// bcrypt input is 72 bytes: a 100-byte password and its first 72 bytes both log in.
	long := strings.Repeat("ab", 50)
	expect(t, change("éééééééé", long), 200, map[string]any{"success": true})
	mustLogin(t, e, p.Email, long)
	mustLogin(t, e, p.Email, long[:72])
}

func TestCookies(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	other := e.NewPerson("user")

	r := login(e, p.Email, p.Password, "User-Agent", chromeUA)
	if r.Status != 200 {
		t.Fatalf("browser login: %d %s", r.Status, r.Body)
	}
	b := body(t, r)
	cs := setCookies(r)
	access, refresh := cs["access_token_cookie"], cs["refresh_token_cookie"]
	if access == nil || refresh == nil {
		t.Fatalf("browser login: cookies %v; Set-Cookie %q", cs, r.Header.Values("Set-Cookie"))
	}
	if access.Value != b["access_token"] || refresh.Value != b["refresh_token"] {
		t.Error("cookies differ from the tokens in the body")
	}
	if access.Path != "/" || refresh.Path != "/auth/refresh-token" {
		t.Errorf("paths: access %q refresh %q", access.Path, refresh.Path)
	}
	for _, c := range []*http.Cookie{access, refresh} {
		if c.SameSite != http.SameSiteLaxMode || !c.HttpOnly || c.Secure {
			t.Errorf("%s: SameSite %v HttpOnly %v Secure %v", c.Name, c.SameSite, c.HttpOnly, c.Secure)
		}
	}
	if access.MaxAge != 7*24*3600 || refresh.MaxAge != 15*24*3600 {
		t.Errorf("Max-Age: access %d refresh %d", access.MaxAge, refresh.MaxAge)
	}
	if n := sqlInt(t, e, "SELECT count(*) FROM login_log WHERE person_id = ? AND origin = 'web'", p.ID); n != 1 {
		t.Errorf("%d web login logs, want 1", n)
	}

	// Scripts get the tokens in the body only.
	for _, ua := range []string{curlUA, "python-requests/2.31.0", ""} {
		r = login(e, p.Email, p.Password, "User-Agent", ua)
		if r.Status != 200 || len(r.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("UA %q: %d, Set-Cookie %q", ua, r.Status, r.Header.Values("Set-Cookie"))
		}
	}

	// The cookie alone authenticates.
	cookie := "access_token_cookie=" + access.Value
	r = e.Do("GET", "/auth/authenticated", nil, "", "Cookie", cookie)
	if r.Status != 200 || body(t, r)["user"].(map[string]any)["id"] != p.ID {
		t.Fatalf("cookie auth: %d %s", r.Status, r.Body)
	}
	r = e.Do("GET", "/data/persons", nil, "", "Cookie", cookie)
	if r.Status != 200 {
		t.Fatalf("cookie auth on a data route: %d %s", r.Status, r.Body)
	}
	// The cookie wins over the header (Zou reads cookies first).
	r = e.Do("GET", "/auth/authenticated", nil, other.Token, "Cookie", cookie)
	if r.Status != 200 || body(t, r)["user"].(map[string]any)["id"] != p.ID {
		t.Fatalf("cookie and header: %d %s", r.Status, r.Body)
	}
	r = e.Do("GET", "/auth/authenticated", nil, "not-a-token", "Cookie", cookie)
	if r.Status != 200 {
		t.Fatalf("valid cookie, broken header: %d %s", r.Status, r.Body)
	}
	r = e.Do("GET", "/auth/authenticated", nil, other.Token, "Cookie", "access_token_cookie=not-a-token")
	if r.Status != 422 {
		t.Fatalf("broken cookie, valid header: %d %s (the cookie is the one read)", r.Status, r.Body)
	}
	body(t, r)

	// Browser refresh: {"refresh": true}, a new access cookie, the refresh cookie unset.
	r = e.Do("GET", "/auth/refresh-token", nil, "", "User-Agent", chromeUA, "Cookie", "refresh_token_cookie="+refresh.Value)
	expect(t, r, 200, map[string]any{"refresh": true})
	cs = setCookies(r)
	if c := cs["access_token_cookie"]; c == nil || c.Value == "" || c.Path != "/" {
		t.Fatalf("refresh: access cookie %v", c)
	} else {
		e.Must(200, "GET", "/auth/authenticated", nil, c.Value)
		if cl := claims(t, c.Value); cl["refresh_jti"] != claims(t, refresh.Value)["jti"] {
			t.Errorf("refreshed token's refresh_jti %v", cl["refresh_jti"])
		}
	}
	if c := cs["refresh_token_cookie"]; c == nil || c.Value != "" || c.MaxAge >= 0 || c.Path != "/auth/refresh-token" {
		t.Errorf("refresh: refresh cookie should be unset, got %+v", c)
	}

	// Browser logout clears both cookies.
	r = e.Do("GET", "/auth/logout", nil, "", "User-Agent", chromeUA, "Cookie", cookie)
	expect(t, r, 200, map[string]any{"logout": true})
	cs = setCookies(r)
	for name, path := range map[string]string{"access_token_cookie": "/", "refresh_token_cookie": "/auth/refresh-token"} {
		if c := cs[name]; c == nil || c.Value != "" || c.MaxAge >= 0 || c.Path != path {
			t.Errorf("logout: %s not cleared: %+v", name, c)
		}
	}
	expect(t, e.Do("GET", "/auth/authenticated", nil, "", "Cookie", cookie), 401, map[string]any{"msg": "Token has been revoked"})
}

func TestAuthenticated(t *testing.T) {
	e := apptest.New(t)
	e.Must(200, "GET", "/auth/authenticated", nil, e.Admin.Token) // creates the organisation, as Zou does
	sqlExec(t, e, "UPDATE organisation SET chat_token_slack = 'xoxb-secret'")
	admin := body(t, e.Must(200, "GET", "/auth/authenticated", nil, e.Admin.Token))
	for _, k := range []string{"authenticated", "user", "organisation"} {
		if !hasKey(admin, k) {
			t.Errorf("key %q missing: %v", k, admin)
		}
	}
	if admin["authenticated"] != true {
		t.Errorf("authenticated = %v", admin["authenticated"])
	}
	user := admin["user"].(map[string]any)
	if user["id"] != e.Admin.ID || user["role"] != "admin" || !hasKey(user, "departments") {
		t.Errorf("user: %v", user)
	}
	if d, ok := user["fido_devices"].([]any); !ok || len(d) != 0 {
		t.Errorf("fido_devices = %v, want []", user["fido_devices"])
	}
	for _, k := range sensitivePersonFields {
		if hasKey(user, k) {
			t.Errorf("user exposes %q", k)
		}
	}
	org := admin["organisation"].(map[string]any)
	if org["chat_token_slack"] != "xoxb-secret" || !hasKey(org, "chat_webhook_mattermost") || !hasKey(org, "chat_token_discord") {
		t.Errorf("admin sees organisation %v", org)
	}

	for _, role := range []string{"manager", "supervisor", "user", "client", "vendor"} {
		p := e.NewPerson(role)
		b := body(t, e.Must(200, "GET", "/auth/authenticated", nil, p.Token))
		org := b["organisation"].(map[string]any)
		for _, k := range []string{"chat_token_slack", "chat_webhook_mattermost", "chat_token_discord"} {
			if hasKey(org, k) {
				t.Errorf("%s sees %s", role, k)
			}
		}
		if org["name"] == nil || b["user"].(map[string]any)["role"] != role {
			t.Errorf("%s: %s", role, e.Must(200, "GET", "/auth/authenticated", nil, p.Token).Body)
		}
	}
}

func TestLogoutMemoryStore(t *testing.T) {
	e := apptest.New(t)
	testLogout(t, e, nil)
}

func TestLogoutRedisStore(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 0})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("Redis is not reachable at 127.0.0.1:6379 (start it: redis-server --daemonize yes): %v", err)
	}
	e := apptest.New(t, func(c *config.Config) { c.KV.Host = "127.0.0.1"; c.KV.Port = 6379 })
	if _, ok := e.App.Store.(*auth.RedisStore); !ok {
		t.Fatalf("store is %T, want Redis", e.App.Store)
	}
	testLogout(t, e, rdb)
}

func testLogout(t *testing.T, e *apptest.Env, rdb *redis.Client) {
	p := e.NewPerson("user")
	b := mustLogin(t, e, p.Email, p.Password)
	access, refresh := b["access_token"].(string), b["refresh_token"].(string)
	ajti, rjti := claims(t, access)["jti"].(string), claims(t, refresh)["jti"].(string)
	if rdb != nil {
		t.Cleanup(func() { rdb.Del(context.Background(), ajti, rjti) })
	}

	e.Must(200, "GET", "/auth/authenticated", nil, access)
	expect(t, e.Do("GET", "/auth/logout", nil, access), 200, map[string]any{"logout": true})
	revoked := map[string]any{"msg": "Token has been revoked"}
	expect(t, e.Do("GET", "/auth/authenticated", nil, access), 401, revoked)
	expect(t, e.Do("GET", "/data/persons", nil, access), 401, revoked)
	expect(t, e.Do("GET", "/auth/logout", nil, access), 401, revoked)
	// The paired refresh token is revoked too.
	expect(t, e.Do("GET", "/auth/refresh-token", nil, refresh), 401, revoked)
	// Other sessions of the same person still work.
	e.Must(200, "GET", "/auth/authenticated", nil, p.Token)

	// A token from /auth/refresh-token names the same refresh token: logging it out revokes that.
	b = mustLogin(t, e, p.Email, p.Password)
	refresh2 := b["refresh_token"].(string)
	r := body(t, e.Must(200, "GET", "/auth/refresh-token", nil, refresh2))
	newAccess := r["access_token"].(string)
	if rdb != nil {
		t.Cleanup(func() {
			rdb.Del(context.Background(), claims(t, newAccess)["jti"].(string), claims(t, refresh2)["jti"].(string))
		})
	}
	e.Must(200, "GET", "/auth/logout", nil, newAccess)
	expect(t, e.Do("GET", "/auth/refresh-token", nil, refresh2), 401, revoked)

	if rdb == nil {
		return
	}
	ctx := context.Background()
	for jti, max := range map[string]time.Duration{ajti: 7 * 24 * time.Hour, rjti: 15 * 24 * time.Hour} {
		v, err := rdb.Get(ctx, jti).Result()
		if err != nil || v != "true" {
			t.Errorf("Redis key %s = %q, %v; want \"true\"", jti, v, err)
		}
		ttl, err := rdb.TTL(ctx, jti).Result()
		if err != nil || ttl <= max-time.Minute || ttl > max {
			t.Errorf("Redis key %s TTL %v, %v; want about %v", jti, ttl, err, max)
		}
	}
	// A revocation written by Zou itself (same layout) is honoured.
	q := e.NewPerson("user")
	qjti := claims(t, q.Token)["jti"].(string)
	t.Cleanup(func() { rdb.Del(context.Background(), qjti) })
	e.Must(200, "GET", "/auth/authenticated", nil, q.Token)
	if err := rdb.Set(ctx, qjti, "true", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	expect(t, e.Do("GET", "/auth/authenticated", nil, q.Token), 401, revoked)
}

func TestRefreshToken(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	b := mustLogin(t, e, p.Email, p.Password)
	refresh := b["refresh_token"].(string)

	r := e.Must(200, "GET", "/auth/refresh-token", nil, refresh)
	got := body(t, r)
	if len(got) != 1 || got["access_token"] == nil {
		t.Fatalf("refresh body: %s", r.Body)
	}
	if len(r.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("script refresh sets cookies: %q", r.Header.Values("Set-Cookie"))
	}
	access := got["access_token"].(string)
	u := body(t, e.Must(200, "GET", "/auth/authenticated", nil, access))
	if u["user"].(map[string]any)["id"] != p.ID {
		t.Errorf("refreshed token is someone else's: %v", u["user"])
	}
	cl := claims(t, access)
	if cl["type"] != "access" || cl["identity_type"] != "person" || cl["refresh_jti"] != claims(t, refresh)["jti"] {
		t.Errorf("refreshed claims: %v", cl)
	}

	// An access token is not a refresh token, and the reverse.
	expect(t, e.Do("GET", "/auth/refresh-token", nil, access), 422, map[string]any{"msg": "Only refresh tokens are allowed"})
	expect(t, e.Do("GET", "/data/persons", nil, refresh), 422, map[string]any{"msg": "Only non-refresh tokens are allowed"})
	expect(t, e.Do("GET", "/auth/authenticated", nil, refresh), 422, map[string]any{"msg": "Only non-refresh tokens are allowed"})
	expect(t, e.Do("GET", "/auth/refresh-token", nil, ""), 401, map[string]any{
		"msg": `Missing JWT in cookies or headers (Missing cookie "refresh_token_cookie"; Missing Authorization Header)`,
	})
	r = e.Do("GET", "/auth/refresh-token", nil, "garbage")
	if r.Status != 422 || body(t, r)["msg"] == nil {
		t.Errorf("garbage refresh token: %d %s", r.Status, r.Body)
	}
}

func TestTokenRefusals(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	secret := apptest.Config().SecretKey
	sign := func(key string, c jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(key))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	now := time.Now()
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": p.ID, "jti": uuid.NewString(), "type": "access", "fresh": false,
			"identity_type": "person", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}

	// A hand-made token with Zou's claims works (so the refusals below are about one thing each).
	e.Must(200, "GET", "/auth/authenticated", nil, sign(secret, base()))

	expect(t, e.Do("GET", "/data/persons", nil, ""), 401, map[string]any{"msg": missingAccess})
	expect(t, e.Do("GET", "/auth/authenticated", nil, ""), 401, map[string]any{"msg": missingAccess})

	expired := base()
	expired["iat"], expired["nbf"], expired["exp"] = now.Add(-8*24*time.Hour).Unix(), now.Add(-8*24*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	expect(t, e.Do("GET", "/data/persons", nil, sign(secret, expired)), 401, map[string]any{"error": true, "message": "Signature has expired"})

	expect(t, e.Do("GET", "/data/persons", nil, sign("another-key", base())), 422, map[string]any{"msg": "Signature verification failed"})
	expect(t, e.Do("GET", "/data/persons", nil, "garbage"), 422, map[string]any{"msg": "Not enough segments"})
	for _, bad := range []string{"a.b.c", "....", "Zm9v.YmFy.YmF6"} {
		r := e.Do("GET", "/data/persons", nil, bad)
		if r.Status != 422 || body(t, r)["msg"] == nil {
			t.Errorf("token %q: %d %s", bad, r.Status, r.Body)
		}
	}
	noSub := base()
	delete(noSub, "sub")
	expect(t, e.Do("GET", "/data/persons", nil, sign(secret, noSub)), 422, map[string]any{"msg": "Missing claim: sub"})
	// No jti, or an unknown identity type: revoked.
	noJTI := base()
	delete(noJTI, "jti")
	expect(t, e.Do("GET", "/data/persons", nil, sign(secret, noJTI)), 401, map[string]any{"msg": "Token has been revoked"})
	alien := base()
	alien["identity_type"] = "alien"
	expect(t, e.Do("GET", "/data/persons", nil, sign(secret, alien)), 401, map[string]any{"msg": "Token has been revoked"})
	// A bot token whose jti is not on the person row is revoked.
	bot := base()
	bot["identity_type"] = "bot"
	expect(t, e.Do("GET", "/data/persons", nil, sign(secret, bot)), 401, map[string]any{"msg": "Token has been revoked"})
	// Without a type claim flask-jwt-extended assumes an access token.
	noType := base()
	delete(noType, "type")
	e.Must(200, "GET", "/auth/authenticated", nil, sign(secret, noType))

	// The person behind the token was deactivated, then deleted.
	q := e.NewPerson("user")
	e.Must(200, "GET", "/auth/authenticated", nil, q.Token)
	sqlExec(t, e, "UPDATE person SET active = false WHERE id = ?", q.ID)
	e.App.Server.Auth.Forget(q.ID)
	expect(t, e.Do("GET", "/data/persons", nil, q.Token), 401, map[string]any{"error": true, "message": unauthorized})
	// As in Zou, a deactivated person's session is revoked, not only suspended.
	sqlExec(t, e, "UPDATE person SET active = true WHERE id = ?", q.ID)
	e.App.Server.Auth.Forget(q.ID)
	expect(t, e.Do("GET", "/data/persons", nil, q.Token), 401, map[string]any{"msg": "Token has been revoked"})

	d := e.NewPerson("user")
	sqlExec(t, e, "DELETE FROM person WHERE id = ?", d.ID)
	expect(t, e.Do("GET", "/data/persons", nil, d.Token), 401, map[string]any{"error": true, "message": unauthorized})
	expect(t, e.Do("GET", "/auth/authenticated", nil, d.Token), 401, map[string]any{"error": true, "message": unauthorized})
}

func TestChangePassword(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	change := func(f map[string]any) *apptest.Response {
		return e.Do("POST", "/auth/change-password", f, p.Token)
	}
	msg := func(m string) map[string]any { return map[string]any{"error": true, "message": m} }

	expect(t, change(map[string]any{"old_password": "wrong-password", "password": "new-password", "password_2": "new-password"}), 400, msg("Old password is wrong."))
	// Length is checked before the confirmation.
	expect(t, change(map[string]any{"old_password": p.Password, "password": "short", "password_2": "other"}), 400, msg("Password is too short."))
	expect(t, change(map[string]any{"old_password": p.Password, "password": "new-password", "password_2": "new-passwork"}), 400, msg("Confirmation password doesn't match."))
	// Refused changes leave the old password working.
	mustLogin(t, e, p.Email, p.Password)

	r := change(map[string]any{"password": "new-password"})
	b := body(t, r)
	if r.Status != 400 || b["message"] != "Validation error." {
		t.Fatalf("missing fields: %d %s", r.Status, r.Body)
	}
	errs := b["data"].(map[string]any)["errors"].([]any)
	if len(errs) != 2 {
		t.Errorf("errors %v, want old_password and password_2", errs)
	}
	r = change(map[string]any{"old_password": "", "password": "new-password", "password_2": "new-password"})
	if r.Status != 400 || body(t, r)["message"] != "Validation error." {
		t.Fatalf("empty old password: %d %s", r.Status, r.Body)
	}
	expect(t, e.Do("POST", "/auth/change-password", map[string]any{}, ""), 401, map[string]any{"msg": missingAccess})

	expect(t, change(map[string]any{"old_password": p.Password, "password": "new-password", "password_2": "new-password"}), 200, map[string]any{"success": true})
	mustLogin(t, e, p.Email, "new-password")
	expect(t, login(e, p.Email, p.Password), 400, map[string]any{"login": false})

	// The lockout applies to the old-password check too.
	sqlExec(t, e, "UPDATE person SET login_failed_attemps = 5, last_login_failed = now() AT TIME ZONE 'UTC' WHERE id = ?", p.ID)
	expect(t, change(map[string]any{"old_password": "new-password", "password": "newer-password", "password_2": "newer-password"}), 400,
		map[string]any{"error": true, "message": "Too many failed login attempts.", "too_many_failed_login_attemps": true})
}

func TestRegister(t *testing.T) {
	form := func(email string) map[string]any {
		return map[string]any{"email": email, "first_name": "Alice", "last_name": "Doe", "password": "long-enough", "password_2": "long-enough"}
	}

	e := apptest.New(t)
	r := e.Do("POST", "/auth/register", form("alice@example.com"), "")
	if r.Status != 403 || !strings.Contains(body(t, r)["message"].(string), "allow_registration") {
		t.Fatalf("registration off: %d %s", r.Status, r.Body)
	}
	if n := sqlInt(t, e, "SELECT count(*) FROM person WHERE email = 'alice@example.com'"); n != 0 {
		t.Fatal("a refused registration wrote a person")
	}

	e = apptest.New(t, func(c *config.Config) { c.AllowRegistration = true })
	expect(t, e.Do("POST", "/auth/register", form("Alice@Example.com"), ""), 201, map[string]any{"registration_success": true})
	var row struct {
		ID     string `bun:"id"`
		Role   string `bun:"role"`
		Active bool   `bun:"active"`
		Email  string `bun:"email"`
	}
	if err := e.App.DB.NewRaw("SELECT id::text AS id, role, active, email FROM person WHERE lower(email) = 'alice@example.com'").Scan(context.Background(), &row); err != nil {
		t.Fatal(err)
	}
	if row.Role != "user" || !row.Active || row.Email != "alice@example.com" {
		t.Errorf("registered person: %+v", row)
	}
	if n := sqlInt(t, e, "SELECT count(*) FROM project_person_link WHERE person_id = ?", row.ID); n != 0 {
		t.Errorf("registered person is in %d teams", n)
	}
	b := mustLogin(t, e, "alice@example.com", "long-enough")
	if b["user"].(map[string]any)["role"] != "user" {
		t.Errorf("registered user: %v", b["user"])
	}

	msg := func(m string) map[string]any { return map[string]any{"error": true, "message": m} }
	for _, bad := range []string{"not-an-email", "a@b", "two@@example.com", "x y@example.com"} {
		r := e.Do("POST", "/auth/register", form(bad), "")
		if r.Status != 400 || body(t, r)["error"] != true {
			t.Errorf("email %q: %d %s", bad, r.Status, r.Body)
		}
	}
	f := form("bob@example.com")
	f["password"], f["password_2"] = "short", "short"
	expect(t, e.Do("POST", "/auth/register", f, ""), 400, msg("Password is too short."))
	f["password"], f["password_2"] = "long-enough", "long-enougH"
	expect(t, e.Do("POST", "/auth/register", f, ""), 400, msg("Confirmation password doesn't match."))
	expect(t, e.Do("POST", "/auth/register", form("ALICE@example.com"), ""), 400, msg("Email already exists."))
	r = e.Do("POST", "/auth/register", map[string]any{"email": "carol@example.com"}, "")
	if r.Status != 400 || body(t, r)["message"] != "Validation error." {
		t.Errorf("missing fields: %d %s", r.Status, r.Body)
	}
	if n := sqlInt(t, e, "SELECT count(*) FROM person WHERE email IN ('bob@example.com', 'carol@example.com')"); n != 0 {
		t.Errorf("refused registrations wrote %d persons", n)
	}

	// User limit: the admin and one more active person fill a limit of 2.
	e = apptest.New(t, func(c *config.Config) { c.AllowRegistration = true; c.UserLimit = 2 })
	e.NewPerson("user")
	r = e.Do("POST", "/auth/register", form("dave@example.com"), "")
	if r.Status != 400 || body(t, r)["message"] != "User limit reached." {
		t.Fatalf("user limit: %d %s", r.Status, r.Body)
	}
	if n := sqlInt(t, e, "SELECT count(*) FROM person WHERE email = 'dave@example.com'"); n != 0 {
		t.Error("a registration over the limit wrote a person")
	}
	// Bots and inactive persons do not count.
	sqlExec(t, e, "UPDATE person SET active = false WHERE role = 'user'")
	expect(t, e.Do("POST", "/auth/register", form("dave@example.com"), ""), 201, map[string]any{"registration_success": true})
}

func TestLoginSecondFactor(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	secret := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	code, err := auth.HOTP(secret, uint64(time.Now().Unix()/30))
	if err != nil {
		t.Fatal(err)
	}
	recovery, _ := auth.HashPassword("RECOVERY01", 4)
	sqlExec(t, e, `UPDATE person SET totp_enabled = true, totp_secret = ?, preferred_two_factor_authentication = 'totp',
		otp_recovery_codes = ARRAY[?::bytea] WHERE id = ?`, secret, recovery, p.ID)
	with := func(extra map[string]any) *apptest.Response {
		f := map[string]any{"email": p.Email, "password": p.Password}
		for k, v := range extra {
			f[k] = v
		}
		return e.Do("POST", "/auth/login", f, "")
	}

	expect(t, with(nil), 400, map[string]any{"error": true, "login": false, "missing_OTP": true,
		"preferred_two_factor_authentication": "totp", "two_factor_authentication_enabled": []any{"recovery_code", "totp"}})
	// The password is still checked first.
	expect(t, e.Do("POST", "/auth/login", map[string]any{"email": p.Email, "password": "wrong-password", "totp": code}, ""), 400, map[string]any{"login": false})
	expect(t, with(map[string]any{"totp": "000000"}), 400, map[string]any{"error": true, "login": false, "wrong_OTP": true})
	if n := sqlInt(t, e, "SELECT login_failed_attemps FROM person WHERE id = ?", p.ID); n != 2 {
		t.Errorf("failures after a wrong password and a wrong OTP: %d, want 2", n)
	}
	if b := body(t, with(map[string]any{"totp": code})); b["login"] != true {
		t.Fatalf("TOTP login: %v", b)
	}
	if n := sqlInt(t, e, "SELECT login_failed_attemps FROM person WHERE id = ?", p.ID); n != 0 {
		t.Errorf("failures after a good login: %d", n)
	}
	// FIDO is not enabled for this person: the response falls through to "missing".
	r := with(map[string]any{"fido_authentication_response": map[string]any{"id": "x"}})
	if b := body(t, r); r.Status != 400 || b["missing_OTP"] != true {
		t.Errorf("FIDO answer without FIDO: %d %s", r.Status, r.Body)
	}
	// A recovery code works once.
	if b := body(t, with(map[string]any{"recovery_code": "RECOVERY01"})); b["login"] != true {
		t.Fatalf("recovery code login: %v", b)
	}
	expect(t, with(map[string]any{"recovery_code": "RECOVERY01"}), 400, map[string]any{"error": true, "login": false, "wrong_OTP": true})
	if n := sqlInt(t, e, "SELECT coalesce(array_length(otp_recovery_codes, 1), 0) FROM person WHERE id = ?", p.ID); n != 0 {
		t.Errorf("%d recovery codes left, want 0", n)
	}
	// Fields of the wrong type are a validation error, as in Zou's schema.
	r = with(map[string]any{"totp": 123456})
	if r.Status != 400 || body(t, r)["message"] != "Validation error." {
		t.Errorf("numeric totp: %d %s", r.Status, r.Body)
	}
}

func TestCookiesOnlyForZouBrowsers(t *testing.T) {
	e := apptest.New(t)
	p := e.NewPerson("user")
	for ua, want := range map[string]bool{
		chromeUA: true,
		"Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0":                                                                              true,
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15":                                  true,
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.56":                   true,
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0":                       true,
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1":      true,
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1":             true,
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36":                                    true,
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36":                                       false,
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Kitsu/1.0.0 Chrome/124.0.6367.243 Electron/30.1.0 Safari/537.36": false,
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/126.0.6478.126 Safari/537.36":  false,
		"python-requests/2.32.3": false,
		"gazu/0.10.10":           false,
	} {
		r := login(e, p.Email, p.Password, "User-Agent", ua)
		got := setCookies(r)["access_token_cookie"] != nil
		if r.Status != 200 || got != want {
			t.Errorf("UA %q: status %d, cookies %v, want %v", ua, r.Status, got, want)
		}
	}
}
