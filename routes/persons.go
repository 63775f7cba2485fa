package routes

import "github.com/gin-gonic/gin"

// mountPersons adds the routes of one area. Persons: time sheets, day offs, admin actions (routes.md § Persons).
func (s *Server) mountPersons(r gin.IRouter) {
}
