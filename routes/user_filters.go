package routes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Saved search filters and filter groups of the caller. A caller owns the
// rows they created; an admin may change anyone's (Zou's _get_own_or_as_admin).
// Sharing a row with the team needs manager rights on its project, else the
// row silently stays private, as in Zou.

func (s *Server) userMountFilters(r gin.IRouter) {
	r.GET("/data/user/filters", s.userRoute(s.userFiltersList("search_filter")))
	r.POST("/data/user/filters", s.userRoute(s.userFilterCreate))
	r.PUT("/data/user/filters/:id", s.userRoute(s.userFilterUpdate))
	r.DELETE("/data/user/filters/:id", s.userRoute(s.userFilterDelete))
	r.GET("/data/user/filter-groups", s.userRoute(s.userFiltersList("search_filter_group")))
	r.POST("/data/user/filter-groups", s.userRoute(s.userFilterGroupCreate))
	r.GET("/data/user/filter-groups/:id", s.userRoute(s.userFilterGroupGet))
	r.PUT("/data/user/filter-groups/:id", s.userRoute(s.userFilterGroupUpdate))
	r.DELETE("/data/user/filter-groups/:id", s.userRoute(s.userFilterGroupDelete))
}

// userFilterCollection names the collection of a filter table.
func userFilterCollection(table string) string {
	if table == "search_filter_group" {
		return "search-filter-groups"
	}
	return "search-filters"
}

func (s *Server) userFiltersList(table string) handler {
	return func(c *gin.Context, who *access.Caller) (int, any, error) {
		b, err := s.userFiltersGrouped(c.Request.Context(), who, table)
		return http.StatusOK, b, err
	}
}

// userFiltersGrouped answers the filters (or groups) the caller sees, as
// {list_type: {project_id or "all": [rows]}}: their own, and the shared ones
// of open productions. Unlike Zou, shared rows of productions the caller is
// not in stay hidden (they would leak another team's saved queries). Rows
// of a department show to managers and to members of that department.
func (s *Server) userFiltersGrouped(ctx context.Context, who *access.Caller, table string) (json.RawMessage, error) {
	isManager := who.Role == "admin" || who.Role == "manager"
	order := "t.created_at, t.id"
	if table == "search_filter_group" {
		order = "t.created_at DESC, t.id"
	}
	b, err := s.Engine.Rows(ctx, nil, s.userCollection(userFilterCollection(table)), engine.View{}, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("(t.project_id IS NULL OR t.project_id IN ("+userOpenProjectIDsSQL+"))").
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				q = q.Where("t.person_id = ?", who.PersonID)
				if who.IsAdmin() {
					return q.WhereOr("t.is_shared")
				}
				return q.WhereOr("t.is_shared AND t.project_id IN (SELECT upl.project_id FROM project_person_link upl WHERE upl.person_id = ?)", who.PersonID)
			})
		if !isManager {
			q = q.Where("(t.department_id IS NULL OR t.department_id IN (SELECT udl.department_id FROM department_link udl WHERE udl.person_id = ?))", who.PersonID)
		}
		return q.OrderExpr(order)
	})
	if err != nil {
		return nil, fmt.Errorf("filters of %s: %w", who.PersonID, err)
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf("decode filters: %w", err)
	}
	grouped := map[string]map[string][]json.RawMessage{}
	for _, raw := range rows {
		var key struct {
			ListType  string  `json:"list_type"`
			ProjectID *string `json:"project_id"`
		}
		if err := json.Unmarshal(raw, &key); err != nil {
			return nil, fmt.Errorf("decode filter: %w", err)
		}
		project := "all"
		if key.ProjectID != nil {
			project = *key.ProjectID
		}
		if grouped[key.ListType] == nil {
			grouped[key.ListType] = map[string][]json.RawMessage{}
		}
		grouped[key.ListType][project] = append(grouped[key.ListType][project], raw)
	}
	return json.Marshal(grouped)
}

// userFilterRow is what changing a filter (or group) needs to know of it.
type userFilterRow struct {
	IsShared  bool           `bun:"is_shared"`
	ProjectID sql.NullString `bun:"project_id"`
	GroupID   sql.NullString `bun:"search_filter_group_id"`
}

// userFilterOwned reads the sharing, project and group of a filter row the
// caller may change: their own, or any row for an admin. 404 otherwise.
func (s *Server) userFilterOwned(ctx context.Context, who *access.Caller, table, id string) (*userFilterRow, error) {
	if !engine.IsUUID(id) {
		return nil, engine.NotFound()
	}
	group := "NULL"
	if table == "search_filter" {
		group = "search_filter_group_id::text"
	}
	var row userFilterRow
	q := s.DB.NewSelect().TableExpr("?", bun.Ident(table)).
		ColumnExpr("is_shared, project_id::text AS project_id, "+group+" AS search_filter_group_id").Where("id = ?", id)
	if !who.IsAdmin() {
		q = q.Where("person_id = ?", who.PersonID)
	}
	err := q.Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", table, id, err)
	}
	return &row, nil
}

