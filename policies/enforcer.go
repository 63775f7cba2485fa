// Package policies holds Zou's permission matrix for the generic
// /data/<collection> API: a casbin model (model.conf), a commented table that
// studio admins edit (policy.csv), and an Enforcer that answers, on every
// request, under which row conditions a role may act on a collection.
//
// The table is data, not code, so that a studio can tighten or loosen a
// right without a rebuild: Watch reloads it on file changes and on SIGHUP,
// and a broken edit is refused while the previous table stays in force.
// The engine turns the returned conditions (all, team, self, creator,
// assigned) into row filters; rules finer than a condition (field-level
// limits, supervisors' departments) stay in code, as policy.csv notes.
package policies

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Defaults is the built-in copy of the model and the table, used when no directory is configured.
//
//go:embed model.conf policy.csv
var Defaults embed.FS

// File names looked up in the policy directory (and in Defaults).
const (
	ModelFile  = "model.conf"
	PolicyFile = "policy.csv"
)

// Roles, as stored in person.role and project_person_link.role.
const (
	RoleAdmin      = "admin"
	RoleManager    = "manager"
	RoleSupervisor = "supervisor"
	RoleUser       = "user"
	RoleClient     = "client"
	RoleVendor     = "vendor"
)

// Actions on a collection; read covers both the list and get-one routes.
const (
	ActRead   = "read"
	ActCreate = "create"
	ActUpdate = "update"
	ActDelete = "delete"
)

// Conditions a rule grants under; the engine checks them per row.
const (
	CondAll      = "all"      // every row
	CondTeam     = "team"     // rows of projects whose team includes the caller (lists: open projects)
	CondSelf     = "self"     // rows that belong to the caller (person_id; the person row itself)
	CondCreator  = "creator"  // rows the caller created (created_by)
	CondAssigned = "assigned" // rows tied to a task the caller is assigned to
)

// The vocabulary is closed on purpose: a typo in policy.csv must be refused,
// not silently grant nothing (or, worse, be read as a new role).
var (
	knownRoles   = []string{RoleAdmin, RoleManager, RoleSupervisor, RoleUser, RoleClient, RoleVendor}
	knownActions = []string{ActRead, ActCreate, ActUpdate, ActDelete}
	knownConds   = []string{CondAll, CondTeam, CondSelf, CondCreator, CondAssigned}
)

// Roles returns the roles a policy may name, in the order of Zou's role list.
func Roles() []string { return slices.Clone(knownRoles) }

// Actions returns the actions a policy may name.
func Actions() []string { return slices.Clone(knownActions) }

// Conds returns the conditions a policy may name.
func Conds() []string { return slices.Clone(knownConds) }

// Enforcer answers permission questions from the current table; it is safe for concurrent use.
type Enforcer struct {
	dir string // "" = embedded Defaults

	// cur is swapped whole after a successful load, so readers never see a
	// half-built table and never take a lock on the request path.
	cur atomic.Pointer[table]
	// reloadMu serialises reloads so that an older read never replaces a newer one.
	reloadMu sync.Mutex
}

// key indexes the precomputed table; a struct key avoids building a string per request.
type key struct{ role, obj, act string }

// table is one loaded, validated policy.
type table struct {
	conds   map[key][]string
	objects []string // sorted, distinct
	rules   int      // distinct policy lines
	sum     [sha256.Size]byte
}

// Load reads model.conf and policy.csv from dir; dir == "" uses the embedded defaults.
func Load(dir string) (*Enforcer, error) {
	if dir != "" {
		// Absolute, so that logs name the real place and a later chdir
		// cannot point reloads elsewhere.
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("policies: %w", err)
		}
		dir = abs
	}
	e := &Enforcer{dir: dir}
	if _, err := e.reload(); err != nil {
		return nil, err
	}
	return e, nil
}

// Conditions returns the conditions under which role may do act on obj (nil = denied); the slice is shared, do not modify it.
func (e *Enforcer) Conditions(role, obj, act string) []string {
	return e.cur.Load().conds[key{role, obj, act}]
}

// Allowed reports whether at least one rule grants role the action on obj.
func (e *Enforcer) Allowed(role, obj, act string) bool {
	return len(e.Conditions(role, obj, act)) > 0
}

// Objects returns the collections named in the policy (for the registry's boot check).
func (e *Enforcer) Objects() []string {
	return slices.Clone(e.cur.Load().objects)
}

// Rules returns the number of distinct rules in force.
func (e *Enforcer) Rules() int { return e.cur.Load().rules }

// Dir returns the policy directory, "" when the embedded defaults are used.
func (e *Enforcer) Dir() string { return e.dir }

// Reload re-reads the files; on any error the previous policy stays in force and the error is returned.
func (e *Enforcer) Reload() error {
	_, err := e.reload()
	return err
}

// reload reports whether the table in force changed, so that Watch only
// logs real changes (editors touch files without changing them).
func (e *Enforcer) reload() (changed bool, err error) {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()

	modelText, policyText, err := e.readFiles()
	if err != nil {
		return false, err
	}
	where := "embedded defaults"
	if e.dir != "" {
		where = e.dir
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\n", len(modelText)) // length prefix: the two files cannot trade bytes
	h.Write(modelText)
	h.Write(policyText)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	if old := e.cur.Load(); old != nil && old.sum == sum {
		return false, nil
	}
	t, err := parse(modelText, policyText)
	if err != nil {
		return false, fmt.Errorf("policies: %s: %w", where, err)
	}
	t.sum = sum
	e.cur.Store(t)
	return true, nil
}

func (e *Enforcer) readFiles() (modelText, policyText []byte, err error) {
	var fsys fs.FS = Defaults
	where := "embedded defaults"
	if e.dir != "" {
		fsys = os.DirFS(e.dir)
		where = e.dir
	}
	modelText, err = fs.ReadFile(fsys, ModelFile)
	if err != nil {
		return nil, nil, fmt.Errorf("policies: read %s from %s: %w", ModelFile, where, err)
	}
	policyText, err = fs.ReadFile(fsys, PolicyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("policies: read %s from %s: %w", PolicyFile, where, err)
	}
	return modelText, policyText, nil
}

// newTable builds the lookup table from casbin's parsed rules (p_sub, p_obj, p_act, p_cond).
func newTable(rules [][]string) *table {
	t := &table{conds: map[key][]string{}}
	objs := map[string]bool{}
	for _, r := range rules {
		k := key{r[0], r[1], r[2]}
		if !slices.Contains(t.conds[k], r[3]) {
			t.conds[k] = append(t.conds[k], r[3])
		}
		objs[r[1]] = true
	}
	// A stable order (the vocabulary's) keeps answers and logs independent
	// of line order in the file.
	for k, cs := range t.conds {
		sort.Slice(cs, func(i, j int) bool {
			return slices.Index(knownConds, cs[i]) < slices.Index(knownConds, cs[j])
		})
		t.conds[k] = cs[:len(cs):len(cs)] // full slice: a caller's append cannot write into the table
	}
	for o := range objs {
		t.objects = append(t.objects, o)
	}
	sort.Strings(t.objects)
	t.rules = len(rules)
	return t
}

// trimBOM drops a UTF-8 byte order mark some Windows editors add, which would
// otherwise glue itself to the first token of the first line.
func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }
