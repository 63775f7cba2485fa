package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Notification tells a person about a comment, mention, assignment, reply or ready playlist.
type Notification struct {
	bun.BaseModel `bun:"table:notification"`
	Base
	Read       bool       `bun:"read,notnull,type:boolean,default:false"`
	Change     bool       `bun:"change,notnull,type:boolean,default:false"`
	Type       string     `bun:"type,notnull,type:varchar(255)"`
	PersonID   uuid.UUID  `bun:"person_id,notnull,type:uuid"`
	AuthorID   uuid.UUID  `bun:"author_id,notnull,type:uuid"`
	CommentID  *uuid.UUID `bun:"comment_id,type:uuid"`
	TaskID     *uuid.UUID `bun:"task_id,type:uuid"`
	PlaylistID *uuid.UUID `bun:"playlist_id,type:uuid"`
	ReplyID    *uuid.UUID `bun:"reply_id,type:uuid"`
}
