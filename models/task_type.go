package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// TaskType is a kind of work (modeling, animation, lighting...) for a family of entities.
type TaskType struct {
	bun.BaseModel `bun:"table:task_type"`
	Base
	Name         string     `bun:"name,notnull,type:varchar(40)"`
	ShortName    *string    `bun:"short_name,type:varchar(20)"`
	Description  *string    `bun:"description,type:text"`
	Color        *string    `bun:"color,type:varchar(7),default:'#FFFFFF'"`
	Priority     *int       `bun:"priority,type:integer,default:1"`
	ForEntity    *string    `bun:"for_entity,type:varchar(30),default:'Asset'"`
	AllowTimelog *bool      `bun:"allow_timelog,type:boolean,default:true"`
	Archived     *bool      `bun:"archived,type:boolean,default:false"`
	ShotgunID    *int       `bun:"shotgun_id,type:integer"`
	DepartmentID *uuid.UUID `bun:"department_id,type:uuid"`
}
