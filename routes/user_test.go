package routes_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/zou-go/zou/apptest"
)

// userWorld is one open production where an artist has tasks on an asset, a
// shot (in a sequence of an episode) and a scene, plus a closed production.
type userWorld struct {
	e                                      *apptest.Env
	manager, artist, other, outsider, bot  *apptest.Person
	client, vendor                         *apptest.Person
	project, closed                        string
	assetType, asset, episode, seq, shot   string
	scene, closedAsset                     string
	modeling, anim, layout, todo, done     string
	assetTask, shotTask, otherTask, doneTk string
}

func userSetup(t *testing.T) *userWorld {
	t.Helper()
	e := apptest.New(t)
	w := &userWorld{e: e}
	w.manager = e.NewPerson("manager")
	w.artist = e.NewPerson("user")
	w.other = e.NewPerson("user")
	w.outsider = e.NewPerson("user")
	w.client = e.NewPerson("client")
	w.vendor = e.NewPerson("vendor")
	w.bot = e.NewPerson("user")
	sqlExec(t, e, "UPDATE person SET is_bot = true WHERE id = ?", w.bot.ID)
	w.bot.Token = userBotToken(t, e, w.bot.ID)
	sqlExec(t, e, "UPDATE person SET jti = ? WHERE id = ?", claims(t, w.bot.Token)["jti"], w.bot.ID)
	w.project = e.Project("Agent 327")
	w.closed = e.Project("Old show")
	closedStatus := e.ID("project-status", map[string]any{"name": "Closed", "color": "#000000"})
	sqlExec(t, e, "UPDATE project SET project_status_id = ? WHERE id = ?", closedStatus, w.closed)
	for _, p := range []*apptest.Person{w.manager, w.artist, w.other, w.client, w.vendor} {
		e.AddToTeam(w.project, p.ID, "")
		e.AddToTeam(w.closed, p.ID, "")
	}
	w.assetType = e.AssetType("Character")
	w.asset = e.Asset(w.project, w.assetType, "Agent")
	w.closedAsset = e.Asset(w.closed, w.assetType, "Old agent")
	w.episode = e.Episode(w.project, "E01")
	w.seq = e.Sequence(w.project, w.episode, "SQ01")
	w.shot = e.Shot(w.project, w.seq, "SH01")
	w.scene = e.Entity(w.project, e.TypeID("Scene"), "SC01", w.seq)
	w.modeling = e.TaskType("Modeling", "Asset")
	w.anim = e.TaskType("Animation", "Shot")
	w.layout = e.TaskType("Layout", "Scene")
	w.todo = e.TaskStatus("Todo ", "todo2")
	w.done = e.TaskStatus("Done ", "done2", map[string]any{"is_done": true})
	w.assetTask = e.Task(w.project, w.asset, w.modeling, w.todo, w.artist.ID)
	w.shotTask = e.Task(w.project, w.shot, w.anim, w.todo, w.artist.ID)
	w.otherTask = e.Task(w.project, w.asset, e.TaskType("Rigging", "Asset"), w.todo, w.other.ID)
	w.doneTk = e.Task(w.project, w.scene, w.layout, w.done, w.artist.ID)
	e.Task(w.closed, w.closedAsset, w.modeling, w.todo, w.artist.ID)
	return w
}

// userBotToken issues a bot identity token for a person.
func userBotToken(t *testing.T, e *apptest.Env, id string) string {
	t.Helper()
	pair, err := e.App.Server.Auth.Signer.IssuePair(id, "bot")
	if err != nil {
		t.Fatal(err)
	}
	return pair.Access
}

func (w *userWorld) vars() map[string]string {
	return map[string]string{
		"project": w.project, "closed": w.closed, "asset_type": w.assetType, "asset": w.asset, "episode": w.episode,
		"seq": w.seq, "shot": w.shot, "scene": w.scene, "closed_asset": w.closedAsset,
		"bad": "not-an-id", "unknown": "9b1c1e8e-0000-4000-8000-000000000001",
	}
}

func userIDs(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	var ids []string
	for _, o := range r.List(t) {
		ids = append(ids, o["id"].(string))
	}
	return ids
}

func userWantIDs(want ...string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		got := userIDs(t, r)
		if len(got) != len(want) {
			t.Fatalf("ids %v, want %v: %s", got, want, r.Body)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("ids %v, want %v", got, want)
			}
		}
	}
}

func userWantType(typ string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		for _, o := range r.List(t) {
			if o["type"] != typ {
				t.Fatalf("type %v, want %s", o["type"], typ)
			}
		}
	}
}

func TestUserEntityViews(t *testing.T) {
	w := userSetup(t)
	e := w.e
	taskKeys := []string{"id", "type", "task_type_id", "task_status_id", "entity_id", "project_id"}
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "asset tasks", As: w.artist, Method: "GET", Path: "/data/user/assets/{asset}/tasks", Status: 200, Keys: taskKeys,
			Check: userWantIDs(w.assetTask)},
		{Name: "asset tasks of someone else stay hidden", As: w.other, Method: "GET", Path: "/data/user/assets/{asset}/tasks", Status: 200,
			Check: userWantIDs(w.otherTask)},
		{Name: "manager without tasks", As: w.manager, Method: "GET", Path: "/data/user/assets/{asset}/tasks", Status: 200, Len: 0,
			Check: userWantIDs()},
		{Name: "admin without tasks", As: e.Admin, Method: "GET", Path: "/data/user/assets/{asset}/tasks", Status: 200, Check: userWantIDs()},
		{Name: "closed project tasks are left out", As: w.artist, Method: "GET", Path: "/data/user/assets/{closed_asset}/tasks", Status: 200,
			Check: userWantIDs()},
		{Name: "outsider", As: w.outsider, Method: "GET", Path: "/data/user/assets/{asset}/tasks", Status: 404},
		{Name: "vendor not assigned", As: w.vendor, Method: "GET", Path: "/data/user/assets/{asset}/tasks", Status: 404},
		{Name: "bot refused", As: w.bot, Method: "GET", Path: "/data/user/assets/{asset}/tasks", Status: 403},
		{Name: "no token", Method: "GET", Path: "/data/user/assets/{asset}/tasks", Status: 401},
		{Name: "shot id on asset route", As: w.artist, Method: "GET", Path: "/data/user/assets/{shot}/tasks", Status: 404},
		{Name: "malformed id", As: w.artist, Method: "GET", Path: "/data/user/assets/{bad}/tasks", Status: 404},
		{Name: "unknown id", As: w.artist, Method: "GET", Path: "/data/user/assets/{unknown}/tasks", Status: 404},
		{Name: "shot tasks", As: w.artist, Method: "GET", Path: "/data/user/shots/{shot}/tasks", Status: 200, Keys: taskKeys,
			Check: userWantIDs(w.shotTask)},
		{Name: "scene tasks", As: w.artist, Method: "GET", Path: "/data/user/scenes/{scene}/tasks", Status: 200, Check: userWantIDs(w.doneTk)},
		{Name: "sequence tasks", As: w.artist, Method: "GET", Path: "/data/user/sequences/{seq}/tasks", Status: 200, Check: userWantIDs()},
		{Name: "asset on sequence route", As: w.artist, Method: "GET", Path: "/data/user/sequences/{asset}/tasks", Status: 404},

		{Name: "asset task types", As: w.artist, Method: "GET", Path: "/data/user/assets/{asset}/task-types", Status: 200,
			Keys: []string{"id", "name", "short_name", "color", "priority", "for_entity", "type"}, Check: userWantIDs(w.modeling)},
		{Name: "asset task types of the other artist", As: w.other, Method: "GET", Path: "/data/user/assets/{asset}/task-types", Status: 200, Len: 1},
		{Name: "asset task types outsider", As: w.outsider, Method: "GET", Path: "/data/user/assets/{asset}/task-types", Status: 404},
		{Name: "asset task types malformed", As: w.artist, Method: "GET", Path: "/data/user/assets/{bad}/task-types", Status: 404},
		{Name: "asset task types bot", As: w.bot, Method: "GET", Path: "/data/user/assets/{asset}/task-types", Status: 403},
		{Name: "shot task types", As: w.artist, Method: "GET", Path: "/data/user/shots/{shot}/task-types", Status: 200, Check: userWantIDs(w.anim)},
		{Name: "scene task types", As: w.artist, Method: "GET", Path: "/data/user/scenes/{scene}/task-types", Status: 200, Check: userWantIDs(w.layout)},
		{Name: "sequence task types", As: w.artist, Method: "GET", Path: "/data/user/sequences/{seq}/task-types", Status: 200, Check: userWantIDs()},
		{Name: "shot task types unknown", As: w.artist, Method: "GET", Path: "/data/user/shots/{unknown}/task-types", Status: 404},

		{Name: "project asset types", As: w.artist, Method: "GET", Path: "/data/user/projects/{project}/asset-types", Status: 200,
			Keys: []string{"id", "name", "type"}, Check: func(t *testing.T, r *apptest.Response) {
				userWantIDs(w.assetType)(t, r)
				userWantType("AssetType")(t, r)
			}},
		{Name: "project asset types closed project", As: w.artist, Method: "GET", Path: "/data/user/projects/{closed}/asset-types", Status: 200,
			Check: userWantIDs()},
		{Name: "project asset types outsider", As: w.outsider, Method: "GET", Path: "/data/user/projects/{project}/asset-types", Status: 404},
		{Name: "project asset types malformed", As: w.artist, Method: "GET", Path: "/data/user/projects/{bad}/asset-types", Status: 404},
		{Name: "project assets", As: w.artist, Method: "GET", Path: "/data/user/projects/{project}/asset-types/{asset_type}/assets", Status: 200,
			Keys: []string{"id", "name", "entity_type_id", "project_id"}, Check: func(t *testing.T, r *apptest.Response) {
				userWantIDs(w.asset)(t, r)
				userWantType("Asset")(t, r)
			}},
		{Name: "project assets with a shot type", As: w.artist, Method: "GET",
			Path: "/data/user/projects/{project}/asset-types/" + e.TypeID("Shot") + "/assets", Status: 404},
		{Name: "project assets bad type", As: w.artist, Method: "GET", Path: "/data/user/projects/{project}/asset-types/{bad}/assets", Status: 404},
		{Name: "project assets outsider", As: w.outsider, Method: "GET", Path: "/data/user/projects/{project}/asset-types/{asset_type}/assets", Status: 404},
		{Name: "project sequences", As: w.artist, Method: "GET", Path: "/data/user/projects/{project}/sequences", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { userWantIDs(w.seq)(t, r); userWantType("Sequence")(t, r) }},
		{Name: "project sequences other artist", As: w.other, Method: "GET", Path: "/data/user/projects/{project}/sequences", Status: 200,
			Check: userWantIDs()},
		{Name: "project sequences unknown", As: w.artist, Method: "GET", Path: "/data/user/projects/{unknown}/sequences", Status: 404},
		{Name: "project episodes", As: w.artist, Method: "GET", Path: "/data/user/projects/{project}/episodes", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { userWantIDs(w.episode)(t, r); userWantType("Episode")(t, r) }},
		{Name: "project episodes outsider", As: w.outsider, Method: "GET", Path: "/data/user/projects/{project}/episodes", Status: 404},
		{Name: "sequence shots", As: w.artist, Method: "GET", Path: "/data/user/sequences/{seq}/shots", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { userWantIDs(w.shot)(t, r); userWantType("Shot")(t, r) }},
		{Name: "sequence shots other artist", As: w.other, Method: "GET", Path: "/data/user/sequences/{seq}/shots", Status: 200, Check: userWantIDs()},
		{Name: "sequence shots with a shot id", As: w.artist, Method: "GET", Path: "/data/user/sequences/{shot}/shots", Status: 404},
		{Name: "sequence scenes", As: w.artist, Method: "GET", Path: "/data/user/sequences/{seq}/scenes", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) { userWantIDs(w.scene)(t, r); userWantType("Scene")(t, r) }},
		{Name: "sequence scenes outsider", As: w.outsider, Method: "GET", Path: "/data/user/sequences/{seq}/scenes", Status: 404},
		{Name: "sequence scenes bot", As: w.bot, Method: "GET", Path: "/data/user/sequences/{seq}/scenes", Status: 403},
	})
}

