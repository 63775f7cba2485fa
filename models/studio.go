package models

import "github.com/uptrace/bun"

// Studio is a studio (or site) people belong to.
type Studio struct {
	bun.BaseModel `bun:"table:studio"`
	Base
	Name     string `bun:"name,notnull,type:varchar(80)"`
	Color    string `bun:"color,notnull,type:varchar(7)"`
	Archived *bool  `bun:"archived,type:boolean,default:false"`
}
