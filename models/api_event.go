package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// APIEvent is one persisted event of the event stream (what changed, who did it, in which production).
type APIEvent struct {
	bun.BaseModel `bun:"table:api_event"`
	Base
	Name      string          `bun:"name,notnull,type:varchar(80)"`
	UserID    *uuid.UUID      `bun:"user_id,type:uuid"`
	ProjectID *uuid.UUID      `bun:"project_id,type:uuid"`
	Data      json.RawMessage `bun:"data,type:jsonb,nullzero"`
}
