package routes_test

import (
	"testing"

	"github.com/zou-go/zou/apptest"
)

func TestConceptsReadRoutes(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	asset := e.Asset(w.project, e.AssetType("Character"), "Hero")
	sqlExec(t, e, "INSERT INTO entity_concept_link (id, entity_in_id, entity_out_id) VALUES (gen_random_uuid(), ?, ?)", w.concept, asset)
	withTasks := []string{"id", "name", "canceled", "data", "description", "entity_type_id", "fps", "frame_in", "frame_out",
		"nb_frames", "parent_id", "preview_file_id", "project_id", "project_name", "source_id", "nb_entities_out",
		"is_casting_standby", "tasks", "entity_concept_links", "type", "created_at", "updated_at", "created_by"}
	e.Run(t, w.vars, []apptest.Case{
		{Name: "list admin", As: e.Admin, Method: "GET", Path: "/data/concepts", Status: 200, Len: 1, Keys: []string{"id", "type", "project_name"}},
		{Name: "list artist", As: w.artist, Method: "GET", Path: "/data/concepts?project_id={project}", Status: 200, Len: 1},
		{Name: "list artist without project", As: w.artist, Method: "GET", Path: "/data/concepts", Status: 403},
		{Name: "list vendor", As: w.vendor, Method: "GET", Path: "/data/concepts?project_id={project}", Status: 403},
		{Name: "list client", As: w.client, Method: "GET", Path: "/data/concepts?project_id={project}", Status: 403},
		{Name: "list outsider", As: w.outsider, Method: "GET", Path: "/data/concepts?project_id={project}", Status: 404},
		{Name: "list bad filter", As: e.Admin, Method: "GET", Path: "/data/concepts?canceled=maybe", Status: 400},
		{Name: "with-tasks", As: w.supervisor, Method: "GET", Path: "/data/concepts/with-tasks?project_id={project}", Status: 200, Len: 1, Keys: withTasks},
		{Name: "with-tasks bad id", As: w.supervisor, Method: "GET", Path: "/data/concepts/with-tasks?project_id={project}&id=1", Status: 400},
		{Name: "with-tasks client", As: w.client, Method: "GET", Path: "/data/concepts/with-tasks?project_id={project}", Status: 403},
		{Name: "get", As: w.artist, Method: "GET", Path: "/data/concepts/{concept}", Status: 200, Keys: append(withTasks, "entities_out", "instance_casting")},
		{Name: "get client", As: w.client, Method: "GET", Path: "/data/concepts/{concept}", Status: 403},
		{Name: "get vendor unassigned", As: w.vendor, Method: "GET", Path: "/data/concepts/{concept}", Status: 404},
		{Name: "get outsider", As: w.outsider, Method: "GET", Path: "/data/concepts/{concept}", Status: 404},
		{Name: "get an edit id", As: e.Admin, Method: "GET", Path: "/data/concepts/{edit}", Status: 404},
		{Name: "get malformed", As: e.Admin, Method: "GET", Path: "/data/concepts/1", Status: 404},
		{Name: "task types", As: w.artist, Method: "GET", Path: "/data/concepts/{concept}/task-types", Status: 200, Len: 1},
		{Name: "task types client", As: w.client, Method: "GET", Path: "/data/concepts/{concept}/task-types", Status: 403},
		{Name: "tasks", As: w.artist, Method: "GET", Path: "/data/concepts/{concept}/tasks", Status: 200, Len: 1, Keys: []string{"task_type_name", "entity_name"}},
		{Name: "tasks client", As: w.client, Method: "GET", Path: "/data/concepts/{concept}/tasks", Status: 403},
		{Name: "previews", As: w.artist, Method: "GET", Path: "/data/concepts/{concept}/preview-files", Status: 200},
		{Name: "previews outsider", As: w.outsider, Method: "GET", Path: "/data/concepts/{concept}/preview-files", Status: 404},
		{Name: "project concepts", As: w.artist, Method: "GET", Path: "/data/projects/{project}/concepts", Status: 200, Len: 1, Keys: []string{"id", "type", "created_by"}},
		{Name: "project concepts vendor", As: w.vendor, Method: "GET", Path: "/data/projects/{project}/concepts", Status: 403},
		{Name: "project concepts client", As: w.client, Method: "GET", Path: "/data/projects/{project}/concepts", Status: 403},
		{Name: "project concepts outsider", As: w.outsider, Method: "GET", Path: "/data/projects/{project}/concepts", Status: 404},
	})
	// Two previews of one revision: the first carries the second.
	for _, pos := range []int{1, 2} {
		sqlExec(t, e, `INSERT INTO preview_file (id, created_at, updated_at, name, revision, position, extension, status, validation_status, task_id, data)
			VALUES (gen_random_uuid(), now(), now(), 'p' || ?::text, 3, ?, 'png', 'ready', 'neutral', ?, '{"original_width": 640}')`, pos, pos, w.conceptTask)
	}
	pf := e.Must(200, "GET", "/data/concepts/"+w.concept+"/preview-files", nil, w.artist.Token).Object(t)
	if len(pf) != 1 {
		t.Fatalf("groups: %v", pf)
	}
	for _, group := range pf {
		list := group.([]any)
		first := list[0].(map[string]any)
		for _, k := range []string{"id", "revision", "original_name", "extension", "width", "height", "duration", "status",
			"annotations", "previews", "created_at", "task_id", "original_width", "original_height", "original_duration", "original_file_size"} {
			if !hasKey(first, k) {
				t.Errorf("preview has no %s: %v", k, first)
			}
		}
		if len(list) != 1 || len(first["previews"].([]any)) != 1 || first["original_width"] != float64(640) || first["revision"] != float64(3) {
			t.Errorf("grouping: %v", list)
		}
	}

	got := e.Must(200, "GET", "/data/concepts/"+w.concept, nil, w.artist.Token).Object(t)
	links, _ := got["entity_concept_links"].([]any)
	if got["type"] != "Concept" || len(links) != 1 || links[0] != asset {
		t.Errorf("concept: %v", got)
	}
	if tasks := got["tasks"].([]any); len(tasks) != 1 || tasks[0].(map[string]any)["id"] != w.conceptTask {
		t.Errorf("tasks: %v", got["tasks"])
	}
	// The asset sees the concept that links to it, with its tasks.
	linked := e.Must(200, "GET", "/data/entities/"+asset+"/entities-linked/with-tasks", nil, w.artist.Token).List(t)
	if len(linked) != 1 || linked[0]["id"] != w.concept || linked[0]["type"] != "Concept" || len(linked[0]["tasks"].([]any)) != 1 {
		t.Errorf("linked: %v", linked)
	}
	assignees := linked[0]["tasks"].([]any)[0].(map[string]any)["assignees"].([]any)
	if len(assignees) != 1 || assignees[0] != w.artist.ID {
		t.Errorf("linked task assignees: %v", assignees)
	}
}

