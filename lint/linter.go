package lint

import (
	"fmt"

	"github.com/lockstep-dev/lockstep/policy"
)

// linter runs the warning checks on one parsed policy.
type linter struct {
	name string
	src  []byte
	p    *policy.Policy
	out  []Finding
}

// root is the cursor of the whole document.
func (l *linter) root() cursor {
	return cursor{src: l.src, off: valueStart(l.src, 0)}
}

// statement is the cursor of a statement.
func (l *linter) statement(st *policy.Statement) cursor {
	return cursor{src: l.src, off: valueStart(l.src, st.Offset), path: st.Path()}
}

// warn adds a Warning finding at c.
func (l *linter) warn(c cursor, code, format string, args ...any) {
	line, col := policy.LineCol(l.src, c.off)
	l.out = append(l.out, Finding{File: l.name, Line: line, Col: col, Path: c.path,
		Severity: Warning, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) run() {
	l.document()
	sids := map[string]bool{}
	for _, st := range l.p.Statements {
		l.sid(st, sids)
		if st.HasNotPrincipal() && st.Effect == policy.Allow {
			l.warn(l.statement(st).member("NotPrincipal"), "notprincipal-with-allow",
				"NotPrincipal with Allow grants to everyone not listed, anonymous users included; "+
					"use Principal, or \"Principal\": \"*\" with a condition on aws:PrincipalArn (docs/authorization.md §1.5 NotPrincipal)")
		}
		acts := l.actions(st)
		l.resources(st, acts)
		l.conditions(st, acts)
		l.resourceVariables(st)
	}
}
