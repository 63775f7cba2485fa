package models

import (
	"github.com/uptrace/bun"
)

// HardwareItem is a piece of equipment the studio owns and budgets for.
type HardwareItem struct {
	bun.BaseModel `bun:"table:hardware_item"`
	Base
	Name            string `bun:"name,notnull,type:varchar(40)"`
	ShortName       string `bun:"short_name,notnull,type:varchar(20)"`
	Archived        *bool  `bun:"archived,type:boolean,default:false"`
	MonthlyCost     *int   `bun:"monthly_cost,type:integer,default:0"`
	InventoryAmount *int   `bun:"inventory_amount,type:integer,default:0"`
}
