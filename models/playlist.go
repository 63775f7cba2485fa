package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Playlist is an ordered list of shot or asset previews prepared for a review.
type Playlist struct {
	bun.BaseModel `bun:"table:playlist"`
	Base
	Name       string          `bun:"name,notnull,type:varchar(80)"`
	Shots      json.RawMessage `bun:"shots,type:jsonb,nullzero"`
	ProjectID  *uuid.UUID      `bun:"project_id,type:uuid"`
	EpisodeID  *uuid.UUID      `bun:"episode_id,type:uuid"`
	TaskTypeID *uuid.UUID      `bun:"task_type_id,type:uuid"`
	ForClient  *bool           `bun:"for_client,type:boolean,default:false"`
	ForEntity  *string         `bun:"for_entity,type:varchar(10),default:'shot'"`
	IsForAll   *bool           `bun:"is_for_all,type:boolean,default:false"`
	CreatedBy  *uuid.UUID      `bun:"created_by,type:uuid"`
}
