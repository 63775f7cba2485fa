package routes_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// assetsWorld is a production with a team of every role, an outsider, two
// asset types, assets, a sequence with shots and one task per asset.
type assetsWorld struct {
	e                                        *apptest.Env
	project, other                           string
	manager, supervisor, artist, client      *apptest.Person
	vendor, outsider, otherManager           *apptest.Person
	character, prop                          string // asset types
	hero, villain, sword, otherAsset, shared string
	episode, sequence, shot1, shot2          string
	taskType, status, heroTask               string
}

func assetsSetup(t *testing.T) *assetsWorld {
	t.Helper()
	e := apptest.New(t)
	w := &assetsWorld{e: e}
	w.project = e.Project("Big Buck")
	w.other = e.Project("Other")
	w.manager = e.NewPerson("manager")
	w.supervisor = e.NewPerson("supervisor")
	w.artist = e.NewPerson("user")
	w.client = e.NewPerson("client")
	w.vendor = e.NewPerson("vendor")
	w.outsider = e.NewPerson("user")
	w.otherManager = e.NewPerson("manager")
	for _, p := range []*apptest.Person{w.manager, w.supervisor, w.artist, w.client, w.vendor} {
		e.AddToTeam(w.project, p.ID, "")
	}
	e.AddToTeam(w.other, w.otherManager.ID, "")
	w.character = e.AssetType("Character")
	w.prop = e.AssetType("Prop")
	w.hero = e.Asset(w.project, w.character, "Hero")
	w.villain = e.Asset(w.project, w.character, "Villain")
	w.sword = e.Asset(w.project, w.prop, "Sword")
	w.otherAsset = e.Asset(w.other, w.prop, "Private")
	w.shared = e.Entity(w.other, w.prop, "Shared Tree", "", map[string]any{"is_shared": true})
	w.episode = e.Episode(w.project, "E01")
	w.sequence = e.Sequence(w.project, w.episode, "SQ01")
	w.shot1 = e.Shot(w.project, w.sequence, "SH010")
	w.shot2 = e.Shot(w.project, w.sequence, "SH020")
	w.taskType = e.TaskType("Modeling", "Asset")
	w.status = e.TaskStatus("Todo", "todo")
	w.heroTask = e.Task(w.project, w.hero, w.taskType, w.status, w.vendor.ID)
	return w
}

func (w *assetsWorld) vars() map[string]string {
	return map[string]string{"p": w.project, "other": w.other, "hero": w.hero, "villain": w.villain, "sword": w.sword,
		"otherAsset": w.otherAsset, "shared": w.shared, "character": w.character, "prop": w.prop, "shot1": w.shot1,
		"shot2": w.shot2, "seq": w.sequence, "ep": w.episode, "task": w.heroTask, "tt": w.taskType,
		"bad": "not-a-uuid", "unknown": "8f1b3c2e-0000-4000-8000-000000000001"}
}