// userMayShare reports whether the caller manages the project (Zou's
// has_manager_project_access); no project means no sharing.
func (s *Server) userMayShare(ctx context.Context, who *access.Caller, projectID string) (bool, error) {
	if projectID == "" {
		return false, nil
	}
	pr, err := who.LoadProject(ctx, projectID)
	var ee *engine.Error
	if errors.As(err, &ee) && ee.Status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return pr.IsManager(), nil
}

// userCheckExists answers 400 unless the row of table (a department or a
// project, named as Zou's sentence names it) exists; no id is no check.
func (s *Server) userCheckExists(ctx context.Context, table, id string) error {
	if id == "" {
		return nil
	}
	ok, err := s.DB.NewSelect().TableExpr("?", bun.Ident(table)).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return fmt.Errorf("check %s %s: %w", table, id, err)
	}
	if !ok {
		return engine.BadRequest("No " + table + " found with id: " + id)
	}
	return nil
}

// userCheckGroupSharing answers 404 for an unknown group and 400 when the
// filter's sharing differs from its group's.
func (s *Server) userCheckGroupSharing(ctx context.Context, groupID string, shared bool) error {
	var groupShared bool
	err := s.DB.NewSelect().TableExpr("search_filter_group").ColumnExpr("is_shared").Where("id = ?", groupID).Scan(ctx, &groupShared)
	if errors.Is(err, sql.ErrNoRows) {
		return engine.NotFound()
	}
	if err != nil {
		return fmt.Errorf("read filter group %s: %w", groupID, err)
	}
	if groupShared != shared {
		return engine.BadRequest("A search filter should have the same value for is_shared than its search filter group.")
	}
	return nil
}

// userFilterBody holds the keys a create body shares between filters and groups.
type userFilterBody struct {
	name, listType, projectID, entityType, departmentID string
	isShared                                            bool
}

// userReadFilterBody reads a create body and the keys it shares between
// filters and groups (list_type defaults to todo).
func userReadFilterBody(c *gin.Context) (map[string]json.RawMessage, userFilterBody, error) {
	var f userFilterBody
	m, err := bodyObject(c)
	if err != nil {
		return nil, f, err
	}
	if f.name, err = requiredString(m, "name"); err != nil {
		return nil, f, err
	}
	lt, ok, err := field[string](m, "list_type")
	if err != nil {
		return nil, f, err
	}
	f.listType = "todo"
	if ok && strings.TrimSpace(lt) != "" {
		f.listType = lt
	}
	if f.projectID, err = idField(m, "project_id"); err != nil {
		return nil, f, err
	}
	if f.departmentID, err = idField(m, "department_id"); err != nil {
		return nil, f, err
	}
	if f.entityType, _, err = field[string](m, "entity_type"); err != nil {
		return nil, f, err
	}
	if f.isShared, _, err = field[bool](m, "is_shared"); err != nil {
		return nil, f, err
	}
	return m, f, nil
}

// userCommonChecks validates a create body's references and applies the
// sharing rule.
func (s *Server) userCommonChecks(ctx context.Context, who *access.Caller, f *userFilterBody) error {
	if err := s.userCheckExists(ctx, "project", f.projectID); err != nil {
		return err
	}
	if err := s.userCheckExists(ctx, "department", f.departmentID); err != nil {
		return err
	}
	if f.isShared {
		ok, err := s.userMayShare(ctx, who, f.projectID)
		if err != nil {
			return err
		}
		f.isShared = ok
	}
	return nil
}

// userNullable turns "" into JSON null for insert values.
func userNullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// userFilterInsert creates a filter or group of the caller from the keys
// both share and the extra keys of its table; 201 with the row.
func (s *Server) userFilterInsert(ctx context.Context, who *access.Caller, coll string, f userFilterBody, extra map[string]any) (int, any, error) {
	data := map[string]any{
		"list_type": f.listType, "name": f.name, "project_id": userNullable(f.projectID),
		"person_id": who.PersonID, "entity_type": userNullable(f.entityType), "is_shared": f.isShared,
		"department_id": userNullable(f.departmentID),
	}
	maps.Copy(data, extra)
	values, err := engine.Values(data)
	if err != nil {
		return 0, nil, err
	}
	_, b, err := s.Engine.Insert(ctx, s.DB, s.userCollection(coll), who.Principal, values)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, b, nil
}

func (s *Server) userFilterCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, f, err := userReadFilterBody(c)
	if err != nil {
		return 0, nil, err
	}
	query, err := requiredString(m, "query")
	if err != nil {
		return 0, nil, err
	}
	groupID, err := idField(m, "search_filter_group_id")
	if err != nil {
		return 0, nil, err
	}
	if err := s.userCommonChecks(ctx, who, &f); err != nil {
		return 0, nil, err
	}
	if groupID != "" {
		if err := s.userCheckGroupSharing(ctx, groupID, f.isShared); err != nil {
			return 0, nil, err
		}
	}
	return s.userFilterInsert(ctx, who, "search-filters", f, map[string]any{
		"search_query": query, "search_filter_group_id": userNullable(groupID),
	})
}

