package routes

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/engine"
)

// Zou's login rules: five failures lock the account for one minute; a login
// with the literal password "default" gets a reset token valid two hours.
const (
	maxLoginFailures = 5
	lockoutDuration  = time.Minute
	defaultPassword  = "default"
	resetTokenTTL    = 2 * time.Hour
)

func (s *Server) mountAuth(r gin.IRouter) {
	r.POST("/auth/login", s.handle(s.login))
	r.POST("/auth/register", s.handle(s.register))
	r.PUT("/auth/reset-password", s.handle(s.resetPassword))
	r.GET("/auth/refresh-token", s.handle(s.refresh))
	authed := r.Group("/auth", s.Auth.Require())
	authed.GET("/authenticated", s.Engine.Handle(s.authenticated))
	authed.GET("/logout", s.Engine.Handle(s.logout))
	authed.POST("/change-password", s.Engine.Handle(s.changePassword))
}

// handle adapts an unauthenticated handler that returns (status, body, error).
func (s *Server) handle(fn func(c *gin.Context) (int, any, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		status, body, err := fn(c)
		if err != nil {
			engine.WriteError(c, err)
			return
		}
		writeJSON(c, status, body)
	}
}

func writeJSON(c *gin.Context, status int, body any) {
	switch b := body.(type) {
	case []byte:
		c.Data(status, "application/json", b)
	case json.RawMessage:
		c.Data(status, "application/json", b)
	default:
		c.JSON(status, body)
	}
}

// fields is a request body read the way Zou's validate_request_body reads it.
type fields struct {
	str   map[string]string // string values
	other map[string]bool   // keys present with a non-string value
}

// form reads a JSON object body; when there is none (another content type, an
// empty or unparsable body) it falls back to the form and query values, as
// Zou does for clients that post credentials as URL arguments.
func form(c *gin.Context) (fields, error) {
	f := fields{str: map[string]string{}, other: map[string]bool{}}
	if mt := c.ContentType(); mt == "application/json" || strings.HasSuffix(mt, "+json") {
		body, err := engine.ReadJSONBody(c)
		if err != nil {
			return f, err
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil && m != nil {
			for k, v := range m {
				var s string
				if json.Unmarshal(v, &s) == nil {
					f.str[k] = s
				} else if string(v) != "null" {
					f.other[k] = true
				}
			}
			return f, nil
		}
	}
	if err := c.Request.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return f, engine.Status(http.StatusRequestEntityTooLarge, engine.MsgTooLarge)
		}
		// Zou ignores an unreadable form the same way and validates what is left.
		c.Request.Form = c.Request.URL.Query()
	}
	for k, v := range c.Request.Form {
		f.str[k] = v[0]
	}
	return f, nil
}

// require checks required string fields as pydantic does (missing, not a
// string, empty) and answers Zou's "Validation error." with one entry per field.
func (f fields) require(names ...string) error {
	var errs []gin.H
	for _, k := range names {
		v, ok := f.str[k]
		switch {
		case f.other[k]:
			errs = append(errs, gin.H{"field": k, "message": "Input should be a valid string"})
		case !ok:
			errs = append(errs, gin.H{"field": k, "message": "Field required"})
		case v == "":
			errs = append(errs, gin.H{"field": k, "message": "String should have at least 1 character"})
		}
	}
	if len(errs) > 0 {
		return engine.BadRequestData("Validation error.", gin.H{"errors": errs})
	}
	return nil
}

// optional checks that an optional field, when present, is a string.
func (f fields) optional(names ...string) error {
	var errs []gin.H
	for _, k := range names {
		if f.other[k] {
			errs = append(errs, gin.H{"field": k, "message": "Input should be a valid string"})
		}
	}
	if len(errs) > 0 {
		return engine.BadRequestData("Validation error.", gin.H{"errors": errs})
	}
	return nil
}

