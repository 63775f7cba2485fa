package routes

import "github.com/gin-gonic/gin"

// mountBreakdown adds the routes of one area. Breakdown: casting of shots, episodes and assets, entity links (routes.md § Breakdown / casting).
func (s *Server) mountBreakdown(r gin.IRouter) {
}
