package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// WorkingFile is a source file (scene, project file) saved for a task.
type WorkingFile struct {
	bun.BaseModel `bun:"table:working_file"`
	Base
	ShotgunID   *int            `bun:"shotgun_id,type:integer"`
	Name        *string         `bun:"name,type:varchar(250)"`
	Description *string         `bun:"description,type:text"`
	Comment     *string         `bun:"comment,type:text"`
	Revision    *int            `bun:"revision,type:integer"`
	Size        *int            `bun:"size,type:integer"`
	Checksum    *int            `bun:"checksum,type:integer"`
	Path        *string         `bun:"path,type:varchar(400)"`
	Data        json.RawMessage `bun:"data,type:jsonb,nullzero"`
	TaskID      *uuid.UUID      `bun:"task_id,type:uuid"`
	EntityID    *uuid.UUID      `bun:"entity_id,type:uuid"`
	PersonID    *uuid.UUID      `bun:"person_id,type:uuid"`
	SoftwareID  *uuid.UUID      `bun:"software_id,type:uuid"`
}
