package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ParseObject decodes a request body that must be one JSON object, keeping the
// raw values so each can be cast to its column type.
func ParseObject(body []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(body)
	if string(trimmed) == "null" { // Flask: request.json is None
		return nil, BadRequest(MsgEmptyBody)
	}
	if len(trimmed) == 0 { // Flask fails to decode an empty JSON body
		return nil, decodeError(json.Unmarshal(trimmed, new(any)))
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

// decodeError is werkzeug's BadRequest as Zou renders it: no "data" key.
func decodeError(err error) error {
	return Status(http.StatusBadRequest, "Failed to decode JSON object: "+err.Error())
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
// Zou binds values with a cast to the column type (SQLAlchemy's psycopg
// dialect renders "::INTEGER", "::VARCHAR"…), so what PostgreSQL can cast is
// accepted: numeric strings for numbers, numbers and booleans for strings.
// What it cannot cast answers Zou's sanitised "invalid format" message. Dates
// are checked as Zou's update does (a message naming the key); on create Zou
// leaves them to the database, hence the sanitised message there (onCreate).
func assign(col *Column, strct reflect.Value, raw json.RawMessage, onCreate bool) error {
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
		return &Error{Status: http.StatusBadRequest, Body: Plain400(MsgInvalidValue).Body,
			Cause: fmt.Errorf("invalid value for %s: expected %s, got %.100s", col.Name, describe(col), raw)}
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
			if onCreate {
				return bad()
			}
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
	case kInt:
		n, ok := jsonInt(raw)
		if !ok || target.OverflowInt(n) {
			return bad()
		}
		target.SetInt(n)
	case kFloat:
		f, ok := jsonFloat(raw)
		if !ok {
			return bad()
		}
		target.SetFloat(f)
	case kString:
		s, ok := jsonText(raw)
		if !ok || strings.ContainsRune(s, 0) || target.Kind() != reflect.String {
			return bad()
		}
		target.SetString(s)
	default:
		// arrays: encoding/json enforces the JSON type.
		if json.Unmarshal(raw, target.Addr().Interface()) != nil {
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

// Plain400WithField is the CRUD 400 shape naming the field (a missing
// required value); the field is logged too
// (Zou's body holds the message only).
func Plain400WithField(msg, field string) *Error {
	if msg == MsgNotNull {
		msg = NotNullMessage(field)
	}
	e := Plain400(msg)
	e.Cause = fmt.Errorf("field %s", field)
	return e
}

// jsonInt reads an integer as PostgreSQL casts it to an integer column: a JSON
// number (fractions rounded half to even) or a string holding an integer.
func jsonInt(raw json.RawMessage) (int64, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return n, err == nil
	}
	var num json.Number
	if json.Unmarshal(raw, &num) != nil {
		return 0, false
	}
	if n, err := num.Int64(); err == nil {
		return n, true
	}
	f, err := num.Float64()
	if err != nil || math.IsNaN(f) || math.Abs(f) >= 1<<63 {
		return 0, false
	}
	return int64(math.RoundToEven(f)), true
}

// jsonFloat reads a JSON number or a string holding one.
func jsonFloat(raw json.RawMessage) (float64, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	var f float64
	return f, json.Unmarshal(raw, &f) == nil
}

// jsonText reads a string column's value: a JSON string, or a number or
// boolean as PostgreSQL writes it as text (5 → "5", 1.5 → "1.5", true → "true").
func jsonText(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	switch string(raw) {
	case "true", "false":
		return string(raw), true
	}
	var num json.Number
	if json.Unmarshal(raw, &num) != nil {
		return "", false
	}
	if n, err := num.Int64(); err == nil {
		return strconv.FormatInt(n, 10), true
	}
	f, err := num.Float64()
	if err != nil {
		return "", false
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-4 && a < 1e15) {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	return strconv.FormatFloat(f, 'e', -1, 64), true
}