func TestUserOpenProjects(t *testing.T) {
	w := userSetup(t)
	e := w.e
	keys := []string{"id", "name", "team", "task_types", "task_statuses", "asset_types", "descriptors",
		"task_types_priority", "task_statuses_link", "project_status_id"}
	dept := e.Department("Modeling")
	e.InDepartment(w.vendor.ID, dept)
	other := e.Department("Lighting")
	mk := func(name string, forClient bool, depts ...string) {
		e.Row("metadata-descriptors", map[string]any{"project_id": w.project, "entity_type": "Asset", "name": name,
			"field_name": name, "for_client": forClient, "departments": depts})
	}
	mk("difficulty", false)
	mk("clientnote", true)
	mk("modnote", false, dept)
	mk("lightnote", false, other)
	descNames := func(want ...string) func(t *testing.T, r *apptest.Response) {
		return func(t *testing.T, r *apptest.Response) {
			t.Helper()
			list := r.List(t)
			if len(list) != 1 {
				t.Fatalf("%d projects, want 1: %s", len(list), r.Body)
			}
			descs := list[0]["descriptors"].([]any)
			got := map[string]bool{}
			for _, d := range descs {
				got[d.(map[string]any)["field_name"].(string)] = true
			}
			if len(got) != len(want) {
				t.Fatalf("descriptors %v, want %v", got, want)
			}
			for _, n := range want {
				if !got[n] {
					t.Fatalf("descriptors %v, want %v", got, want)
				}
			}
		}
	}
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "artist sees the open project", As: w.artist, Method: "GET", Path: "/data/user/projects/open", Status: 200, Keys: keys,
			Check: func(t *testing.T, r *apptest.Response) {
				userWantIDs(w.project)(t, r)
				descNames("difficulty", "clientnote", "modnote", "lightnote")(t, r)
			}},
		{Name: "client sees client descriptors only", As: w.client, Method: "GET", Path: "/data/user/projects/open", Status: 200,
			Check: descNames("clientnote")},
		{Name: "vendor sees descriptors of its departments", As: w.vendor, Method: "GET", Path: "/data/user/projects/open", Status: 200,
			Check: descNames("difficulty", "clientnote", "modnote")},
		{Name: "outsider has none", As: w.outsider, Method: "GET", Path: "/data/user/projects/open", Status: 200, Check: userWantIDs()},
		{Name: "admin sees every open project", As: e.Admin, Method: "GET", Path: "/data/user/projects/open", Status: 200,
			Check: userWantIDs(w.project)},
		{Name: "name filter", As: w.artist, Method: "GET", Path: "/data/user/projects/open?name=Nope", Status: 200, Check: userWantIDs()},
		{Name: "name filter match", As: w.artist, Method: "GET", Path: "/data/user/projects/open?name=Agent%20327", Status: 200,
			Check: userWantIDs(w.project)},
		{Name: "bot", As: w.bot, Method: "GET", Path: "/data/user/projects/open", Status: 403},
		{Name: "no token", Method: "GET", Path: "/data/user/projects/open", Status: 401},
	})
}

func TestUserContext(t *testing.T) {
	w := userSetup(t)
	e := w.e
	sqlExec(t, e, "UPDATE project_person_link SET role = 'supervisor' WHERE project_id = ? AND person_id = ?", w.project, w.other.ID)
	guest := e.NewPerson("client")
	sqlExec(t, e, "UPDATE person SET is_guest = true WHERE id = ?", guest.ID)
	keys := []string{"asset_types", "custom_actions", "status_automations", "departments", "studios", "notification_count",
		"persons", "project_status", "project_roles", "projects", "task_types", "task_status", "search_filters",
		"search_filter_groups", "preview_background_files", "plugins"}
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "artist", As: w.artist, Method: "GET", Path: "/data/user/context", Status: 200, Keys: keys, NoKeys: []string{"user_limit"},
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				if n := len(o["projects"].([]any)); n != 1 {
					t.Errorf("%d projects, want 1", n)
				}
				for _, p := range o["persons"].([]any) {
					if hasKey(p.(map[string]any), "email") {
						t.Fatalf("an artist sees emails: %v", p)
					}
				}
				for _, at := range o["asset_types"].([]any) {
					if at.(map[string]any)["type"] != "AssetType" {
						t.Fatalf("asset type %v", at)
					}
				}
			}},
		{Name: "admin", As: e.Admin, Method: "GET", Path: "/data/user/context", Status: 200, Keys: append(keys, "user_limit"),
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				p := o["persons"].([]any)[0].(map[string]any)
				if !hasKey(p, "email") || hasKey(p, "password") {
					t.Fatalf("admin person row: %v", p)
				}
			}},
		{Name: "guests of shared playlists are left out", As: w.artist, Method: "GET", Path: "/data/user/context", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				for _, p := range r.Object(t)["persons"].([]any) {
					if p.(map[string]any)["id"] == guest.ID {
						t.Fatal("a guest is listed")
					}
				}
				if n := len(r.Object(t)["persons"].([]any)); n != sqlInt(t, e, "SELECT count(*) FROM person WHERE NOT is_guest") {
					t.Fatalf("%d persons", n)
				}
			}},
		{Name: "no explicit role, no project_roles", As: w.artist, Method: "GET", Path: "/data/user/context", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if roles := r.Object(t)["project_roles"].(map[string]any); len(roles) != 0 {
					t.Fatalf("project_roles %v", roles)
				}
			}},
		{Name: "per-project role", As: w.other, Method: "GET", Path: "/data/user/context", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				roles := r.Object(t)["project_roles"].(map[string]any)
				if roles[w.project] != "supervisor" || len(roles) != 1 {
					t.Fatalf("project_roles %v", roles)
				}
			}},
		{Name: "bot", As: w.bot, Method: "GET", Path: "/data/user/context", Status: 403},
		{Name: "no token", Method: "GET", Path: "/data/user/context", Status: 401},
	})
}

