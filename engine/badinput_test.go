package engine_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/engine"
)

// Each refusal is checked for its status, Zou's exact body, and that nothing
// was written (the table's row count is unchanged).

// unchanged runs fn and fails if the row count of table moved.
func unchanged(t *testing.T, e *apptest.Env, table string, fn func()) {
	t.Helper()
	before := countRows(t, e, table)
	fn()
	if after := countRows(t, e, table); after != before {
		t.Errorf("%s: %d rows before, %d after a refused request", table, before, after)
	}
}

// badEnv is one database shared by the parallel bad-input subtests, with a
// project, a task and a department to aim at.
type badEnv struct {
	*apptest.Env
	project, task, dep map[string]any
}

func newBadEnv(t *testing.T) *badEnv {
	e := apptest.NewGeneric(t)
	b := &badEnv{Env: e}
	b.project = create(t, e, "projects", map[string]any{"name": "Target"})
	b.task = create(t, e, "tasks", map[string]any{"name": "target", "project_id": b.project["id"], "priority": 1})
	b.dep = create(t, e, "departments", map[string]any{"name": "Unique", "color": "#000000"})
	return b
}

func TestBadBodies(t *testing.T) {
	t.Parallel()
	e := newBadEnv(t)
	pid := e.project["id"].(string)

	decode := func(t *testing.T, r *apptest.Response) {
		t.Helper()
		// werkzeug's BadRequest as Zou renders it: {"error", "message"}, no "data".
		m := r.Object(t)
		msg, _ := m["message"].(string)
		if r.Status != 400 || m["error"] != true || len(m) != 2 || !strings.HasPrefix(msg, "Failed to decode JSON object: ") {
			t.Fatalf("status %d body %s, want 400 Failed to decode JSON object", r.Status, r.Body)
		}
	}
	for _, method := range []string{"POST", "PUT"} {
		path := "/data/projects"
		if method == "PUT" {
			path += "/" + pid
		}
		t.Run(method, func(t *testing.T) {
			t.Run("malformed JSON", func(t *testing.T) {
				unchanged(t, e.Env, "project", func() { decode(t, do(t, e.Env, method, path, `{"name": "x",`)) })
			})
			t.Run("empty body", func(t *testing.T) {
				unchanged(t, e.Env, "project", func() { decode(t, do(t, e.Env, method, path, ``)) })
			})
			t.Run("trailing garbage", func(t *testing.T) {
				unchanged(t, e.Env, "project", func() { decode(t, do(t, e.Env, method, path, `{"name": "x"} {}`)) })
			})
			for name, body := range map[string]string{"array": `[{"name": "x"}]`, "number": `42`, "string": `"x"`, "true": `true`} {
				t.Run("JSON "+name, func(t *testing.T) {
					unchanged(t, e.Env, "project", func() {
						wantError(t, do(t, e.Env, method, path, body), 400, wrongParam("The body must be a JSON object."))
					})
				})
			}
			t.Run("null", func(t *testing.T) {
				unchanged(t, e.Env, "project", func() {
					wantError(t, do(t, e.Env, method, path, `null`), 400, wrongParam(engine.MsgEmptyBody))
				})
			})
			for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
				t.Run("Content-Type "+ct, func(t *testing.T) {
					unchanged(t, e.Env, "project", func() {
						r := do(t, e.Env, method, path, `{"name": "Other"}`, "Content-Type", ct)
						wantError(t, r, 415, map[string]any{"error": true, "message": engine.MsgContentType})
					})
				})
			}
			t.Run("Content-Type with charset", func(t *testing.T) {
				r := do(t, e.Env, method, path, `{"name": "Charset `+method+`"}`, "Content-Type", "application/json; charset=utf-8")
				if r.Status >= 300 {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
			})
		})
	}
	t.Run("PUT checks the body before the id", func(t *testing.T) {
		// Zou reads request.json first: 415 and decode errors win over "Malformed ID.".
		wantError(t, do(t, e.Env, "PUT", "/data/projects/nope", `{}`, "Content-Type", "text/plain"), 415,
			map[string]any{"error": true, "message": engine.MsgContentType})
		wantError(t, do(t, e.Env, "PUT", "/data/projects/nope", `null`), 400, wrongParam(engine.MsgEmptyBody))
		wantError(t, do(t, e.Env, "PUT", "/data/projects/nope", `{}`), 400, wrongParam(engine.MsgMalformedID))
		wantError(t, do(t, e.Env, "PUT", "/data/projects/"+uuid.NewString(), `null`), 400, wrongParam(engine.MsgEmptyBody))
	})
}

