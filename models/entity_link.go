package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// EntityLink is a casting row: an asset (entity out) cast in a shot, sequence, episode or asset (entity in).
type EntityLink struct {
	bun.BaseModel `bun:"table:entity_link"`
	Base
	EntityInID   uuid.UUID       `bun:"entity_in_id,notnull,type:uuid"`
	EntityOutID  uuid.UUID       `bun:"entity_out_id,notnull,type:uuid"`
	Data         json.RawMessage `bun:"data,type:jsonb,nullzero"`
	NbOccurences *int            `bun:"nb_occurences,type:integer,default:1"`
	Label        *string         `bun:"label,type:varchar(80),default:''"`
}
