package routes

import "github.com/gin-gonic/gin"

// mountComments adds the routes of one area. Comments: posting with status changes, replies, acknowledgements, attachments (routes.md § Comments).
func (s *Server) mountComments(r gin.IRouter) {
}
