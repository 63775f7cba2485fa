package models

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// BudgetEntry is one staffing line of a budget: a person or position in a department for some months.
type BudgetEntry struct {
	bun.BaseModel `bun:"table:budget_entry"`
	Base
	BudgetID       uuid.UUID       `bun:"budget_id,notnull,type:uuid"`
	DepartmentID   uuid.UUID       `bun:"department_id,notnull,type:uuid"`
	PersonID       *uuid.UUID      `bun:"person_id,type:uuid"`
	StartDate      time.Time       `bun:"start_date,notnull,type:date"`
	MonthsDuration int             `bun:"months_duration,notnull,type:integer"`
	DailySalary    float64         `bun:"daily_salary,notnull,type:double precision"`
	Position       *string         `bun:"position,type:varchar(255),default:'artist'"`
	Seniority      *string         `bun:"seniority,type:varchar(255),default:'mid'"`
	Exceptions     json.RawMessage `bun:"exceptions,type:jsonb,nullzero"`
}
