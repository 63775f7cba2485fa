package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Subscription makes a person follow a task, or a task type on a sequence.
type Subscription struct {
	bun.BaseModel `bun:"table:subscription"`
	Base
	PersonID   uuid.UUID  `bun:"person_id,notnull,type:uuid"`
	TaskID     *uuid.UUID `bun:"task_id,type:uuid"`
	EntityID   *uuid.UUID `bun:"entity_id,type:uuid"`
	TaskTypeID *uuid.UUID `bun:"task_type_id,type:uuid"`
}
