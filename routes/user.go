package routes

import "github.com/gin-gonic/gin"

// mountUser adds the routes of one area. The current user's views (routes.md § Current user).
func (s *Server) mountUser(r gin.IRouter) {
}
