package models

import (
	"encoding/json"

	"github.com/uptrace/bun"
)

// Software is a piece of software used in the studio (its extensions and licence costs).
type Software struct {
	bun.BaseModel `bun:"table:software"`
	Base
	Name                string          `bun:"name,notnull,type:varchar(40)"`
	ShortName           string          `bun:"short_name,notnull,type:varchar(20)"`
	Archived            *bool           `bun:"archived,type:boolean,default:false"`
	Version             *string         `bun:"version,type:varchar(20)"`
	FileExtension       string          `bun:"file_extension,notnull,type:varchar(20)"`
	SecondaryExtensions json.RawMessage `bun:"secondary_extensions,type:jsonb,nullzero"`
	MonthlyCost         *int            `bun:"monthly_cost,type:integer,default:0"`
	InventoryAmount     *int            `bun:"inventory_amount,type:integer,default:0"`
}
