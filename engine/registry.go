// Package engine is the generic machinery behind /data/<collection>: the model
// registry, query-string filters, CRUD over bun, Zou's JSON shape and errors.
// It names no entity: models register themselves through Add.
package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Registry holds every declared table and the collections mounted under /data.
type Registry struct {
	dialect schema.Dialect
	byName  map[string]*Collection
	byTable map[string]*Collection
	ordered []*Collection
}

// Relation is a collection relationship rendered as a list of ids
// (many-to-many through a join table, or one-to-many through a foreign key).
type Relation struct {
	Name        string // JSON key and filter name, e.g. "team"
	JoinTable   string // table holding the link rows
	OwnColumn   string // column of JoinTable pointing at this row
	OtherColumn string // column of JoinTable holding the related id
	Writable    bool   // accepted in create/update bodies
	Target      string // table OtherColumn references; resolved from the live schema at boot
	HasID       bool   // the join table has its own NOT NULL id column (entity_link…)
}

// Collection is one registered table, mounted under /data/<Name> unless it is link-only.
type Collection struct {
	Name     string // URL segment, e.g. "task-status"; empty for tables without a collection
	TypeName string // value of the "type" key, e.g. "TaskStatus"
	Table    *schema.Table
	Type     reflect.Type

	hidden          map[string]bool
	protected       map[string]bool
	updateProtected map[string]bool
	Relations       []Relation
	// ProjectExpr is an SQL expression over the row alias "t" giving the row's project id.
	ProjectExpr string
	// OwnerColumn names the column that ties a row to one person (condition "self").
	OwnerColumn string
	// CreatorColumn names the column that records who created the row (condition "creator").
	CreatorColumn string
	// keepCreator leaves CreatorColumn as the create body sets it (Author) instead of the caller.
	keepCreator bool
	// updateRelations makes PUT answer with the relations (Zou's post_update adds them for some models).
	updateRelations bool
	// EventName is the prefix of emitted events, e.g. "task-status".
	EventName string
	// Computed holds read-only columns computed in SQL, keyed by JSON name.
	Computed []ComputedColumn
	// ListCap bounds unpaginated lists (Zou caps /data/events at 1000).
	ListCap int
	// Hooks are optional per-entity behaviours.
	Hooks Hooks
	// Renames maps a column to the JSON key it is sent under (Notification.type → notification_type).
	Renames map[string]string
	// NestedRefs are scalar relationships serialised as nested objects.
	NestedRefs []NestedRef
	// AssignedSQL is a boolean SQL expression over "t" with one ? for the person id:
	// the row belongs to a task assigned to that person (condition "assigned").
	AssignedSQL string
	// WriteOnly lists hidden columns a create body may still set (Person.password).
	writeOnly map[string]bool
	cols      []*Column
	colByName map[string]*Column
	// Custom marks collections whose routes are hand-written (not mounted generically).
	Custom bool
	// linkOnly marks tables declared for schema checks but not mounted.
	linkOnly bool
	// nonEntity marks tables without id/created_at/updated_at.
	nonEntity bool
}

// ComputedColumn is a read-only key computed by SQL (e.g. Person.full_name).
type ComputedColumn struct {
	Name string
	SQL  string // expression over the row alias "t"
}

// NestedRef is a scalar relationship always serialised as a nested object (or null).
type NestedRef struct {
	Name   string // JSON key, e.g. "source_file"
	Column string // foreign key column of this row, e.g. "source_file_id"
	Table  string // referenced table, e.g. "working_file"
}

// Option configures a collection at registration.
type Option func(*Collection)

// Hidden marks columns that are never serialised nor filterable (passwords, secrets).
func Hidden(cols ...string) Option {
	return func(c *Collection) {
		for _, col := range cols {
			c.hidden[col] = true
		}
	}
}

// Protected marks columns a client can never write (id, created_at, updated_at always are).
func Protected(cols ...string) Option {
	return func(c *Collection) {
		for _, col := range cols {
			c.protected[col] = true
		}
	}
}

// UpdateProtected marks columns accepted on create but silently dropped on update.
func UpdateProtected(cols ...string) Option {
	return func(c *Collection) {
		for _, col := range cols {
			c.updateProtected[col] = true
		}
	}
}

