package routes

import (
	"fmt"
	"time"

	"github.com/zou-go/zou/engine"
)

// parseDateTime reads the datetimes clients send (ISO 8601 with or without
// T, zone or fraction, or a bare date) as UTC; 400 naming the key otherwise.
func parseDateTime(key, v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, engine.BadRequest(fmt.Sprintf("Invalid value for %s: %q is not a date.", key, v))
}
