// Package models declares every Zou table as a bun struct and registers it,
// once, in Register. Per-entity behaviour (validation, scope) lives beside its struct.
package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Base holds the columns every Zou entity shares (Zou's BaseMixin).
type Base struct {
	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	CreatedAt *time.Time `bun:"created_at,type:timestamp"`
	UpdatedAt *time.Time `bun:"updated_at,type:timestamp"`
}

// JSONValue is one element of a jsonb[] column (Person.fido_credentials).
// bun writes a []json.RawMessage element as bytea, so the element type says
// how to be written (as JSON text) and read back.
type JSONValue json.RawMessage

// Value writes the element as JSON text; a nil element is the JSON null.
func (j JSONValue) Value() (driver.Value, error) {
	if j == nil {
		return "null", nil
	}
	return string(j), nil
}

// Scan reads one element of the array.
func (j *JSONValue) Scan(src any) error {
	switch s := src.(type) {
	case nil:
		*j = nil
	case string:
		*j = JSONValue(s)
	case []byte:
		*j = append(JSONValue(nil), s...)
	default:
		return fmt.Errorf("models: cannot scan %T into a jsonb element", src)
	}
	return nil
}

// MarshalJSON sends the element as stored.
func (j JSONValue) MarshalJSON() ([]byte, error) {
	if j == nil {
		return []byte("null"), nil
	}
	return []byte(j), nil
}

// UnmarshalJSON keeps the element as raw JSON.
func (j *JSONValue) UnmarshalJSON(b []byte) error {
	*j = append((*j)[:0], b...)
	return nil
}
