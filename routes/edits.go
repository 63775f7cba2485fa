package routes

import "github.com/gin-gonic/gin"

// mountEdits adds the routes of one area. Edits (routes.md § Edits).
func (s *Server) mountEdits(r gin.IRouter) {
}