func TestAssetsRead(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	assetKeys := []string{"id", "name", "project_id", "entity_type_id", "type", "is_shared", "canceled", "data"}
	full := []string{"id", "name", "type", "project_name", "asset_type_id", "asset_type_name", "tasks", "episode_id",
		"casting_episode_ids", "entities_out", "entities_in", "preview_file_id", "is_casting_standby", "ready_for"}
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "no token", Method: "GET", Path: "/data/assets", Status: 401},
		{Name: "admin lists all", As: e.Admin, Method: "GET", Path: "/data/assets", Status: 200, Len: 5, Keys: assetKeys},
		{Name: "alias all", As: e.Admin, Method: "GET", Path: "/data/assets/all?project_id={p}", Status: 200, Len: 3},
		{Name: "manager sees team projects", As: w.manager, Method: "GET", Path: "/data/assets", Status: 200, Len: 3},
		{Name: "filter by type", As: w.artist, Method: "GET", Path: "/data/assets?entity_type_id={character}", Status: 200, Len: 2},
		{Name: "filter bad uuid", As: w.artist, Method: "GET", Path: "/data/assets?entity_type_id={bad}", Status: 400},
		{Name: "outsider project filter", As: w.outsider, Method: "GET", Path: "/data/assets?project_id={p}", Status: 404},
		{Name: "outsider sees nothing", As: w.outsider, Method: "GET", Path: "/data/assets", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if n := len(r.List(t)); n != 0 {
					t.Fatalf("outsider got %d assets", n)
				}
			}},
		{Name: "vendor only assigned", As: w.vendor, Method: "GET", Path: "/data/assets", Status: 200, Len: 1},
		{Name: "project assets", As: w.artist, Method: "GET", Path: "/data/projects/{p}/assets", Status: 200, Len: 3, Keys: assetKeys},
		{Name: "project assets outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/assets", Status: 404},
		{Name: "project assets bad id", As: w.artist, Method: "GET", Path: "/data/projects/{bad}/assets", Status: 404},
		{Name: "project assets vendor", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/assets", Status: 200, Len: 1},
		{Name: "project type assets", As: w.client, Method: "GET", Path: "/data/projects/{p}/asset-types/{prop}/assets", Status: 200, Len: 1},
		{Name: "project type assets bad type", As: w.client, Method: "GET", Path: "/data/projects/{p}/asset-types/{bad}/assets", Status: 404},
		{Name: "full asset", As: w.artist, Method: "GET", Path: "/data/assets/{hero}", Status: 200, Keys: full, NoKeys: []string{"source_id", "nb_frames"},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["type"] != "Asset" || m["asset_type_name"] != "Character" || m["project_name"] != "Big Buck" {
					t.Fatalf("full asset: %s", r.Body)
				}
				tasks := m["tasks"].([]any)
				if len(tasks) != 1 {
					t.Fatalf("tasks: %v", tasks)
				}
				tk := tasks[0].(map[string]any)
				for _, k := range []string{"id", "task_status_id", "task_type_id", "assignees", "is_subscribed", "priority", "last_preview_file_id"} {
					if !hasKey(tk, k) {
						t.Fatalf("task has no %s: %v", k, tk)
					}
				}
				if as := tk["assignees"].([]any); len(as) != 1 || as[0] != w.vendor.ID {
					t.Fatalf("assignees %v", as)
				}
				if m["preview_file_id"] != "" || m["episode_id"] != "" {
					t.Fatalf("Zou writes empty strings: %s", r.Body)
				}
			}},
		{Name: "full asset vendor assigned", As: w.vendor, Method: "GET", Path: "/data/assets/{hero}", Status: 200},
		{Name: "full asset vendor unassigned", As: w.vendor, Method: "GET", Path: "/data/assets/{villain}", Status: 404},
		{Name: "full asset outsider", As: w.outsider, Method: "GET", Path: "/data/assets/{hero}", Status: 404},
		{Name: "full asset bad id", As: e.Admin, Method: "GET", Path: "/data/assets/{bad}", Status: 404},
		{Name: "full asset unknown", As: e.Admin, Method: "GET", Path: "/data/assets/{unknown}", Status: 404},
		{Name: "a shot is not an asset", As: e.Admin, Method: "GET", Path: "/data/assets/{shot1}", Status: 404},
		{Name: "asset tasks", As: w.artist, Method: "GET", Path: "/data/assets/{hero}/tasks", Status: 200, Len: 1,
			Keys: []string{"id", "entity_id", "task_type_id", "task_status_id"}},
		{Name: "asset tasks relations", As: w.artist, Method: "GET", Path: "/data/assets/{hero}/tasks?relations=true", Status: 200, Keys: []string{"assignees"}},
		{Name: "asset tasks outsider", As: w.outsider, Method: "GET", Path: "/data/assets/{hero}/tasks", Status: 404},
		{Name: "asset task types", As: w.artist, Method: "GET", Path: "/data/assets/{hero}/task-types", Status: 200, Len: 1, Keys: []string{"id", "name", "for_entity"}},
		{Name: "asset task types vendor unassigned", As: w.vendor, Method: "GET", Path: "/data/assets/{sword}/task-types", Status: 404},
		{Name: "with tasks", As: w.manager, Method: "GET", Path: "/data/assets/with-tasks?project_id={p}", Status: 200, Len: 3,
			Keys: []string{"id", "name", "asset_type_name", "asset_type_id", "tasks", "casting_episode_ids", "episode_id", "is_shared"}},
		{Name: "with tasks compact", As: w.manager, Method: "GET", Path: "/data/assets/with-tasks?project_id={p}&compact=true", Status: 200,
			Keys: []string{"compact", "asset_fields", "task_fields", "rows"}, Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				rows := m["rows"].([]any)
				if m["compact"] != true || len(rows) != 3 {
					t.Fatalf("compact: %s", r.Body)
				}
				fields := m["asset_fields"].([]any)
				for _, row := range rows {
					if len(row.([]any)) != len(fields) {
						t.Fatalf("row %v does not follow %v", row, fields)
					}
				}
			}},
		{Name: "with tasks stream", As: w.manager, Method: "GET", Path: "/data/assets/with-tasks?project_id={p}&stream=true&compact=true", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" {
					t.Fatalf("content type %q", ct)
				}
				lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n")
				if len(lines) != 4 || !strings.Contains(lines[0], `"asset_fields"`) {
					t.Fatalf("ndjson: %s", r.Body)
				}
				var row []any
				if err := json.Unmarshal([]byte(lines[1]), &row); err != nil || len(row) != 14 {
					t.Fatalf("line %q: %v", lines[1], err)
				}
				if tasks, ok := row[13].([]any); !ok || (row[0] == w.hero && (len(tasks) != 1 || len(tasks[0].([]any)) != 19)) {
					t.Fatalf("compact tasks: %v", row[13])
				}
			}},
		{Name: "with tasks stream outsider", As: w.outsider, Method: "GET", Path: "/data/assets/with-tasks?project_id={p}&stream=true", Status: 404},
		{Name: "with tasks bad project", As: w.manager, Method: "GET", Path: "/data/assets/with-tasks?project_id={bad}", Status: 400},
		{Name: "with tasks outsider", As: w.outsider, Method: "GET", Path: "/data/assets/with-tasks?project_id={p}", Status: 404},
	})
}

