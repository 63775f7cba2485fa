package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProjectTemplateTaskStatusLink enables a task status in a project template, with its order and board roles.
type ProjectTemplateTaskStatusLink struct {
	bun.BaseModel `bun:"table:project_template_task_status_link"`
	Base
	ProjectTemplateID uuid.UUID `bun:"project_template_id,notnull,type:uuid"`
	TaskStatusID      uuid.UUID `bun:"task_status_id,notnull,type:uuid"`
	Priority          *int      `bun:"priority,type:integer"`
	RolesForBoard     []string  `bun:"roles_for_board,array,type:varchar[],default:\"'{user,admin,supervisor,manager,vendor}'\""`
}
