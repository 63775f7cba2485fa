package routes

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// Production schedule versions: what-if copies of the task dates of a
// production, compared and applied back to the real tasks.

func (s *Server) mountProjectsVersions(r gin.IRouter) {
	r.GET("/data/production-schedule-versions/:id/task-links", s.route(s.projectsVersionTaskLinks))
	r.POST("/actions/production-schedule-versions/:id/set-task-links-from-production", s.route(s.projectsVersionFromProduction))
	r.POST("/actions/production-schedule-versions/:id/set-task-links-from-production-schedule-version", s.route(s.projectsVersionFromVersion))
	r.POST("/actions/production-schedule-versions/:id/apply-to-production", s.route(s.projectsVersionApply))
}

// projectsVersionProject reads the project of a schedule version (404 when
// the version does not exist).
func projectsVersionProject(ctx context.Context, db bun.IDB, id string) (string, error) {
	if !engine.IsUUID(id) {
		return "", engine.NotFound()
	}
	var project string
	err := db.NewRaw("SELECT project_id::text FROM production_schedule_version WHERE id = ?", id).Scan(ctx, &project)
	if projectsNoRows(err) {
		return "", engine.NotFound()
	}
	return project, err
}

// projectsVersionManager resolves a version and checks the caller manages its project.
func projectsVersionManager(ctx context.Context, who *access.Caller, db bun.IDB, id string) (*access.Project, error) {
	project, err := projectsVersionProject(ctx, db, id)
	if err != nil {
		return nil, err
	}
	return who.ManagerOf(ctx, project)
}

// projectsVersionTaskLinks is GET /data/production-schedule-versions/<id>/task-links
// (?task_type_id, ?relations): members of the project but not vendors or clients.
func (s *Server) projectsVersionTaskLinks(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	project, err := projectsVersionProject(ctx, s.DB, id)
	if err != nil {
		return 0, nil, err
	}
	pr, err := who.Project(ctx, project)
	if err != nil {
		return 0, nil, err
	}
	if pr.IsVendor() || pr.IsClient() {
		return 0, nil, engine.Forbidden()
	}
	taskType, byType := c.GetQuery("task_type_id")
	if byType && !engine.IsUUID(taskType) {
		return 0, nil, engine.MalformedID()
	}
	b, err := s.Engine.Rows(ctx, nil, s.projectsColl("production-schedule-version-task-links"), engine.View{Relations: boolQuery(c, "relations", false)},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("t.production_schedule_version_id = ?", id)
			if byType {
				q = q.Where("t.task_id IN (SELECT tk.id FROM task tk WHERE tk.task_type_id = ?)", taskType)
			}
			return q.OrderExpr("t.created_at, t.id")
		})
	return http.StatusOK, b, err
}

// projectsNewLinkID is the id of each copied task link (one per row).
const projectsNewLinkID = "gen_random_uuid()"

// projectsVersionFromProduction is POST .../set-task-links-from-production:
// the version's links take the current dates, estimations and assignees of
// every task of the project, in one transaction.
func (s *Server) projectsVersionFromProduction(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	pr, err := projectsVersionManager(ctx, who, s.DB, id)
	if err != nil {
		return 0, nil, err
	}
	var count int
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`WITH up AS (INSERT INTO production_schedule_version_task_link
 (id, created_at, updated_at, production_schedule_version_id, task_id, start_date, due_date, estimation)
 SELECT `+projectsNewLinkID+`, now() at time zone 'utc', now() at time zone 'utc', ?, tk.id, tk.start_date, tk.due_date, tk.estimation
 FROM task tk WHERE tk.project_id = ?
 ON CONFLICT (production_schedule_version_id, task_id) DO UPDATE SET start_date = EXCLUDED.start_date,
 due_date = EXCLUDED.due_date, estimation = EXCLUDED.estimation RETURNING 1) SELECT count(*) FROM up`, id, pr.ID).Scan(ctx, &count)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw(`DELETE FROM production_schedule_version_task_link_person_link WHERE production_schedule_version_task_link_id IN
 (SELECT id FROM production_schedule_version_task_link WHERE production_schedule_version_id = ?)`, id).Exec(ctx); err != nil {
			return err
		}
		_, err = tx.NewRaw(`INSERT INTO production_schedule_version_task_link_person_link (production_schedule_version_task_link_id, person_id)
 SELECT l.id, tp.person_id FROM production_schedule_version_task_link l JOIN task_person_link tp ON tp.task_id = l.task_id
 WHERE l.production_schedule_version_id = ? ON CONFLICT DO NOTHING`, id).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	return http.StatusOK, map[string]any{"success": true, "task_link_count": count}, nil
}

