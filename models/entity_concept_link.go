package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// EntityConceptLink ties a concept to the entity it illustrates.
type EntityConceptLink struct {
	bun.BaseModel `bun:"table:entity_concept_link"`
	Base
	EntityInID  uuid.UUID `bun:"entity_in_id,notnull,type:uuid"`
	EntityOutID uuid.UUID `bun:"entity_out_id,notnull,type:uuid"`
}
