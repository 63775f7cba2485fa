package routes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// What every hand-written route builds on: the caller's access checks, body
// decoding with Zou's error shapes, and the event publisher.

// handler is the signature of an authenticated hand-written route: it
// answers a status and a JSON body (already encoded, or a value to encode).
type handler func(c *gin.Context, who *access.Caller) (int, any, error)

// route adapts a handler to gin behind the engine's authentication check and
// its one error writer.
func (s *Server) route(fn handler) gin.HandlerFunc {
	return s.Engine.Handle(func(c *gin.Context, p *engine.Principal) (int, []byte, error) {
		status, body, err := fn(c, access.New(s.DB, p))
		if err != nil {
			return 0, nil, err
		}
		if status == http.StatusNoContent {
			return status, nil, nil
		}
		b, err := encode(body)
		return status, b, err
	})
}

// encode writes a handler's answer: raw JSON passes through, values are
// marshalled ([]byte(nil) and nil slices become []).
func encode(body any) ([]byte, error) {
	switch b := body.(type) {
	case []byte:
		if b == nil {
			return []byte("[]"), nil
		}
		return b, nil
	case json.RawMessage:
		return b, nil
	case nil:
		return []byte("{}"), nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode answer: %w", err)
	}
	if string(b) == "null" {
		return []byte("[]"), nil
	}
	return b, nil
}

// bodyObject reads a JSON object body (415 for another content type, 413
// past the size cap, 400 for malformed JSON or another JSON type).
func bodyObject(c *gin.Context) (map[string]json.RawMessage, error) {
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return nil, err
	}
	return engine.ParseObject(raw)
}

// optionalBody is bodyObject for routes whose body may be absent or empty
// (Zou reads request.json or {} there): no body is an empty object.
func optionalBody(c *gin.Context) (map[string]json.RawMessage, error) {
	if c.Request.ContentLength == 0 && c.GetHeader("Content-Type") == "" {
		return map[string]json.RawMessage{}, nil
	}
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	return engine.ParseObject(raw)
}

// decodeBody reads a JSON object body into dst, strictly typed: a value of
// the wrong JSON type is a 400 naming the field.
func decodeBody(c *gin.Context, dst any) error {
	raw, err := engine.ReadJSONBody(c)
	if err != nil {
		return err
	}
	if _, err := engine.ParseObject(raw); err != nil {
		return err
	}
	return decodeJSON(raw, dst)
}

// decodeJSON unmarshals with Zou's 400 for values of the wrong type.
func decodeJSON(raw []byte, dst any) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return engine.BadRequest(fmt.Sprintf("Invalid value for %s: expected %s.", typeErr.Field, typeErr.Type))
		}
		return engine.BadRequest("Failed to decode JSON object: " + err.Error())
	}
	return nil
}

// field reads one key of a body as T; a missing or null key is the zero
// value and present=false; a value of another type is a 400 naming the key.
func field[T any](m map[string]json.RawMessage, key string) (v T, present bool, err error) {
	raw, ok := m[key]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return v, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, true, engine.BadRequest(fmt.Sprintf("Invalid value for %s.", key))
	}
	return v, true, nil
}

// requiredString reads a non-empty string key (400 "<key> is missing" otherwise).
func requiredString(m map[string]json.RawMessage, key string) (string, error) {
	v, ok, err := field[string](m, key)
	if err != nil {
		return "", err
	}
	if !ok || strings.TrimSpace(v) == "" {
		return "", engine.BadRequest(fmt.Sprintf("The field %s is missing.", key))
	}
	return v, nil
}

// idField reads a key holding a UUID (400 when malformed); "" when absent.
func idField(m map[string]json.RawMessage, key string) (string, error) {
	v, ok, err := field[string](m, key)
	if err != nil || !ok || v == "" {
		return "", err
	}
	if !engine.IsUUID(v) {
		return "", engine.BadRequest(fmt.Sprintf("Invalid value for %s: %q is not an id.", key, v))
	}
	return strings.ToLower(v), nil
}

// idList reads a key holding a list of UUIDs.
func idList(m map[string]json.RawMessage, key string) ([]string, error) {
	v, _, err := field[[]string](m, key)
	if err != nil {
		return nil, err
	}
	for i, id := range v {
		if !engine.IsUUID(id) {
			return nil, engine.BadRequest(fmt.Sprintf("Invalid value for %s: %q is not an id.", key, id))
		}
		v[i] = strings.ToLower(id)
	}
	return v, nil
}

// pathDate parses a YYYY-MM-DD path or query value (400 otherwise).
func pathDate(s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, engine.BadRequest("Wrong date format for " + strconv.Quote(s) + ", expected YYYY-MM-DD.")
	}
	return d, nil
}

// publish emits one of Zou's events after the change it describes has committed.
func (s *Server) publish(ctx context.Context, name string, data map[string]any, projectID string) {
	if s.Engine.Events != nil {
		s.Engine.Events.Publish(ctx, name, data, projectID)
	}
}

// boolQuery reads a query flag the way Zou's get_bool_parameter does: only
// "true" (any case) is true; absent is def.
func boolQuery(c *gin.Context, key string, def bool) bool {
	v, ok := c.GetQuery(key)
	if !ok {
		return def
	}
	return strings.EqualFold(v, "true")
}

// nullIfEmpty is nil for "", so an empty id or text is written as NULL.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
