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

// Verify checks a token of the given type and its revocation, and loads its person.
func (a *Authenticator) Verify(ctx context.Context, token, typ string) (*Claims, Person, error) {
	claims, err := a.Signer.Parse(token, typ)
	if err != nil {
		return nil, Person{}, err
	}
	if !engine.IsUUID(claims.Subject) {
		return nil, Person{}, ErrMalformed
	}
	p, err := a.person(ctx, claims.Subject)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, p, errUnknownPerson
	}
	if err != nil {
		return nil, p, err
	}
	switch claims.IdentityType {
	case IdentityPerson:
		revoked, err := a.Store.IsRevoked(ctx, claims.ID)
		if err != nil {
			return nil, p, err
		}
		if revoked || claims.ID == "" {
			return nil, p, errRevoked
		}
	case IdentityBot, IdentityPersonAPI:
		// Bot and API tokens are valid while the person row still names them.
		if !p.JTI.Valid || p.JTI.String != claims.ID {
			return nil, p, errRevoked
		}
	default:
		return nil, p, errRevoked
	}
	if p.Active.Valid && !p.Active.Bool {
		return nil, p, errInactive
	}
	return claims, p, nil
}

var (
	errRevoked       = errors.New("Token has been revoked")
	errUnknownPerson = errors.New("unknown person")
	errInactive      = errors.New("inactive person")
)

// TokenError maps a verification failure to Zou's status and body.
func TokenError(err error) error {
	switch {
	case errors.Is(err, ErrExpired):
		return engine.Status(http.StatusUnauthorized, "Signature has expired")
	case errors.Is(err, errRevoked):
		return engine.Raw(http.StatusUnauthorized, gin.H{"msg": "Token has been revoked"})
	case errors.Is(err, errUnknownPerson):
		return engine.Status(http.StatusUnauthorized, "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.")
	case errors.Is(err, errInactive):
		return engine.Status(http.StatusUnauthorized, "The server could not verify that you are authorized to access the URL requested. User is unactive.")
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrWrongType):
		return engine.Raw(http.StatusUnprocessableEntity, gin.H{"msg": strings.TrimPrefix(err.Error(), ErrMalformed.Error()+": ")})
	}
	return err
}

// Require is the middleware of every authenticated route: it answers 401/422
// itself and otherwise stores the Principal for the handlers.
func (a *Authenticator) Require() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := tokenFrom(c, AccessCookie)
		if tok == "" {
			engine.WriteError(c, engine.Raw(http.StatusUnauthorized, gin.H{"msg": `Missing JWT in headers or cookies (Missing Authorization Header; Missing cookie "access_token_cookie")`}))
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
