package models

import (
	"github.com/uptrace/bun"
)

// PreviewBackgroundFile is an HDR background image used to display 3D previews.
type PreviewBackgroundFile struct {
	bun.BaseModel `bun:"table:preview_background_file"`
	Base
	Name         string  `bun:"name,notnull,type:varchar(40)"`
	Archived     *bool   `bun:"archived,type:boolean,default:false"`
	IsDefault    *bool   `bun:"is_default,type:boolean,default:false"`
	OriginalName *string `bun:"original_name,type:varchar(250)"`
	Extension    *string `bun:"extension,type:varchar(6)"`
	FileSize     *int64  `bun:"file_size,type:bigint,default:0"`
}
