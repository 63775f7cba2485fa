package routes

import "github.com/gin-gonic/gin"

// mountProjects adds the routes of one area. Projects: team, settings, metadata descriptors, milestones, schedule, budgets (routes.md § Projects).
func (s *Server) mountProjects(r gin.IRouter) {
}
