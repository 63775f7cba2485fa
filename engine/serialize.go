package engine

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// output is one key of the JSON rows a read query produces.
type output struct {
	key      string
	expr     string
	args     []any
	kind     kind
	internal bool // read for permission checks, never written
}

// Zou's datetime conventions: naive UTC, seconds precision.
const (
	timestampLayout = "2006-01-02T15:04:05"
	dateLayout      = "2006-01-02"
)

// scanner holds one reusable destination per output and each output's
// `"key":` prefix, encoded once per query rather than once per row.
//
// Values are scanned into plain `any`: database/sql hands the driver's value
// over as it is for that destination (int64, float64, bool, time.Time,
// string), skipping the reflective conversion the sql.Null* types go
// through, which cost a quarter of a large list's time.
type scanner struct {
	outs   []output
	dest   []any
	vals   []any
	prefix [][]byte // `"key":`, with a leading comma past the first written key
}

func newScanner(outs []output) *scanner {
	n := len(outs)
	s := &scanner{outs: outs, dest: make([]any, n), vals: make([]any, n), prefix: make([][]byte, n)}
	first := true
	for i, o := range outs {
		s.dest[i] = &s.vals[i]
		if o.internal {
			continue
		}
		var p []byte
		if !first {
			p = append(p, ',')
		}
		first = false
		p = appendString(p, o.key)
		s.prefix[i] = append(p, ':')
	}
	return s
}

// appendRow writes the current row as a JSON object with Zou's "type" key
// (none when typeName is empty or an output is itself named "type").
func (s *scanner) appendRow(b []byte, typeName string) []byte {
	b = append(b, '{')
	wrote := false
	for i, o := range s.outs {
		if o.internal {
			continue
		}
		if o.key == "type" {
			typeName = ""
		}
		b = append(b, s.prefix[i]...)
		b = s.appendValue(b, i)
		wrote = true
	}
	if typeName == "" {
		return append(b, '}')
	}
	if wrote {
		b = append(b, ',')
	}
	b = append(b, `"type":`...)
	b = appendString(b, typeName)
	return append(b, '}')
}

func (s *scanner) appendValue(b []byte, i int) []byte {
	v := s.vals[i]
	if v == nil {
		return append(b, "null"...)
	}
	switch s.outs[i].kind {
	case kInt:
		switch n := v.(type) {
		case int64:
			return strconv.AppendInt(b, n, 10)
		case float64:
			return strconv.AppendInt(b, int64(n), 10)
		}
	case kFloat:
		switch f := v.(type) {
		case float64:
			return appendFloat(b, f)
		case int64:
			return appendFloat(b, float64(f))
		case string:
			if x, err := strconv.ParseFloat(f, 64); err == nil {
				return appendFloat(b, x)
			}
		}
	case kBool:
		if x, ok := v.(bool); ok {
			return strconv.AppendBool(b, x)
		}
	case kDate:
		if t, ok := v.(time.Time); ok {
			return appendTime(b, t, dateLayout)
		}
	case kTimestamp:
		if t, ok := v.(time.Time); ok {
			return appendTime(b, t.UTC(), timestampLayout)
		}
	case kJSON, kArray:
		switch x := v.(type) {
		case string:
			return append(b, x...)
		case []byte:
			return append(b, x...)
		}
	}
	switch x := v.(type) {
	case string:
		return appendString(b, x)
	case []byte:
		return appendString(b, x)
	case time.Time:
		return appendTime(b, x.UTC(), timestampLayout)
	}
	// A value of a type the column's kind did not foresee: written as text.
	return appendString(b, fmt.Sprint(v))
}

// value returns the scanned value of output i as a string (internal
// columns, ids); false when it is NULL.
func (s *scanner) value(i int) (string, bool) {
	switch x := s.vals[i].(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case []byte:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return fmt.Sprint(s.vals[i]), true
}

func appendTime(b []byte, t time.Time, layout string) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, layout)
	return append(b, '"')
}

// appendFloat writes floats as Python does for whole numbers (8.0), so clients
// that compare the raw JSON see Zou's spelling.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e16 {
		b = strconv.AppendFloat(b, f, 'f', -1, 64)
		return append(b, ".0"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString writes a JSON string; like orjson it does not escape <, > and &.
func appendString[T string | []byte](b []byte, s T) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func decodeRune[T string | []byte](s T) (rune, int) {
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	return utf8.RuneError, 1
}
