package routes_test

import (
	"testing"

	"github.com/zou-go/zou/apptest"
)

// newsWorld adds a shot and four news to the edits world: a status change
// on the shot (artist), a preview on the edit (manager), a status change on
// the concept, and one in the other production.
type newsWorld struct {
	*editsWorld
	sequence, shot, shotTask, wip, preview string
	nShot, nEdit, nConcept, nOther         string
}

func newsSetup(t *testing.T) *newsWorld {
	t.Helper()
	w := &newsWorld{editsWorld: editsSetup(t)}
	e := w.e
	w.sequence = e.Sequence(w.project, w.episode, "SQ01")
	w.shot = e.Shot(w.project, w.sequence, "SH01")
	w.shotTask = e.Task(w.project, w.shot, e.TaskType("Anim", "Shot"), w.status)
	w.wip = e.TaskStatus("Wip", "wip")
	otherEntity := e.Entity(w.other, e.TypeID("Edit"), "Other", "")
	otherTask := e.Task(w.other, otherEntity, w.taskType, w.status)
	w.preview = newsID(t, e, `INSERT INTO preview_file (id, created_at, updated_at, name, revision, position, extension, status, validation_status, task_id)
		VALUES (gen_random_uuid(), now(), now(), 'v1', 1, 1, 'mp4', 'ready', 'neutral', ?) RETURNING id::text`, w.editTask)
	comment := func(task, person, status string) string {
		return newsID(t, e, `INSERT INTO comment (id, created_at, updated_at, object_id, object_type, person_id, task_status_id, text)
			VALUES (gen_random_uuid(), now(), now(), ?, 'Task', ?, ?, 'hi') RETURNING id::text`, task, person, status)
	}
	news := func(task, author, commentID, preview string, change bool, at string) string {
		var pf any
		if preview != "" {
			pf = preview
		}
		return newsID(t, e, `INSERT INTO news (id, created_at, updated_at, change, author_id, comment_id, task_id, preview_file_id)
			VALUES (gen_random_uuid(), ?::timestamp, ?::timestamp, ?, ?, ?, ?, ?) RETURNING id::text`, at, at, change, author, commentID, task, pf)
	}
	w.nShot = news(w.shotTask, w.artist.ID, comment(w.shotTask, w.artist.ID, w.status), "", true, "2024-01-01 10:00:00")
	w.nEdit = news(w.editTask, w.manager.ID, comment(w.editTask, w.manager.ID, w.status), w.preview, false, "2024-01-02 10:00:00")
	w.nConcept = news(w.conceptTask, w.artist.ID, comment(w.conceptTask, w.artist.ID, w.wip), "", true, "2024-01-03 10:00:00")
	w.nOther = news(otherTask, e.Admin.ID, comment(otherTask, e.Admin.ID, w.status), "", true, "2024-01-04 10:00:00")
	for k, v := range map[string]string{"shot": w.shot, "nShot": w.nShot, "nEdit": w.nEdit, "nOther": w.nOther,
		"person": w.artist.ID, "status": w.status, "wip": w.wip} {
		w.vars[k] = v
	}
	return w
}