// ManyToMany declares a relation rendered as a list of ids, stored in joinTable.
func ManyToMany(name, joinTable, ownCol, otherCol string) Option {
	return func(c *Collection) {
		c.Relations = append(c.Relations, Relation{Name: name, JoinTable: joinTable, OwnColumn: ownCol, OtherColumn: otherCol, Writable: true})
	}
}

// HasMany declares a read-only one-to-many relation (ids of otherTable rows whose fkCol is this row).
func HasMany(name, otherTable, fkCol string) Option {
	return func(c *Collection) {
		c.Relations = append(c.Relations, Relation{Name: name, JoinTable: otherTable, OwnColumn: fkCol, OtherColumn: "id"})
	}
}

// Project tells how to reach a row's project: an SQL expression over alias "t".
func Project(expr string) Option { return func(c *Collection) { c.ProjectExpr = expr } }

// Owner names the column that ties a row to a person, for the "self" condition.
func Owner(col string) Option { return func(c *Collection) { c.OwnerColumn = col } }

// Creator names the column recording the creating person, for the "creator"
// condition; a create sets it to the caller (Zou's entities and playlists).
func Creator(col string) Option { return func(c *Collection) { c.CreatorColumn = col } }

// Author names the column recording the row's author, for the "creator"
// condition, but keeps the value the create body sends (Zou's comments keep
// the body's person_id).
func Author(col string) Option {
	return func(c *Collection) { c.CreatorColumn, c.keepCreator = col, true }
}

// UpdateRelations makes PUT answer with the collection relations, as Zou's
// post_update does for persons (departments) and entity types (task_types).
func UpdateRelations() Option { return func(c *Collection) { c.updateRelations = true } }

// TypeName overrides the "type" key (defaults to the Go struct name).
func TypeName(name string) Option { return func(c *Collection) { c.TypeName = name } }

// Event overrides the event prefix (defaults to the table name with "_" → "-").
func Event(name string) Option { return func(c *Collection) { c.EventName = name } }

// Computed adds a read-only key computed in SQL over alias "t".
func Computed(name, sql string) Option {
	return func(c *Collection) { c.Computed = append(c.Computed, ComputedColumn{Name: name, SQL: sql}) }
}

// Rename sends column col under the JSON key key (filters still use the column name).
func Rename(col, key string) Option {
	return func(c *Collection) {
		if c.Renames == nil {
			c.Renames = map[string]string{}
		}
		c.Renames[col] = key
	}
}

// Nested serialises the row referenced by column as a nested object under name.
func Nested(name, column, table string) Option {
	return func(c *Collection) {
		c.NestedRefs = append(c.NestedRefs, NestedRef{Name: name, Column: column, Table: table})
	}
}

// Assigned sets the SQL of the "assigned" condition (one ? for the person id).
func Assigned(sql string) Option { return func(c *Collection) { c.AssignedSQL = sql } }

// WriteOnly lets a create body set hidden columns (a hook then transforms them, e.g. hashing).
func WriteOnly(cols ...string) Option {
	return func(c *Collection) {
		for _, col := range cols {
			c.writeOnly[col] = true
		}
	}
}

// ListCap bounds the unpaginated list of this collection.
func ListCap(n int) Option { return func(c *Collection) { c.ListCap = n } }

// WithHooks attaches per-entity behaviours.
func WithHooks(h Hooks) Option { return func(c *Collection) { c.Hooks = h } }