func TestAssetsWithTasksVendor(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	e.Task(w.project, w.hero, e.TaskType("Rigging", "Asset"), w.status, w.artist.ID)
	r := e.Must(200, "GET", "/data/assets/with-tasks?project_id="+w.project, nil, w.vendor.Token)
	l := r.List(t)
	if len(l) != 1 || l[0]["id"] != w.hero {
		t.Fatalf("vendor assets: %s", r.Body)
	}
	if tasks := l[0]["tasks"].([]any); len(tasks) != 1 || tasks[0].(map[string]any)["id"] != w.heroTask {
		t.Fatalf("vendor sees only their task: %v", tasks)
	}
	r = e.Must(200, "GET", "/data/assets/with-tasks?project_id="+w.project+"&episode_id=main", nil, w.manager.Token)
	for _, a := range r.List(t) {
		if a["id"] == w.hero && len(a["tasks"].([]any)) != 2 {
			t.Fatalf("manager sees every task: %v", a["tasks"])
		}
	}
}

func TestAssetsVendorMetadataMask(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	dep := e.Department("Modeling")
	secret := "5c2f1a3b-0000-4000-8000-0000000000d1"
	sqlExec(t, e, `INSERT INTO metadata_descriptor (id, project_id, entity_type, name, field_name) VALUES (?, ?, 'Asset', 'Secret', 'secret'),
		(gen_random_uuid(), ?, 'Asset', 'Public', 'public')`, secret, w.project, w.project)
	sqlExec(t, e, `INSERT INTO department_metadata_descriptor_link (metadata_descriptor_id, department_id) VALUES (?, ?)`, secret, dep)
	sqlExec(t, e, `UPDATE entity SET data = '{"secret": 1, "public": 2}' WHERE id = ?`, w.hero)
	check := func(who *apptest.Person, path string, wantSecret bool) {
		t.Helper()
		r := e.Must(200, "GET", path, nil, who.Token)
		for _, a := range r.List(t) {
			if a["id"] != w.hero {
				continue
			}
			data := a["data"].(map[string]any)
			if _, ok := data["secret"]; ok != wantSecret || data["public"] != float64(2) {
				t.Fatalf("%s as %s: data %v", path, who.Role, data)
			}
			return
		}
		t.Fatalf("%s: hero missing: %s", path, r.Body)
	}
	for _, path := range []string{"/data/projects/" + w.project + "/assets", "/data/assets/with-tasks?project_id=" + w.project, "/data/assets"} {
		check(w.vendor, path, false)
		check(w.manager, path, true)
	}
	e.InDepartment(w.vendor.ID, dep)
	check(w.vendor, "/data/projects/"+w.project+"/assets", true)
}

