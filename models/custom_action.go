package models

import (
	"github.com/uptrace/bun"
)

// CustomAction is a studio-defined link that sends selected rows to an external tool.
type CustomAction struct {
	bun.BaseModel `bun:"table:custom_action"`
	Base
	Name       string  `bun:"name,notnull,type:varchar(80)"`
	URL        *string `bun:"url,type:varchar(400)"`
	EntityType *string `bun:"entity_type,type:varchar(40),default:'all'"`
	IsAjax     *bool   `bun:"is_ajax,type:boolean,default:false"`
}
