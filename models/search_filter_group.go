package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SearchFilterGroup groups saved search filters of a list page.
type SearchFilterGroup struct {
	bun.BaseModel `bun:"table:search_filter_group"`
	Base
	ListType     string     `bun:"list_type,notnull,type:varchar(80)"`
	EntityType   *string    `bun:"entity_type,type:varchar(80)"`
	Name         string     `bun:"name,notnull,type:varchar(200),default:''"`
	Color        string     `bun:"color,notnull,type:varchar(8),default:''"`
	IsShared     bool       `bun:"is_shared,notnull,type:boolean,default:false"`
	PersonID     *uuid.UUID `bun:"person_id,type:uuid"`
	ProjectID    *uuid.UUID `bun:"project_id,type:uuid"`
	DepartmentID *uuid.UUID `bun:"department_id,type:uuid"`
}