func TestUserFilters(t *testing.T) {
	w := userSetup(t)
	e := w.e
	dept := e.Department("Anim")
	v := w.vars()
	filterKeys := []string{"id", "type", "list_type", "name", "search_query", "is_shared", "project_id", "person_id",
		"entity_type", "search_filter_group_id", "department_id"}
	var mine, shared, group string
	e.Run(t, v, []apptest.Case{
		{Name: "create", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 201, Keys: filterKeys,
			Body: map[string]any{"name": "mine", "query": "anim", "list_type": "todo", "project_id": w.project, "is_shared": true},
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				mine = o["id"].(string)
				if o["is_shared"] != false || o["person_id"] != w.artist.ID || o["search_query"] != "anim" || o["type"] != "SearchFilter" {
					t.Fatalf("an artist shares a filter, or wrong row: %v", o)
				}
			}},
		{Name: "manager shares", As: w.manager, Method: "POST", Path: "/data/user/filters", Status: 201,
			Body: map[string]any{"name": "team", "query": "x", "project_id": w.project, "is_shared": true},
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				shared = o["id"].(string)
				if o["is_shared"] != true || o["list_type"] != "todo" {
					t.Fatalf("shared filter %v", o)
				}
			}},
		{Name: "missing query", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 400, Body: map[string]any{"name": "x"}},
		{Name: "missing name", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 400, Body: map[string]any{"query": "x"}},
		{Name: "wrong type", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 400, Body: map[string]any{"name": 3, "query": "x"}},
		{Name: "malformed project", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 400,
			Body: map[string]any{"name": "x", "query": "x", "project_id": "nope"}},
		{Name: "unknown project", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 400,
			Body: map[string]any{"name": "x", "query": "x", "project_id": v["unknown"]}},
		{Name: "unknown department", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 400,
			Body: map[string]any{"name": "x", "query": "x", "department_id": v["unknown"]}},
		{Name: "unknown group", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 404,
			Body: map[string]any{"name": "x", "query": "x", "search_filter_group_id": v["unknown"]}},
		{Name: "bot", As: w.bot, Method: "POST", Path: "/data/user/filters", Status: 403, Body: map[string]any{"name": "x", "query": "x"}},
		{Name: "no body", As: w.artist, Method: "POST", Path: "/data/user/filters", Status: 400, Body: "[]"},
		{Name: "create group", As: w.manager, Method: "POST", Path: "/data/user/filter-groups", Status: 201,
			Keys: []string{"id", "type", "list_type", "name", "color", "is_shared", "project_id", "person_id", "department_id"},
			Body: map[string]any{"name": "grp", "color": "#fff", "project_id": w.project, "is_shared": true, "department_id": dept},
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				group = o["id"].(string)
				if o["is_shared"] != true || o["type"] != "SearchFilterGroup" {
					t.Fatalf("group %v", o)
				}
			}},
		{Name: "create group missing name", As: w.artist, Method: "POST", Path: "/data/user/filter-groups", Status: 400, Body: map[string]any{"color": "#fff"}},
		{Name: "create group bad department", As: w.artist, Method: "POST", Path: "/data/user/filter-groups", Status: 400,
			Body: map[string]any{"name": "x", "department_id": "nope"}},
	})
	v["mine"], v["shared"], v["group"] = mine, shared, group
	listHas := func(list, project string, want ...string) func(t *testing.T, r *apptest.Response) {
		return func(t *testing.T, r *apptest.Response) {
			t.Helper()
			o := r.Object(t)
			byProject, _ := o[list].(map[string]any)
			rows, _ := byProject[project].([]any)
			got := map[string]bool{}
			for _, x := range rows {
				got[x.(map[string]any)["id"].(string)] = true
			}
			if len(got) != len(want) {
				t.Fatalf("%s/%s: %v, want %v: %s", list, project, got, want, r.Body)
			}
			for _, id := range want {
				if !got[id] {
					t.Fatalf("%s/%s: %v, want %v", list, project, got, want)
				}
			}
		}
	}
	e.Run(t, v, []apptest.Case{
		{Name: "artist list", As: w.artist, Method: "GET", Path: "/data/user/filters", Status: 200, Check: listHas("todo", w.project, mine, shared)},
		{Name: "outsider does not see the team's shared filter", As: w.outsider, Method: "GET", Path: "/data/user/filters", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.Object(t)) != 0 {
					t.Fatalf("outsider sees %s", r.Body)
				}
			}},
		{Name: "department group hidden from artist outside it", As: w.artist, Method: "GET", Path: "/data/user/filter-groups", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if len(r.Object(t)) != 0 {
					t.Fatalf("artist sees %s", r.Body)
				}
			}},
		{Name: "manager sees the group", As: w.manager, Method: "GET", Path: "/data/user/filter-groups", Status: 200, Check: listHas("todo", w.project, group)},
		{Name: "get group", As: w.manager, Method: "GET", Path: "/data/user/filter-groups/{group}", Status: 200, Keys: []string{"id", "name", "color"}},
		{Name: "get group of someone else", As: w.artist, Method: "GET", Path: "/data/user/filter-groups/{group}", Status: 404},
		{Name: "get group as admin", As: e.Admin, Method: "GET", Path: "/data/user/filter-groups/{group}", Status: 200},
		{Name: "get group malformed", As: w.manager, Method: "GET", Path: "/data/user/filter-groups/{bad}", Status: 404},
		{Name: "update own", As: w.artist, Method: "PUT", Path: "/data/user/filters/{mine}", Status: 200, Keys: filterKeys,
			Body: map[string]any{"name": "renamed", "search_query": "q2", "is_shared": true},
			Check: func(t *testing.T, r *apptest.Response) {
				o := r.Object(t)
				if o["name"] != "renamed" || o["search_query"] != "q2" || o["is_shared"] != false {
					t.Fatalf("updated %v", o)
				}
			}},
		{Name: "update into a shared group needs the same sharing", As: w.artist, Method: "PUT", Path: "/data/user/filters/{mine}", Status: 400,
			Body: map[string]any{"search_filter_group_id": group}},
		{Name: "update someone else's", As: w.other, Method: "PUT", Path: "/data/user/filters/{mine}", Status: 404, Body: map[string]any{"name": "x"}},
		{Name: "update wrong type", As: w.artist, Method: "PUT", Path: "/data/user/filters/{mine}", Status: 400, Body: map[string]any{"name": 1}},
		{Name: "update unknown", As: w.artist, Method: "PUT", Path: "/data/user/filters/{unknown}", Status: 404, Body: map[string]any{"name": "x"}},
		{Name: "update malformed", As: w.artist, Method: "PUT", Path: "/data/user/filters/{bad}", Status: 404, Body: map[string]any{"name": "x"}},
		{Name: "manager moves a shared filter into the group", As: w.manager, Method: "PUT", Path: "/data/user/filters/{shared}", Status: 200,
			Body: map[string]any{"search_filter_group_id": group}},
		{Name: "update group", As: w.manager, Method: "PUT", Path: "/data/user/filter-groups/{group}", Status: 200,
			Body: map[string]any{"name": "g2", "is_shared": false},
			Check: func(t *testing.T, r *apptest.Response) {
				if o := r.Object(t); o["name"] != "g2" || o["is_shared"] != false {
					t.Fatalf("group %v", o)
				}
				if n := e.Count("search_filter", "id = ? AND is_shared", shared); n != 0 {
					t.Fatal("the group's filters did not follow its sharing")
				}
			}},
		{Name: "update group of someone else", As: w.artist, Method: "PUT", Path: "/data/user/filter-groups/{group}", Status: 404, Body: map[string]any{"name": "x"}},
		{Name: "update group bad body", As: w.manager, Method: "PUT", Path: "/data/user/filter-groups/{group}", Status: 400, Body: map[string]any{"is_shared": "yes"}},
		{Name: "delete someone else's", As: w.other, Method: "DELETE", Path: "/data/user/filters/{mine}", Status: 404},
		{Name: "delete own", As: w.artist, Method: "DELETE", Path: "/data/user/filters/{mine}", Status: 204},
		{Name: "delete again", As: w.artist, Method: "DELETE", Path: "/data/user/filters/{mine}", Status: 404},
		{Name: "delete group of someone else", As: w.artist, Method: "DELETE", Path: "/data/user/filter-groups/{group}", Status: 404},
		{Name: "delete group with its filters", As: w.manager, Method: "DELETE", Path: "/data/user/filter-groups/{group}", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("search_filter", "id = ?", shared) != 0 || e.Count("search_filter_group", "id = ?", group) != 0 {
					t.Fatal("group or its filters left behind")
				}
			}},
		{Name: "generic /data/search-filters stays admin only", As: w.artist, Method: "GET", Path: "/data/search-filters", Status: 403},
		{Name: "generic /data/search-filter-groups create is admin only", As: w.manager, Method: "POST", Path: "/data/search-filter-groups",
			Status: 403, Body: map[string]any{"name": "x", "list_type": "todo", "person_id": w.manager.ID}},
		{Name: "admin lists filters through /data", As: e.Admin, Method: "GET", Path: "/data/search-filters", Status: 200},
	})
}

