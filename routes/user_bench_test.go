package routes_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/zou-go/zou/apptest"
)

// userContextWorld gives a person projects open productions in a studio of
// 50 persons and 20 task types (each production linked to every type and
// status, with a descriptor), and returns that person.
func userContextWorld(tb testing.TB, e *apptest.Env, projects int) *apptest.Person {
	me := e.NewPerson("user")
	persons := []string{me.ID}
	for len(persons) < 50 {
		persons = append(persons, e.NewPerson("user").ID)
	}
	var types []string
	for i := 0; i < 20; i++ {
		types = append(types, e.TaskType(fmt.Sprintf("Type %02d", i), "Shot"))
	}
	status := e.TaskStatus("Todo b", "todob")
	for i := 0; i < projects; i++ {
		p := e.Project(fmt.Sprintf("Show %02d", i))
		for _, id := range persons {
			e.AddToTeam(p, id, "")
		}
		for j, tt := range types {
			userExec(tb, e, "INSERT INTO project_task_type_link (id, project_id, task_type_id, priority) VALUES (gen_random_uuid(), ?, ?, ?)", p, tt, j)
		}
		userExec(tb, e, "INSERT INTO project_task_status_link (id, project_id, task_status_id, priority) VALUES (gen_random_uuid(), ?, ?, 1)", p, status)
		e.Row("metadata-descriptors", map[string]any{"project_id": p, "entity_type": "Shot", "name": "Difficulty", "field_name": "difficulty"})
	}
	return me
}

func BenchmarkUserContext(b *testing.B) {
	e := apptest.New(b)
	me := userContextWorld(b, e, 10)
	if r := e.Do("GET", "/data/user/context", nil, me.Token); r.Status != 200 {
		b.Fatalf("status %d: %s", r.Status, r.Body)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := e.Do("GET", "/data/user/context", nil, me.Token); r.Status != 200 {
			b.Fatalf("status %d", r.Status)
		}
	}
}

// TestUserContextQueries pins the context's round trips: the same count for
// one production as for ten, under a fixed bound.
func TestUserContextQueries(t *testing.T) {
	count := func(projects int) int {
		e := apptest.New(t)
		me := userContextWorld(t, e, projects)
		q := e.CountQueries()
		q.Reset()
		r := e.Must(200, "GET", "/data/user/context", nil, me.Token)
		n := len(q.Reset())
		if got := len(r.Object(t)["projects"].([]any)); got != projects {
			t.Fatalf("%d projects in the context, want %d", got, projects)
		}
		return n
	}
	one, ten := count(1), count(10)
	if one != ten {
		t.Fatalf("context queries grow with projects: %d for 1, %d for 10", one, ten)
	}
	const bound = 10
	if ten > bound {
		t.Fatalf("context takes %d queries, bound %d", ten, bound)
	}
	t.Logf("context: %d queries", ten)
}

// userExec runs one SQL statement for a test or a benchmark.
func userExec(tb testing.TB, e *apptest.Env, query string, args ...any) {
	tb.Helper()
	if _, err := e.App.DB.NewRaw(query, args...).Exec(context.Background()); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
