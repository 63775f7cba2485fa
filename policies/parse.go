package policies

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// objectName is what a /data collection segment looks like; anything else in
// the object column is a typo or a mangled line, never a collection.
var objectName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// parse validates both files and returns the table they define. Casbin parses
// them (its model and CSV rules are the semantics of record); our own checks
// add what casbin accepts but the engine cannot honour.
func parse(modelText, policyText []byte) (*table, error) {
	modelText, policyText = trimBOM(modelText), trimBOM(policyText)

	m, err := model.NewModelFromString(string(modelText))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ModelFile, err)
	}
	if err := checkModel(m); err != nil {
		return nil, fmt.Errorf("%s: %w", ModelFile, err)
	}
	// Our pass first: it names the offending line, and it must run before
	// casbin because casbin panics on some malformed lines.
	if err := checkPolicy(policyText); err != nil {
		return nil, err
	}
	ce, err := newCasbin(m, policyText)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", PolicyFile, err)
	}
	rules, err := ce.GetNamedPolicy("p")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", PolicyFile, err)
	}
	if len(rules) == 0 {
		// An empty table denies everything: far more likely a truncated save
		// than an intent, and it would lock every user out.
		return nil, fmt.Errorf("%s: no rule found", PolicyFile)
	}
	t := newTable(rules)
	// Asking casbin every question costs a quarter of a second, so it is
	// only done for an edited model; the built-in one is proven by the tests.
	if !bytes.Equal(modelText, defaultModel()) {
		if err := agree(ce, t); err != nil {
			return nil, fmt.Errorf("%s: %w", ModelFile, err)
		}
	}
	return t, nil
}

// defaultModel returns the embedded model.conf.
func defaultModel() []byte {
	b, err := Defaults.ReadFile(ModelFile)
	if err != nil {
		panic(err) // embedded at build time: cannot be missing
	}
	return trimBOM(b)
}

// checkModel insists on the request and policy shapes the Go side reads by
// position; a model that reorders or drops a field would silently scramble
// every answer.
func checkModel(m model.Model) error {
	want := map[string][]string{
		"r": {"r_sub", "r_obj", "r_act"},
		"p": {"p_sub", "p_obj", "p_act", "p_cond"},
	}
	for sec, tokens := range want {
		a, err := m.GetAssertion(sec, sec)
		if err != nil {
			return err
		}
		if !slices.Equal(a.Tokens, tokens) {
			return fmt.Errorf("%s must be %q, got %q", sec, strings.Join(tokens, ", "), strings.Join(a.Tokens, ", "))
		}
	}
	return nil
}

// maxReported bounds the errors listed for one file: a pasted binary or a
// wrong file should not flood the log.
const maxReported = 10

// checkPolicy reads the file the way casbin's CSV adapter does (trimmed lines,
// '#' lines skipped, comma-separated, leading spaces dropped) and refuses any
// rule outside the vocabulary, naming every offending line.
func checkPolicy(text []byte) error {
	var errs []error
	bad := 0
	sc := bufio.NewScanner(bytes.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		tokens, err := splitLine(sc.Text())
		if err == nil && tokens != nil {
			err = checkRule(tokens)
		}
		if err == nil {
			continue
		}
		if bad++; bad <= maxReported {
			errs = append(errs, fmt.Errorf("%s line %d: %w", PolicyFile, n, err))
		}
	}
	if bad > maxReported {
		errs = append(errs, fmt.Errorf("%s: %d more bad lines", PolicyFile, bad-maxReported))
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", PolicyFile, err))
	}
	return errors.Join(errs...)
}

// splitLine returns the fields of a rule line, or nil for blank and comment lines.
func splitLine(line string) ([]string, error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil, nil
	}
	r := csv.NewReader(strings.NewReader(line))
	r.Comma = ','
	r.Comment = '#'
	r.TrimLeadingSpace = true
	tokens, err := r.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// The reader sees one line at a time: its own line number is always 1.
		return nil, fmt.Errorf("column %d: %w", pe.Column, pe.Err)
	}
	if err != nil {
		return nil, err
	}
	return tokens, nil
}

