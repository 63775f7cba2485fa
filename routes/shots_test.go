package routes_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// shotsWorld is a production with an episode, a sequence, two shots, a
// scene, tasks, and one person of each standing.
type shotsWorld struct {
	e                                 *apptest.Env
	project, other                    string
	episode, sequence, shot, shot2    string
	scene, otherSeq, asset            string
	taskType, status, task, task2     string
	manager, artist, outsider, vendor *apptest.Person
	client, supervisor                *apptest.Person
	vars                              map[string]string
}

func shotsSetup(t *testing.T) *shotsWorld {
	t.Helper()
	e := apptest.New(t)
	w := &shotsWorld{e: e}
	w.project = e.Project("Big Buck")
	w.other = e.Project("Other")
	w.episode = e.Episode(w.project, "E01")
	w.sequence = e.Sequence(w.project, w.episode, "SQ01")
	w.shot = e.Shot(w.project, w.sequence, "SH010")
	w.shot2 = e.Shot(w.project, w.sequence, "SH020")
	w.scene = e.Entity(w.project, e.TypeID("Scene"), "SC01", w.sequence)
	w.otherSeq = e.Sequence(w.other, "", "OSQ")
	w.asset = e.Asset(w.project, e.AssetType("Character"), "Hero")
	sqlExec(t, e, "UPDATE entity SET source_id = ? WHERE id = ?", w.episode, w.asset)
	sqlExec(t, e, `UPDATE entity SET nb_frames = 48, data = '{"frame_in": 1, "frame_out": 48, "secret": "x", "open": "y"}' WHERE id = ?`, w.shot)
	w.taskType = e.TaskType("Animation", "Shot")
	w.status = e.TaskStatus("Todo", "todo")
	w.manager = e.NewPerson("manager")
	w.artist = e.NewPerson("user")
	w.outsider = e.NewPerson("user")
	w.vendor = e.NewPerson("vendor")
	w.client = e.NewPerson("client")
	w.supervisor = e.NewPerson("supervisor")
	for _, p := range []*apptest.Person{w.manager, w.artist, w.vendor, w.client, w.supervisor} {
		e.AddToTeam(w.project, p.ID, "")
	}
	w.task = e.Task(w.project, w.shot, w.taskType, w.status, w.vendor.ID)
	w.task2 = e.Task(w.project, w.shot2, w.taskType, w.status)
	assetTT := e.TaskType("Modeling", "Asset")
	e.Task(w.project, w.asset, assetTT, w.status)
	// A metadata column of the vendor-hidden kind: "secret" belongs to a
	// department the vendor is not in.
	dep := e.Department("Compositing")
	md := e.ID("metadata-descriptors", map[string]any{"project_id": w.project, "entity_type": "Shot",
		"name": "Secret", "field_name": "secret", "departments": []string{dep}})
	_ = md
	w.vars = map[string]string{"p": w.project, "other": w.other, "ep": w.episode, "seq": w.sequence, "shot": w.shot,
		"shot2": w.shot2, "scene": w.scene, "oseq": w.otherSeq, "asset": w.asset, "bad": "not-an-id",
		"unknown": "6a1b7c7e-1111-4222-8333-944455556666"}
	return w
}

func TestShotsProjectLists(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "admin shots", As: e.Admin, Method: "GET", Path: "/data/projects/{p}/shots", Status: 200, Len: 2,
			Keys:   []string{"id", "name", "parent_id", "nb_frames", "data", "type", "project_id", "entity_type_id", "canceled"},
			NoKeys: []string{"entities_out", "instance_casting"},
			Check: func(t *testing.T, r *apptest.Response) {
				l := r.List(t)
				if l[0]["name"] != "SH010" || l[0]["type"] != "Shot" || l[0]["nb_frames"] != float64(48) {
					t.Errorf("first shot: %v", l[0])
				}
			}},
		{Name: "manager", As: w.manager, Method: "GET", Path: "/data/projects/{p}/shots", Status: 200, Len: 2},
		{Name: "artist", As: w.artist, Method: "GET", Path: "/data/projects/{p}/shots", Status: 200, Len: 2},
		{Name: "client", As: w.client, Method: "GET", Path: "/data/projects/{p}/shots", Status: 200, Len: 2},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/shots", Status: 404},
		{Name: "no token", Method: "GET", Path: "/data/projects/{p}/shots", Status: 401},
		{Name: "malformed project", As: e.Admin, Method: "GET", Path: "/data/projects/{bad}/shots", Status: 404},
		{Name: "unknown project", As: e.Admin, Method: "GET", Path: "/data/projects/{unknown}/shots", Status: 404},
		{Name: "vendor: assigned only, masked", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/shots", Status: 200, Len: 1,
			Check: func(t *testing.T, r *apptest.Response) {
				l := r.List(t)
				data := l[0]["data"].(map[string]any)
				if l[0]["id"] != w.shot || hasKey(data, "secret") || data["open"] != "y" {
					t.Errorf("vendor shot: %v", l[0])
				}
			}},
		{Name: "sequences", As: w.artist, Method: "GET", Path: "/data/projects/{p}/sequences", Status: 200, Len: 1,
			Keys: []string{"id", "name", "parent_id", "type"},
			Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["type"] != "Sequence" || r.List(t)[0]["parent_id"] != w.episode {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "vendor sequences", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/sequences", Status: 200, Len: 1},
		{Name: "episodes", As: w.manager, Method: "GET", Path: "/data/projects/{p}/episodes", Status: 200, Len: 1, Keys: []string{"id", "name", "status", "type"}},
		{Name: "vendor episodes via shots", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/episodes", Status: 200, Len: 1},
		{Name: "scenes", As: w.artist, Method: "GET", Path: "/data/projects/{p}/scenes", Status: 200, Len: 1, Keys: []string{"id", "type"}},
		{Name: "vendor scenes: none assigned", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/scenes", Status: 200, Len: 0,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Errorf("vendor sees scenes: %s", r.Body)
				}
			}},
		{Name: "outsider episodes", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/episodes", Status: 404},
	})
}