// Hooks are optional behaviours an entity may add to the generic CRUD.
type Hooks struct {
	// BeforeWrite validates or completes a row about to be inserted (before == nil)
	// or updated (before = the stored row), inside the write's transaction.
	BeforeWrite func(ctx context.Context, tx bun.IDB, row, before any, p *Principal) error
	// AfterWrite runs after the insert or update, in the same transaction (link rows, side rows).
	AfterWrite func(ctx context.Context, tx bun.IDB, row, before any, p *Principal) error
	// BeforeDelete runs inside the delete's transaction (refuse, or clean up links).
	BeforeDelete func(ctx context.Context, tx bun.IDB, id string, p *Principal, q url.Values) error
	// Visible narrows the keys a caller sees (nil map = all); one is true for single reads.
	Visible func(p *Principal, one bool) map[string]bool
	// FilterAllowed says whether the caller may filter on key.
	FilterAllowed func(p *Principal, key string) bool
	// FilterUpdate drops body keys the caller may not change (field-level rules).
	FilterUpdate func(p *Principal, projectRole string, body map[string]json.RawMessage) map[string]json.RawMessage
	// ListFilter handles query keys that are not columns (e.g. tasks?episode_id=).
	ListFilter func(q *bun.SelectQuery, p *Principal, extra url.Values) (*bun.SelectQuery, error)
	// MergeJSON merges JSONB bodies into the stored value instead of replacing it.
	MergeJSON bool
	// ListRelations serialises unfiltered lists with relations (Zou quirk of metadata descriptors).
	ListRelations bool
}

// NewRegistry returns an empty registry using the dialect's table metadata.
func NewRegistry(d schema.Dialect) *Registry {
	return &Registry{dialect: d, byName: map[string]*Collection{}, byTable: map[string]*Collection{}}
}

// Add registers model T under /data/<name>.
func Add[T any](r *Registry, name string, opts ...Option) *Collection {
	c := r.add(reflect.TypeFor[T](), name, opts)
	return c
}

// AddTable declares a table that has no /data collection (link tables, logs),
// so that schema checks and relations know it.
func AddTable[T any](r *Registry, opts ...Option) *Collection {
	c := r.add(reflect.TypeFor[T](), "", opts)
	c.linkOnly = true
	return c
}

func (r *Registry) add(typ reflect.Type, name string, opts []Option) *Collection {
	table := r.dialect.Tables().Get(typ)
	c := &Collection{
		Name:            name,
		TypeName:        typ.Name(),
		Table:           table,
		Type:            typ,
		hidden:          map[string]bool{},
		protected:       map[string]bool{"id": true, "created_at": true, "updated_at": true},
		updateProtected: map[string]bool{},
		writeOnly:       map[string]bool{},
		EventName:       strings.ReplaceAll(table.Name, "_", "-"),
	}
	if _, ok := table.FieldMap["id"]; !ok {
		c.nonEntity = true
	}
	if _, ok := fieldByName(table, "project_id"); ok {
		c.ProjectExpr = "t.project_id"
		c.updateProtected["project_id"] = true
	}
	for _, o := range opts {
		o(c)
	}
	// Zou's defaults are applied by the ORM, not the database: the engine applies
	// them itself (see Column.Default), so bun must never turn a zero value into
	// DEFAULT, which on a Zou-made database would mean NULL.
	c.columns()
	stripDefaults(table)
	if name != "" {
		if _, dup := r.byName[name]; dup {
			panic(fmt.Sprintf("engine: collection %q registered twice", name))
		}
		r.byName[name] = c
	}
	if _, dup := r.byTable[table.Name]; dup {
		panic(fmt.Sprintf("engine: table %q registered twice", table.Name))
	}
	r.byTable[table.Name] = c
	r.ordered = append(r.ordered, c)
	return c
}

// Collection returns the collection mounted at name.
func (r *Registry) Collection(name string) (*Collection, bool) {
	c, ok := r.byName[name]
	return c, ok
}

// Table returns the registration of a table by its SQL name.
func (r *Registry) Table(name string) (*Collection, bool) {
	c, ok := r.byTable[name]
	return c, ok
}

// Collections returns the mounted collections sorted by name.
func (r *Registry) Collections() []*Collection {
	var out []*Collection
	for _, c := range r.ordered {
		if !c.linkOnly {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Tables returns every registered table, mounted or not.
func (r *Registry) Tables() []*Collection { return r.ordered }

// IsHidden reports whether a column is never sent nor filterable.
func (c *Collection) IsHidden(col string) bool { return c.hidden[col] }

// stripDefaults makes bun write zero values as they are: with a default tag bun
// sends DEFAULT for a zero value, which is NULL on a Zou-made database (Zou's
// defaults live in the ORM), and a NOT NULL violation for notnull columns.
func stripDefaults(t *schema.Table) {
	for _, f := range t.Fields {
		f.SQLDefault = ""
	}
}

func fieldByName(t *schema.Table, name string) (*schema.Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}
