package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Authorizer answers under which row conditions a role may act on a collection.
type Authorizer interface {
	Conditions(role, obj, act string) []string
}

// Publisher receives the events of committed changes (<name>:new|update|delete).
type Publisher interface {
	Publish(ctx context.Context, name string, data map[string]any, projectID string)
}

// Engine runs the generic CRUD of every registered collection.
type Engine struct {
	Reg          *Registry
	DB           *bun.DB
	Authz        Authorizer
	Events       Publisher
	DefaultLimit int
}

// Actions checked against the policy.
const (
	ActRead   = "read"
	ActCreate = "create"
	ActUpdate = "update"
	ActDelete = "delete"
)

// EffectiveRole is the role that counts inside a project: the per-project role
// when set (admin in that slot is ignored), else the global one; admins stay admins.
func EffectiveRole(global, perProject string) string {
	if global == "admin" || perProject == "" || perProject == "admin" {
		return global
	}
	return perProject
}

func (e *Engine) conditions(role string, c *Collection, act string) []string {
	if e.Authz == nil {
		return nil
	}
	return e.Authz.Conditions(role, c.Name, act)
}

// readHooks asks the collection which keys this caller may see and filter on.
func (c *Collection) visibleFor(p *Principal, one bool) map[string]bool {
	if c.Hooks.Visible == nil {
		return nil
	}
	return c.Hooks.Visible(p, one)
}

// List answers GET /data/<collection> with Zou's bare array or page envelope.
func (e *Engine) List(ctx context.Context, c *Collection, p *Principal, query url.Values) ([]byte, error) {
	conds := e.conditions(p.Role, c, ActRead)
	if len(conds) == 0 {
		return nil, Forbidden()
	}
	allowed := func(key string) bool { return true }
	if c.Hooks.FilterAllowed != nil {
		allowed = func(key string) bool { return c.Hooks.FilterAllowed(p, key) }
	}
	params, err := ParseList(c, query, e.DefaultLimit, allowed)
	if err != nil {
		return nil, err
	}
	outs, err := e.outputs(c, readSpec{relations: params.Relations, fields: params.Fields, visible: c.visibleFor(p, false)})
	if err != nil {
		return nil, err
	}
	if c.Hooks.ListRelations && !params.Filtered {
		outs, _ = e.outputs(c, readSpec{relations: true, visible: c.visibleFor(p, false)})
	}
	where := func(sq *bun.SelectQuery) (*bun.SelectQuery, bool, error) {
		sq = applyFilters(sq, params.Filters)
		if c.Hooks.ListFilter != nil {
			var err error
			if sq, err = c.Hooks.ListFilter(sq, p, params.Extra); err != nil {
				return sq, false, err
			}
		}
		sq, ok := e.scope(sq, c, p, conds)
		return sq, ok, nil
	}
	sq, ok, err := where(e.baseSelect(e.DB, c, outs))
	if err != nil {
		return nil, err
	}
	paginated := params.Page >= 0
	if !ok {
		if paginated {
			return envelope(nil, 0, params), nil
		}
		return []byte("[]"), nil
	}
	if !paginated {
		if c.ListCap > 0 {
			sq = sq.Limit(int64(c.ListCap))
		}
		return e.stream(ctx, sq, outs, c.TypeName, []byte{'['})
	}
	countQ, _, _ := where(e.DB.NewSelect().TableExpr("? AS t", bun.Ident(c.Table.Name)))
	total, err := countQ.Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", c.Name, err)
	}
	offset := (params.Page - 1) * params.Limit
	if params.Page < 1 || int64(offset) > total {
		return envelope(nil, total, params), nil
	}
	sq = sq.OrderExpr("t.updated_at DESC, t.created_at DESC, t.id ASC").Limit(int64(params.Limit)).Offset(int64(offset))
	rows, err := e.stream(ctx, sq, outs, c.TypeName, []byte{'['})
	if err != nil {
		return nil, err
	}
	return envelope(rows, total, params), nil
}

func envelope(rows []byte, total int64, p *ListParams) []byte {
	if rows == nil {
		rows = []byte("[]")
	}
	nbPages := int64(math.Ceil(float64(total) / float64(p.Limit)))
	b := make([]byte, 0, len(rows)+128)
	b = append(b, `{"data":`...)
	b = append(b, rows...)
	b = fmt.Appendf(b, `,"total":%d,"nb_pages":%d,"limit":%d,"offset":%d,"page":%d}`, total, nbPages, p.Limit, (p.Page-1)*p.Limit, p.Page)
	return b
}

