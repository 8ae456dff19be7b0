package lint

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// Severity of a finding.
type Severity uint8

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Finding is one problem in a policy file.
type Finding struct {
	File      string
	Line, Col int
	// Path is the JSON path of the element at fault.
	Path     string
	Severity Severity
	// Code is a stable short name of the check.
	Code    string
	Message string
}

// String formats the finding as file:line:col: severity: path: message [code].
func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
	}
	path := ""
	if f.Path != "" {
		path = f.Path + ": "
	}
	code := ""
	if f.Code != "" {
		code = " [" + f.Code + "]"
	}
	return fmt.Sprintf("%s: %s: %s%s%s", loc, f.Severity, path, f.Message, code)
}

// File reads and lints a policy file. A nil typ detects the type: a
// resource (bucket) policy when a statement names a Principal or
// NotPrincipal, an identity policy otherwise. The error is only for a file
// that cannot be read.
func File(path string, typ *policy.Type) ([]Finding, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	return Source(path, src, typ), nil
}

// Source lints a document held in memory; name is used as Finding.File.
func Source(name string, src []byte, typ *policy.Type) []Finding {
	t := detectType(src)
	if typ != nil {
		t = *typ
	}
	p, err := policy.Parse(src, t)
	if err != nil {
		var out []Finding
		list, _ := err.(policy.ErrorList)
		for _, e := range list {
			line, col := policy.LineCol(src, e.Offset)
			out = append(out, Finding{File: name, Line: line, Col: col, Path: e.Path, Severity: Error, Message: e.Msg})
		}
		if len(out) == 0 {
			out = append(out, Finding{File: name, Severity: Error, Message: err.Error()})
		}
		return out
	}
	l := &linter{name: name, src: src, p: p}
	l.run()
	sort.SliceStable(l.out, func(i, j int) bool {
		if l.out[i].Line != l.out[j].Line {
			return l.out[i].Line < l.out[j].Line
		}
		return l.out[i].Col < l.out[j].Col
	})
	return l.out
}

// detectType guesses the policy type from the statements' elements.
func detectType(src []byte) policy.Type {
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal(src, &doc) != nil {
		return policy.Identity
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(doc.Statement, &list) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(doc.Statement, &one) != nil {
			return policy.Identity
		}
		list = append(list, one)
	}
	for _, st := range list {
		if _, ok := st["Principal"]; ok {
			return policy.Resource
		}
		if _, ok := st["NotPrincipal"]; ok {
			return policy.Resource
		}
	}
	return policy.Identity
}

type linter struct {
	name string
	src  []byte
	p    *policy.Policy
	out  []Finding
}

func (l *linter) warn(st *policy.Statement, elem, code, format string, args ...any) {
	f := Finding{File: l.name, Severity: Warning, Code: code, Message: fmt.Sprintf(format, args...)}
	if st != nil {
		f.Line, f.Col = policy.LineCol(l.src, st.Offset)
		f.Path = st.Path()
		if elem != "" {
			f.Path += "." + elem
		}
	}
	l.out = append(l.out, f)
}

func (l *linter) run() {
	if l.p.Version == "" {
		l.warn(nil, "", "missing-version", "no Version: policy variables are literal text; add \"Version\": \"2012-10-17\"")
	}
	if l.p.ID != "" && l.p.Type == policy.Identity {
		l.warn(nil, "", "id-in-identity-policy", "identity policies should not have an Id element (spec §1.5)")
	}
	sids := map[string]bool{}
	for _, st := range l.p.Statements {
		if st.Sid != "" {
			if sids[st.Sid] {
				l.warn(st, "Sid", "duplicate-sid", "Sid %q is used by another statement of this policy", st.Sid)
			}
			sids[st.Sid] = true
		}
		if st.HasNotPrincipal() && st.Effect == policy.Allow {
			l.warn(st, "NotPrincipal", "notprincipal-with-allow", "NotPrincipal with Allow grants to everyone not listed, anonymous users included; name the principals in Principal instead (spec §1.5)")
		}
		actions := l.actions(st)
		l.resources(st, actions)
		l.conditions(st, actions)
	}
}

// actions checks the action names and returns the SAR actions the
// statement covers (nil for "*" and NotAction).
func (l *linter) actions(st *policy.Statement) []string {
	pats, not := st.Actions()
	var covered []string
	for _, a := range pats {
		if a == "*" {
			return nil
		}
		svc, name, _ := strings.Cut(a, ":")
		if !s3ops.KnowsService(svc) {
			continue
		}
		var matched []string
		if strings.ContainsAny(name, "*?") {
			matched = s3ops.Actions(a)
		} else if sa, ok := s3ops.LookupAction(a); ok {
			matched = []string{sa.Name}
		}
		if len(matched) == 0 {
			l.warn(st, elemName("Action", not), "unknown-action", "%s is not an action of %s%s", a, svc, suggest(a))
		}
		covered = append(covered, matched...)
	}
	if not {
		return nil
	}
	return covered
}

// suggest proposes the action a mistaken name probably meant.
func suggest(a string) string {
	_, name, _ := strings.Cut(a, ":")
	if op, ok := s3ops.Find(name); ok && len(op.Permissions) > 0 {
		return fmt.Sprintf(": the IAM action for the %s operation is %s", op.Name, op.Permissions[0].Action)
	}
	if strings.HasSuffix(name, "s") {
		if sa, ok := s3ops.LookupAction(strings.TrimSuffix(a, "s")); ok {
			return fmt.Sprintf(": did you mean %s?", sa.Name)
		}
	}
	return ""
}

func elemName(el string, not bool) string {
	if not {
		return "Not" + el
	}
	return el
}

// resources warns when S3 object actions are granted only on bucket ARNs
// or bucket actions only on object ARNs (spec §2.1: the classic failure).
func (l *linter) resources(st *policy.Statement, actions []string) {
	res, not := st.Resources()
	if st.Effect != policy.Allow || not || len(res) == 0 || len(actions) == 0 {
		return
	}
	var buckets, objects []string
	for _, r := range res {
		if !strings.HasPrefix(r, "arn:aws:s3:::") {
			return
		}
		rest := strings.TrimPrefix(r, "arn:aws:s3:::")
		if rest == "*" || strings.HasPrefix(rest, "*") {
			return
		}
		if strings.Contains(rest, "/") {
			objects = append(objects, r)
		} else {
			buckets = append(buckets, r)
		}
	}
	for _, a := range actions {
		sa, ok := s3ops.LookupAction(a)
		if !ok || !strings.HasPrefix(strings.ToLower(a), "s3:") {
			continue
		}
		onObject, onBucket := has(sa.ResourceTypes, "object"), has(sa.ResourceTypes, "bucket")
		switch {
		case onObject && !onBucket && len(objects) == 0:
			l.warn(st, "Resource", "object-action-on-bucket-arn", "%s acts on objects, but Resource names only the bucket %q: add %q", sa.Name, buckets[0], buckets[0]+"/*")
			return
		case onBucket && !onObject && len(buckets) == 0:
			b, _, _ := strings.Cut(objects[0], "/")
			l.warn(st, "Resource", "bucket-action-on-object-arn", "%s acts on the bucket, but Resource names only objects (%q): add %q", sa.Name, objects[0], b)
			return
		}
	}
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var multiValuedGlobals = []string{"aws:tagkeys", "aws:principalorgpaths", "aws:calledvia", "aws:principalservicenameslist", "aws:resourceorgpaths", "aws:sourceorgpaths"}

// conditions checks operator spelling, keys the actions never set, and set
// operators (spec §1.6).
func (l *linter) conditions(st *policy.Statement, actions []string) {
	for _, c := range st.ConditionList() {
		elem := "Condition." + c.Operator
		if c.Operator != c.Canonical {
			l.warn(st, elem, "operator-spelling", "write %s (operator names are spelled as AWS documents them)", c.Canonical)
		}
		if c.Set == "ForAllValues" && st.Effect == policy.Allow {
			l.warn(st, elem, "forallvalues-with-allow", "ForAllValues is also true when %s is absent or empty: this Allow then applies to requests without the key (spec §1.6)", c.Key)
		}
		if c.Set != "" {
			k := strings.ToLower(c.Key)
			single := false
			if t, ok := s3ops.ConditionKeyType(c.Key); ok && !strings.HasPrefix(t, "ArrayOf") {
				single = true
			}
			if strings.HasPrefix(k, "aws:") && !has(multiValuedGlobals, k) && s3ops.IsGlobalKey(k) {
				single = true
			}
			if single {
				l.warn(st, elem, "set-operator-on-single-valued-key", "%s is single-valued: use %s without %s: (a set operator on a single-valued key can be too permissive)", c.Key, c.Base, c.Set)
			}
		}
		if len(actions) > 0 {
			sets := false
			for _, a := range actions {
				sets = sets || s3ops.ActionSetsKey(a, c.Key)
			}
			if !sets {
				l.warn(st, elem, "key-not-set-by-action", "no action of this statement sets %s, so the condition only sees it absent", c.Key)
			}
		}
		if l.p.Version != policy.Version2012 {
			for _, v := range c.Values {
				if strings.Contains(v, "${") {
					l.warn(st, elem, "variables-without-version", "%q is literal text: policy variables need \"Version\": \"2012-10-17\"", v)
					break
				}
			}
		}
	}
}