func TestBadValues(t *testing.T) {
	t.Parallel()
	e := newBadEnv(t)
	pid, tid := e.project["id"].(string), e.task["id"].(string)
	invalid := dbMessage(engine.MsgInvalidValue)

	cases := []struct {
		name, coll string
		table      string
		body       map[string]any
		status     int
		want       map[string]any
	}{
		{"unknown key", "projects", "project", map[string]any{"name": "x", "x": 1}, 400, dbMessage("'x' is an invalid keyword argument for Project")},
		{"relation-looking unknown key", "tasks", "task", map[string]any{"name": "x", "assignee": []string{}}, 400, dbMessage("'assignee' is an invalid keyword argument for Task")},
		{"string for integer", "tasks", "task", map[string]any{"name": "x", "priority": "abc"}, 400, invalid},
		{"object for integer", "tasks", "task", map[string]any{"name": "x", "priority": map[string]any{}}, 400, invalid},
		{"integer out of range", "tasks", "task", map[string]any{"name": "x", "priority": 1 << 40}, 400, invalid},
		{"string for float", "tasks", "task", map[string]any{"name": "x", "duration": "long"}, 400, invalid},
		{"object for string", "projects", "project", map[string]any{"name": map[string]any{"a": 1}}, 400, invalid},
		{"list for string", "projects", "project", map[string]any{"name": []string{"a"}}, 400, invalid},
		{"bad uuid", "tasks", "task", map[string]any{"name": "x", "project_id": "not-a-uuid"}, 400, invalid},
		{"number for uuid", "tasks", "task", map[string]any{"name": "x", "project_id": 12}, 400, invalid},
		{"bad boolean", "projects", "project", map[string]any{"name": "x", "has_avatar": "maybe"}, 400, invalid},
		{"bad date", "projects", "project", map[string]any{"name": "x", "start_date": "2024-13-45"}, 400, invalid},
		{"number for date", "projects", "project", map[string]any{"name": "x", "start_date": 20240101}, 400, invalid},
		{"bad timestamp", "tasks", "task", map[string]any{"name": "x", "due_date": "tomorrow"}, 400, invalid},
		{"string too long", "projects", "project", map[string]any{"name": strings.Repeat("x", 81)}, 400, invalid},
		{"NUL in string", "projects", "project", map[string]any{"name": "a\x00b"}, 400, invalid},
		{"missing NOT NULL", "projects", "project", map[string]any{"code": "x"}, 400, dbMessage(engine.NotNullMessage("name"))},
		{"null for NOT NULL", "projects", "project", map[string]any{"name": nil}, 400, dbMessage(engine.NotNullMessage("name"))},
		{"duplicate unique", "departments", "department", map[string]any{"name": "Unique", "color": "#111111"}, 400, dbMessage(engine.MsgUnique)},
		{"dangling foreign key", "tasks", "task", map[string]any{"name": "x", "project_id": uuid.NewString()}, 400, dbMessage(engine.MsgMissingRef + "project_id.")},
		{"relation id not a uuid", "tasks", "task", map[string]any{"name": "x", "assignees": []string{"x"}}, 400, wrongParam(`Invalid value for assignees: "x" is not an id.`)},
		{"relation not a list", "tasks", "task", map[string]any{"name": "x", "assignees": "x"}, 400, wrongParam("Invalid value for assignees: expected a list of ids.")},
	}
	for _, c := range cases {
		t.Run("POST "+c.name, func(t *testing.T) {
			t.Parallel()
			unchanged(t, e.Env, c.table, func() {
				wantError(t, do(t, e.Env, "POST", "/data/"+c.coll, c.body), c.status, c.want)
			})
		})
	}

	// The same values on update: nothing changes.
	updates := []struct {
		name, path string
		body       map[string]any
		want       map[string]any
	}{
		{"string for integer", "/data/tasks/" + tid, map[string]any{"priority": "abc"}, invalid},
		{"bad uuid", "/data/tasks/" + tid, map[string]any{"task_type_id": "nope"}, invalid},
		{"bad date", "/data/projects/" + pid, map[string]any{"start_date": "2024-13-45"},
			wrongParam("Invalid date format for 'start_date': '2024-13-45'. Expected an ISO 8601 date or datetime.")},
		{"null for NOT NULL", "/data/projects/" + pid, map[string]any{"name": nil}, dbMessage(engine.NotNullMessage("name"))},
		{"duplicate unique", "/data/departments/" + create(t, e.Env, "departments", map[string]any{"name": "Other", "color": "#000000"})["id"].(string),
			map[string]any{"name": "Unique"}, dbMessage(engine.MsgUnique)},
		{"dangling foreign key", "/data/tasks/" + tid, map[string]any{"task_type_id": uuid.NewString()}, dbMessage(engine.MsgMissingRef + "task_type_id.")},
	}
	for _, u := range updates {
		t.Run("PUT "+u.name, func(t *testing.T) {
			t.Parallel()
			before := must(t, e.Env, 200, "GET", u.path, nil).Body
			wantError(t, do(t, e.Env, "PUT", u.path, u.body), 400, u.want)
			if after := must(t, e.Env, 200, "GET", u.path, nil).Body; string(after) != string(before) {
				t.Errorf("row changed by a refused PUT:\n%s\n%s", before, after)
			}
		})
	}
}

