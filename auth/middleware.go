package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/engine"
)

// Cookie names and paths Kitsu relies on.
const (
	AccessCookie      = "access_token_cookie"
	RefreshCookie     = "refresh_token_cookie"
	RefreshCookiePath = "/auth/refresh-token"
)

// Authenticator turns a request's token into the Principal the engine checks.
type Authenticator struct {
	Signer *Signer
	Store  Store
	DB     *bun.DB

	// A short cache of who a person id is: it saves one query per request;
	// role or activity changes are seen within personCacheTTL.
	mu    sync.Mutex
	cache map[string]cachedPerson
}

const personCacheTTL = 2 * time.Second

type cachedPerson struct {
	p   Person
	exp time.Time
}

// Person is what authentication needs to know about the caller.
type Person struct {
	ID     string         `bun:"id"`
	Role   string         `bun:"role"`
	Active sql.NullBool   `bun:"active"`
	IsBot  bool           `bun:"is_bot"`
	Email  sql.NullString `bun:"email"`
	JTI    sql.NullString `bun:"jti"`
}

// Forget drops a person from the cache (after a role, activity or token change).
func (a *Authenticator) Forget(id string) {
	a.mu.Lock()
	delete(a.cache, id)
	a.mu.Unlock()
}

func (a *Authenticator) person(ctx context.Context, id string) (Person, error) {
	a.mu.Lock()
	if cp, ok := a.cache[id]; ok && time.Now().Before(cp.exp) {
		a.mu.Unlock()
		return cp.p, nil
	}
	a.mu.Unlock()
	var p Person
	err := a.DB.NewSelect().TableExpr("person").ColumnExpr("id::text AS id, role, active, is_bot, email, jti").
		Where("id = ?", id).Scan(ctx, &p)
	if err != nil {
		return p, err
	}
	a.mu.Lock()
	if a.cache == nil || len(a.cache) > 10000 {
		a.cache = map[string]cachedPerson{}
	}
	a.cache[id] = cachedPerson{p: p, exp: time.Now().Add(personCacheTTL)}
	a.mu.Unlock()
	return p, nil
}

// tokenFrom reads a token as Zou does: cookie first, then the Authorization header.
func tokenFrom(c *gin.Context, cookie string) string {
	if v, err := c.Cookie(cookie); err == nil && v != "" {
		return v
	}
	h := c.GetHeader("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// Verify checks a token of the given type and its revocation, and loads its
// person, in flask-jwt-extended's order: decode, type, blocklist, then the user.
func (a *Authenticator) Verify(ctx context.Context, token, typ string) (*Claims, Person, error) {
	claims, err := a.Signer.Parse(token, typ)
	if err != nil {
		return nil, Person{}, err
	}
	if claims.ID == "" {
		return nil, Person{}, errRevoked
	}
	switch claims.IdentityType {
	case IdentityPerson:
		revoked, err := a.Store.IsRevoked(ctx, claims.ID)
		if err != nil {
			return nil, Person{}, err
		}
		if revoked {
			return nil, Person{}, errRevoked
		}
	case IdentityBot, IdentityPersonAPI:
		// Checked below against the person row: bot and API tokens are valid
		// while that row still names them (regenerating or deleting revokes).
	default:
		return nil, Person{}, errRevoked
	}
	var p Person
	if engine.IsUUID(claims.Subject) {
		p, err = a.person(ctx, claims.Subject)
	} else {
		err = sql.ErrNoRows // Zou's lookup of a malformed id finds nobody either
	}
	if errors.Is(err, sql.ErrNoRows) {
		if claims.IdentityType != IdentityPerson {
			return nil, p, errRevoked
		}
		return nil, p, errUnknownPerson
	}
	if err != nil {
		return nil, p, err
	}
	if claims.IdentityType != IdentityPerson && (!p.JTI.Valid || p.JTI.String != claims.ID) {
		return nil, p, errRevoked
	}
	if p.Active.Valid && !p.Active.Bool {
		// Zou logs a deactivated person out: re-activating the account does not
		// bring old sessions back.
		if claims.IdentityType == IdentityPerson {
			a.revoke(ctx, claims)
		}
		return nil, p, errInactive
	}
	return claims, p, nil
}

// Logout revokes a person token and the refresh token it is paired with.
// Like Zou, it never fails: an unreachable store is logged, the client drops
// its tokens either way.
func (a *Authenticator) Logout(ctx context.Context, c *Claims) { a.revoke(ctx, c) }

func (a *Authenticator) revoke(ctx context.Context, c *Claims) {
	ttl := a.Signer.AccessTTL
	if c.Type == "refresh" {
		ttl = a.Signer.RefreshTTL
	}
	if err := a.Store.Revoke(ctx, c.ID, ttl); err != nil {
		engine.LogWarn("revoke token", err)
	}
	if c.RefreshJTI != "" {
		if err := a.Store.Revoke(ctx, c.RefreshJTI, a.Signer.RefreshTTL); err != nil {
			engine.LogWarn("revoke refresh token", err)
		}
	}
}

var (
	errRevoked       = errors.New("Token has been revoked")
	errUnknownPerson = errors.New("unknown person")
	errInactive      = errors.New("inactive person")
)

// MsgUnauthorized is werkzeug's Unauthorized description, Zou's message for a
// token whose person is gone or deactivated.
const MsgUnauthorized = "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."

// TokenError maps a verification failure to Zou's status and body.
func TokenError(err error) error {
	switch {
	case errors.Is(err, ErrExpired):
		return engine.Status(http.StatusUnauthorized, "Signature has expired")
	case errors.Is(err, errRevoked):
		return engine.Raw(http.StatusUnauthorized, gin.H{"msg": "Token has been revoked"})
	case errors.Is(err, errUnknownPerson), errors.Is(err, errInactive):
		return engine.Status(http.StatusUnauthorized, MsgUnauthorized)
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrWrongType):
		return engine.Raw(http.StatusUnprocessableEntity, gin.H{"msg": TokenMessage(err)})
	}
	return err
}

// MissingToken is flask-jwt-extended's answer when neither the cookie nor the
// Authorization header carries a token (Zou looks in cookies, then headers).
func MissingToken(cookie string) error {
	return engine.Raw(http.StatusUnauthorized, gin.H{"msg": `Missing JWT in cookies or headers (Missing cookie "` + cookie + `"; Missing Authorization Header)`})
}

// Require is the middleware of every authenticated route: it answers 401/422
// itself and otherwise stores the Principal for the handlers.
func (a *Authenticator) Require() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := tokenFrom(c, AccessCookie)
		if tok == "" {
			engine.WriteError(c, MissingToken(AccessCookie))
			return
		}
		claims, p, err := a.Verify(c.Request.Context(), tok, "access")
		if err != nil {
			engine.WriteError(c, TokenError(err))
			return
		}
		engine.SetPrincipal(c, &engine.Principal{PersonID: p.ID, Role: p.Role, IdentityType: claims.IdentityType, Email: p.Email.String})
		c.Set(claimsKey, claims)
		c.Next()
	}
}

const claimsKey = "zou.claims"

// ClaimsFrom returns the verified claims of the request's token.
func ClaimsFrom(c *gin.Context) *Claims {
	v, _ := c.Get(claimsKey)
	cl, _ := v.(*Claims)
	return cl
}

// TokenFrom exposes the token lookup order (cookie, then header) to routes.
func TokenFrom(c *gin.Context, cookie string) string { return tokenFrom(c, cookie) }
