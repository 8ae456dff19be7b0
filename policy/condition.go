package policy

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opFamily groups condition operators that compare the same way
// (docs/authorization.md §1.6, operator table).
type opFamily uint8

const (
	famString opFamily = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

// cmp is the comparison an operator makes within its family.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type opSpec struct {
	name    string
	family  opFamily
	cmp     cmp
	negated bool
	fold    bool // IgnoreCase
	wild    bool // Like operators (and ArnEquals, which is ArnLike)
}

// operators lists every base operator of docs/authorization.md §1.6 by canonical name.
var operators = []opSpec{
	{name: "StringEquals", family: famString},
	{name: "StringNotEquals", family: famString, negated: true},
	{name: "StringEqualsIgnoreCase", family: famString, fold: true},
	{name: "StringNotEqualsIgnoreCase", family: famString, negated: true, fold: true},
	{name: "StringLike", family: famString, wild: true},
	{name: "StringNotLike", family: famString, negated: true, wild: true},
	{name: "NumericEquals", family: famNumeric},
	{name: "NumericNotEquals", family: famNumeric, negated: true},
	{name: "NumericLessThan", family: famNumeric, cmp: cmpLt},
	{name: "NumericLessThanEquals", family: famNumeric, cmp: cmpLe},
	{name: "NumericGreaterThan", family: famNumeric, cmp: cmpGt},
	{name: "NumericGreaterThanEquals", family: famNumeric, cmp: cmpGe},
	{name: "DateEquals", family: famDate},
	{name: "DateNotEquals", family: famDate, negated: true},
	{name: "DateLessThan", family: famDate, cmp: cmpLt},
	{name: "DateLessThanEquals", family: famDate, cmp: cmpLe},
	{name: "DateGreaterThan", family: famDate, cmp: cmpGt},
	{name: "DateGreaterThanEquals", family: famDate, cmp: cmpGe},
	{name: "Bool", family: famBool},
	{name: "BinaryEquals", family: famBinary},
	{name: "IpAddress", family: famIP},
	{name: "NotIpAddress", family: famIP, negated: true},
	{name: "ArnEquals", family: famARN, wild: true},
	{name: "ArnLike", family: famARN, wild: true},
	{name: "ArnNotEquals", family: famARN, negated: true, wild: true},
	{name: "ArnNotLike", family: famARN, negated: true, wild: true},
	{name: "Null", family: famNull},
}

// OperatorNames returns the canonical names of the base condition operators.
func OperatorNames() []string {
	out := make([]string, len(operators))
	for i, o := range operators {
		out[i] = o.name
	}
	return out
}

type setOp uint8

const (
	setNone setOp = iota
	setForAll
	setForAny
)

// condition is one operator/key pair of a Condition block with its values.
type condition struct {
	op       *opSpec
	set      setOp
	ifExists bool
	opText   string // as written
	key      string // lower-cased
	keyText  string // as written
	values   []condValue
	texts    []string // values as written
}

type condValue struct {
	str    string       // Bool, Binary, Null: the literal
	pat    pattern      // String
	arn    arnPattern   // ARN
	num    float64      // Numeric
	time   time.Time    // Date
	prefix netip.Prefix // IP
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
// Operator names are matched case-insensitively; the canonical spelling is
// reported by lint when it differs.
func parseOperator(s string) (op *opSpec, set setOp, ifExists bool, ok bool) {
	name := s
	if q, rest, found := strings.Cut(name, ":"); found {
		switch {
		case strings.EqualFold(q, "ForAllValues"):
			set = setForAll
		case strings.EqualFold(q, "ForAnyValue"):
			set = setForAny
		default:
			return nil, 0, false, false
		}
		name = rest
	}
	if len(name) > len("IfExists") && strings.EqualFold(name[len(name)-len("IfExists"):], "IfExists") {
		ifExists = true
		name = name[:len(name)-len("IfExists")]
	}
	for i := range operators {
		if strings.EqualFold(operators[i].name, name) {
			op = &operators[i]
			break
		}
	}
	if op == nil || (op.family == famNull && (ifExists || set != setNone)) {
		return nil, 0, false, false
	}
	return op, set, ifExists, true
}

// CanonicalOperator returns the canonical spelling of a condition operator
// such as "forallvalues:stringlikeifexists", and whether it is one.
func CanonicalOperator(s string) (string, bool) {
	op, set, ifExists, ok := parseOperator(s)
	if !ok {
		return "", false
	}
	name := op.name
	if ifExists {
		name += "IfExists"
	}
	switch set {
	case setForAll:
		name = "ForAllValues:" + name
	case setForAny:
		name = "ForAnyValue:" + name
	}
	return name, true
}

func (p *parser) conditionBlock(path string, n *node) []condition {
	if n.kind != kindObject {
		p.fail(path, n, "must be an object of {\"Operator\": {\"key\": value}}; found %s", n.kind)
		return nil
	}
	var out []condition
	for _, opm := range n.members {
		opPath := path + "." + opm.key
		op, set, ifExists, ok := parseOperator(opm.key)
		if !ok {
			p.fail(opPath, opm.val, "unknown condition operator %q", opm.key)
			continue
		}
		if opm.val.kind != kindObject {
			p.fail(opPath, opm.val, "must be an object of {\"key\": value}; found %s", opm.val.kind)
			continue
		}
		if len(opm.val.members) == 0 {
			p.fail(opPath, opm.val, "empty: name at least one condition key")
		}
		for _, km := range opm.val.members {
			c := condition{op: op, set: set, ifExists: ifExists, opText: opm.key,
				key: strings.ToLower(km.key), keyText: km.key}
			if km.key == "" {
				p.fail(opPath, km.val, "empty condition key name")
				continue
			}
			for _, v := range p.conditionValues(opPath, km.val) {
				cv, msg := p.conditionValue(op, v)
				if msg != "" {
					p.fail(opPath+"."+km.key, v, "%s", msg)
					continue
				}
				c.values = append(c.values, cv)
				c.texts = append(c.texts, v.str)
			}
			out = append(out, c)
		}
	}
	return out
}

// conditionValues reads a value that is a string, number or boolean, or a
// non-empty list of them.
func (p *parser) conditionValues(path string, v *node) []*node {
	scalar := func(n *node) bool { return n.kind == kindString || n.kind == kindNumber || n.kind == kindBool }
	if scalar(v) {
		return []*node{v}
	}
	if v.kind == kindArray && len(v.items) > 0 {
		ok := true
		for _, it := range v.items {
			ok = ok && scalar(it)
		}
		if ok {
			return v.items
		}
	}
	p.fail(path, v, "value must be a string or list of strings")
	return nil
}

func (p *parser) conditionValue(op *opSpec, v *node) (condValue, string) {
	s := v.str
	switch op.family {
	case famString:
		return condValue{pat: compilePattern(s, op.wild, p.vars)}, ""
	case famARN:
		ap, msg := compileARNPattern(s, p.vars)
		if msg != "" {
			return condValue{}, msg
		}
		return condValue{arn: ap}, ""
	case famNumeric:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return condValue{}, strconv.Quote(s) + " is not a number"
		}
		return condValue{num: f}, ""
	case famDate:
		t, ok := parseDate(s)
		if !ok {
			return condValue{}, strconv.Quote(s) + " is not a date: use ISO 8601 (2026-01-31T00:00:00Z) or epoch seconds"
		}
		return condValue{time: t}, ""
	case famIP:
		pf, ok := parseCIDR(s)
		if !ok {
			return condValue{}, strconv.Quote(s) + " is not an IP address or CIDR block"
		}
		return condValue{prefix: pf}, ""
	case famBool, famNull:
		if !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
			return condValue{}, strconv.Quote(s) + " is not a boolean: use \"true\" or \"false\""
		}
		return condValue{str: strings.ToLower(s)}, ""
	default: // famBinary
		return condValue{str: s}, ""
	}
}

