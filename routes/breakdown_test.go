package routes_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// breakdownCast is a casting body entry.
func breakdownCast(asset string, n int, label string) map[string]any {
	return map[string]any{"asset_id": asset, "nb_occurences": n, "label": label}
}

func TestBreakdownCastingUpdate(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	put := "/data/projects/{p}/entities/{shot1}/casting"
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "artist refused", As: w.artist, Method: "PUT", Path: put, Body: []any{breakdownCast(w.hero, 1, "")}, Status: 403},
		{Name: "outsider", As: w.outsider, Method: "PUT", Path: put, Body: []any{breakdownCast(w.hero, 1, "")}, Status: 404},
		{Name: "not an array", As: w.manager, Method: "PUT", Path: put, Body: map[string]any{"asset_id": w.hero}, Status: 400},
		{Name: "entry not object", As: w.manager, Method: "PUT", Path: put, Body: []any{"x"}, Status: 400},
		{Name: "bad asset id", As: w.manager, Method: "PUT", Path: put, Body: []any{breakdownCast("zz", 1, "")}, Status: 400},
		{Name: "bad occurences", As: w.manager, Method: "PUT", Path: put, Body: []any{map[string]any{"asset_id": w.hero, "nb_occurences": "two"}}, Status: 400},
		{Name: "casting a shot", As: w.manager, Method: "PUT", Path: put, Body: []any{breakdownCast(w.shot2, 1, "")}, Status: 400},
		{Name: "private asset of another project", As: w.manager, Method: "PUT", Path: put, Body: []any{breakdownCast(w.otherAsset, 1, "")}, Status: 400},
		{Name: "unknown asset", As: w.manager, Method: "PUT", Path: put, Body: []any{breakdownCast("8f1b3c2e-0000-4000-8000-000000000001", 1, "")}, Status: 400},
		{Name: "entity of another project", As: w.manager, Method: "PUT", Path: "/data/projects/{p}/entities/{otherAsset}/casting", Body: []any{}, Status: 404},
		{Name: "unknown entity", As: w.manager, Method: "PUT", Path: "/data/projects/{p}/entities/{bad}/casting", Body: []any{}, Status: 404},
	})
	if n := e.Count("entity_link", ""); n != 0 {
		t.Fatalf("refused updates wrote %d links", n)
	}
	// A ready-for modeling stat: the shot task counts ready assets.
	shotTT := e.TaskType("Animation", "Shot")
	sqlExec(t, e, `INSERT INTO project_task_type_link (id, project_id, task_type_id, priority) VALUES (gen_random_uuid(), ?, ?, 2)`, w.project, shotTT)
	shotTask := e.Task(w.project, w.shot1, shotTT, w.status)
	sqlExec(t, e, `UPDATE entity SET ready_for = ? WHERE id = ?`, shotTT, w.hero)

	body := []any{breakdownCast(w.hero, 2, "main"), breakdownCast(w.sword, 1, ""), breakdownCast(w.shared, 3, "bg")}
	r := e.Must(200, "PUT", "/data/projects/"+w.project+"/entities/"+w.shot1+"/casting", body, w.manager.Token)
	if l := r.List(t); len(l) != 3 || l[0]["asset_id"] != w.hero {
		t.Fatalf("answer: %s", r.Body)
	}
	if n := e.Count("entity_link", "entity_in_id = ?", w.shot1); n != 3 {
		t.Fatalf("%d links", n)
	}
	if n := sqlInt(t, e, `SELECT nb_entities_out FROM entity WHERE id = ?`, w.shot1); n != 3 {
		t.Fatalf("nb_entities_out %d", n)
	}
	// The episode follows its shots.
	if n := e.Count("entity_link", "entity_in_id = ?", w.episode); n != 3 {
		t.Fatalf("episode casting %d", n)
	}
	ev := e.LastEvent("shot:casting-update")
	if ev.Data["shot_id"] != w.shot1 || len(breakdownIDs(ev.Data["added_asset_ids"])) != 3 || len(breakdownIDs(ev.Data["removed_asset_ids"])) != 0 {
		t.Fatalf("shot:casting-update %v", ev.Data)
	}
	e.LastEvent("entity-link:new")
	stats := e.LastEvent("task:update-casting-stats")
	// hero is ready (ready_for = the task's type), the shared tree of another
	// project is ready, the sword is not.
	if stats.Data["task_id"] != shotTask || fmt.Sprint(stats.Data["nb_assets_ready"]) != "2" {
		t.Fatalf("casting stats %v", stats.Data)
	}
	if n := sqlInt(t, e, `SELECT nb_assets_ready FROM task WHERE id = ?`, shotTask); n != 2 {
		t.Fatalf("nb_assets_ready %d", n)
	}

	// Read it back through every reader.
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "entity casting", As: w.artist, Method: "GET", Path: "/data/projects/{p}/entities/{shot1}/casting", Status: 200, Len: 3,
			Keys: []string{"asset_id", "asset_name", "asset_type_name", "ready_for", "episode_id", "preview_file_id", "nb_occurences", "label", "is_shared", "project_id"}},
		{Name: "entity casting vendor", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/entities/{shot1}/casting", Status: 403},
		{Name: "entity casting outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/entities/{shot1}/casting", Status: 404},
		{Name: "entity casting other project entity", As: w.artist, Method: "GET", Path: "/data/projects/{p}/entities/{otherAsset}/casting", Status: 404},
		{Name: "sequence casting", As: w.client, Method: "GET", Path: "/data/projects/{p}/sequences/{seq}/casting", Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				l, ok := m[w.shot1].([]any)
				if len(m) != 1 || !ok || len(l) != 3 {
					t.Fatalf("sequence casting: %s", r.Body)
				}
				for _, k := range []string{"asset_id", "name", "asset_name", "asset_type_name", "sequence_name", "nb_occurences", "label", "is_shared", "project_id"} {
					if !hasKey(l[0].(map[string]any), k) {
						t.Fatalf("no %s: %v", k, l[0])
					}
				}
			}},
		{Name: "sequence casting not a sequence", As: w.client, Method: "GET", Path: "/data/projects/{p}/sequences/{shot1}/casting", Status: 404},
		{Name: "sequence casting bad", As: w.client, Method: "GET", Path: "/data/projects/{p}/sequences/{bad}/casting", Status: 404},
		{Name: "sequence casting vendor", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/sequences/{seq}/casting", Status: 403},
		{Name: "all sequences casting", As: w.artist, Method: "GET", Path: "/data/projects/{p}/sequences/all/casting", Status: 200, Keys: []string{w.shot1}},
		{Name: "episode sequences casting", As: w.artist, Method: "GET", Path: "/data/projects/{p}/episodes/{ep}/sequences/all/casting", Status: 200, Keys: []string{w.shot1}},
		{Name: "main episode casting empty", As: w.artist, Method: "GET", Path: "/data/projects/{p}/episodes/main/sequences/all/casting", Status: 200, NoKeys: []string{w.shot1}},
		{Name: "episodes casting", As: w.artist, Method: "GET", Path: "/data/projects/{p}/episodes/casting", Status: 200, Keys: []string{w.episode}},
		{Name: "episodes casting outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/episodes/casting", Status: 404},
		{Name: "asset cast in", As: w.artist, Method: "GET", Path: "/data/assets/{hero}/cast-in", Status: 200, Len: 1,
			Keys: []string{"shot_id", "shot_name", "sequence_name", "episode_id", "episode_name", "preview_file_id", "nb_occurences"}},
		{Name: "asset cast in vendor unassigned", As: w.vendor, Method: "GET", Path: "/data/assets/{sword}/cast-in", Status: 404},
		{Name: "shot asset types", As: w.artist, Method: "GET", Path: "/data/shots/{shot1}/asset-types", Status: 200, Len: 2},
	})

	// Replacing: the sword leaves the shot, and the episode (no other shot casts it).
	e.Must(200, "PUT", "/data/projects/"+w.project+"/entities/"+w.shot1+"/casting",
		[]any{breakdownCast(w.hero, 1, ""), breakdownCast(w.shared, 3, "bg")}, w.manager.Token)
	ev = e.LastEvent("shot:casting-update")
	if rm := breakdownIDs(ev.Data["removed_asset_ids"]); len(rm) != 1 || rm[0] != w.sword {
		t.Fatalf("removed %v", ev.Data)
	}
	if n := e.Count("entity_link", "entity_in_id = ? AND entity_out_id = ?", w.episode, w.sword); n != 0 {
		t.Fatal("sword still cast in the episode")
	}
	if ev := e.LastEvent("episode:casting-update"); ev.Data["episode_id"] != w.episode {
		t.Fatalf("episode:casting-update %v", ev.Data)
	}

	// Asset casting (an asset inside an asset).
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "asset casting put artist", As: w.artist, Method: "PUT", Path: "/data/assets/{hero}/casting", Body: []any{breakdownCast(w.sword, 1, "")}, Status: 403},
		{Name: "asset casting put bad", As: w.manager, Method: "PUT", Path: "/data/assets/{hero}/casting", Body: "x", Status: 400},
		{Name: "asset cast in itself", As: w.manager, Method: "PUT", Path: "/data/assets/{hero}/casting", Body: []any{breakdownCast(w.hero, 1, "")}, Status: 400},
		{Name: "asset casting put", As: w.manager, Method: "PUT", Path: "/data/assets/{hero}/casting", Body: []any{breakdownCast(w.sword, 2, "")}, Status: 200, Len: 1},
		{Name: "asset casting get", As: w.artist, Method: "GET", Path: "/data/assets/{hero}/casting", Status: 200, Len: 1, Keys: []string{"asset_id", "nb_occurences"}},
		{Name: "asset assets", As: w.artist, Method: "GET", Path: "/data/assets/{hero}/assets", Status: 200, Len: 1, Keys: []string{"id", "type", "name"}},
		{Name: "asset cast in by asset", As: w.artist, Method: "GET", Path: "/data/assets/{sword}/cast-in", Status: 200, Len: 1, Keys: []string{"asset_id", "asset_name", "asset_type_name"}},
		{Name: "asset type casting", As: w.artist, Method: "GET", Path: "/data/projects/{p}/asset-types/{character}/casting", Status: 200, Keys: []string{w.hero}},
		{Name: "asset type casting bad type", As: w.artist, Method: "GET", Path: "/data/projects/{p}/asset-types/{bad}/casting", Status: 404},
		{Name: "asset type casting vendor", As: w.vendor, Method: "GET", Path: "/data/projects/{p}/asset-types/{character}/casting", Status: 403},
	})
	if ev := e.LastEvent("asset:casting-update"); ev.Data["asset_id"] != w.hero {
		t.Fatalf("asset:casting-update %v", ev.Data)
	}

	// Several at once; one bad entity refuses the whole request.
	e.Run(t, w.vars(), []apptest.Case{
		{Name: "many not object", As: w.manager, Method: "PUT", Path: "/data/projects/{p}/entities/casting", Body: []any{}, Status: 400},
		{Name: "many artist", As: w.artist, Method: "PUT", Path: "/data/projects/{p}/entities/casting", Body: map[string]any{}, Status: 403},
		{Name: "many other project", As: w.manager, Method: "PUT", Path: "/data/projects/{p}/entities/casting",
			Body: map[string]any{w.shot2: []any{breakdownCast(w.villain, 1, "")}, w.otherAsset: []any{}}, Status: 404},
		{Name: "many", As: w.manager, Method: "PUT", Path: "/data/projects/{p}/entities/casting",
			Body: map[string]any{w.shot2: []any{breakdownCast(w.villain, 1, "")}}, Status: 200, Keys: []string{w.shot2}},
	})
	if n := e.Count("entity_link", "entity_in_id = ? AND entity_out_id = ?", w.shot2, w.villain); n != 1 {
		t.Fatal("many castings not written")
	}
	// Shots come in sequence then shot name order, as Zou sorts them.
	for _, path := range []string{"/sequences/all/casting", "/sequences/" + w.sequence + "/casting"} {
		r := e.Must(200, "GET", "/data/projects/"+w.project+path, nil, w.artist.Token)
		if i, j := strings.Index(string(r.Body), w.shot1), strings.Index(string(r.Body), w.shot2); i < 0 || j < 0 || i > j {
			t.Fatalf("%s: shots out of order: %s", path, r.Body)
		}
	}

	// Episode casting: removing an asset from the episode removes it from its shots.
	e.Must(200, "PUT", "/data/projects/"+w.project+"/entities/"+w.episode+"/casting", []any{breakdownCast(w.shared, 1, "")}, w.manager.Token)
	if n := e.Count("entity_link", "entity_in_id IN (?, ?) AND entity_out_id IN (?, ?)", w.shot1, w.shot2, w.hero, w.villain); n != 0 {
		t.Fatalf("%d shot links of removed episode assets left", n)
	}
	if ev := e.LastEvent("episode:casting-update"); ev.Data["episode_id"] != w.episode {
		t.Fatalf("episode:casting-update %v", ev.Data)
	}
}

