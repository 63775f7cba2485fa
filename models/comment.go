package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Comment is a note posted on a task, possibly changing its status and carrying previews.
type Comment struct {
	bun.BaseModel `bun:"table:comment"`
	Base
	ShotgunID     *int            `bun:"shotgun_id,type:integer"`
	ObjectID      uuid.UUID       `bun:"object_id,notnull,type:uuid"`
	ObjectType    string          `bun:"object_type,notnull,type:varchar(80)"`
	Text          *string         `bun:"text,type:text"`
	Data          json.RawMessage `bun:"data,type:jsonb,nullzero"`
	Replies       json.RawMessage `bun:"replies,type:jsonb,nullzero,default:'[]'"`
	Checklist     json.RawMessage `bun:"checklist,type:jsonb,nullzero"`
	Pinned        *bool           `bun:"pinned,type:boolean"`
	ForClient     *bool           `bun:"for_client,type:boolean,default:false"`
	Links         []string        `bun:"links,array,type:varchar[]"`
	TaskStatusID  *uuid.UUID      `bun:"task_status_id,type:uuid"`
	PersonID      uuid.UUID       `bun:"person_id,notnull,type:uuid"`
	EditorID      *uuid.UUID      `bun:"editor_id,type:uuid"`
	PreviewFileID *uuid.UUID      `bun:"preview_file_id,type:uuid"`
}