// userFilterChanges reads the keys an update body shares between filters
// and groups: name and the other text key of the table, and the project
// and department (checked). It returns the changes and the row's project
// after them, which decides whether the row may be shared.
func (s *Server) userFilterChanges(ctx context.Context, m map[string]json.RawMessage, row *userFilterRow, textKey string) (map[string]any, string, error) {
	data := map[string]any{}
	for _, k := range []string{"name", textKey} {
		v, ok, err := field[string](m, k)
		if err != nil {
			return nil, "", err
		}
		if ok {
			data[k] = v
		}
	}
	projectID := row.ProjectID.String
	for _, table := range []string{"project", "department"} {
		key := table + "_id"
		v, err := idField(m, key)
		if err != nil {
			return nil, "", err
		}
		if v == "" {
			continue
		}
		if err := s.userCheckExists(ctx, table, v); err != nil {
			return nil, "", err
		}
		data[key] = v
		if table == "project" {
			projectID = v
		}
	}
	return data, projectID, nil
}

func (s *Server) userFilterUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	row, err := s.userFilterOwned(ctx, who, "search_filter", id)
	if err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	data, projectID, err := s.userFilterChanges(ctx, m, row, "search_query")
	if err != nil {
		return 0, nil, err
	}
	shared := row.IsShared
	if v, ok, err := field[bool](m, "is_shared"); err != nil {
		return 0, nil, err
	} else if ok && v != row.IsShared {
		allowed, err := s.userMayShare(ctx, who, projectID)
		if err != nil {
			return 0, nil, err
		}
		shared = v && allowed
		data["is_shared"] = shared
	}
	groupID := row.GroupID.String
	// An explicit null detaches the filter from its group.
	if _, ok := m["search_filter_group_id"]; ok {
		v, err := idField(m, "search_filter_group_id")
		if err != nil {
			return 0, nil, err
		}
		groupID = v
		data["search_filter_group_id"] = userNullable(v)
	}
	if groupID != "" {
		if err := s.userCheckGroupSharing(ctx, groupID, shared); err != nil {
			return 0, nil, err
		}
	}
	values, err := engine.Values(data)
	if err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.Patch(ctx, s.DB, s.userCollection("search-filters"), who.Principal, id, values)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, b, nil
}

func (s *Server) userFilterDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if _, err := s.userFilterOwned(ctx, who, "search_filter", id); err != nil {
		return 0, nil, err
	}
	if err := s.Engine.Remove(ctx, s.DB, s.userCollection("search-filters"), who.Principal, id, nil); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (s *Server) userFilterGroupCreate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	m, f, err := userReadFilterBody(c)
	if err != nil {
		return 0, nil, err
	}
	color, _, err := field[string](m, "color")
	if err != nil {
		return 0, nil, err
	}
	if err := s.userCommonChecks(ctx, who, &f); err != nil {
		return 0, nil, err
	}
	return s.userFilterInsert(ctx, who, "search-filter-groups", f, map[string]any{"color": color})
}

func (s *Server) userFilterGroupGet(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if _, err := s.userFilterOwned(ctx, who, "search_filter_group", id); err != nil {
		return 0, nil, err
	}
	b, err := s.Engine.One(ctx, nil, s.userCollection("search-filter-groups"), engine.View{}, id)
	return http.StatusOK, b, err
}

func (s *Server) userFilterGroupUpdate(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	row, err := s.userFilterOwned(ctx, who, "search_filter_group", id)
	if err != nil {
		return 0, nil, err
	}
	m, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	data, projectID, err := s.userFilterChanges(ctx, m, row, "color")
	if err != nil {
		return 0, nil, err
	}
	shared, sharingGiven, err := field[bool](m, "is_shared")
	if err != nil {
		return 0, nil, err
	}
	if sharingGiven && shared != row.IsShared {
		allowed, err := s.userMayShare(ctx, who, projectID)
		if err != nil {
			return 0, nil, err
		}
		shared = shared && allowed
	}
	if sharingGiven {
		data["is_shared"] = shared
	}
	values, err := engine.Values(data)
	if err != nil {
		return 0, nil, err
	}
	var b []byte
	// The group's filters follow its sharing: both rows change together.
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		b, err = s.Engine.Patch(ctx, tx, s.userCollection("search-filter-groups"), who.Principal, id, values)
		if err != nil || !sharingGiven {
			return err
		}
		_, err = tx.NewUpdate().TableExpr("search_filter").Set("is_shared = ?", shared).
			Where("search_filter_group_id = ?", id).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, b, nil
}

func (s *Server) userFilterGroupDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if _, err := s.userFilterOwned(ctx, who, "search_filter_group", id); err != nil {
		return 0, nil, err
	}
	// The group's filters go with it, in the same transaction.
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().TableExpr("search_filter").Where("search_filter_group_id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete filters of group %s: %w", id, err)
		}
		return s.Engine.Remove(ctx, tx, s.userCollection("search-filter-groups"), who.Principal, id, nil)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
