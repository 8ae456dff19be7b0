package authz

import (
	"strings"
)

// Decision is the outcome of one authorization request.
type Decision struct {
	Effect Effect
	// Type is the policy type that decided: for Allow the type of the
	// granting policy; for ExplicitDeny the type holding the Deny; for
	// ImplicitDeny the type that failed to allow.
	Type PolicyType
	// By is the statement that decided: the Allow or Deny statement; zero
	// for an implicit deny ("no policy allows").
	By Grant
	// Also is a second statement that was required: the identity-side
	// Allow of a cross-account request, the key-policy statement that
	// delegated to IAM, or the resource-side Allow.
	Also Grant

	// Principal is the ARN named in messages ("anonymous" for anonymous).
	Principal string
	Action    string
	Resource  string
	// CrossAccount is true when the principal and the resource owner are
	// different accounts.
	CrossAccount bool
	// Service is the action's service prefix, e.g. "s3" or "kms".
	Service string
}

// Allowed reports whether the effect is Allow.
func (d Decision) Allowed() bool { return d.Effect == Allow }

// Message returns AWS's authorization message for a denial (docs/authorization.md §1.7,
// §4.2): `User: ARN is not authorized to perform: ACTION on resource: RES
// because no identity-based policy allows the ACTION action`. S3 puts the
// resource ARN in double quotes; other services do not. SCP denials are
// always phrased as explicit (docs/authorization.md §1.3 step 2). Empty for Allow.
func (d Decision) Message() string {
	if d.Effect == Allow {
		return ""
	}
	var b strings.Builder
	b.WriteString("User: ")
	b.WriteString(d.Principal)
	b.WriteString(" is not authorized to perform: ")
	b.WriteString(d.Action)
	b.WriteString(" on resource: ")
	if d.Service == "s3" {
		b.WriteString("\"" + d.Resource + "\"")
	} else {
		b.WriteString(d.Resource)
	}
	if d.Effect == ExplicitDeny || d.Type == TypeSCP {
		b.WriteString(" with an explicit deny in a")
		if d.Type == TypeIdentity {
			b.WriteString("n")
		}
		b.WriteString(" ")
		b.WriteString(d.Type.Phrase())
		return b.String()
	}
	b.WriteString(" because no ")
	b.WriteString(d.Type.Phrase())
	b.WriteString(" allows the ")
	b.WriteString(d.Action)
	b.WriteString(" action")
	return b.String()
}

// S3Message returns what S3 puts in the <Message> of an AccessDenied
// error: the detailed message for requests within one account, and the
// plain "Access Denied" for cross-account and anonymous requests, which do
// not get the added context (docs/authorization.md §4.2 notes).
func (d Decision) S3Message() string {
	if d.Effect == Allow {
		return ""
	}
	if d.CrossAccount || d.Principal == anonymousName {
		return "Access Denied"
	}
	return d.Message()
}

// Summary is a one-line explanation for people, e.g.
// `allowed by identity-based policy "sync", Sid "Read"` or
// `implicit deny: no identity-based policy allows s3:GetObject`.
func (d Decision) Summary() string {
	switch d.Effect {
	case Allow:
		s := "allowed by " + d.By.Describe()
		if !d.Also.IsZero() {
			s += " and " + d.Also.Describe()
		}
		return s
	case ExplicitDeny:
		return "explicit deny in " + d.By.Describe()
	}
	if d.Type == TypeSCP {
		return "implicit deny: no service control policy at one level of the organization allows " + d.Action
	}
	return "implicit deny: no " + d.Type.Phrase() + " allows " + d.Action
}
