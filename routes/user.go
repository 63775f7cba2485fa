package routes

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// mountUser adds the routes of one area. The current user's views (routes.md § Current user).
func (s *Server) mountUser(r gin.IRouter) {
	// Entities of open productions where the caller has assigned tasks.
	r.GET("/data/user/assets/:id/tasks", s.userRoute(s.userEntityTasks("Asset")))
	r.GET("/data/user/shots/:id/tasks", s.userRoute(s.userEntityTasks("Shot")))
	r.GET("/data/user/scenes/:id/tasks", s.userRoute(s.userEntityTasks("Scene")))
	r.GET("/data/user/sequences/:id/tasks", s.userRoute(s.userEntityTasks("Sequence")))
	r.GET("/data/user/assets/:id/task-types", s.userRoute(s.userEntityTaskTypes("Asset")))
	r.GET("/data/user/shots/:id/task-types", s.userRoute(s.userEntityTaskTypes("Shot")))
	r.GET("/data/user/scenes/:id/task-types", s.userRoute(s.userEntityTaskTypes("Scene")))
	r.GET("/data/user/sequences/:id/task-types", s.userRoute(s.userEntityTaskTypes("Sequence")))
	r.GET("/data/user/projects/open", s.userRoute(s.userOpenProjectsRoute))
	r.GET("/data/user/projects/:id/asset-types", s.userRoute(s.userProjectAssetTypes))
	r.GET("/data/user/projects/:id/asset-types/:asset_type_id/assets", s.userRoute(s.userProjectAssets))
	r.GET("/data/user/projects/:id/sequences", s.userRoute(s.userProjectSequences))
	r.GET("/data/user/projects/:id/episodes", s.userRoute(s.userProjectEpisodes))
	r.GET("/data/user/sequences/:id/shots", s.userRoute(s.userSequenceChildren("Shot")))
	r.GET("/data/user/sequences/:id/scenes", s.userRoute(s.userSequenceChildren("Scene")))
	r.GET("/data/user/context", s.userRoute(s.userContext))

	s.userMountTasks(r)
	s.userMountFilters(r)
	s.userMountNotifications(r)
	s.userMountMisc(r)
}

// userRoute is route for the person-only views: bots are refused (Zou's
// check_person_permissions on the whole /data/user blueprint).
func (s *Server) userRoute(fn handler) gin.HandlerFunc {
	return s.route(func(c *gin.Context, who *access.Caller) (int, any, error) {
		if err := who.RequirePerson(); err != nil {
			return 0, nil, err
		}
		return fn(c, who)
	})
}

// userOpenProjectIDsSQL selects the ids of every open production.
const userOpenProjectIDsSQL = `SELECT upr.id FROM project upr
 JOIN project_status ups ON ups.id = upr.project_status_id WHERE ups.name = 'Open'`

// userAssignedSQL is the condition "task alias is assigned to person ?".
func userAssignedSQL(alias string) string {
	return `EXISTS (SELECT 1 FROM task_person_link ua WHERE ua.task_id = ` + alias + `.id AND ua.person_id = ?)`
}

// userCollection returns a registered collection or table by name.
func (s *Server) userCollection(name string) *engine.Collection {
	if c, ok := s.Engine.Reg.Collection(name); ok {
		return c
	}
	if c, ok := s.Engine.Reg.Table(name); ok {
		return c
	}
	panic("routes: no collection " + name)
}

// userEntityRows answers the rows of coll that where picks for the entity of
// the path, once the caller is known to reach that entity of a kind (404
// otherwise).
func (s *Server) userEntityRows(c *gin.Context, who *access.Caller, kind, coll string, view engine.View,
	where func(q *bun.SelectQuery, entityID string) *bun.SelectQuery) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if _, err := who.Entity(ctx, id, kind); err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.userCollection(coll), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		return where(q, id)
	})
	return http.StatusOK, b, err
}

// userProjectRows answers the rows of coll that where picks for the project
// of the path, once the caller is known to reach it (404 otherwise).
func (s *Server) userProjectRows(c *gin.Context, who *access.Caller, coll string, view engine.View,
	where func(q *bun.SelectQuery, projectID string) *bun.SelectQuery) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.userCollection(coll), view, func(q *bun.SelectQuery) *bun.SelectQuery {
		return where(q, pr.ID)
	})
	return http.StatusOK, b, err
}

// userEntityTasks answers the caller's assigned tasks of one entity of a
// kind, in open productions. The entity must be reachable (404 otherwise).
func (s *Server) userEntityTasks(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		return s.userEntityRows(c, who, kind, "tasks", engine.View{}, func(q *bun.SelectQuery, id string) *bun.SelectQuery {
			return q.Where("t.entity_id = ?", id).
				Where("t.project_id IN ("+userOpenProjectIDsSQL+")").
				Where(userAssignedSQL("t"), who.PersonID).
				OrderExpr("t.created_at, t.id")
		})
	}
}

