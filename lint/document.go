package lint

import (
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

// sid warns about a Sid that another statement already has. The parser
// rejects repeated Sids in every policy type AWS rejects them in
// (docs/authorization.md §1.10), and a Sid with characters other than
// A-Z, a-z and 0-9 in the types IAM and Organizations validate; S3
// stores a bucket policy with repeated Sids, which is legal but probably
// a mistake.
func (l *linter) sid(st *policy.Statement, seen map[string]bool) {
	if st.Sid == "" {
		return
	}
	if seen[st.Sid] {
		l.warn(l.statement(st).member("Sid"), "duplicate-sid", "Sid %q is already used by another statement: give each statement its own Sid", st.Sid)
	}
	seen[st.Sid] = true
}
