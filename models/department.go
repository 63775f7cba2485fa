package models

import (
	"github.com/uptrace/bun"
)

// Department is a team of the studio (modeling, animation, compositing...).
type Department struct {
	bun.BaseModel `bun:"table:department"`
	Base
	Name     string `bun:"name,notnull,type:varchar(80)"`
	Color    string `bun:"color,notnull,type:varchar(7)"`
	Archived *bool  `bun:"archived,type:boolean,default:false"`
}
