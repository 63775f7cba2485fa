package routes

import "github.com/gin-gonic/gin"

// mountShots adds the routes of one area. Shots, sequences, episodes and scenes (routes.md § Shots, sequences, episodes, scenes).
func (s *Server) mountShots(r gin.IRouter) {
}
