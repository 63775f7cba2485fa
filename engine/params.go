package engine

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Limits that keep one request from asking for unbounded work.
const (
	MaxPageSize   = 10000
	MaxInListSize = 1000
)

// filterOp is how a filter compares.
type filterOp int

const (
	opEq filterOp = iota
	opIn
	opILike
	opRelation
)

// String names the comparison, for tests and logs.
func (o filterOp) String() string {
	switch o {
	case opEq:
		return "eq"
	case opIn:
		return "in"
	case opILike:
		return "ilike"
	case opRelation:
		return "relation"
	}
	return fmt.Sprintf("filterOp(%d)", int(o))
}

// Filter is one parsed query-string filter; values are already cast.
type Filter struct {
	Key      string
	Column   *Column
	Relation *Relation
	Computed *ComputedColumn
	Op       filterOp
	Values   []any
}

// ListParams is a parsed list query string.
type ListParams struct {
	Filtered  bool // any query string at all switches to Zou's filtered branch
	Page      int  // -1 = not paginated
	Limit     int
	Relations bool
	Fields    map[string]bool
	Filters   []Filter
	Extra     url.Values // keys that are neither reserved nor columns, for hooks
}

// ParseList turns a query string into typed filters. allowed reports whether the
// caller may filter on a column (hidden columns never). It touches no database.
func ParseList(c *Collection, q url.Values, defaultLimit int, allowed func(key string) bool) (*ListParams, error) {
	p := &ListParams{Page: -1, Limit: defaultLimit, Filtered: len(q) > 0, Extra: url.Values{}}
	if v, ok := q["page"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil {
			return nil, BadRequest("page must be an integer.")
		}
		if n < 1 && n != -1 {
			// -1 is Zou's "no pages" (a bare list); other values below 1
			// make Zou compute a negative offset and fail in the database.
			return nil, BadRequest("page must be 1 or more (or -1 for the whole list).")
		}
		p.Page = n
	}
	if v, ok := q["limit"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil {
			return nil, BadRequest("limit must be an integer.")
		}
		if n > 0 {
			p.Limit = n
		}
	}
	if p.Limit <= 0 {
		p.Limit = 100
	}
	p.Limit = min(p.Limit, MaxPageSize)
	if v, ok := q["relations"]; ok {
		p.Relations = strings.EqualFold(v[0], "true")
	}
	if v, ok := q["fields"]; ok && v[0] != "" {
		p.Fields = map[string]bool{}
		for _, f := range strings.Split(v[0], ",") {
			p.Fields[strings.TrimSpace(f)] = true
		}
	}
	for key, vals := range q {
		switch key {
		case "page", "limit", "relations", "fields":
			continue
		}
		value := vals[0]
		f, err := c.parseFilter(key, value, allowed)
		if err != nil {
			return nil, err
		}
		if f == nil {
			p.Extra[key] = vals
			continue
		}
		p.Filters = append(p.Filters, *f)
	}
	return p, nil
}

