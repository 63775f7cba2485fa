package routes

import "github.com/gin-gonic/gin"

// mountEntities adds the routes of one area. Entities: generic entity routes (routes.md § Entities) and the /data/entities overrides.
func (s *Server) mountEntities(r gin.IRouter) {
}
