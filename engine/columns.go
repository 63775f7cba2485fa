package engine

import (
	"fmt"
	"strings"

	"github.com/uptrace/bun/schema"
)

// kind is how a column is cast from query strings and written to JSON.
type kind int

const (
	kString kind = iota
	kUUID
	kInt
	kFloat
	kBool
	kDate
	kTimestamp
	kJSON  // jsonb: sent as stored
	kArray // postgres arrays: sent as JSON lists
	kBytes
)

// Column is one table column as the engine sees it.
type Column struct {
	Name     string // SQL name
	Key      string // JSON key
	SQLType  string
	Nullable bool
	Hidden   bool
	Field    *schema.Field
	Default  string // the client-side default as an SQL literal, applied on create
	NotNull  bool
	kind     kind
}

func kindOf(sqlType string) kind {
	t := strings.ToLower(sqlType)
	switch {
	case strings.HasSuffix(t, "[]"):
		return kArray
	case t == "uuid":
		return kUUID
	case t == "integer" || t == "bigint" || t == "smallint":
		return kInt
	case t == "double precision" || t == "real" || strings.HasPrefix(t, "numeric"):
		return kFloat
	case t == "boolean":
		return kBool
	case t == "date":
		return kDate
	case strings.HasPrefix(t, "timestamp"):
		return kTimestamp
	case t == "jsonb" || t == "json":
		return kJSON
	case t == "bytea":
		return kBytes
	}
	return kString
}

// sqlTypeOf is the declared SQL type of a field (models always give type:).
func sqlTypeOf(f *schema.Field) string {
	if f.UserSQLType != "" {
		return f.UserSQLType
	}
	return f.DiscoveredSQLType
}

// init computes the column list once; registration order is struct order.
func (c *Collection) columns() []*Column {
	if c.cols != nil {
		return c.cols
	}
	for _, f := range c.Table.Fields {
		st := sqlTypeOf(f)
		col := &Column{Name: f.Name, Key: f.Name, SQLType: st, Nullable: !f.NotNull && !f.IsPK, Hidden: c.hidden[f.Name], Field: f, kind: kindOf(st), Default: f.SQLDefault, NotNull: f.NotNull || f.IsPK}
		if k, ok := c.Renames[f.Name]; ok {
			col.Key = k
		}
		c.cols = append(c.cols, col)
		if c.colByName == nil {
			c.colByName = map[string]*Column{}
		}
		c.colByName[f.Name] = col
	}
	return c.cols
}

// Column returns a column by SQL name.
func (c *Collection) Column(name string) (*Column, bool) {
	c.columns()
	col, ok := c.colByName[name]
	return col, ok
}

// Columns returns every column of the table in declaration order.
func (c *Collection) Columns() []*Column { return c.columns() }

// relation returns a declared relation by JSON name.
func (c *Collection) relation(name string) (*Relation, bool) {
	for i := range c.Relations {
		if c.Relations[i].Name == name {
			return &c.Relations[i], true
		}
	}
	return nil, false
}

// selectExpr is the SQL that reads a column in a shape the scanner takes:
// uuids and json as text, arrays as JSON text.
func (col *Column) selectExpr(alias string) string {
	ref := alias + "." + quoteIdent(col.Name)
	switch col.kind {
	case kUUID, kJSON:
		return ref + "::text"
	case kArray:
		if col.SQLType == "bytea[]" {
			return "to_jsonb(" + ref + "::text[])::text"
		}
		return "to_jsonb(" + ref + ")::text"
	case kBytes:
		return "convert_from(" + ref + ", 'UTF8')"
	}
	return ref
}

// jsonExpr builds the same value as the serializer, in SQL, for nested objects.
func (col *Column) jsonExpr(alias string) string {
	ref := alias + "." + quoteIdent(col.Name)
	switch col.kind {
	case kTimestamp:
		return "to_char(" + ref + `, 'YYYY-MM-DD"T"HH24:MI:SS')`
	case kDate:
		return "to_char(" + ref + `, 'YYYY-MM-DD')`
	case kBytes:
		return "convert_from(" + ref + ", 'UTF8')"
	}
	return ref
}

func (r *Relation) selectExpr(alias string) string {
	return fmt.Sprintf("COALESCE((SELECT json_agg(j.%s::text) FROM %s j WHERE j.%s = %s.id), '[]')::text",
		quoteIdent(r.OtherColumn), quoteIdent(r.JoinTable), quoteIdent(r.OwnColumn), alias)
}

// nestedExpr renders the referenced row as a JSON object in SQL (one round trip).
func (reg *Registry) nestedExpr(n NestedRef, alias string) (string, error) {
	target, ok := reg.byTable[n.Table]
	if !ok {
		return "", fmt.Errorf("nested %s: table %s not registered", n.Name, n.Table)
	}
	var parts []string
	for _, col := range target.columns() {
		if col.Hidden {
			continue
		}
		parts = append(parts, "'"+col.Key+"', "+col.jsonExpr("n"))
	}
	parts = append(parts, "'type', '"+target.TypeName+"'")
	// json_build_object takes at most 100 arguments; chain objects with || when wider.
	var objs []string
	for i := 0; i < len(parts); i += 45 {
		end := min(i+45, len(parts))
		objs = append(objs, "jsonb_build_object("+strings.Join(parts[i:end], ", ")+")")
	}
	return fmt.Sprintf("(SELECT (%s)::text FROM %s n WHERE n.id = %s.%s)",
		strings.Join(objs, " || "), quoteIdent(target.Table.Name), alias, quoteIdent(n.Column)), nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