// TestCastsLikePostgres checks the values Zou accepts because PostgreSQL casts them.
func TestCastsLikePostgres(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	row := create(t, e, "tasks", map[string]any{"name": 42, "priority": "7", "duration": "2.5", "difficulty": 2.5, "sort_order": " 3 "})
	for k, want := range map[string]any{"name": "42", "priority": 7.0, "duration": 2.5, "difficulty": 2.0, "sort_order": 3.0} {
		if row[k] != want {
			t.Errorf("%s = %#v, want %#v", k, row[k], want)
		}
	}
	up := must(t, e, 200, "PUT", "/data/tasks/"+row["id"].(string), map[string]any{"name": true, "description": 1.5, "priority": 3.5}).Object(t)
	for k, want := range map[string]any{"name": "true", "description": "1.5", "priority": 4.0} {
		if up[k] != want {
			t.Errorf("PUT %s = %#v, want %#v", k, up[k], want)
		}
	}
}

func TestBadPathsAndFilters(t *testing.T) {
	t.Parallel()
	e := newBadEnv(t)
	user := e.NewPerson("user")

	t.Run("malformed id", func(t *testing.T) {
		for _, id := range []string{"nope", "123", strings.Repeat("a", 36), uuid.NewString() + "0", strings.ReplaceAll(uuid.NewString(), "-", "")} {
			unchanged(t, e.Env, "project", func() {
				wantError(t, do(t, e.Env, "GET", "/data/projects/"+id, nil), 400, wrongParam(engine.MsgMalformedID))
				wantError(t, do(t, e.Env, "PUT", "/data/projects/"+id, map[string]any{"name": "x"}), 400, wrongParam(engine.MsgMalformedID))
				wantError(t, do(t, e.Env, "DELETE", "/data/projects/"+id, nil), 400, wrongParam(engine.MsgMalformedID))
			})
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		id := uuid.NewString()
		wantError(t, do(t, e.Env, "GET", "/data/projects/"+id, nil), 404, notFoundBody)
		wantError(t, do(t, e.Env, "PUT", "/data/projects/"+id, map[string]any{"name": "x"}), 404, notFoundBody)
		wantError(t, do(t, e.Env, "DELETE", "/data/projects/"+id, nil), 404, notFoundBody)
	})
	t.Run("upper-case id", func(t *testing.T) {
		id := e.project["id"].(string)
		if got := must(t, e.Env, 200, "GET", "/data/projects/"+strings.ToUpper(id), nil).Object(t)["id"]; got != id {
			t.Errorf("id %v", got)
		}
	})

	filters := []struct {
		name, path string
		want       map[string]any
		token      string
	}{
		{"malformed uuid", "/data/tasks?project_id=abc", wrongParam("Invalid UUID value: abc"), ""},
		{"empty uuid", "/data/tasks?project_id=", wrongParam("Invalid UUID value: "), ""},
		{"malformed uuid in list", "/data/tasks?project_id=" + q(`["abc"]`), wrongParam("Invalid UUID value: abc"), ""},
		{"malformed many-to-many id", "/data/projects?team=abc", wrongParam("Invalid UUID value: abc"), ""},
		{"uncastable integer", "/data/tasks?priority=abc", wrongParam(`Invalid value for priority: "abc" is not a valid integer.`), ""},
		{"integer overflow", "/data/tasks?priority=99999999999", wrongParam(`Invalid value for priority: "99999999999" is not a valid integer.`), ""},
		{"uncastable float", "/data/tasks?duration=abc", wrongParam(`Invalid value for duration: "abc" is not a valid double precision.`), ""},
		{"bad boolean", "/data/persons?active=maybe", wrongParam("Invalid boolean value: maybe"), ""},
		{"bad date", "/data/projects?start_date=2024-13-01", wrongParam(`Invalid value for start_date: "2024-13-01" is not a valid date.`), ""},
		{"bad timestamp", "/data/tasks?due_date=soon", wrongParam(`Invalid value for due_date: "soon" is not a valid timestamp.`), ""},
		{"hidden password", "/data/persons?password=x", wrongParam("Filtering on password is not allowed."), ""},
		{"hidden jti", "/data/persons?jti=x", wrongParam("Filtering on jti is not allowed."), ""},
		{"hidden totp_secret", "/data/persons?totp_secret=x", wrongParam("Filtering on totp_secret is not allowed."), ""},
		{"non-admin on phone", "/data/persons?phone=1", wrongParam("Filtering on phone is not allowed."), user.Token},
		{"malformed list", "/data/tasks?project_id=" + q(`["abc"`), wrongParam("Malformed list filter for field project_id."), ""},
		{"list of objects", "/data/tasks?priority=" + q(`[{"a":1}]`), wrongParam("Malformed list filter for field priority."), ""},
		{"bad page", "/data/tasks?page=one", wrongParam("page must be an integer."), ""},
	}
	for _, f := range filters {
		t.Run("filter "+f.name, func(t *testing.T) {
			t.Parallel()
			token := f.token
			if token == "" {
				token = e.Admin.Token
			}
			wantError(t, doAs(t, e.Env, token, "GET", f.path, nil), 400, f.want)
		})
	}
	t.Run("non-admin may filter on email", func(t *testing.T) {
		if r := doAs(t, e.Env, user.Token, "GET", "/data/persons?email="+q(user.Email), nil); r.Status != 200 || len(r.List(t)) != 1 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	})

	t.Run("unknown route", func(t *testing.T) {
		for _, path := range []string{"/data/nope", "/data/nope/" + uuid.NewString(), "/nope", "/data/projects/" + uuid.NewString() + "/extra"} {
			wantError(t, do(t, e.Env, "GET", path, nil), 404, notFoundBody)
		}
		wantError(t, doAs(t, e.Env, "", "GET", "/data/nope", nil), 404, notFoundBody)
	})
	t.Run("wrong method", func(t *testing.T) {
		for _, c := range [][2]string{{"PATCH", "/data/projects"}, {"DELETE", "/data/projects"}, {"PUT", "/data/projects"},
			{"POST", "/data/projects/" + uuid.NewString()}, {"PATCH", "/data/projects/" + uuid.NewString()}} {
			unchanged(t, e.Env, "project", func() {
				wantError(t, do(t, e.Env, c[0], c[1], map[string]any{"name": "x"}), 405, methodBody)
			})
		}
	})
	t.Run("no token", func(t *testing.T) {
		unchanged(t, e.Env, "project", func() {
			r := doAs(t, e.Env, "", "POST", "/data/projects", map[string]any{"name": "anon"})
			m := r.Object(t)
			if r.Status != 401 || len(m) != 1 || !strings.HasPrefix(m["msg"].(string), "Missing JWT") {
				t.Fatalf("status %d body %s", r.Status, r.Body)
			}
		})
	})
	t.Run("garbage token", func(t *testing.T) {
		r := doAs(t, e.Env, "garbage", "GET", "/data/projects", nil)
		if m := r.Object(t); r.Status != 422 || len(m) != 1 || m["msg"] == nil {
			t.Fatalf("status %d body %s", r.Status, r.Body)
		}
	})
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t, func(c *config.Config) { c.MaxJSONBody = 1024 })
	big := `{"name": "` + strings.Repeat("x", 2000) + `"}`
	tooLarge := map[string]any{"error": true, "message": engine.MsgTooLarge}
	unchanged(t, e, "project", func() {
		wantError(t, do(t, e, "POST", "/data/projects", big), 413, tooLarge)
	})
	// Without a Content-Length (chunked), the cap applies while reading.
	unchanged(t, e, "project", func() {
		req := httptest.NewRequest("POST", "/data/projects", io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.Admin.Token)
		rec := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(rec, req)
		wantError(t, &apptest.Response{Status: rec.Code, Body: rec.Body.Bytes(), Header: rec.Header()}, 413, tooLarge)
	})
	p := create(t, e, "projects", map[string]any{"name": "small"})
	wantError(t, do(t, e, "PUT", "/data/projects/"+p["id"].(string), big), 413, tooLarge)
	if got := must(t, e, 200, "GET", "/data/projects/"+p["id"].(string), nil).Object(t)["name"]; got != "small" {
		t.Errorf("name %v after a refused PUT", got)
	}
}

