package routes

import "github.com/gin-gonic/gin"

// mountTasks adds the routes of one area. Tasks: creation, assignment, time spents, to-do lists (routes.md § Tasks).
func (s *Server) mountTasks(r gin.IRouter) {
}
