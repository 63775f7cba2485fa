package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// LoginLog records a login of a person from the web app or a script.
type LoginLog struct {
	bun.BaseModel `bun:"table:login_log"`
	Base
	PersonID  uuid.UUID `bun:"person_id,notnull,type:uuid"`
	IPAddress *string   `bun:"ip_address,type:varchar(50)"`
	Origin    *string   `bun:"origin,type:varchar(255)"`
}