// loginPerson is what login needs from the person row.
type loginPerson struct {
	ID            string         `bun:"id"`
	Email         sql.NullString `bun:"email"`
	Role          string         `bun:"role"`
	Password      []byte         `bun:"password"`
	Active        sql.NullBool   `bun:"active"`
	Failures      sql.NullInt64  `bun:"login_failed_attemps"`
	LastFailure   sql.NullTime   `bun:"last_login_failed"`
	TOTP          sql.NullBool   `bun:"totp_enabled"`
	TOTPSecret    sql.NullString `bun:"totp_secret"`
	EmailOTP      sql.NullBool   `bun:"email_otp_enabled"`
	EmailOTPSec   sql.NullString `bun:"email_otp_secret"`
	FIDO          sql.NullBool   `bun:"fido_enabled"`
	Preferred2FA  sql.NullString `bun:"preferred_two_factor_authentication"`
	RecoveryCodes [][]byte       `bun:"otp_recovery_codes,array"`
}

const loginColumns = `id::text AS id, email, role, password, active, login_failed_attemps, last_login_failed,
	totp_enabled, totp_secret, email_otp_enabled, email_otp_secret, fido_enabled,
	preferred_two_factor_authentication, otp_recovery_codes`

// findLoginPerson looks a non-bot person up by email (case-insensitive, as
// Zou's column lower-cases), then by desktop login. An empty identifier never
// matches: neither column is unique nor required, so it would pick whichever
// account has a blank one.
func (s *Server) findLoginPerson(ctx context.Context, login string) (*loginPerson, error) {
	if login == "" {
		return nil, nil
	}
	var p loginPerson
	err := s.DB.NewSelect().TableExpr("person").ColumnExpr(loginColumns).
		Where("is_bot IS NOT TRUE").Where("lower(email) = lower(?)", login).Limit(1).Scan(ctx, &p)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.DB.NewSelect().TableExpr("person").ColumnExpr(loginColumns).
			Where("is_bot IS NOT TRUE").Where("desktop_login = ?", login).Limit(1).Scan(ctx, &p)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find person: %w", err)
	}
	return &p, nil
}

func (s *Server) findLoginPersonByID(ctx context.Context, id string) (*loginPerson, error) {
	var p loginPerson
	err := s.DB.NewSelect().TableExpr("person").ColumnExpr(loginColumns).Where("id = ?", id).Scan(ctx, &p)
	if err != nil {
		return nil, fmt.Errorf("find person: %w", err)
	}
	return &p, nil
}

var (
	errLocked        = errors.New("too many failed login attempts")
	errWrongPassword = errors.New("wrong password")
	errInactive      = errors.New("inactive person")
	errWrongOTP      = errors.New("wrong OTP")
)

// missingOTP is the answer when a second factor is required but none was given.
type missingOTP struct {
	preferred any
	enabled   []string
}

func (missingOTP) Error() string { return "missing OTP" }

// secondFactor holds the optional 2FA fields of a login.
type secondFactor struct {
	totp, emailOTP, recoveryCode *string
	fido                         bool
}

// checkAuth is Zou's check_auth: lockout, password by strategy (a failure
// counts), activity (after the password, so that a deactivated account is not
// told apart from a wrong password), then the second factor unless skipped.
func (s *Server) checkAuth(ctx context.Context, p *loginPerson, password string, otp *secondFactor) error {
	now := time.Now().UTC()
	failures := p.Failures.Int64
	if failures >= maxLoginFailures {
		if p.LastFailure.Valid && now.Sub(p.LastFailure.Time) < lockoutDuration {
			return errLocked
		}
		// The window has passed: the burst is over and the counter starts again.
		if err := s.setFailures(ctx, p.ID, 0, nil); err != nil {
			return err
		}
		failures = 0
	}
	fail := func(err error) error {
		if uerr := s.setFailures(ctx, p.ID, failures+1, &now); uerr != nil {
			return uerr
		}
		return err
	}
	if s.Cfg.AuthStrategy != "auth_local_no_password" && !auth.CheckPassword(p.Password, password) {
		if !auth.IsHash(p.Password) {
			auth.SpendCompare(password, s.Cfg.BcryptRounds) // an account without a hash costs the same time
		}
		return fail(errWrongPassword)
	}
	if p.Active.Valid && !p.Active.Bool {
		return errInactive
	}
	if otp != nil && (p.TOTP.Bool || p.EmailOTP.Bool || p.FIDO.Bool) {
		ok, err := s.checkSecondFactor(ctx, p, otp)
		if err != nil {
			return err
		}
		if !ok {
			return fail(errWrongOTP)
		}
	}
	if failures > 0 {
		return s.setFailures(ctx, p.ID, 0, nil)
	}
	return nil
}

