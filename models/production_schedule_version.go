package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProductionScheduleVersion is a named version of a production's schedule.
type ProductionScheduleVersion struct {
	bun.BaseModel `bun:"table:production_schedule_version"`
	Base
	Name                   string     `bun:"name,notnull,type:varchar(80)"`
	ProjectID              uuid.UUID  `bun:"project_id,notnull,type:uuid"`
	ProductionScheduleFrom *uuid.UUID `bun:"production_schedule_from,type:uuid"`
	Locked                 *bool      `bun:"locked,type:boolean,default:false"`
	Canceled               *bool      `bun:"canceled,type:boolean,default:false"`
}
