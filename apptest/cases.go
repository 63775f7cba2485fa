package apptest

import (
	"fmt"
	"strings"
	"testing"
)

// Case is one row of a route table: who calls what, and what Zou answers.
// Path, and the string values of a map Body, may hold {placeholders} that
// Run fills from its vars.
type Case struct {
	Name   string
	As     *Person // nil = no token
	Method string
	Path   string
	Body   any
	Status int
	Keys   []string // keys the answer (an object, or each element of a list) must have
	NoKeys []string // keys it must not have
	Len    int      // when > 0, the list answer must have exactly this many elements
	Check  func(t *testing.T, r *Response)
}

// Run calls each case through the router as a subtest and checks its status,
// keys and length; vars fill {name} placeholders of the paths.
func (e *Env) Run(t *testing.T, vars map[string]string, cases []Case) {
	t.Helper()
	for _, c := range cases {
		path := c.Path
		for k, v := range vars {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
		name := c.Name
		if name == "" {
			name = c.Method + " " + path
		}
		t.Run(name, func(t *testing.T) {
			token := ""
			if c.As != nil {
				token = c.As.Token
			}
			r := e.Do(c.Method, path, fillBody(c.Body, vars), token)
			if r.Status != c.Status {
				t.Fatalf("%s %s: status %d, want %d; body: %s", c.Method, path, r.Status, c.Status, r.Body)
			}
			if len(c.Keys) > 0 || len(c.NoKeys) > 0 || c.Len > 0 {
				for i, obj := range objectsOf(t, r) {
					for _, k := range c.Keys {
						if _, ok := obj[k]; !ok {
							t.Errorf("%s %s: element %d has no key %q: %v", c.Method, path, i, k, obj)
						}
					}
					for _, k := range c.NoKeys {
						if _, ok := obj[k]; ok {
							t.Errorf("%s %s: element %d has key %q, which it must not", c.Method, path, i, k)
						}
					}
				}
				if c.Len > 0 {
					if n := len(r.List(t)); n != c.Len {
						t.Errorf("%s %s: %d elements, want %d: %s", c.Method, path, n, c.Len, r.Body)
					}
				}
			}
			if c.Check != nil {
				c.Check(t, r)
			}
		})
	}
}

// fillBody replaces the string values of a map body that are exactly a
// "{placeholder}" of vars; other bodies pass as they are.
func fillBody(body any, vars map[string]string) any {
	m, ok := body.(map[string]any)
	if !ok {
		return body
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if x, ok := vars[s[1:len(s)-1]]; ok {
				v = x
			}
		}
		out[k] = v
	}
	return out
}

// objectsOf is the answer as objects: itself, or the elements of a list
// (an empty list has none to check, which fails when keys are expected, so
// that a case cannot pass on an empty answer by accident).
func objectsOf(t *testing.T, r *Response) []map[string]any {
	t.Helper()
	switch v := r.JSON(t).(type) {
	case map[string]any:
		return []map[string]any{v}
	case []any:
		if len(v) == 0 {
			t.Errorf("answer is an empty list; the case expects keys: give it rows")
		}
		out := make([]map[string]any, 0, len(v))
		for _, x := range v {
			m, ok := x.(map[string]any)
			if !ok {
				t.Fatalf("list element is not an object: %s", fmt.Sprint(x))
			}
			out = append(out, m)
		}
		return out
	}
	t.Fatalf("answer is neither an object nor a list: %s", r.Body)
	return nil
}
