package plan

import (
	"encoding/json"
	"fmt"

	"github.com/lockstep-dev/lockstep/world"
)

// Apply puts the plan's policies into a world model, for a simulation or
// a proof: the principal's identity-based policies (inline, attached and
// its groups') become the plan's identity policy (its boundary and session
// policies stay), each planned bucket
// policy replaces the bucket's, and planned key statements are added to
// the key's policy.
func (p *Plan) Apply(m *world.Model) error {
	if p.Context.Principal == "" {
		return fmt.Errorf("the plan has no principal to give the identity policy to (use --principal)")
	}
	u, r := m.FindPrincipal(p.Context.Principal)
	// A plan without a permission (a proof run) may leave a document with
	// no statement: the principal or bucket then has no policy at all.
	var policies world.NamedDocs
	if len(p.Policies.Identity.Statement) > 0 {
		policies.Set("lockstep-plan", world.DocFromJSON(p.Policies.Identity.JSON()))
	}
	// The plan's policy replaces every identity-based policy: inline,
	// attached, and the groups' (a user leaves its groups).
	switch {
	case u != nil:
		u.Policies, u.ManagedPolicies, u.Groups = policies, nil, nil
	case r != nil:
		r.Policies, r.ManagedPolicies = policies, nil
	default:
		return fmt.Errorf("principal %s is not a user or role of the world", p.Context.Principal)
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
