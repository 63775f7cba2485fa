package routes_test

import (
	"testing"

	"github.com/zou-go/zou/apptest"
)

func TestSmokeCRUD(t *testing.T) {
	e := apptest.New(t)
	st := e.Create("project-status", map[string]any{"name": "Open", "color": "#FFFFFF"})
	t.Logf("status: %v", st)
	p := e.Create("projects", map[string]any{"name": "Big Buck", "project_status_id": st["id"]})
	t.Logf("project: %v", p)
	r := e.Must(200, "GET", "/data/projects", nil, e.Admin.Token)
	t.Logf("list: %s", r.Body)
	r = e.Must(200, "GET", "/data/projects?page=1&limit=10", nil, e.Admin.Token)
	t.Logf("page: %s", r.Body)
	r = e.Must(200, "GET", "/data/projects/"+p["id"].(string), nil, e.Admin.Token)
	t.Logf("get: %s", r.Body)
	r = e.Must(200, "PUT", "/data/projects/"+p["id"].(string), map[string]any{"name": "Renamed", "team": []string{e.Admin.ID}}, e.Admin.Token)
	t.Logf("put: %s", r.Body)
	r = e.Must(200, "GET", "/data/persons", nil, e.Admin.Token)
	t.Logf("persons: %s", r.Body)
}
