package models

import (
	"github.com/uptrace/bun"
)

// OutputType is a kind of output file (cache, render, movie...).
type OutputType struct {
	bun.BaseModel `bun:"table:output_type"`
	Base
	Name      string `bun:"name,notnull,type:varchar(40)"`
	ShortName string `bun:"short_name,notnull,type:varchar(20)"`
}