func (c *Collection) parseFilter(key, value string, allowed func(string) bool) (*Filter, error) {
	notAllowed := BadRequest(fmt.Sprintf("Filtering on %s is not allowed.", key))
	if rel, ok := c.relation(key); ok {
		if allowed != nil && !allowed(key) {
			return nil, notAllowed
		}
		id, err := castUUID(value)
		if err != nil {
			return nil, err
		}
		return &Filter{Key: key, Relation: rel, Op: opRelation, Values: []any{id}}, nil
	}
	for i := range c.Computed {
		if c.Computed[i].Name == key {
			if allowed != nil && !allowed(key) {
				return nil, notAllowed
			}
			if strings.ContainsRune(value, 0) {
				return nil, BadRequest(fmt.Sprintf("Invalid value for %s: %q is not a valid text.", key, value))
			}
			return &Filter{Key: key, Computed: &c.Computed[i], Op: opEq, Values: []any{value}}, nil
		}
	}
	col, ok := c.Column(key)
	if !ok {
		return nil, nil
	}
	if col.Hidden || col.kind == kBytes || (allowed != nil && !allowed(key)) {
		return nil, notAllowed
	}
	if key == "name" {
		if strings.ContainsRune(value, 0) {
			return nil, invalidFilter(col, value)
		}
		return &Filter{Key: key, Column: col, Op: opILike, Values: []any{value}}, nil
	}
	if strings.HasPrefix(value, "[") {
		var items []any
		if err := json.Unmarshal([]byte(value), &items); err != nil {
			return nil, BadRequest(fmt.Sprintf("Malformed list filter for field %s.", key))
		}
		if len(items) > MaxInListSize {
			return nil, BadRequest(fmt.Sprintf("Too many values in list filter for field %s (at most %d).", key, MaxInListSize))
		}
		vals := make([]any, 0, len(items))
		for _, it := range items {
			s, ok := scalarString(it)
			if !ok {
				return nil, BadRequest(fmt.Sprintf("Malformed list filter for field %s.", key))
			}
			v, err := castFilterValue(col, s)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		return &Filter{Key: key, Column: col, Op: opIn, Values: vals}, nil
	}
	v, err := castFilterValue(col, value)
	if err != nil {
		return nil, err
	}
	return &Filter{Key: key, Column: col, Op: opEq, Values: []any{v}}, nil
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// castFilterValue casts a query-string value to the column's type. Zou lets
// PostgreSQL cast and answers 500 on failure; we answer 400 naming the column.
func castFilterValue(col *Column, s string) (any, error) {
	if strings.ContainsRune(s, 0) { // PostgreSQL text never holds NUL (bun refuses to quote it)
		return nil, invalidFilter(col, s)
	}
	switch col.kind {
	case kUUID:
		return castUUID(s)
	case kBool:
		b, ok := ParseBool(s)
		if !ok {
			return nil, BadRequest("Invalid boolean value: " + s)
		}
		return b, nil
	case kInt:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || (col.SQLType == "integer" && (n > 1<<31-1 || n < -1<<31)) {
			return nil, invalidFilter(col, s)
		}
		return n, nil
	case kFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, invalidFilter(col, s)
		}
		return f, nil
	case kDate:
		if _, err := time.Parse(dateLayout, s); err != nil {
			return nil, invalidFilter(col, s)
		}
		return s, nil
	case kTimestamp:
		t, ok := ParseDateTime(s)
		if !ok {
			return nil, invalidFilter(col, s)
		}
		return t.Format("2006-01-02 15:04:05.999999"), nil
	case kJSON:
		if !json.Valid([]byte(s)) {
			return nil, invalidFilter(col, s)
		}
		return s, nil
	case kArray:
		return nil, BadRequest(fmt.Sprintf("Filtering on %s is not allowed.", col.Name))
	}
	return s, nil
}

func invalidFilter(col *Column, s string) error {
	return BadRequest(fmt.Sprintf("Invalid value for %s: %q is not a valid %s.", col.Name, s, col.SQLType))
}

func castUUID(s string) (string, error) {
	if !IsUUID(s) {
		return "", BadRequest("Invalid UUID value: " + s)
	}
	return strings.ToLower(s), nil
}

// IsUUID reports whether s has Zou's UUID shape (8-4-4-4-12 hex digits).
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// ParseBool accepts Zou's boolean spellings (y/yes/t/true/on/1 and their negatives).
func ParseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "t", "true", "on", "1":
		return true, true
	case "n", "no", "f", "false", "off", "0":
		return false, true
	}
	return false, false
}

var dateTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999",
	"2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01-02T15:04:05Z07:00",
}

// ParseDateTime parses ISO 8601 dates and datetimes; offsets are converted to naive UTC.
func ParseDateTime(s string) (time.Time, bool) {
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
