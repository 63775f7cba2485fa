package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Chat is the discussion thread attached to an entity of a production.
type Chat struct {
	bun.BaseModel `bun:"table:chat"`
	Base
	ObjectID    uuid.UUID  `bun:"object_id,notnull,type:uuid"`
	ObjectType  string     `bun:"object_type,notnull,type:varchar(80),default:'entity'"`
	LastMessage *time.Time `bun:"last_message,type:timestamp"`
}
