package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SalaryScale is the salary of a position and seniority in a department, used by budgets.
type SalaryScale struct {
	bun.BaseModel `bun:"table:salary_scale"`
	Base
	DepartmentID uuid.UUID `bun:"department_id,notnull,type:uuid"`
	Position     *string   `bun:"position,type:varchar(255),default:'artist'"`
	Seniority    *string   `bun:"seniority,type:varchar(255),default:'mid'"`
	Salary       int       `bun:"salary,notnull,type:integer,default:0"`
}
