package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Type is the kind of policy document. It decides which elements a document
// must or must not have (docs/authorization.md §1.2, §1.5 "Version" grammar notes).
type Type uint8

const (
	// Identity is an identity-based policy attached to a user, group or role.
	Identity Type = iota
	// Resource is a resource-based policy such as an S3 bucket policy.
	Resource
	// KeyPolicy is the key policy of a KMS key (a resource-based policy).
	KeyPolicy
	// Trust is the trust policy of an IAM role (a resource-based policy
	// whose resource is the role itself).
	Trust
	// Boundary is a permissions boundary: a ceiling, never a grant.
	Boundary
	// Session is a session policy passed to AssumeRole or
	// GetFederationToken: a ceiling, never a grant.
	Session
	// SCP is an AWS Organizations service control policy: a ceiling on the
	// principals of an account.
	SCP
	// RCP is an AWS Organizations resource control policy: a ceiling on
	// the resources of an account.
	RCP
)

var typeNames = [...]string{"identity", "resource", "key", "trust", "boundary", "session", "scp", "rcp"}

// String returns the short name used on the command line and in world files.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// ParseType parses a short type name as returned by Type.String. It also
// accepts "bucket" for Resource.
func ParseType(s string) (Type, error) {
	s = strings.ToLower(s)
	if s == "bucket" {
		return Resource, nil
	}
	for i, n := range typeNames {
		if n == s {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("unknown policy type %q (want one of %s, bucket)", s, strings.Join(typeNames[:], ", "))
}

// HasPrincipal reports whether documents of this type name principals.
func (t Type) HasPrincipal() bool {
	return t == Resource || t == KeyPolicy || t == Trust || t == RCP
}

// Effect is the Effect element of a statement.
type Effect uint8

const (
	Allow Effect = iota
	Deny
)

func (e Effect) String() string {
	if e == Deny {
		return "Deny"
	}
	return "Allow"
}

// Version values (docs/authorization.md §1.5 "Version").
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed, validated and compiled policy document. It is
// immutable after Parse and safe for concurrent use.
type Policy struct {
	// Name identifies the policy in decisions and messages: the inline
	// policy name, "bucket policy of B", a file name. Set by the caller.
	Name string
	// Type is the policy type the document was validated as.
	Type Type
	// Version is the Version element, "" when absent.
	Version string
	// ID is the Id element, "" when absent.
	ID string
	// Statements are the statements in document order.
	Statements []*Statement
	// Source is the document as given.
	Source []byte
}

// Statement is one compiled statement of a policy.
type Statement struct {
	// Index is the position in the Statement array (0 when the document
	// has a single statement object).
	Index int
	// Sid is the Sid element, "" when absent.
	Sid    string
	Effect Effect

	principal    *principalSet // nil: no Principal/NotPrincipal element
	notPrincipal bool
	actions      []pattern
	notAction    bool
	resources    []arnPattern // nil with hasResource false: no element (trust policies)
	notResource  bool
	hasResource  bool
	conditions   []condition

	// JSON is the statement as compact JSON, for explanations.
	JSON string
	// Offset is the byte offset of the statement in Policy.Source.
	Offset int64
	// path is "Statement[i]" or "Statement".
	path string
}

// Label names the statement for people: its Sid when it has one, otherwise
// its position, e.g. `Statement[2]`.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return "Sid " + strconv.Quote(s.Sid)
	}
	return s.path
}

// Path returns the JSON path of the statement, "Statement[i]" or
// "Statement".
func (s *Statement) Path() string { return s.path }

// HasNotPrincipal reports whether the statement uses NotPrincipal.
func (s *Statement) HasNotPrincipal() bool { return s.notPrincipal }

// Actions returns the Action (or NotAction) patterns as written, and
// whether they are NotAction.
func (s *Statement) Actions() (patterns []string, not bool) {
	for i := range s.actions {
		patterns = append(patterns, s.actions[i].text)
	}
	return patterns, s.notAction
}

// Resources returns the Resource (or NotResource) patterns as written, and
// whether they are NotResource.
func (s *Statement) Resources() (patterns []string, not bool) {
	for i := range s.resources {
		patterns = append(patterns, s.resources[i].text)
	}
	return patterns, s.notResource
}

// ConditionKeys returns the condition keys the statement tests, as written.
func (s *Statement) ConditionKeys() []string {
	var keys []string
	for i := range s.conditions {
		keys = append(keys, s.conditions[i].keyText)
	}
	return keys
}

// Conditions returns each condition as "Operator key", for explanations.
func (s *Statement) Conditions() []string {
	var out []string
	for i := range s.conditions {
		c := &s.conditions[i]
		out = append(out, c.opText+" "+c.keyText)
	}
	return out
}

// HasPrincipalElement reports whether the statement has a Principal or
// NotPrincipal element.
func (s *Statement) HasPrincipalElement() bool { return s.principal != nil }

// ConditionInfo describes one operator/key pair of a Condition block, as
// written, for lint and explanations.
type ConditionInfo struct {
	// Operator is the operator as written, e.g. "ForAnyValue:StringLike".
	Operator string
	// Canonical is its canonical spelling.
	Canonical string
	// Base is the base operator without qualifier or IfExists, e.g.
	// "StringLike".
	Base string
	// Set is "ForAllValues", "ForAnyValue" or "".
	Set      string
	IfExists bool
	// Key is the condition key as written; Values the values as written.
	Key    string
	Values []string
}

// ConditionList returns the statement's conditions in document order.
func (s *Statement) ConditionList() []ConditionInfo {
	out := make([]ConditionInfo, 0, len(s.conditions))
	for i := range s.conditions {
		c := &s.conditions[i]
		canon, _ := CanonicalOperator(c.opText)
		set := ""
		switch c.set {
		case setForAll:
			set = "ForAllValues"
		case setForAny:
			set = "ForAnyValue"
		}
		out = append(out, ConditionInfo{Operator: c.opText, Canonical: canon, Base: c.op.name, Set: set,
			IfExists: c.ifExists, Key: c.keyText, Values: c.texts})
	}
	return out
}
