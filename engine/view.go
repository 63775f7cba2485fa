package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/uptrace/bun"
)

// Kinds of the values a View's extra keys and QueryJSON columns are written as.
const (
	KindText      = kString
	KindUUID      = kUUID
	KindInt       = kInt
	KindFloat     = kFloat
	KindBool      = kBool
	KindDate      = kDate
	KindTimestamp = kTimestamp
	KindJSON      = kJSON // the SQL yields JSON text, written as is
)

// Kind is how a value is written to JSON.
type Kind = kind

// Extra is a key a View adds to each row, computed in SQL over alias "t".
// Its key may be "type" to replace the collection's type name per row.
type Extra struct {
	Key  string
	SQL  string
	Args []any
	Kind Kind
}

// View says how custom routes read rows of a collection: Zou's serialisation
// of the collection, with or without its relations, narrowed to some keys,
// plus computed keys.
type View struct {
	Relations bool
	Fields    []string // nil = every column
	Omit      []string // keys never written
	Extra     []Extra
	TypeName  string // overrides the collection's "type" value
}

func (v View) outputs(e *Engine, c *Collection) ([]output, string, error) {
	spec := readSpec{relations: v.Relations}
	if v.Fields != nil {
		spec.fields = map[string]bool{}
		for _, f := range v.Fields {
			spec.fields[f] = true
		}
	}
	outs, err := e.outputs(c, spec)
	if err != nil {
		return nil, "", err
	}
	if len(v.Omit) > 0 {
		kept := outs[:0]
		for _, o := range outs {
			if !containsString(v.Omit, o.key) {
				kept = append(kept, o)
			}
		}
		outs = kept
	}
	for _, x := range v.Extra {
		outs = append(outs, output{key: x.Key, expr: x.SQL, args: x.Args, kind: x.Kind})
	}
	typeName := c.TypeName
	if v.TypeName != "" {
		typeName = v.TypeName
	}
	return outs, typeName, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Rows answers a JSON array of the rows of c that where selects (alias "t"),
// serialised as v says. No permission check: the route has made it. where may
// be nil; it may add ORDER BY, LIMIT and joins.
func (e *Engine) Rows(ctx context.Context, db bun.IDB, c *Collection, v View, where func(*bun.SelectQuery) *bun.SelectQuery) ([]byte, error) {
	if db == nil {
		db = e.DB
	}
	outs, typeName, err := v.outputs(e, c)
	if err != nil {
		return nil, err
	}
	q := e.baseSelect(db, c, outs)
	if where != nil {
		q = where(q)
	}
	b, err := e.stream(ctx, q, outs, typeName, []byte{'['})
	if err != nil {
		return nil, fmt.Errorf("rows of %s: %w", c.Name, err)
	}
	return b, nil
}

// One answers row id of c serialised as v says, or Zou's 404.
func (e *Engine) One(ctx context.Context, db bun.IDB, c *Collection, v View, id string) ([]byte, error) {
	if !IsUUID(id) {
		return nil, NotFound()
	}
	b, err := e.Rows(ctx, db, c, v, func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("t.id = ?", id) })
	if err != nil {
		return nil, err
	}
	if len(b) <= 2 {
		return nil, NotFound()
	}
	return b[1 : len(b)-1], nil
}

// Filters parses the equality/IN/ILIKE filters of a query string the way
// /data/<c> lists do (400 on an uncastable value or a hidden column) and
// returns them as a where function; keys that are not columns are ignored.
func (e *Engine) Filters(c *Collection, p *Principal, q url.Values) (func(*bun.SelectQuery) *bun.SelectQuery, error) {
	allowed := func(string) bool { return true }
	if c.Hooks.FilterAllowed != nil {
		allowed = func(key string) bool { return c.Hooks.FilterAllowed(p, key) }
	}
	params, err := ParseList(c, q, e.DefaultLimit, allowed)
	if err != nil {
		return nil, err
	}
	return func(sq *bun.SelectQuery) *bun.SelectQuery { return applyFilters(sq, params.Filters) }, nil
}

// QueryJSON runs an SQL query and answers its rows as a JSON array, each
// column written by its PostgreSQL type as Zou writes it (uuid as string,
// naive UTC datetimes to the second, jsonb as is). No "type" key is added:
// select one when the shape needs it.
func QueryJSON(ctx context.Context, db bun.IDB, query string, args ...any) ([]byte, error) {
	b, _, err := queryJSON(ctx, db, 0, query, args...)
	return b, err
}

// QueryObject is QueryJSON for the first row only: the object, or Zou's 404
// when there is none.
func QueryObject(ctx context.Context, db bun.IDB, query string, args ...any) ([]byte, error) {
	b, n, err := queryJSON(ctx, db, 1, query, args...)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, NotFound()
	}
	return b[1 : len(b)-1], nil
}

// queryJSON writes at most max rows (0 = all) and says how many it wrote.
func queryJSON(ctx context.Context, db bun.IDB, max int, query string, args ...any) ([]byte, int, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, 0, err
	}
	outs := make([]output, len(types))
	for i, t := range types {
		outs[i] = output{key: t.Name(), kind: kindOfDB(t.DatabaseTypeName())}
	}
	s := newScanner(outs)
	b := []byte{'['}
	n := 0
	for rows.Next() && (max == 0 || n < max) {
		if err := rows.Scan(s.dest...); err != nil {
			return nil, 0, err
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = s.appendRow(b, "")
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return append(b, ']'), n, nil
}

// kindOfDB maps a driver's column type name (pgx: "UUID", "TIMESTAMP"…).
func kindOfDB(name string) kind {
	switch strings.ToUpper(name) {
	case "UUID":
		return kUUID
	case "INT2", "INT4", "INT8":
		return kInt
	case "FLOAT4", "FLOAT8", "NUMERIC":
		return kFloat
	case "BOOL":
		return kBool
	case "DATE":
		return kDate
	case "TIMESTAMP", "TIMESTAMPTZ":
		return kTimestamp
	case "JSON", "JSONB":
		return kJSON
	}
	// Arrays come as PostgreSQL text ("{a,b}"): queries select to_jsonb(col) instead.
	return kString
}

// Values turns a Go map into the raw body Insert and Patch take.
func Values(m map[string]any) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("value of %s: %w", k, err)
		}
		out[k] = b
	}
	return out, nil
}

// ObjectSQL is an SQL expression building row alias of c as the JSON object
// Zou sends (jsonb, without relations), for nesting rows inside others with
// json_agg in one query.
func (c *Collection) ObjectSQL(alias string) string {
	var parts []string
	for _, col := range c.columns() {
		if col.Hidden {
			continue
		}
		parts = append(parts, "'"+col.Key+"', "+col.jsonExpr(alias))
	}
	parts = append(parts, "'type', '"+c.TypeName+"'")
	var objs []string
	for i := 0; i < len(parts); i += 45 { // json_build_object takes at most 100 arguments
		end := min(i+45, len(parts))
		objs = append(objs, "jsonb_build_object("+strings.Join(parts[i:end], ", ")+")")
	}
	return "(" + strings.Join(objs, " || ") + ")"
}
