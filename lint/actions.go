package lint

import (
	"strings"

	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// actionSet is what lint knows of a statement's Action element.
type actionSet struct {
	// known are the Action patterns of services in the SAR table that
	// match at least one SAR action (none for NotAction).
	known []actionPattern
	// open is true when the statement covers actions lint knows nothing
	// about: "*", NotAction, another service's action, or an unknown
	// name. Any condition key may then be set, so keys are not checked.
	open bool
}

// actionPattern is one Action entry and the SAR actions it matches.
type actionPattern struct {
	text    string   // as written, e.g. "s3:Get*"
	actions []string // canonical SAR names, e.g. "s3:GetObject"
}

func (p actionPattern) wildcard() bool { return strings.ContainsAny(p.text, "*?") }

// actions checks the action names (unknown-action) and returns what the
// statement's actions are.
func (l *linter) actions(st *policy.Statement) actionSet {
	pats, not := st.Actions()
	el := "Action"
	if not {
		el = "NotAction"
	}
	at := l.statement(st).member(el)
	set := actionSet{open: not}
	for i, a := range pats {
		svc, name, _ := strings.Cut(a, ":")
		if a == "*" || !s3ops.KnowsService(svc) {
			set.open = true
			continue
		}
		p := actionPattern{text: a, actions: expand(a)}
		if len(p.actions) == 0 {
			set.open = true
			verb := "is not an IAM action of"
			if p.wildcard() {
				verb = "matches no IAM action of"
			}
			msg := a + " " + verb + " " + strings.ToLower(svc)
			if hint := suggest(strings.ToLower(svc), name); hint != "" {
				msg += ": " + hint
			}
			l.warn(at.item(i), "unknown-action", "%s", msg)
			continue
		}
		if !not {
			set.known = append(set.known, p)
		}
	}
	return set
}

// expand returns the SAR actions an action pattern matches.
func expand(pattern string) []string {
	if strings.ContainsAny(pattern, "*?") {
		return s3ops.Actions(pattern)
	}
	if sa, ok := s3ops.LookupAction(pattern); ok {
		return []string{sa.Name}
	}
	return nil
}
