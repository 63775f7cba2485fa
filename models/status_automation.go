package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// StatusAutomation changes a task status (or an entity's ready-for) when another task reaches a status.
type StatusAutomation struct {
	bun.BaseModel `bun:"table:status_automation"`
	Base
	EntityType         *string    `bun:"entity_type,type:varchar(40),default:'asset'"`
	InTaskTypeID       *uuid.UUID `bun:"in_task_type_id,type:uuid"`
	InTaskStatusID     *uuid.UUID `bun:"in_task_status_id,type:uuid"`
	OutFieldType       string     `bun:"out_field_type,notnull,type:varchar(255),default:'status'"`
	OutTaskTypeID      *uuid.UUID `bun:"out_task_type_id,type:uuid"`
	OutTaskStatusID    *uuid.UUID `bun:"out_task_status_id,type:uuid"`
	ImportLastRevision *bool      `bun:"import_last_revision,type:boolean,default:false"`
	Archived           *bool      `bun:"archived,type:boolean,default:false"`
}
