package authz

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lockstep-dev/lockstep/policy"
)

// Trace is the step-by-step record of one evaluation, for people.
type Trace struct {
	Steps    []Step
	Decision Decision
}

// Step is one line of a trace.
type Step struct {
	// Type is the policy type the step is about (TypeNone for the
	// request itself).
	Type PolicyType
	// Policy and Statement name the statement evaluated, when the step is
	// about one.
	Policy    string
	Statement string
	// Effect is the statement's effect ("Allow"/"Deny") when the step is
	// about a statement.
	Effect string
	// Applies reports whether the statement matched the request.
	Applies bool
	// Failed is the condition that kept the statement from applying,
	// when its principal, action and resource matched; nil otherwise.
	Failed *FailedCondition
	// Text is the human-readable explanation.
	Text string
}

// FailedCondition is a condition of a statement that was false for a
// request: its operator and key as written, and the request's values of
// the key (Present false: the request did not have the key).
type FailedCondition struct {
	Operator string
	Key      string
	Values   []string
	Present  bool
}

// Observed says what the request had for the key: `s3:prefix absent`,
// `aws:SourceVpce is "vpce-1"`.
func (f *FailedCondition) Observed() string {
	if !f.Present {
		return f.Key + " absent"
	}
	q := make([]string, len(f.Values))
	for i, v := range f.Values {
		q[i] = strconv.Quote(v)
	}
	return f.Key + " is " + strings.Join(q, ", ")
}

// String is e.g. `StringLike s3:prefix: s3:prefix absent`.
func (f *FailedCondition) String() string { return f.Operator + " " + f.Key + ": " + f.Observed() }

func (t *Trace) add(s Step) { t.Steps = append(t.Steps, s) }

func (t *Trace) note(typ PolicyType, format string, args ...any) {
	t.add(Step{Type: typ, Text: fmt.Sprintf(format, args...)})
}

func (t *Trace) begin(req *Request, cross bool) {
	p := req.Principal
	where := "same account"
	if cross {
		where = "cross-account: the principal's account " + p.Account + " and the resource's account " + req.Resource.Account + " must both allow (docs/authorization.md §1.4)"
	} else if p.Kind == Anonymous {
		where = "anonymous: only the resource policy can allow"
	}
	t.note(TypeNone, "request: %s (%s) wants %s on %s; %s", PrincipalName(p), p.Kind, req.Action, req.Resource.ARN, where)
}

func (t *Trace) statement(typ PolicyType, p *policy.Policy, st *policy.Statement, pm policy.PrincipalMatch, mm policy.Mismatch, r *policy.Request) {
	s := Step{Type: typ, Policy: p.Name, Statement: st.Label(), Effect: st.Effect.String()}
	name := p.Name
	if name == "" {
		name = "(unnamed)"
	}
	prefix := fmt.Sprintf("%s %q %s (%s)", typ.Phrase(), name, st.Label(), st.Effect)
	switch {
	case pm == policy.NoMatch:
		s.Text = prefix + ": does not apply: the principal is not named in " + principalElement(st)
	case mm.Element == policy.ElemAction:
		pats, not := st.Actions()
		s.Text = fmt.Sprintf("%s: does not apply: %s %s does not cover the action", prefix, elementName("Action", not), strings.Join(pats, ", "))
	case mm.Element == policy.ElemResource:
		pats, not := st.Resources()
		s.Text = fmt.Sprintf("%s: does not apply: %s %s does not cover the resource", prefix, elementName("Resource", not), strings.Join(pats, ", "))
	case mm.Element == policy.ElemCondition:
		s.Text = fmt.Sprintf("%s: does not apply: condition %s is false", prefix, st.Conditions()[mm.Index])
		ci := st.ConditionList()[mm.Index]
		s.Failed = &FailedCondition{Operator: ci.Operator, Key: ci.Key}
		if r != nil && r.Context != nil {
			s.Failed.Values, s.Failed.Present = r.Context.Get(ci.Key)
		}
	default:
		s.Applies = true
		s.Text = prefix + ": applies"
		if typ == TypeResource && st.HasNotPrincipal() {
			s.Text += " (NotPrincipal does not list every identity of the principal)"
		} else if typ == TypeResource {
			s.Text += " (" + pm.String() + ")"
		}
	}
	t.add(s)
}

func principalElement(st *policy.Statement) string {
	if st.HasNotPrincipal() {
		return "NotPrincipal's complement"
	}
	return "Principal"
}

func elementName(el string, not bool) string {
	if not {
		return "Not" + el
	}
	return el
}

// String renders the trace as numbered lines.
func (t *Trace) String() string {
	var b strings.Builder
	for i, s := range t.Steps {
		fmt.Fprintf(&b, "%2d. %s\n", i+1, s.Text)
	}
	return b.String()
}
