package apptest

import (
	"context"
	"sync"

	"github.com/uptrace/bun"
)

// Queries is a bun query hook counting the statements sent to the database,
// for tests that pin a route's round trips (no N+1).
type Queries struct {
	mu      sync.Mutex
	queries []string
}

var _ bun.QueryHook = (*Queries)(nil)

// CountQueries attaches a counter to the env's database.
func (e *Env) CountQueries() *Queries {
	q := &Queries{}
	e.App.DB.AddQueryHook(q)
	return q
}

// BeforeQuery implements bun.QueryHook.
func (c *Queries) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// AfterQuery implements bun.QueryHook.
func (c *Queries) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	c.mu.Lock()
	c.queries = append(c.queries, ev.Query)
	c.mu.Unlock()
}

// Reset zeroes the counter and returns the statements seen since the last reset.
func (c *Queries) Reset() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.queries
	c.queries = nil
	return q
}
