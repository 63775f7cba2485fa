package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Milestone is a dated production milestone, optionally for one task type.
type Milestone struct {
	bun.BaseModel `bun:"table:milestone"`
	Base
	Date       *time.Time `bun:"date,type:date"`
	Name       string     `bun:"name,notnull,type:varchar(40)"`
	ProjectID  *uuid.UUID `bun:"project_id,type:uuid"`
	TaskTypeID *uuid.UUID `bun:"task_type_id,type:uuid"`
}
