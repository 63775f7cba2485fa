package routes_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// TestScenarioBreakdown builds a production the way a coordinator does in
// Kitsu (and a pipeline script through Gazu): a project with its team and
// settings, an asset library, episodes, sequences and shots, the casting and
// a metadata column; then reads it back through the routes Kitsu's
// breakdown and shot list use, as the coordinator and as an artist.
func TestScenarioBreakdown(t *testing.T) {
	e := apptest.New(t)
	admin := e.Admin
	coord := e.NewPerson("manager")
	artist := e.NewPerson("user")
	outsider := e.NewPerson("user")

	// The admin sets up the studio's reference data and the project.
	project := e.Must(201, "POST", "/data/projects", map[string]any{
		"name": "Scenario Show", "production_type": "tvshow"}, admin.Token).Object(t)
	pid := project["id"].(string)
	e.Must(201, "POST", "/data/projects/"+pid+"/team", map[string]any{"person_id": coord.ID}, admin.Token)
	var assetTypes []string
	for _, name := range []string{"Character", "Prop", "Set"} {
		at := e.Must(201, "POST", "/data/entity-types", map[string]any{"name": name}, admin.Token).Object(t)
		assetTypes = append(assetTypes, at["id"].(string))
	}
	modeling := e.TaskType("Modeling", "Asset")
	layout := e.TaskType("Layout", "Shot")
	wip := e.TaskStatus("Work In Progress", "wip")

	// The coordinator shapes the production: team, settings, a metadata column.
	e.Must(201, "POST", "/data/projects/"+pid+"/team", map[string]any{"person_id": artist.ID}, coord.Token)
	for _, at := range assetTypes {
		e.Must(201, "POST", "/data/projects/"+pid+"/settings/asset-types", map[string]any{"asset_type_id": at}, coord.Token)
	}
	for _, tt := range []string{modeling, layout} {
		e.Must(201, "POST", "/data/projects/"+pid+"/settings/task-types", map[string]any{"task_type_id": tt}, coord.Token)
	}
	e.Must(201, "POST", "/data/projects/"+pid+"/settings/task-status", map[string]any{"task_status_id": wip}, coord.Token)
	desc := e.Must(201, "POST", "/data/projects/"+pid+"/metadata-descriptors", map[string]any{
		"entity_type": "Asset", "name": "Difficulty", "data_type": "list", "choices": []string{"easy", "hard"}}, coord.Token).Object(t)
	field := desc["field_name"].(string)

	// 20 assets of 3 types.
	var assets []string
	for i := range 20 {
		at := assetTypes[i%3]
		a := e.Must(201, "POST", "/data/projects/"+pid+"/asset-types/"+at+"/assets/new", map[string]any{
			"name": fmt.Sprintf("asset%02d", i), "description": "from the scenario",
			"data": map[string]any{field: "easy"}}, coord.Token).Object(t)
		if a["type"] != "Asset" || a["project_id"] != pid || a["entity_type_id"] != at {
			t.Fatalf("asset answer: %v", a)
		}
		assets = append(assets, a["id"].(string))
	}

	// 2 episodes × 3 sequences × 10 shots, and their casting.
	var sequences, shots []string
	for ep := range 2 {
		episode := e.Must(201, "POST", "/data/projects/"+pid+"/episodes", map[string]any{
			"name": fmt.Sprintf("E%02d", ep+1)}, coord.Token).Object(t)
		for sq := range 3 {
			seq := e.Must(201, "POST", "/data/projects/"+pid+"/sequences", map[string]any{
				"name": fmt.Sprintf("SQ%02d", sq+1), "episode_id": episode["id"]}, coord.Token).Object(t)
			if seq["parent_id"] != episode["id"] || seq["type"] != "Sequence" {
				t.Fatalf("sequence answer: %v", seq)
			}
			sequences = append(sequences, seq["id"].(string))
			for sh := range 10 {
				shot := e.Must(201, "POST", "/data/projects/"+pid+"/shots", map[string]any{
					"name": fmt.Sprintf("SH%03d", (sh+1)*10), "sequence_id": seq["id"], "nb_frames": 48}, coord.Token).Object(t)
				if shot["parent_id"] != seq["id"] || shot["type"] != "Shot" {
					t.Fatalf("shot answer: %v", shot)
				}
				sid := shot["id"].(string)
				shots = append(shots, sid)
				casting := []map[string]any{
					{"asset_id": assets[(len(shots))%20], "nb_occurences": 1},
					{"asset_id": assets[(len(shots)+7)%20], "nb_occurences": 2, "label": "fixed"},
				}
				e.Must(200, "PUT", "/data/projects/"+pid+"/entities/"+sid+"/casting", casting, coord.Token)
			}
		}
	}

	// Creating a shot that exists answers the existing one (no duplicate row).
	again := e.Do("POST", "/data/projects/"+pid+"/shots", map[string]any{
		"name": "SH010", "sequence_id": sequences[0], "nb_frames": 48}, coord.Token)
	if again.Status != http.StatusCreated && again.Status != http.StatusOK {
		t.Fatalf("re-create shot: %d %s", again.Status, again.Body)
	}
	if again.Object(t)["id"] != shots[0] {
		t.Errorf("re-creating SH010 made a new shot: %s", again.Body)
	}

	// Read back, as Kitsu's pages do.
	for _, who := range []*apptest.Person{coord, artist} {
		if n := len(e.Must(200, "GET", "/data/projects/"+pid+"/shots", nil, who.Token).List(t)); n != 60 {
			t.Errorf("project shots: %d, want 60", n)
		}
		if n := len(e.Must(200, "GET", "/data/projects/"+pid+"/sequences", nil, who.Token).List(t)); n != 6 {
			t.Errorf("project sequences: %d, want 6", n)
		}
		if n := len(e.Must(200, "GET", "/data/projects/"+pid+"/episodes", nil, who.Token).List(t)); n != 2 {
			t.Errorf("project episodes: %d, want 2", n)
		}
		if n := len(e.Must(200, "GET", "/data/projects/"+pid+"/assets", nil, who.Token).List(t)); n != 20 {
			t.Errorf("project assets: %d, want 20", n)
		}
	}
	types := e.Must(200, "GET", "/data/projects/"+pid+"/asset-types", nil, coord.Token).List(t)
	if len(types) != 3 {
		t.Errorf("project asset types: %d, want 3", len(types))
	}

	// The breakdown page: casting of a sequence, keyed by shot id.
	seqCasting := e.Must(200, "GET", "/data/projects/"+pid+"/sequences/"+sequences[0]+"/casting", nil, coord.Token).Object(t)
	if len(seqCasting) != 10 {
		t.Errorf("sequence casting has %d shots, want 10", len(seqCasting))
	}
	first, _ := seqCasting[shots[0]].([]any)
	if len(first) != 2 {
		t.Fatalf("casting of the first shot: %v", seqCasting[shots[0]])
	}
	for _, x := range first {
		c := x.(map[string]any)
		for _, k := range []string{"asset_id", "asset_name", "asset_type_name", "nb_occurences", "label"} {
			if _, ok := c[k]; !ok {
				t.Errorf("casting entry lacks %s: %v", k, c)
			}
		}
	}
	shotCasting := e.Must(200, "GET", "/data/projects/"+pid+"/entities/"+shots[0]+"/casting", nil, artist.Token).List(t)
	if len(shotCasting) != 2 {
		t.Errorf("shot casting: %v", shotCasting)
	}
	// Where an asset is cast: asset 1 is in shots 1, 21, 41 (i % 20 == 1) and 14, 34, 54 ((i+7) % 20 == 1).
	castIn := e.Must(200, "GET", "/data/assets/"+assets[1]+"/cast-in", nil, coord.Token).List(t)
	if len(castIn) != 6 {
		t.Errorf("asset cast in %d shots, want 6: %v", len(castIn), castIn)
	}
	if n := len(e.Must(200, "GET", "/data/shots/"+shots[0]+"/assets", nil, artist.Token).List(t)); n != 2 {
		t.Errorf("assets of the first shot: %d, want 2", n)
	}

	// Tasks for the whole library, then Kitsu's list pages with tasks embedded.
	e.Must(201, "POST", "/actions/projects/"+pid+"/task-types/"+modeling+"/assets/create-tasks", nil, coord.Token)
	withTasks := e.Must(200, "GET", "/data/assets/with-tasks?project_id="+pid, nil, coord.Token).List(t)
	if len(withTasks) != 20 {
		t.Fatalf("assets with tasks: %d, want 20", len(withTasks))
	}
	for _, a := range withTasks {
		if tasks, _ := a["tasks"].([]any); len(tasks) != 1 {
			t.Errorf("asset %v has tasks %v, want one modeling task", a["name"], a["tasks"])
			break
		}
	}
	if n := len(e.Must(200, "GET", "/data/shots/with-tasks?project_id="+pid, nil, coord.Token).List(t)); n != 60 {
		t.Errorf("shots with tasks: %d, want 60", n)
	}

	// The metadata column holds the value; deleting it removes the key.
	a0 := e.Must(200, "GET", "/data/assets/"+assets[0], nil, coord.Token).Object(t)
	if data, _ := a0["data"].(map[string]any); data[field] != "easy" {
		t.Errorf("asset data: %v", a0["data"])
	}
	e.Must(204, "DELETE", "/data/projects/"+pid+"/metadata-descriptors/"+desc["id"].(string), nil, coord.Token)
	a0 = e.Must(200, "GET", "/data/assets/"+assets[0], nil, coord.Token).Object(t)
	if data, _ := a0["data"].(map[string]any); data != nil {
		if _, still := data[field]; still {
			t.Errorf("deleting the descriptor left %s in the data: %v", field, data)
		}
	}

	// An artist outside the team sees none of it.
	e.Must(404, "GET", "/data/projects/"+pid+"/shots", nil, outsider.Token)
	e.Must(404, "GET", "/data/shots/"+shots[0], nil, outsider.Token)
	e.Must(404, "GET", "/data/projects/"+pid+"/sequences/"+sequences[0]+"/casting", nil, outsider.Token)
	// A team artist reads but does not shape.
	e.Must(403, "POST", "/data/projects/"+pid+"/shots", map[string]any{"name": "SH999", "sequence_id": sequences[0]}, artist.Token)
	e.Must(403, "PUT", "/data/projects/"+pid+"/entities/"+shots[0]+"/casting", []map[string]any{}, artist.Token)

	// Every mutation was announced.
	names := map[string]int{}
	for _, n := range e.EventNames() {
		names[n]++
	}
	for name, want := range map[string]int{"asset:new": 20, "episode:new": 2, "sequence:new": 6, "shot:new": 60, "shot:casting-update": 60} {
		if names[name] < want {
			t.Errorf("event %s published %d times, want at least %d", name, names[name], want)
		}
	}
}
