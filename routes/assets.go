package routes

import "github.com/gin-gonic/gin"

// mountAssets adds the routes of one area. Assets: asset types, assets, asset instances and sharing (routes.md § Assets).
func (s *Server) mountAssets(r gin.IRouter) {
}
