package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// MetadataDescriptor declares a custom metadata column of a production (stored in entity data).
type MetadataDescriptor struct {
	bun.BaseModel `bun:"table:metadata_descriptor"`
	Base
	ProjectID  uuid.UUID       `bun:"project_id,notnull,type:uuid"`
	EntityType string          `bun:"entity_type,notnull,type:varchar(60)"`
	TaskTypeID *uuid.UUID      `bun:"task_type_id,type:uuid"`
	Name       string          `bun:"name,notnull,type:varchar(120)"`
	DataType   *string         `bun:"data_type,type:varchar(255)"`
	FieldName  string          `bun:"field_name,notnull,type:varchar(120)"`
	Choices    json.RawMessage `bun:"choices,type:jsonb,nullzero"`
	ForClient  *bool           `bun:"for_client,type:boolean,default:false"`
	Position   *int            `bun:"position,type:integer"`
}