func TestShotsSearchLists(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "admin all shots", As: e.Admin, Method: "GET", Path: "/data/shots/all", Status: 200, Len: 2,
			Keys: []string{"project_name", "sequence_name", "type", "nb_frames"}},
		{Name: "alias", As: e.Admin, Method: "GET", Path: "/data/shots", Status: 200, Len: 2},
		{Name: "non-admin needs project_id", As: w.artist, Method: "GET", Path: "/data/shots", Status: 403},
		{Name: "artist with project", As: w.artist, Method: "GET", Path: "/data/shots?project_id={p}", Status: 200, Len: 2},
		{Name: "outsider with project", As: w.outsider, Method: "GET", Path: "/data/shots?project_id={p}", Status: 404},
		{Name: "by sequence", As: w.artist, Method: "GET", Path: "/data/shots/all?sequence_id={seq}", Status: 200, Len: 2,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["sequence_name"] != "SQ01" || r.List(t)[0]["project_name"] != "Big Buck" {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "by name", As: w.artist, Method: "GET", Path: "/data/shots/all?project_id={p}&name=SH020", Status: 200, Len: 1},
		{Name: "unknown sequence", As: e.Admin, Method: "GET", Path: "/data/shots/all?sequence_id={unknown}", Status: 404},
		{Name: "bad filter value", As: e.Admin, Method: "GET", Path: "/data/shots/all?nb_frames=abc", Status: 400},
		{Name: "vendor scoped", As: w.vendor, Method: "GET", Path: "/data/shots?project_id={p}", Status: 200, Len: 1},
		{Name: "scenes", As: w.artist, Method: "GET", Path: "/data/scenes/all?project_id={p}", Status: 200, Len: 1, Keys: []string{"project_name", "sequence_name"}},
		{Name: "scenes refused to vendors", As: w.vendor, Method: "GET", Path: "/data/scenes/all?project_id={p}", Status: 403},
		{Name: "episodes", As: w.artist, Method: "GET", Path: "/data/episodes?project_id={p}", Status: 200, Len: 1, Keys: []string{"type"}},
		{Name: "episodes admin", As: e.Admin, Method: "GET", Path: "/data/episodes", Status: 200, Len: 1},
		{Name: "vendor episodes", As: w.vendor, Method: "GET", Path: "/data/episodes?project_id={p}", Status: 200, Len: 1},
		{Name: "sequences by episode", As: w.artist, Method: "GET", Path: "/data/sequences?episode_id={ep}", Status: 200, Len: 1},
		{Name: "sequences admin", As: e.Admin, Method: "GET", Path: "/data/sequences", Status: 200, Len: 2},
		{Name: "sequences unknown episode", As: w.artist, Method: "GET", Path: "/data/sequences?episode_id={unknown}", Status: 404},
	})
}

func TestShotsGetOne(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "full shot", As: w.artist, Method: "GET", Path: "/data/shots/{shot}", Status: 200,
			Keys: []string{"id", "name", "project_name", "sequence_id", "sequence_name", "episode_id", "episode_name",
				"tasks", "frame_in", "frame_out", "fps", "entities_out", "type", "nb_frames"},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["sequence_name"] != "SQ01" || m["episode_name"] != "E01" || m["project_name"] != "Big Buck" ||
					m["frame_out"] != float64(48) || m["type"] != "Shot" {
					t.Errorf("shot: %v", m)
				}
				tasks := m["tasks"].([]any)
				if len(tasks) != 1 {
					t.Fatalf("tasks: %v", tasks)
				}
				task := tasks[0].(map[string]any)
				for _, k := range []string{"id", "task_type_id", "task_status_id", "assignees", "is_subscribed", "priority"} {
					if !hasKey(task, k) {
						t.Errorf("task has no %s: %v", k, task)
					}
				}
				if a := task["assignees"].([]any); len(a) != 1 || a[0] != w.vendor.ID {
					t.Errorf("assignees: %v", a)
				}
			}},
		{Name: "vendor assigned", As: w.vendor, Method: "GET", Path: "/data/shots/{shot}", Status: 200},
		{Name: "vendor not assigned", As: w.vendor, Method: "GET", Path: "/data/shots/{shot2}", Status: 404},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: "/data/shots/{shot}", Status: 404},
		{Name: "malformed", As: e.Admin, Method: "GET", Path: "/data/shots/{bad}", Status: 404},
		{Name: "unknown", As: e.Admin, Method: "GET", Path: "/data/shots/{unknown}", Status: 404},
		{Name: "a sequence is not a shot", As: e.Admin, Method: "GET", Path: "/data/shots/{seq}", Status: 404},
		{Name: "sequence", As: w.artist, Method: "GET", Path: "/data/sequences/{seq}", Status: 200,
			Keys: []string{"project_name", "episode_id", "episode_name", "type"}, NoKeys: []string{"tasks"},
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["episode_name"] != "E01" || m["type"] != "Sequence" {
					t.Errorf("%v", m)
				}
			}},
		{Name: "episode", As: w.client, Method: "GET", Path: "/data/episodes/{ep}", Status: 200, Keys: []string{"project_name", "type"}},
		{Name: "scene", As: w.artist, Method: "GET", Path: "/data/scenes/{scene}", Status: 200,
			Keys: []string{"project_name", "sequence_id", "sequence_name", "episode_id", "episode_name"}},
		{Name: "vendor scene not assigned", As: w.vendor, Method: "GET", Path: "/data/scenes/{scene}", Status: 404},
		{Name: "outsider episode", As: w.outsider, Method: "GET", Path: "/data/episodes/{ep}", Status: 404},
	})
}

