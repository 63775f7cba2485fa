package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// AssetInstance is one occurrence of an asset placed inside a scene or shot (e.g. the third tree of a set).
type AssetInstance struct {
	bun.BaseModel `bun:"table:asset_instance"`
	Base
	AssetID       uuid.UUID       `bun:"asset_id,notnull,type:uuid"`
	Name          *string         `bun:"name,type:varchar(80)"`
	Number        *int            `bun:"number,type:integer"`
	Description   *string         `bun:"description,type:varchar(200)"`
	Active        *bool           `bun:"active,type:boolean,default:true"`
	Data          json.RawMessage `bun:"data,type:jsonb,nullzero"`
	SceneID       *uuid.UUID      `bun:"scene_id,type:uuid"`
	TargetAssetID *uuid.UUID      `bun:"target_asset_id,type:uuid"`
	EntityID      *uuid.UUID      `bun:"entity_id,type:uuid"`
	EntityTypeID  *uuid.UUID      `bun:"entity_type_id,type:uuid"`
}
