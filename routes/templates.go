package routes

import "github.com/gin-gonic/gin"

// mountTemplates adds the routes of one area. Project templates, the non-CRUD part (routes.md § Project templates).
func (s *Server) mountTemplates(r gin.IRouter) {
}
