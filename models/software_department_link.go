package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SoftwareDepartmentLink says which software licences a department uses.
type SoftwareDepartmentLink struct {
	bun.BaseModel `bun:"table:software_department_link"`
	Base
	DepartmentID uuid.UUID `bun:"department_id,notnull,type:uuid"`
	SoftwareID   uuid.UUID `bun:"software_id,notnull,type:uuid"`
}