// userNotify inserts a notification for a person.
func userNotify(t *testing.T, e *apptest.Env, personID, authorID, taskID, commentID, typ string, read bool) string {
	t.Helper()
	id := uuid.NewString()
	var comment any
	if commentID != "" {
		comment = commentID
	}
	sqlExec(t, e, `INSERT INTO notification (id, created_at, updated_at, read, change, type, person_id, author_id, task_id, comment_id)
		VALUES (?, now(), now(), ?, false, ?, ?, ?, ?, ?)`, id, read, typ, personID, authorID, taskID, comment)
	return id
}

func TestUserNotifications(t *testing.T) {
	w := userSetup(t)
	e := w.e
	commentID, replyID := uuid.NewString(), uuid.NewString()
	sqlExec(t, e, `INSERT INTO comment (id, created_at, updated_at, object_id, object_type, text, replies, person_id, task_status_id)
		VALUES (?, now(), now(), ?, 'Task', 'client words', ?, ?, ?)`, commentID, w.shotTask,
		`[{"id": "`+replyID+`", "text": "a reply", "mentions": ["`+w.artist.ID+`"]}]`, w.client.ID, w.todo)
	sqlExec(t, e, `INSERT INTO comment_mentions (comment, person) VALUES (?, ?)`, commentID, w.artist.ID)
	n1 := userNotify(t, e, w.artist.ID, w.client.ID, w.shotTask, commentID, "comment", false)
	n2 := userNotify(t, e, w.artist.ID, w.manager.ID, w.assetTask, "", "assignation", false)
	sqlExec(t, e, "UPDATE notification SET reply_id = ?, type = 'reply' WHERE id = ?", replyID, n1)
	sqlExec(t, e, "UPDATE notification SET created_at = now() - interval '1 day' WHERE id = ?", n2)
	nOther := userNotify(t, e, w.other.ID, w.manager.ID, w.assetTask, "", "assignation", false)
	sqlExec(t, e, `INSERT INTO subscription (id, created_at, updated_at, person_id, task_id) VALUES (?, now(), now(), ?, ?)`,
		uuid.NewString(), w.artist.ID, w.assetTask)
	playlist := e.ID("playlists", map[string]any{"name": "Dailies", "project_id": w.project, "episode_id": w.episode, "for_entity": "shot"})
	pn := uuid.NewString()
	sqlExec(t, e, `INSERT INTO notification (id, created_at, updated_at, read, change, type, person_id, author_id, playlist_id)
		VALUES (?, now() - interval '2 day', now(), false, false, 'playlist-ready', ?, ?, ?)`, pn, w.other.ID, w.manager.ID, playlist)
	v := w.vars()
	v["n1"], v["n2"], v["nother"] = n1, n2, nOther
	keys := []string{"id", "type", "notification_type", "author_id", "comment_id", "task_id", "task_type_id", "task_status_id",
		"mentions", "department_mentions", "reply_mentions", "reply_department_mentions", "preview_file_id", "project_id",
		"project_name", "comment_text", "reply_text", "created_at", "read", "change", "full_entity_name", "episode_id",
		"entity_preview_file_id", "subscription_id", "playlist_id", "playlist_name", "playlist_for_entity", "playlist_is_for_all"}
	e.Run(t, v, []apptest.Case{
		{Name: "list", As: w.artist, Method: "GET", Path: "/data/user/notifications", Status: 200, Keys: keys,
			Check: func(t *testing.T, r *apptest.Response) {
				list := r.List(t)
				if len(list) != 2 || list[0]["id"] != n1 || list[1]["id"] != n2 {
					t.Fatalf("notifications %s", r.Body)
				}
				first := list[0]
				if first["full_entity_name"] != "E01 / SQ01 / SH01" || first["episode_id"] != w.episode ||
					first["project_name"] != "Agent 327" || first["task_status_id"] != w.todo {
					t.Fatalf("enriched row %v", first)
				}
				// An artist does not read a client's words.
				if first["comment_text"] != "" || first["reply_text"] != "" {
					t.Fatalf("client text shown to an artist: %v", first)
				}
				if m := first["mentions"].([]any); len(m) != 1 || m[0] != w.artist.ID {
					t.Fatalf("mentions %v", first["mentions"])
				}
				if m := first["reply_mentions"].([]any); len(m) != 1 {
					t.Fatalf("reply mentions %v", first["reply_mentions"])
				}
				if list[1]["full_entity_name"] != "Character / Agent" || list[1]["subscription_id"] == nil {
					t.Fatalf("asset row %v", list[1])
				}
			}},
		{Name: "playlist notification", As: w.other, Method: "GET", Path: "/data/user/notifications?type=playlist-ready", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				list := r.List(t)
				if len(list) != 1 || list[0]["playlist_id"] != playlist || list[0]["playlist_name"] != "Dailies" ||
					list[0]["project_id"] != w.project || list[0]["project_name"] != "Agent 327" ||
					list[0]["episode_id"] != w.episode || list[0]["full_entity_name"] != "" || list[0]["playlist_for_entity"] != "shot" {
					t.Fatalf("playlist notification %s", r.Body)
				}
			}},
		{Name: "watching", As: w.artist, Method: "GET", Path: "/data/user/notifications?watching=true", Status: 200, Check: userWantIDs(n2)},
		{Name: "not watching", As: w.artist, Method: "GET", Path: "/data/user/notifications?watching=false", Status: 200, Check: userWantIDs(n1)},
		{Name: "type", As: w.artist, Method: "GET", Path: "/data/user/notifications?type=assignation", Status: 200, Check: userWantIDs(n2)},
		{Name: "task type", As: w.artist, Method: "GET", Path: "/data/user/notifications?task_type_id=" + w.anim, Status: 200, Check: userWantIDs(n1)},
		{Name: "bad task type", As: w.artist, Method: "GET", Path: "/data/user/notifications?task_type_id=nope", Status: 400},
		{Name: "after", As: w.artist, Method: "GET", Path: "/data/user/notifications?after=2000-01-01T00:00:00", Status: 200, Len: 2},
		{Name: "before", As: w.artist, Method: "GET", Path: "/data/user/notifications?before=2000-01-01", Status: 200, Check: userWantIDs()},
		{Name: "bad after", As: w.artist, Method: "GET", Path: "/data/user/notifications?after=yesterday", Status: 400},
		{Name: "read=false", As: w.artist, Method: "GET", Path: "/data/user/notifications?read=false", Status: 200, Len: 2},
		{Name: "bot", As: w.bot, Method: "GET", Path: "/data/user/notifications", Status: 403},
		{Name: "one", As: w.artist, Method: "GET", Path: "/data/user/notifications/{n1}", Status: 200, Keys: keys},
		{Name: "one of someone else", As: w.artist, Method: "GET", Path: "/data/user/notifications/{nother}", Status: 404},
		{Name: "one malformed", As: w.artist, Method: "GET", Path: "/data/user/notifications/{bad}", Status: 404},
		{Name: "mark read", As: w.artist, Method: "PUT", Path: "/data/user/notifications/{n1}", Status: 200, Body: map[string]any{"read": true},
			Keys: []string{"id", "read", "type", "person_id"},
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["read"] != true {
					t.Fatalf("not read: %s", r.Body)
				}
				ev := e.LastEvent("notification:read")
				if ev.Data["notification_id"] != n1 || ev.Data["person_id"] != w.artist.ID {
					t.Fatalf("event %v", ev.Data)
				}
			}},
		{Name: "read filter", As: w.artist, Method: "GET", Path: "/data/user/notifications?read=true", Status: 200, Check: userWantIDs(n1)},
		{Name: "mark unread", As: w.artist, Method: "PUT", Path: "/data/user/notifications/{n1}", Status: 200, Body: map[string]any{"read": false},
			Check: func(t *testing.T, r *apptest.Response) { e.LastEvent("notification:unread") }},
		{Name: "update missing read", As: w.artist, Method: "PUT", Path: "/data/user/notifications/{n1}", Status: 400, Body: map[string]any{}},
		{Name: "update wrong type", As: w.artist, Method: "PUT", Path: "/data/user/notifications/{n1}", Status: 400, Body: map[string]any{"read": "yes"}},
		{Name: "update someone else's", As: w.artist, Method: "PUT", Path: "/data/user/notifications/{nother}", Status: 404, Body: map[string]any{"read": true}},
		{Name: "mark all", As: w.artist, Method: "POST", Path: "/actions/user/notifications/mark-all-as-read", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["success"] != true {
					t.Fatalf("body %s", r.Body)
				}
				if e.Count("notification", "person_id = ? AND NOT read", w.artist.ID) != 0 {
					t.Fatal("unread left")
				}
				if e.Count("notification", "id = ? AND read", nOther) != 0 {
					t.Fatal("someone else's notification marked")
				}
				if e.LastEvent("notification:all-read").Data["person_id"] != w.artist.ID {
					t.Fatal("event")
				}
			}},
		{Name: "mark all bot", As: w.bot, Method: "POST", Path: "/actions/user/notifications/mark-all-as-read", Status: 403},
		{Name: "mark all no token", Method: "POST", Path: "/actions/user/notifications/mark-all-as-read", Status: 401},
		{Name: "context count", As: w.other, Method: "GET", Path: "/data/user/context", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["notification_count"] != float64(2) {
					t.Fatalf("count %v", r.Object(t)["notification_count"])
				}
			}},
	})
}

