package routes

import "github.com/gin-gonic/gin"

// mountConcepts adds the routes of one area. Concepts (routes.md § Concepts).
func (s *Server) mountConcepts(r gin.IRouter) {
}
