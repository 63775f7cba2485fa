package routes

import "github.com/gin-gonic/gin"

func (s *Server) mountTasksData(r gin.IRouter) {}
