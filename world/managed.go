package world

import (
	"regexp"
	"strings"

	"github.com/lockstep-dev/lockstep/policy"
	"gopkg.in/yaml.v3"
)

// ManagedPolicy is a managed policy: a customer managed policy of an
// account, or an AWS managed policy (Account nil). Policy is its default
// version's document, the one IAM evaluates (docs/world.md "Groups and
// managed policies").
type ManagedPolicy struct {
	Name, Path, ARN string
	Account         *Account
	Policy          *policy.Policy
	// doc is the document as written, compiled again as a boundary
	// where one names the policy.
	doc Doc
}

// Group is an IAM group: its inline and attached policies apply to every
// user in it.
type Group struct {
	Name, Path, ARN string
	Account         *Account
	// Policies are the inline policies; Attached the managed ones.
	Policies, Attached []*policy.Policy
}

// IdentityPolicies are the identity-based policies that apply to the
// user: its inline policies, the managed policies attached to it, and
// those of each group it is in (docs/world.md "Groups and managed
// policies").
func (u *User) IdentityPolicies() []*policy.Policy {
	out := append(append([]*policy.Policy(nil), u.Policies...), u.Attached...)
	for _, g := range u.Groups {
		out = append(append(out, g.Policies...), g.Attached...)
	}
	return out
}

// IdentityPolicies are the identity-based policies of the role's
// sessions: its inline policies and the managed policies attached to it.
func (r *Role) IdentityPolicies() []*policy.Policy {
	return append(append([]*policy.Policy(nil), r.Policies...), r.Attached...)
}

// Group returns the group with the given ARN, or nil.
func (w *World) Group(arn string) *Group { return w.groups[arn] }

// ManagedPolicy returns the managed policy with the given ARN, or nil.
func (w *World) ManagedPolicy(arn string) *ManagedPolicy { return w.managed[arn] }

// awsManagedPolicies compiles the AWS managed policies of the model,
// before any principal attaches them.
func (c *compiler) awsManagedPolicies(m *Model) {
	for i := range m.AWSManagedPolicies {
		c.managedPolicy(nil, &m.AWSManagedPolicies[i], c.at("aws_managed_policies", i))
	}
}

// accountManagedPolicies compiles the customer managed policies of
// account a (the model's ai-th), before its groups, users and roles.
func (c *compiler) accountManagedPolicies(a *Account, am *AccountModel, ai int) {
	for j := range am.ManagedPolicies {
		c.managedPolicy(a, &am.ManagedPolicies[j], c.at("accounts", ai, "managed_policies", j))
	}
}

func (c *compiler) managedPolicy(a *Account, mm *ManagedPolicyModel, at *yaml.Node) {
	owner, where := "aws", "aws_managed_policies"
	if a != nil {
		owner, where = a.ID, "managed_policies of account "+a.ID
	}
	if !policyNameRE.MatchString(mm.Name) {
		c.fail(at, "%s: policy name %q is not a valid managed policy name (1-128 of letters, digits and +=,.@-_)", where, mm.Name)
		return
	}
	path := normPath(mm.Path)
	mp := &ManagedPolicy{Name: mm.Name, Path: path, Account: a, ARN: "arn:aws:iam::" + owner + ":policy" + path + mm.Name, doc: mm.Document}
	if c.w.managed[mp.ARN] != nil {
		c.fail(at, "managed policy %s is listed twice", mp.ARN)
		return
	}
	if mm.Document.Node == nil {
		c.fail(at, "managed policy %s has no document", mp.ARN)
		return
	}
	// A boundary is a managed policy too: the document is compiled as
	// an identity policy here, and checked again as a boundary where one
	// names it.
	mp.Policy = c.doc(mm.Document, policy.Identity, "managed policy "+mp.ARN)
	if mp.Policy == nil {
		return
	}
	mp.Policy.Name = mp.ARN
	c.w.managed[mp.ARN] = mp
	if a != nil {
		a.ManagedPolicies = append(a.ManagedPolicies, mp)
	}
}

