package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Error is one problem in a policy document. Path is the JSON path of the
// element at fault (`Statement[1].Condition.StringLike`), Offset the byte
// offset in the source where it starts.
type Error struct {
	Path   string
	Offset int64
	Msg    string
	// Check is the AWS validation that failed, CheckNone for lockstep's
	// own checks.
	Check Check
	// Value is the element at fault as AWS quotes it in some messages,
	// e.g. `"AWS":"arn:aws:iam::111111111111:group/dev"` for CheckPrincipal.
	Value string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// ErrorList is every problem found in a document, in document order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// LineCol converts a byte offset in src to a 1-based line and column.
func LineCol(src []byte, offset int64) (line, col int) {
	if offset > int64(len(src)) {
		offset = int64(len(src))
	}
	if offset < 0 {
		offset = 0
	}
	before := src[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// Parse parses, validates and compiles a policy document of type t. On
// failure the error is an ErrorList naming every problem found.
func Parse(src []byte, t Type) (*Policy, error) {
	root, err := parseJSON(src)
	if err != nil {
		se := err.(*syntaxError)
		return nil, ErrorList{{Offset: se.offset, Msg: se.msg}}
	}
	p := &parser{typ: t}
	pol := p.document(root)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	pol.Source = src
	return pol, nil
}

// MustParse is Parse for documents known to be valid, such as built-in
// defaults and test fixtures. It panics on error.
func MustParse(src string, t Type) *Policy {
	p, err := Parse([]byte(src), t)
	if err != nil {
		panic(fmt.Sprintf("policy.MustParse: %v", err))
	}
	return p
}

type parser struct {
	typ  Type
	vars bool // policy variables are substituted (Version 2012-10-17)
	errs ErrorList
	sids map[string]string // Sid -> path of the first statement with it
}

func (p *parser) fail(path string, n *node, format string, args ...any) {
	var off int64
	if n != nil {
		off = n.offset
	}
	p.errs = append(p.errs, &Error{Path: path, Offset: off, Msg: fmt.Sprintf(format, args...)})
}

// failCheck records an error of a validation AWS performs.
func (p *parser) failCheck(check Check, path string, n *node, format string, args ...any) {
	p.fail(path, n, format, args...)
	p.errs[len(p.errs)-1].Check = check
}

var topElements = []string{"Version", "Id", "Statement"}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// unknownElement reports an element name that is not in allowed, with a hint
// when only its case is wrong (element names are case-sensitive).
func (p *parser) unknownElement(path, key string, n *node, allowed []string) {
	for _, a := range allowed {
		if strings.EqualFold(a, key) {
			p.fail(path, n, "unknown element %q (element names are case-sensitive: did you mean %q?)", key, a)
			return
		}
	}
	p.fail(path, n, "unknown element %q (allowed: %s)", key, strings.Join(allowed, ", "))
}

func (p *parser) document(root *node) *Policy {
	pol := &Policy{Type: p.typ}
	if root.kind != kindObject {
		p.fail("", root, "a policy document must be a JSON object, not %s", root.kind)
		return pol
	}
	for _, m := range root.members {
		if !contains(topElements, m.key) {
			p.unknownElement(m.key, m.key, m.val, topElements)
		}
	}
	if v := root.get("Version"); v != nil {
		if v.kind != kindString {
			p.fail("Version", v, "must be a string, %q or %q", Version2012, Version2008)
		} else if v.str != Version2012 && v.str != Version2008 {
			p.fail("Version", v, "%q is not a policy language version; use %q", v.str, Version2012)
		}
		pol.Version = v.str
	}
	p.vars = pol.Version == Version2012
	if v := root.get("Id"); v != nil {
		if v.kind != kindString {
			p.fail("Id", v, "must be a string")
		}
		pol.ID = v.str
	}
	st := root.get("Statement")
	switch {
	case st == nil:
		p.fail("Statement", root, "missing: a policy needs at least one statement")
	case st.kind == kindObject:
		pol.Statements = append(pol.Statements, p.statement("Statement", 0, st))
	case st.kind == kindArray:
		if len(st.items) == 0 {
			p.fail("Statement", st, "empty: a policy needs at least one statement")
		}
		for i, item := range st.items {
			path := "Statement[" + strconv.Itoa(i) + "]"
			if item.kind != kindObject {
				p.fail(path, item, "a statement must be a JSON object, not %s", item.kind)
				continue
			}
			pol.Statements = append(pol.Statements, p.statement(path, i, item))
		}
	default:
		p.fail("Statement", st, "must be a statement object or an array of statement objects, not %s", st.kind)
	}
	return pol
}

func (p *parser) statement(path string, index int, n *node) *Statement {
	s := &Statement{Index: index, path: path, JSON: compactJSON(n), Offset: n.offset}
	for _, m := range n.members {
		if !contains(statementElements, m.key) {
			p.unknownElement(path, m.key, m.val, statementElements)
		}
	}
	if v := n.get("Sid"); v != nil {
		if v.kind != kindString {
			p.fail(path+".Sid", v, "must be a string")
		} else {
			p.checkSid(path, v)
		}
		s.Sid = v.str
	}
	switch v := n.get("Effect"); {
	case v == nil:
		p.fail(path+".Effect", n, "missing: every statement needs \"Effect\": \"Allow\" or \"Deny\"")
	case v.kind == kindString && v.str == "Allow":
		s.Effect = Allow
	case v.kind == kindString && v.str == "Deny":
		s.Effect = Deny
	case v.kind == kindString && (strings.EqualFold(v.str, "allow") || strings.EqualFold(v.str, "deny")):
		p.fail(path+".Effect", v, "%q: the value is case-sensitive, write \"Allow\" or \"Deny\"", v.str)
	default:
		p.fail(path+".Effect", v, "must be \"Allow\" or \"Deny\"")
	}

	p.principalElement(s, path, n)
	p.actionElement(s, path, n)
	p.resourceElement(s, path, n)
	if c := n.get("Condition"); c != nil {
		s.conditions = p.conditionBlock(path+".Condition", c)
	}
	return s
}

func (p *parser) principalElement(s *Statement, path string, n *node) {
	pr, npr := n.get("Principal"), n.get("NotPrincipal")
	switch {
	case pr != nil && npr != nil:
		p.fail(path, npr, "a statement cannot have both Principal and NotPrincipal")
		return
	case !p.typ.HasPrincipal() && (pr != nil || npr != nil):
		el, v := "Principal", pr
		if v == nil {
			el, v = "NotPrincipal", npr
		}
		p.fail(path+"."+el, v, "not allowed in a%s %s policy: it applies to the principal it is attached to", article(p.typ), p.typ)
		return
	case p.typ.HasPrincipal() && pr == nil && npr == nil:
		p.fail(path+".Principal", n, "missing: a %s policy must say whom each statement applies to (Principal or NotPrincipal)", p.typ)
		return
	case p.typ == Trust && npr != nil:
		p.fail(path+".NotPrincipal", npr, "not allowed in a role trust policy")
		return
	}
	if pr != nil {
		s.principal = p.principalValue(path+".Principal", pr)
	}
	if npr != nil {
		s.principal = p.principalValue(path+".NotPrincipal", npr)
		s.notPrincipal = true
	}
}

func article(t Type) string {
	switch t {
	case Identity:
		return "n"
	}
	return ""
}

func (p *parser) actionElement(s *Statement, path string, n *node) {
	a, na := n.get("Action"), n.get("NotAction")
	switch {
	case a != nil && na != nil:
		p.fail(path, na, "a statement cannot have both Action and NotAction")
		return
	case a == nil && na == nil:
		p.fail(path+".Action", n, "missing: every statement needs Action or NotAction")
		return
	}
	el, v := "Action", a
	if a == nil {
		el, v, s.notAction = "NotAction", na, true
	}
	for _, item := range p.stringList(path+"."+el, v) {
		text := item.str
		if text != "*" {
			colon := strings.IndexByte(text, ':')
			if colon <= 0 || colon == len(text)-1 {
				p.fail(path+"."+el, item, "%q is not an action: write service:Action, e.g. \"s3:GetObject\"", text)
				continue
			}
			if strings.ContainsAny(text[:colon], "*?") {
				p.fail(path+"."+el, item, "%q: the service prefix cannot contain wildcards", text)
				continue
			}
		}
		s.actions = append(s.actions, compilePattern(text, true, false))
	}
}

func (p *parser) resourceElement(s *Statement, path string, n *node) {
	r, nr := n.get("Resource"), n.get("NotResource")
	switch {
	case r != nil && nr != nil:
		p.fail(path, nr, "a statement cannot have both Resource and NotResource")
		return
	case p.typ == Trust && (r != nil || nr != nil):
		el, v := "Resource", r
		if v == nil {
			el, v = "NotResource", nr
		}
		p.fail(path+"."+el, v, "not allowed in a role trust policy: the resource is the role itself")
		return
	case p.typ == Trust:
		return
	case r == nil && nr == nil:
		p.fail(path+".Resource", n, "missing: every statement needs Resource or NotResource (use \"*\" for all resources)")
		return
	}
	el, v := "Resource", r
	if r == nil {
		el, v, s.notResource = "NotResource", nr, true
	}
	s.hasResource = true
	for _, item := range p.stringList(path+"."+el, v) {
		ap, err := compileARNPattern(item.str, p.vars)
		if err != "" {
			p.fail(path+"."+el, item, "%s", err)
			continue
		}
		ap.offset = item.offset
		s.resources = append(s.resources, ap)
	}
}

// stringList reads an element that is a string or a non-empty array of
// strings.
func (p *parser) stringList(path string, v *node) []*node {
	switch v.kind {
	case kindString:
		return []*node{v}
	case kindArray:
		if len(v.items) == 0 {
			p.fail(path, v, "empty list: give at least one value")
			return nil
		}
		var out []*node
		for _, item := range v.items {
			if item.kind != kindString {
				p.fail(path, item, "must be a string or list of strings; found %s", item.kind)
				continue
			}
			out = append(out, item)
		}
		return out
	}
	p.fail(path, v, "must be a string or list of strings; found %s", v.kind)
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compactJSON renders a node as compact JSON with members in source order.
func compactJSON(n *node) string {
	var b strings.Builder
	writeJSON(&b, n)
	return b.String()
}

func writeJSON(b *strings.Builder, n *node) {
	switch n.kind {
	case kindNull:
		b.WriteString("null")
	case kindBool, kindNumber:
		b.WriteString(n.str)
	case kindString:
		writeJSONString(b, n.str)
	case kindArray:
		b.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, it)
		}
		b.WriteByte(']')
	case kindObject:
		b.WriteByte('{')
		for i, m := range n.members {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, m.key)
			b.WriteByte(':')
			writeJSON(b, m.val)
		}
		b.WriteByte('}')
	}
}

func writeJSONString(b *strings.Builder, s string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	b.Write(bytes.TrimRight(buf.Bytes(), "\n"))
}