func TestDeleteReferenced(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	st := create(t, e, "project-status", map[string]any{"name": "Closed", "color": "#000000"})
	create(t, e, "projects", map[string]any{"name": "Uses it", "project_status_id": st["id"]})
	unchanged(t, e, "project_status", func() {
		wantError(t, do(t, e, "DELETE", "/data/project-status/"+st["id"].(string), nil), 400, dbMessage(engine.MsgForeignKey))
	})
	must(t, e, 200, "GET", "/data/project-status/"+st["id"].(string), nil)
}

func TestProtectedKeys(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	p1 := create(t, e, "projects", map[string]any{"name": "One"})
	p2 := create(t, e, "projects", map[string]any{"name": "Two"})

	// Create ignores id, created_at and updated_at but keeps project_id.
	fixed := uuid.NewString()
	task := create(t, e, "tasks", map[string]any{"name": "t", "project_id": p1["id"], "id": fixed,
		"created_at": "2000-01-01T00:00:00", "updated_at": "2000-01-01T00:00:00"})
	id := task["id"].(string)
	if id == fixed || task["created_at"] == "2000-01-01T00:00:00" || task["updated_at"] == "2000-01-01T00:00:00" {
		t.Errorf("create took protected keys: %v", task)
	}
	if task["project_id"] != p1["id"] {
		t.Errorf("create dropped project_id")
	}

	// Update ignores unknown and protected keys, and stamps updated_at.
	time.Sleep(1100 * time.Millisecond) // timestamps are sent to the second
	up := must(t, e, 200, "PUT", "/data/tasks/"+id, map[string]any{"name": "renamed", "id": fixed, "project_id": p2["id"],
		"created_at": "2000-01-01T00:00:00", "updated_at": "2000-01-01T00:00:00", "nope": 1, "assignee": "x"}).Object(t)
	if up["id"] != id || up["project_id"] != p1["id"] || up["created_at"] != task["created_at"] || up["name"] != "renamed" {
		t.Errorf("update: %v", up)
	}
	if up["updated_at"] == task["updated_at"] || up["updated_at"] == "2000-01-01T00:00:00" {
		t.Errorf("updated_at %v (was %v)", up["updated_at"], task["updated_at"])
	}
	var n int
	if err := e.App.DB.NewRaw("SELECT count(*) FROM task WHERE id = ?", fixed).Scan(context.Background(), &n); err != nil || n != 0 {
		t.Errorf("a row with the client's id exists (%d, %v)", n, err)
	}
}

