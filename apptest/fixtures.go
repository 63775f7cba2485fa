package apptest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/events"
	"github.com/zou-go/zou/models"
)

// Fixture builders: rows inserted through the engine as the admin (Zou's
// defaults and hooks apply, no HTTP round trip, no event), for tests that
// need a production to exist before they call the route they are about.

// Row inserts a row of a /data collection and returns it as Zou serialises it.
func (e *Env) Row(coll string, values map[string]any) map[string]any {
	e.T.Helper()
	c, ok := e.App.Registry.Collection(coll)
	if !ok {
		e.T.Fatalf("apptest: no collection %s", coll)
	}
	body, err := engine.Values(values)
	if err != nil {
		e.T.Fatal(err)
	}
	p := &engine.Principal{PersonID: e.Admin.ID, Role: "admin", IdentityType: "person"}
	_, out, err := e.App.Engine.Insert(context.Background(), e.App.DB, c, p, body)
	if err != nil {
		e.T.Fatalf("apptest: insert %s %v: %v", coll, values, err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		e.T.Fatal(err)
	}
	return m
}

// ID inserts a row and returns its id.
func (e *Env) ID(coll string, values map[string]any) string {
	e.T.Helper()
	return e.Row(coll, values)["id"].(string)
}

// Project creates an open project (the project hook gives it the Open status).
func (e *Env) Project(name string) string {
	e.T.Helper()
	return e.ID("projects", map[string]any{"name": name})
}

// AssetType creates an asset type (an entity type that is not Shot, Sequence...).
func (e *Env) AssetType(name string) string {
	e.T.Helper()
	return e.ID("entity-types", map[string]any{"name": name})
}

// TypeID returns the id of a temporal entity type (Shot, Sequence, Episode, Scene, Edit, Concept).
func (e *Env) TypeID(name string) string {
	e.T.Helper()
	id, err := models.EntityTypeID(context.Background(), e.App.DB, name)
	if err != nil {
		e.T.Fatal(err)
	}
	return id
}

// Entity creates an entity of a type id in a project; parent may be "".
func (e *Env) Entity(projectID, entityTypeID, name, parentID string, extra ...map[string]any) string {
	e.T.Helper()
	v := map[string]any{"name": name, "project_id": projectID, "entity_type_id": entityTypeID}
	if parentID != "" {
		v["parent_id"] = parentID
	}
	for _, x := range extra {
		for k, val := range x {
			v[k] = val
		}
	}
	return e.ID("entities", v)
}

// Asset creates an asset of an asset type.
func (e *Env) Asset(projectID, assetTypeID, name string) string {
	e.T.Helper()
	return e.Entity(projectID, assetTypeID, name, "")
}

// Episode creates an episode.
func (e *Env) Episode(projectID, name string) string {
	e.T.Helper()
	return e.Entity(projectID, e.TypeID("Episode"), name, "")
}

// Sequence creates a sequence, under an episode when episodeID is not "".
func (e *Env) Sequence(projectID, episodeID, name string) string {
	e.T.Helper()
	return e.Entity(projectID, e.TypeID("Sequence"), name, episodeID)
}

// Shot creates a shot in a sequence.
func (e *Env) Shot(projectID, sequenceID, name string) string {
	e.T.Helper()
	return e.Entity(projectID, e.TypeID("Shot"), name, sequenceID)
}

// TaskType creates a task type for an entity family (Asset, Shot, Sequence…).
func (e *Env) TaskType(name, forEntity string, extra ...map[string]any) string {
	e.T.Helper()
	v := map[string]any{"name": name, "for_entity": forEntity}
	for _, x := range extra {
		for k, val := range x {
			v[k] = val
		}
	}
	return e.ID("task-types", v)
}

// TaskStatus creates a task status; extra sets flags (is_done, is_retake…).
func (e *Env) TaskStatus(name, shortName string, extra ...map[string]any) string {
	e.T.Helper()
	v := map[string]any{"name": name, "short_name": shortName, "color": "#000000"}
	for _, x := range extra {
		for k, val := range x {
			v[k] = val
		}
	}
	return e.ID("task-status", v)
}

// Department creates a department.
func (e *Env) Department(name string) string {
	e.T.Helper()
	return e.ID("departments", map[string]any{"name": name, "color": "#000000"})
}

// Task creates a task on an entity, assigned to the given persons.
func (e *Env) Task(projectID, entityID, taskTypeID, taskStatusID string, assignees ...string) string {
	e.T.Helper()
	v := map[string]any{"name": "main", "project_id": projectID, "entity_id": entityID,
		"task_type_id": taskTypeID, "task_status_id": taskStatusID}
	if len(assignees) > 0 {
		v["assignees"] = assignees
	}
	return e.ID("tasks", v)
}

// InDepartment adds a person to a department.
func (e *Env) InDepartment(personID, departmentID string) {
	e.T.Helper()
	_, err := e.App.DB.NewRaw("INSERT INTO department_link (person_id, department_id) VALUES (?, ?)", personID, departmentID).
		Exec(context.Background())
	if err != nil {
		e.T.Fatalf("apptest: department link: %v", err)
	}
}

// Events returns the events published so far, oldest first.
func (e *Env) Events() []events.Event { return e.App.Events.Recent() }

// EventNames returns the names of the events published so far.
func (e *Env) EventNames() []string {
	var names []string
	for _, ev := range e.App.Events.Recent() {
		names = append(names, ev.Name)
	}
	return names
}

// LastEvent returns the last published event named name, or fails.
func (e *Env) LastEvent(name string) events.Event {
	e.T.Helper()
	evs := e.App.Events.Recent()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Name == name {
			return evs[i]
		}
	}
	e.T.Fatalf("apptest: no event %s among %v", name, e.EventNames())
	return events.Event{}
}

// Count returns the number of rows of a table matching an SQL condition.
func (e *Env) Count(table, where string, args ...any) int {
	e.T.Helper()
	var n int
	q := fmt.Sprintf("SELECT count(*) FROM %s", table)
	if where != "" {
		q += " WHERE " + where
	}
	if err := e.App.DB.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		e.T.Fatalf("apptest: count %s: %v", table, err)
	}
	return n
}
