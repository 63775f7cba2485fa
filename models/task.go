package models

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Task is a piece of work of a given type on an entity, assigned to people and tracked by status.
type Task struct {
	bun.BaseModel `bun:"table:task"`
	Base
	Name              string          `bun:"name,notnull,type:varchar(80)"`
	Description       *string         `bun:"description,type:text"`
	Priority          *int            `bun:"priority,type:integer,default:0"`
	Difficulty        int             `bun:"difficulty,notnull,type:integer,default:3"`
	Duration          *float64        `bun:"duration,type:double precision,default:0"`
	Estimation        *float64        `bun:"estimation,type:double precision,default:0"`
	CompletionRate    *int            `bun:"completion_rate,type:integer,default:0"`
	RetakeCount       *int            `bun:"retake_count,type:integer,default:0"`
	SortOrder         *int            `bun:"sort_order,type:integer,default:0"`
	StartDate         *time.Time      `bun:"start_date,type:timestamp"`
	DueDate           *time.Time      `bun:"due_date,type:timestamp"`
	RealStartDate     *time.Time      `bun:"real_start_date,type:timestamp"`
	EndDate           *time.Time      `bun:"end_date,type:timestamp"`
	DoneDate          *time.Time      `bun:"done_date,type:timestamp"`
	LastCommentDate   *time.Time      `bun:"last_comment_date,type:timestamp"`
	NbAssetsReady     *int            `bun:"nb_assets_ready,type:integer,default:0"`
	Data              json.RawMessage `bun:"data,type:jsonb,nullzero"`
	NbDrawings        *int            `bun:"nb_drawings,type:integer,default:0"`
	ShotgunID         *int            `bun:"shotgun_id,type:integer"`
	LastPreviewFileID *uuid.UUID      `bun:"last_preview_file_id,type:uuid"`
	ProjectID         *uuid.UUID      `bun:"project_id,type:uuid"`
	TaskTypeID        *uuid.UUID      `bun:"task_type_id,type:uuid"`
	TaskStatusID      *uuid.UUID      `bun:"task_status_id,type:uuid"`
	EntityID          *uuid.UUID      `bun:"entity_id,type:uuid"`
	AssignerID        *uuid.UUID      `bun:"assigner_id,type:uuid"`
}
