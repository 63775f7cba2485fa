package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

// Check compares the registry with the live schema and the policy's objects,
// and resolves relation targets from the foreign keys. Its error lists every
// problem so that a misconfigured server refuses to start with one message.
// It also strips the bun defaults from db's own table metadata (see
// stripDefaults): db may hold another dialect instance than the registry's,
// and inserts go through db's.
func (r *Registry) Check(ctx context.Context, db bun.IDB, policyObjects []string) error {
	if d := db.Dialect(); d != r.dialect {
		for _, c := range r.ordered {
			stripDefaults(d.Tables().Get(c.Type))
		}
	}
	var cols []struct {
		Table  string `bun:"table_name"`
		Column string `bun:"column_name"`
	}
	err := db.NewSelect().TableExpr("information_schema.columns").
		ColumnExpr("table_name, column_name").Where("table_schema = current_schema()").Scan(ctx, &cols)
	if err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	live := map[string]map[string]bool{}
	for _, c := range cols {
		if live[c.Table] == nil {
			live[c.Table] = map[string]bool{}
		}
		live[c.Table][c.Column] = true
	}
	var fks []struct {
		Table  string `bun:"tbl"`
		Column string `bun:"col"`
		Target string `bun:"target"`
	}
	err = db.NewRaw(`SELECT cl.relname AS tbl, a.attname AS col, rc.relname AS target
		FROM pg_constraint co
		JOIN pg_class cl ON cl.oid = co.conrelid
		JOIN pg_class rc ON rc.oid = co.confrelid
		JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1]
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		WHERE co.contype = 'f' AND n.nspname = current_schema() AND array_length(co.conkey, 1) = 1`).Scan(ctx, &fks)
	if err != nil {
		return fmt.Errorf("read foreign keys: %w", err)
	}
	fkTarget := map[string]string{}
	for _, fk := range fks {
		fkTarget[fk.Table+"."+fk.Column] = fk.Target
	}
	var problems []string
	for _, c := range r.ordered {
		t := c.Table.Name
		if live[t] == nil {
			problems = append(problems, fmt.Sprintf("table %s is missing (run migrations: zou upgrade-db)", t))
			continue
		}
		for _, col := range c.columns() {
			if !live[t][col.Name] {
				problems = append(problems, fmt.Sprintf("column %s.%s is missing", t, col.Name))
			}
		}
		for i := range c.Relations {
			rel := &c.Relations[i]
			if live[rel.JoinTable] == nil || !live[rel.JoinTable][rel.OwnColumn] || !live[rel.JoinTable][rel.OtherColumn] {
				problems = append(problems, fmt.Sprintf("relation %s.%s: %s(%s, %s) is missing", c.Name, rel.Name, rel.JoinTable, rel.OwnColumn, rel.OtherColumn))
				continue
			}
			rel.HasID = live[rel.JoinTable]["id"]
			if rel.Writable {
				rel.Target = fkTarget[rel.JoinTable+"."+rel.OtherColumn]
				if rel.Target == "" {
					problems = append(problems, fmt.Sprintf("relation %s.%s: no foreign key on %s.%s", c.Name, rel.Name, rel.JoinTable, rel.OtherColumn))
				}
			}
		}
	}
	if policyObjects != nil {
		inPolicy := map[string]bool{}
		for _, o := range policyObjects {
			inPolicy[o] = true
		}
		for _, c := range r.Collections() {
			if !inPolicy[c.Name] {
				problems = append(problems, fmt.Sprintf("collection %s has no row in the policy file", c.Name))
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("registry does not match the database or policy:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}
