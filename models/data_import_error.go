package models

import (
	"encoding/json"

	"github.com/uptrace/bun"
)

// DataImportError records a row that failed during a CSV or ShotGrid import.
type DataImportError struct {
	bun.BaseModel `bun:"table:data_import_error"`
	Base
	EventData json.RawMessage `bun:"event_data,notnull,type:jsonb,nullzero"`
	Source    *string         `bun:"source,type:import_source_enum"`
}
