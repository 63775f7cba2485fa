package models

import (
	"github.com/uptrace/bun"
)

// EntityType is a kind of entity: an asset type (Character, Prop...) or Shot, Sequence, Episode, Scene, Edit, Concept.
type EntityType struct {
	bun.BaseModel `bun:"table:entity_type"`
	Base
	Name        string  `bun:"name,notnull,type:varchar(30)"`
	ShortName   *string `bun:"short_name,type:varchar(20)"`
	Description *string `bun:"description,type:text"`
	Archived    *bool   `bun:"archived,type:boolean,default:false"`
}
