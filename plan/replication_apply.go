package plan

import (
	"encoding/json"
	"fmt"

	"github.com/lockstep-dev/lockstep/world"
)

// Apply writes the plan's documents into the world model, as a reader
// following the plan would: the replication role in the source's account
// (added when the world has none of that name) with the plan's trust
// policy and permissions policy in place of its policies, the
// destination's bucket policy statements merged into its current policy
// when another account owns it (a Deny of the world's stays and still
// denies),
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
		if err := mergeBucketPolicy(dst, p.DestinationBucketPolicy); err != nil {
			return fmt.Errorf("bucket %s: %w", dst.Name, err)
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

// mergeBucketPolicy merges planned statements into a bucket's current
// policy in the world model, as the plan's outputs merge them
// (mergePolicy); a bucket left without statements has no policy.
func mergeBucketPolicy(b *world.BucketModel, add *Document) error {
	current := ""
	if b.Policy != nil {
		text, err := b.Policy.JSON()
		if err != nil {
			return err
		}
		current = string(text)
	}
	merged, err := mergePolicy(current, add)
	if err != nil {
		return err
	}
	var doc struct{ Statement []json.RawMessage }
	if err := json.Unmarshal(merged, &doc); err != nil {
		return err
	}
	b.Policy = nil
	if len(doc.Statement) > 0 {
		d := world.DocFromJSON(merged)
		b.Policy = &d
	}
	return nil
}

// MergedDestinationBucketPolicy is the whole policy to put on the
// destination bucket: its current policy (from the world) with the
// planned statements merged in, replacing statements of the same Sid;
// nil when there is no destination policy to plan or its current policy
// is unknown (no --world).
func (p *ReplicationPlan) MergedDestinationBucketPolicy() ([]byte, error) {
	if p.DestinationBucketPolicy == nil || p.Setup.DestinationPolicy == CurrentUnknown {
		return nil, nil
	}
	merged, err := mergePolicy(p.Setup.DestinationPolicySource, p.DestinationBucketPolicy)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: merging the planned statements with its current policy: %w", p.Setup.Destination.Name, err)
	}
	return merged, nil
}

// Needs are the permissions of the plan's steps, one per step and in its
// order: the action, its resource and conditions, the account that owns
// the resource.
func (p *ReplicationPlan) Needs() []Need { return p.needs() }
