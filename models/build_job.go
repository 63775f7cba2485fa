package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// BuildJob is a playlist build (movie or archive) run for a review.
type BuildJob struct {
	bun.BaseModel `bun:"table:build_job"`
	Base
	Status     string     `bun:"status,notnull,type:varchar(255),default:'running'"`
	JobType    string     `bun:"job_type,notnull,type:varchar(255),default:'movie'"`
	EndedAt    *time.Time `bun:"ended_at,type:timestamp"`
	PlaylistID uuid.UUID  `bun:"playlist_id,notnull,type:uuid"`
}