func (s *Server) setFailures(ctx context.Context, id string, n int64, at *time.Time) error {
	q := "UPDATE person SET login_failed_attemps = ? WHERE id = ?"
	args := []any{n, id}
	if at != nil {
		q = "UPDATE person SET login_failed_attemps = ?, last_login_failed = ? WHERE id = ?"
		args = []any{n, *at, id}
	}
	if _, err := s.DB.NewRaw(q, args...).Exec(ctx); err != nil {
		return fmt.Errorf("record login attempts: %w", err)
	}
	return nil
}

// checkSecondFactor verifies the first applicable factor in Zou's order:
// TOTP, email OTP, FIDO, recovery code.
func (s *Server) checkSecondFactor(ctx context.Context, p *loginPerson, f *secondFactor) (bool, error) {
	switch {
	case p.TOTP.Bool && f.totp != nil:
		return auth.VerifyTOTP(p.TOTPSecret.String, *f.totp, time.Now()), nil
	case p.EmailOTP.Bool && f.emailOTP != nil:
		key := "email-otp-count-" + p.Email.String
		count, err := s.Store.Get(ctx, key)
		if err != nil || count == "" {
			return false, err
		}
		var n uint64
		if _, err := fmt.Sscan(count, &n); err != nil || !auth.VerifyHOTP(p.EmailOTPSec.String, *f.emailOTP, n) {
			return false, nil
		}
		return true, s.Store.Delete(ctx, key)
	case p.FIDO.Bool && f.fido:
		return false, nil // WebAuthn assertions are not verified by this server yet
	case f.recoveryCode != nil:
		for _, h := range p.RecoveryCodes {
			if auth.CheckPassword(h, *f.recoveryCode) {
				// Each recovery code is good once.
				_, err := s.DB.NewRaw("UPDATE person SET otp_recovery_codes = array_remove(otp_recovery_codes, ?) WHERE id = ?", h, p.ID).Exec(ctx)
				return err == nil, err
			}
		}
		return false, nil
	}
	enabled := []string{"recovery_code"}
	for _, m := range []struct {
		name string
		on   bool
	}{{"totp", p.TOTP.Bool}, {"email_otp", p.EmailOTP.Bool}, {"fido", p.FIDO.Bool}} {
		if m.on {
			enabled = append(enabled, m.name)
		}
	}
	var preferred any
	if p.Preferred2FA.Valid {
		preferred = p.Preferred2FA.String
	}
	return false, missingOTP{preferred: preferred, enabled: enabled}
}

func (s *Server) login(c *gin.Context) (int, any, error) {
	status, body, err := s.doLogin(c)
	if err == nil {
		return status, body, nil
	}
	var e *engine.Error
	if errors.As(err, &e) {
		return 0, nil, err
	}
	// Zou's login answers its own 500 bodies, with login: false.
	msg := "A server error occurred. Please contact your administrator."
	var pgErr *pgconn.ConnectError
	var netErr *net.OpError
	if errors.As(err, &pgErr) || errors.As(err, &netErr) {
		msg = "Database doesn't seem reachable."
	}
	engine.LogWarn("login", err)
	return http.StatusInternalServerError, gin.H{"error": true, "login": false, "message": msg}, nil
}

