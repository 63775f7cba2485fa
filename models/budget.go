package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Budget is one revision of a production's budget.
type Budget struct {
	bun.BaseModel `bun:"table:budget"`
	Base
	ProjectID *uuid.UUID `bun:"project_id,type:uuid"`
	Revision  int        `bun:"revision,notnull,type:integer,default:1"`
	Name      string     `bun:"name,notnull,type:varchar(255)"`
	Currency  *string    `bun:"currency,type:varchar(3)"`
}
