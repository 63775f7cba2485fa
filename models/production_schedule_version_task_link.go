package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProductionScheduleVersionTaskLink holds a task's dates and estimation in one schedule version.
type ProductionScheduleVersionTaskLink struct {
	bun.BaseModel `bun:"table:production_schedule_version_task_link"`
	Base
	ProductionScheduleVersionID uuid.UUID  `bun:"production_schedule_version_id,notnull,type:uuid"`
	TaskID                      uuid.UUID  `bun:"task_id,notnull,type:uuid"`
	StartDate                   *time.Time `bun:"start_date,type:timestamp"`
	DueDate                     *time.Time `bun:"due_date,type:timestamp"`
	Estimation                  *float64   `bun:"estimation,type:double precision,default:0"`
}
