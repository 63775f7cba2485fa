package engine_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zou-go/zou/apptest"
)

// listIDs GETs path as the admin and returns the ids of the bare array it answers, sorted.
func listIDs(t *testing.T, e *apptest.Env, path string) []string {
	t.Helper()
	out := ids(must(t, e, 200, "GET", path, nil).List(t))
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func q(s string) string { return url.QueryEscape(s) }

// TestListFilters checks Zou's filter grammar on /data/<collection> per column type.
func TestListFilters(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)

	// Projects: name (ILIKE), date, many-to-many team.
	p1 := create(t, e, "projects", map[string]any{"name": "Big Buck Bunny", "start_date": "2024-01-31", "code": "BBB"})
	p2 := create(t, e, "projects", map[string]any{"name": "big buck 2", "start_date": "2024-02-01", "code": "bbb"})
	p3 := create(t, e, "projects", map[string]any{"name": "Sintel", "code": "SIN"})
	id1, id2, id3 := p1["id"].(string), p2["id"].(string), p3["id"].(string)
	member := e.NewPerson("user")
	e.AddToTeam(id2, member.ID, "")

	// Tasks: uuid, int, float, timestamp.
	tt := create(t, e, "task-types", map[string]any{"name": "Animation"})
	t1 := create(t, e, "tasks", map[string]any{"name": "t1", "project_id": id1, "task_type_id": tt["id"], "priority": 3, "duration": 2.5, "due_date": "2024-02-01T10:00:00"})
	t2 := create(t, e, "tasks", map[string]any{"name": "t2", "project_id": id1, "priority": 1, "duration": 1.0, "due_date": "2024-02-01T10:00:01"})
	t3 := create(t, e, "tasks", map[string]any{"name": "t3", "project_id": id2, "priority": 3, "duration": 0.5})
	tid1, tid2, tid3 := t1["id"].(string), t2["id"].(string), t3["id"].(string)

	// Persons: bool, string, many-to-many departments (the env's admin is active too).
	dep := create(t, e, "departments", map[string]any{"name": "Modeling", "color": "#112233"})
	alice := create(t, e, "persons", map[string]any{"first_name": "alice", "last_name": "A", "email": "alice@example.com", "departments": []string{dep["id"].(string)}})
	bob := create(t, e, "persons", map[string]any{"first_name": "Bob", "last_name": "B", "active": false})
	inactive := []string{bob["id"].(string)}
	var active []string
	for _, r := range must(t, e, 200, "GET", "/data/persons", nil).List(t) {
		if r["active"] == true {
			active = append(active, r["id"].(string))
		}
	}
	sort.Strings(active)

	cases := []struct {
		name, path string
		want       []string
	}{
		{"uuid", "/data/tasks?project_id=" + id1, sorted(tid1, tid2)},
		{"uuid upper case", "/data/tasks?project_id=" + upper(id2), sorted(tid3)},
		{"int", "/data/tasks?priority=3", sorted(tid1, tid3)},
		{"float", "/data/tasks?duration=2.5", sorted(tid1)},
		{"float whole", "/data/tasks?duration=1", sorted(tid2)},
		{"timestamp", "/data/tasks?due_date=2024-02-01T10:00:00", sorted(tid1)},
		{"timestamp space", "/data/tasks?due_date=" + q("2024-02-01 10:00:01"), sorted(tid2)},
		{"date", "/data/projects?start_date=2024-01-31", sorted(id1)},
		{"string is exact", "/data/projects?code=BBB", sorted(id1)},
		{"string is case-sensitive", "/data/persons?first_name=ALICE", nil},
		{"name is ILIKE", "/data/projects?name=" + q("big buck bunny"), sorted(id1)},
		{"name wildcard %", "/data/projects?name=" + q("BIG%"), sorted(id1, id2)},
		{"name wildcard _", "/data/projects?name=" + q("s_ntel"), sorted(id3)},
		{"name list is literal", "/data/projects?name=" + q(`["Sintel"]`), nil},
		{"json list IN", "/data/projects?id=" + q(`["`+id1+`","`+id3+`"]`), sorted(id1, id3)},
		{"json list IN ints", "/data/tasks?priority=" + q(`[1, 3]`), sorted(tid1, tid2, tid3)},
		{"empty json list", "/data/projects?id=" + q(`[]`), nil},
		{"many-to-many team", "/data/projects?team=" + member.ID, sorted(id2)},
		{"many-to-many departments", "/data/persons?departments=" + dep["id"].(string), sorted(alice["id"].(string))},
		{"filters are ANDed", "/data/tasks?project_id=" + id1 + "&priority=3", sorted(tid1)},
		{"unknown keys ignored", "/data/projects?foo=bar&name=Sintel", sorted(id3)},
		{"only unknown keys", "/data/projects?foo=bar", sorted(id1, id2, id3)},
		{"computed column", "/data/persons?full_name=" + q("alice A"), sorted(alice["id"].(string))},
		{"trailing slash", "/data/projects/?code=SIN", sorted(id3)},
	}
	for _, b := range []string{"y", "yes", "t", "true", "on", "1", "TRUE", "Yes"} {
		cases = append(cases, struct {
			name, path string
			want       []string
		}{"bool " + b, "/data/persons?active=" + b, active})
	}
	for _, b := range []string{"n", "no", "f", "false", "off", "0", "False"} {
		cases = append(cases, struct {
			name, path string
			want       []string
		}{"bool " + b, "/data/persons?active=" + b, inactive})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := listIDs(t, e, c.path); !slices.Equal(got, c.want) && (len(got) > 0 || len(c.want) > 0) {
				t.Errorf("GET %s\n got: %v\nwant: %v", c.path, got, c.want)
			}
		})
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// TestListShapes checks relations, fields, trailing slashes and the bare list.
func TestListShapes(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	p := create(t, e, "projects", map[string]any{"name": "Shapes", "code": "SH"})
	pid := p["id"].(string)
	e.AddToTeam(pid, e.Admin.ID, "")

	t.Run("relations=true on lists", func(t *testing.T) {
		rows := must(t, e, 200, "GET", "/data/projects?relations=true", nil).List(t)
		if len(rows) != 1 || !slices.Equal(anyStrings(rows[0]["team"]), []string{e.Admin.ID}) {
			t.Fatalf("relations=true: %v", rows)
		}
		for _, k := range []string{"asset_types", "task_statuses", "task_types", "status_automations", "preview_background_files"} {
			if _, ok := rows[0][k]; !ok {
				t.Errorf("relations=true: no %s", k)
			}
		}
		for _, path := range []string{"/data/projects", "/data/projects?relations=false", "/data/projects?relations=yes"} {
			if _, ok := must(t, e, 200, "GET", path, nil).List(t)[0]["team"]; ok {
				t.Errorf("%s: relations sent", path)
			}
		}
		if _, ok := must(t, e, 200, "GET", "/data/projects?relations=TRUE", nil).List(t)[0]["team"]; !ok {
			t.Errorf("relations=TRUE: no relations (Zou lower-cases)")
		}
	})
	t.Run("relations on one row", func(t *testing.T) {
		// Zou: present → compared with "true"; absent → true.
		for path, want := range map[string]bool{
			"": true, "?relations=true": true, "?relations=True": true, "?relations=false": false,
			"?relations=": false, "?relations=1": false, "?relations=abc": false,
		} {
			_, got := must(t, e, 200, "GET", "/data/projects/"+pid+path, nil).Object(t)["team"]
			if got != want {
				t.Errorf("GET one%s: relations %v, want %v", path, got, want)
			}
		}
	})
	t.Run("fields", func(t *testing.T) {
		row := must(t, e, 200, "GET", "/data/projects?fields=name,code,nope", nil).List(t)[0]
		wantKeys(t, "fields=name,code", row, []string{"code", "id", "name", "type"})
		if row["name"] != "Shapes" || row["type"] != "Project" {
			t.Errorf("fields: %v", row)
		}
		row = must(t, e, 200, "GET", "/data/projects?fields="+q(" name , team")+"&relations=true", nil).List(t)[0]
		wantKeys(t, "fields=name,team&relations=true", row, []string{"id", "name", "team", "type"})
		row = must(t, e, 200, "GET", "/data/projects?fields=team", nil).List(t)[0]
		wantKeys(t, "fields=team without relations", row, []string{"id", "type"})
		page := must(t, e, 200, "GET", "/data/projects?fields=name&page=1", nil).Object(t)
		wantKeys(t, "fields with page", page["data"].([]any)[0].(map[string]any), []string{"id", "name", "type"})
		row = must(t, e, 200, "GET", "/data/projects?fields=", nil).List(t)[0]
		if _, ok := row["production_style"]; !ok {
			t.Errorf("empty fields= must keep every key: %v", keysOf(row))
		}
	})
	t.Run("trailing slash", func(t *testing.T) {
		for _, path := range []string{"/data/projects/", "/data/projects/?relations=false", "/data/projects//"} {
			if got := ids(must(t, e, 200, "GET", path, nil).List(t)); !slices.Equal(got, []string{pid}) {
				t.Errorf("%s: %v", path, got)
			}
		}
		if must(t, e, 200, "GET", "/data/projects/"+pid+"/", nil).Object(t)["id"] != pid {
			t.Errorf("GET one with a trailing slash")
		}
		must(t, e, 201, "POST", "/data/project-status/", map[string]any{"name": "Slash", "color": "#000000"})
	})
	t.Run("bare list returns every row", func(t *testing.T) {
		// More rows than a page (NB_RECORDS_PER_PAGE = 100): a list without page is not paginated.
		_, err := e.App.DB.NewRaw(`INSERT INTO department (id, created_at, updated_at, name, color)
			SELECT gen_random_uuid(), now(), now(), 'dep ' || g, '#000000' FROM generate_series(1, 150) g`).Exec(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/data/departments", "/data/departments?relations=false", "/data/departments?limit=10"} {
			if n := len(must(t, e, 200, "GET", path, nil).List(t)); n != 150 {
				t.Errorf("%s: %d rows, want 150", path, n)
			}
		}
	})
}

