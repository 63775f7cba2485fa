package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OutputFile is a file exported from a working file for an entity or asset instance.
type OutputFile struct {
	bun.BaseModel `bun:"table:output_file"`
	Base
	ShotgunID        *int            `bun:"shotgun_id,type:integer"`
	Name             string          `bun:"name,notnull,type:varchar(250)"`
	Canceled         bool            `bun:"canceled,notnull,type:boolean,default:false"`
	Size             *int            `bun:"size,type:integer"`
	Checksum         *string         `bun:"checksum,type:varchar(32)"`
	Description      *string         `bun:"description,type:text"`
	Comment          *string         `bun:"comment,type:text"`
	Extension        *string         `bun:"extension,type:varchar(10)"`
	Revision         int             `bun:"revision,notnull,type:integer"`
	Representation   *string         `bun:"representation,type:varchar(20)"`
	NbElements       *int            `bun:"nb_elements,type:integer,default:1"`
	Source           *string         `bun:"source,type:varchar(40)"`
	Path             *string         `bun:"path,type:varchar(400)"`
	Data             json.RawMessage `bun:"data,type:jsonb,nullzero"`
	FileStatusID     uuid.UUID       `bun:"file_status_id,notnull,type:uuid"`
	EntityID         *uuid.UUID      `bun:"entity_id,type:uuid"`
	AssetInstanceID  *uuid.UUID      `bun:"asset_instance_id,type:uuid"`
	OutputTypeID     *uuid.UUID      `bun:"output_type_id,type:uuid"`
	TaskTypeID       *uuid.UUID      `bun:"task_type_id,type:uuid"`
	PersonID         *uuid.UUID      `bun:"person_id,type:uuid"`
	SourceFileID     *uuid.UUID      `bun:"source_file_id,type:uuid"`
	TemporalEntityID *uuid.UUID      `bun:"temporal_entity_id,type:uuid"`
}
