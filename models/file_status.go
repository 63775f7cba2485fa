package models

import (
	"github.com/uptrace/bun"
)

// FileStatus is the state of an output file (e.g. in progress, validated).
type FileStatus struct {
	bun.BaseModel `bun:"table:file_status"`
	Base
	Name  string `bun:"name,notnull,type:varchar(40)"`
	Color string `bun:"color,notnull,type:varchar(7)"`
}
