package routes

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// departmentsLinkKind is one of the two things a department is equipped with:
// software licences or hardware items, each through its own link table.
type departmentsLinkKind struct {
	coll     string // the /data collection of the linked rows
	table    string // the linked rows' table
	link     string // the link table
	column   string // the link table's column naming the linked row
	bodyKey  string // the POST body's key
	notFound string // Zou's NotFound for a missing linked row
}

var (
	departmentsSoftware = departmentsLinkKind{coll: "softwares", table: "software",
		link: "software_department_link", column: "software_id", bodyKey: "software_id"}
	departmentsHardware = departmentsLinkKind{coll: "hardware-items", table: "hardware_item",
		link: "hardware_item_department_link", column: "hardware_item_id", bodyKey: "hardware_item_id"}
)

// mountDepartments adds the routes of one area. Departments: software and hardware links (routes.md § Departments).
func (s *Server) mountDepartments(r gin.IRouter) {
	for path, k := range map[string]departmentsLinkKind{"software-licenses": departmentsSoftware, "hardware-items": departmentsHardware} {
		r.GET("/data/departments/"+path, s.route(s.departmentsAllLinked(k)))
		r.POST("/data/departments/:id/"+path, s.route(s.departmentsAddLink(k)))
		r.GET("/data/departments/:id/"+path+"/:item_id", s.route(s.departmentsLinked(k)))
		r.DELETE("/data/departments/:id/"+path+"/:item_id", s.route(s.departmentsRemoveLink(k)))
	}
}

// departmentsAllLinked answers the linked rows grouped by department id.
func (s *Server) departmentsAllLinked(k departmentsLinkKind) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		if err := who.RequireAdmin(); err != nil {
			return 0, nil, err
		}
		coll := s.Engine.Reg.MustCollection(k.coll)
		var b string
		err := s.DB.NewRaw(`SELECT COALESCE(jsonb_object_agg(d.department_id, d.rows), '{}')::text
			FROM (SELECT l.department_id::text AS department_id, jsonb_agg(`+coll.ObjectSQL("x")+` ORDER BY x.name) AS rows
				FROM `+k.table+` x JOIN `+k.link+` l ON l.`+k.column+` = x.id GROUP BY l.department_id) d`).Scan(c.Request.Context(), &b)
		if err != nil {
			return 0, nil, fmt.Errorf("%s by department: %w", k.table, err)
		}
		return http.StatusOK, []byte(b), nil
	}
}

// departmentsLinked answers the rows linked to one department. The trailing
// id of the path is not a filter (Zou's route reads the department only).
func (s *Server) departmentsLinked(k departmentsLinkKind) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		if err := who.RequireAdmin(); err != nil {
			return 0, nil, err
		}
		ctx := c.Request.Context()
		dep, err := departmentsCheckIDs(c, "id", "item_id")
		if err != nil {
			return 0, nil, err
		}
		if err := departmentsExists(ctx, s, "department", dep); err != nil {
			return 0, nil, err
		}
		coll := s.Engine.Reg.MustCollection(k.coll)
		b, err := s.Engine.Rows(ctx, s.DB, coll, engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("t.id IN (SELECT l."+k.column+" FROM "+k.link+" l WHERE l.department_id = ?)", dep).OrderExpr("t.name")
		})
		return http.StatusOK, b, err
	}
}

// departmentsAddLink links a row to a department (once: a second call answers the same link).
func (s *Server) departmentsAddLink(k departmentsLinkKind) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		if err := who.RequireAdmin(); err != nil {
			return 0, nil, err
		}
		dep, err := departmentsCheckIDs(c, "id")
		if err != nil {
			return 0, nil, err
		}
		body, err := bodyObject(c)
		if err != nil {
			return 0, nil, err
		}
		item, err := idField(body, k.bodyKey)
		if err != nil {
			return 0, nil, err
		}
		if item == "" {
			return 0, nil, engine.BadRequest(fmt.Sprintf("The field %s is missing.", k.bodyKey))
		}
		ctx := c.Request.Context()
		if err := departmentsExists(ctx, s, "department", dep); err != nil {
			return 0, nil, err
		}
		if err := departmentsExists(ctx, s, k.table, item); err != nil {
			return 0, nil, err
		}
		// Get-or-create in one statement: two admins clicking at once still make one link.
		b, err := engine.QueryObject(ctx, s.DB, `WITH ins AS (
			INSERT INTO `+k.link+` (id, created_at, updated_at, department_id, `+k.column+`)
			SELECT gen_random_uuid(), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', ?0, ?1
			WHERE NOT EXISTS (SELECT 1 FROM `+k.link+` WHERE department_id = ?0 AND `+k.column+` = ?1)
			RETURNING *)
			SELECT id, created_at, updated_at, department_id, `+k.column+` FROM ins
			UNION ALL SELECT id, created_at, updated_at, department_id, `+k.column+` FROM `+k.link+`
			WHERE department_id = ?0 AND `+k.column+` = ?1`, dep, item)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, b, nil
	}
}

// departmentsRemoveLink unlinks a row from a department (204 even when it was not linked, as Zou).
func (s *Server) departmentsRemoveLink(k departmentsLinkKind) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		if err := who.RequireAdmin(); err != nil {
			return 0, nil, err
		}
		dep, err := departmentsCheckIDs(c, "id", "item_id")
		if err != nil {
			return 0, nil, err
		}
		item := c.Param("item_id")
		ctx := c.Request.Context()
		if err := departmentsExists(ctx, s, "department", dep); err != nil {
			return 0, nil, err
		}
		if err := departmentsExists(ctx, s, k.table, item); err != nil {
			return 0, nil, err
		}
		if _, err := s.DB.NewRaw("DELETE FROM "+k.link+" WHERE department_id = ? AND "+k.column+" = ?", dep, item).Exec(ctx); err != nil {
			return 0, nil, fmt.Errorf("unlink %s: %w", k.table, err)
		}
		return http.StatusNoContent, nil, nil
	}
}

// departmentsCheckIDs is Zou's check_id_parameter on path ids (400 "Wrong
// UUID format."); it returns the first one.
func departmentsCheckIDs(c *gin.Context, names ...string) (string, error) {
	for _, n := range names {
		if !engine.IsUUID(c.Param(n)) {
			return "", engine.BadRequest("Wrong UUID format.")
		}
	}
	return c.Param(names[0]), nil
}

// departmentsExists answers Zou's 404 when no row of table has the id.
func departmentsExists(ctx context.Context, s *Server, table, id string) error {
	var one int
	err := s.DB.NewRaw("SELECT 1 FROM "+table+" WHERE id = ?", id).Scan(ctx, &one)
	if errors.Is(err, sql.ErrNoRows) {
		return engine.NotFound()
	}
	if err != nil {
		return fmt.Errorf("find %s %s: %w", table, id, err)
	}
	return nil
}