func TestShotsCreate(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "manager creates shot", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots",
			Body:   map[string]any{"name": "SH030", "sequence_id": w.sequence, "nb_frames": 24, "data": map[string]any{"frame_in": 1, "frame_out": "24"}},
			Status: 201, Keys: []string{"id", "name", "parent_id", "nb_frames", "created_by", "type"},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["parent_id"] != w.sequence || m["nb_frames"] != float64(24) || m["created_by"] != w.manager.ID || m["type"] != "Shot" {
					t.Errorf("%v", m)
				}
				ev := e.LastEvent("shot:new")
				if ev.Data["shot_id"] != m["id"] || ev.Data["episode_id"] != w.episode {
					t.Errorf("event: %v", ev.Data)
				}
			}},
		{Name: "existing shot returned", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots",
			Body: map[string]any{"name": "SH010", "sequence_id": w.sequence}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["id"] != w.shot {
					t.Errorf("not the existing shot: %s", r.Body)
				}
				if n := e.Count("entity", "name = 'SH010'"); n != 1 {
					t.Errorf("%d SH010 rows", n)
				}
			}},
		{Name: "artist refused", As: w.artist, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "unknown project", As: e.Admin, Method: "POST", Path: "/data/projects/{unknown}/shots", Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "missing name", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"sequence_id": w.sequence}, Status: 400},
		{Name: "name wrong type", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": 12}, Status: 400},
		{Name: "negative nb_frames", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "N", "nb_frames": -1}, Status: 400},
		{Name: "fractional nb_frames", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "N", "nb_frames": 1.5}, Status: 400},
		{Name: "bad frame_in", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "N", "data": map[string]any{"frame_in": "-3"}}, Status: 400},
		{Name: "malformed sequence", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "N", "sequence_id": "nope"}, Status: 400},
		{Name: "unknown sequence", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "N", "sequence_id": w.vars["unknown"]}, Status: 404},
		{Name: "other project's sequence", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "N", "sequence_id": w.otherSeq}, Status: 400},
		{Name: "not JSON", As: w.manager, Method: "POST", Path: "/data/projects/{p}/shots", Body: "[1]", Status: 400},
		{Name: "sequence", As: w.manager, Method: "POST", Path: "/data/projects/{p}/sequences", Body: map[string]any{"name": "SQ02", "episode_id": w.episode},
			Status: 201, Keys: []string{"id", "parent_id", "type", "description"},
			Check: func(t *testing.T, r *apptest.Response) {
				if e.LastEvent("sequence:new").Data["sequence_id"] != r.Object(t)["id"] {
					t.Error("no sequence:new")
				}
			}},
		{Name: "sequence exists", As: w.manager, Method: "POST", Path: "/data/projects/{p}/sequences", Body: map[string]any{"name": "SQ01", "episode_id": w.episode}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["id"] != w.sequence {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "sequence: a shot is no episode", As: w.manager, Method: "POST", Path: "/data/projects/{p}/sequences", Body: map[string]any{"name": "Z", "episode_id": w.shot}, Status: 404},
		{Name: "episode", As: w.manager, Method: "POST", Path: "/data/projects/{p}/episodes", Body: map[string]any{"name": "E02", "status": "weird"},
			Status: 201, Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["status"] != "running" || m["type"] != "Episode" {
					t.Errorf("%v", m)
				}
				e.LastEvent("episode:new")
			}},
		{Name: "scene", As: w.manager, Method: "POST", Path: "/data/projects/{p}/scenes", Body: map[string]any{"name": "SC02", "sequence_id": w.sequence},
			Status: 201, Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["type"] != "Scene" || m["parent_id"] != w.sequence {
					t.Errorf("%v", m)
				}
				e.LastEvent("scene:new")
			}},
		{Name: "client refused", As: w.client, Method: "POST", Path: "/data/projects/{p}/episodes", Body: map[string]any{"name": "E9"}, Status: 403},
		{Name: "vendor refused", As: w.vendor, Method: "POST", Path: "/data/projects/{p}/sequences", Body: map[string]any{"name": "S9"}, Status: 403},
		{Name: "supervisor refused", As: w.supervisor, Method: "POST", Path: "/data/projects/{p}/scenes", Body: map[string]any{"name": "S9"}, Status: 403},
		{Name: "admin, no sequence", As: e.Admin, Method: "POST", Path: "/data/projects/{p}/shots", Body: map[string]any{"name": "Loose"}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["parent_id"] != nil || e.LastEvent("shot:new").Data["episode_id"] != nil {
					t.Errorf("%v", m)
				}
			}},
		{Name: "episode data not an object", As: w.manager, Method: "POST", Path: "/data/projects/{p}/episodes", Body: map[string]any{"name": "E5", "data": "x"}, Status: 400},
		{Name: "empty name", As: w.manager, Method: "POST", Path: "/data/projects/{p}/episodes", Body: map[string]any{"name": "  "}, Status: 400},
	})
}

func TestShotsUpdate(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "manager renames, merges data", As: w.manager, Method: "PUT", Path: "/data/shots/{shot}",
			Body:   map[string]any{"name": "SH011", "nb_frames": 50, "project_id": w.other, "data": map[string]any{"frame_out": 50}},
			Status: 200, Keys: []string{"id", "name", "type"},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				data := m["data"].(map[string]any)
				if m["name"] != "SH011" || m["nb_frames"] != float64(50) || m["project_id"] != w.project || data["frame_in"] != float64(1) || data["frame_out"] != float64(50) {
					t.Errorf("%v", m)
				}
				if e.LastEvent("shot:update").Data["shot_id"] != w.shot {
					t.Error("event")
				}
			}},
		{Name: "artist refused", As: w.artist, Method: "PUT", Path: "/data/shots/{shot}", Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "client refused", As: w.client, Method: "PUT", Path: "/data/shots/{shot}", Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "vendor refused", As: w.vendor, Method: "PUT", Path: "/data/shots/{shot}", Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "supervisor refused", As: w.supervisor, Method: "PUT", Path: "/data/shots/{shot}", Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "not JSON", As: w.manager, Method: "PUT", Path: "/data/shots/{shot}", Body: "nope", Status: 400},
		{Name: "unknown shot", As: e.Admin, Method: "PUT", Path: "/data/shots/{unknown}", Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "outsider", As: w.outsider, Method: "PUT", Path: "/data/shots/{shot}", Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "malformed", As: e.Admin, Method: "PUT", Path: "/data/shots/{bad}", Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "negative frames", As: w.manager, Method: "PUT", Path: "/data/shots/{shot}", Body: map[string]any{"nb_frames": -2}, Status: 400},
		{Name: "wrong type", As: w.manager, Method: "PUT", Path: "/data/shots/{shot}", Body: map[string]any{"nb_frames": "many"}, Status: 400},
		{Name: "parent from other project", As: w.manager, Method: "PUT", Path: "/data/shots/{shot}", Body: map[string]any{"parent_id": w.otherSeq}, Status: 400},
		{Name: "duplicate name", As: w.manager, Method: "PUT", Path: "/data/shots/{shot2}", Body: map[string]any{"name": "SH011"}, Status: 400},
	})
}

