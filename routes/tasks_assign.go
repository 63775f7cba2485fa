package routes

import "github.com/gin-gonic/gin"

func (s *Server) mountTasksAssign(r gin.IRouter) {}