// TestOddFilterValues: values PostgreSQL refuses are a 400, never a 500.
func TestOddFilterValues(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	create(t, e, "projects", map[string]any{"name": "Odd", "code": "odd"})
	// NUL bytes: Zou's driver raises (500); we refuse them naming the column.
	wantError(t, do(t, e, "GET", "/data/projects?name=a%00", nil), 400, wrongParam(`Invalid value for name: "a\x00" is not a valid varchar(80).`))
	wantError(t, do(t, e, "GET", "/data/projects?code=%00", nil), 400, wrongParam(`Invalid value for code: "\x00" is not a valid varchar(80).`))
	wantError(t, do(t, e, "GET", "/data/projects?code="+q(`["a","\u0000"]`), nil), 400, wrongParam(`Invalid value for code: "\x00" is not a valid varchar(80).`))
	wantError(t, do(t, e, "GET", "/data/persons?full_name=%00", nil), 400, wrongParam(`Invalid value for full_name: "\x00" is not a valid text.`))
	for _, path := range []string{
		"/data/projects?code=%FF%FE", "/data/projects?name=" + q(`a\`), "/data/projects?name=" + q(`Odd\`), "/data/projects?data=" + q(`{"a": 1}`),
		"/data/projects?code=" + q(strings.Repeat("x", 500)), "/data/projects?name=" + q(`'; DROP TABLE project; --`),
	} {
		if r := do(t, e, "GET", path, nil); r.Status != 200 || len(r.List(t)) != 0 {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	if n := countRows(t, e, "project"); n != 1 {
		t.Errorf("%d projects", n)
	}
}
