package routes

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// DELETE /data/projects/<id>?force=true removes a closed production and
// everything that hangs from it. Rather than one hand-written delete per
// table (which would silently miss the tables other areas add), the rows
// are found by following the schema's foreign keys from the project, in one
// transaction.

// projectsFK is one single-column foreign key of the schema.
type projectsFK struct {
	Child    string `bun:"child"`
	Column   string `bun:"col"`
	Parent   string `bun:"parent"`
	Nullable bool   `bun:"nullable"`
	HasID    bool   `bun:"has_id"`
}

// projectsDelete is DELETE /data/projects/<id>: the generic delete (Open
// projects refused), or with ?force the purge.
func (s *Server) projectsDelete(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	coll := s.projectsColl("projects")
	id := c.Param("id")
	if !boolQuery(c, "force", false) {
		if err := s.Engine.Delete(ctx, coll, who.Principal, id, c.Request.URL.Query()); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, nil
	}
	if !engine.IsUUID(id) {
		return 0, nil, engine.MalformedID()
	}
	if !who.IsAdmin() && !slices.Contains(s.Engine.Authz.Conditions(who.Role, coll.Name, engine.ActDelete), "all") {
		return 0, nil, engine.Forbidden()
	}
	pr, err := who.LoadProject(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	if pr.Open {
		return 0, nil, engine.BadRequest("Only closed projects can be deleted")
	}
	if err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return projectsPurge(ctx, tx, id) }); err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.publish(ctx, "project:delete", map[string]any{"project_id": id}, "")
	return http.StatusNoContent, nil, nil
}

// projectsPurge deletes project id and every row reaching it through
// foreign keys: first it collects them (breadth first over the keys), then
// clears the nullable references among them (which breaks cycles such as
// entity.parent_id), then deletes link rows and each table once no other
// pending table still points at it.
func projectsPurge(ctx context.Context, tx bun.IDB, id string) error {
	var fks []projectsFK
	if err := tx.NewRaw(`SELECT cl.relname AS child, a.attname AS col, pl.relname AS parent, NOT a.attnotnull AS nullable,
 EXISTS (SELECT 1 FROM pg_attribute i WHERE i.attrelid = cl.oid AND i.attname = 'id' AND NOT i.attisdropped) AS has_id
 FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class pl ON pl.oid = c.confrelid
 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
 WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND cl.relnamespace = to_regnamespace(current_schema())
 ORDER BY 1, 2`).Scan(ctx, &fks); err != nil {
		return fmt.Errorf("read foreign keys: %w", err)
	}
	rows := map[string][]string{"project": {id}}
	seen := map[string]map[string]bool{"project": {id: true}}
	order := []string{"project"}
	for changed := true; changed; {
		changed = false
		for _, fk := range fks {
			parents := rows[fk.Parent]
			if !fk.HasID || len(parents) == 0 {
				continue
			}
			var ids []string
			if err := tx.NewRaw("SELECT id::text FROM ? WHERE ?::text = ANY(?)", bun.Ident(fk.Child), bun.Ident(fk.Column), projectsPgStrings(parents)).
				Scan(ctx, &ids); err != nil && !projectsNoRows(err) {
				return fmt.Errorf("collect %s: %w", fk.Child, err)
			}
			if seen[fk.Child] == nil {
				seen[fk.Child] = map[string]bool{}
			}
			for _, x := range ids {
				if !seen[fk.Child][x] {
					seen[fk.Child][x] = true
					if len(rows[fk.Child]) == 0 && !slices.Contains(order, fk.Child) {
						order = append(order, fk.Child)
					}
					rows[fk.Child] = append(rows[fk.Child], x)
					changed = true
				}
			}
		}
	}
	for _, fk := range fks {
		if fk.HasID && fk.Nullable && len(rows[fk.Child]) > 0 {
			if _, err := tx.NewRaw("UPDATE ? SET ? = NULL WHERE id::text = ANY(?) AND ? IS NOT NULL",
				bun.Ident(fk.Child), bun.Ident(fk.Column), projectsPgStrings(rows[fk.Child]), bun.Ident(fk.Column)).Exec(ctx); err != nil {
				return fmt.Errorf("unlink %s.%s: %w", fk.Child, fk.Column, err)
			}
		}
	}
	for _, fk := range fks {
		if !fk.HasID && len(rows[fk.Parent]) > 0 {
			if _, err := tx.NewRaw("DELETE FROM ? WHERE ?::text = ANY(?)", bun.Ident(fk.Child), bun.Ident(fk.Column), projectsPgStrings(rows[fk.Parent])).Exec(ctx); err != nil {
				return fmt.Errorf("delete links of %s: %w", fk.Child, err)
			}
		}
	}
	pending := slices.Clone(order)
	for len(pending) > 0 {
		progressed := false
		for i := 0; i < len(pending); i++ {
			t := pending[i]
			blocked := slices.ContainsFunc(fks, func(fk projectsFK) bool {
				return fk.Parent == t && fk.Child != t && fk.HasID && !fk.Nullable && slices.Contains(pending, fk.Child)
			})
			if blocked {
				continue
			}
			if _, err := tx.NewRaw("DELETE FROM ? WHERE id::text = ANY(?)", bun.Ident(t), projectsPgStrings(rows[t])).Exec(ctx); err != nil {
				return fmt.Errorf("delete %s: %w", t, err)
			}
			pending = slices.Delete(pending, i, i+1)
			i--
			progressed = true
		}
		if !progressed {
			return fmt.Errorf("purge project: circular references between %v", pending)
		}
	}
	return nil
}
