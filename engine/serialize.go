package engine

import (
	"database/sql"
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

// scanner holds one reusable destination per output, so scanning a page of
// rows allocates nothing per row beyond what database/sql itself does.
type scanner struct {
	outs []output
	dest []any
	str  []sql.NullString
	i64  []sql.NullInt64
	f64  []sql.NullFloat64
	b    []sql.NullBool
	tm   []sql.NullTime
	raw  []sql.RawBytes
}

func newScanner(outs []output) *scanner {
	n := len(outs)
	s := &scanner{outs: outs, dest: make([]any, n), str: make([]sql.NullString, n), i64: make([]sql.NullInt64, n),
		f64: make([]sql.NullFloat64, n), b: make([]sql.NullBool, n), tm: make([]sql.NullTime, n), raw: make([]sql.RawBytes, n)}
	for i, o := range outs {
		switch o.kind {
		case kInt:
			s.dest[i] = &s.i64[i]
		case kFloat:
			s.dest[i] = &s.f64[i]
		case kBool:
			s.dest[i] = &s.b[i]
		case kDate, kTimestamp:
			s.dest[i] = &s.tm[i]
		case kJSON, kArray:
			s.dest[i] = &s.raw[i]
		default:
			// Text the JSON only copies is scanned as bytes: a string per
			// value per row would be garbage at once.
			if o.internal {
				s.dest[i] = &s.str[i]
			} else {
				s.dest[i] = &s.raw[i]
			}
		}
	}
	return s
}

// appendRow writes the current row as a JSON object with Zou's "type" key
// (none when typeName is empty or an output is itself named "type").
func (s *scanner) appendRow(b []byte, typeName string) []byte {
	b = append(b, '{')
	first := true
	for i, o := range s.outs {
		if o.internal {
			continue
		}
		if o.key == "type" {
			typeName = ""
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, o.key)
		b = append(b, ':')
		b = s.appendValue(b, i)
	}
	if typeName == "" {
		return append(b, '}')
	}
	if !first {
		b = append(b, ',')
	}
	b = append(b, `"type":`...)
	b = appendString(b, typeName)
	return append(b, '}')
}

func (s *scanner) appendValue(b []byte, i int) []byte {
	switch s.outs[i].kind {
	case kInt:
		if !s.i64[i].Valid {
			return append(b, "null"...)
		}
		return strconv.AppendInt(b, s.i64[i].Int64, 10)
	case kFloat:
		if !s.f64[i].Valid {
			return append(b, "null"...)
		}
		return appendFloat(b, s.f64[i].Float64)
	case kBool:
		if !s.b[i].Valid {
			return append(b, "null"...)
		}
		return strconv.AppendBool(b, s.b[i].Bool)
	case kDate:
		if !s.tm[i].Valid {
			return append(b, "null"...)
		}
		return appendTime(b, s.tm[i].Time, dateLayout)
	case kTimestamp:
		if !s.tm[i].Valid {
			return append(b, "null"...)
		}
		return appendTime(b, s.tm[i].Time.UTC(), timestampLayout)
	case kJSON, kArray:
		if s.raw[i] == nil {
			return append(b, "null"...)
		}
		return append(b, s.raw[i]...)
	}
	if s.raw[i] == nil {
		return append(b, "null"...)
	}
	return appendString(b, []byte(s.raw[i]))
}

// value returns the scanned string of output i (internal columns, ids).
func (s *scanner) value(i int) (string, bool) {
	switch s.outs[i].kind {
	case kBool:
		if s.b[i].Valid && s.b[i].Bool {
			return "true", true
		}
		return "false", s.b[i].Valid
	}
	return s.str[i].String, s.str[i].Valid
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
