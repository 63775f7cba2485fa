package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProjectTaskStatusLink enables a task status in a production, with its order and board roles.
type ProjectTaskStatusLink struct {
	bun.BaseModel `bun:"table:project_task_status_link"`
	Base
	ProjectID     uuid.UUID `bun:"project_id,notnull,type:uuid"`
	TaskStatusID  uuid.UUID `bun:"task_status_id,notnull,type:uuid"`
	Priority      *int      `bun:"priority,type:integer"`
	RolesForBoard []string  `bun:"roles_for_board,array,type:varchar[],default:\"'{user,admin,supervisor,manager,vendor}'\""`
}
