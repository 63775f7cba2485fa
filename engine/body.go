package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ParseObject decodes a request body that must be one JSON object, keeping the
// raw values so each can be cast to its column type.
func ParseObject(body []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil, BadRequest(MsgEmptyBody)
	}
	if trimmed[0] != '{' {
		if !json.Valid(trimmed) {
			return nil, decodeError(json.Unmarshal(trimmed, new(any)))
		}
		return nil, BadRequest("The body must be a JSON object.")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return nil, decodeError(err)
	}
	return m, nil
}

func decodeError(err error) error {
	return BadRequest("Failed to decode JSON object: " + err.Error())
}

// literalJSON turns a bun default tag (an SQL literal) into the JSON the
// assigner understands: 'open-ended' → "open-ended", '[]' → [], false → false.
func literalJSON(lit string) json.RawMessage {
	lit = strings.TrimSpace(lit)
	if i := strings.Index(lit, "::"); i > 0 {
		lit = lit[:i]
	}
	if strings.HasPrefix(lit, "'") && strings.HasSuffix(lit, "'") && len(lit) >= 2 {
		inner := strings.ReplaceAll(lit[1:len(lit)-1], "''", "'")
		if json.Valid([]byte(inner)) && (strings.HasPrefix(inner, "[") || strings.HasPrefix(inner, "{")) {
			return json.RawMessage(inner)
		}
		b, _ := json.Marshal(inner)
		return b
	}
	switch strings.ToLower(lit) {
	case "true", "false", "null":
		return json.RawMessage(strings.ToLower(lit))
	}
	return json.RawMessage(lit)
}

var (
	typeUUID = reflect.TypeFor[uuid.UUID]()
	typeTime = reflect.TypeFor[time.Time]()
	typeRaw  = reflect.TypeFor[json.RawMessage]()
)

// assign casts one JSON value to the column's Go field, or says why it cannot.
func assign(col *Column, strct reflect.Value, raw json.RawMessage) error {
	fv := col.Field.Value(strct)
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		if col.NotNull {
			return Plain400WithField(MsgNotNull, col.Key)
		}
		fv.Set(reflect.Zero(fv.Type()))
		return nil
	}
	target := fv
	if fv.Kind() == reflect.Pointer {
		target = reflect.New(fv.Type().Elem()).Elem()
	}
	bad := func() error {
		return BadRequest(fmt.Sprintf("Invalid value for %s: expected %s.", col.Key, describe(col)))
	}
	switch col.kind {
	case kUUID:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return bad()
		}
		if s == "" && !col.NotNull {
			fv.Set(reflect.Zero(fv.Type()))
			return nil
		}
		u, err := uuid.Parse(s)
		if err != nil || len(s) != 36 {
			return bad()
		}
		target.Set(reflect.ValueOf(u))
	case kDate, kTimestamp:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return bad()
		}
		if s == "" {
			if col.NotNull {
				return Plain400WithField(MsgNotNull, col.Key)
			}
			fv.Set(reflect.Zero(fv.Type()))
			return nil
		}
		t, ok := ParseDateTime(s)
		if !ok {
			return BadRequest(fmt.Sprintf("Invalid date format for '%s': '%s'. Expected an ISO 8601 date or datetime.", col.Key, s))
		}
		if col.kind == kDate {
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
		target.Set(reflect.ValueOf(t.Truncate(time.Microsecond)))
	case kJSON:
		if target.Type() == typeRaw {
			target.Set(reflect.ValueOf(json.RawMessage(append([]byte(nil), raw...))))
		} else if json.Unmarshal(raw, target.Addr().Interface()) != nil {
			return bad()
		}
	case kBool:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return bad()
			}
			v, ok := ParseBool(s)
			if !ok {
				return bad()
			}
			b = v
		}
		target.SetBool(b)
	case kBytes:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return bad()
		}
		target.SetBytes([]byte(s))
	default:
		// strings, numbers and arrays: encoding/json enforces the JSON type.
		if json.Unmarshal(raw, target.Addr().Interface()) != nil {
			return bad()
		}
		if col.kind == kString && strings.ContainsRune(target.String(), 0) {
			return bad()
		}
	}
	if fv.Kind() == reflect.Pointer {
		fv.Set(target.Addr())
	}
	return nil
}

func describe(col *Column) string {
	switch col.kind {
	case kUUID:
		return "a UUID string"
	case kInt:
		return "an integer"
	case kFloat:
		return "a number"
	case kBool:
		return "a boolean"
	case kDate:
		return "a date string (YYYY-MM-DD)"
	case kTimestamp:
		return "a datetime string (YYYY-MM-DDTHH:MM:SS)"
	case kJSON:
		return "JSON"
	case kArray:
		return "a list"
	}
	return "a string"
}

// Plain400WithField is the CRUD 400 shape naming the offending field.
func Plain400WithField(msg, field string) *Error {
	e := Plain400(msg)
	e.Body["field"] = field
	return e
}
