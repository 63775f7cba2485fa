package engine_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/engine"
)

// The fixture builder makes a valid minimal row of any collection through the
// API: it fills the NOT NULL columns without a default from the registry's
// column list, and satisfies each foreign key by creating the referenced row
// first (recursively, once per table and Env). What the schema cannot tell
// (polymorphic ids, values Zou checks) comes from the override map below.

// fixture builds rows for one Env; safe for parallel subtests sharing it.
type fixture struct {
	e    *apptest.Env
	mu   sync.Mutex
	made map[string]string // table → id of a shared row made for foreign keys
}

func newFixture(e *apptest.Env) *fixture {
	return &fixture{e: e, made: map[string]string{}}
}

var uniq atomic.Int64

// unique returns a fresh string of at most n characters starting with prefix when room allows.
func unique(prefix string, n int) string {
	num := strconv.FormatInt(uniq.Add(1), 36)
	if n <= 0 || len(prefix)+1+len(num) <= n {
		return prefix + "-" + num
	}
	if len(num) > n {
		return num[len(num)-n:]
	}
	return prefix[:n-len(num)] + num
}

// varcharLen reads n out of "varchar(n)" (0 when unbounded).
func varcharLen(sqlType string) int {
	i := strings.IndexByte(sqlType, '(')
	if i < 0 {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(sqlType[i+1:], ")"))
	return n
}

var (
	fkOnce sync.Once
	fkMap  map[string]string // "table.column" → referenced table
	fkErr  error
)

// foreignKeys reads the single-column foreign keys of the schema (identical in every test database).
func foreignKeys(t testing.TB, e *apptest.Env) map[string]string {
	t.Helper()
	fkOnce.Do(func() {
		var rows []struct {
			Table  string `bun:"tbl"`
			Column string `bun:"col"`
			Target string `bun:"target"`
		}
		fkErr = e.App.DB.NewRaw(`SELECT cl.relname AS tbl, a.attname AS col, rc.relname AS target
			FROM pg_constraint co
			JOIN pg_class cl ON cl.oid = co.conrelid
			JOIN pg_class rc ON rc.oid = co.confrelid
			JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1]
			JOIN pg_namespace n ON n.oid = cl.relnamespace
			WHERE co.contype = 'f' AND n.nspname = current_schema() AND array_length(co.conkey, 1) = 1`).
			Scan(context.Background(), &rows)
		fkMap = map[string]string{}
		for _, r := range rows {
			fkMap[r.Table+"."+r.Column] = r.Target
		}
	})
	if fkErr != nil {
		t.Fatalf("read foreign keys: %v", fkErr)
	}
	return fkMap
}

// overrides are the values Zou needs that the schema cannot tell.
func (f *fixture) overrides(t testing.TB, coll string) map[string]any {
	switch coll {
	case "comments": // polymorphic object id, no foreign key
		return map[string]any{"object_id": f.id(t, "task"), "object_type": "Task"}
	case "chats":
		return map[string]any{"object_id": f.id(t, "entity")}
	case "notifications":
		return map[string]any{"type": "comment"}
	case "metadata-descriptors":
		return map[string]any{"entity_type": "Asset", "data_type": "string"}
	case "day-offs":
		// Each day off its own day: a person's day offs may not overlap.
		day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(dayOffSeq.Add(1)))
		return map[string]any{"date": day.Format("2006-01-02"), "end_date": day.Format("2006-01-02"), "person_id": f.e.Admin.ID}
	case "time-spents":
		return map[string]any{"date": "2024-03-01", "duration": 60.0}
	}
	return map[string]any{}
}

// body returns a valid minimal create body for coll.
func (f *fixture) body(t testing.TB, coll string) map[string]any {
	t.Helper()
	c, ok := f.e.App.Registry.Collection(coll)
	if !ok {
		t.Fatalf("no collection %s", coll)
	}
	fks := foreignKeys(t, f.e)
	b := f.overrides(t, coll)
	// Bodies use column names (Notification.type), answers JSON keys (notification_type).
	for _, col := range c.Columns() {
		if _, set := b[col.Name]; set || !required(col) {
			continue
		}
		if target := fks[c.Table.Name+"."+col.Name]; target != "" {
			b[col.Name] = f.id(t, target)
			continue
		}
		b[col.Name] = sampleValue(col)
	}
	return b
}

// required reports whether a create must carry the column.
func required(col *engine.Column) bool {
	switch col.Name {
	case "id", "created_at", "updated_at":
		return false
	}
	return col.NotNull && col.Default == "" && !col.Hidden
}

// sampleValue is a valid value of the column's type (strings unique, for unique constraints).
func sampleValue(col *engine.Column) any {
	st := strings.ToLower(col.SQLType)
	switch {
	case col.Name == "color":
		return "#4A90D9"
	case strings.HasPrefix(st, "varchar"), st == "text":
		return unique(col.Name, varcharLen(st))
	case st == "integer", st == "bigint", st == "smallint":
		return 1
	case st == "double precision", st == "real", strings.HasPrefix(st, "numeric"):
		return 1.5
	case st == "boolean":
		return true
	case st == "date":
		return "2024-01-31"
	case strings.HasPrefix(st, "timestamp"):
		return "2024-01-31T10:20:30"
	case st == "jsonb", st == "json":
		return map[string]any{}
	}
	panic(fmt.Sprintf("fixture: no sample value for %s %s", col.Name, col.SQLType))
}

// id returns the id of a shared row of table, creating it through the API once.
// dayOffSeq spreads the fixtures' day offs over distinct days.
var dayOffSeq atomic.Int64

func (f *fixture) id(t testing.TB, table string) string {
	t.Helper()
	f.mu.Lock()
	id, ok := f.made[table]
	f.mu.Unlock()
	if ok {
		return id
	}
	c, ok := f.e.App.Registry.Table(table)
	if !ok || c.Name == "" {
		t.Fatalf("fixture: table %s has no collection to create it through", table)
	}
	row := create(t, f.e, c.Name, f.body(t, c.Name))
	id = row["id"].(string)
	f.mu.Lock()
	if prev, ok := f.made[table]; ok {
		id = prev // another subtest won the race; both rows are valid
	} else {
		f.made[table] = id
	}
	f.mu.Unlock()
	return id
}

// new creates a fresh row of coll (not shared) and returns it.
func (f *fixture) new(t testing.TB, coll string, extra map[string]any) map[string]any {
	t.Helper()
	b := f.body(t, coll)
	for k, v := range extra {
		b[k] = v
	}
	return create(t, f.e, coll, b)
}