// attached resolves the managed policy ARNs attached to an entity of
// account a: the account's own customer managed policies and AWS managed
// policies only ("You can attach ... customer managed policies in your
// own account or AWS managed policies", docs/world.md).
func (c *compiler) attached(a *Account, arns []string, who string, at *yaml.Node) []*policy.Policy {
	var out []*policy.Policy
	for _, arn := range arns {
		mp := c.managedByARN(a, arn, who, at)
		if mp != nil {
			out = append(out, mp.Policy)
		}
	}
	return out
}

func (c *compiler) managedByARN(a *Account, arn, who string, at *yaml.Node) *ManagedPolicy {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	owner, _, _ := strings.Cut(rest, ":")
	switch {
	case !ok || !strings.Contains(rest, ":policy/"):
		c.fail(at, "%s: %q is not a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME, or arn:aws:iam::aws:policy/NAME for an AWS managed policy)", who, arn)
		return nil
	case owner != "aws" && owner != a.ID:
		c.fail(at, "%s: %s belongs to account %s; an entity can attach only its own account's customer managed policies and AWS managed policies", who, arn, owner)
		return nil
	}
	mp := c.w.managed[arn]
	if mp == nil {
		list := "managed_policies of account " + a.ID
		if owner == "aws" {
			list = "aws_managed_policies"
		}
		c.fail(at, "%s: managed policy %s is not in the world: add it, with its document, to %s", who, arn, list)
	}
	return mp
}

// boundary compiles a permissions boundary: a document, or the ARN of a
// managed policy ("You can use an AWS managed policy or a customer
// managed policy to set the boundary", docs/world.md).
func (c *compiler) boundary(a *Account, d Doc, who string) *policy.Policy {
	if n := d.Node; n != nil && n.Kind == yaml.ScalarNode && strings.HasPrefix(n.Value, "arn:") {
		mp := c.managedByARN(a, n.Value, "boundary of "+who, n)
		if mp == nil {
			return nil
		}
		p := c.doc(mp.doc, policy.Boundary, "boundary of "+who+" ("+mp.ARN+")")
		if p != nil {
			p.Name = mp.ARN
		}
		return p
	}
	return c.doc(d, policy.Boundary, "boundary of "+who)
}

// groups compiles the groups of an account.
func (c *compiler) groups(a *Account, am *AccountModel, ai int) {
	for j := range am.Groups {
		gm := &am.Groups[j]
		at := c.at("accounts", ai, "groups", j)
		if !policyNameRE.MatchString(gm.Name) {
			c.fail(at, "group name %q in account %s is not a valid IAM name (1-128 of letters, digits and +=,.@_-)", gm.Name, a.ID)
			continue
		}
		path := normPath(gm.Path)
		g := &Group{Name: gm.Name, Path: path, Account: a, ARN: "arn:aws:iam::" + a.ID + ":group" + path + gm.Name}
		if c.w.groups[g.ARN] != nil || a.group(g.Name) != nil {
			c.fail(at, "group %s is listed twice", g.ARN)
			continue
		}
		g.Policies = c.named(gm.Policies, policy.Identity, "policy %q of group "+g.ARN)
		g.Attached = c.attached(a, gm.ManagedPolicies, "group "+g.ARN, at)
		c.w.groups[g.ARN] = g
		a.Groups = append(a.Groups, g)
	}
}

// group returns the account's group called name ("Group names are not
// distinguished by case", so no two differ in case only), or nil.
func (a *Account) group(name string) *Group {
	for _, g := range a.Groups {
		if strings.EqualFold(g.Name, name) {
			return g
		}
	}
	return nil
}

// userGroups resolves the groups a user is in, by name.
func (c *compiler) userGroups(a *Account, u *User, names []string, at *yaml.Node) {
	for _, name := range names {
		g := a.group(name)
		if g == nil || g.Name != name {
			c.fail(at, "user %s is in group %q, which account %s does not have: add it to accounts[].groups", u.ARN, name, a.ID)
			continue
		}
		u.Groups = append(u.Groups, g)
	}
}

// policyNameRE is a managed policy's name: "1-128 characters ... alphanumeric
// characters plus the following: +=,.@-_" (IAM API CreatePolicy).
var policyNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
