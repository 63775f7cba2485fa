package models

import (
	"github.com/uptrace/bun"
)

// Plugin is an installed server plugin and its metadata.
type Plugin struct {
	bun.BaseModel `bun:"table:plugin"`
	Base
	PluginID               string  `bun:"plugin_id,notnull,type:varchar(80)"`
	Name                   string  `bun:"name,notnull,type:varchar(80)"`
	Description            *string `bun:"description,type:text"`
	Version                string  `bun:"version,notnull,type:varchar(50)"`
	MaintainerName         string  `bun:"maintainer_name,notnull,type:varchar(200)"`
	MaintainerEmail        *string `bun:"maintainer_email,type:varchar(255)"`
	Website                *string `bun:"website,type:text"`
	License                string  `bun:"license,notnull,type:varchar(80)"`
	Revision               *string `bun:"revision,type:varchar(12)"`
	FrontendProjectEnabled *bool   `bun:"frontend_project_enabled,type:boolean,default:false"`
	FrontendStudioEnabled  *bool   `bun:"frontend_studio_enabled,type:boolean,default:false"`
	Icon                   *string `bun:"icon,type:varchar(255)"`
}