func TestAssetsTypes(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "asset types exclude temporal", As: w.artist, Method: "GET", Path: "/data/asset-types", Status: 200, Len: 2,
			Keys: []string{"id", "name", "type", "task_types"}, Check: func(t *testing.T, r *apptest.Response) {
				for _, m := range r.List(t) {
					if m["type"] != "AssetType" {
						t.Fatalf("type %v", m["type"])
					}
				}
			}},
		{Name: "asset types filtered", As: w.artist, Method: "GET", Path: "/data/asset-types?name=prop", Status: 200, Len: 1},
		{Name: "asset types of project filter", As: w.artist, Method: "GET", Path: "/data/asset-types?project_id={p}", Status: 200, Len: 2},
		{Name: "asset types bad project", As: w.artist, Method: "GET", Path: "/data/asset-types?project_id={bad}", Status: 400},
		{Name: "asset type", As: w.outsider, Method: "GET", Path: "/data/asset-types/{prop}", Status: 200, Keys: []string{"id", "name", "type"}},
		{Name: "asset type bad", As: w.artist, Method: "GET", Path: "/data/asset-types/{bad}", Status: 404},
		{Name: "asset type unknown", As: w.artist, Method: "GET", Path: "/data/asset-types/{unknown}", Status: 404},
		{Name: "project asset types", As: w.client, Method: "GET", Path: "/data/projects/{p}/asset-types", Status: 200, Len: 2, NoKeys: []string{"task_types"}},
		{Name: "project asset types outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/asset-types", Status: 404},
		{Name: "shot asset types empty", As: w.artist, Method: "GET", Path: "/data/shots/{shot1}/asset-types", Status: 200},
		{Name: "shot asset types not a shot", As: w.artist, Method: "GET", Path: "/data/shots/{hero}/asset-types", Status: 404},
		{Name: "shot asset types outsider", As: w.outsider, Method: "GET", Path: "/data/shots/{shot1}/asset-types", Status: 404},
	})
	sqlExec(t, e, `INSERT INTO entity_link (id, entity_in_id, entity_out_id, nb_occurences) VALUES (gen_random_uuid(), ?, ?, 1)`, w.shot1, w.sword)
	r := e.Must(200, "GET", "/data/shots/"+w.shot1+"/asset-types", nil, w.artist.Token)
	if l := r.List(t); len(l) != 1 || l[0]["id"] != w.prop {
		t.Fatalf("shot asset types: %s", r.Body)
	}
}

