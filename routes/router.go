// Package routes holds the hand-written routes, one file per area, and builds
// the router that also mounts the engine's generic /data collections.
package routes

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/engine"
)

// Version is the Zou API version this server speaks (Gazu reads it from GET /).
const Version = "1.0.67"

// Server is everything the routes need, built once by cmd/zou (or a test).
type Server struct {
	Cfg    config.Config
	DB     *bun.DB
	Engine *engine.Engine
	Auth   *auth.Authenticator
	Store  auth.Store
}

// Handler builds the HTTP handler: middlewares, hand-written routes, then every collection.
func (s *Server) Handler() http.Handler { return engine.StripTrailingSlash(s.build(true)) }

// GenericHandler is the router without the hand-written areas: index, auth
// and the /data API exactly as the registry alone defines it. The engine's
// own tests run against it, so that an area overriding a collection (tasks,
// entities…) does not change what they pin about the generic machinery.
func (s *Server) GenericHandler() http.Handler { return engine.StripTrailingSlash(s.build(false)) }

// Routes lists the method and path of every route the server answers.
func (s *Server) Routes() gin.RoutesInfo { return s.build(true).Routes() }

func (s *Server) build(areas bool) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.Use(requestLog(), gin.CustomRecovery(func(c *gin.Context, err any) {
		slog.Error("panic", "path", c.Request.URL.Path, "request_id", c.GetString("request_id"), "err", err)
		engine.WriteError(c, engine.Status(http.StatusInternalServerError, engine.MsgInternal))
	}), engine.SecurityHeaders(), engine.BodyLimit(s.bodyLimit()))
	r.NoRoute(engine.NoRoute)
	r.NoMethod(engine.NoMethod)

	s.mountIndex(r)
	s.mountAuth(r)
	authed := r.Group("", s.Auth.Require())
	if areas {
		// Hand-written routes first: where one answers a /data/<collection>
		// method and path itself, the engine's generic route is left out.
		s.mountAssets(authed)
		s.mountBreakdown(authed)
		s.mountEntities(authed)
		s.mountShots(authed)
		s.mountEdits(authed)
		s.mountConcepts(authed)
		s.mountProjects(authed)
		s.mountTemplates(authed)
		s.mountNews(authed)
		s.mountTasks(authed)
		s.mountComments(authed)
		s.mountPersons(authed)
		s.mountDepartments(authed)
		s.mountUser(authed)
	}
	mounted := map[string]bool{}
	for _, rt := range r.Routes() {
		mounted[rt.Method+" "+rt.Path] = true
	}
	s.Engine.Mount(authed, func(method, path string) bool { return mounted[method+" "+path] })
	return r
}

func (s *Server) bodyLimit() int64 {
	limit := s.Cfg.MaxJSONBody
	if s.Cfg.MaxContentLength > 0 && (limit <= 0 || s.Cfg.MaxContentLength < limit) {
		limit = s.Cfg.MaxContentLength
	}
	return limit
}

// requestLog gives each request an id and logs it with its status and duration.
func requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = uuid.NewString()
		}
		c.Set("request_id", id)
		start := time.Now()
		c.Next()
		slog.Debug("request", "method", c.Request.Method, "path", c.Request.URL.Path,
			"status", c.Writer.Status(), "ms", time.Since(start).Milliseconds(), "request_id", id)
	}
}
