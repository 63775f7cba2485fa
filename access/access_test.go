package access_test

import (
	"context"
	"os"
	"testing"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/dbtest"
	"github.com/zou-go/zou/engine"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func status(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := err.(*engine.Error); ok {
		return e.Status
	}
	return 500
}

// TestChecks walks the project, entity and task checks for each kind of
// caller: 404 out of reach, 403 in reach without the right, pass otherwise.
func TestChecks(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	project := e.Project("Checks")
	other := e.Project("Elsewhere")
	dep := e.Department("Animation")
	otherDep := e.Department("Modeling")
	animTT := e.TaskType("Animation", "Shot", map[string]any{"department_id": dep})
	modTT := e.TaskType("Modeling", "Asset", map[string]any{"department_id": otherDep})
	todo := e.TaskStatus("Todo", "todo")
	seq := e.Sequence(project, "", "SQ01")
	shot := e.Shot(project, seq, "SH01")
	char := e.AssetType("Character")
	asset := e.Asset(project, char, "Hero")
	farShot := e.Shot(other, e.Sequence(other, "", "SQ01"), "SH01")

	manager := e.NewPerson("manager")
	sup := e.NewPerson("supervisor")
	artist := e.NewPerson("user")
	vendor := e.NewPerson("vendor")
	client := e.NewPerson("client")
	outsider := e.NewPerson("manager")
	promoted := e.NewPerson("user") // artist globally, manager of this production
	for _, p := range []*apptest.Person{manager, sup, artist, vendor, client} {
		e.AddToTeam(project, p.ID, "")
	}
	e.AddToTeam(project, promoted.ID, "manager")
	e.InDepartment(sup.ID, dep)
	animTask := e.Task(project, shot, animTT, todo, artist.ID, vendor.ID)
	modTask := e.Task(project, asset, modTT, todo)

	who := func(p *apptest.Person) *access.Caller {
		return access.New(e.App.DB, &engine.Principal{PersonID: p.ID, Role: p.Role, IdentityType: "person"})
	}
	cases := []struct {
		name  string
		p     *apptest.Person
		check func(c *access.Caller) error
		want  int
	}{
		{"admin reads any project", e.Admin, func(c *access.Caller) error { _, err := c.Project(ctx, other); return err }, 0},
		{"unknown project", e.Admin, func(c *access.Caller) error {
			_, err := c.Project(ctx, "5f0c2b6e-0000-4000-8000-000000000000")
			return err
		}, 404},
		{"malformed project id", e.Admin, func(c *access.Caller) error { _, err := c.Project(ctx, "nope"); return err }, 404},
		{"outsider manager", outsider, func(c *access.Caller) error { _, err := c.Project(ctx, project); return err }, 404},
		{"member artist reads", artist, func(c *access.Caller) error { _, err := c.Project(ctx, project); return err }, 0},
		{"artist is no manager", artist, func(c *access.Caller) error { _, err := c.ManagerOf(ctx, project); return err }, 403},
		{"per-project manager", promoted, func(c *access.Caller) error { _, err := c.ManagerOf(ctx, project); return err }, 0},
		{"supervisor is supervisor", sup, func(c *access.Caller) error { _, err := c.SupervisorOf(ctx, project); return err }, 0},
		{"entity of another project", manager, func(c *access.Caller) error { _, err := c.Entity(ctx, farShot, ""); return err }, 404},
		{"entity of the wrong kind", manager, func(c *access.Caller) error { _, err := c.Entity(ctx, asset, "Shot"); return err }, 404},
		{"entity of the right kind", manager, func(c *access.Caller) error { _, err := c.Entity(ctx, asset, "Asset"); return err }, 0},
		{"vendor on an assigned entity", vendor, func(c *access.Caller) error { _, err := c.Entity(ctx, shot, "Shot"); return err }, 0},
		{"vendor on another entity", vendor, func(c *access.Caller) error { _, err := c.Entity(ctx, asset, ""); return err }, 404},
		{"vendor task elsewhere", vendor, func(c *access.Caller) error { _, err := c.Task(ctx, modTask); return err }, 404},
		{"assignee acts", artist, func(c *access.Caller) error { return act(ctx, c, animTask) }, 0},
		{"artist on another task", artist, func(c *access.Caller) error { return act(ctx, c, modTask) }, 403},
		{"supervisor of the department", sup, func(c *access.Caller) error { return act(ctx, c, animTask) }, 0},
		{"supervisor of another department", sup, func(c *access.Caller) error { return act(ctx, c, modTask) }, 403},
		{"client acts", client, func(c *access.Caller) error { return act(ctx, c, modTask) }, 0},
		{"manager acts", manager, func(c *access.Caller) error { return act(ctx, c, modTask) }, 0},
		{"outsider task", outsider, func(c *access.Caller) error { return act(ctx, c, modTask) }, 404},
	}
	for _, tc := range cases {
		if got := status(tc.check(who(tc.p))); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}

	en, err := who(manager).Entity(ctx, shot, "")
	if err != nil || en.TypeName != "Shot" || en.ParentID != seq || en.CreatedBy != e.Admin.ID {
		t.Fatalf("entity = %+v, %v", en, err)
	}
	task, err := who(artist).Task(ctx, animTask)
	if err != nil || !task.IsAssigned() || task.DepartmentID != dep || len(task.Assignees) != 2 || !task.IsArtist() {
		t.Fatalf("task = %+v, %v", task, err)
	}
	bot := access.New(e.App.DB, &engine.Principal{PersonID: artist.ID, Role: "user", IdentityType: "bot"})
	if status(bot.RequirePerson()) != 403 {
		t.Error("a bot passed RequirePerson")
	}
}

func act(ctx context.Context, c *access.Caller, taskID string) error {
	t, err := c.Task(ctx, taskID)
	if err != nil {
		return err
	}
	return t.RequireAct(ctx)
}
