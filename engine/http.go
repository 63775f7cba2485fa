package engine

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Mount adds list/get/create/update/delete routes of every collection to g,
// which must already carry the authentication middleware. taken reports the
// method and path pairs a hand-written route already answers (nil = none).
func (e *Engine) Mount(g gin.IRouter, taken func(method, path string) bool) {
	if taken == nil {
		taken = func(string, string) bool { return false }
	}
	add := func(method, path string, h gin.HandlerFunc) {
		if !taken(method, path) {
			g.Handle(method, path, h)
		}
	}
	for _, c := range e.Reg.Collections() {
		if c.Custom {
			continue
		}
		base := "/data/" + c.Name
		add(http.MethodGet, base, e.Handle(func(ctx *gin.Context, p *Principal) (int, []byte, error) {
			b, err := e.List(ctx.Request.Context(), c, p, ctx.Request.URL.Query())
			return http.StatusOK, b, err
		}))
		add(http.MethodPost, base, e.Handle(func(ctx *gin.Context, p *Principal) (int, []byte, error) {
			body, err := ReadJSONBody(ctx)
			if err != nil {
				return 0, nil, err
			}
			b, err := e.Create(ctx.Request.Context(), c, p, body)
			return http.StatusCreated, b, err
		}))
		add(http.MethodGet, base+"/:id", e.Handle(func(ctx *gin.Context, p *Principal) (int, []byte, error) {
			b, err := e.Get(ctx.Request.Context(), c, p, ctx.Param("id"), ctx.Request.URL.Query())
			return http.StatusOK, b, err
		}))
		add(http.MethodPut, base+"/:id", e.Handle(func(ctx *gin.Context, p *Principal) (int, []byte, error) {
			// The body is read before the id is checked, as Zou does (415 wins over "Malformed ID.").
			body, err := ReadJSONBody(ctx)
			if err != nil {
				return 0, nil, err
			}
			b, err := e.Update(ctx.Request.Context(), c, p, ctx.Param("id"), body)
			return http.StatusOK, b, err
		}))
		add(http.MethodDelete, base+"/:id", e.Handle(func(ctx *gin.Context, p *Principal) (int, []byte, error) {
			err := e.Delete(ctx.Request.Context(), c, p, ctx.Param("id"), ctx.Request.URL.Query())
			return http.StatusNoContent, nil, err
		}))
	}
}

// Handle adapts a handler that returns (status, JSON body, error) to gin; the
// error path goes through WriteError, the one place errors become answers.
func (e *Engine) Handle(fn func(c *gin.Context, p *Principal) (int, []byte, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := PrincipalFrom(c)
		if p == nil {
			WriteError(c, Status(http.StatusUnauthorized, "Missing authentication."))
			return
		}
		status, body, err := fn(c, p)
		if err != nil {
			WriteError(c, err)
			return
		}
		if status == http.StatusNoContent {
			c.Status(status)
			return
		}
		c.Data(status, "application/json", body)
	}
}

// ReadJSONBody reads a request body that must be JSON and within the size cap
// (the cap is set by the server's body-limit middleware).
func ReadJSONBody(c *gin.Context) ([]byte, error) {
	ct := c.GetHeader("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil, Status(http.StatusUnsupportedMediaType, MsgContentType)
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, Status(http.StatusRequestEntityTooLarge, MsgTooLarge)
		}
		return nil, BadRequest("Failed to read the request body.")
	}
	return body, nil
}

// BodyLimit caps every request body; reads past it fail and answer 413.
func BodyLimit(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if max > 0 && c.Request.Body != nil {
			if c.Request.ContentLength > max {
				WriteError(c, Status(http.StatusRequestEntityTooLarge, MsgTooLarge))
				return
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		}
		c.Next()
	}
}

// SecurityHeaders adds the headers Zou sends on every answer.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", "frame-ancestors 'self'")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		c.Next()
	}
}

// NoRoute and NoMethod answer unknown URLs and methods in Zou's shape.
func NoRoute(c *gin.Context)  { WriteError(c, NotFound()) }
func NoMethod(c *gin.Context) { WriteError(c, Status(http.StatusMethodNotAllowed, MsgMethod)) }

// StripTrailingSlash lets every route answer with or without a trailing slash,
// as Zou's strict_slashes=False does, without gin's redirects.
func StripTrailingSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			r.URL.Path = strings.TrimRight(p, "/")
			if r.URL.Path == "" {
				r.URL.Path = "/"
			}
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r)
	})
}
