// Package apptest builds the real server on a fresh PostgreSQL database for
// HTTP tests, with helpers to create people, log in and call routes.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zou-go/zou/app"
	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/dbtest"
)

// Env is one server on its own database.
type Env struct {
	T     testing.TB
	App   *app.App
	Admin *Person
}

// Person is a test account with a valid access token.
type Person struct {
	ID, Email, Password, Role string
	Token                     string
}

// Config is the configuration tests start from: dev secret, cheap bcrypt.
func Config() config.Config {
	c := config.Defaults()
	c.SecretKey = "test-secret-key-not-for-production"
	c.BcryptRounds = 4
	c.AutoMigrate = false // dbtest databases are cloned from a migrated template
	return c
}

// New starts a server with cfg (nil = Config()) on a fresh database and an admin account.
func New(t testing.TB, mutate ...func(*config.Config)) *Env {
	t.Helper()
	cfg := Config()
	for _, m := range mutate {
		m(&cfg)
	}
	db := dbtest.New(t)
	a, err := app.New(context.Background(), cfg, db)
	if err != nil {
		t.Fatalf("apptest: build app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	e := &Env{T: t, App: a}
	e.Admin = e.NewPerson("admin")
	return e
}

// NewGeneric is New with the router of the generic /data API alone (no
// hand-written areas): for the engine's own tests.
func NewGeneric(t testing.TB, mutate ...func(*config.Config)) *Env {
	t.Helper()
	e := New(t, mutate...)
	e.App.Handler = e.App.Server.GenericHandler()
	return e
}

var seq atomic.Int64

// NewPerson inserts an active person with role and returns it logged in.
func (e *Env) NewPerson(role string) *Person {
	e.T.Helper()
	n := seq.Add(1)
	p := &Person{ID: uuid.NewString(), Email: fmt.Sprintf("%s%d@example.com", role, n), Password: "secret-password", Role: role}
	hash, err := auth.HashPassword(p.Password, 4)
	if err != nil {
		e.T.Fatal(err)
	}
	now := time.Now().UTC()
	_, err = e.App.DB.NewRaw(`INSERT INTO person (id, created_at, updated_at, first_name, last_name, email, password, role,
		active, contract_type, is_bot, is_guest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, true, 'open-ended', false, false)`,
		p.ID, now, now, strings.ToUpper(role[:1])+role[1:], fmt.Sprint(n), p.Email, hash, role).Exec(context.Background())
	if err != nil {
		e.T.Fatalf("apptest: insert person: %v", err)
	}
	pair, err := e.App.Server.Auth.Signer.IssuePair(p.ID, auth.IdentityPerson)
	if err != nil {
		e.T.Fatal(err)
	}
	p.Token = pair.Access
	return p
}

// Response is a recorded answer.
type Response struct {
	Status int
	Body   []byte
	Header http.Header
}

// JSON decodes the body into a generic value.
func (r *Response) JSON(t testing.TB) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.Body)
	}
	return v
}

// Object decodes the body as a JSON object.
func (r *Response) Object(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.JSON(t).(map[string]any)
	if !ok {
		t.Fatalf("body is not a JSON object: %s", r.Body)
	}
	return m
}

// List decodes the body as a JSON array of objects.
func (r *Response) List(t testing.TB) []map[string]any {
	t.Helper()
	arr, ok := r.JSON(t).([]any)
	if !ok {
		t.Fatalf("body is not a JSON array: %s", r.Body)
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		out[i], _ = v.(map[string]any)
	}
	return out
}

// Do calls the server. body may be nil, a string/[]byte (sent as is) or a value (JSON-encoded).
func (e *Env) Do(method, path string, body any, token string, headers ...string) *Response {
	e.T.Helper()
	return e.DoFor(e.T, method, path, body, token, headers...)
}

// DoFor is Do reporting failures to t: parallel subtests sharing one Env
// report their own.
func (e *Env) DoFor(t testing.TB, method, path string, body any, token string, headers ...string) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	return &Response{Status: rec.Code, Body: rec.Body.Bytes(), Header: rec.Header()}
}

// Must calls the server and fails the test unless the status is want.
func (e *Env) Must(want int, method, path string, body any, token string) *Response {
	e.T.Helper()
	r := e.Do(method, path, body, token)
	if r.Status != want {
		e.T.Fatalf("%s %s: status %d, want %d; body: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// Create posts body to /data/<coll> as the admin and returns the new row.
func (e *Env) Create(coll string, body map[string]any) map[string]any {
	e.T.Helper()
	return e.Must(http.StatusCreated, "POST", "/data/"+coll, body, e.Admin.Token).Object(e.T)
}

// AddToTeam puts a person in a project's team, optionally with a per-project role.
func (e *Env) AddToTeam(projectID, personID, role string) {
	e.T.Helper()
	var r any
	if role != "" {
		r = role
	}
	_, err := e.App.DB.NewRaw("INSERT INTO project_person_link (project_id, person_id, role) VALUES (?, ?, ?)", projectID, personID, r).Exec(context.Background())
	if err != nil {
		e.T.Fatalf("apptest: add to team: %v", err)
	}
}
