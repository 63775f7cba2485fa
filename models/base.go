// Package models declares every Zou table as a bun struct and registers it,
// once, in Register. Per-entity behaviour (validation, scope) lives beside its struct.
package models

import (
	"time"

	"github.com/google/uuid"
)

// Base holds the columns every Zou entity shares (Zou's BaseMixin).
type Base struct {
	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	CreatedAt *time.Time `bun:"created_at,type:timestamp"`
	UpdatedAt *time.Time `bun:"updated_at,type:timestamp"`
}