func TestUserTimeAndLogins(t *testing.T) {
	w := userSetup(t)
	e := w.e
	ts := func(person, task, date string, d float64) string {
		id := uuid.NewString()
		sqlExec(t, e, `INSERT INTO time_spent (id, created_at, updated_at, duration, date, task_id, person_id)
			VALUES (?, now(), now(), ?, ?, ?, ?)`, id, d, date, task, person)
		return id
	}
	t1 := ts(w.artist.ID, w.assetTask, "2026-03-02", 60)
	t2 := ts(w.artist.ID, w.shotTask, "2026-03-05", 120)
	ts(w.other.ID, w.otherTask, "2026-03-02", 30)
	dayOff := uuid.NewString()
	sqlExec(t, e, `INSERT INTO day_off (id, created_at, updated_at, date, end_date, person_id) VALUES (?, now(), now(), '2026-04-01', '2026-04-03', ?)`,
		dayOff, w.artist.ID)
	v := w.vars()
	v["asset_task"], v["other_task"] = w.assetTask, w.otherTask
	tsKeys := []string{"id", "type", "duration", "date", "task_id", "person_id"}
	e.Run(t, v, []apptest.Case{
		{Name: "all time spents", As: w.artist, Method: "GET", Path: "/data/user/time-spents", Status: 200, Keys: tsKeys, Check: userWantIDs(t1, t2)},
		{Name: "range", As: w.artist, Method: "GET", Path: "/data/user/time-spents?start_date=2026-03-03&end_date=2026-03-31", Status: 200,
			Check: userWantIDs(t2)},
		{Name: "range needs both", As: w.artist, Method: "GET", Path: "/data/user/time-spents?start_date=2026-03-03", Status: 400},
		{Name: "range bad date", As: w.artist, Method: "GET", Path: "/data/user/time-spents?start_date=03/03&end_date=2026-03-31", Status: 400},
		{Name: "bot", As: w.bot, Method: "GET", Path: "/data/user/time-spents", Status: 403},
		{Name: "day", As: w.artist, Method: "GET", Path: "/data/user/time-spents/2026-03-02", Status: 200, Keys: tsKeys, Check: userWantIDs(t1)},
		{Name: "day of the other", As: w.other, Method: "GET", Path: "/data/user/time-spents/2026-03-05", Status: 200, Check: userWantIDs()},
		{Name: "day bad date", As: w.artist, Method: "GET", Path: "/data/user/time-spents/tomorrow", Status: 400},
		{Name: "task day", As: w.artist, Method: "GET", Path: "/data/user/tasks/{asset_task}/time-spents/2026-03-02", Status: 200, Keys: tsKeys,
			Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["id"] != t1 {
					t.Fatalf("got %s", r.Body)
				}
			}},
		{Name: "task day none", As: w.artist, Method: "GET", Path: "/data/user/tasks/{asset_task}/time-spents/2026-03-03", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if string(r.Body) != "null" {
					t.Fatalf("got %s", r.Body)
				}
			}},
		{Name: "task day bad date", As: w.artist, Method: "GET", Path: "/data/user/tasks/{asset_task}/time-spents/2026-13-01", Status: 400},
		{Name: "task day unknown task", As: w.artist, Method: "GET", Path: "/data/user/tasks/{unknown}/time-spents/2026-03-02", Status: 404},
		{Name: "task day outsider", As: w.outsider, Method: "GET", Path: "/data/user/tasks/{asset_task}/time-spents/2026-03-02", Status: 404},
		{Name: "day off", As: w.artist, Method: "GET", Path: "/data/user/day-offs/2026-04-02", Status: 200,
			Keys: []string{"id", "date", "end_date", "person_id"}, Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["id"] != dayOff {
					t.Fatalf("got %s", r.Body)
				}
			}},
		{Name: "no day off", As: w.artist, Method: "GET", Path: "/data/user/day-offs/2026-04-04", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if string(r.Body) != "{}" {
					t.Fatalf("got %s", r.Body)
				}
			}},
		{Name: "day off of someone else", As: w.other, Method: "GET", Path: "/data/user/day-offs/2026-04-02", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if string(r.Body) != "{}" {
					t.Fatalf("got %s", r.Body)
				}
			}},
		{Name: "day off bad date", As: w.artist, Method: "GET", Path: "/data/user/day-offs/x", Status: 400},

		{Name: "desktop login now", As: w.artist, Method: "POST", Path: "/data/user/desktop-login-logs", Status: 201,
			Keys: []string{"id", "person_id", "date"}, Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["person_id"] != w.artist.ID {
					t.Fatalf("got %s", r.Body)
				}
				if e.Count("person", "id = ? AND last_presence IS NOT NULL", w.artist.ID) != 1 {
					t.Fatal("presence not recorded")
				}
			}},
		{Name: "desktop login dated", As: w.artist, Method: "POST", Path: "/data/user/desktop-login-logs", Status: 201,
			Body: map[string]any{"date": "2026-01-02T10:00:00"}, Check: func(t *testing.T, r *apptest.Response) {
				if d, _ := r.Object(t)["date"].(string); d[:10] != "2026-01-02" {
					t.Fatalf("date %s", r.Body)
				}
			}},
		{Name: "desktop login bad date", As: w.artist, Method: "POST", Path: "/data/user/desktop-login-logs", Status: 400,
			Body: map[string]any{"date": "soon"}},
		{Name: "desktop login wrong type", As: w.artist, Method: "POST", Path: "/data/user/desktop-login-logs", Status: 400,
			Body: map[string]any{"date": 12}},
		{Name: "desktop login bot", As: w.bot, Method: "POST", Path: "/data/user/desktop-login-logs", Status: 403},
		{Name: "desktop logins newest first", As: w.artist, Method: "GET", Path: "/data/user/desktop-login-logs", Status: 200, Len: 2,
			Check: func(t *testing.T, r *apptest.Response) {
				if d := r.List(t)[1]["date"].(string); d[:10] != "2026-01-02" {
					t.Fatalf("order %s", r.Body)
				}
			}},
		{Name: "desktop logins of another", As: w.other, Method: "GET", Path: "/data/user/desktop-login-logs", Status: 200, Check: userWantIDs()},
		{Name: "desktop logins no token", Method: "GET", Path: "/data/user/desktop-login-logs", Status: 401},
	})
}

