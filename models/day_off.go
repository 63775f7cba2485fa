package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// DayOff is a period of absence of a person.
type DayOff struct {
	bun.BaseModel `bun:"table:day_off"`
	Base
	Date        time.Time  `bun:"date,notnull,type:date"`
	EndDate     time.Time  `bun:"end_date,notnull,type:date"`
	Description *string    `bun:"description,type:text"`
	PersonID    *uuid.UUID `bun:"person_id,type:uuid"`
}