func (s *Server) doLogin(c *gin.Context) (int, any, error) {
	ctx := c.Request.Context()
	f, err := form(c)
	if err != nil {
		return 0, nil, err
	}
	if err := f.require("email"); err != nil {
		return 0, nil, err
	}
	if err := f.optional("password", "totp", "email_otp", "recovery_code"); err != nil {
		return 0, nil, err
	}
	email := f.str["email"]
	password, ok := f.str["password"]
	if !ok {
		password = defaultPassword
	}
	otp := &secondFactor{fido: f.other["fido_authentication_response"]}
	for k, dst := range map[string]**string{"totp": &otp.totp, "email_otp": &otp.emailOTP, "recovery_code": &otp.recoveryCode} {
		if v, ok := f.str[k]; ok {
			*dst = &v
		}
	}

	p, err := s.findLoginPerson(ctx, strings.TrimSpace(email))
	if err != nil {
		return 0, nil, err
	}
	if p == nil {
		auth.SpendCompare(password, s.Cfg.BcryptRounds)
		return http.StatusBadRequest, gin.H{"login": false}, nil
	}
	var missing missingOTP
	switch err := s.checkAuth(ctx, p, password, otp); {
	case errors.Is(err, errLocked):
		return http.StatusBadRequest, gin.H{"error": true, "login": false, "too_many_failed_login_attemps": true}, nil
	case errors.Is(err, errWrongPassword):
		return http.StatusBadRequest, gin.H{"login": false}, nil
	case errors.Is(err, errInactive):
		return http.StatusUnauthorized, gin.H{"error": true, "login": false, "unactive": true, "message": "User is unactive, he cannot log in."}, nil
	case errors.As(err, &missing):
		return http.StatusBadRequest, gin.H{"error": true, "login": false, "missing_OTP": true,
			"preferred_two_factor_authentication": missing.preferred, "two_factor_authentication_enabled": missing.enabled}, nil
	case errors.Is(err, errWrongOTP):
		return http.StatusBadRequest, gin.H{"error": true, "login": false, "wrong_OTP": true}, nil
	case err != nil:
		return 0, nil, err
	}
	if password == defaultPassword && s.Cfg.AuthStrategy != "auth_local_no_password" {
		// First connection with a default password: no session, a reset token
		// for Kitsu's change-password page (PUT /auth/reset-password).
		token, err := resetToken()
		if err != nil {
			return 0, nil, err
		}
		if err := s.Store.Set(ctx, "reset-token-"+email, token, resetTokenTTL); err != nil {
			return 0, nil, err
		}
		return http.StatusBadRequest, gin.H{"login": false, "default_password": true, "token": token}, nil
	}

	pair, err := s.Auth.Signer.IssuePair(p.ID, auth.IdentityPerson)
	if err != nil {
		return 0, nil, err
	}
	user, org, err := s.userAndOrganisation(ctx, p.ID, p.Role == "admin")
	if err != nil {
		return 0, nil, err
	}
	browser := isBrowser(c.GetHeader("User-Agent"))
	s.recordLogin(ctx, c, p.ID, browser)
	if browser {
		setCookie(c, auth.AccessCookie, pair.Access, "/", s.Auth.Signer.AccessTTL)
		setCookie(c, auth.RefreshCookie, pair.Refresh, auth.RefreshCookiePath, s.Auth.Signer.RefreshTTL)
	}
	return http.StatusOK, gin.H{"user": user, "organisation": org, "login": true,
		"access_token": pair.Access, "refresh_token": pair.Refresh}, nil
}

// resetToken is Zou's reset token: 64 characters from A-Z and 0-9.
func resetToken() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 64)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("reset token: %w", err)
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b), nil
}