func TestBreakdownEntityLinks(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	e.Must(200, "PUT", "/data/projects/"+w.project+"/entities/"+w.shot1+"/casting",
		[]any{breakdownCast(w.hero, 1, ""), breakdownCast(w.sword, 1, "")}, w.manager.Token)
	link := breakdownSQLString(t, e, `SELECT id::text FROM entity_link WHERE entity_in_id = ? AND entity_out_id = ?`, w.shot1, w.sword)
	vars := w.vars()
	vars["link"] = link
	vars["heroLink"] = breakdownSQLString(t, e, `SELECT id::text FROM entity_link WHERE entity_in_id = ? AND entity_out_id = ?`, w.shot1, w.hero)
	e.Run(t, vars, []apptest.Case{
		{Name: "links", As: w.manager, Method: "GET", Path: "/data/projects/{p}/entity-links", Status: 200, Len: 4,
			Keys: []string{"id", "entity_in_id", "entity_out_id", "nb_occurences", "label", "type"}},
		{Name: "links paginated", As: w.manager, Method: "GET", Path: "/data/projects/{p}/entity-links?page=2&limit=3", Status: 200,
			Keys: []string{"data", "total", "nb_pages", "limit", "page"}, Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["total"] != float64(4) || len(m["data"].([]any)) != 1 {
					t.Fatalf("page: %s", r.Body)
				}
			}},
		{Name: "links cursor", As: w.manager, Method: "GET", Path: "/data/projects/{p}/entity-links?cursor_created_at=2000-01-01T00:00:00.000&limit=3", Status: 200,
			Keys: []string{"data", "total", "limit"}, Check: func(t *testing.T, r *apptest.Response) {
				m := r.Object(t)
				if m["total"] != float64(4) || len(m["data"].([]any)) != 3 {
					t.Fatalf("cursor: %s", r.Body)
				}
			}},
		{Name: "links limit", As: w.manager, Method: "GET", Path: "/data/projects/{p}/entity-links?limit=2", Status: 200, Len: 2, Keys: []string{"created_at", "type"}},
		{Name: "links bad cursor", As: w.manager, Method: "GET", Path: "/data/projects/{p}/entity-links?cursor_created_at=yesterday", Status: 400},
		{Name: "links bad page", As: w.manager, Method: "GET", Path: "/data/projects/{p}/entity-links?page=x", Status: 400},
		{Name: "links artist", As: w.artist, Method: "GET", Path: "/data/projects/{p}/entity-links", Status: 403},
		{Name: "links outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{p}/entity-links", Status: 404},
		{Name: "delete link artist", As: w.artist, Method: "DELETE", Path: "/data/projects/{p}/entity-links/{link}", Status: 403},
		{Name: "delete link other project", As: w.otherManager, Method: "DELETE", Path: "/data/projects/{other}/entity-links/{link}", Status: 404},
		{Name: "delete link bad", As: w.manager, Method: "DELETE", Path: "/data/projects/{p}/entity-links/{bad}", Status: 404},
		{Name: "delete link", As: w.manager, Method: "DELETE", Path: "/data/projects/{p}/entity-links/{link}", Status: 200, Keys: []string{"id", "entity_in_id"}},
		{Name: "delete link again", As: w.manager, Method: "DELETE", Path: "/data/projects/{p}/entity-links/{link}", Status: 404},
		// The generic collection stays admin-only.
		{Name: "generic list manager", As: w.manager, Method: "GET", Path: "/data/entity-links", Status: 403},
		{Name: "generic list admin", As: e.Admin, Method: "GET", Path: "/data/entity-links", Status: 200, Len: 3},
		// Only admins use the generic rows: others get 403 (404 when the row is gone).
		{Name: "generic one manager", As: w.manager, Method: "GET", Path: "/data/entity-links/{heroLink}", Status: 403},
		{Name: "generic one admin", As: e.Admin, Method: "GET", Path: "/data/entity-links/{heroLink}", Status: 200, Keys: []string{"id", "entity_in_id", "entity_out_id", "nb_occurences"}},
		{Name: "generic one malformed", As: e.Admin, Method: "GET", Path: "/data/entity-links/{bad}", Status: 400},
		{Name: "generic one gone", As: e.Admin, Method: "GET", Path: "/data/entity-links/{link}", Status: 404},
		{Name: "generic delete manager", As: w.manager, Method: "DELETE", Path: "/data/entity-links/{unknown}", Status: 404},
	})
	if ev := e.LastEvent("entity-link:delete"); ev.Data["entity_link_id"] != link {
		t.Fatalf("entity-link:delete %v", ev.Data)
	}
}

