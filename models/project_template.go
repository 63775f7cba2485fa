package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProjectTemplate is a reusable set of production settings applied when creating a project.
type ProjectTemplate struct {
	bun.BaseModel `bun:"table:project_template"`
	Base
	Name                           string          `bun:"name,notnull,type:varchar(80)"`
	Description                    *string         `bun:"description,type:text"`
	FPS                            *string         `bun:"fps,type:varchar(10),default:'25'"`
	Ratio                          *string         `bun:"ratio,type:varchar(10),default:'16:9'"`
	Resolution                     *string         `bun:"resolution,type:varchar(12),default:'1920x1080'"`
	ProductionType                 *string         `bun:"production_type,type:varchar(20),default:'short'"`
	ProductionStyle                string          `bun:"production_style,notnull,type:varchar(255),default:'2d3d'"`
	MaxRetakes                     *int            `bun:"max_retakes,type:integer,default:0"`
	IsClientsIsolated              *bool           `bun:"is_clients_isolated,type:boolean,default:false"`
	IsPreviewDownloadAllowed       *bool           `bun:"is_preview_download_allowed,type:boolean,default:false"`
	IsSetPreviewAutomated          *bool           `bun:"is_set_preview_automated,type:boolean,default:false"`
	IsPublishDefaultForArtists     *bool           `bun:"is_publish_default_for_artists,type:boolean,default:false"`
	IsSinglePreviewPerRevision     *bool           `bun:"is_single_preview_per_revision,type:boolean,default:false"`
	IsFrameInNumbering             *bool           `bun:"is_frame_in_numbering,type:boolean,default:false"`
	RevisionPadding                int             `bun:"revision_padding,notnull,type:integer,default:0"`
	Homepage                       *string         `bun:"homepage,type:varchar(80),default:'assets'"`
	HDBitrateCompression           *int            `bun:"hd_bitrate_compression,type:integer,default:28"`
	LDBitrateCompression           *int            `bun:"ld_bitrate_compression,type:integer,default:6"`
	FileTree                       json.RawMessage `bun:"file_tree,type:jsonb,nullzero"`
	Data                           json.RawMessage `bun:"data,type:jsonb,nullzero"`
	MetadataDescriptors            json.RawMessage `bun:"metadata_descriptors,type:jsonb,nullzero,default:'[]'"`
	DefaultPreviewBackgroundFileID *uuid.UUID      `bun:"default_preview_background_file_id,type:uuid"`
}