func newsID(t *testing.T, e *apptest.Env, q string, args ...any) string {
	t.Helper()
	var id string
	if err := e.App.DB.NewRaw(q, args...).Scan(t.Context(), &id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

// newsPage decodes a feed answer.
func newsPage(t *testing.T, r *apptest.Response) (map[string]any, []map[string]any) {
	t.Helper()
	obj := r.Object(t)
	var out []map[string]any
	for _, x := range obj["data"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return obj, out
}

func TestNewsProjectFeed(t *testing.T) {
	w := newsSetup(t)
	e := w.e
	feed := "/data/projects/" + w.project + "/news"
	keys := []string{"data", "total", "nb_pages", "limit", "offset", "page", "stats"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "admin", As: e.Admin, Method: "GET", Path: feed, Status: 200, Keys: keys},
		{Name: "artist", As: w.artist, Method: "GET", Path: feed, Status: 200, Keys: keys},
		{Name: "vendor", As: w.vendor, Method: "GET", Path: feed, Status: 200},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: feed, Status: 404},
		{Name: "unknown project", As: e.Admin, Method: "GET", Path: "/data/projects/00000000-0000-0000-0000-000000000000/news", Status: 404},
		{Name: "bad limit", As: e.Admin, Method: "GET", Path: feed + "?limit=abc", Status: 400},
		{Name: "zero limit", As: e.Admin, Method: "GET", Path: feed + "?limit=0", Status: 400},
		{Name: "zero page", As: e.Admin, Method: "GET", Path: feed + "?page=0", Status: 400},
		{Name: "bad date", As: e.Admin, Method: "GET", Path: feed + "?after=yesterday", Status: 400},
		{Name: "bad id", As: e.Admin, Method: "GET", Path: feed + "?task_type_id=12", Status: 400},
		{Name: "no token", Method: "GET", Path: feed, Status: 401},
	})

	obj, data := newsPage(t, e.Must(200, "GET", feed, nil, w.artist.Token))
	if obj["total"] != float64(3) || len(data) != 3 || obj["nb_pages"] != float64(1) || obj["limit"] != float64(50) || obj["page"] != float64(1) {
		t.Fatalf("feed: %s", e.Do("GET", feed, nil, w.artist.Token).Body)
	}
	if data[0]["id"] != w.nConcept || data[1]["id"] != w.nEdit || data[2]["id"] != w.nShot {
		t.Errorf("not newest first: %v", data)
	}
	shot := data[2]
	for _, k := range []string{"id", "type", "author_id", "comment_id", "task_id", "task_type_id", "task_status_id", "task_entity_id",
		"preview_file_id", "preview_file_extension", "preview_file_revision", "project_id", "project_name", "created_at", "change",
		"full_entity_name", "episode_id", "entity_preview_file_id", "person"} {
		if !hasKey(shot, k) {
			t.Errorf("news has no %s: %v", k, shot)
		}
	}
	if shot["full_entity_name"] != "E01 / SQ01 / SH01" || shot["episode_id"] != w.episode || shot["type"] != "News" ||
		shot["created_at"] != "2024-01-01T10:00:00" || shot["task_status_id"] != w.status || shot["change"] != true {
		t.Errorf("shot news: %v", shot)
	}
	if p := shot["person"].(map[string]any); p["id"] != w.artist.ID || !hasKey(p, "full_name") || !hasKey(p, "has_avatar") || hasKey(p, "email") {
		t.Errorf("person: %v", p)
	}
	if data[1]["full_entity_name"] != "Edit / Trailer" || data[1]["preview_file_extension"] != "mp4" {
		t.Errorf("edit news: %v", data[1])
	}
	stats := obj["stats"].(map[string]any)
	if len(stats) != 2 || stats[w.status] != float64(1) || stats[w.wip] != float64(1) {
		t.Errorf("stats: %v", stats)
	}

	// Filters.
	count := func(query string, want int) []map[string]any {
		t.Helper()
		_, d := newsPage(t, e.Must(200, "GET", feed+"?"+query, nil, w.artist.Token))
		if len(d) != want {
			t.Errorf("?%s: %d news, want %d: %v", query, len(d), want, d)
		}
		return d
	}
	count("person_id="+w.artist.ID, 2)
	count("task_status_id="+w.wip, 1)
	count("task_type_id="+w.taskType, 1)
	count("episode_id="+w.episode, 1)
	count("after=2024-01-01T12:00:00", 2)
	count("before=2024-01-02", 1)
	count("after=2024-01-01&before=2024-01-03", 2)
	only := count("only_preview=true", 1)
	if pfs := only[0]["preview_files"].([]any); len(pfs) != 1 || pfs[0].(map[string]any)["id"] != w.preview {
		t.Errorf("preview_files: %v", only[0]["preview_files"])
	}
	obj, d := newsPage(t, e.Must(200, "GET", feed+"?limit=1&page=2", nil, w.artist.Token))
	if len(d) != 1 || d[0]["id"] != w.nEdit || obj["nb_pages"] != float64(3) || obj["offset"] != float64(1) || obj["total"] != float64(3) {
		t.Errorf("page 2: %v", obj)
	}
}

