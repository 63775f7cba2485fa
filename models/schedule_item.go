package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ScheduleItem is a planned period of a task type for a production or one of its entities.
type ScheduleItem struct {
	bun.BaseModel `bun:"table:schedule_item"`
	Base
	StartDate  *time.Time `bun:"start_date,type:date"`
	EndDate    *time.Time `bun:"end_date,type:date"`
	ManDays    *int       `bun:"man_days,type:integer"`
	ProjectID  *uuid.UUID `bun:"project_id,type:uuid"`
	TaskTypeID *uuid.UUID `bun:"task_type_id,type:uuid"`
	ObjectID   *uuid.UUID `bun:"object_id,type:uuid"`
}