// stream runs a read query and writes each row as JSON as it arrives. Rows go
// into fixed-size chunks joined once at the end: growing one slice to a
// multi-megabyte answer would copy it several times over.
func (e *Engine) stream(ctx context.Context, q *bun.SelectQuery, outs []output, typeName string, b []byte) ([]byte, error) {
	rows, err := q.Rows(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	const chunkSize = 64 << 10
	s := newScanner(outs)
	var full [][]byte
	size := len(b)
	cur := append(make([]byte, 0, chunkSize), b...)
	n := 0
	for rows.Next() {
		if err := rows.Scan(s.dest...); err != nil {
			return nil, err
		}
		if len(cur) > chunkSize-4<<10 {
			full = append(full, cur)
			size += len(cur)
			cur = make([]byte, 0, chunkSize)
		}
		if n > 0 {
			cur = append(cur, ',')
		}
		cur = s.appendRow(cur, typeName)
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cur = append(cur, ']')
	if len(full) == 0 {
		return cur, nil
	}
	out := make([]byte, 0, size+len(cur))
	for _, c := range full {
		out = append(out, c...)
	}
	return append(out, cur...), nil
}

// rowAccess is what a single-row read learns about the caller's rights on it.
type rowAccess struct {
	project, prole, owner, creator string
	member, assigned               bool
}

func (a rowAccess) holds(cond string, p *Principal, c *Collection) bool {
	switch cond {
	case "all":
		return true
	case "team":
		return c.ProjectExpr != "" && a.member
	case "self":
		return c.OwnerColumn != "" && a.owner == p.PersonID
	case "creator":
		return c.CreatorColumn != "" && a.creator == p.PersonID
	case "assigned":
		return a.assigned
	}
	return false
}

// authorizeRow resolves the effective role in the row's project and checks the
// policy: 403 when the role may never act, 404 when this row is out of its reach.
func (e *Engine) authorizeRow(c *Collection, p *Principal, act string, a rowAccess) error {
	role := EffectiveRole(p.Role, a.prole)
	conds := e.conditions(role, c, act)
	if len(conds) == 0 {
		return Forbidden()
	}
	for _, cond := range conds {
		if a.holds(cond, p, c) {
			return nil
		}
	}
	if act == ActRead {
		return NotFound()
	}
	// The caller can see the row (or not): only say 404 when it cannot.
	for _, cond := range e.conditions(role, c, ActRead) {
		if a.holds(cond, p, c) {
			return Forbidden()
		}
	}
	return NotFound()
}

// fetchOne reads one row as JSON plus what is needed to authorise it, in one query.
func (e *Engine) fetchOne(ctx context.Context, db bun.IDB, c *Collection, p *Principal, id string, spec readSpec) ([]byte, rowAccess, error) {
	var a rowAccess
	if !IsUUID(id) {
		return nil, a, MalformedID()
	}
	outs, err := e.outputs(c, spec)
	if err != nil {
		return nil, a, err
	}
	q := e.baseSelect(db, c, outs)
	var perm []string
	if p != nil && !p.IsAdmin() {
		q, perm = e.permOutputs(q, c, p)
		for _, name := range perm {
			outs = append(outs, output{key: name, kind: permKind(name), internal: true})
		}
	}
	q = q.Where("t.id = ?", id)
	rows, err := q.Rows(ctx)
	if err != nil {
		return nil, a, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, a, err
		}
		return nil, a, NotFound()
	}
	s := newScanner(outs)
	if err := rows.Scan(s.dest...); err != nil {
		return nil, a, err
	}
	body := s.appendRow(nil, c.TypeName)
	for i, o := range outs {
		if !o.internal {
			continue
		}
		v, _ := s.value(i)
		switch o.key {
		case "__project":
			a.project = v
		case "__prole":
			a.prole = v
		case "__member":
			a.member = v == "true"
		case "__owner":
			a.owner = v
		case "__creator":
			a.creator = v
		case "__assigned":
			a.assigned = v == "true"
		}
	}
	return body, a, rows.Err()
}

// Get answers GET /data/<collection>/<id>; relations default to true as in Zou.
func (e *Engine) Get(ctx context.Context, c *Collection, p *Principal, id string, q url.Values) ([]byte, error) {
	// Zou: get_bool_parameter("relations", "true"), i.e. absent → true,
	// present → whether it reads "true" in any case.
	relations := true
	if v, ok := q["relations"]; ok {
		relations = strings.EqualFold(v[0], "true")
	}
	body, access, err := e.fetchOne(ctx, e.DB, c, p, id, readSpec{relations: relations, visible: c.visibleFor(p, true)})
	if err != nil {
		return nil, err
	}
	if !p.IsAdmin() {
		if err := e.authorizeRow(c, p, ActRead, access); err != nil {
			return nil, err
		}
	}
	return body, nil
}

// projectAccess answers, for a create, the caller's role and membership in the body's project.
func (e *Engine) projectAccess(ctx context.Context, p *Principal, projectID string) (rowAccess, error) {
	a := rowAccess{project: projectID}
	if projectID == "" {
		return a, nil
	}
	var role sql.NullString
	var n int
	err := e.DB.NewSelect().TableExpr("project_person_link").ColumnExpr("role").ColumnExpr("1").
		Where("project_id = ? AND person_id = ?", projectID, p.PersonID).Scan(ctx, &role, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	a.member, a.prole = true, role.String
	return a, nil
}

// authorizeCreate checks a non-admin's create right from the raw body: the
// effective role in the body's project, and the conditions the body can meet
// (team: member of that project; self: the owner key is the caller; creator:
// always, the engine stamps the creator).
func (e *Engine) authorizeCreate(ctx context.Context, c *Collection, p *Principal, m map[string]json.RawMessage) error {
	projectID, err := e.bodyProject(ctx, c, m)
	if err != nil {
		return err
	}
	a, err := e.projectAccess(ctx, p, projectID)
	if err != nil {
		return err
	}
	if col, ok := c.Column(c.OwnerColumn); ok && c.OwnerColumn != "" && !c.protected[col.Name] {
		a.owner = rawID(m[col.Key])
	}
	a.creator = p.PersonID
	if c.keepCreator { // the body names the author
		a.creator = rawID(m[c.CreatorColumn])
	}
	for _, cond := range e.conditions(EffectiveRole(p.Role, a.prole), c, ActCreate) {
		if a.holds(cond, p, c) {
			return nil
		}
	}
	return Forbidden()
}

// bodyProject resolves the project a create body belongs to: its project_id,
// or, for rows whose project is reached through another row (a schedule
// version, a task...), ProjectExpr evaluated over the body's ids. "" = none.
func (e *Engine) bodyProject(ctx context.Context, c *Collection, m map[string]json.RawMessage) (string, error) {
	if c.ProjectExpr == "" || c.ProjectExpr == "t.id" { // a new project is no member's yet
		return "", nil
	}
	if c.ProjectExpr == "t.project_id" {
		if col, ok := c.Column("project_id"); ok {
			return rawID(m[col.Key]), nil
		}
		return "", nil
	}
	// A one-row stand-in for "t" holding every uuid column of the collection
	// (NULL unless the body gives a valid id), so that any ProjectExpr can run.
	var cols []string
	var args []any
	given := false
	for _, col := range c.columns() {
		if col.kind != kUUID {
			continue
		}
		v := ""
		if !c.protected[col.Name] {
			v = rawID(m[col.Key])
		}
		given = given || v != ""
		cols = append(cols, "?::uuid AS "+quoteIdent(col.Name))
		if v == "" {
			args = append(args, nil)
		} else {
			args = append(args, v)
		}
	}
	if !given {
		return "", nil
	}
	var project sql.NullString
	err := e.DB.NewRaw("SELECT ("+c.ProjectExpr+")::text FROM (SELECT "+strings.Join(cols, ", ")+") AS t", args...).Scan(ctx, &project)
	if err != nil {
		return "", fmt.Errorf("resolve project of %s: %w", c.Name, err)
	}
	return project.String, nil
}

// rawID reads a JSON string holding a UUID, lower-cased; anything else is "".
func rawID(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil || !IsUUID(s) {
		return ""
	}
	return strings.ToLower(s)
}

// Create answers POST /data/<collection>: 201 with the new row and its relations.
func (e *Engine) Create(ctx context.Context, c *Collection, p *Principal, body []byte) ([]byte, error) {
	m, err := ParseObject(body)
	if err != nil {
		return nil, err
	}
	// Authorise on the raw body before validating it, as Zou does
	// (check_create_permissions comes first): a caller without the right
	// gets 403, never a 400 that describes the schema.
	if !p.IsAdmin() {
		if err := e.authorizeCreate(ctx, c, p, m); err != nil {
			return nil, err
		}
	}
	id, out, projectID, err := e.insert(ctx, e.DB, c, p, m)
	if err != nil {
		return nil, err
	}
	e.publish(ctx, c, "new", id, projectID)
	return out, nil
}

// Insert creates a row of c from body values as POST /data/<c> does (casts,
// Zou's defaults, the creator stamp, hooks, relations), without the policy
// check and without publishing: for routes that decided the caller may, and
// that name their own event. db may be a transaction. It returns the new id
// and the row as JSON.
func (e *Engine) Insert(ctx context.Context, db bun.IDB, c *Collection, p *Principal, m map[string]json.RawMessage) (string, []byte, error) {
	id, out, _, err := e.insert(ctx, db, c, p, m)
	return id, out, err
}

func (e *Engine) insert(ctx context.Context, db bun.IDB, c *Collection, p *Principal, m map[string]json.RawMessage) (string, []byte, string, error) {
	row := reflect.New(c.Type)
	strct := row.Elem()
	set := map[string]bool{}
	rels := map[*Relation][]string{}
	for key, raw := range m {
		if c.protected[key] {
			continue
		}
		if rel, ok := c.relation(key); ok && rel.Writable {
			ids, err := relationIDs(key, raw)
			if err != nil {
				return "", nil, "", err
			}
			rels[rel] = ids
			continue
		}
		col, ok := c.Column(key)
		if !ok || (col.Hidden && !c.writeOnly[key]) {
			return "", nil, "", Plain400(fmt.Sprintf("'%s' is an invalid keyword argument for %s", key, c.TypeName))
		}
		if err := assign(col, strct, raw, true); err != nil {
			return "", nil, "", err
		}
		set[key] = true
	}
	for _, col := range c.columns() {
		if set[col.Name] || col.Default == "" {
			continue
		}
		if err := assign(col, strct, literalJSON(col.Default), true); err != nil {
			return "", nil, "", fmt.Errorf("default of %s.%s: %w", c.Table.Name, col.Name, err)
		}
		set[col.Name] = true
	}
	projectID := ""
	if col, ok := c.Column("project_id"); ok && c.ProjectExpr == "t.project_id" {
		projectID = stringOf(col.Field.Value(strct))
	}
	if c.CreatorColumn != "" && !c.keepCreator && p != nil && p.PersonID != "" {
		if col, ok := c.Column(c.CreatorColumn); ok {
			if err := assign(col, strct, json.RawMessage(`"`+p.PersonID+`"`), true); err == nil {
				set[c.CreatorColumn] = true
			}
		}
	}
	for _, col := range c.columns() {
		if col.NotNull && !set[col.Name] && !c.protected[col.Name] {
			return "", nil, "", Plain400WithField(MsgNotNull, col.Key)
		}
	}
	id := uuid.New()
	now := time.Now().UTC().Truncate(time.Microsecond)
	setIfPresent(c, strct, "id", reflect.ValueOf(id))
	setIfPresent(c, strct, "created_at", reflect.ValueOf(&now))
	setIfPresent(c, strct, "updated_at", reflect.ValueOf(&now))
	var out []byte
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if c.Hooks.BeforeWrite != nil {
			if err := c.Hooks.BeforeWrite(ctx, tx, row.Interface(), nil, p); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(row.Interface()).Exec(ctx); err != nil {
			return FromDB(err)
		}
		if err := e.writeRelations(ctx, tx, id.String(), rels); err != nil {
			return err
		}
		if c.Hooks.AfterWrite != nil {
			if err := c.Hooks.AfterWrite(ctx, tx, row.Interface(), nil, p); err != nil {
				return err
			}
		}
		var err error
		out, _, err = e.fetchOne(ctx, tx, c, nil, id.String(), readSpec{relations: true, visible: c.visibleFor(p, true)})
		return err
	})
	if err != nil {
		return "", nil, "", FromDB(err)
	}
	return id.String(), out, projectID, nil
}

func stringOf(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case uuid.UUID:
		if x == uuid.Nil {
			return ""
		}
		return x.String()
	case string:
		return x
	}
	return fmt.Sprint(v.Interface())
}

