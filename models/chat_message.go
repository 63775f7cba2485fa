package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ChatMessage is one message posted by a person in a chat.
type ChatMessage struct {
	bun.BaseModel `bun:"table:chat_message"`
	Base
	ChatID   uuid.UUID `bun:"chat_id,notnull,type:uuid"`
	PersonID uuid.UUID `bun:"person_id,notnull,type:uuid"`
	Text     *string   `bun:"text,type:text"`
}