func anyStrings(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestListPagination checks the envelope and its order: updated_at DESC, created_at DESC, id ASC.
func TestListPagination(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	type row struct {
		id               string
		created, updated time.Time
		color            string
	}
	tie := []string{uuid.NewString(), uuid.NewString()}
	sort.Strings(tie)
	rows := []row{
		{uuid.NewString(), base, base.Add(5 * time.Hour), "#000001"},
		{uuid.NewString(), base.Add(1 * time.Hour), base.Add(4 * time.Hour), "#000002"}, // same updated_at as the next: created_at DESC
		{uuid.NewString(), base.Add(2 * time.Hour), base.Add(4 * time.Hour), "#000002"},
		{tie[1], base, base.Add(3 * time.Hour), "#000001"}, // same updated_at and created_at: id ASC
		{tie[0], base, base.Add(3 * time.Hour), "#000001"},
		{uuid.NewString(), base, base.Add(2 * time.Hour), "#000002"},
		{uuid.NewString(), base, base.Add(1 * time.Hour), "#000001"},
	}
	want := []string{rows[0].id, rows[2].id, rows[1].id, tie[0], tie[1], rows[5].id, rows[6].id}
	for i, r := range rows {
		_, err := e.App.DB.NewRaw("INSERT INTO department (id, created_at, updated_at, name, color) VALUES (?, ?, ?, ?, ?)",
			r.id, r.created, r.updated, fmt.Sprintf("dep %d", i), r.color).Exec(context.Background())
		if err != nil {
			t.Fatal(err)
		}
	}
	envelope := func(t *testing.T, path string) (map[string]any, []string) {
		t.Helper()
		m := must(t, e, 200, "GET", path, nil).Object(t)
		wantKeys(t, path, m, []string{"data", "limit", "nb_pages", "offset", "page", "total"})
		data, ok := m["data"].([]any)
		if !ok {
			t.Fatalf("%s: data is %T", path, m["data"])
		}
		var got []string
		for _, d := range data {
			got = append(got, d.(map[string]any)["id"].(string))
		}
		return m, got
	}
	wantEnv := func(t *testing.T, m map[string]any, total, nbPages, limit, offset, page int) {
		t.Helper()
		for k, v := range map[string]int{"total": total, "nb_pages": nbPages, "limit": limit, "offset": offset, "page": page} {
			if m[k] != float64(v) {
				t.Errorf("%s = %v, want %d", k, m[k], v)
			}
		}
	}

	t.Run("pages in order", func(t *testing.T) {
		var all []string
		for page := 1; page <= 3; page++ {
			m, got := envelope(t, fmt.Sprintf("/data/departments?page=%d&limit=3", page))
			wantEnv(t, m, 7, 3, 3, (page-1)*3, page)
			all = append(all, got...)
		}
		if !slices.Equal(all, want) {
			t.Errorf("order\n got: %v\nwant: %v", all, want)
		}
	})
	t.Run("page 0 and below -1 are refused", func(t *testing.T) {
		for _, page := range []string{"0", "-2"} {
			r := do(t, e, "GET", "/data/departments?limit=3&page="+page, nil)
			wantError(t, r, 400, map[string]any{"error": true, "message": "page must be 1 or more (or -1 for the whole list).", "data": nil})
		}
	})
	t.Run("beyond the last page", func(t *testing.T) {
		m, got := envelope(t, "/data/departments?page=4&limit=3")
		wantEnv(t, m, 7, 3, 3, 9, 4)
		if len(got) != 0 {
			t.Errorf("page 4 data: %v", got)
		}
	})
	t.Run("default limit", func(t *testing.T) {
		m, got := envelope(t, "/data/departments?page=1")
		wantEnv(t, m, 7, 1, 100, 0, 1)
		if !slices.Equal(got, want) {
			t.Errorf("order %v", got)
		}
	})
	t.Run("filtered total", func(t *testing.T) {
		m, got := envelope(t, "/data/departments?page=1&limit=2&color="+q("#000002"))
		wantEnv(t, m, 3, 2, 2, 0, 1)
		if !slices.Equal(got, []string{rows[2].id, rows[1].id}) {
			t.Errorf("filtered page: %v", got)
		}
	})
	t.Run("page=-1 is a bare list", func(t *testing.T) {
		if n := len(must(t, e, 200, "GET", "/data/departments?page=-1&limit=2", nil).List(t)); n != 7 {
			t.Errorf("%d rows", n)
		}
	})
	t.Run("empty table", func(t *testing.T) {
		m, _ := envelope(t, "/data/studios?page=1")
		wantEnv(t, m, 0, 0, 100, 0, 1)
	})
	t.Run("bad page and limit", func(t *testing.T) {
		wantError(t, do(t, e, "GET", "/data/departments?page=abc", nil), 400, wrongParam("page must be an integer."))
		wantError(t, do(t, e, "GET", "/data/departments?page=1&limit=x", nil), 400, wrongParam("limit must be an integer."))
	})
}

// TestRelationWrites checks relation keys in bodies: both spellings, unknown ids dropped, PUT replaces.
func TestRelationWrites(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	a, b := e.NewPerson("user"), e.NewPerson("user")
	task := create(t, e, "tasks", map[string]any{"name": "rel", "assignees": []any{a.ID, map[string]any{"id": b.ID}, uuid.NewString()}})
	if got := sorted(anyStrings(task["assignees"])...); !slices.Equal(got, sorted(a.ID, b.ID)) {
		t.Errorf("created assignees %v, want %v (unknown ids dropped)", got, sorted(a.ID, b.ID))
	}
	id := task["id"].(string)
	up := must(t, e, 200, "PUT", "/data/tasks/"+id, map[string]any{"assignees": []string{b.ID}}).Object(t)
	if _, ok := up["assignees"]; ok {
		t.Errorf("PUT answered relations: %v", keysOf(up))
	}
	if got := anyStrings(must(t, e, 200, "GET", "/data/tasks/"+id, nil).Object(t)["assignees"]); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("assignees after PUT %v", got)
	}
	// A person's PUT answers its departments, as Zou's post_update adds them.
	dep := create(t, e, "departments", map[string]any{"name": "Rigging", "color": "#000000"})
	pu := must(t, e, 200, "PUT", "/data/persons/"+a.ID, map[string]any{"departments": []string{dep["id"].(string)}}).Object(t)
	if got := anyStrings(pu["departments"]); !slices.Equal(got, []string{dep["id"].(string)}) {
		t.Errorf("person PUT departments %v", got)
	}
	// Deleting the task removes its link rows with it.
	must(t, e, 204, "DELETE", "/data/tasks/"+id, nil)
	if n := countRows(t, e, "task_person_link"); n != 0 {
		t.Errorf("%d task_person_link rows left", n)
	}
}

// TestHeaders checks the security headers Zou sends on every answer, errors included.
func TestHeaders(t *testing.T) {
	t.Parallel()
	e := apptest.NewGeneric(t)
	for _, r := range []*apptest.Response{
		do(t, e, "GET", "/data/projects", nil), do(t, e, "GET", "/data/nope", nil),
		do(t, e, "GET", "/data/projects/x", nil), doAs(t, e, "", "GET", "/data/projects", nil),
	} {
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN",
			"Content-Security-Policy": "frame-ancestors 'self'", "Referrer-Policy": "strict-origin-when-cross-origin",
			"Content-Type": "application/json"} {
			if got := r.Header.Get(k); !strings.HasPrefix(got, v) {
				t.Errorf("status %d: %s = %q, want %q", r.Status, k, got, v)
			}
		}
	}
}