func TestUserSubscriptions(t *testing.T) {
	w := userSetup(t)
	e := w.e
	v := w.vars()
	v["asset_task"], v["shot_task"], v["other_task"], v["anim"] = w.assetTask, w.shotTask, w.otherTask, w.anim
	subKeys := []string{"id", "type", "person_id", "task_id", "entity_id", "task_type_id"}
	isBool := func(want bool) func(t *testing.T, r *apptest.Response) {
		return func(t *testing.T, r *apptest.Response) {
			if string(r.Body) != map[bool]string{true: "true", false: "false"}[want] {
				t.Fatalf("got %s, want %v", r.Body, want)
			}
		}
	}
	e.Run(t, v, []apptest.Case{
		{Name: "not subscribed", As: w.artist, Method: "GET", Path: "/data/user/tasks/{asset_task}/subscribed", Status: 200, Check: isBool(false)},
		{Name: "subscribe", As: w.artist, Method: "POST", Path: "/actions/user/tasks/{asset_task}/subscribe", Status: 201, Keys: subKeys},
		{Name: "subscribe twice keeps one", As: w.artist, Method: "POST", Path: "/actions/user/tasks/{asset_task}/subscribe", Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if n := e.Count("subscription", "person_id = ? AND task_id = ?", w.artist.ID, w.assetTask); n != 1 {
					t.Fatalf("%d subscriptions", n)
				}
			}},
		{Name: "subscribed", As: w.artist, Method: "GET", Path: "/data/user/tasks/{asset_task}/subscribed", Status: 200, Check: isBool(true)},
		{Name: "someone else is not", As: w.other, Method: "GET", Path: "/data/user/tasks/{asset_task}/subscribed", Status: 200, Check: isBool(false)},
		{Name: "subscribed outsider", As: w.outsider, Method: "GET", Path: "/data/user/tasks/{asset_task}/subscribed", Status: 404},
		{Name: "subscribed malformed", As: w.artist, Method: "GET", Path: "/data/user/tasks/{bad}/subscribed", Status: 404},
		{Name: "subscribe unknown", As: w.artist, Method: "POST", Path: "/actions/user/tasks/{unknown}/subscribe", Status: 404},
		{Name: "subscribe bot", As: w.bot, Method: "POST", Path: "/actions/user/tasks/{asset_task}/subscribe", Status: 403},
		{Name: "unsubscribe", As: w.artist, Method: "DELETE", Path: "/actions/user/tasks/{asset_task}/unsubscribe", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("subscription", "person_id = ? AND task_id = ?", w.artist.ID, w.assetTask) != 0 {
					t.Fatal("still subscribed")
				}
			}},
		{Name: "unsubscribe outsider", As: w.outsider, Method: "DELETE", Path: "/actions/user/tasks/{asset_task}/unsubscribe", Status: 404},
		{Name: "bulk subscribe", As: w.artist, Method: "POST", Path: "/actions/user/tasks/subscribe", Status: 201, Len: 2, Keys: subKeys,
			Body: map[string]any{"task_ids": []string{w.assetTask, w.shotTask}}},
		{Name: "bulk subscribe empty", As: w.artist, Method: "POST", Path: "/actions/user/tasks/subscribe", Status: 400,
			Body: map[string]any{"task_ids": []string{}}},
		{Name: "bulk subscribe missing", As: w.artist, Method: "POST", Path: "/actions/user/tasks/subscribe", Status: 400, Body: map[string]any{}},
		{Name: "bulk subscribe too many", As: w.artist, Method: "POST", Path: "/actions/user/tasks/subscribe", Status: 400,
			Body: map[string]any{"task_ids": userManyIDs(1001)}},
		{Name: "bulk subscribe malformed", As: w.artist, Method: "POST", Path: "/actions/user/tasks/subscribe", Status: 400,
			Body: map[string]any{"task_ids": []string{"nope"}}},
		{Name: "bulk subscribe unknown writes nothing", As: w.artist, Method: "POST", Path: "/actions/user/tasks/subscribe", Status: 400,
			Body: map[string]any{"task_ids": []string{w.otherTask, v["unknown"]}}, Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("subscription", "person_id = ? AND task_id = ?", w.artist.ID, w.otherTask) != 0 {
					t.Fatal("half-written")
				}
			}},
		{Name: "bulk subscribe outsider", As: w.outsider, Method: "POST", Path: "/actions/user/tasks/subscribe", Status: 400,
			Body: map[string]any{"task_ids": []string{w.assetTask}}},
		{Name: "bulk unsubscribe", As: w.artist, Method: "POST", Path: "/actions/user/tasks/unsubscribe", Status: 200,
			Body: map[string]any{"task_ids": []string{w.assetTask, w.shotTask}}, Check: func(t *testing.T, r *apptest.Response) {
				if ids := r.JSON(t).([]any); len(ids) != 2 || ids[0] != w.assetTask {
					t.Fatalf("got %s", r.Body)
				}
				if e.Count("subscription", "person_id = ?", w.artist.ID) != 0 {
					t.Fatal("still subscribed")
				}
			}},
		{Name: "bulk unsubscribe wrong type", As: w.artist, Method: "POST", Path: "/actions/user/tasks/unsubscribe", Status: 400,
			Body: map[string]any{"task_ids": "x"}},

		{Name: "sequence not followed", As: w.artist, Method: "GET", Path: "/data/user/sequences/{seq}/task-types/{anim}/subscribed", Status: 200, Check: isBool(false)},
		{Name: "follow sequence", As: w.artist, Method: "POST", Path: "/actions/user/sequences/{seq}/task-types/{anim}/subscribe", Status: 201,
			Keys: subKeys, Check: func(t *testing.T, r *apptest.Response) {
				if o := r.Object(t); o["entity_id"] != w.seq || o["task_type_id"] != w.anim {
					t.Fatalf("got %s", r.Body)
				}
			}},
		{Name: "follow sequence again keeps one", As: w.artist, Method: "POST", Path: "/actions/user/sequences/{seq}/task-types/{anim}/subscribe", Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if n := e.Count("subscription", "person_id = ? AND entity_id = ?", w.artist.ID, w.seq); n != 1 {
					t.Fatalf("%d", n)
				}
			}},
		{Name: "sequence followed", As: w.artist, Method: "GET", Path: "/data/user/sequences/{seq}/task-types/{anim}/subscribed", Status: 200, Check: isBool(true)},
		{Name: "entity alias", As: w.artist, Method: "GET", Path: "/data/user/entities/{seq}/task-types/{anim}/subscribed", Status: 200, Check: isBool(true)},
		{Name: "sequence subscriptions", As: w.artist, Method: "GET", Path: "/data/user/projects/{project}/task-types/{anim}/sequence-subscriptions", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if ids := r.JSON(t).([]any); len(ids) != 1 || ids[0] != w.seq {
					t.Fatalf("got %s", r.Body)
				}
			}},
		{Name: "sequence subscriptions outsider", As: w.outsider, Method: "GET", Path: "/data/user/projects/{project}/task-types/{anim}/sequence-subscriptions", Status: 404},
		{Name: "sequence subscriptions bad task type", As: w.artist, Method: "GET", Path: "/data/user/projects/{project}/task-types/{bad}/sequence-subscriptions", Status: 404},
		{Name: "follow a shot as a sequence", As: w.artist, Method: "POST", Path: "/actions/user/sequences/{shot}/task-types/{anim}/subscribe", Status: 404},
		{Name: "follow unknown task type", As: w.artist, Method: "POST", Path: "/actions/user/sequences/{seq}/task-types/{unknown}/subscribe", Status: 404},
		{Name: "follow outsider", As: w.outsider, Method: "POST", Path: "/actions/user/sequences/{seq}/task-types/{anim}/subscribe", Status: 404},
		{Name: "unfollow", As: w.artist, Method: "DELETE", Path: "/actions/user/sequences/{seq}/task-types/{anim}/unsubscribe", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("subscription", "person_id = ?", w.artist.ID) != 0 {
					t.Fatal("still following")
				}
			}},
		{Name: "unfollow bot", As: w.bot, Method: "DELETE", Path: "/actions/user/sequences/{seq}/task-types/{anim}/unsubscribe", Status: 403},
	})
}

