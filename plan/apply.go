package plan

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/world"
)

// Apply puts the plan's policies into a world model, for a simulation or
// a proof: the principal's identity-based policies (inline, attached and
// its groups') become the plan's identity policy (its boundary and session
// policies stay), a role a service assumes gets the plan's trust policy, each planned bucket policy replaces the bucket's, and
// planned key statements are added to the key's policy. With two
// credential sets, each principal gets its own identity policy (both,
// when the two profiles are one principal).
func (p *Plan) Apply(m *world.Model) error {
	if p.Context.Principal == "" {
		return fmt.Errorf("the plan has no principal to give the identity policy to (use --principal)")
	}
	identities := []struct {
		principal, name string
		doc             *Document
	}{{p.Context.Principal, "lockstep-plan", p.Policies.Identity}}
	if p.TwoPrincipals() {
		if p.Context.SourcePrincipal == "" {
			return fmt.Errorf("the plan has no principal to give the source's identity policy to (use --source-principal)")
		}
		identities = append([]struct {
			principal, name string
			doc             *Document
		}{{p.Context.SourcePrincipal, "lockstep-plan-source", p.Policies.SourceIdentity}}, identities...)
	}
	if p.Policies.Trust != nil {
		// A role's plan (a Batch Operations job's) creates the role
		// when its account has none by that name, as a replication
		// plan does (ReplicationPlan.Apply).
		if err := addRole(m, p.Context.Principal); err != nil {
			return err
		}
	}
	given := map[string]bool{}
	for _, id := range identities {
		u, r := m.FindPrincipal(id.principal)
		var policies *world.NamedDocs
		switch {
		case u != nil:
			policies = &u.Policies
		case r != nil:
			policies = &r.Policies
		default:
			return fmt.Errorf("principal %s is not a user or role of the world", id.principal)
		}
		if !given[id.principal] {
			// The plan's policies replace every identity-based policy:
			// inline, attached, and the groups' (a user leaves its
			// groups).
			*policies = world.NamedDocs{}
			if u != nil {
				u.ManagedPolicies, u.Groups = nil, nil
			} else {
				r.ManagedPolicies = nil
			}
			given[id.principal] = true
		}
		// A plan without a permission (a proof run) may leave a document
		// with no statement: the principal then has no policy from it.
		if len(id.doc.Statement) > 0 {
			policies.Set(id.name, world.DocFromJSON(id.doc.JSON()))
		}
	}
	if p.Policies.Trust != nil {
		_, r := m.FindPrincipal(p.Context.Principal)
		if r == nil {
			return fmt.Errorf("the plan's role %s is not a role of the world", p.Context.Principal)
		}
		doc := world.DocFromJSON(p.Policies.Trust.JSON())
		r.Trust = &doc
	}
	for name, d := range p.Policies.Buckets {
		bm := m.FindBucket(name)
		if bm == nil {
			return fmt.Errorf("the plan has a policy for bucket %s, which the world does not have", name)
		}
		bm.Policy = nil
		if len(d.Statement) > 0 {
			doc := world.DocFromJSON(d.JSON())
			bm.Policy = &doc
		}
	}
	for arn, d := range p.Policies.Keys {
		km, account := findKeyModel(m, arn)
		if km == nil {
			return fmt.Errorf("the plan has key statements for %s, which the world does not have", arn)
		}
		merged, err := mergeStatements(km, account, d)
		if err != nil {
			return fmt.Errorf("key %s: %w", arn, err)
		}
		doc := world.DocFromJSON(merged)
		km.Policy = &doc
	}
	return nil
}

func findKeyModel(m *world.Model, arn string) (*world.KeyModel, string) {
	for i := range m.Accounts {
		a := &m.Accounts[i]
		for j := range a.Keys {
			if "arn:aws:kms:"+m.Region+":"+a.ID+":key/"+a.Keys[j].ID == arn {
				return &a.Keys[j], a.ID
			}
		}
	}
	return nil, ""
}

// mergeStatements adds the plan's statements to a key's policy (the
// default key policy when it has none).
func mergeStatements(km *world.KeyModel, account string, add *Document) ([]byte, error) {
	// The default key policy (docs/authorization.md §3.4): the account may grant use of
	// the key with IAM policies.
	base := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Sid": "Enable IAM User Permissions", "Effect": "Allow",
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":root"}, "Action": "kms:*", "Resource": "*"}}}
	if km.Policy != nil {
		text, err := km.Policy.JSON()
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(text, &base); err != nil {
			return nil, err
		}
	}
	var stmts []any
	switch s := base["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	}
	for _, st := range add.Statement {
		stmts = append(stmts, st)
	}
	base["Statement"] = stmts
	return json.Marshal(base)
}

// addRole adds the role roleARN names to its account of m unless m has
// it; the account must be in m.
func addRole(m *world.Model, roleARN string) error {
	if _, r := m.FindPrincipal(roleARN); r != nil {
		return nil
	}
	account, name, ok := arn.Role(roleARN)
	if !ok {
		return fmt.Errorf("%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", roleARN)
	}
	for i := range m.Accounts {
		a := &m.Accounts[i]
		if a.ID != account {
			continue
		}
		role := world.RoleModel{Name: name}
		if i := strings.LastIndex(name, "/"); i >= 0 {
			role = world.RoleModel{Name: name[i+1:], Path: "/" + name[:i+1]}
		}
		a.Roles = append(a.Roles, role)
		return nil
	}
	return fmt.Errorf("the role %s belongs to account %s, which the world does not have", roleARN, account)
}