func (s *Server) recordLogin(ctx context.Context, c *gin.Context, personID string, browser bool) {
	origin := "script"
	if browser {
		origin = "web"
	}
	ip := c.GetHeader("X-Real-IP")
	if ip == "" {
		ip, _, _ = net.SplitHostPort(c.Request.RemoteAddr)
	}
	now := time.Now().UTC()
	_, err := s.DB.NewRaw("INSERT INTO login_log (id, created_at, updated_at, person_id, ip_address, origin) VALUES (?, ?, ?, ?, ?, ?)",
		uuid.NewString(), now, now, personID, truncate(ip, 50), origin).Exec(ctx)
	if err != nil {
		engine.LogWarn("record login", err)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// setCookie sets a JWT cookie as flask-jwt-extended does with Zou's settings:
// persistent for the token's lifetime, HttpOnly, SameSite=Lax, not Secure.
func setCookie(c *gin.Context, name, value, path string, ttl time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: int(ttl.Seconds()),
		Expires: time.Now().Add(ttl).UTC(), HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func clearCookie(c *gin.Context, name, path string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		Expires: time.Unix(0, 0).UTC(), HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// isBrowser tells Kitsu (cookies) from scripts such as Gazu or curl (body only).
// Zou asks ua-parser for the browser family and accepts Brave, Chrome (and
// its mobile/iOS variants), Edge, Firefox, Mobile Safari, Opera, Safari and
// Vivaldi; this is the same decision from the User-Agent's markers.
func isBrowser(ua string) bool {
	if !strings.HasPrefix(ua, "Mozilla/") {
		return false
	}
	// Families ua-parser names otherwise: embedded shells, headless and bots,
	// and browsers outside Zou's list that also carry "Chrome/" or "Safari/".
	for _, other := range []string{"Electron/", "HeadlessChrome", "bot", "Bot", "SamsungBrowser/", "FxiOS/",
		"YaBrowser/", "UCBrowser/", "; wv)", "Whale/", "MiuiBrowser/"} {
		if strings.Contains(ua, other) {
			return false
		}
	}
	for _, b := range []string{"Chrome/", "CriOS/", "Firefox/", "Safari/", "Edg/", "Edge/", "OPR/", "Vivaldi/"} {
		if strings.Contains(ua, b) {
			return true
		}
	}
	return false
}

// userAndOrganisation renders the person (safe fields + departments) and the
// organisation row, created on first use as Zou does.
func (s *Server) userAndOrganisation(ctx context.Context, personID string, admin bool) (json.RawMessage, json.RawMessage, error) {
	user, err := s.Engine.Read(ctx, nil, s.Engine.Reg.MustCollection("persons"), personID, true)
	if err != nil {
		return nil, nil, fmt.Errorf("read user: %w", err)
	}
	org, err := s.organisation(ctx, admin)
	if err != nil {
		return nil, nil, err
	}
	return user, org, nil
}

// organisation is Zou's get_organisation: the first row, created on demand;
// the chat tokens only for admins.
func (s *Server) organisation(ctx context.Context, admin bool) (json.RawMessage, error) {
	var id string
	err := s.DB.NewSelect().TableExpr("organisation").ColumnExpr("id::text").OrderExpr("created_at").Limit(1).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		id = uuid.NewString()
		now := time.Now().UTC()
		_, err = s.DB.NewRaw(`INSERT INTO organisation (id, created_at, updated_at, name, hours_by_day, has_avatar,
			use_original_file_name, timesheets_locked, hd_by_default, chat_token_slack, chat_webhook_mattermost,
			chat_token_discord, dark_theme_by_default, format_duration_in_hours)
			VALUES (?, ?, ?, 'Kitsu', 8, false, false, false, false, '', '', '', false, false) ON CONFLICT DO NOTHING`, id, now, now).Exec(ctx)
		if err == nil {
			err = s.DB.NewSelect().TableExpr("organisation").ColumnExpr("id::text").OrderExpr("created_at").Limit(1).Scan(ctx, &id)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("organisation: %w", err)
	}
	b, err := s.Engine.Read(ctx, nil, s.Engine.Reg.MustCollection("organisations"), id, false)
	if err != nil || admin {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"chat_token_slack", "chat_webhook_mattermost", "chat_token_discord"} {
		delete(m, k)
	}
	return json.Marshal(m)
}

func (s *Server) authenticated(c *gin.Context, p *engine.Principal) (int, []byte, error) {
	user, org, err := s.userAndOrganisation(c.Request.Context(), p.PersonID, p.IsAdmin())
	if err != nil {
		return 0, nil, err
	}
	var u map[string]json.RawMessage
	if err := json.Unmarshal(user, &u); err != nil {
		return 0, nil, err
	}
	u["fido_devices"] = json.RawMessage("[]")
	b, err := json.Marshal(gin.H{"authenticated": true, "user": u, "organisation": org})
	return http.StatusOK, b, err
}

// isPerson is Zou's permissions.require_person: bots may not use session routes.
func isPerson(c *gin.Context) bool {
	cl := auth.ClaimsFrom(c)
	return cl != nil && (cl.IdentityType == auth.IdentityPerson || cl.IdentityType == auth.IdentityPersonAPI)
}

func (s *Server) logout(c *gin.Context, p *engine.Principal) (int, []byte, error) {
	if !isPerson(c) {
		return 0, nil, engine.Forbidden()
	}
	s.Auth.Logout(c.Request.Context(), auth.ClaimsFrom(c))
	if isBrowser(c.GetHeader("User-Agent")) {
		clearCookie(c, auth.AccessCookie, "/")
		clearCookie(c, auth.RefreshCookie, auth.RefreshCookiePath)
	}
	return http.StatusOK, []byte(`{"logout":true}`), nil
}

func (s *Server) refresh(c *gin.Context) (int, any, error) {
	tok := auth.TokenFrom(c, auth.RefreshCookie)
	if tok == "" {
		return 0, nil, auth.MissingToken(auth.RefreshCookie)
	}
	cl, _, err := s.Auth.Verify(c.Request.Context(), tok, "refresh")
	if err != nil {
		return 0, nil, auth.TokenError(err)
	}
	if cl.IdentityType != auth.IdentityPerson && cl.IdentityType != auth.IdentityPersonAPI {
		return 0, nil, engine.Forbidden()
	}
	access, err := s.Auth.Signer.IssueAccess(cl.Subject, auth.IdentityPerson, cl.ID)
	if err != nil {
		return 0, nil, err
	}
	if isBrowser(c.GetHeader("User-Agent")) {
		setCookie(c, auth.AccessCookie, access, "/", s.Auth.Signer.AccessTTL)
		clearCookie(c, auth.RefreshCookie, auth.RefreshCookiePath)
		return http.StatusOK, gin.H{"refresh": true}, nil
	}
	return http.StatusOK, gin.H{"access_token": access}, nil
}

// passwordError is the {"error": true, "message"} 400 of Zou's password routes
// (no "data" key, unlike WrongParameterException).
func passwordError(msg string) error { return engine.Status(http.StatusBadRequest, msg) }

// checkNewPassword applies Zou's order: length (in characters) first, then confirmation.
func (s *Server) checkNewPassword(pw, confirm string) error {
	if auth.PasswordLength(pw) < s.Cfg.MinPasswordLength {
		return passwordError("Password is too short.")
	}
	if pw != confirm {
		return passwordError("Confirmation password doesn't match.")
	}
	return nil
}

func (s *Server) changePassword(c *gin.Context, p *engine.Principal) (int, []byte, error) {
	if !isPerson(c) {
		return 0, nil, engine.Forbidden()
	}
	f, err := form(c)
	if err != nil {
		return 0, nil, err
	}
	if err := f.require("old_password", "password", "password_2"); err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	lp, err := s.findLoginPersonByID(ctx, p.PersonID)
	if err != nil {
		return 0, nil, err
	}
	switch err := s.checkAuth(ctx, lp, f.str["old_password"], nil); {
	case errors.Is(err, errLocked):
		return 0, nil, engine.Raw(http.StatusBadRequest, gin.H{"error": true, "message": "Too many failed login attempts.", "too_many_failed_login_attemps": true})
	case errors.Is(err, errWrongPassword):
		return 0, nil, passwordError("Old password is wrong.")
	case errors.Is(err, errInactive):
		return 0, nil, passwordError("User is unactive.")
	case err != nil:
		return 0, nil, err
	}
	if err := s.checkNewPassword(f.str["password"], f.str["password_2"]); err != nil {
		return 0, nil, err
	}
	if err := s.setPassword(ctx, p.PersonID, f.str["password"]); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, []byte(`{"success":true}`), nil
}

func (s *Server) setPassword(ctx context.Context, personID, password string) error {
	hash, err := auth.HashPassword(password, s.Cfg.BcryptRounds)
	if err != nil {
		return err
	}
	_, err = s.DB.NewRaw("UPDATE person SET password = ?, updated_at = ? WHERE id = ?", hash, time.Now().UTC(), personID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update password: %w", err)
	}
	return nil
}

// resetPassword is PUT /auth/reset-password: a reset token (from a
// default-password login) sets a new password. Body: email, token, password, password2.
func (s *Server) resetPassword(c *gin.Context) (int, any, error) {
	f, err := form(c)
	if err != nil {
		return 0, nil, err
	}
	if err := f.require("email", "token", "password", "password2"); err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	email := f.str["email"]
	key := "reset-token-" + email
	stored, err := s.Store.Get(ctx, key)
	if err != nil {
		return 0, nil, err
	}
	if stored == "" || subtle.ConstantTimeCompare([]byte(stored), []byte(f.str["token"])) != 1 {
		return 0, nil, passwordError("Wrong or expired token.")
	}
	if err := s.checkNewPassword(f.str["password"], f.str["password2"]); err != nil {
		return 0, nil, err
	}
	p, err := s.findLoginPerson(ctx, strings.TrimSpace(email))
	if err != nil {
		return 0, nil, err
	}
	if p == nil {
		return 0, nil, passwordError("Wrong or expired token.")
	}
	if p.Active.Valid && !p.Active.Bool {
		return 0, nil, passwordError("User is inactive.")
	}
	if err := s.setPassword(ctx, p.ID, f.str["password"]); err != nil {
		return 0, nil, err
	}
	if err := s.Store.Delete(ctx, key); err != nil {
		engine.LogWarn("delete reset token", err)
	}
	return http.StatusOK, gin.H{"success": true}, nil
}

// register is the self-registration of our API documentation, off unless the
// administrator enables it (Zou removed its public route); new accounts are
// active artists in no project, counted against the user limit.
func (s *Server) register(c *gin.Context) (int, any, error) {
	if !s.Cfg.AllowRegistration {
		return 0, nil, engine.Status(http.StatusForbidden, "Self-registration is disabled. An administrator can enable it with allow_registration: true in config.yaml or ALLOW_REGISTRATION=true.")
	}
	f, err := form(c)
	if err != nil {
		return 0, nil, err
	}
	if err := f.require("email", "first_name", "last_name", "password", "password_2"); err != nil {
		return 0, nil, err
	}
	email := strings.ToLower(strings.TrimSpace(f.str["email"]))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return 0, nil, passwordError("Email is not valid.")
	}
	if err := s.checkNewPassword(f.str["password"], f.str["password_2"]); err != nil {
		return 0, nil, err
	}
	first, last := strings.TrimSpace(f.str["first_name"]), strings.TrimSpace(f.str["last_name"])
	if len([]rune(first)) > 80 || len([]rune(last)) > 80 {
		return 0, nil, passwordError("First and last names must be at most 80 characters.")
	}
	hash, err := auth.HashPassword(f.str["password"], s.Cfg.BcryptRounds)
	if err != nil {
		return 0, nil, err
	}
	ctx := c.Request.Context()
	err = s.DB.RunInTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable}, func(ctx context.Context, tx bun.Tx) error {
		if err := CheckUserLimit(ctx, tx, s.Cfg.UserLimit); err != nil {
			return err
		}
		exists, err := tx.NewSelect().TableExpr("person").Where("lower(email) = ? AND is_bot IS NOT TRUE", email).Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			return passwordError("Email already exists.")
		}
		now := time.Now().UTC()
		_, err = tx.NewRaw(`INSERT INTO person (id, created_at, updated_at, first_name, last_name, email, password, role,
			active, archived, contract_type, is_bot, is_guest, timezone, locale, login_failed_attemps, display_date_format,
			desktop_login, has_avatar)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'user', true, false, 'open-ended', false, false, ?, ?, 0, 'YYYY-MM-DD', '', false)`,
			uuid.NewString(), now, now, first, last, email, hash, s.Cfg.DefaultTimezone, s.Cfg.DefaultLocale).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	return http.StatusCreated, gin.H{"registration_success": true}, nil
}

// CheckUserLimit refuses one more active person once the studio's limit is reached
// (bots and guests do not count).
func CheckUserLimit(ctx context.Context, db bun.IDB, limit int) error {
	n, err := db.NewSelect().TableExpr("person").
		Where("active IS TRUE AND is_bot IS NOT TRUE AND is_guest IS NOT TRUE").Count(ctx)
	if err != nil {
		return err
	}
	if n >= int64(limit) {
		return engine.BadRequestData("User limit reached.", gin.H{"limit": limit})
	}
	return nil
}