// parseDate accepts the W3C ISO 8601 forms and epoch seconds (docs/authorization.md §1.6).
func parseDate(s string) (time.Time, bool) {
	if looksNumeric(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			sec := int64(f)
			return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func looksNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

// parseCIDR accepts a CIDR block or a bare address (a /32 or /128).
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		pf, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return pf.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval evaluates the condition against the request context, applying the
// missing-key rules, IfExists and the set operators of docs/authorization.md §1.6.
func (c *condition) eval(ctx *Context) bool {
	vals, present := ctx.get(c.key)
	if c.op.family == famNull {
		// Null: "true" means the key is absent (docs/authorization.md §1.6). Several
		// values are OR-ed like any other condition values.
		for i := range c.values {
			if (c.values[i].str == "true") != present {
				return true
			}
		}
		return false
	}
	switch c.set {
	case setForAll:
		// True when every request value matches; also true for an absent
		// key, an empty set, or an empty-string ("null") value (docs/authorization.md §1.6
		// "Null value in context").
		for _, v := range vals {
			if v == "" {
				continue
			}
			if !c.matchValue(v, ctx) {
				return false
			}
		}
		return true
	case setForAny:
		// False for an absent key, an empty set or a null value.
		for _, v := range vals {
			if v != "" && c.matchValue(v, ctx) {
				return true
			}
		}
		return false
	}
	if !present || len(vals) == 0 {
		// Missing key: positive operators are false, negated operators
		// are true; ...IfExists is true either way.
		return c.ifExists || c.op.negated
	}
	if len(vals) > 1 {
		// A plain operator on a multi-valued key: false, the reading of
		// docs/decisions.md ("Plain operators on multi-valued keys").
		return false
	}
	return c.matchValue(vals[0], ctx)
}

// matchValue compares one request value with the policy values: a positive
// operator matches when any value matches; a negated operator when none does.
func (c *condition) matchValue(v string, ctx *Context) bool {
	any := false
	for i := range c.values {
		if c.compare(&c.values[i], v, ctx) {
			any = true
			break
		}
	}
	return any != c.op.negated
}

// compare applies the positive form of the operator to one policy value.
func (c *condition) compare(pv *condValue, v string, ctx *Context) bool {
	switch c.op.family {
	case famString:
		m, _ := pv.pat.match(v, ctx, c.op.fold)
		return m
	case famARN:
		m, _ := pv.arn.match(v, ctx)
		return m
	case famNumeric:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		return compareOrdered(f, pv.num, c.op.cmp)
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		return compareOrdered(t.UnixNano(), pv.time.UnixNano(), c.op.cmp)
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		return pv.prefix.Contains(a.Unmap())
	case famBool:
		return strings.EqualFold(v, pv.str)
	case famBinary:
		return v == pv.str
	}
	return false
}

func compareOrdered[T int64 | float64](a, b T, op cmp) bool {
	switch op {
	case cmpLt:
		return a < b
	case cmpLe:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGe:
		return a >= b
	}
	return a == b
}
