package routes

import "github.com/gin-gonic/gin"

// mountNews adds the routes of one area. News feeds (routes.md § News).
func (s *Server) mountNews(r gin.IRouter) {
}