func TestConceptsCreate(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	asset := e.Asset(w.project, e.AssetType("Prop"), "Cup")
	farAsset := e.Asset(w.other, e.AssetType("Set"), "Far")
	path := "/data/projects/" + w.project + "/concepts"
	e.Run(t, w.vars, []apptest.Case{
		{Name: "vendor", As: w.vendor, Method: "POST", Path: path, Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "client", As: w.client, Method: "POST", Path: path, Body: map[string]any{"name": "X"}, Status: 403},
		{Name: "outsider", As: w.outsider, Method: "POST", Path: path, Body: map[string]any{"name": "X"}, Status: 404},
		{Name: "no name", As: w.artist, Method: "POST", Path: path, Body: map[string]any{}, Status: 400},
		{Name: "bad links", As: w.artist, Method: "POST", Path: path, Body: map[string]any{"name": "X", "entity_concept_links": "a"}, Status: 400},
		{Name: "malformed link", As: w.artist, Method: "POST", Path: path, Body: map[string]any{"name": "X", "entity_concept_links": []string{"1"}}, Status: 400},
	})
	if n := e.Count("entity", "name = 'X'"); n != 0 {
		t.Fatalf("refused creations wrote %d rows", n)
	}
	// An artist of the team may create; links to other productions are dropped.
	r := e.Must(201, "POST", path, map[string]any{"name": "Mood", "description": "blue",
		"entity_concept_links": []any{asset, map[string]any{"id": farAsset}}}, w.artist.Token).Object(t)
	if r["type"] != "Concept" || r["created_by"] != w.artist.ID {
		t.Errorf("created: %v", r)
	}
	if n := e.Count("entity_concept_link", "entity_in_id = ?", r["id"]); n != 1 {
		t.Errorf("%d links, want 1", n)
	}
	if ev := e.LastEvent("concept:new"); ev.Data["concept_id"] != r["id"] {
		t.Errorf("event: %v", ev)
	}
	again := e.Must(201, "POST", path, map[string]any{"name": "Mood"}, w.artist.Token).Object(t)
	if again["id"] != r["id"] {
		t.Errorf("same name should answer the existing concept: %v", again)
	}
}

func TestConceptsDelete(t *testing.T) {
	w := editsSetup(t)
	e := w.e
	e.Run(t, w.vars, []apptest.Case{
		{Name: "artist", As: w.artist, Method: "DELETE", Path: "/data/concepts/{concept}", Status: 403},
		{Name: "outsider", As: w.outsider, Method: "DELETE", Path: "/data/concepts/{concept}", Status: 404},
		{Name: "edit id", As: e.Admin, Method: "DELETE", Path: "/data/concepts/{edit}", Status: 404},
	})
	e.Must(204, "DELETE", "/data/concepts/"+w.concept, nil, w.manager.Token)
	if e.Count("entity", "id = ? AND canceled", w.concept) != 1 {
		t.Fatal("concept with tasks should be canceled")
	}
	e.LastEvent("concept:update")
	e.Must(204, "DELETE", "/data/concepts/"+w.concept+"?force=true", nil, w.manager.Token)
	if e.Count("entity", "id = ?", w.concept) != 0 || e.Count("task", "id = ?", w.conceptTask) != 0 {
		t.Fatal("forced delete left rows")
	}
	if ev := e.LastEvent("concept:delete"); ev.Data["concept_id"] != w.concept {
		t.Errorf("event: %v", ev)
	}
}