func TestAssetsCreate(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	path := "/data/projects/{p}/asset-types/{character}/assets/new"
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "artist refused", As: w.artist, Method: "POST", Path: path, Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: path, Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "missing name", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"description": "x"}, Status: 400},
		{Name: "wrong type name", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"name": 3}, Status: 400},
		{Name: "wrong type data", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"name": "X", "data": "no"}, Status: 400},
		{Name: "bad episode", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"name": "X", "episode_id": "nope"}, Status: 400},
		{Name: "episode of nothing", As: w.manager, Method: "POST", Path: path, Body: map[string]any{"name": "X", "episode_id": w.shot1}, Status: 400},
		{Name: "shot type is not an asset type", As: w.manager, Method: "POST", Path: "/data/projects/{p}/asset-types/" + e.TypeID("Shot") + "/assets/new",
			Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "unknown type", As: w.manager, Method: "POST", Path: "/data/projects/{p}/asset-types/{unknown}/assets/new", Body: map[string]any{"name": "X"}, Status: 404},
	})
	if n := e.Count("entity", "name = 'X'"); n != 0 {
		t.Fatalf("refused creations wrote %d rows", n)
	}
	r := e.Must(201, "POST", "/data/projects/"+w.project+"/asset-types/"+w.character+"/assets/new",
		map[string]any{"name": "Sidekick", "description": "small", "data": map[string]any{"k": "v"}, "is_shared": true, "episode_id": w.episode}, w.manager.Token)
	m := r.Object(t)
	if m["type"] != "Asset" || m["name"] != "Sidekick" || m["is_shared"] != true || m["source_id"] != w.episode || m["created_by"] != w.manager.ID {
		t.Fatalf("created asset: %s", r.Body)
	}
	ev := e.LastEvent("asset:new")
	if ev.Data["asset_id"] != m["id"] || ev.Data["asset_type"] != w.character {
		t.Fatalf("asset:new %v", ev.Data)
	}
	// Zou has no duplicate check for assets (entity_uc holds a null parent_id).
	e.Must(201, "POST", "/data/projects/"+w.project+"/asset-types/"+w.character+"/assets/new", map[string]any{"name": "Sidekick"}, w.manager.Token)
	if n := e.Count("entity", "name = 'Sidekick'"); n != 2 {
		t.Fatalf("%d Sidekicks", n)
	}
	// The episode filter: created in the episode.
	r = e.Must(200, "GET", "/data/assets?episode_id="+w.episode, nil, w.manager.Token)
	if l := r.List(t); len(l) != 1 || l[0]["id"] != m["id"] {
		t.Fatalf("episode filter: %s", r.Body)
	}
}