func TestShotsDelete(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	comment := e.ID("comments", map[string]any{"object_id": w.task, "object_type": "Task", "task_status_id": w.status,
		"person_id": e.Admin.ID, "text": "hi"})
	_ = comment
	e.Run(t, w.vars, []apptest.Case{
		{Name: "artist refused", As: w.artist, Method: "DELETE", Path: "/data/shots/{shot}", Status: 403},
		{Name: "client refused", As: w.client, Method: "DELETE", Path: "/data/shots/{shot}", Status: 403},
		{Name: "vendor refused", As: w.vendor, Method: "DELETE", Path: "/data/episodes/{ep}", Status: 403},
		{Name: "unknown", As: e.Admin, Method: "DELETE", Path: "/data/sequences/{unknown}", Status: 404},
		{Name: "a shot id on the episode route", As: e.Admin, Method: "DELETE", Path: "/data/episodes/{shot}", Status: 404},
		{Name: "outsider", As: w.outsider, Method: "DELETE", Path: "/data/shots/{shot}", Status: 404},
		{Name: "malformed", As: e.Admin, Method: "DELETE", Path: "/data/shots/{bad}", Status: 404},
		{Name: "with tasks: canceled", As: w.manager, Method: "DELETE", Path: "/data/shots/{shot}", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("entity", "id = ? AND canceled", w.shot) != 1 {
					t.Error("not canceled")
				}
				e.LastEvent("shot:update")
			}},
		{Name: "forced: removed with tasks", As: w.manager, Method: "DELETE", Path: "/data/shots/{shot}?force=true", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("entity", "id = ?", w.shot) != 0 || e.Count("task", "id = ?", w.task) != 0 || e.Count("comment", "") != 0 {
					t.Error("shot, task or comment left")
				}
				if e.LastEvent("shot:delete").Data["shot_id"] != w.shot || e.LastEvent("task:delete").Data["task_id"] != w.task {
					t.Error("events")
				}
			}},
		{Name: "sequence with shots: 400", As: w.manager, Method: "DELETE", Path: "/data/sequences/{seq}", Status: 400},
		{Name: "scene without links", As: w.manager, Method: "DELETE", Path: "/data/scenes/{scene}", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("entity", "id = ?", w.scene) != 0 {
					t.Error("scene left")
				}
				e.LastEvent("scene:delete")
			}},
		{Name: "episode forced takes its tree", As: e.Admin, Method: "DELETE", Path: "/data/episodes/{ep}?force=true", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				for _, id := range []string{w.episode, w.sequence, w.shot2, w.asset} {
					if e.Count("entity", "id = ?", id) != 0 {
						t.Errorf("%s left", id)
					}
				}
				if e.Count("task", "") != 0 {
					t.Error("tasks left")
				}
				e.LastEvent("episode:delete")
				e.LastEvent("sequence:delete")
			}},
	})
	// A creator who is not a manager may delete what they created.
	seq := w.e.Sequence(w.project, "", "Mine")
	sqlExec(t, e, "UPDATE entity SET created_by = ? WHERE id = ?", w.artist.ID, seq)
	e.Must(http.StatusNoContent, "DELETE", "/data/sequences/"+seq, nil, w.artist.Token)
	seq2 := w.e.Sequence(w.project, "", "NotMine")
	e.Must(http.StatusForbidden, "DELETE", "/data/sequences/"+seq2, nil, w.artist.Token)
}

