package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// News is an entry of a production's news feed (a comment or status change on a task).
type News struct {
	bun.BaseModel `bun:"table:news"`
	Base
	Change        bool       `bun:"change,notnull,type:boolean,default:false"`
	AuthorID      uuid.UUID  `bun:"author_id,notnull,type:uuid"`
	CommentID     *uuid.UUID `bun:"comment_id,type:uuid"`
	TaskID        uuid.UUID  `bun:"task_id,notnull,type:uuid"`
	PreviewFileID *uuid.UUID `bun:"preview_file_id,type:uuid"`
}
