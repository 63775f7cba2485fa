package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// AttachmentFile is a file attached to a comment or to a chat message.
type AttachmentFile struct {
	bun.BaseModel `bun:"table:attachment_file"`
	Base
	Name          *string    `bun:"name,type:varchar(250)"`
	Size          *int64     `bun:"size,type:bigint,default:1"`
	Extension     *string    `bun:"extension,type:varchar(6)"`
	Mimetype      *string    `bun:"mimetype,type:varchar(255)"`
	CommentID     *uuid.UUID `bun:"comment_id,type:uuid"`
	ReplyID       *uuid.UUID `bun:"reply_id,type:uuid"`
	ChatMessageID *uuid.UUID `bun:"chat_message_id,type:uuid"`
}
