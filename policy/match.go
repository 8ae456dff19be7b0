package policy

// Request is what a statement is matched against: the action, the resource
// ARN and the request context (docs/authorization.md §1.1). The principal is matched
// separately with MatchPrincipal because how it matched matters to the
// decision (docs/authorization.md §1.3).
type Request struct {
	// Action is "service:Action", e.g. "s3:GetObject".
	Action string
	// Resource is the resource ARN, or "*" for actions without a
	// resource type (s3:ListAllMyBuckets).
	Resource string
	// Context holds the condition keys, including those that policy
	// variables read.
	Context *Context
}

// Element names the part of a statement that did not match a request.
type Element uint8

const (
	// Matched: action, resource and conditions all match.
	Matched Element = iota
	ElemAction
	ElemResource
	ElemCondition
)

func (e Element) String() string {
	return [...]string{"matched", "Action", "Resource", "Condition"}[e]
}

// Mismatch tells why a statement does not apply. For ElemCondition, Index
// is the position of the first failing condition in Statement.Conditions.
type Mismatch struct {
	Element Element
	Index   int
}

// Applies reports whether the statement's Action, Resource and Condition
// elements all match the request (docs/authorization.md §1.5: the statement matches iff all
// of them match; the principal is checked by the caller).
func (s *Statement) Applies(r *Request) bool {
	return s.Check(r).Element == Matched
}

// Check is Applies that also says which element failed first.
func (s *Statement) Check(r *Request) Mismatch {
	if !s.MatchAction(r.Action) {
		return Mismatch{Element: ElemAction}
	}
	if s.hasResource && !s.MatchResource(r.Resource, r.Context) {
		return Mismatch{Element: ElemResource}
	}
	for i := range s.conditions {
		if !s.conditions[i].eval(r.Context) {
			return Mismatch{Element: ElemCondition, Index: i}
		}
	}
	return Mismatch{}
}

// MatchAction reports whether the Action (or NotAction) element covers
// action. Action names are case-insensitive; * and ? are wildcards
// (docs/authorization.md §1.5 "Action / NotAction").
func (s *Statement) MatchAction(action string) bool {
	hit := false
	for i := range s.actions {
		if m, _ := s.actions[i].match(action, nil, true); m {
			hit = true
			break
		}
	}
	return hit != s.notAction
}

// MatchResource reports whether the Resource (or NotResource) element
// covers the resource ARN. An entry whose policy variable has no value
// matches nothing (docs/authorization.md §1.6), so under NotResource it does not exclude.
func (s *Statement) MatchResource(resource string, ctx *Context) bool {
	if !s.hasResource {
		return true
	}
	hit := false
	for i := range s.resources {
		if m, _ := s.resources[i].match(resource, ctx); m {
			hit = true
			break
		}
	}
	return hit != s.notResource
}