func TestShotsSubLists(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	sqlExec(t, e, `INSERT INTO entity_version (id, created_at, updated_at, name, data, entity_id, person_id)
		VALUES (gen_random_uuid(), now(), now(), 'SH010', '{"frame_in": 1}', ?, ?)`, w.shot, e.Admin.ID)
	e.Run(t, w.vars, []apptest.Case{
		{Name: "shot tasks", As: w.artist, Method: "GET", Path: "/data/shots/{shot}/tasks", Status: 200, Len: 1,
			Keys: []string{"id", "project_name", "task_type_name", "task_status_name", "entity_type_name", "entity_name", "type"}, NoKeys: []string{"assignees"}},
		{Name: "shot tasks relations", As: w.artist, Method: "GET", Path: "/data/shots/{shot}/tasks?relations=true", Status: 200, Len: 1, Keys: []string{"assignees"}},
		{Name: "shot tasks outsider", As: w.outsider, Method: "GET", Path: "/data/shots/{shot}/tasks", Status: 404},
		{Name: "shot tasks vendor other", As: w.vendor, Method: "GET", Path: "/data/shots/{shot2}/tasks", Status: 404},
		{Name: "shot task types", As: w.artist, Method: "GET", Path: "/data/shots/{shot}/task-types", Status: 200, Len: 1, Keys: []string{"id", "name", "for_entity"}},
		{Name: "shot versions", As: w.artist, Method: "GET", Path: "/data/shots/{shot}/versions", Status: 200, Len: 1,
			Keys: []string{"id", "name", "data", "entity_id", "person_id", "type"},
			Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["type"] != "ShotVersion" {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "versions malformed", As: w.artist, Method: "GET", Path: "/data/shots/{bad}/versions", Status: 404},
		{Name: "sequence shot-tasks", As: w.artist, Method: "GET", Path: "/data/sequences/{seq}/shot-tasks", Status: 200, Len: 2, Keys: []string{"entity_name"}},
		{Name: "sequence shot-tasks vendor", As: w.vendor, Method: "GET", Path: "/data/sequences/{seq}/shot-tasks", Status: 404},
		{Name: "sequence task types", As: w.artist, Method: "GET", Path: "/data/sequences/{seq}/task-types", Status: 200, Len: 1},
		{Name: "sequence tasks (none)", As: w.artist, Method: "GET", Path: "/data/sequences/{seq}/tasks", Status: 200},
		{Name: "sequence shots", As: w.artist, Method: "GET", Path: "/data/sequences/{seq}/shots", Status: 200, Len: 2, Keys: []string{"sequence_name"}},
		{Name: "sequence shots vendor", As: w.vendor, Method: "GET", Path: "/data/sequences/{seq}/shots", Status: 200, Len: 1},
		{Name: "sequence shots outsider", As: w.outsider, Method: "GET", Path: "/data/sequences/{seq}/shots", Status: 404},
		{Name: "sequence scenes", As: w.artist, Method: "GET", Path: "/data/sequences/{seq}/scenes", Status: 200, Len: 1, Keys: []string{"type"}},
		{Name: "episode shots", As: w.artist, Method: "GET", Path: "/data/episodes/{ep}/shots", Status: 200, Len: 2, NoKeys: []string{"entities_out"}},
		{Name: "episode shots relations", As: w.artist, Method: "GET", Path: "/data/episodes/{ep}/shots?relations=true", Status: 200, Len: 2, Keys: []string{"entities_out"}},
		{Name: "episode sequences", As: w.artist, Method: "GET", Path: "/data/episodes/{ep}/sequences", Status: 200, Len: 1},
		{Name: "episode sequences malformed", As: w.artist, Method: "GET", Path: "/data/episodes/{bad}/sequences", Status: 200},
		{Name: "episode sequences unknown", As: w.artist, Method: "GET", Path: "/data/episodes/{unknown}/sequences", Status: 404},
		{Name: "episode shot-tasks", As: w.manager, Method: "GET", Path: "/data/episodes/{ep}/shot-tasks", Status: 200, Len: 2},
		{Name: "episode asset-tasks", As: w.manager, Method: "GET", Path: "/data/episodes/{ep}/asset-tasks", Status: 200, Len: 1,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.List(t)[0]["entity_name"] != "Hero" {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "episode task types", As: w.manager, Method: "GET", Path: "/data/episodes/{ep}/task-types", Status: 200, Len: 1},
		{Name: "episode tasks", As: w.manager, Method: "GET", Path: "/data/episodes/{ep}/tasks", Status: 200},
		{Name: "episode shot-tasks outsider", As: w.outsider, Method: "GET", Path: "/data/episodes/{ep}/shot-tasks", Status: 404},
		{Name: "scene tasks", As: w.artist, Method: "GET", Path: "/data/scenes/{scene}/tasks", Status: 200},
		{Name: "scene task types", As: w.artist, Method: "GET", Path: "/data/scenes/{scene}/task-types", Status: 200},
		{Name: "scene tasks on a shot id", As: w.artist, Method: "GET", Path: "/data/scenes/{shot}/tasks", Status: 404},
	})
}

func TestShotsScenesLinks(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "link", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/shots", Body: map[string]any{"shot_id": w.shot}, Status: 201,
			Keys: []string{"id", "source_id"}, Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["source_id"] != w.scene {
					t.Errorf("%s", r.Body)
				}
				e.LastEvent("shot:add-to-scene")
			}},
		{Name: "list", As: w.artist, Method: "GET", Path: "/data/scenes/{scene}/shots", Status: 200, Len: 1, Keys: []string{"project_name", "sequence_name"}},
		{Name: "missing shot_id", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/shots", Body: map[string]any{}, Status: 400},
		{Name: "malformed shot_id", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/shots", Body: map[string]any{"shot_id": "x"}, Status: 400},
		{Name: "unknown shot", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/shots", Body: map[string]any{"shot_id": w.vars["unknown"]}, Status: 404},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: "/data/scenes/{scene}/shots", Body: map[string]any{"shot_id": w.shot}, Status: 404},
		{Name: "unlink", As: w.artist, Method: "DELETE", Path: "/data/scenes/{scene}/shots/{shot}", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("entity", "id = ? AND source_id IS NULL", w.shot) != 1 {
					t.Error("still linked")
				}
				e.LastEvent("shot:remove-from-scene")
			}},
		{Name: "unlink unknown", As: w.artist, Method: "DELETE", Path: "/data/scenes/{scene}/shots/{unknown}", Status: 404},
	})
}

func TestShotsWithTasks(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "project", As: w.artist, Method: "GET", Path: "/data/shots/with-tasks?project_id={p}", Status: 200, Len: 2,
			Keys:   []string{"id", "tasks", "sequence_name", "episode_name", "episode_id", "project_name", "frame_in", "fps", "type"},
			NoKeys: []string{"created_at"},
			Check: func(t *testing.T, r *apptest.Response) {
				if tasks := r.List(t)[0]["tasks"].([]any); len(tasks) != 1 {
					t.Errorf("tasks %v", tasks)
				}
			}},
		{Name: "episode filter", As: w.artist, Method: "GET", Path: "/data/shots/with-tasks?project_id={p}&episode_id={ep}", Status: 200, Len: 2},
		{Name: "bad id", As: w.artist, Method: "GET", Path: "/data/shots/with-tasks?project_id={bad}", Status: 400},
		{Name: "no project non-admin", As: w.artist, Method: "GET", Path: "/data/shots/with-tasks", Status: 403},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: "/data/shots/with-tasks?project_id={p}", Status: 404},
		{Name: "vendor", As: w.vendor, Method: "GET", Path: "/data/shots/with-tasks?project_id={p}", Status: 200, Len: 1},
	})
}

