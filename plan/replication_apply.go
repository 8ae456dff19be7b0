package plan

import (
	"fmt"

	"github.com/lockstep-dev/lockstep/world"
)

// Apply writes the plan's documents into the world model, as a reader
// following the plan would: the replication role in the source's account
// (added when the world has none of that name) with the plan's trust
// policy and permissions policy in place of its policies, the
// destination's bucket policy (replaced) when another account owns it,
// the key statements added to their keys' policies, and versioning
// Enabled on both buckets, which replication needs.
func (p *ReplicationPlan) Apply(m *world.Model) error {
	s := p.Setup
	src, dst := m.FindBucket(s.Source.Name), m.FindBucket(s.Destination.Name)
	if src == nil || dst == nil {
		return fmt.Errorf("the world does not have the buckets %s and %s", s.Source.Name, s.Destination.Name)
	}
	src.Versioning, dst.Versioning = world.VersioningEnabled, world.VersioningEnabled
	var account *world.AccountModel
	for i := range m.Accounts {
		if m.Accounts[i].ID == s.Source.Account {
			account = &m.Accounts[i]
		}
	}
	if account == nil {
		return fmt.Errorf("the source's account %s is not in the world", s.Source.Account)
	}
	var role *world.RoleModel
	for i := range account.Roles {
		if account.Roles[i].Name == s.RoleName {
			role = &account.Roles[i]
		}
	}
	if role == nil {
		account.Roles = append(account.Roles, world.RoleModel{Name: s.RoleName})
		role = &account.Roles[len(account.Roles)-1]
	}
	trust := world.DocFromJSON(p.Trust.JSON())
	role.Trust = &trust
	role.Policies, role.ManagedPolicies, role.Boundary = world.NamedDocs{}, nil, nil
	if len(p.Permissions.Statement) > 0 {
		role.Policies.Set("lockstep-replication", world.DocFromJSON(p.Permissions.JSON()))
	}
	if p.DestinationBucketPolicy != nil {
		dst.Policy = nil
		if len(p.DestinationBucketPolicy.Statement) > 0 {
			doc := world.DocFromJSON(p.DestinationBucketPolicy.JSON())
			dst.Policy = &doc
		}
	}
	for arn, d := range p.Keys {
		km, owner := findKeyModel(m, arn)
		if km == nil {
			return fmt.Errorf("the plan has key statements for %s, which the world does not have", arn)
		}
		merged, err := mergeStatements(km, owner, d)
		if err != nil {
			return fmt.Errorf("key %s: %w", arn, err)
		}
		doc := world.DocFromJSON(merged)
		km.Policy = &doc
	}
	return nil
}

// Needs are the permissions of the plan's steps, one per step and in its
// order: the action, its resource and conditions, the account that owns
// the resource.
func (p *ReplicationPlan) Needs() []Need { return p.needs() }
