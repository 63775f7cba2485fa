package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// HardwareItemDepartmentLink says which hardware items a department uses.
type HardwareItemDepartmentLink struct {
	bun.BaseModel `bun:"table:hardware_item_department_link"`
	Base
	DepartmentID   uuid.UUID `bun:"department_id,notnull,type:uuid"`
	HardwareItemID uuid.UUID `bun:"hardware_item_id,notnull,type:uuid"`
}