func TestShotsAssetsAndPreviews(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	sqlExec(t, e, `INSERT INTO entity_link (id, created_at, updated_at, entity_in_id, entity_out_id, nb_occurences)
		VALUES (gen_random_uuid(), now(), now(), ?, ?, 2)`, w.shot, w.asset)
	for i, rev := range []int{1, 2, 2} {
		sqlExec(t, e, `INSERT INTO preview_file (id, created_at, updated_at, name, revision, position, extension, status,
			validation_status, task_id, duration, data) VALUES (gen_random_uuid(), now() + ? * interval '1 second', now(), 'p' || ?::text, ?, ?, 'png',
			'ready', 'neutral', ?, 2.5, '{"original_width": 1920}')`, i, i, rev, i+1, w.task)
	}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "assets", As: w.artist, Method: "GET", Path: "/data/shots/{shot}/assets", Status: 200, Len: 1,
			Keys: []string{"id", "name", "entity_type_id", "type"},
			Check: func(t *testing.T, r *apptest.Response) {
				if a := r.List(t)[0]; a["id"] != w.asset || a["type"] != "Asset" {
					t.Errorf("%v", a)
				}
			}},
		{Name: "assets outsider", As: w.outsider, Method: "GET", Path: "/data/shots/{shot}/assets", Status: 404},
		{Name: "assets on a sequence id", As: w.artist, Method: "GET", Path: "/data/shots/{seq}/assets", Status: 404},
		{Name: "assets vendor not assigned", As: w.vendor, Method: "GET", Path: "/data/shots/{shot2}/assets", Status: 404},
		{Name: "previews", As: w.artist, Method: "GET", Path: "/data/shots/{shot}/preview-files", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				list, ok := m[w.taskType].([]any)
				if !ok || len(list) != 2 {
					t.Fatalf("previews by task type: %s", r.Body)
				}
				first := list[0].(map[string]any)
				if first["revision"] != float64(2) || len(first["previews"].([]any)) != 1 || first["original_width"] != float64(1920) ||
					first["duration"] != 2.5 || first["task_id"] != w.task {
					t.Errorf("revision 2: %v", first)
				}
				if hasKey(first, "position") || hasKey(first, "task_type_id") {
					t.Errorf("head keys: %v", first)
				}
				nested := first["previews"].([]any)[0].(map[string]any)
				if nested["task_type_id"] != w.taskType || !hasKey(nested, "position") {
					t.Errorf("nested: %v", nested)
				}
			}},
		{Name: "previews of a shot without any", As: w.artist, Method: "GET", Path: "/data/shots/{shot2}/preview-files", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.Object(t)) != 0 {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "previews outsider", As: w.outsider, Method: "GET", Path: "/data/shots/{shot}/preview-files", Status: 404},
		{Name: "previews malformed", As: w.artist, Method: "GET", Path: "/data/shots/{bad}/preview-files", Status: 404},
	})
}

func TestShotsEntitiesWithTasks(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	seqTT := e.TaskType("Storyboard", "Sequence")
	seqTask := e.Task(w.project, w.sequence, seqTT, w.status, w.vendor.ID)
	e.Task(w.project, w.sequence, e.TaskType("Layout", "Sequence"), w.status)
	keys := []string{"id", "name", "status", "episode_id", "description", "frame_in", "frame_out", "fps", "preview_file_id", "canceled", "data", "tasks"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "sequences", As: w.artist, Method: "GET", Path: "/data/sequences/with-tasks?project_id={p}", Status: 200, Len: 1, Keys: keys,
			NoKeys: []string{"created_at", "project_id"},
			Check: func(t *testing.T, r *apptest.Response) {
				s := r.List(t)[0]
				tasks := s["tasks"].([]any)
				if s["episode_id"] != w.episode || s["preview_file_id"] != "" || len(tasks) != 2 {
					t.Errorf("%v", s)
				}
				for _, k := range []string{"assignees", "is_subscribed", "task_type_id", "task_status_id"} {
					if !hasKey(tasks[0].(map[string]any), k) {
						t.Errorf("task has no %s", k)
					}
				}
			}},
		{Name: "sequences by episode", As: w.artist, Method: "GET", Path: "/data/sequences/with-tasks?project_id={p}&episode_id={ep}", Status: 200, Len: 1},
		{Name: "sequences episode all", As: w.artist, Method: "GET", Path: "/data/sequences/with-tasks?project_id={p}&episode_id=all", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "vendor: own tasks only", As: w.vendor, Method: "GET", Path: "/data/sequences/with-tasks?project_id={p}", Status: 200, Len: 1,
			Check: func(t *testing.T, r *apptest.Response) {
				tasks := r.List(t)[0]["tasks"].([]any)
				if len(tasks) != 1 || tasks[0].(map[string]any)["id"] != seqTask {
					t.Errorf("%v", tasks)
				}
			}},
		{Name: "episodes", As: w.manager, Method: "GET", Path: "/data/episodes/with-tasks?project_id={p}", Status: 200, Len: 1, Keys: keys},
		{Name: "scenes", As: w.manager, Method: "GET", Path: "/data/scenes/with-tasks?project_id={p}", Status: 200, Len: 1, Keys: keys},
		{Name: "scenes vendor", As: w.vendor, Method: "GET", Path: "/data/scenes/with-tasks?project_id={p}", Status: 403},
		{Name: "bad project id", As: w.manager, Method: "GET", Path: "/data/episodes/with-tasks?project_id=zz", Status: 400},
		{Name: "no project", As: w.manager, Method: "GET", Path: "/data/episodes/with-tasks", Status: 403},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: "/data/sequences/with-tasks?project_id={p}", Status: 404},
	})
}

func TestShotsEpisodeStats(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	done := e.TaskStatus("Done", "done", map[string]any{"is_done": true})
	retake := e.TaskStatus("Retake", "rtk", map[string]any{"is_retake": true})
	sqlExec(t, e, "UPDATE task SET task_status_id = ?, retake_count = 2, nb_drawings = 5 WHERE id = ?", retake, w.task2)
	sqlExec(t, e, "UPDATE task SET task_status_id = ? WHERE id = ?", done, w.task)
	sqlExec(t, e, "UPDATE entity SET nb_frames = 10 WHERE id = ?", w.shot2)
	e.Run(t, w.vars, []apptest.Case{
		{Name: "stats", As: w.artist, Method: "GET", Path: "/data/projects/{p}/episodes/stats", Status: 200, Keys: []string{"all", w.episode},
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				cell := m[w.episode].(map[string]any)[w.taskType].(map[string]any)[retake].(map[string]any)
				if cell["count"] != float64(1) || cell["frames"] != float64(10) || cell["drawings"] != float64(5) || cell["name"] != "rtk" {
					t.Errorf("retake cell: %v", cell)
				}
				all := m["all"].(map[string]any)["all"].(map[string]any)[done].(map[string]any)
				if all["count"] != float64(1) || all["frames"] != float64(48) {
					t.Errorf("all/all/done: %v", all)
				}
			}},
		{Name: "stats vendor: own tasks", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/episodes/stats", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				all := r.Object(t)["all"].(map[string]any)["all"].(map[string]any)
				if len(all) != 1 || !hasKey(all, done) {
					t.Errorf("vendor stats: %v", all)
				}
			}},
		{Name: "stats outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/episodes/stats", Status: 404},
		{Name: "stats malformed", As: e.Admin, Method: "GET", Path: "/data/projects/{bad}/episodes/stats", Status: 404},
		{Name: "retake stats", As: w.manager, Method: "GET", Path: "/data/projects/{p}/episodes/retake-stats", Status: 200, Keys: []string{"all", w.episode},
			Check: func(t *testing.T, r *apptest.Response) {
				cell := r.Object(t)[w.episode].(map[string]any)["all"].(map[string]any)
				if cell["max_retake_count"] != float64(2) {
					t.Errorf("%v", cell)
				}
				if b := cell["done"].(map[string]any); b["count"] != float64(1) || b["frames"] != float64(48) {
					t.Errorf("done: %v", b)
				}
				evo := cell["evolution"].(map[string]any)
				take2 := evo["2"].(map[string]any)
				if take2["retake"].(map[string]any)["count"] != float64(1) || take2["done"].(map[string]any)["count"] != float64(1) {
					t.Errorf("evolution: %v", evo)
				}
			}},
		{Name: "retake stats empty project", As: e.Admin, Method: "GET", Path: "/data/projects/{other}/episodes/retake-stats", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); len(m) != 1 || !hasKey(m["all"].(map[string]any), "all") {
					t.Errorf("%v", m)
				}
			}},
		{Name: "retake stats outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/episodes/retake-stats", Status: 404},
	})
}