func TestAssetsDelete(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "artist not creator", As: w.artist, Method: "DELETE", Path: "/data/assets/{sword}", Status: 403},
		{Name: "outsider", As: w.outsider, Method: "DELETE", Path: "/data/assets/{sword}", Status: 404},
		{Name: "bad id", As: w.manager, Method: "DELETE", Path: "/data/assets/{bad}", Status: 404},
		{Name: "not an asset", As: w.manager, Method: "DELETE", Path: "/data/assets/{shot1}", Status: 404},
	})
	// With tasks and no force: only canceled.
	e.Must(204, "DELETE", "/data/assets/"+w.hero, nil, w.manager.Token)
	if n := e.Count("entity", "id = ? AND canceled", w.hero); n != 1 {
		t.Fatal("hero should be canceled, not deleted")
	}
	if ev := e.LastEvent("asset:update"); ev.Data["asset_id"] != w.hero {
		t.Fatalf("asset:update %v", ev.Data)
	}
	// Forced: gone with its task, assignments, comments and links.
	sqlExec(t, e, `INSERT INTO comment (id, created_at, updated_at, object_id, object_type, text, task_status_id, person_id)
		VALUES (gen_random_uuid(), now(), now(), ?, 'Task', 'hi', ?, ?)`, w.heroTask, w.status, w.manager.ID)
	sqlExec(t, e, `INSERT INTO entity_link (id, entity_in_id, entity_out_id, nb_occurences) VALUES (gen_random_uuid(), ?, ?, 1)`, w.shot1, w.hero)
	preview := "4b0c1d2e-0000-4000-8000-0000000000aa"
	sqlExec(t, e, `INSERT INTO preview_file (id, task_id, status, validation_status, revision, position) VALUES (?, ?, 'ready', 'neutral', 1, 1)`, preview, w.heroTask)
	sqlExec(t, e, `UPDATE entity SET preview_file_id = ? WHERE id IN (?, ?)`, preview, w.hero, w.shot1)
	sqlExec(t, e, `UPDATE task SET last_preview_file_id = ? WHERE id = ?`, preview, w.heroTask)
	sqlExec(t, e, `INSERT INTO time_spent (id, task_id, person_id, duration, date) VALUES (gen_random_uuid(), ?, ?, 60, '2024-01-02')`, w.heroTask, w.vendor.ID)
	sqlExec(t, e, `INSERT INTO notification (id, read, change, type, person_id, author_id, task_id) VALUES (gen_random_uuid(), false, false, 'comment', ?, ?, ?)`,
		w.vendor.ID, w.manager.ID, w.heroTask)
	sqlExec(t, e, `INSERT INTO news (id, change, author_id, task_id, preview_file_id) VALUES (gen_random_uuid(), false, ?, ?, ?)`, w.manager.ID, w.heroTask, preview)
	sqlExec(t, e, `INSERT INTO subscription (id, person_id, task_id) VALUES (gen_random_uuid(), ?, ?)`, w.vendor.ID, w.heroTask)
	sqlExec(t, e, `INSERT INTO subscription (id, person_id, entity_id) VALUES (gen_random_uuid(), ?, ?)`, w.vendor.ID, w.hero)
	sqlExec(t, e, `INSERT INTO working_file (id, task_id, entity_id, revision) VALUES (gen_random_uuid(), ?, ?, 1)`, w.heroTask, w.hero)
	sqlExec(t, e, `INSERT INTO entity_version (id, name, entity_id) VALUES (gen_random_uuid(), 'v1', ?)`, w.hero)
	sqlExec(t, e, `INSERT INTO asset_instance (id, asset_id, number, name) VALUES (gen_random_uuid(), ?, 1, 'Hero_0001')`, w.hero)
	sqlExec(t, e, `UPDATE entity SET parent_id = ? WHERE id = ?`, w.hero, w.sword)
	e.Must(204, "DELETE", "/data/assets/"+w.hero+"?force=true", nil, w.manager.Token)
	for _, table := range []string{"preview_file", "time_spent", "notification", "news", "subscription", "working_file", "entity_version", "asset_instance"} {
		if n := e.Count(table, ""); n != 0 {
			t.Fatalf("%s still has %d rows", table, n)
		}
	}
	if n := e.Count("entity", "id = ? AND parent_id IS NULL AND preview_file_id IS NULL", w.sword); n != 1 {
		t.Fatal("the child's parent was not cleared")
	}
	if n := e.Count("entity", "id = ? AND preview_file_id IS NULL", w.shot1); n != 1 {
		t.Fatal("the shot still points at the deleted preview")
	}
	for table, where := range map[string]string{"entity": "id = ?", "task": "entity_id = ?", "entity_link": "entity_out_id = ?"} {
		if n := e.Count(table, where, w.hero); n != 0 {
			t.Fatalf("%s still has %d rows", table, n)
		}
	}
	if n := e.Count("comment", "object_id = ?", w.heroTask); n != 0 {
		t.Fatal("comment left behind")
	}
	if ev := e.LastEvent("asset:delete"); ev.Data["asset_id"] != w.hero {
		t.Fatalf("asset:delete %v", ev.Data)
	}
	// No tasks: deleted at once. The creator may delete without being manager.
	r := e.Must(201, "POST", "/data/projects/"+w.project+"/asset-types/"+w.prop+"/assets/new", map[string]any{"name": "Mine"}, w.manager.Token)
	id := r.Object(t)["id"].(string)
	sqlExec(t, e, `UPDATE entity SET created_by = ? WHERE id = ?`, w.artist.ID, id)
	e.Must(204, "DELETE", "/data/assets/"+id, nil, w.artist.Token)
	if n := e.Count("entity", "id = ?", id); n != 0 {
		t.Fatal("creator's delete did nothing")
	}
}

