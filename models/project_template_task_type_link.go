package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProjectTemplateTaskTypeLink enables a task type in a project template, with its order.
type ProjectTemplateTaskTypeLink struct {
	bun.BaseModel `bun:"table:project_template_task_type_link"`
	Base
	ProjectTemplateID uuid.UUID `bun:"project_template_id,notnull,type:uuid"`
	TaskTypeID        uuid.UUID `bun:"task_type_id,notnull,type:uuid"`
	Priority          *int      `bun:"priority,type:integer"`
}
