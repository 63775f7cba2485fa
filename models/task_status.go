package models

import (
	"github.com/uptrace/bun"
)

// TaskStatus is a state a task can be in (todo, WIP, retake, done...).
type TaskStatus struct {
	bun.BaseModel `bun:"table:task_status"`
	Base
	Name              string  `bun:"name,notnull,type:varchar(40)"`
	Archived          *bool   `bun:"archived,type:boolean,default:false"`
	ShortName         string  `bun:"short_name,notnull,type:varchar(10)"`
	Description       *string `bun:"description,type:text"`
	Color             string  `bun:"color,notnull,type:varchar(7)"`
	Priority          *int    `bun:"priority,type:integer,default:1"`
	IsDone            *bool   `bun:"is_done,type:boolean,default:false"`
	IsArtistAllowed   *bool   `bun:"is_artist_allowed,type:boolean,default:true"`
	IsClientAllowed   *bool   `bun:"is_client_allowed,type:boolean,default:true"`
	IsRetake          *bool   `bun:"is_retake,type:boolean,default:false"`
	IsFeedbackRequest *bool   `bun:"is_feedback_request,type:boolean,default:false"`
	IsDefault         *bool   `bun:"is_default,type:boolean,default:false"`
	IsWIP             *bool   `bun:"is_wip,type:boolean,default:false"`
	ShotgunID         *int    `bun:"shotgun_id,type:integer"`
	ForConcept        *bool   `bun:"for_concept,type:boolean,default:false"`
}