func TestShotsSetNbFrames(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	sqlExec(t, e, "UPDATE project SET fps = '24' WHERE id = ?", w.project)
	for i, d := range []float64{1, 2.5} {
		sqlExec(t, e, `INSERT INTO preview_file (id, created_at, updated_at, name, revision, extension, status, validation_status, task_id, duration)
			VALUES (gen_random_uuid(), now() + ? * interval '1 second', now(), 'p' || ?::text, ?, 'mp4', 'ready', 'neutral', ?, ?)`, i, i, i+1, w.task, d)
	}
	w.vars["tt"] = w.taskType
	e.Run(t, w.vars, []apptest.Case{
		{Name: "artist refused", As: w.artist, Method: "POST", Path: "/actions/projects/{p}/task-types/{tt}/set-shot-nb-frames", Status: 403},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: "/actions/projects/{p}/task-types/{tt}/set-shot-nb-frames", Status: 404},
		{Name: "bad task type", As: w.manager, Method: "POST", Path: "/actions/projects/{p}/task-types/{bad}/set-shot-nb-frames", Status: 400},
		{Name: "bad episode", As: w.manager, Method: "POST", Path: "/actions/projects/{p}/task-types/{tt}/set-shot-nb-frames?episode_id=x", Status: 400},
		{Name: "other episode: nothing", As: w.manager, Method: "POST", Path: "/actions/projects/{p}/task-types/{tt}/set-shot-nb-frames?episode_id={unknown}", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.List(t)) != 0 {
					t.Errorf("%s", r.Body)
				}
			}},
		{Name: "latest preview wins", As: w.manager, Method: "POST", Path: "/actions/projects/{p}/task-types/{tt}/set-shot-nb-frames?episode_id={ep}", Status: 200, Len: 1,
			Check: func(t *testing.T, r *apptest.Response) {
				if row := r.List(t)[0]; row["id"] != w.shot || row["nb_frames"] != float64(60) {
					t.Errorf("%v", row)
				}
				if e.Count("entity", "id = ? AND nb_frames = 60", w.shot) != 1 {
					t.Error("not stored")
				}
			}},
	})
}

func TestShotsQuotas(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	// The artist finished the 48-frame shot's task on Tuesday 2024-03-05 at
	// 23:30 UTC: Wednesday in Paris, the admin's default timezone.
	sqlExec(t, e, "INSERT INTO task_person_link (task_id, person_id) VALUES (?, ?)", w.task, w.artist.ID)
	sqlExec(t, e, `UPDATE task SET end_date = '2024-03-05 23:30:00', done_date = '2024-03-05 23:30:00',
		real_start_date = '2024-03-04 09:00:00', duration = 0, nb_drawings = 3 WHERE id = ?`, w.task)
	sqlExec(t, e, "UPDATE person SET timezone = 'Europe/Paris' WHERE id = ?", e.Admin.ID)
	w.vars["tt"] = w.taskType
	w.vars["artist"] = w.artist.ID
	w.vars["manager"] = w.manager.ID
	e.Run(t, w.vars, []apptest.Case{
		{Name: "raw feedback", As: e.Admin, Method: "GET", Path: "/data/projects/{p}/quotas/{tt}?count_mode=feedback", Status: 200,
			Keys: []string{"total", w.artist.ID, w.vendor.ID},
			Check: func(t *testing.T, r *apptest.Response) {
				en := r.Object(t)[w.artist.ID].(map[string]any)
				day := en["day"].(map[string]any)
				if day["frames"].(map[string]any)["2024-03-06"] != float64(48) || day["entries"].(map[string]any)["2024-03"] != float64(1) {
					t.Errorf("day: %v", day)
				}
				if en["week"].(map[string]any)["frames"].(map[string]any)["2024-10"] != float64(48) {
					t.Errorf("week: %v", en["week"])
				}
				if en["year"].(map[string]any)["seconds"].(map[string]any)["2024"] != 1.92 || hasKey(en["year"].(map[string]any), "entries") {
					t.Errorf("year: %v", en["year"])
				}
				total := r.Object(t)["total"].(map[string]any)["month"].(map[string]any)["count"].(map[string]any)
				if total["2024-03"] != float64(2) {
					t.Errorf("total: %v", total)
				}
			}},
		{Name: "weighted spread over business days", As: w.manager, Method: "GET", Path: "/data/projects/{p}/quotas/{tt}", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				frames := r.Object(t)[w.artist.ID].(map[string]any)["day"].(map[string]any)["frames"].(map[string]any)
				if len(frames) != 2 || frames["2024-03-04"] != float64(24) || frames["2024-03-05"] != float64(24) {
					t.Errorf("spread: %v", frames)
				}
			}},
		{Name: "bad count mode", As: w.manager, Method: "GET", Path: "/data/projects/{p}/quotas/{tt}?count_mode=nope", Status: 400},
		{Name: "bad task type", As: w.manager, Method: "GET", Path: "/data/projects/{p}/quotas/{bad}", Status: 400},
		{Name: "bad studio", As: w.manager, Method: "GET", Path: "/data/projects/{p}/quotas/{tt}?studio_id=x", Status: 400},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/quotas/{tt}", Status: 404},
		{Name: "artist's own quotas", As: w.artist, Method: "GET", Path: "/data/projects/{p}/quotas/persons/{artist}?count_mode=done", Status: 200,
			Keys: []string{"total", w.taskType}},
		{Name: "artist reads another's", As: w.artist, Method: "GET", Path: "/data/projects/{p}/quotas/persons/{manager}", Status: 403},
		{Name: "supervisor reads anyone's", As: w.supervisor, Method: "GET", Path: "/data/projects/{p}/quotas/persons/{artist}", Status: 200},
		{Name: "unknown person", As: w.manager, Method: "GET", Path: "/data/projects/{p}/quotas/persons/{unknown}", Status: 404},
		{Name: "outsider person quotas", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/quotas/persons/{artist}", Status: 404},
	})
	// Logged time carries its share: 1 of the task's 2 hours → half the frames.
	sqlExec(t, e, "UPDATE task SET duration = 2 WHERE id = ?", w.task)
	sqlExec(t, e, `INSERT INTO time_spent (id, created_at, updated_at, duration, date, task_id, person_id)
		VALUES (gen_random_uuid(), now(), now(), 1, '2024-03-04', ?, ?)`, w.task, w.artist.ID)
	r := e.Must(200, "GET", "/data/projects/"+w.project+"/quotas/"+w.taskType, nil, w.manager.Token)
	frames := r.Object(t)[w.artist.ID].(map[string]any)["day"].(map[string]any)["frames"].(map[string]any)
	if len(frames) != 1 || frames["2024-03-04"] != float64(24) {
		t.Errorf("time spent share: %v", frames)
	}
}

