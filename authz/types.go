package authz

import (
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/policy"
)

// PrincipalKind is the kind of caller (docs/authorization.md §1.5 "Principal", §1.6
// aws:PrincipalType).
type PrincipalKind uint8

const (
	Anonymous PrincipalKind = iota
	Root
	User
	AssumedRole
	FederatedUser
	ServicePrincipal
)

var kindNames = [...]string{"Anonymous", "Account", "User", "AssumedRole", "FederatedUser", "AWSService"}

// String returns the aws:PrincipalType value of the kind.
func (k PrincipalKind) String() string { return kindNames[k] }

// Principal is the caller with everything that limits or grants its
// permissions on its own side: identity-based policies, permissions
// boundary, session policies and the SCPs above its account.
type Principal struct {
	policy.Principal
	Kind PrincipalKind

	// UserID is aws:userid: AIDA... for users, AROA...:session for role
	// sessions, the account ID for root, "anonymous" for anonymous.
	UserID string
	// OrgID is the organization of the principal's account, the value of
	// aws:PrincipalOrgID; "" when the account is in no organization.
	OrgID string
	// OrgPaths are the organization paths of the principal's account
	// (o-ID/r-ROOT/ou-.../), the values of aws:PrincipalOrgPaths.
	OrgPaths []string
	// IssuedAt is when the temporary credentials of a role or
	// federated-user session were issued (aws:TokenIssueTime); zero means
	// at the time of the request.
	IssuedAt time.Time
	// MFAAuthTime is when the caller authenticated with MFA: for a
	// session, when it was issued with an MFA code; for a user, the MFA
	// code sent with the request itself (sts:AssumeRole with
	// SerialNumber and TokenCode). Zero: no MFA.
	MFAAuthTime time.Time
	// ServiceLinked is true for a session of a service-linked role, which
	// SCPs and RCPs do not restrict (docs/authorization.md §1.9).
	ServiceLinked bool
	// UserName is aws:username, set for IAM users only.
	UserName string
	// Tags are the principal's tags (the user's or the role's), the
	// aws:PrincipalTag/<key> values.
	Tags map[string]string

	// Identity holds the identity-based policies of the user or role.
	Identity []*policy.Policy
	// Boundary is the permissions boundary, nil when none is attached.
	Boundary *policy.Policy
	// Session holds the session policies of a role or federated-user
	// session; their union is the session ceiling.
	Session []*policy.Policy
	// SCPs holds the service control policies that apply to the
	// principal's account, one slice per level from the organization root
	// to the account. Every level must allow (docs/authorization.md §1.2 SCP row). Nil when
	// the account is not in an organization or is its management account.
	SCPs [][]*policy.Policy
}

// ResourceKind selects the rules for the resource-based policy.
type ResourceKind uint8

const (
	// ResourceS3 is a bucket or an object: in the same account, the
	// identity policy or the bucket policy is enough (docs/authorization.md §1.3).
	ResourceS3 ResourceKind = iota
	// ResourceKMSKey is a KMS key: the key policy must allow; IAM
	// policies count only when the key policy delegates to the account
	// (docs/authorization.md §3.4).
	ResourceKMSKey
	// ResourceRole is an IAM role being assumed: its trust policy must
	// allow, like a key policy (docs/authorization.md §1.3 "Exceptions").
	ResourceRole
	// ResourceOther is any other resource: it has no resource policy.
	ResourceOther
)

// requiresResourceGrant reports whether the resource-based policy must
// itself allow the principal or delegate to its account.
func (k ResourceKind) requiresResourceGrant() bool {
	return k == ResourceKMSKey || k == ResourceRole
}

// Resource is the target of a request with its owner and policies.
type Resource struct {
	// ARN is the resource ARN, "*" for actions without a resource.
	ARN string
	// Account owns the resource (for S3: the bucket owner).
	Account string
	Kind    ResourceKind
	// Region is the region of the resource (a bucket's or a key's), ""
	// for global resources (IAM roles, "*").
	Region string
	// OrgID and OrgPaths are the organization of the resource's account
	// and its paths (aws:ResourceOrgID, aws:ResourceOrgPaths); "" and nil
	// when the account is in no organization.
	OrgID    string
	OrgPaths []string
	// Aliases are the aliases of a KMS key ("alias/name"), the values of
	// kms:ResourceAliases.
	Aliases []string
	// Policy is the resource-based policy, nil when there is none.
	Policy *policy.Policy
	// RCPs holds the Deny-only resource control policies above the
	// resource's account, one slice per level; nil when none apply.
	// RCPFullAWSAccess, attached at every level, is implied
	// (docs/authorization.md §1.9).
	RCPs [][]*policy.Policy
}

// Request is one authorization question.
type Request struct {
	Principal *Principal
	// Action is "service:Action", spelled as in the operation catalogue.
	Action   string
	Resource *Resource
	// Context holds the request's condition keys, built with NewContext
	// and the operation's own keys.
	Context *policy.Context
}

// PolicyType is the type of policy named by a decision and its message
// (docs/authorization.md §1.7).
type PolicyType uint8

const (
	TypeNone PolicyType = iota
	TypeIdentity
	TypeResource
	TypeBoundary
	TypeSession
	TypeSCP
	TypeRCP
)

var policyTypePhrases = [...]string{"", "identity-based policy", "resource-based policy", "permissions boundary", "session policy", "service control policy", "resource control policy"}
var policyTypeNames = [...]string{"", "identity", "resource", "boundary", "session", "scp", "rcp"}

// String returns the short name: identity, resource, boundary, session,
// scp, rcp.
func (t PolicyType) String() string { return policyTypeNames[t] }

// Phrase returns the words AWS uses in messages, e.g. "permissions
// boundary", "identity-based policy".
func (t PolicyType) Phrase() string { return policyTypePhrases[t] }

// Effect is the outcome of a decision.
type Effect uint8

const (
	ImplicitDeny Effect = iota
	Allow
	ExplicitDeny
)

var effectNames = [...]string{"implicitDeny", "allow", "explicitDeny"}

// String returns "allow", "implicitDeny" or "explicitDeny".
func (e Effect) String() string { return effectNames[e] }

// Grant points at one policy statement that took part in a decision.
type Grant struct {
	Type      PolicyType
	Policy    *policy.Policy
	Statement *policy.Statement
}

// IsZero reports whether the grant names nothing.
func (g Grant) IsZero() bool { return g.Statement == nil }

// Describe returns e.g. `identity-based policy "sync", Sid "ReadSource"`;
// a role's trust policy is a `role trust policy` (docs/authorization.md §1.7).
func (g Grant) Describe() string {
	if g.Statement == nil {
		return ""
	}
	var b strings.Builder
	if g.Type == TypeResource && g.Policy != nil && g.Policy.Type == policy.Trust {
		b.WriteString("role trust policy")
	} else {
		b.WriteString(g.Type.Phrase())
	}
	if g.Policy != nil && g.Policy.Name != "" {
		b.WriteString(" \"")
		b.WriteString(g.Policy.Name)
		b.WriteString("\"")
	}
	b.WriteString(", ")
	b.WriteString(g.Statement.Label())
	return b.String()
}
