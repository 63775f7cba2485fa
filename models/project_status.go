package models

import (
	"github.com/uptrace/bun"
)

// ProjectStatus is the state of a production (Open, Closed...).
type ProjectStatus struct {
	bun.BaseModel `bun:"table:project_status"`
	Base
	Name  string `bun:"name,notnull,type:varchar(20)"`
	Color string `bun:"color,notnull,type:varchar(7)"`
}