func TestUserChatsAndAvatar(t *testing.T) {
	w := userSetup(t)
	e := w.e
	e.Task(w.project, w.shot, e.TaskType("Comp", "Shot"), w.todo, w.vendor.ID)
	sqlExec(t, e, "UPDATE person SET has_avatar = true WHERE id = ?", w.artist.ID)
	v := w.vars()
	e.Run(t, v, []apptest.Case{
		{Name: "no chats", As: w.artist, Method: "GET", Path: "/data/user/chats", Status: 200, Check: userWantIDs()},
		{Name: "join", As: w.artist, Method: "POST", Path: "/actions/user/chats/{shot}/join", Status: 200,
			Keys: []string{"id", "object_id", "type"}, Check: func(t *testing.T, r *apptest.Response) {
				if r.Object(t)["object_id"] != w.shot {
					t.Fatalf("got %s", r.Body)
				}
				if e.LastEvent("chat:joined").Data["person_id"] != w.artist.ID {
					t.Fatal("event")
				}
			}},
		{Name: "vendor assigned joins the same chat", As: w.vendor, Method: "POST", Path: "/actions/user/chats/{shot}/join", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("chat", "object_id = ?", w.shot) != 1 || e.Count("chat_participant", "true") != 2 {
					t.Fatal("chat duplicated or participant missing")
				}
			}},
		{Name: "join twice", As: w.artist, Method: "POST", Path: "/actions/user/chats/{shot}/join", Status: 200},
		{Name: "vendor not assigned", As: w.vendor, Method: "POST", Path: "/actions/user/chats/{asset}/join", Status: 404},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: "/actions/user/chats/{shot}/join", Status: 404},
		{Name: "malformed", As: w.artist, Method: "POST", Path: "/actions/user/chats/{bad}/join", Status: 404},
		{Name: "bot", As: w.bot, Method: "POST", Path: "/actions/user/chats/{shot}/join", Status: 403},
		{Name: "chats", As: w.artist, Method: "GET", Path: "/data/user/chats", Status: 200, Len: 1,
			Keys: []string{"id", "object_id", "last_message", "entity_name", "project_id", "preview_file_id"},
			Check: func(t *testing.T, r *apptest.Response) {
				if o := r.List(t)[0]; o["entity_name"] != "E01 / SQ01 / SH01" || o["project_id"] != w.project {
					t.Fatalf("got %v", o)
				}
			}},
		{Name: "other has no chat", As: w.other, Method: "GET", Path: "/data/user/chats", Status: 200, Check: userWantIDs()},
		{Name: "leave", As: w.artist, Method: "DELETE", Path: "/actions/user/chats/{shot}/join", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("chat_participant", "person_id = ?", w.artist.ID) != 0 {
					t.Fatal("still in")
				}
				e.LastEvent("chat:left")
			}},
		{Name: "leave outsider", As: w.outsider, Method: "DELETE", Path: "/actions/user/chats/{shot}/join", Status: 404},
		{Name: "clear avatar", As: w.artist, Method: "DELETE", Path: "/actions/user/clear-avatar", Status: 204,
			Check: func(t *testing.T, r *apptest.Response) {
				if e.Count("person", "id = ? AND has_avatar", w.artist.ID) != 0 {
					t.Fatal("avatar kept")
				}
				if e.LastEvent("person:update").Data["person_id"] != w.artist.ID {
					t.Fatal("event")
				}
			}},
		{Name: "clear avatar bot", As: w.bot, Method: "DELETE", Path: "/actions/user/clear-avatar", Status: 403},
		{Name: "clear avatar no token", Method: "DELETE", Path: "/actions/user/clear-avatar", Status: 401},
	})
}

func TestUserTaskLists(t *testing.T) {
	w := userSetup(t)
	e := w.e
	// A comment by a client stays out of last_comment; the artist's own shows.
	comment := func(task, person, text, at string) {
		sqlExec(t, e, `INSERT INTO comment (id, created_at, updated_at, object_id, object_type, text, person_id)
			VALUES (?, ?, now(), ?, 'Task', ?, ?)`, uuid.NewString(), at, task, text, person)
	}
	comment(w.shotTask, w.artist.ID, "first", "2026-01-01 10:00:00")
	comment(w.shotTask, w.client.ID, "client says", "2026-01-02 10:00:00")
	// The asset is cast in the episode.
	sqlExec(t, e, `INSERT INTO entity_link (id, entity_in_id, entity_out_id, nb_occurences) VALUES (?, ?, ?, 1)`,
		uuid.NewString(), w.episode, w.asset)
	wfa := e.TaskStatus("Waiting", "wfa2", map[string]any{"is_feedback_request": true})
	dept := e.Department("Animation")
	sqlExec(t, e, "UPDATE task_type SET department_id = ? WHERE id = ?", dept, w.anim)
	sqlExec(t, e, "UPDATE task SET task_status_id = ? WHERE id IN (?, ?)", wfa, w.shotTask, w.otherTask)
	supervisor := e.NewPerson("supervisor")
	e.AddToTeam(w.project, supervisor.ID, "")
	e.InDepartment(supervisor.ID, dept)
	keys := []string{"id", "type", "project_name", "project_id", "project_has_avatar", "entity_id", "entity_name",
		"entity_description", "entity_data", "entity_preview_file_id", "entity_source_id", "entity_type_name", "entity_canceled",
		"sequence_name", "episode_id", "episode_name", "task_type_for_entity", "task_estimation", "task_duration",
		"task_start_date", "task_due_date", "task_type_name", "task_status_name", "task_type_color", "task_status_color",
		"task_status_short_name", "assignees", "last_comment", "task_type_id", "task_status_id"}
	byID := func(t *testing.T, r *apptest.Response) map[string]map[string]any {
		m := map[string]map[string]any{}
		for _, o := range r.List(t) {
			m[o["id"].(string)] = o
		}
		return m
	}
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "todos", As: w.artist, Method: "GET", Path: "/data/user/tasks", Status: 200, Keys: keys, Len: 2,
			Check: func(t *testing.T, r *apptest.Response) {
				m := byID(t, r)
				shot, asset := m[w.shotTask], m[w.assetTask]
				if shot == nil || asset == nil {
					t.Fatalf("tasks %s", r.Body)
				}
				if shot["episode_id"] != w.episode || shot["episode_name"] != "E01" || shot["sequence_name"] != "SQ01" ||
					shot["entity_type_name"] != "Shot" || shot["project_name"] != "Agent 327" {
					t.Fatalf("shot row %v", shot)
				}
				if lc := shot["last_comment"].(map[string]any); lc["text"] != "first" || lc["person_id"] != w.artist.ID {
					t.Fatalf("last comment %v", lc)
				}
				if a := shot["assignees"].([]any); len(a) != 1 || a[0] != w.artist.ID {
					t.Fatalf("assignees %v", a)
				}
				if ids := asset["episode_ids"].([]any); len(ids) != 1 || ids[0] != w.episode {
					t.Fatalf("cast episodes %v", asset)
				}
				if asset["episode_id"] != "" || len(asset["last_comment"].(map[string]any)) != 0 || hasKey(shot, "episode_ids") {
					t.Fatalf("asset row %v", asset)
				}
			}},
		{Name: "todos of the other artist", As: w.other, Method: "GET", Path: "/data/user/tasks", Status: 200, Check: userWantIDs(w.otherTask)},
		{Name: "todos outsider", As: w.outsider, Method: "GET", Path: "/data/user/tasks", Status: 200, Check: userWantIDs()},
		{Name: "todos bot", As: w.bot, Method: "GET", Path: "/data/user/tasks", Status: 403},
		{Name: "todos no token", Method: "GET", Path: "/data/user/tasks", Status: 401},
		{Name: "done", As: w.artist, Method: "GET", Path: "/data/user/done-tasks", Status: 200, Keys: keys, Check: userWantIDs(w.doneTk)},
		{Name: "done other", As: w.other, Method: "GET", Path: "/data/user/done-tasks", Status: 200, Check: userWantIDs()},
		{Name: "done bot", As: w.bot, Method: "GET", Path: "/data/user/done-tasks", Status: 403},
		{Name: "to check admin", As: e.Admin, Method: "GET", Path: "/data/user/tasks-to-check", Status: 200, Keys: keys, Len: 2},
		{Name: "to check manager", As: w.manager, Method: "GET", Path: "/data/user/tasks-to-check", Status: 200, Len: 2},
		{Name: "to check supervisor of the department", As: supervisor, Method: "GET", Path: "/data/user/tasks-to-check", Status: 200,
			Check: userWantIDs(w.shotTask)},
		{Name: "to check artist", As: w.artist, Method: "GET", Path: "/data/user/tasks-to-check", Status: 200, Check: userWantIDs()},
		{Name: "to check manager outside", As: e.NewPerson("manager"), Method: "GET", Path: "/data/user/tasks-to-check", Status: 200, Check: userWantIDs()},
		{Name: "to check bot", As: w.bot, Method: "GET", Path: "/data/user/tasks-to-check", Status: 403},
	})
}