func checkRule(tokens []string) error {
	if len(tokens) != 5 {
		return fmt.Errorf("want 5 fields (p, role, collection, action, cond), got %d: %q", len(tokens), strings.Join(tokens, ", "))
	}
	ptype, role, obj, act, cond := tokens[0], tokens[1], tokens[2], tokens[3], tokens[4]
	switch {
	case ptype != "p":
		return fmt.Errorf("rule type %q: only p rules are allowed", ptype)
	case !slices.Contains(knownRoles, role):
		return fmt.Errorf("unknown role %q (want one of %s)", role, strings.Join(knownRoles, ", "))
	case !objectName.MatchString(obj):
		return fmt.Errorf("collection %q is not a /data collection name", obj)
	case !slices.Contains(knownActions, act):
		return fmt.Errorf("unknown action %q (want one of %s)", act, strings.Join(knownActions, ", "))
	case !slices.Contains(knownConds, cond):
		return fmt.Errorf("unknown cond %q (want one of %s)", cond, strings.Join(knownConds, ", "))
	}
	return nil
}

// newCasbin loads the policy into a fresh casbin enforcer, so a failed load
// never touches the one in force.
func newCasbin(m model.Model, policyText []byte) (*casbin.Enforcer, error) {
	return casbin.NewEnforcer(m, &textAdapter{text: policyText})
}

// agree checks that the precomputed table gives casbin's answer for every
// role × named collection × action, so the model's matcher stays the
// semantics of record even if someone edits it.
func agree(ce *casbin.Enforcer, t *table) error {
	for _, role := range knownRoles {
		for _, obj := range t.objects {
			for _, act := range knownActions {
				ok, err := ce.Enforce(role, obj, act)
				if err != nil {
					return err
				}
				if ok != (len(t.conds[key{role, obj, act}]) > 0) {
					return fmt.Errorf("the matcher answers %v for (%s, %s, %s) where exact matching on the rules answers %v; the matcher must compare sub, obj and act for equality",
						ok, role, obj, act, !ok)
				}
			}
		}
	}
	return nil
}

// textAdapter feeds casbin the policy from memory, line by line through
// casbin's own CSV line parser (the file adapter's logic), so the embedded
// copy and a directory are parsed identically. Unlike casbin's string
// adapter it reports errors instead of dropping the line.
type textAdapter struct{ text []byte }

// LoadPolicy loads every rule into m, stopping at the first error.
func (a *textAdapter) LoadPolicy(m model.Model) (err error) {
	n := 0
	defer func() {
		// Casbin indexes the first token without checking it exists; turn a
		// crash on a malformed line into a refused file.
		if r := recover(); r != nil {
			err = fmt.Errorf("line %d: casbin: %v", n, r)
		}
	}()
	sc := bufio.NewScanner(bytes.NewReader(a.text))
	for sc.Scan() {
		n++
		if err := persist.LoadPolicyLine(strings.TrimSpace(sc.Text()), m); err != nil {
			return fmt.Errorf("line %d: casbin: %w", n, err)
		}
	}
	return sc.Err()
}

var errReadOnly = errors.New("policies: the policy is read-only at run time; edit policy.csv")

// SavePolicy is refused: the file is the source of truth.
func (a *textAdapter) SavePolicy(model.Model) error { return errReadOnly }

// AddPolicy is refused: the file is the source of truth.
func (a *textAdapter) AddPolicy(string, string, []string) error { return errReadOnly }

// RemovePolicy is refused: the file is the source of truth.
func (a *textAdapter) RemovePolicy(string, string, []string) error { return errReadOnly }

// RemoveFilteredPolicy is refused: the file is the source of truth.
func (a *textAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errReadOnly
}
