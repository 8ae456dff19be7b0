package lint

import (
	"strconv"
	"strings"

	"github.com/lockstep-dev/lockstep/policy"
)

// document checks the top-level elements (docs/authorization.md §1.5 "Version").
func (l *linter) document() {
	if l.p.Version == "" {
		l.warn(l.root(), "missing-version",
			"no Version element: policy variables such as ${aws:username} are then literal text; add \"Version\": %q",
			policy.Version2012)
	}
	if l.p.ID != "" && l.p.Type == policy.Identity {
		l.warn(l.root().member("Id"), "id-in-identity-policy",
			"identity policies must not have an Id element (docs/authorization.md §1.5 grammar notes): remove it")
	}
}

// sid checks a statement's Sid against the others (seen) and, in policies
// IAM stores, its characters.
func (l *linter) sid(st *policy.Statement, seen map[string]bool) {
	if st.Sid == "" {
		return
	}
	at := l.statement(st).member("Sid")
	if seen[st.Sid] {
		l.warn(at, "duplicate-sid", "Sid %q is already used by another statement: give each statement its own Sid", st.Sid)
	}
	seen[st.Sid] = true
	if iamGrammar(l.p.Type) && !alphanumeric(st.Sid) {
		hint := ""
		if k := keepAlphanumeric(st.Sid); k != "" {
			hint = ", e.g. " + strconv.Quote(k)
		}
		l.warn(at, "sid-characters", "Sid %q: in %s policies a Sid may hold only the letters A-Z, a-z and the digits 0-9%s",
			st.Sid, l.p.Type, hint)
	}
}

// iamGrammar reports whether IAM validates documents of type t as
// identity policies, with the stricter Sid rule.
func iamGrammar(t policy.Type) bool {
	return t == policy.Identity || t == policy.Boundary || t == policy.Session
}

func isAlphanumeric(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

func alphanumeric(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !isAlphanumeric(r) }) < 0
}

// keepAlphanumeric drops the characters a Sid may not hold.
func keepAlphanumeric(s string) string {
	return strings.Map(func(r rune) rune {
		if isAlphanumeric(r) {
			return r
		}
		return -1
	}, s)
}
