package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// PlaylistShareLink is a tokenised link that shares a playlist with external reviewers.
type PlaylistShareLink struct {
	bun.BaseModel `bun:"table:playlist_share_link"`
	Base
	Token          string     `bun:"token,notnull,type:varchar(64)"`
	PlaylistID     uuid.UUID  `bun:"playlist_id,notnull,type:uuid"`
	CreatedBy      uuid.UUID  `bun:"created_by,notnull,type:uuid"`
	ExpirationDate *time.Time `bun:"expiration_date,type:timestamp"`
	IsActive       bool       `bun:"is_active,notnull,type:boolean,default:true"`
	CanComment     bool       `bun:"can_comment,notnull,type:boolean,default:true"`
	Password       *string    `bun:"password,type:varchar(255)"`
}
