package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// DesktopLoginLog records a login of a person from a desktop application.
type DesktopLoginLog struct {
	bun.BaseModel `bun:"table:desktop_login_log"`
	Base
	PersonID uuid.UUID `bun:"person_id,notnull,type:uuid"`
	Date     time.Time `bun:"date,notnull,type:timestamp"`
}