// projectsVersionFromVersion is POST .../set-task-links-from-production-schedule-version:
// links copied from another version of the same project (body
// production_schedule_version_id), which becomes the version's origin.
func (s *Server) projectsVersionFromVersion(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	pr, err := projectsVersionManager(ctx, who, s.DB, id)
	if err != nil {
		return 0, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return 0, nil, err
	}
	other, err := projectsRequiredID(body, "production_schedule_version_id")
	if err != nil {
		return 0, nil, err
	}
	otherProject, err := projectsVersionProject(ctx, s.DB, other)
	if err != nil {
		return 0, nil, err
	}
	if otherProject != pr.ID {
		return 0, nil, engine.BadRequest("Production schedule versions must belong to the same project.")
	}
	if other == id {
		return 0, nil, engine.BadRequest("A production schedule version cannot be copied onto itself.")
	}
	var count int
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`WITH up AS (INSERT INTO production_schedule_version_task_link
 (id, created_at, updated_at, production_schedule_version_id, task_id, start_date, due_date, estimation)
 SELECT `+projectsNewLinkID+`, now() at time zone 'utc', now() at time zone 'utc', ?, o.task_id, o.start_date, o.due_date, o.estimation
 FROM production_schedule_version_task_link o WHERE o.production_schedule_version_id = ?
 ON CONFLICT (production_schedule_version_id, task_id) DO UPDATE SET start_date = EXCLUDED.start_date,
 due_date = EXCLUDED.due_date, estimation = EXCLUDED.estimation RETURNING 1) SELECT count(*) FROM up`, id, other).Scan(ctx, &count)
		if err != nil {
			return err
		}
		// Only the links whose task is in the source get the source's assignees.
		if _, err := tx.NewRaw(`DELETE FROM production_schedule_version_task_link_person_link WHERE production_schedule_version_task_link_id IN
 (SELECT l.id FROM production_schedule_version_task_link l WHERE l.production_schedule_version_id = ?
 AND l.task_id IN (SELECT o.task_id FROM production_schedule_version_task_link o WHERE o.production_schedule_version_id = ?))`, id, other).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewRaw(`INSERT INTO production_schedule_version_task_link_person_link (production_schedule_version_task_link_id, person_id)
 SELECT l.id, op.person_id FROM production_schedule_version_task_link l
 JOIN production_schedule_version_task_link o ON o.task_id = l.task_id AND o.production_schedule_version_id = ?
 JOIN production_schedule_version_task_link_person_link op ON op.production_schedule_version_task_link_id = o.id
 WHERE l.production_schedule_version_id = ? ON CONFLICT DO NOTHING`, other, id).Exec(ctx); err != nil {
			return err
		}
		_, err = tx.NewRaw(`UPDATE production_schedule_version SET production_schedule_from = ?, updated_at = now() at time zone 'utc' WHERE id = ?`, other, id).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	s.publish(ctx, "production_schedule_version:update", map[string]any{"production_schedule_version_id": id}, pr.ID)
	return http.StatusOK, map[string]any{"success": true, "task_link_count": count}, nil
}

// projectsVersionApply is POST .../apply-to-production: the real tasks take
// the version's dates and estimations, the version is locked and becomes
// the project's origin, in one transaction.
func (s *Server) projectsVersionApply(c *gin.Context, who *access.Caller) (int, any, error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	pr, err := projectsVersionManager(ctx, who, s.DB, id)
	if err != nil {
		return 0, nil, err
	}
	var tasks []string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`UPDATE task tk SET start_date = l.start_date, due_date = l.due_date, estimation = l.estimation
 FROM production_schedule_version_task_link l WHERE l.task_id = tk.id AND l.production_schedule_version_id = ? RETURNING tk.id::text`, id).Scan(ctx, &tasks)
		if err != nil && !projectsNoRows(err) {
			return err
		}
		if _, err := tx.NewRaw(`UPDATE production_schedule_version SET locked = true, updated_at = now() at time zone 'utc' WHERE id = ?`, id).Exec(ctx); err != nil {
			return err
		}
		_, err = tx.NewRaw(`UPDATE project SET from_schedule_version_id = ?, updated_at = now() at time zone 'utc' WHERE id = ?`, id, pr.ID).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, nil, engine.FromDB(err)
	}
	for _, t := range tasks {
		s.publish(ctx, "task:update", map[string]any{"task_id": t}, pr.ID)
	}
	s.publish(ctx, "production_schedule_version:update", map[string]any{"production_schedule_version_id": id}, pr.ID)
	s.projectsUpdated(ctx, pr.ID)
	return http.StatusOK, map[string]any{"success": true, "task_count": len(tasks)}, nil
}
