package initdata

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/dbtest"
	"github.com/zou-go/zou/models"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var tables = []string{"project_status", "entity_type", "department", "task_type", "task_status", "api_event"}

func counts(t *testing.T, db bun.IDB) map[string]int {
	t.Helper()
	out := make(map[string]int, len(tables))
	for _, table := range tables {
		var n int
		if err := db.NewRaw("SELECT count(*) FROM ?", bun.Ident(table)).Scan(context.Background(), &n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

func run(t *testing.T, db bun.IDB, domain string) []string {
	t.Helper()
	lines, err := Run(context.Background(), db, domain)
	if err != nil {
		t.Fatalf("Run(%q): %v", domain, err)
	}
	return lines
}

// expected returns the row counts a fresh database holds after Run(domain).
func expected(domain string) map[string]int {
	p := presets[domain]
	events := len(p.assetTypes) + len(p.departments) + len(p.taskTypes) + len(taskStatuses)
	return map[string]int{
		"project_status": 2,
		"entity_type":    len(p.assetTypes) + 4,
		"department":     len(p.departments),
		"task_type":      len(p.taskTypes),
		"task_status":    9,
		"api_event":      events,
	}
}

func equalCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	for _, table := range tables {
		if got[table] != want[table] {
			t.Errorf("%s: %s has %d rows, want %d", what, table, got[table], want[table])
		}
	}
}

func TestRun3D(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	lines := run(t, db, "3d")
	wantLines := []string{
		"Project status initialized.",
		"Asset types initialized (domain: 3d).",
		"Shot types initialized.",
		"Edit type initialized.",
		"Task types initialized.",
		"Task status initialized.",
	}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("lines = %q, want %q", lines, wantLines)
	}
	first := counts(t, db)
	equalCounts(t, "3d", first, map[string]int{
		"project_status": 2, "entity_type": 8, "department": 6,
		"task_type": 13, "task_status": 9, "api_event": 32,
	})

	var ps []models.ProjectStatus
	if err := db.NewSelect().Model(&ps).Order("name").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Name != "Closed" || ps[1].Name != "Open" || ps[0].Color != "#000000" {
		t.Errorf("project statuses = %+v", ps)
	}
	for _, p := range ps {
		if p.ID == uuid.Nil || p.CreatedAt == nil || p.UpdatedAt == nil {
			t.Errorf("project status %s lacks id or timestamps", p.Name)
		}
		if d := time.Since(*p.CreatedAt); d < -time.Minute || d > time.Minute {
			t.Errorf("project status %s created_at %v is not naive UTC now", p.Name, p.CreatedAt)
		}
	}

	var names []string
	if err := db.NewRaw("SELECT name FROM entity_type ORDER BY name").Scan(ctx, &names); err != nil {
		t.Fatal(err)
	}
	wantTypes := []string{"Character", "Edit", "Environment", "Episode", "FX", "Prop", "Sequence", "Shot"}
	if !slices.Equal(names, wantTypes) {
		t.Errorf("entity types = %q, want %q", names, wantTypes)
	}
	var et models.EntityType
	if err := db.NewSelect().Model(&et).Where("name = ?", "Shot").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if et.Archived == nil || *et.Archived || et.ShortName != nil || et.Description != nil {
		t.Errorf("Shot entity type = %+v", et)
	}

	var todo models.TaskStatus
	if err := db.NewSelect().Model(&todo).Where("name = ?", "Todo").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if todo.ShortName != "todo" || todo.Color != "#f5f5f5" || !*todo.IsDefault || *todo.ForConcept ||
		*todo.IsWIP || *todo.IsDone || !*todo.IsArtistAllowed || !*todo.IsClientAllowed ||
		*todo.Priority != 1 || *todo.Archived || todo.Description != nil || todo.ShotgunID != nil {
		t.Errorf("Todo = %+v", todo)
	}
	var wip models.TaskStatus
	if err := db.NewSelect().Model(&wip).Where("name = ?", "Work In Progress").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if wip.ShortName != "wip" || wip.Color != "#3273dc" || !*wip.IsWIP || *wip.IsDefault || *wip.IsFeedbackRequest {
		t.Errorf("Work In Progress = %+v", wip)
	}
	var neutral models.TaskStatus
	if err := db.NewSelect().Model(&neutral).Where("short_name = ?", "neutral").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if neutral.Name != "Neutral" || neutral.Color != "#CCCCCC" || !*neutral.IsDefault || !*neutral.ForConcept {
		t.Errorf("Neutral = %+v", neutral)
	}
	type flags struct {
		Name, ShortName                                               string
		Done, Retake, Feedback, Default, WIP, Concept, Artist, Client bool
	}
	var statuses []flags
	if err := db.NewRaw(`SELECT name, short_name, is_done AS done, is_retake AS retake,
		is_feedback_request AS feedback, is_default AS "default", is_wip AS wip,
		for_concept AS concept, is_artist_allowed AS artist, is_client_allowed AS client
		FROM task_status ORDER BY created_at, name`).Scan(ctx, &statuses); err != nil {
		t.Fatal(err)
	}
	wantStatuses := map[string]flags{
		"Todo":                 {"Todo", "todo", false, false, false, true, false, false, true, true},
		"Work In Progress":     {"Work In Progress", "wip", false, false, false, false, true, false, true, true},
		"Waiting For Approval": {"Waiting For Approval", "wfa", false, false, true, false, false, false, true, true},
		"Retake":               {"Retake", "retake", false, true, false, false, false, false, true, true},
		"Done":                 {"Done", "done", true, false, false, false, false, false, true, true},
		"Ready To Start":       {"Ready To Start", "ready", false, false, false, false, false, false, true, true},
		"Neutral":              {"Neutral", "neutral", false, false, false, true, false, true, true, true},
		"Approved":             {"Approved", "approved", false, false, false, false, false, true, true, true},
		"Rejected":             {"Rejected", "rejected", false, false, false, false, false, true, true, true},
	}
	if len(statuses) != len(wantStatuses) {
		t.Errorf("got %d task statuses, want %d", len(statuses), len(wantStatuses))
	}
	for _, s := range statuses {
		if s != wantStatuses[s.Name] {
			t.Errorf("task status %+v, want %+v", s, wantStatuses[s.Name])
		}
	}

	var anim models.TaskType
	if err := db.NewSelect().Model(&anim).Where("name = ? AND for_entity = ?", "Animation", "Shot").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	var animDept models.Department
	if err := db.NewSelect().Model(&animDept).Where("id = ?", *anim.DepartmentID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if animDept.Name != "Animation" || animDept.Color != "#009688" || *animDept.Archived {
		t.Errorf("Animation department = %+v", animDept)
	}
	if *anim.Color != "#009688" || *anim.Priority != 3 || *anim.ShortName != "" || !*anim.AllowTimelog ||
		*anim.Archived || anim.ShotgunID != nil || anim.Description != nil {
		t.Errorf("Animation task type = %+v", anim)
	}

	type tt struct{ Name, ForEntity, Department, Color string }
	var concepts []tt
	if err := db.NewRaw(`SELECT t.name, t.for_entity, d.name AS department, t.color
		FROM task_type t JOIN department d ON d.id = t.department_id
		WHERE t.name = 'Concept' ORDER BY t.for_entity`).Scan(ctx, &concepts); err != nil {
		t.Fatal(err)
	}
	wantConcepts := []tt{{"Concept", "Asset", "Concept", "#8D6E63"}, {"Concept", "Concept", "Concept", "#8D6E63"}}
	if !slices.Equal(concepts, wantConcepts) {
		t.Errorf("Concept task types = %+v, want %+v", concepts, wantConcepts)
	}
	var edit tt
	if err := db.NewRaw(`SELECT t.name, t.for_entity, d.name AS department, t.color
		FROM task_type t JOIN department d ON d.id = t.department_id
		WHERE t.name = 'Edit'`).Scan(ctx, &edit); err != nil {
		t.Fatal(err)
	}
	if edit != (tt{"Edit", "Edit", "Compositing", "#9b298c"}) {
		t.Errorf("Edit task type = %+v", edit)
	}

	var ev models.APIEvent
	if err := db.NewSelect().Model(&ev).Where("name = ?", "task-status:new").
		Where("data->>'task_status_id' = ?", todo.ID.String()).Scan(ctx); err != nil {
		t.Fatalf("task-status:new event for Todo: %v", err)
	}
	var data map[string]string
	if err := json.Unmarshal(ev.Data, &data); err != nil || len(data) != 1 || ev.UserID != nil || ev.ProjectID != nil {
		t.Errorf("event = %+v (%v)", ev, err)
	}

	// A second run adds nothing.
	run(t, db, "3d")
	equalCounts(t, "second 3d run", counts(t, db), first)
}

func TestEachDomain(t *testing.T) {
	for _, domain := range Domains {
		t.Run(domain, func(t *testing.T) {
			db := dbtest.New(t)
			lines := run(t, db, domain)
			if len(lines) != 6 || lines[1] != "Asset types initialized (domain: "+domain+")." {
				t.Errorf("lines = %q", lines)
			}
			first := counts(t, db)
			equalCounts(t, domain, first, expected(domain))
			run(t, db, domain)
			equalCounts(t, "second "+domain+" run", counts(t, db), first)
		})
	}
	want := map[string][3]int{ // entity types, departments, task types
		"2d": {8, 4, 9}, "3d": {8, 6, 13}, "vfx": {9, 8, 16}, "games": {9, 7, 8},
	}
	for domain, w := range want {
		e := expected(domain)
		if e["entity_type"] != w[0] || e["department"] != w[1] || e["task_type"] != w[2] {
			t.Errorf("%s preset sizes = %v, want %v", domain, e, w)
		}
	}
}

func TestDefaultAndCaseInsensitiveDomain(t *testing.T) {
	db := dbtest.New(t)
	lines := run(t, db, "")
	if lines[1] != "Asset types initialized (domain: 3d)." {
		t.Errorf("empty domain: %q", lines[1])
	}
	equalCounts(t, "default domain", counts(t, db), expected("3d"))

	db2 := dbtest.New(t)
	run(t, db2, "VFX")
	equalCounts(t, "VFX", counts(t, db2), expected("vfx"))
}

func TestUnknownDomain(t *testing.T) {
	db := dbtest.New(t)
	if _, err := Run(context.Background(), db, "cartoon"); err == nil {
		t.Fatal("Run(cartoon) succeeded")
	}
	for table, n := range counts(t, db) {
		if n != 0 {
			t.Errorf("%s has %d rows after a refused domain", table, n)
		}
	}
}

// TestExistingData checks Zou's matching rules: a domain added on top of
// another only fills what is missing, task types match on name and
// for_entity whatever their department, and any default status stands for Todo.
func TestExistingData(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	at := time.Now().UTC()
	if _, err := db.NewRaw(`INSERT INTO task_status (id, created_at, updated_at, name, short_name, color,
		is_default, for_concept, is_done, is_wip, is_retake, is_feedback_request)
		VALUES (?, ?, ?, 'To Do', 'td', '#ffffff', true, false, false, false, false, false)`,
		uuid.New(), at, at).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	run(t, db, "3d")
	var n int
	if err := db.NewRaw("SELECT count(*) FROM task_status WHERE short_name = 'todo'").Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("Todo was created although a default status existed")
	}
	before := counts(t, db)
	run(t, db, "vfx")
	after := counts(t, db)
	// vfx adds Vehicle; Matchmove and DMP departments; Matchmove, Rotomation and DMP task types.
	want := map[string]int{"project_status": 0, "entity_type": 1, "department": 2, "task_type": 3, "task_status": 0, "api_event": 6}
	for _, table := range tables {
		if after[table]-before[table] != want[table] {
			t.Errorf("vfx over 3d added %d %s rows, want %d", after[table]-before[table], table, want[table])
		}
	}
}

func TestInsideTransaction(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	run(t, tx, "games")
	if got := counts(t, tx)["task_type"]; got != 8 {
		t.Errorf("inside the transaction: %d task types, want 8", got)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, db)["task_type"]; got != 0 {
		t.Errorf("after rollback: %d task types, want 0", got)
	}
}
