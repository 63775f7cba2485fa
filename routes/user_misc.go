package routes

import "github.com/gin-gonic/gin"

func (s *Server) mountUserMisc(r gin.IRouter) {}
