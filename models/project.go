package models

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Project is a production (a film, a series, a game...) and its settings.
type Project struct {
	bun.BaseModel `bun:"table:project"`
	Base
	Name                           string          `bun:"name,notnull,type:varchar(80)"`
	Code                           *string         `bun:"code,type:varchar(80)"`
	Description                    *string         `bun:"description,type:text"`
	ShotgunID                      *int            `bun:"shotgun_id,type:integer"`
	FileTree                       json.RawMessage `bun:"file_tree,type:jsonb,nullzero"`
	Data                           json.RawMessage `bun:"data,type:jsonb,nullzero"`
	HasAvatar                      *bool           `bun:"has_avatar,type:boolean,default:false"`
	FPS                            *string         `bun:"fps,type:varchar(10),default:'25'"`
	Ratio                          *string         `bun:"ratio,type:varchar(10),default:'16:9'"`
	Resolution                     *string         `bun:"resolution,type:varchar(12),default:'1920x1080'"`
	ProductionType                 *string         `bun:"production_type,type:varchar(20),default:'short'"`
	ProductionStyle                string          `bun:"production_style,notnull,type:varchar(255),default:'2d3d'"`
	StartDate                      *time.Time      `bun:"start_date,type:date"`
	EndDate                        *time.Time      `bun:"end_date,type:date"`
	ManDays                        *int            `bun:"man_days,type:integer"`
	NbEpisodes                     *int            `bun:"nb_episodes,type:integer,default:0"`
	EpisodeSpan                    *int            `bun:"episode_span,type:integer,default:0"`
	MaxRetakes                     *int            `bun:"max_retakes,type:integer,default:0"`
	IsClientsIsolated              *bool           `bun:"is_clients_isolated,type:boolean,default:false"`
	IsPreviewDownloadAllowed       *bool           `bun:"is_preview_download_allowed,type:boolean,default:false"`
	IsSetPreviewAutomated          *bool           `bun:"is_set_preview_automated,type:boolean,default:false"`
	Homepage                       *string         `bun:"homepage,type:varchar(80),default:'assets'"`
	IsPublishDefaultForArtists     *bool           `bun:"is_publish_default_for_artists,type:boolean,default:false"`
	IsBotCollaborationEnabled      *bool           `bun:"is_bot_collaboration_enabled,type:boolean,default:false"`
	IsSinglePreviewPerRevision     *bool           `bun:"is_single_preview_per_revision,type:boolean,default:false"`
	IsFrameInNumbering             *bool           `bun:"is_frame_in_numbering,type:boolean,default:false"`
	RevisionPadding                int             `bun:"revision_padding,notnull,type:integer,default:0"`
	HDBitrateCompression           *int            `bun:"hd_bitrate_compression,type:integer,default:28"`
	LDBitrateCompression           *int            `bun:"ld_bitrate_compression,type:integer,default:6"`
	ProjectStatusID                *uuid.UUID      `bun:"project_status_id,type:uuid"`
	DefaultPreviewBackgroundFileID *uuid.UUID      `bun:"default_preview_background_file_id,type:uuid"`
	FromScheduleVersionID          *uuid.UUID      `bun:"from_schedule_version_id,type:uuid"`
}
