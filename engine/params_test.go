package engine_test

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/zou-go/zou/app"
	"github.com/zou-go/zou/engine"
)

// ParseList is pure: these tests need no database.

var registry = app.NewRegistry()

// noSecrets refuses a few keys, as a collection's FilterAllowed hook does.
func noSecrets(key string) bool { return key != "email" && key != "departments" }

// parsed is a filter reduced to comparable parts.
type parsed struct {
	Key, Op string
	Values  []any
}

func summary(p *engine.ListParams) []parsed {
	var out []parsed
	for _, f := range p.Filters {
		out = append(out, parsed{f.Key, f.Op.String(), f.Values})
	}
	return out
}

func TestParseList(t *testing.T) {
	t.Parallel()
	const id = "0b7f3c4e-2a51-4c8e-9f00-5d1e2b3c4d5e"
	cases := []struct {
		coll, query string
		want        []parsed
		check       func(t *testing.T, p *engine.ListParams)
	}{
		{"tasks", "", nil, func(t *testing.T, p *engine.ListParams) {
			if p.Filtered || p.Page != -1 || p.Limit != 100 || p.Relations || p.Fields != nil {
				t.Errorf("defaults: %+v", p)
			}
		}},
		{"tasks", "relations=false", nil, func(t *testing.T, p *engine.ListParams) {
			if !p.Filtered || p.Relations {
				t.Errorf("any query string filters: %+v", p)
			}
		}},
		{"tasks", "page=2&limit=50&relations=TRUE&fields=name,+priority+", nil, func(t *testing.T, p *engine.ListParams) {
			if p.Page != 2 || p.Limit != 50 || !p.Relations || !reflect.DeepEqual(p.Fields, map[string]bool{"name": true, "priority": true}) {
				t.Errorf("reserved keys: %+v", p)
			}
		}},
		{"tasks", "page=1&limit=0", nil, func(t *testing.T, p *engine.ListParams) {
			if p.Limit != 100 {
				t.Errorf("limit 0 → default, got %d", p.Limit)
			}
		}},
		{"tasks", "page=1&limit=-5", nil, func(t *testing.T, p *engine.ListParams) {
			if p.Limit != 100 {
				t.Errorf("negative limit → default, got %d", p.Limit)
			}
		}},
		{"tasks", "page=1&limit=99999999", nil, func(t *testing.T, p *engine.ListParams) {
			if p.Limit != engine.MaxPageSize {
				t.Errorf("limit capped at %d, got %d", engine.MaxPageSize, p.Limit)
			}
		}},
		{"tasks", "page=-1", nil, func(t *testing.T, p *engine.ListParams) { // Zou's "whole list"
			if p.Page != -1 {
				t.Errorf("page %d", p.Page)
			}
		}},
		{"tasks", "project_id=" + strings.ToUpper(id), []parsed{{"project_id", "eq", []any{id}}}, nil},
		{"tasks", "priority=3", []parsed{{"priority", "eq", []any{int64(3)}}}, nil},
		{"tasks", "priority=+3", []parsed{{"priority", "eq", []any{int64(3)}}}, nil},
		{"tasks", "duration=2.5", []parsed{{"duration", "eq", []any{2.5}}}, nil},
		{"tasks", "due_date=2024-01-31T10:20:30%2B02:00", []parsed{{"due_date", "eq", []any{"2024-01-31 08:20:30"}}}, nil},
		{"tasks", "due_date=2024-01-31", []parsed{{"due_date", "eq", []any{"2024-01-31 00:00:00"}}}, nil},
		{"projects", "start_date=2024-01-31", []parsed{{"start_date", "eq", []any{"2024-01-31"}}}, nil},
		{"persons", "active=Yes", []parsed{{"active", "eq", []any{true}}}, nil},
		{"persons", "active=off", []parsed{{"active", "eq", []any{false}}}, nil},
		{"tasks", "name=Main%25", []parsed{{"name", "ilike", []any{"Main%"}}}, nil},
		{"tasks", `name=["a"]`, []parsed{{"name", "ilike", []any{`["a"]`}}}, nil},
		{"tasks", `priority=[1,"2",3.0]`, []parsed{{"priority", "in", []any{int64(1), int64(2), int64(3)}}}, nil},
		{"tasks", `id=[]`, []parsed{{"id", "in", []any{}}}, nil},
		{"tasks", "assignees=" + id, []parsed{{"assignees", "relation", []any{id}}}, nil},
		{"persons", "full_name=Ann+Lee", []parsed{{"full_name", "eq", []any{"Ann Lee"}}}, nil},
		{"tasks", "episode_id=x&foo=bar", nil, func(t *testing.T, p *engine.ListParams) {
			if len(p.Filters) != 0 || p.Extra.Get("episode_id") != "x" || p.Extra.Get("foo") != "bar" {
				t.Errorf("unknown keys go to Extra: %+v", p)
			}
		}},
		{"persons", "first_name=a&first_name=b", []parsed{{"first_name", "eq", []any{"a"}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.coll+"?"+c.query, func(t *testing.T) {
			qv, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			p, err := engine.ParseList(registry.MustCollection(c.coll), qv, 100, noSecrets)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if c.want != nil && !reflect.DeepEqual(summary(p), c.want) {
				t.Errorf("filters\n got: %#v\nwant: %#v", summary(p), c.want)
			}
			if c.check != nil {
				c.check(t, p)
			}
		})
	}
}

func TestParseListErrors(t *testing.T) {
	t.Parallel()
	long := "[" + strings.Repeat(`"0b7f3c4e-2a51-4c8e-9f00-5d1e2b3c4d5e",`, engine.MaxInListSize) + `"0b7f3c4e-2a51-4c8e-9f00-5d1e2b3c4d5e"]`
	cases := []struct{ coll, query, msg string }{
		{"tasks", "page=x", "page must be an integer."},
		{"tasks", "page=1.5", "page must be an integer."},
		{"tasks", "limit=ten", "limit must be an integer."},
		{"tasks", "project_id=abc", "Invalid UUID value: abc"},
		{"tasks", "assignees=abc", "Invalid UUID value: abc"},
		{"tasks", `project_id=["abc"]`, "Invalid UUID value: abc"},
		{"tasks", "project_id=[abc", "Malformed list filter for field project_id."},
		{"tasks", `priority=[[1]]`, "Malformed list filter for field priority."},
		{"tasks", `priority=[null]`, "Malformed list filter for field priority."},
		{"tasks", "id=" + url.QueryEscape(long), fmt.Sprintf("Too many values in list filter for field id (at most %d).", engine.MaxInListSize)},
		{"tasks", "priority=abc", `Invalid value for priority: "abc" is not a valid integer.`},
		{"tasks", "priority=2147483648", `Invalid value for priority: "2147483648" is not a valid integer.`},
		{"tasks", "duration=x", `Invalid value for duration: "x" is not a valid double precision.`},
		{"tasks", "due_date=x", `Invalid value for due_date: "x" is not a valid timestamp.`},
		{"projects", "start_date=31/01/2024", `Invalid value for start_date: "31/01/2024" is not a valid date.`},
		{"persons", "active=maybe", "Invalid boolean value: maybe"},
		{"persons", "password=x", "Filtering on password is not allowed."},
		{"persons", "jti=x", "Filtering on jti is not allowed."},
		{"persons", "otp_recovery_codes=x", "Filtering on otp_recovery_codes is not allowed."},
		{"persons", "email=x", "Filtering on email is not allowed."},
		{"persons", "departments=0b7f3c4e-2a51-4c8e-9f00-5d1e2b3c4d5e", "Filtering on departments is not allowed."},
		{"projects", "data=%7Bx", `Invalid value for data: "{x" is not a valid jsonb.`},
		{"comments", "links=x", "Filtering on links is not allowed."},
	}
	for _, c := range cases {
		t.Run(c.coll+"?"+c.query[:min(len(c.query), 40)], func(t *testing.T) {
			qv, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = engine.ParseList(registry.MustCollection(c.coll), qv, 100, noSecrets)
			var e *engine.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Body["message"] != c.msg || e.Body["error"] != true {
				t.Fatalf("error %#v, want 400 %q", err, c.msg)
			}
		})
	}
}

// FuzzParseList: whatever the query string, ParseList never panics, and any
// error is a 400 *engine.Error (never an internal error).
func FuzzParseList(f *testing.F) {
	for _, seed := range []string{
		"", "page=1&limit=10", "page=-1", "page=0", "relations=true&fields=name,id",
		"id=0b7f3c4e-2a51-4c8e-9f00-5d1e2b3c4d5e", `id=["0b7f3c4e-2a51-4c8e-9f00-5d1e2b3c4d5e"]`,
		`priority=[1,2,"3"]`, "priority=1e3", "duration=NaN", "duration=-Inf", "due_date=2024-01-31T10:20:30Z",
		"name=%25", `name=[`, "active=t", "assignees=x", "data={}", `data=[{"a":[1]}]`, "links=a",
		"limit=99999999999999999999", "page=%00", `project_id=["a",`, "full_name=x", "password=x",
		`id=[1e400]`, `priority=[true]`, "start_date=2024-02-30", "episode_id=all",
	} {
		f.Add("tasks", seed)
		f.Add("persons", seed)
	}
	f.Fuzz(func(t *testing.T, coll, raw string) {
		c, ok := registry.Collection(coll)
		if !ok {
			c = registry.MustCollection("tasks")
		}
		qv, _ := url.ParseQuery(raw)
		p, err := engine.ParseList(c, qv, 100, noSecrets)
		if err != nil {
			var e *engine.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Cause != nil {
				t.Fatalf("ParseList(%q): %#v is not a 400 *engine.Error", raw, err)
			}
			if msg, _ := e.Body["message"].(string); msg == "" {
				t.Fatalf("ParseList(%q): empty message", raw)
			}
			return
		}
		if p.Limit < 1 || p.Limit > engine.MaxPageSize {
			t.Fatalf("ParseList(%q): limit %d", raw, p.Limit)
		}
		for _, f := range p.Filters {
			if len(f.Values) > engine.MaxInListSize || (f.Column == nil && f.Relation == nil && f.Computed == nil) {
				t.Fatalf("ParseList(%q): filter %+v", raw, f)
			}
		}
	})
}
