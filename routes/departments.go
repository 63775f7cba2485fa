package routes

import "github.com/gin-gonic/gin"

// mountDepartments adds the routes of one area. Departments: software and hardware links (routes.md § Departments).
func (s *Server) mountDepartments(r gin.IRouter) {
}