// TestUserRefusals sweeps every route of the area: no token is 401, a bot
// is 403, and routes naming a row answer 404 to an outsider and to a
// malformed id.
func TestUserRefusals(t *testing.T) {
	w := userSetup(t)
	e := w.e
	v := w.vars()
	v["task"], v["anim"] = w.assetTask, w.anim
	type route struct {
		method, path string
		scoped       bool // names a row of a production: outsiders get 404
		badPath      string
	}
	routes := []route{
		{"GET", "/data/user/context", false, ""},
		{"GET", "/data/user/assets/{asset}/tasks", true, "/data/user/assets/{bad}/tasks"},
		{"GET", "/data/user/shots/{shot}/tasks", true, "/data/user/shots/{bad}/tasks"},
		{"GET", "/data/user/scenes/{scene}/tasks", true, "/data/user/scenes/{bad}/tasks"},
		{"GET", "/data/user/sequences/{seq}/tasks", true, "/data/user/sequences/{bad}/tasks"},
		{"GET", "/data/user/assets/{asset}/task-types", true, "/data/user/assets/{bad}/task-types"},
		{"GET", "/data/user/shots/{shot}/task-types", true, "/data/user/shots/{bad}/task-types"},
		{"GET", "/data/user/scenes/{scene}/task-types", true, "/data/user/scenes/{bad}/task-types"},
		{"GET", "/data/user/sequences/{seq}/task-types", true, "/data/user/sequences/{bad}/task-types"},
		{"GET", "/data/user/projects/open", false, ""},
		{"GET", "/data/user/projects/{project}/asset-types", true, "/data/user/projects/{bad}/asset-types"},
		{"GET", "/data/user/projects/{project}/asset-types/{asset_type}/assets", true, "/data/user/projects/{bad}/asset-types/{asset_type}/assets"},
		{"GET", "/data/user/projects/{project}/sequences", true, "/data/user/projects/{bad}/sequences"},
		{"GET", "/data/user/projects/{project}/episodes", true, "/data/user/projects/{bad}/episodes"},
		{"GET", "/data/user/sequences/{seq}/shots", true, "/data/user/sequences/{bad}/shots"},
		{"GET", "/data/user/sequences/{seq}/scenes", true, "/data/user/sequences/{bad}/scenes"},
		{"GET", "/data/user/tasks", false, ""},
		{"GET", "/data/user/tasks-to-check", false, ""},
		{"GET", "/data/user/done-tasks", false, ""},
		{"GET", "/data/user/filters", false, ""},
		{"GET", "/data/user/filter-groups", false, ""},
		{"GET", "/data/user/filter-groups/{unknown}", false, "/data/user/filter-groups/{bad}"},
		{"DELETE", "/data/user/filters/{unknown}", false, "/data/user/filters/{bad}"},
		{"DELETE", "/data/user/filter-groups/{unknown}", false, "/data/user/filter-groups/{bad}"},
		{"GET", "/data/user/desktop-login-logs", false, ""},
		{"GET", "/data/user/time-spents", false, ""},
		{"GET", "/data/user/time-spents/2026-01-01", false, ""},
		{"GET", "/data/user/tasks/{task}/time-spents/2026-01-01", true, "/data/user/tasks/{bad}/time-spents/2026-01-01"},
		{"GET", "/data/user/day-offs/2026-01-01", false, ""},
		{"GET", "/data/user/notifications", false, ""},
		{"GET", "/data/user/notifications/{unknown}", false, "/data/user/notifications/{bad}"},
		{"GET", "/data/user/tasks/{task}/subscribed", true, "/data/user/tasks/{bad}/subscribed"},
		{"GET", "/data/user/chats", false, ""},
		{"POST", "/actions/user/chats/{asset}/join", true, "/actions/user/chats/{bad}/join"},
		{"DELETE", "/actions/user/chats/{asset}/join", true, "/actions/user/chats/{bad}/join"},
		{"POST", "/actions/user/tasks/{task}/subscribe", true, "/actions/user/tasks/{bad}/subscribe"},
		{"DELETE", "/actions/user/tasks/{task}/unsubscribe", true, "/actions/user/tasks/{bad}/unsubscribe"},
		{"DELETE", "/actions/user/clear-avatar", false, ""},
		{"GET", "/data/user/sequences/{seq}/task-types/{anim}/subscribed", true, "/data/user/sequences/{bad}/task-types/{anim}/subscribed"},
		{"GET", "/data/user/entities/{seq}/task-types/{anim}/subscribed", true, "/data/user/entities/{bad}/task-types/{anim}/subscribed"},
		{"GET", "/data/user/projects/{project}/task-types/{anim}/sequence-subscriptions", true, "/data/user/projects/{bad}/task-types/{anim}/sequence-subscriptions"},
		{"POST", "/actions/user/sequences/{seq}/task-types/{anim}/subscribe", true, "/actions/user/sequences/{bad}/task-types/{anim}/subscribe"},
		{"DELETE", "/actions/user/sequences/{seq}/task-types/{anim}/unsubscribe", true, "/actions/user/sequences/{bad}/task-types/{anim}/unsubscribe"},
		{"POST", "/actions/user/notifications/mark-all-as-read", false, ""},
	}
	var cases []apptest.Case
	for _, r := range routes {
		cases = append(cases,
			apptest.Case{Name: "no token " + r.method + " " + r.path, Method: r.method, Path: r.path, Status: 401},
			apptest.Case{Name: "bot " + r.method + " " + r.path, As: w.bot, Method: r.method, Path: r.path, Status: 403})
		if r.scoped {
			cases = append(cases, apptest.Case{Name: "outsider " + r.method + " " + r.path, As: w.outsider, Method: r.method, Path: r.path, Status: 404})
		}
		if r.badPath != "" {
			cases = append(cases, apptest.Case{Name: "malformed " + r.method + " " + r.badPath, As: w.artist, Method: r.method, Path: r.badPath, Status: 404})
		}
	}
	// Bodies of the write routes without a path id.
	cases = append(cases,
		apptest.Case{Name: "bot POST filters", As: w.bot, Method: "POST", Path: "/data/user/filters", Status: 403, Body: map[string]any{"name": "x", "query": "x"}},
		apptest.Case{Name: "bot POST filter-groups", As: w.bot, Method: "POST", Path: "/data/user/filter-groups", Status: 403, Body: map[string]any{"name": "x"}},
		apptest.Case{Name: "bot bulk subscribe", As: w.bot, Method: "POST", Path: "/actions/user/tasks/subscribe", Status: 403, Body: map[string]any{"task_ids": []string{w.assetTask}}},
		apptest.Case{Name: "bot bulk unsubscribe", As: w.bot, Method: "POST", Path: "/actions/user/tasks/unsubscribe", Status: 403, Body: map[string]any{"task_ids": []string{w.assetTask}}},
		apptest.Case{Name: "manager sees project asset types", As: w.manager, Method: "GET", Path: "/data/user/projects/{project}/asset-types", Status: 200, Check: userWantIDs()},
		apptest.Case{Name: "admin sees project sequences", As: e.Admin, Method: "GET", Path: "/data/user/projects/{project}/sequences", Status: 200, Check: userWantIDs()},
		apptest.Case{Name: "client shot tasks", As: w.client, Method: "GET", Path: "/data/user/shots/{shot}/tasks", Status: 200, Check: userWantIDs()},
	)
	e.Run(t, v, cases)
}

// userManyIDs returns n fresh ids.
func userManyIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	return ids
}