func setIfPresent(c *Collection, strct reflect.Value, name string, v reflect.Value) {
	if col, ok := c.Column(name); ok {
		fv := col.Field.Value(strct)
		if v.Type().AssignableTo(fv.Type()) {
			fv.Set(v)
		} else if v.Kind() == reflect.Pointer && v.Elem().Type().AssignableTo(fv.Type()) {
			fv.Set(v.Elem())
		}
	}
}

// relationIDs accepts Zou's two spellings: ["id", …] or [{"id": …}, …].
func relationIDs(key string, raw json.RawMessage) ([]string, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, BadRequest(fmt.Sprintf("Invalid value for %s: expected a list of ids.", key))
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) != nil {
			var obj struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(it, &obj) != nil {
				return nil, BadRequest(fmt.Sprintf("Invalid value for %s: expected a list of ids.", key))
			}
			s = obj.ID
		}
		if !IsUUID(s) {
			return nil, BadRequest(fmt.Sprintf("Invalid value for %s: %q is not an id.", key, s))
		}
		ids = append(ids, s)
	}
	return ids, nil
}

// writeRelations replaces the link rows of each given relation. Ids of rows that
// do not exist are dropped, as Zou drops them.
func (e *Engine) writeRelations(ctx context.Context, tx bun.IDB, id string, rels map[*Relation][]string) error {
	for rel, ids := range rels {
		if _, err := tx.NewDelete().TableExpr("?", bun.Ident(rel.JoinTable)).Where("? = ?", bun.Ident(rel.OwnColumn), id).Exec(ctx); err != nil {
			return err
		}
		if len(ids) == 0 {
			continue
		}
		if rel.Target == "" {
			return fmt.Errorf("relation %s: target table unknown (registry not checked against the schema)", rel.Name)
		}
		idCol, idVal := "", ""
		if rel.HasID {
			idCol, idVal = "id, ", "gen_random_uuid(), "
		}
		_, err := tx.NewRaw("INSERT INTO ? ("+idCol+"?, ?) SELECT "+idVal+"?::uuid, x.id FROM ? x WHERE x.id IN (?) ON CONFLICT DO NOTHING",
			bun.Ident(rel.JoinTable), bun.Ident(rel.OwnColumn), bun.Ident(rel.OtherColumn), id, bun.Ident(rel.Target), bun.List(ids)).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// Update answers PUT /data/<collection>/<id>: a partial update, 200 with the row.
func (e *Engine) Update(ctx context.Context, c *Collection, p *Principal, id string, body []byte) ([]byte, error) {
	m, err := ParseObject(body)
	if err != nil {
		return nil, err
	}
	if !IsUUID(id) {
		return nil, MalformedID()
	}
	_, access, err := e.fetchOne(ctx, e.DB, c, p, id, readSpec{fields: map[string]bool{}})
	if err != nil {
		return nil, err
	}
	if !p.IsAdmin() {
		if err := e.authorizeRow(c, p, ActUpdate, access); err != nil {
			return nil, err
		}
	}
	if c.Hooks.FilterUpdate != nil {
		m = c.Hooks.FilterUpdate(p, access.prole, m)
	}
	out, err := e.Patch(ctx, e.DB, c, p, id, m)
	if err != nil {
		return nil, err
	}
	e.publish(ctx, c, "update", id, access.project)
	return out, nil
}

// Patch updates row id of c from body values as PUT /data/<c>/<id> does
// (casts, JSON merge, hooks, relations; unknown keys ignored), without the
// policy check, the field filter and the event: for routes that decided the
// caller may. db may be a transaction. It returns the row as JSON.
func (e *Engine) Patch(ctx context.Context, db bun.IDB, c *Collection, p *Principal, id string, m map[string]json.RawMessage) ([]byte, error) {
	if !IsUUID(id) {
		return nil, MalformedID()
	}
	var out []byte
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		row := reflect.New(c.Type)
		if err := tx.NewSelect().Model(row.Interface()).Where("? = ?", bun.Ident("id"), id).For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		before := reflect.New(c.Type)
		before.Elem().Set(row.Elem())
		strct := row.Elem()
		var cols []string
		rels := map[*Relation][]string{}
		for key, raw := range m {
			if c.protected[key] || c.updateProtected[key] {
				continue
			}
			if rel, ok := c.relation(key); ok && rel.Writable {
				ids, err := relationIDs(key, raw)
				if err != nil {
					return err
				}
				rels[rel] = ids
				continue
			}
			col, ok := c.Column(key)
			if !ok || col.Hidden {
				continue // Zou ignores unknown keys on update
			}
			if col.kind == kJSON && c.Hooks.MergeJSON {
				merged, err := mergeJSON(col.Field.Value(strct), raw)
				if err != nil {
					return BadRequest(fmt.Sprintf("Invalid value for %s: expected a JSON object.", key))
				}
				raw = merged
			}
			if err := assign(col, strct, raw, false); err != nil {
				return err
			}
			cols = append(cols, col.Name)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		if _, ok := c.Column("updated_at"); ok {
			setIfPresent(c, strct, "updated_at", reflect.ValueOf(&now))
			cols = append(cols, "updated_at")
		}
		if c.Hooks.BeforeWrite != nil {
			if err := c.Hooks.BeforeWrite(ctx, tx, row.Interface(), before.Interface(), p); err != nil {
				return err
			}
		}
		if len(cols) > 0 {
			if _, err := tx.NewUpdate().Model(row.Interface()).Column(cols...).WherePK().Exec(ctx); err != nil {
				return FromDB(err)
			}
		}
		if err := e.writeRelations(ctx, tx, id, rels); err != nil {
			return err
		}
		if c.Hooks.AfterWrite != nil {
			if err := c.Hooks.AfterWrite(ctx, tx, row.Interface(), before.Interface(), p); err != nil {
				return err
			}
		}
		var err error
		out, _, err = e.fetchOne(ctx, tx, c, nil, id, readSpec{relations: c.updateRelations, visible: c.visibleFor(p, true)})
		return err
	})
	if err != nil {
		return nil, FromDB(err)
	}
	return out, nil
}

// mergeJSON merges an incoming object into the stored one (keys not sent are kept).
func mergeJSON(current reflect.Value, incoming json.RawMessage) (json.RawMessage, error) {
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(incoming, &patch); err != nil {
		return nil, err
	}
	base := map[string]json.RawMessage{}
	if raw, ok := current.Interface().(json.RawMessage); ok && len(raw) > 0 {
		_ = json.Unmarshal(raw, &base)
	}
	for k, v := range patch {
		base[k] = v
	}
	return json.Marshal(base)
}

// Delete answers DELETE /data/<collection>/<id>: 204 once the row is gone.
func (e *Engine) Delete(ctx context.Context, c *Collection, p *Principal, id string, q url.Values) error {
	_, access, err := e.fetchOne(ctx, e.DB, c, p, id, readSpec{fields: map[string]bool{}})
	if err != nil {
		return err
	}
	if !p.IsAdmin() {
		if err := e.authorizeRow(c, p, ActDelete, access); err != nil {
			return err
		}
	}
	if err := e.Remove(ctx, e.DB, c, p, id, q); err != nil {
		return err
	}
	e.publish(ctx, c, "delete", id, access.project)
	return nil
}

// Remove deletes row id of c as DELETE /data/<c>/<id> does (BeforeDelete
// hook, link rows), without the policy check and the event. db may be a
// transaction.
func (e *Engine) Remove(ctx context.Context, db bun.IDB, c *Collection, p *Principal, id string, q url.Values) error {
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if c.Hooks.BeforeDelete != nil {
			if err := c.Hooks.BeforeDelete(ctx, tx, id, p, q); err != nil {
				return err
			}
		}
		// Like SQLAlchemy's secondary relationships, link rows go with their owner.
		for _, rel := range c.Relations {
			if !rel.Writable {
				continue
			}
			if _, err := tx.NewDelete().TableExpr("?", bun.Ident(rel.JoinTable)).Where("? = ?", bun.Ident(rel.OwnColumn), id).Exec(ctx); err != nil {
				return err
			}
		}
		_, err := tx.NewDelete().TableExpr("? AS t", bun.Ident(c.Table.Name)).Where("t.id = ?", id).Exec(ctx)
		return err
	})
	return FromDB(err)
}

// Publish emits <collection event>:<verb> for row id with Zou's CRUD payload.
func (e *Engine) Publish(ctx context.Context, c *Collection, verb, id, projectID string) {
	e.publish(ctx, c, verb, id, projectID)
}

func (e *Engine) publish(ctx context.Context, c *Collection, verb, id, projectID string) {
	if e.Events == nil {
		return
	}
	data := map[string]any{c.Table.Name + "_id": id}
	e.Events.Publish(ctx, c.EventName+":"+verb, data, projectID)
}

// Read returns one row as Zou serialises it for an admin (no permission check):
// for routes that have already decided the caller may see it.
func (e *Engine) Read(ctx context.Context, db bun.IDB, c *Collection, id string, relations bool) ([]byte, error) {
	if db == nil {
		db = e.DB
	}
	b, _, err := e.fetchOne(ctx, db, c, nil, id, readSpec{relations: relations})
	return b, err
}

// MustCollection returns a registered collection or panics (for wiring code).
func (r *Registry) MustCollection(name string) *Collection {
	c, ok := r.byName[name]
	if !ok {
		panic("engine: no collection " + name)
	}
	return c
}