func TestAssetsShare(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "artist", As: w.artist, Method: "POST", Path: "/actions/projects/{p}/assets/share", Body: map[string]any{}, Status: 403},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: "/actions/projects/{p}/assets/share", Body: map[string]any{}, Status: 404},
		{Name: "bad flag", As: w.manager, Method: "POST", Path: "/actions/projects/{p}/assets/share", Body: map[string]any{"is_shared": "yes"}, Status: 400},
		{Name: "bad ids", As: w.manager, Method: "POST", Path: "/actions/projects/{p}/assets/share", Body: map[string]any{"asset_ids": []string{"x"}}, Status: 400},
		{Name: "share listed", As: w.manager, Method: "POST", Path: "/actions/projects/{p}/assets/share",
			Body: map[string]any{"asset_ids": []string{w.hero}}, Status: 200, Len: 1, Keys: []string{"id", "is_shared", "type"}},
	})
	if n := e.Count("entity", "is_shared AND project_id = ?", w.project); n != 1 {
		t.Fatalf("%d shared after sharing one", n)
	}
	// No body: every asset of the project is shared (shots untouched).
	r := e.Must(200, "POST", "/actions/projects/"+w.project+"/assets/share", nil, w.manager.Token)
	if l := r.List(t); len(l) != 3 {
		t.Fatalf("share all: %s", r.Body)
	}
	if n := e.Count("entity", "is_shared AND project_id = ?", w.project); n != 3 {
		t.Fatalf("%d shared after sharing all", n)
	}
	// Unshare a type.
	e.Must(200, "POST", "/actions/projects/"+w.project+"/asset-types/"+w.character+"/assets/share", map[string]any{"is_shared": false}, w.manager.Token)
	if n := e.Count("entity", "is_shared AND project_id = ?", w.project); n != 1 {
		t.Fatalf("%d shared after unsharing characters", n)
	}
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "type share bad type", As: w.manager, Method: "POST", Path: "/actions/projects/{p}/asset-types/{bad}/assets/share", Status: 404},
		{Name: "list share other project", As: w.manager, Method: "POST", Path: "/actions/assets/share",
			Body: map[string]any{"asset_ids": []string{w.otherAsset}}, Status: 404},
		{Name: "list share unknown", As: w.manager, Method: "POST", Path: "/actions/assets/share",
			Body: map[string]any{"asset_ids": []string{"8f1b3c2e-0000-4000-8000-000000000001"}}, Status: 404},
		{Name: "list share artist", As: w.artist, Method: "POST", Path: "/actions/assets/share",
			Body: map[string]any{"asset_ids": []string{w.hero}}, Status: 403},
		{Name: "list share", As: w.manager, Method: "POST", Path: "/actions/assets/share",
			Body: map[string]any{"asset_ids": []string{w.hero}, "is_shared": true}, Status: 200, Len: 1},
	})
	if n := e.Count("entity", "is_shared AND id = ?", w.hero); n != 1 {
		t.Fatal("hero not shared")
	}
}

func TestAssetsSharedUsed(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	sqlExec(t, e, `INSERT INTO entity_link (id, entity_in_id, entity_out_id, nb_occurences) VALUES (gen_random_uuid(), ?, ?, 1)`, w.shot1, w.shared)
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "shared used", As: w.artist, Method: "GET", Path: "/data/projects/{p}/assets/shared-used", Status: 200, Len: 1, Keys: []string{"id", "type", "is_shared"}},
		{Name: "shared used in episode", As: w.artist, Method: "GET", Path: "/data/projects/{p}/episodes/{ep}/assets/shared-used", Status: 200, Len: 1},
		{Name: "shared used other episode", As: w.artist, Method: "GET", Path: "/data/projects/{p}/episodes/{unknown}/assets/shared-used", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Fatal("unknown episode lists assets")
				}
			}},
		{Name: "shared used outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/assets/shared-used", Status: 404},
	})
	if r := e.Must(200, "GET", "/data/projects/"+w.project+"/assets/shared-used", nil, w.artist.Token); r.List(t)[0]["id"] != w.shared {
		t.Fatalf("shared used: %s", r.Body)
	}
	_ = http.StatusOK
}
