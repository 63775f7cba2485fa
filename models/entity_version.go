package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// EntityVersion keeps a past state of a shot or edit (name, frames) when it changes.
type EntityVersion struct {
	bun.BaseModel `bun:"table:entity_version"`
	Base
	Name     string          `bun:"name,notnull,type:varchar(160)"`
	Data     json.RawMessage `bun:"data,type:jsonb,nullzero"`
	EntityID *uuid.UUID      `bun:"entity_id,type:uuid"`
	PersonID *uuid.UUID      `bun:"person_id,type:uuid"`
}
