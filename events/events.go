// Package events publishes what changed, under Zou's event names, after commit.
// Delivery to Kitsu's socket comes later; for now events are persisted as
// api_event rows (as Zou does) and kept in memory for tests and diagnostics.
package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Event is one published change.
type Event struct {
	Name      string
	Data      map[string]any
	ProjectID string
	UserID    string
	At        time.Time
}

// Log persists events as api_event rows and remembers the last ones.
type Log struct {
	DB      *bun.DB // nil: memory only
	mu      sync.Mutex
	recent  []Event
	keep    int
	UserKey func(ctx context.Context) string // who caused it, when known
}

// NewLog returns a publisher writing to db (may be nil) and keeping the last keep events.
func NewLog(db *bun.DB, keep int) *Log { return &Log{DB: db, keep: keep} }

// Publish records an event; a failure to persist is logged, never returned,
// because the change it describes is already committed.
func (l *Log) Publish(ctx context.Context, name string, data map[string]any, projectID string) {
	name = strings.ToLower(name)
	if projectID != "" {
		data["project_id"] = projectID
	}
	ev := Event{Name: name, Data: data, ProjectID: projectID, At: time.Now().UTC()}
	if l.UserKey != nil {
		ev.UserID = l.UserKey(ctx)
	}
	l.mu.Lock()
	l.recent = append(l.recent, ev)
	if len(l.recent) > l.keep {
		l.recent = l.recent[len(l.recent)-l.keep:]
	}
	l.mu.Unlock()
	if l.DB == nil {
		return
	}
	payload, _ := json.Marshal(data)
	var user, project any
	if ev.UserID != "" {
		user = ev.UserID
	}
	if projectID != "" {
		project = projectID
	}
	_, err := l.DB.NewRaw(`INSERT INTO api_event (id, created_at, updated_at, name, user_id, project_id, data)
		VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)`, uuid.NewString(), ev.At, ev.At, name, user, project, string(payload)).Exec(context.WithoutCancel(ctx))
	if err != nil {
		slog.Warn("persist event", "name", name, "err", err)
	}
}

// Recent returns a copy of the last events, oldest first.
func (l *Log) Recent() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.recent...)
}
