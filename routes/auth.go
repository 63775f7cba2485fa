package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/engine"
)

// Lockout rule of Zou: five failures lock the account for one minute.
const (
	maxLoginFailures = 5
	lockoutDuration  = time.Minute
)

func (s *Server) mountAuth(r gin.IRouter) {
	r.POST("/auth/login", s.handle(s.login))
	r.POST("/auth/register", s.handle(s.register))
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

// form reads a JSON body, falling back to form fields as Zou's parsers do.
func form(c *gin.Context) (map[string]string, error) {
	out := map[string]string{}
	if strings.HasPrefix(c.GetHeader("Content-Type"), "application/json") {
		body, err := engine.ReadJSONBody(c)
		if err != nil {
			return nil, err
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			return out, nil
		}
		m, err := engine.ParseObject(body)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				out[k] = s
			}
		}
		return out, nil
	}
	if err := c.Request.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, engine.Status(http.StatusRequestEntityTooLarge, engine.MsgTooLarge)
		}
		return nil, engine.BadRequest("Failed to read the request body.")
	}
	for k, v := range c.Request.Form {
		out[k] = v[0]
	}
	return out, nil
}

// loginPerson is what login needs from the person row.
type loginPerson struct {
	ID           string         `bun:"id"`
	Password     []byte         `bun:"password"`
	Active       sql.NullBool   `bun:"active"`
	Failures     sql.NullInt64  `bun:"login_failed_attemps"`
	LastFailure  sql.NullTime   `bun:"last_login_failed"`
	TOTP         sql.NullBool   `bun:"totp_enabled"`
	EmailOTP     sql.NullBool   `bun:"email_otp_enabled"`
	FIDO         sql.NullBool   `bun:"fido_enabled"`
	Preferred2FA sql.NullString `bun:"preferred_two_factor_authentication"`
}

func (s *Server) findLoginPerson(ctx context.Context, login string) (*loginPerson, error) {
	var p loginPerson
	q := s.DB.NewSelect().TableExpr("person").
		ColumnExpr("id::text AS id, password, active, login_failed_attemps, last_login_failed, totp_enabled, email_otp_enabled, fido_enabled, preferred_two_factor_authentication").
		Where("is_bot IS NOT TRUE")
	// Email first (case-insensitive, as Zou's column lower-cases), then desktop login.
	err := q.Where("lower(email) = lower(?)", login).Limit(1).Scan(ctx, &p)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.DB.NewSelect().TableExpr("person").
			ColumnExpr("id::text AS id, password, active, login_failed_attemps, last_login_failed, totp_enabled, email_otp_enabled, fido_enabled, preferred_two_factor_authentication").
			Where("is_bot IS NOT TRUE").Where("desktop_login = ?", login).Limit(1).Scan(ctx, &p)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &p, err
}

