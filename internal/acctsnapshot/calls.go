// Package acctsnapshot makes the read-only calls that dump an AWS
// account's IAM, S3, KMS and Organizations (lockstep world snapshot), and
// writes their outputs in the layout lockstep world import reads
// (docs/import.md).
package acctsnapshot

import (
	"fmt"
	"sort"

	"github.com/lockstep-dev/lockstep/s3ops"
)

// Call is one read call of a snapshot: the AWS CLI command whose output
// it writes, the API operation it makes, and what it is made for. The
// permissions come from the operation's row of the catalogue (package
// s3ops), the rows lockstep serve authorizes the same calls by.
type Call struct {
	// Command is the AWS CLI command name, which names the output file.
	Command string
	// Service and Operation name the catalogue row.
	Service, Operation string
	// Scope says what the call is made for: the account, each bucket,
	// each key, or the organization (management account only).
	Scope string
}

// Scopes of the calls.
const (
	ScopeAccount      = "account"
	ScopeBucket       = "each bucket"
	ScopeKey          = "each key"
	ScopeOrganization = "organization (management account only)"
)

// Calls are the calls a snapshot makes, in order: the one table both the
// snapshot and --plan read.
var Calls = []Call{
	{"get-caller-identity", "sts", "GetCallerIdentity", ScopeAccount},
	{"get-account-authorization-details", "iam", "GetAccountAuthorizationDetails", ScopeAccount},
	{"list-buckets", "s3", "ListBuckets", ScopeAccount},
	{"get-bucket-location", "s3", "GetBucketLocation", ScopeBucket},
	{"get-bucket-policy", "s3", "GetBucketPolicy", ScopeBucket},
	{"get-bucket-encryption", "s3", "GetBucketEncryption", ScopeBucket},
	{"get-bucket-ownership-controls", "s3", "GetBucketOwnershipControls", ScopeBucket},
	{"get-bucket-versioning", "s3", "GetBucketVersioning", ScopeBucket},
	{"list-aliases", "kms", "ListAliases", ScopeAccount},
	{"list-keys", "kms", "ListKeys", ScopeAccount},
	{"describe-key", "kms", "DescribeKey", ScopeKey},
	{"get-key-policy", "kms", "GetKeyPolicy", ScopeKey},
	{"describe-organization", "organizations", "DescribeOrganization", ScopeOrganization},
	{"list-accounts", "organizations", "ListAccounts", ScopeOrganization},
	{"list-roots", "organizations", "ListRoots", ScopeOrganization},
	{"list-organizational-units-for-parent", "organizations", "ListOrganizationalUnitsForParent", ScopeOrganization},
	{"list-accounts-for-parent", "organizations", "ListAccountsForParent", ScopeOrganization},
	{"list-policies", "organizations", "ListPolicies", ScopeOrganization},
	{"describe-policy", "organizations", "DescribePolicy", ScopeOrganization},
	{"list-targets-for-policy", "organizations", "ListTargetsForPolicy", ScopeOrganization},
}

// Permissions returns the IAM actions of the calls' catalogue rows,
// sorted, each once, or an error naming a call whose row is missing.
func Permissions() ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, c := range Calls {
		op, ok := s3ops.Lookup(c.Service, c.Operation)
		if !ok {
			return nil, fmt.Errorf("%s: the operation catalogue has no row %s %s", c.Command, c.Service, c.Operation)
		}
		for _, p := range op.Permissions {
			if !seen[p.Action] {
				seen[p.Action] = true
				out = append(out, p.Action)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// describe names a command with the permission it needs, for errors:
// "get-bucket-policy (s3:GetBucketPolicy)".
func describe(command string) string {
	for _, c := range Calls {
		if op, ok := s3ops.Lookup(c.Service, c.Operation); ok && c.Command == command && len(op.Permissions) > 0 {
			return command + " (" + op.Permissions[0].Action + ")"
		}
	}
	return command
}
