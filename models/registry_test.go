package models

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"

	"github.com/zou-go/zou/engine"
)

const schemaColumnsTSV = "../migrations/testdata/schema-columns.tsv"

type liveColumn struct {
	sqlType  string
	nullable bool
}

// readLiveSchema loads table → column → type/nullability from the live Zou schema dump.
func readLiveSchema(t *testing.T) map[string]map[string]liveColumn {
	t.Helper()
	f, err := os.Open(schemaColumnsTSV)
	if err != nil {
		t.Fatalf("open %s: %v", schemaColumnsTSV, err)
	}
	defer f.Close()
	out := map[string]map[string]liveColumn{}
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		if header {
			header = false
			continue
		}
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) < 4 {
			t.Fatalf("malformed line in %s: %q", schemaColumnsTSV, line)
		}
		table, col := parts[0], parts[1]
		if out[table] == nil {
			out[table] = map[string]liveColumn{}
		}
		out[table][col] = liveColumn{sqlType: normaliseType(parts[2]), nullable: parts[3] == "YES"}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// normaliseType maps PostgreSQL's spellings and bun tag spellings to one form.
func normaliseType(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "_") {
		s = strings.TrimPrefix(s, "_") + "[]"
	}
	switch {
	case strings.HasPrefix(s, "timestamp without time zone"):
		s = "timestamp" + strings.TrimPrefix(s, "timestamp without time zone")
	case strings.HasPrefix(s, "character varying"):
		s = "varchar" + strings.TrimPrefix(s, "character varying")
	}
	return s
}

func register(t *testing.T) (r *engine.Registry) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Register panicked: %v", p)
		}
	}()
	r = engine.NewRegistry(pgdialect.New())
	Register(r)
	return r
}

func fieldByColumn(tb *schema.Table, col string) *schema.Field {
	for _, f := range tb.Fields {
		if f.Name == col {
			return f
		}
	}
	return nil
}

func TestRegisterMatchesLiveSchema(t *testing.T) {
	live := readLiveSchema(t)
	r := register(t)

	var diffs []string
	addf := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	declared := map[string]*engine.Collection{}
	for _, c := range r.Tables() {
		declared[c.Table.Name] = c
	}
	if len(live) != 77 {
		addf("schema-columns.tsv holds %d tables, want 77", len(live))
	}
	if len(declared) != 77 {
		addf("Register declares %d tables, want 77", len(declared))
	}
	for name := range live {
		if _, ok := declared[name]; !ok {
			addf("table %s: not registered", name)
		}
	}

	for name, c := range declared {
		cols, ok := live[name]
		if !ok {
			addf("table %s: registered but not in the live schema", name)
			continue
		}
		seen := map[string]bool{}
		for _, f := range c.Table.Fields {
			seen[f.Name] = true
			lc, ok := cols[f.Name]
			if !ok {
				addf("%s.%s: column not in the live schema", name, f.Name)
				continue
			}
			if f.UserSQLType == "" {
				addf("%s.%s: bun tag has no type: (live %s)", name, f.Name, lc.sqlType)
			} else if got := normaliseType(f.UserSQLType); got != lc.sqlType {
				addf("%s.%s: type %s, live %s", name, f.Name, got, lc.sqlType)
			}
			if f.NotNull == lc.nullable {
				addf("%s.%s: notnull=%v but live nullable=%v", name, f.Name, f.NotNull, lc.nullable)
			}
			// Slices (arrays, bytea, jsonb) carry NULL as nil; everything else
			// must be a pointer exactly when the column is nullable.
			if f.StructField.Type.Kind() != reflect.Slice && f.IsPtr != lc.nullable {
				addf("%s.%s: Go type %s but live nullable=%v", name, f.Name, f.StructField.Type, lc.nullable)
			}
			if strings.HasPrefix(lc.sqlType, "jsonb") && !strings.HasSuffix(lc.sqlType, "[]") && !f.NullZero {
				addf("%s.%s: jsonb column without nullzero", name, f.Name)
			}
		}
		for col := range cols {
			if !seen[col] {
				addf("%s.%s: live column missing from the struct", name, col)
			}
		}
	}

	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%d difference(s) with %s:\n  %s", len(diffs), schemaColumnsTSV, strings.Join(diffs, "\n  "))
	}
}

