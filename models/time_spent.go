package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// TimeSpent is the time a person logged on a task for one day.
type TimeSpent struct {
	bun.BaseModel `bun:"table:time_spent"`
	Base
	Duration float64    `bun:"duration,notnull,type:double precision"`
	Date     time.Time  `bun:"date,notnull,type:date"`
	TaskID   *uuid.UUID `bun:"task_id,type:uuid"`
	PersonID *uuid.UUID `bun:"person_id,type:uuid"`
}