// userEntityTaskTypes answers the task types of the caller's assigned tasks
// on one entity of a kind, in open productions.
func (s *Server) userEntityTaskTypes(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		return s.userEntityRows(c, who, kind, "task-types", engine.View{}, func(q *bun.SelectQuery, id string) *bun.SelectQuery {
			return q.Where(`t.id IN (SELECT ut.task_type_id FROM task ut WHERE ut.entity_id = ?
				AND ut.project_id IN (`+userOpenProjectIDsSQL+`) AND `+userAssignedSQL("ut")+`)`, id, who.PersonID).
				OrderExpr("t.priority, t.name")
		})
	}
}

// userProjectAssetTypes answers the asset types of the assets of a project
// where the caller has assigned tasks (open productions only).
func (s *Server) userProjectAssetTypes(c *gin.Context, who *access.Caller) (int, any, error) {
	return s.userProjectRows(c, who, "entity-types", engine.View{TypeName: "AssetType"}, func(q *bun.SelectQuery, projectID string) *bun.SelectQuery {
		return q.Where("t.name NOT IN "+userTemporalTypes).
			Where(`t.id IN (SELECT ue.entity_type_id FROM entity ue JOIN task ut ON ut.entity_id = ue.id
				WHERE ue.project_id = ? AND ut.project_id IN (`+userOpenProjectIDsSQL+`) AND `+userAssignedSQL("ut")+`)`,
				projectID, who.PersonID).
			OrderExpr("t.name")
	})
}

// userProjectAssets answers the assets of one type in a project where the
// caller has assigned tasks.
func (s *Server) userProjectAssets(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	pr, err := who.Project(ctx, c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	typeID := c.Param("asset_type_id")
	if err := s.userRequireAssetType(ctx, typeID); err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Rows(ctx, nil, s.userCollection("entities"), engine.View{TypeName: "Asset"}, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("t.entity_type_id = ? AND t.project_id = ?", typeID, pr.ID).
			Where(`t.id IN (SELECT ut.entity_id FROM task ut WHERE ut.project_id IN (`+userOpenProjectIDsSQL+`) AND `+
				userAssignedSQL("ut")+`)`, who.PersonID).
			OrderExpr("t.name")
	})
	return http.StatusOK, b, err
}

// userRequireAssetType answers 404 unless id is an entity type that is an asset type.
func (s *Server) userRequireAssetType(ctx context.Context, id string) error {
	return s.userRequire(ctx, "entity_type", "name NOT IN "+userTemporalTypes, id)
}

// userProjectSequences answers the sequences of a project holding shots
// where the caller has assigned tasks.
func (s *Server) userProjectSequences(c *gin.Context, who *access.Caller) (int, any, error) {
	return s.userProjectRows(c, who, "entities", engine.View{TypeName: "Sequence"}, func(q *bun.SelectQuery, projectID string) *bun.SelectQuery {
		return q.Where("t.project_id = ?", projectID).
			Where("t.entity_type_id IN (SELECT id FROM entity_type WHERE name = 'Sequence')").
			Where(`t.id IN (SELECT ush.parent_id FROM entity ush JOIN task ut ON ut.entity_id = ush.id
				WHERE ush.entity_type_id IN (SELECT id FROM entity_type WHERE name = 'Shot')
				AND ut.project_id IN (`+userOpenProjectIDsSQL+`) AND `+userAssignedSQL("ut")+`)`, who.PersonID).
			OrderExpr("t.name")
	})
}

// userProjectEpisodes answers the episodes of a project holding shots (via
// their sequences) where the caller has assigned tasks.
func (s *Server) userProjectEpisodes(c *gin.Context, who *access.Caller) (int, any, error) {
	return s.userProjectRows(c, who, "entities", engine.View{TypeName: "Episode"}, func(q *bun.SelectQuery, projectID string) *bun.SelectQuery {
		return q.Where("t.project_id = ?", projectID).
			Where("t.entity_type_id IN (SELECT id FROM entity_type WHERE name = 'Episode')").
			Where(`t.id IN (SELECT useq.parent_id FROM entity useq JOIN entity ush ON ush.parent_id = useq.id
				JOIN task ut ON ut.entity_id = ush.id
				WHERE useq.entity_type_id IN (SELECT id FROM entity_type WHERE name = 'Sequence')
				AND ush.entity_type_id IN (SELECT id FROM entity_type WHERE name = 'Shot')
				AND ut.project_id IN (`+userOpenProjectIDsSQL+`) AND `+userAssignedSQL("ut")+`)`, who.PersonID).
			OrderExpr("t.name")
	})
}

// userSequenceChildren answers the shots or scenes of a sequence where the
// caller has assigned tasks.
func (s *Server) userSequenceChildren(kind string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		return s.userEntityRows(c, who, "Sequence", "entities", engine.View{TypeName: kind}, func(q *bun.SelectQuery, id string) *bun.SelectQuery {
			return q.Where("t.parent_id = ?", id).
				Where("t.entity_type_id IN (SELECT id FROM entity_type WHERE name = ?)", kind).
				Where(`t.id IN (SELECT ut.entity_id FROM task ut WHERE ut.project_id IN (`+userOpenProjectIDsSQL+`) AND `+
					userAssignedSQL("ut")+`)`, who.PersonID).
				OrderExpr("t.name")
		})
	}
}
