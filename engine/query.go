package engine

import (
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// readSpec says which keys a read query produces.
type readSpec struct {
	relations bool
	fields    map[string]bool // nil = every column
	visible   map[string]bool // nil = every column (hooks narrow it per caller)
}

// outputs lists what a read query selects, in JSON key order.
func (e *Engine) outputs(c *Collection, spec readSpec) ([]output, error) {
	keep := func(key string) bool {
		if key == "id" {
			return true
		}
		if spec.visible != nil && !spec.visible[key] {
			return false
		}
		return spec.fields == nil || spec.fields[key]
	}
	var outs []output
	for _, col := range c.columns() {
		if col.Hidden || !keep(col.Key) {
			continue
		}
		outs = append(outs, output{key: col.Key, expr: col.selectExpr("t"), kind: col.kind})
	}
	for _, cc := range c.Computed {
		if keep(cc.Name) {
			outs = append(outs, output{key: cc.Name, expr: cc.SQL, kind: kString})
		}
	}
	for _, n := range c.NestedRefs {
		if !keep(n.Name) {
			continue
		}
		expr, err := e.Reg.nestedExpr(n, "t")
		if err != nil {
			return nil, err
		}
		outs = append(outs, output{key: n.Name, expr: expr, kind: kJSON})
	}
	if spec.relations {
		for i := range c.Relations {
			r := &c.Relations[i]
			if keep(r.Name) {
				outs = append(outs, output{key: r.Name, expr: r.selectExpr("t"), kind: kJSON})
			}
		}
	}
	return outs, nil
}

// baseSelect starts a query over the collection's table aliased "t".
func (e *Engine) baseSelect(db bun.IDB, c *Collection, outs []output) *bun.SelectQuery {
	q := db.NewSelect().TableExpr("? AS t", bun.Ident(c.Table.Name))
	for _, o := range outs {
		q = q.ColumnExpr(o.expr+" AS "+quoteIdent(o.key), o.args...)
	}
	return q
}

// applyFilters ANDs the parsed filters; identifiers come from the registry only,
// values only through placeholders.
func applyFilters(q *bun.SelectQuery, filters []Filter) *bun.SelectQuery {
	for _, f := range filters {
		switch f.Op {
		case opRelation:
			q = q.Where(fmt.Sprintf("EXISTS (SELECT 1 FROM %s j WHERE j.%s = t.id AND j.%s = ?)",
				quoteIdent(f.Relation.JoinTable), quoteIdent(f.Relation.OwnColumn), quoteIdent(f.Relation.OtherColumn)), f.Values[0])
		case opILike:
			q = q.Where("t."+quoteIdent(f.Column.Name)+" ILIKE ?", f.Values[0])
		case opIn:
			q = q.Where("t."+quoteIdent(f.Column.Name)+castSuffix(f.Column)+" IN (?)", bun.List(f.Values))
		default:
			if f.Computed != nil {
				q = q.Where("("+f.Computed.SQL+") = ?", f.Values[0])
				continue
			}
			q = q.Where("t."+quoteIdent(f.Column.Name)+" = ?"+castSuffix(f.Column), f.Values[0])
		}
	}
	return q
}

// castSuffix keeps comparisons typed where a quoted literal would be ambiguous.
func castSuffix(col *Column) string {
	switch col.kind {
	case kJSON:
		return "::jsonb"
	}
	return ""
}

// openTeamProjects is the set of projects a person sees in lists: open ones where they are in the team.
const openTeamProjects = `SELECT ppl.project_id FROM project_person_link ppl
 JOIN project pr ON pr.id = ppl.project_id
 JOIN project_status ps ON ps.id = pr.project_status_id
 WHERE ppl.person_id = ? AND ps.name = 'Open'`

// assignedExpr is a boolean SQL expression: the row hangs on a task assigned to the person (?).
func (c *Collection) assignedExpr() string {
	switch {
	case c.AssignedSQL != "":
		return c.AssignedSQL
	case c.Table.Name == "task":
		return "EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = t.id AND a.person_id = ?)"
	case c.Table.Name == "entity":
		return "EXISTS (SELECT 1 FROM task x JOIN task_person_link a ON a.task_id = x.id WHERE x.entity_id = t.id AND a.person_id = ?)"
	}
	if _, ok := c.Column("task_id"); ok {
		return "EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = t.task_id AND a.person_id = ?)"
	}
	return ""
}

// scope narrows a list to the rows the conditions grant; ok is false when no
// condition can hold (the list is then empty rather than an error).
func (e *Engine) scope(q *bun.SelectQuery, c *Collection, p *Principal, conds []string) (*bun.SelectQuery, bool) {
	var parts []string
	var args []any
	for _, cond := range conds {
		switch cond {
		case "all":
			return q, true
		case "team":
			if c.ProjectExpr != "" {
				parts = append(parts, "("+c.ProjectExpr+") IN ("+openTeamProjects+")")
				args = append(args, p.PersonID)
			}
		case "self":
			if c.OwnerColumn != "" {
				parts = append(parts, "t."+quoteIdent(c.OwnerColumn)+" = ?")
				args = append(args, p.PersonID)
			}
		case "creator":
			if c.CreatorColumn != "" {
				parts = append(parts, "t."+quoteIdent(c.CreatorColumn)+" = ?")
				args = append(args, p.PersonID)
			}
		case "assigned":
			if expr := c.assignedExpr(); expr != "" {
				parts = append(parts, expr)
				args = append(args, p.PersonID)
			}
		}
	}
	if len(parts) == 0 {
		return q, false
	}
	return q.Where("("+strings.Join(parts, " OR ")+")", args...), true
}

// permOutputs are the internal columns a single-row read adds so that one round
// trip also answers "whose project, which role there, is the caller in it".
func (e *Engine) permOutputs(q *bun.SelectQuery, c *Collection, p *Principal) (*bun.SelectQuery, []string) {
	var names []string
	if c.ProjectExpr != "" {
		q = q.ColumnExpr("("+c.ProjectExpr+")::text AS __project").
			ColumnExpr("(SELECT ppl.role FROM project_person_link ppl WHERE ppl.project_id = ("+c.ProjectExpr+") AND ppl.person_id = ?) AS __prole", p.PersonID).
			ColumnExpr("EXISTS (SELECT 1 FROM project_person_link ppl WHERE ppl.project_id = ("+c.ProjectExpr+") AND ppl.person_id = ?) AS __member", p.PersonID)
		names = append(names, "__project", "__prole", "__member")
	}
	if c.OwnerColumn != "" {
		q = q.ColumnExpr("t." + quoteIdent(c.OwnerColumn) + "::text AS __owner")
		names = append(names, "__owner")
	}
	if c.CreatorColumn != "" {
		q = q.ColumnExpr("t." + quoteIdent(c.CreatorColumn) + "::text AS __creator")
		names = append(names, "__creator")
	}
	if expr := c.assignedExpr(); expr != "" {
		q = q.ColumnExpr("("+expr+") AS __assigned", p.PersonID)
		names = append(names, "__assigned")
	}
	return q, names
}

func permKind(name string) kind {
	if name == "__member" || name == "__assigned" {
		return kBool
	}
	return kString
}