func TestShotsWithTasksCompactAndStream(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	r := e.Must(200, "GET", "/data/shots/with-tasks?project_id="+w.project+"&compact=true", nil, w.artist.Token)
	m := r.Object(t)
	rows := m["rows"].([]any)
	if m["compact"] != true || len(m["shot_fields"].([]any)) != 23 || len(m["task_fields"].([]any)) != 21 || len(rows) != 2 {
		t.Fatalf("compact header: %s", r.Body)
	}
	first := rows[0].([]any)
	if first[9] != w.shot || first[21] != "Shot" || first[17] != "SQ01" {
		t.Errorf("positional shot: %v", first)
	}
	task := first[22].([]any)[0].([]any)
	if task[0] != w.task || task[18] != w.taskType || len(task) != 21 {
		t.Errorf("positional task: %v", task)
	}
	r = e.Must(200, "GET", "/data/shots/with-tasks?project_id="+w.project+"&stream=true", nil, w.artist.Token)
	if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("content type %q", ct)
	}
	lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n")
	if len(lines) != 3 || lines[0] != `{"compact":false}` || !strings.Contains(lines[1], `"tasks":[`) {
		t.Errorf("stream: %s", r.Body)
	}
}

// A forced removal leaves no row pointing at what it removed.
func TestShotsForceDeleteCascade(t *testing.T) {
	w := shotsSetup(t)
	e := w.e
	fileStatus := e.ID("file-status", map[string]any{"name": "draft", "color": "#000000"})
	sqlExec(t, e, `INSERT INTO preview_file (id, created_at, updated_at, name, revision, extension, status, validation_status, task_id)
		VALUES (gen_random_uuid(), now(), now(), 'p', 1, 'png', 'ready', 'neutral', ?)`, w.task)
	sqlExec(t, e, "UPDATE entity SET preview_file_id = (SELECT id FROM preview_file LIMIT 1) WHERE id = ?", w.shot)
	sqlExec(t, e, `INSERT INTO working_file (id, created_at, updated_at, name, revision, task_id, entity_id) VALUES (gen_random_uuid(), now(), now(), 'w', 1, ?, ?)`, w.task, w.shot)
	sqlExec(t, e, `INSERT INTO output_file (id, created_at, updated_at, name, revision, canceled, file_status_id, entity_id, source_file_id)
		VALUES (gen_random_uuid(), now(), now(), 'o', 1, false, ?, ?, (SELECT id FROM working_file LIMIT 1))`, fileStatus, w.shot)
	sqlExec(t, e, "UPDATE preview_file SET source_file_id = (SELECT id FROM output_file LIMIT 1)")
	sqlExec(t, e, `INSERT INTO time_spent (id, created_at, updated_at, duration, date, task_id, person_id) VALUES (gen_random_uuid(), now(), now(), 1, '2024-01-01', ?, ?)`, w.task, w.vendor.ID)
	sqlExec(t, e, `INSERT INTO notification (id, created_at, updated_at, author_id, person_id, change, read, type, task_id)
		VALUES (gen_random_uuid(), now(), now(), ?, ?, false, false, 'comment', ?)`, e.Admin.ID, w.vendor.ID, w.task)
	sqlExec(t, e, `INSERT INTO subscription (id, created_at, updated_at, person_id, task_id, entity_id) VALUES (gen_random_uuid(), now(), now(), ?, ?, ?)`, w.vendor.ID, w.task, w.shot)
	sqlExec(t, e, `INSERT INTO asset_instance (id, created_at, updated_at, asset_id, scene_id) VALUES (gen_random_uuid(), now(), now(), ?, ?)`, w.asset, w.scene)
	sqlExec(t, e, `INSERT INTO entity_link (id, created_at, updated_at, entity_in_id, entity_out_id) VALUES (gen_random_uuid(), now(), now(), ?, ?)`, w.shot, w.asset)
	sqlExec(t, e, "UPDATE entity SET source_id = ? WHERE id = ?", w.scene, w.shot2)
	e.Must(http.StatusNoContent, "DELETE", "/data/episodes/"+w.episode+"?force=true", nil, w.manager.Token)
	for _, table := range []string{"task", "preview_file", "working_file", "output_file", "time_spent", "notification",
		"subscription", "asset_instance", "entity_link"} {
		if n := e.Count(table, ""); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	if n := e.Count("entity", "project_id = ?", w.project); n != 0 {
		t.Errorf("%d entities left", n)
	}
	if n := e.Count("entity", "project_id = ?", w.other); n != 1 {
		t.Errorf("the other project lost entities: %d left", n)
	}
	for _, name := range []string{"episode:delete", "sequence:delete", "shot:delete", "scene:delete", "asset:delete", "task:delete"} {
		e.LastEvent(name)
	}
}
