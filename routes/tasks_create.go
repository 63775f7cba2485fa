package routes

import "github.com/gin-gonic/gin"

func (s *Server) mountTasksCreate(r gin.IRouter) {}