func TestNewsStudioFeedAndOne(t *testing.T) {
	w := newsSetup(t)
	e := w.e
	total := func(p *apptest.Person, query string) float64 {
		t.Helper()
		obj, _ := newsPage(t, e.Must(200, "GET", "/data/projects/news"+query, nil, p.Token))
		return obj["total"].(float64)
	}
	if got := total(e.Admin, ""); got != 4 {
		t.Errorf("admin: %v news, want 4", got)
	}
	if got := total(e.Admin, "?project_id="+w.other); got != 1 {
		t.Errorf("admin one project: %v, want 1", got)
	}
	if got := total(w.artist, ""); got != 3 {
		t.Errorf("artist: %v, want 3", got)
	}
	// A project outside the caller's reach is ignored, not granted.
	if got := total(w.artist, "?project_id="+w.other); got != 3 {
		t.Errorf("artist asking for another production: %v, want 3", got)
	}
	if got := total(w.outsider, ""); got != 0 {
		t.Errorf("outsider: %v, want 0", got)
	}
	// A closed production leaves the studio feed.
	sqlExec(t, e, "INSERT INTO project_status (id, created_at, updated_at, name, color) VALUES (gen_random_uuid(), now(), now(), 'Closed', '#000')")
	sqlExec(t, e, "UPDATE project SET project_status_id = (SELECT id FROM project_status WHERE name = 'Closed') WHERE id = ?", w.other)
	if got := total(e.Admin, ""); got != 3 {
		t.Errorf("admin after closing: %v, want 3", got)
	}
	e.Must(400, "GET", "/data/projects/news?before=tomorrow", nil, w.artist.Token)

	one := "/data/projects/{project}/news/"
	e.Run(t, w.vars, []apptest.Case{
		{Name: "one", As: w.artist, Method: "GET", Path: one + "{nShot}", Status: 200, Keys: []string{"id", "full_entity_name", "person", "task_status_id"}, NoKeys: []string{"data", "stats"}},
		{Name: "one client", As: w.client, Method: "GET", Path: one + "{nEdit}", Status: 200},
		{Name: "one vendor", As: w.vendor, Method: "GET", Path: one + "{nShot}", Status: 403},
		{Name: "one outsider", As: w.outsider, Method: "GET", Path: one + "{nShot}", Status: 404},
		{Name: "one of another project", As: e.Admin, Method: "GET", Path: one + "{nOther}", Status: 404},
		{Name: "one malformed", As: e.Admin, Method: "GET", Path: one + "zz", Status: 404},
		{Name: "entity news", As: w.artist, Method: "GET", Path: "/data/entities/{shot}/news", Status: 200, Keys: []string{"data", "total", "nb_pages", "limit"}, NoKeys: []string{"stats"}},
		{Name: "entity news vendor unassigned", As: w.vendor, Method: "GET", Path: "/data/entities/{shot}/news", Status: 404},
		{Name: "entity news outsider", As: w.outsider, Method: "GET", Path: "/data/entities/{shot}/news", Status: 404},
		{Name: "entity news malformed", As: w.artist, Method: "GET", Path: "/data/entities/x/news", Status: 404},
	})
	obj, d := newsPage(t, e.Must(200, "GET", "/data/entities/"+w.shot+"/news", nil, w.artist.Token))
	if len(d) != 1 || d[0]["id"] != w.nShot || obj["limit"] != float64(2000) {
		t.Errorf("entity news: %v", obj)
	}
	_, d = newsPage(t, e.Must(200, "GET", "/data/entities/"+w.edit+"/news", nil, w.vendor.Token))
	if len(d) != 1 || d[0]["id"] != w.nEdit {
		t.Errorf("vendor's entity news: %v", d)
	}
}

// TestNewsRoundTrips pins the number of statements of the list routes of the
// area: it must not grow with the rows (no query per row).
func TestNewsRoundTrips(t *testing.T) {
	w := newsSetup(t)
	e := w.e
	paths := []string{
		"/data/projects/" + w.project + "/news?only_preview=true",
		"/data/projects/" + w.project + "/edits",
		"/data/edits/with-tasks?project_id=" + w.project,
		"/data/concepts/with-tasks?project_id=" + w.project,
		"/data/edits/" + w.edit + "/tasks?relations=true",
		"/data/edits/" + w.edit + "/preview-files",
		"/data/entities/" + w.edit + "/news",
	}
	q := e.CountQueries()
	count := func() map[string]int {
		n := map[string]int{}
		for _, p := range paths {
			q.Reset()
			e.Must(200, "GET", p, nil, w.artist.Token)
			n[p] = len(q.Reset())
		}
		return n
	}
	count() // warm the caches that answer once per person (authentication)
	before := count()
	// Many more rows of every kind.
	for i := range 5 {
		ed := e.Entity(w.project, e.TypeID("Edit"), "More"+string(rune('A'+i)), w.episode)
		task := e.Task(w.project, ed, w.taskType, w.status, w.artist.ID, w.vendor.ID)
		c := newsID(t, e, `INSERT INTO comment (id, created_at, updated_at, object_id, object_type, person_id, task_status_id, text)
			VALUES (gen_random_uuid(), now(), now(), ?, 'Task', ?, ?, 'x') RETURNING id::text`, task, w.manager.ID, w.wip)
		pf := newsID(t, e, `INSERT INTO preview_file (id, created_at, updated_at, name, revision, position, extension, status, validation_status, task_id)
			VALUES (gen_random_uuid(), now(), now(), 'v', 1, 1, 'png', 'ready', 'neutral', ?) RETURNING id::text`, task)
		sqlExec(t, e, `INSERT INTO news (id, created_at, updated_at, change, author_id, comment_id, task_id, preview_file_id)
			VALUES (gen_random_uuid(), now(), now(), true, ?, ?, ?, ?)`, w.manager.ID, c, task, pf)
	}
	after := count()
	for _, p := range paths {
		if after[p] != before[p] || after[p] > 5 {
			t.Errorf("%s: %d statements with few rows, %d with many", p, before[p], after[p])
		}
	}
}
