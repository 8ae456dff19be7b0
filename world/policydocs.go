package world

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/policy"
)

// PolicyDoc is one policy document of a world, with what it belongs to.
type PolicyDoc struct {
	// Owner names what the document belongs to, as the world file names
	// it: `user alice of account 111111111111, policy "read"`.
	Owner string
	// Type is the policy type the document is evaluated as.
	Type policy.Type
	// Line is the line of the world file where the document starts; 0
	// for a model built in code.
	Line int
	Doc  Doc
}

// PolicyDocs lists every policy document of the model in file order:
// SCPs and RCPs of the organization, its units and accounts; AWS and
// customer managed policies; groups' policies; each user's and role's
// policies, boundary and trust policy; bucket and key policies. Documents left out (a key's default policy) are not listed.
func (m *Model) PolicyDocs() []PolicyDoc {
	var out []PolicyDoc
	add := func(owner string, t policy.Type, d *Doc) {
		if d == nil || d.Node == nil {
			return
		}
		if t == policy.Boundary && d.Node.Kind == yaml.ScalarNode && strings.HasPrefix(d.Node.Value, "arn:") {
			return // a managed policy, listed as such
		}
		out = append(out, PolicyDoc{Owner: owner, Type: t, Line: d.Node.Line, Doc: *d})
	}
	orgDocs := func(where string, scps, rcps []Doc) {
		for i := range scps {
			if scps[i].Node != nil && scps[i].Node.Value == "FullAWSAccess" {
				continue // the AWS managed SCP, by name
			}
			add(fmt.Sprintf("%s, SCP %d", where, i+1), policy.SCP, &scps[i])
		}
		for i := range rcps {
			add(fmt.Sprintf("%s, RCP %d", where, i+1), policy.RCP, &rcps[i])
		}
	}
	if o := m.Organization; o != nil {
		orgDocs("organization root", o.SCPs, o.RCPs)
		for _, u := range o.Units {
			orgDocs("organizational unit "+u.ID, u.SCPs, u.RCPs)
		}
	}
	for i := range m.AWSManagedPolicies {
		add("AWS managed policy "+m.AWSManagedPolicies[i].Name, policy.Identity, &m.AWSManagedPolicies[i].Document)
	}
	for ai := range m.Accounts {
		a := &m.Accounts[ai]
		orgDocs("account "+a.ID, a.SCPs, a.RCPs)
		named := func(who string, nd NamedDocs) {
			for i := range nd.Docs {
				add(fmt.Sprintf("%s, policy %q", who, nd.Names[i]), policy.Identity, &nd.Docs[i])
			}
		}
		for mi := range a.ManagedPolicies {
			mp := &a.ManagedPolicies[mi]
			add(fmt.Sprintf("managed policy %s of account %s", mp.Name, a.ID), policy.Identity, &mp.Document)
		}
		for gi := range a.Groups {
			named(fmt.Sprintf("group %s of account %s", a.Groups[gi].Name, a.ID), a.Groups[gi].Policies)
		}
		for ui := range a.Users {
			u := &a.Users[ui]
			who := fmt.Sprintf("user %s of account %s", u.Name, a.ID)
			named(who, u.Policies)
			add(who+", permissions boundary", policy.Boundary, u.Boundary)
		}
		for ri := range a.Roles {
			r := &a.Roles[ri]
			who := fmt.Sprintf("role %s of account %s", r.Name, a.ID)
			add(who+", trust policy", policy.Trust, r.Trust)
			named(who, r.Policies)
			add(who+", permissions boundary", policy.Boundary, r.Boundary)
		}
		for bi := range a.Buckets {
			b := &a.Buckets[bi]
			add(fmt.Sprintf("bucket %s of account %s, bucket policy", b.Name, a.ID), policy.Resource, b.Policy)
		}
		for ki := range a.Keys {
			k := &a.Keys[ki]
			add(fmt.Sprintf("key %s of account %s, key policy", k.ID, a.ID), policy.KeyPolicy, k.Policy)
		}
	}
	return out
}
