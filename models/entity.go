package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Entity is a production element: asset, shot, sequence, episode, scene, edit or concept.
type Entity struct {
	bun.BaseModel `bun:"table:entity"`
	Base
	Name             string          `bun:"name,notnull,type:varchar(160)"`
	Code             *string         `bun:"code,type:varchar(160)"`
	Description      *string         `bun:"description,type:text"`
	ShotgunID        *int            `bun:"shotgun_id,type:integer"`
	Canceled         *bool           `bun:"canceled,type:boolean,default:false"`
	NbFrames         *int            `bun:"nb_frames,type:integer"`
	NbEntitiesOut    *int            `bun:"nb_entities_out,type:integer,default:0"`
	IsCastingStandby *bool           `bun:"is_casting_standby,type:boolean,default:false"`
	IsShared         bool            `bun:"is_shared,notnull,type:boolean,default:false"`
	Status           string          `bun:"status,notnull,type:varchar(255),default:'running'"`
	ProjectID        uuid.UUID       `bun:"project_id,notnull,type:uuid"`
	EntityTypeID     uuid.UUID       `bun:"entity_type_id,notnull,type:uuid"`
	ParentID         *uuid.UUID      `bun:"parent_id,type:uuid"`
	SourceID         *uuid.UUID      `bun:"source_id,type:uuid"`
	PreviewFileID    *uuid.UUID      `bun:"preview_file_id,type:uuid"`
	Data             json.RawMessage `bun:"data,type:jsonb,nullzero"`
	ReadyFor         *uuid.UUID      `bun:"ready_for,type:uuid"`
	CreatedBy        *uuid.UUID      `bun:"created_by,type:uuid"`
}