func TestBreakdownAssetInstances(t *testing.T) {
	w := assetsSetup(t)
	e := w.e
	scene := e.Entity(w.project, e.TypeID("Scene"), "SC01", w.sequence)
	camType := e.AssetType("Camera")
	cam := e.Asset(w.project, camType, "Cam Main")
	vars := w.vars()
	vars["scene"] = scene
	vars["cam"] = cam
	instanceKeys := []string{"id", "asset_id", "name", "number", "description", "scene_id", "type"}
	e.Run(t, vars, []apptest.Case{
		{Name: "scene add missing asset", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/asset-instances", Body: map[string]any{}, Status: 400},
		{Name: "scene add bad asset", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/asset-instances", Body: map[string]any{"asset_id": "x"}, Status: 400},
		{Name: "scene add shot", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/asset-instances", Body: map[string]any{"asset_id": w.shot1}, Status: 400},
		{Name: "scene add outsider", As: w.outsider, Method: "POST", Path: "/data/scenes/{scene}/asset-instances", Body: map[string]any{"asset_id": w.hero}, Status: 404},
		{Name: "scene add not a scene", As: w.artist, Method: "POST", Path: "/data/scenes/{shot1}/asset-instances", Body: map[string]any{"asset_id": w.hero}, Status: 404},
		{Name: "scene add", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/asset-instances", Body: map[string]any{"asset_id": w.hero, "description": "d"}, Status: 201, Keys: instanceKeys,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["name"] != "Hero_0001" || m["number"] != float64(1) {
					t.Fatalf("instance: %s", r.Body)
				}
			}},
		{Name: "scene add again", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/asset-instances", Body: map[string]any{"asset_id": w.hero}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["name"] != "Hero_0002" {
					t.Fatalf("instance: %s", r.Body)
				}
			}},
		{Name: "scene add camera", As: w.artist, Method: "POST", Path: "/data/scenes/{scene}/asset-instances", Body: map[string]any{"asset_id": cam}, Status: 201,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["name"] != "Cam_Main_0001" {
					t.Fatalf("instance: %s", r.Body)
				}
			}},
		{Name: "scene instances", As: w.artist, Method: "GET", Path: "/data/scenes/{scene}/asset-instances", Status: 200, Keys: []string{w.hero, cam}},
		{Name: "scene instances vendor", As: w.vendor, Method: "GET", Path: "/data/scenes/{scene}/asset-instances", Status: 404},
		{Name: "scene cameras", As: w.artist, Method: "GET", Path: "/data/scenes/{scene}/camera-instances", Status: 200, Keys: []string{cam}, NoKeys: []string{w.hero}},
		{Name: "asset scene instances", As: w.artist, Method: "GET", Path: "/data/assets/{hero}/scene-asset-instances", Status: 200, Keys: []string{scene}},
		{Name: "asset scene instances outsider", As: w.outsider, Method: "GET", Path: "/data/assets/{hero}/scene-asset-instances", Status: 404},
		{Name: "asset in asset missing", As: w.artist, Method: "POST", Path: "/data/assets/{villain}/asset-asset-instances", Body: map[string]any{}, Status: 400},
		{Name: "asset in asset private other", As: w.artist, Method: "POST", Path: "/data/assets/{villain}/asset-asset-instances", Body: map[string]any{"asset_to_instantiate_id": w.otherAsset}, Status: 400},
		{Name: "asset in asset", As: w.artist, Method: "POST", Path: "/data/assets/{villain}/asset-asset-instances", Body: map[string]any{"asset_to_instantiate_id": w.sword}, Status: 201,
			Keys: []string{"id", "asset_id", "target_asset_id", "name", "number"}},
		{Name: "asset asset instances", As: w.artist, Method: "GET", Path: "/data/assets/{villain}/asset-asset-instances", Status: 200, Keys: []string{w.sword}},
		{Name: "asset asset instances outsider", As: w.outsider, Method: "GET", Path: "/data/assets/{villain}/asset-asset-instances", Status: 404},
	})
	instance := breakdownSQLString(t, e, `SELECT id::text FROM asset_instance WHERE scene_id = ? AND asset_id = ? AND number = 1`, scene, w.hero)
	vars["instance"] = instance
	vars["camInstance"] = breakdownSQLString(t, e, `SELECT id::text FROM asset_instance WHERE asset_id = ?`, cam)
	e.Run(t, vars, []apptest.Case{
		{Name: "shot add missing", As: w.artist, Method: "POST", Path: "/data/shots/{shot1}/asset-instances", Body: map[string]any{}, Status: 400},
		{Name: "shot add unknown", As: w.artist, Method: "POST", Path: "/data/shots/{shot1}/asset-instances", Body: map[string]any{"asset_instance_id": vars["unknown"]}, Status: 404},
		{Name: "shot add outsider", As: w.outsider, Method: "POST", Path: "/data/shots/{shot1}/asset-instances", Body: map[string]any{"asset_instance_id": instance}, Status: 404},
		{Name: "shot add", As: w.artist, Method: "POST", Path: "/data/shots/{shot1}/asset-instances", Body: map[string]any{"asset_instance_id": instance}, Status: 201, Keys: []string{"id", "name", "type"}},
		{Name: "shot instances", As: w.artist, Method: "GET", Path: "/data/shots/{shot1}/asset-instances", Status: 200, Keys: []string{w.hero}},
		{Name: "shot instances vendor", As: w.vendor, Method: "GET", Path: "/data/shots/{shot1}/asset-instances", Status: 404},
		{Name: "asset shot instances", As: w.client, Method: "GET", Path: "/data/assets/{hero}/shot-asset-instances", Status: 200, Keys: []string{w.shot1},
			Check: func(t *testing.T, r *apptest.Response) {
				l := r.Object(t)[w.shot1].([]any)
				if len(l) != 1 || l[0].(map[string]any)["id"] != instance {
					t.Fatalf("shot asset instances: %s", r.Body)
				}
			}},
		{Name: "asset shot instances outsider", As: w.outsider, Method: "GET", Path: "/data/assets/{hero}/shot-asset-instances", Status: 404},
		{Name: "asset shot instances bad id", As: w.artist, Method: "GET", Path: "/data/assets/{bad}/shot-asset-instances", Status: 404},
		{Name: "asset shot instances not asset", As: w.artist, Method: "GET", Path: "/data/assets/{shot1}/shot-asset-instances", Status: 404},
		{Name: "shot remove outsider", As: w.outsider, Method: "DELETE", Path: "/data/shots/{shot1}/asset-instances/{instance}", Status: 404},
		{Name: "shot remove bad", As: w.artist, Method: "DELETE", Path: "/data/shots/{shot1}/asset-instances/{bad}", Status: 404},
		{Name: "shot remove", As: w.artist, Method: "DELETE", Path: "/data/shots/{shot1}/asset-instances/{instance}", Status: 204},
		// The generic collection: admin lists, members read one.
		{Name: "generic list artist", As: w.artist, Method: "GET", Path: "/data/asset-instances", Status: 403},
		{Name: "generic list admin", As: e.Admin, Method: "GET", Path: "/data/asset-instances?asset_id={hero}", Status: 200, Len: 2},
		{Name: "generic list bad filter", As: e.Admin, Method: "GET", Path: "/data/asset-instances?asset_id={bad}", Status: 400},
		{Name: "generic one artist", As: w.artist, Method: "GET", Path: "/data/asset-instances/{instance}", Status: 200, Keys: []string{"id", "asset_id"}},
		{Name: "generic one outsider", As: w.outsider, Method: "GET", Path: "/data/asset-instances/{instance}", Status: 404},
		{Name: "generic one vendor assigned", As: w.vendor, Method: "GET", Path: "/data/asset-instances/{instance}", Status: 200},
		{Name: "generic one vendor unassigned", As: w.vendor, Method: "GET", Path: "/data/asset-instances/{camInstance}", Status: 404},
		{Name: "generic update artist", As: w.artist, Method: "PUT", Path: "/data/asset-instances/{instance}", Body: map[string]any{"description": "moved", "number": 9}, Status: 200,
			Check: func(t *testing.T, r *apptest.Response) {
				if m := r.Object(t); m["description"] != "moved" || m["number"] != float64(1) {
					t.Fatalf("number is protected: %s", r.Body)
				}
			}},
		{Name: "generic update outsider", As: w.outsider, Method: "PUT", Path: "/data/asset-instances/{instance}", Body: map[string]any{"description": "x"}, Status: 404},
		{Name: "generic create artist", As: w.artist, Method: "POST", Path: "/data/asset-instances", Body: map[string]any{"asset_id": w.hero}, Status: 403},
		{Name: "generic delete artist", As: w.artist, Method: "DELETE", Path: "/data/asset-instances/{instance}", Status: 403},
	})
	if n := e.Count("asset_instance_link", ""); n != 0 {
		t.Fatal("instance still linked")
	}
	e.LastEvent("asset_instance:remove-from-shot")
	e.LastEvent("asset_instance:add-to-shot")
	e.LastEvent("asset_instance:new")
}

func breakdownSQLString(t *testing.T, e *apptest.Env, query string, args ...any) string {
	t.Helper()
	var s string
	if err := e.App.DB.NewRaw(query, args...).Scan(context.Background(), &s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}

// breakdownIDs reads an id list of an event, whatever its Go type.
func breakdownIDs(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		out := make([]string, len(l))
		for i, x := range l {
			out[i] = fmt.Sprint(x)
		}
		return out
	}
	return nil
}