// checkPassword applies the lockout and the strategy; it records failures.
func (s *Server) checkPassword(ctx context.Context, p *loginPerson, password string) error {
	now := time.Now().UTC()
	if p.Failures.Int64 >= maxLoginFailures {
		if p.LastFailure.Valid && now.Sub(p.LastFailure.Time) < lockoutDuration {
			return errLocked
		}
		p.Failures.Int64 = 0
	}
	ok := s.Cfg.AuthStrategy == "auth_local_no_password" || auth.CheckPassword(p.Password, password)
	if !ok {
		_, err := s.DB.NewRaw("UPDATE person SET login_failed_attemps = ?, last_login_failed = ? WHERE id = ?",
			p.Failures.Int64+1, now, p.ID).Exec(ctx)
		if err != nil {
			return err
		}
		return errWrongPassword
	}
	if p.Failures.Int64 != 0 || p.LastFailure.Valid {
		if _, err := s.DB.NewRaw("UPDATE person SET login_failed_attemps = 0, last_login_failed = NULL WHERE id = ?", p.ID).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

var (
	errLocked        = errors.New("too many failed login attempts")
	errWrongPassword = errors.New("wrong password")
)

func (s *Server) login(c *gin.Context) (int, any, error) {
	ctx := c.Request.Context()
	f, err := form(c)
	if err != nil {
		return 0, nil, err
	}
	email := strings.TrimSpace(f["email"])
	if email == "" {
		return 0, nil, engine.BadRequestData("Validation error.", gin.H{"errors": []gin.H{{"field": "email", "message": "Field required"}}})
	}
	password, ok := f["password"]
	if !ok {
		password = "default"
	}
	p, err := s.findLoginPerson(ctx, email)
	if err != nil {
		return 0, nil, err
	}
	if p == nil {
		auth.SpendCompare(password)
		return http.StatusBadRequest, gin.H{"login": false}, nil
	}
	switch err := s.checkPassword(ctx, p, password); {
	case errors.Is(err, errLocked):
		return http.StatusBadRequest, gin.H{"error": true, "login": false, "too_many_failed_login_attemps": true}, nil
	case errors.Is(err, errWrongPassword):
		return http.StatusBadRequest, gin.H{"login": false}, nil
	case err != nil:
		return 0, nil, err
	}
	if p.Active.Valid && !p.Active.Bool {
		return http.StatusUnauthorized, gin.H{"error": true, "login": false, "unactive": true, "message": "User is unactive, he cannot log in."}, nil
	}
	if p.TOTP.Bool || p.EmailOTP.Bool || p.FIDO.Bool {
		// Two-factor verification is not implemented by this server yet: refuse
		// rather than let a second factor be skipped.
		methods := []string{"recovery_code"}
		for name, on := range map[string]bool{"totp": p.TOTP.Bool, "email_otp": p.EmailOTP.Bool, "fido": p.FIDO.Bool} {
			if on {
				methods = append(methods, name)
			}
		}
		var preferred any
		if p.Preferred2FA.Valid {
			preferred = p.Preferred2FA.String
		}
		return http.StatusBadRequest, gin.H{"error": true, "login": false, "missing_OTP": true,
			"preferred_two_factor_authentication": preferred, "two_factor_authentication_enabled": methods}, nil
	}
	pair, err := s.Auth.Signer.IssuePair(p.ID, auth.IdentityPerson)
	if err != nil {
		return 0, nil, err
	}
	browser := isBrowser(c.GetHeader("User-Agent"))
	s.recordLogin(ctx, c, p.ID, browser)
	user, org, err := s.userAndOrganisation(ctx, p.ID, false)
	if err != nil {
		return 0, nil, err
	}
	if browser {
		s.setCookie(c, auth.AccessCookie, pair.Access, "/", s.Auth.Signer.AccessTTL)
		s.setCookie(c, auth.RefreshCookie, pair.Refresh, auth.RefreshCookiePath, s.Auth.Signer.RefreshTTL)
	}
	return http.StatusOK, gin.H{"user": user, "organisation": org, "login": true,
		"access_token": pair.Access, "refresh_token": pair.Refresh}, nil
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

func (s *Server) setCookie(c *gin.Context, name, value, path string, ttl time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: int(ttl.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func clearCookie(c *gin.Context, name, path string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// isBrowser tells Kitsu (cookies) from scripts such as Gazu or curl (body only).
func isBrowser(ua string) bool {
	if !strings.HasPrefix(ua, "Mozilla/") {
		return false
	}
	for _, b := range []string{"Chrome/", "Firefox/", "Safari/", "Edg/", "OPR/", "Vivaldi/", "CriOS/", "FxiOS/"} {
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

func (s *Server) logout(c *gin.Context, p *engine.Principal) (int, []byte, error) {
	cl := auth.ClaimsFrom(c)
	if cl == nil || cl.IdentityType == auth.IdentityBot {
		return 0, nil, engine.Forbidden()
	}
	ctx := c.Request.Context()
	if err := s.Store.Revoke(ctx, cl.ID, s.Auth.Signer.AccessTTL); err != nil {
		return 0, nil, err
	}
	if cl.RefreshJTI != "" {
		if err := s.Store.Revoke(ctx, cl.RefreshJTI, s.Auth.Signer.RefreshTTL); err != nil {
			return 0, nil, err
		}
	}
	if isBrowser(c.GetHeader("User-Agent")) {
		clearCookie(c, auth.AccessCookie, "/")
		clearCookie(c, auth.RefreshCookie, auth.RefreshCookiePath)
	}
	return http.StatusOK, []byte(`{"logout":true}`), nil
}

func (s *Server) refresh(c *gin.Context) (int, any, error) {
	tok := auth.TokenFrom(c, auth.RefreshCookie)
	if tok == "" {
		return 0, nil, engine.Raw(http.StatusUnauthorized, gin.H{"msg": `Missing JWT in headers or cookies (Missing Authorization Header; Missing cookie "refresh_token_cookie")`})
	}
	cl, _, err := s.Auth.Verify(c.Request.Context(), tok, "refresh")
	if err != nil {
		return 0, nil, auth.TokenError(err)
	}
	if cl.IdentityType != auth.IdentityPerson {
		return 0, nil, engine.Forbidden()
	}
	access, err := s.Auth.Signer.IssueAccess(cl.Subject, cl.IdentityType, cl.ID)
	if err != nil {
		return 0, nil, err
	}
	if isBrowser(c.GetHeader("User-Agent")) {
		s.setCookie(c, auth.AccessCookie, access, "/", s.Auth.Signer.AccessTTL)
		clearCookie(c, auth.RefreshCookie, auth.RefreshCookiePath)
		return http.StatusOK, gin.H{"refresh": true}, nil
	}
	return http.StatusOK, gin.H{"access_token": access}, nil
}

// checkNewPassword applies Zou's order: length (in characters) first, then confirmation.
func (s *Server) checkNewPassword(pw, confirm string) error {
	if auth.PasswordLength(pw) < s.Cfg.MinPasswordLength {
		return engine.BadRequest("Password is too short.")
	}
	if pw != confirm {
		return engine.BadRequest("Confirmation password doesn't match.")
	}
	return nil
}

func (s *Server) changePassword(c *gin.Context, p *engine.Principal) (int, []byte, error) {
	if cl := auth.ClaimsFrom(c); cl == nil || cl.IdentityType == auth.IdentityBot {
		return 0, nil, engine.Forbidden()
	}
	f, err := form(c)
	if err != nil {
		return 0, nil, err
	}
	var missing []gin.H
	for _, k := range []string{"old_password", "password", "password_2"} {
		if _, ok := f[k]; !ok {
			missing = append(missing, gin.H{"field": k, "message": "Field required"})
		}
	}
	if len(missing) > 0 {
		return 0, nil, engine.BadRequestData("Validation error.", gin.H{"errors": missing})
	}
	ctx := c.Request.Context()
	lp, err := s.findLoginPersonByID(ctx, p.PersonID)
	if err != nil {
		return 0, nil, err
	}
	if lp.Active.Valid && !lp.Active.Bool {
		return 0, nil, engine.BadRequest("User is unactive.")
	}
	switch err := s.checkPassword(ctx, lp, f["old_password"]); {
	case errors.Is(err, errLocked):
		return 0, nil, engine.Raw(http.StatusBadRequest, gin.H{"error": true, "message": "Too many failed login attempts.", "too_many_failed_login_attemps": true})
	case errors.Is(err, errWrongPassword):
		return 0, nil, engine.BadRequest("Old password is wrong.")
	case err != nil:
		return 0, nil, err
	}
	if err := s.checkNewPassword(f["password"], f["password_2"]); err != nil {
		return 0, nil, err
	}
	hash, err := auth.HashPassword(f["password"], s.Cfg.BcryptRounds)
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.DB.NewRaw("UPDATE person SET password = ?, updated_at = ? WHERE id = ?", hash, time.Now().UTC(), p.PersonID).Exec(ctx); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, []byte(`{"success":true}`), nil
}

func (s *Server) findLoginPersonByID(ctx context.Context, id string) (*loginPerson, error) {
	var p loginPerson
	err := s.DB.NewSelect().TableExpr("person").
		ColumnExpr("id::text AS id, password, active, login_failed_attemps, last_login_failed").
		Where("id = ?", id).Scan(ctx, &p)
	return &p, err
}

// register is the self-registration of our API documentation, off unless the
// administrator enables it; new accounts are active artists with no project.
func (s *Server) register(c *gin.Context) (int, any, error) {
	if !s.Cfg.AllowRegistration {
		return 0, nil, engine.Status(http.StatusForbidden, "Self-registration is disabled. An administrator can enable it with allow_registration: true in config.yaml or ALLOW_REGISTRATION=true.")
	}
	f, err := form(c)
	if err != nil {
		return 0, nil, err
	}
	var missing []gin.H
	for _, k := range []string{"email", "first_name", "last_name", "password", "password_2"} {
		if strings.TrimSpace(f[k]) == "" {
			missing = append(missing, gin.H{"field": k, "message": "Field required"})
		}
	}
	if len(missing) > 0 {
		return 0, nil, engine.BadRequestData("Validation error.", gin.H{"errors": missing})
	}
	email := strings.ToLower(strings.TrimSpace(f["email"]))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return 0, nil, engine.BadRequest("Email is not valid.")
	}
	if err := s.checkNewPassword(f["password"], f["password_2"]); err != nil {
		return 0, nil, err
	}
	if len(f["first_name"]) > 80 || len(f["last_name"]) > 80 {
		return 0, nil, engine.BadRequest("First and last names must be at most 80 characters.")
	}
	hash, err := auth.HashPassword(f["password"], s.Cfg.BcryptRounds)
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
			return engine.BadRequest("Email already exists.")
		}
		now := time.Now().UTC()
		_, err = tx.NewRaw(`INSERT INTO person (id, created_at, updated_at, first_name, last_name, email, password, role,
			active, archived, contract_type, is_bot, is_guest, timezone, locale, login_failed_attemps, display_date_format)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'user', true, false, 'open-ended', false, false, ?, ?, 0, 'YYYY-MM-DD')`,
			uuid.NewString(), now, now, strings.TrimSpace(f["first_name"]), strings.TrimSpace(f["last_name"]), email, hash,
			s.Cfg.DefaultTimezone, s.Cfg.DefaultLocale).Exec(ctx)
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
