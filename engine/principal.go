package engine

import (
	"context"

	"github.com/gin-gonic/gin"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	PersonID     string
	Role         string // global role: admin, manager, supervisor, user, client, vendor
	IdentityType string // person, bot, person_api
	Email        string
}

// IsAdmin reports whether the caller is a global admin (admin everywhere, whatever the team).
func (p *Principal) IsAdmin() bool { return p != nil && p.Role == "admin" }

const principalKey = "zou.principal"

// SetPrincipal stores the caller on the request (done by the auth middleware).
func SetPrincipal(c *gin.Context, p *Principal) {
	c.Set(principalKey, p)
	c.Request = c.Request.WithContext(WithPrincipal(c.Request.Context(), p))
}

// PrincipalFrom returns the caller stored by the auth middleware, or nil.
func PrincipalFrom(c *gin.Context) *Principal {
	v, ok := c.Get(principalKey)
	if !ok {
		return nil
	}
	p, _ := v.(*Principal)
	return p
}

type ctxKey struct{}

// WithPrincipal returns a context carrying the caller (for code below the HTTP layer).
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFromContext returns the caller stored by WithPrincipal, or nil.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}
