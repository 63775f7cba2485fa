package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProjectTaskTypeLink enables a task type in a production, with its order.
type ProjectTaskTypeLink struct {
	bun.BaseModel `bun:"table:project_task_type_link"`
	Base
	ProjectID  uuid.UUID `bun:"project_id,notnull,type:uuid"`
	TaskTypeID uuid.UUID `bun:"task_type_id,notnull,type:uuid"`
	Priority   *int      `bun:"priority,type:integer"`
}