func TestRegisterCollectionsAndOptions(t *testing.T) {
	r := register(t)
	var problems []string
	addf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	names := map[string]string{}
	for _, c := range r.Tables() {
		if c.Name == "" {
			continue
		}
		if prev, dup := names[c.Name]; dup {
			addf("collection %q used by %s and %s", c.Name, prev, c.Table.Name)
		}
		names[c.Name] = c.Table.Name
		if got, ok := r.Collection(c.Name); !ok || got != c {
			addf("collection %q not found by name", c.Name)
		}
	}
	if len(r.Collections()) != len(names) {
		addf("Collections() lists %d, want %d", len(r.Collections()), len(names))
	}

	hasColumn := func(table, col string) bool {
		c, ok := r.Table(table)
		return ok && fieldByColumn(c.Table, col) != nil
	}
	for _, c := range r.Tables() {
		tn := c.Table.Name
		for _, rel := range c.Relations {
			if !hasColumn(rel.JoinTable, rel.OwnColumn) {
				addf("%s relation %s: %s.%s is not a registered column", tn, rel.Name, rel.JoinTable, rel.OwnColumn)
			}
			if !hasColumn(rel.JoinTable, rel.OtherColumn) {
				addf("%s relation %s: %s.%s is not a registered column", tn, rel.Name, rel.JoinTable, rel.OtherColumn)
			}
			if fieldByColumn(c.Table, rel.Name) != nil {
				addf("%s relation %s: clashes with a column", tn, rel.Name)
			}
		}
		for _, n := range c.NestedRefs {
			if !hasColumn(tn, n.Column) {
				addf("%s nested %s: no column %s", tn, n.Name, n.Column)
			}
			if _, ok := r.Table(n.Table); !ok {
				addf("%s nested %s: table %s not registered", tn, n.Name, n.Table)
			}
		}
		for _, col := range []string{c.OwnerColumn, c.CreatorColumn} {
			if col != "" && !hasColumn(tn, col) {
				addf("%s: owner/creator column %s does not exist", tn, col)
			}
		}
		for col := range c.Renames {
			if !hasColumn(tn, col) {
				addf("%s: renamed column %s does not exist", tn, col)
			}
		}
		if c.Name != "" && c.ProjectExpr == "" && hasColumn(tn, "project_id") {
			addf("%s: has project_id but no project expression", tn)
		}
	}

	want := map[string]string{
		"events": "api_event", "entities": "entity", "softwares": "software", "news": "news",
		"file-status": "file_status", "project-status": "project_status", "task-status": "task_status",
		"persons": "person", "projects": "project", "tasks": "task",
	}
	for name, table := range want {
		if names[name] != table {
			addf("collection %q is %q, want %q", name, names[name], table)
		}
	}
	if c, ok := r.Collection("events"); ok && (c.TypeName != "ApiEvent" || c.ListCap != 1000) {
		addf("events: type %q cap %d", c.TypeName, c.ListCap)
	}
	if c, ok := r.Collection("persons"); ok {
		for _, col := range []string{"password", "totp_secret", "email_otp_secret", "otp_recovery_codes",
			"fido_credentials", "jti", "login_failed_attemps", "last_login_failed"} {
			if !c.IsHidden(col) {
				addf("persons: %s not hidden", col)
			}
		}
	}

	sort.Strings(problems)
	if len(problems) > 0 {
		t.Errorf("%d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
}

// TestRegisterDefaults checks that every client-side default is an SQL literal
// of the column's type (the engine applies them on create).
func TestRegisterDefaults(t *testing.T) {
	r := register(t)
	var problems []string
	n := 0
	for _, c := range r.Tables() {
		for _, col := range c.Columns() {
			d := col.Default
			if d == "" {
				continue
			}
			n++
			quoted := len(d) >= 2 && strings.HasPrefix(d, "'") && strings.HasSuffix(d, "'")
			ok := false
			switch typ := normaliseType(col.SQLType); {
			case typ == "boolean":
				ok = d == "true" || d == "false"
			case typ == "integer" || typ == "bigint" || typ == "double precision":
				_, err := fmt.Sscanf(d, "%g", new(float64))
				ok = err == nil && !quoted
			case typ == "jsonb":
				ok = d == "'[]'"
			case strings.HasSuffix(typ, "[]"):
				ok = quoted && strings.HasPrefix(d, "'{") && strings.HasSuffix(d, "}'")
			case strings.HasPrefix(typ, "varchar"), typ == "text":
				ok = quoted && !strings.Contains(d[1:len(d)-1], "'")
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("%s.%s (%s): default %s", c.Table.Name, col.Name, col.SQLType, d))
			}
		}
	}
	if n == 0 {
		problems = append(problems, "no column carries a default")
	}
	if c, ok := r.Table("project_task_status_link"); ok {
		if col, ok := c.Column("roles_for_board"); !ok || col.Default != "'{user,admin,supervisor,manager,vendor}'" {
			problems = append(problems, "project_task_status_link.roles_for_board: default not the full role list")
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Errorf("%d bad default(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
}
