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
	// SameOrganization is true when the principal's account and the
	// resource's account are members of one organization.
	SameOrganization bool
	// Service is the action's service prefix, e.g. "s3" or "kms".
	Service string
	// ResourceKind is the kind of the resource: for ResourceRole the
	// resource-based policy is the role's trust policy.
	ResourceKind ResourceKind

	// root is true when the principal is the root user of its account.
	root bool
}

// Allowed reports whether the effect is Allow.
func (d Decision) Allowed() bool { return d.Effect == Allow }

// Message returns AWS's authorization message for a denial (docs/authorization.md §1.7,
// §4.2), as the IAM troubleshooting page writes it: `User: ARN is not
// authorized to perform: ACTION on resource: RES because no identity-based
// policy allows the ACTION action`, or `... with an explicit deny in an
// identity-based policy`. S3 puts the resource ARN in double quotes; other
// services do not. An action that takes no resource (Resource "*") has no
// ` on resource: ...` part, except in KMS, which writes `on resource: *`
// (docs/decisions.md). A role's trust policy is named as such: `because no
// role trust policy allows the sts:AssumeRole action`, `with an explicit
// deny in the role trust policy`. An SCP level without an Allow is
// `because no service control policy allows the ACTION action`, as the
// current IAM and S3 pages write it (docs/authorization.md §1.7,
// docs/decisions.md #13). Empty for Allow.
func (d Decision) Message() string {
	if d.Effect == Allow {
		return ""
	}
	var b strings.Builder
	b.WriteString("User: ")
	b.WriteString(d.Principal)
	b.WriteString(" is not authorized to perform: ")
	b.WriteString(d.Action)
	switch {
	case d.Resource == "*" && d.Service != "kms":
	case d.Service == "s3":
		b.WriteString(" on resource: \"" + d.Resource + "\"")
	default:
		b.WriteString(" on resource: ")
		b.WriteString(d.Resource)
	}
	trust := d.trustPolicy()
	if d.Effect == ExplicitDeny {
		switch {
		case trust:
			b.WriteString(" with an explicit deny in the ")
		case d.Type == TypeIdentity:
			b.WriteString(" with an explicit deny in an ")
		default:
			b.WriteString(" with an explicit deny in a ")
		}
		b.WriteString(d.TypePhrase())
		return b.String()
	}
	b.WriteString(" because no ")
	b.WriteString(d.TypePhrase())
	b.WriteString(" allows the ")
	b.WriteString(d.Action)
	b.WriteString(" action")
	return b.String()
}

// trustPolicy reports whether the deciding resource-based policy is a
// role's trust policy.
func (d Decision) trustPolicy() bool {
	return d.Type == TypeResource && d.ResourceKind == ResourceRole
}

// TypePhrase names the deciding policy type in AWS's words: Type.Phrase(),
// or "role trust policy" when the resource-based policy is a role's
// trust policy (docs/authorization.md §1.7).
func (d Decision) TypePhrase() string {
	if d.trustPolicy() {
		return "role trust policy"
	}
	return d.Type.Phrase()
}

// S3Message returns what S3 puts in the <Message> of an AccessDenied
// error: the detailed message for requests within one account or one
// organization, and the plain "Access Denied" for other cross-account
// requests and anonymous requests, which do not get the added context
// (docs/authorization.md §4.2, docs/decisions.md #11).
func (d Decision) S3Message() string {
	if d.Effect == Allow {
		return ""
	}
	if (d.CrossAccount && !d.SameOrganization) || d.Principal == anonymousName {
		return "Access Denied"
	}
	return d.Message()
}

// Summary is a one-line explanation for people, e.g.
// `allowed by identity-based policy "sync", Sid "Read"` or
// `implicit deny: no identity-based policy allows s3:GetObject`. It always
// says what allowed: the root user needs no policy in its own account, and
// an allowed check that no policy statement decided was granted by an
// object ACL (docs/decisions.md "Objects owned by another account").
func (d Decision) Summary() string {
	switch d.Effect {
	case Allow:
		if d.By.IsZero() {
			if d.root {
				return "allowed: the root user has full access in its own account and needs no policy"
			}
			return "allowed by the object's access control list (no policy statement)"
		}
		s := "allowed by " + d.By.Describe()
		switch {
		case !d.Also.IsZero():
			s += " and " + d.Also.Describe()
		case d.root && d.By.Type == TypeResource:
			// The root user's own account allows everything: a
			// resource-based policy is the only grant it needs.
			s += "; the root user needs no identity-based policy"
		}
		return s
	case ExplicitDeny:
		return "explicit deny in " + d.By.Describe()
	}
	if d.Type == TypeSCP {
		return "implicit deny: no service control policy at one level of the organization allows " + d.Action
	}
	return "implicit deny: no " + d.TypePhrase() + " allows " + d.Action
}
