package routes

import "github.com/gin-gonic/gin"

func (s *Server) mountTasksTime(r gin.IRouter) {}
