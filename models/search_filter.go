package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SearchFilter is a saved search query of a list page.
type SearchFilter struct {
	bun.BaseModel `bun:"table:search_filter"`
	Base
	ListType            string     `bun:"list_type,notnull,type:varchar(80)"`
	EntityType          *string    `bun:"entity_type,type:varchar(80)"`
	Name                string     `bun:"name,notnull,type:varchar(200),default:''"`
	SearchQuery         string     `bun:"search_query,notnull,type:varchar(500),default:''"`
	IsShared            bool       `bun:"is_shared,notnull,type:boolean,default:false"`
	DepartmentID        *uuid.UUID `bun:"department_id,type:uuid"`
	SearchFilterGroupID *uuid.UUID `bun:"search_filter_group_id,type:uuid"`
	PersonID            *uuid.UUID `bun:"person_id,type:uuid"`
	ProjectID           *uuid.UUID `bun:"project_id,type:uuid"`
}
