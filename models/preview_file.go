package models

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// PreviewFile is a picture, movie or model uploaded as a revision of a task for review.
type PreviewFile struct {
	bun.BaseModel `bun:"table:preview_file"`
	Base
	Name              *string         `bun:"name,type:varchar(250)"`
	OriginalName      *string         `bun:"original_name,type:varchar(250)"`
	Revision          *int            `bun:"revision,type:integer,default:1"`
	Position          *int            `bun:"position,type:integer,default:1"`
	Extension         *string         `bun:"extension,type:varchar(6)"`
	Description       *string         `bun:"description,type:text"`
	Path              *string         `bun:"path,type:varchar(400)"`
	Source            *string         `bun:"source,type:varchar(40)"`
	FileSize          *int64          `bun:"file_size,type:bigint,default:0"`
	Status            string          `bun:"status,notnull,type:varchar(255),default:'processing'"`
	ValidationStatus  string          `bun:"validation_status,notnull,type:varchar(255),default:'neutral'"`
	Annotations       json.RawMessage `bun:"annotations,type:jsonb,nullzero"`
	Width             *int            `bun:"width,type:integer,default:0"`
	Height            *int            `bun:"height,type:integer,default:0"`
	Duration          *float64        `bun:"duration,type:double precision,default:0"`
	Data              json.RawMessage `bun:"data,type:jsonb,nullzero"`
	TokenIn           *int            `bun:"token_in,type:integer"`
	TokenOut          *int            `bun:"token_out,type:integer"`
	TaskID            *uuid.UUID      `bun:"task_id,type:uuid"`
	PersonID          *uuid.UUID      `bun:"person_id,type:uuid"`
	SourceFileID      *uuid.UUID      `bun:"source_file_id,type:uuid"`
	ShotgunID         *int            `bun:"shotgun_id,type:integer"`
	IsMovie           *bool           `bun:"is_movie,type:boolean,default:false"`
	URL               *string         `bun:"url,type:varchar(600)"`
	UploadedMovieURL  *string         `bun:"uploaded_movie_url,type:varchar(600)"`
	UploadedMovieName *string         `bun:"uploaded_movie_name,type:varchar(150)"`
}
