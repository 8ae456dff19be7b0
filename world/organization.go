package world

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/policy"
)

// Organization ID patterns (AWS Organizations API reference: Organization,
// Root and OrganizationalUnit IDs).
var (
	orgIDRE  = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	rootIDRE = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	ouIDRE   = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
)

// maxUnitDepth is how deep AWS lets OUs nest under the root.
const maxUnitDepth = 5

// org is the compiled organization of a world file.
type org struct {
	id, root, mgmt string
	// members is nil when every account of the world is a member.
	members    map[string]bool
	scps, rcps []*policy.Policy // attached at the root
	unitOf     map[string]*unit // account ID -> its OU
}

// unit is a compiled organizational unit.
type unit struct {
	id         string
	parent     *unit
	scps, rcps []*policy.Policy
}

// DefaultRootID returns the root ID lockstep gives an organization whose
// world file names none: r- and four characters derived from the
// organization ID, the same in every run.
func DefaultRootID(orgID string) string {
	sum := sha256.Sum256([]byte(orgID))
	return "r-" + hex.EncodeToString(sum[:2])
}

// organization compiles the organization block; nil when there is none.
func (c *compiler) organization(m *Model) *org {
	om := m.Organization
	if om == nil {
		return nil
	}
	o := &org{id: om.ID, root: om.Root, mgmt: om.Management, unitOf: map[string]*unit{}}
	if !orgIDRE.MatchString(o.id) {
		c.fail(c.at("organization", "id"), "organization.id %q is not an organization ID (o- and 10 to 32 lower-case letters or digits, e.g. o-a1b2c3d4e5)", o.id)
	}
	if o.root == "" {
		o.root = DefaultRootID(o.id)
	} else if !rootIDRE.MatchString(o.root) {
		c.fail(c.at("organization", "root"), "organization.root %q is not a root ID (r- and 4 to 32 lower-case letters or digits, e.g. r-ab12)", o.root)
	}
	known := map[string]bool{}
	for _, a := range m.Accounts {
		known[a.ID] = true
	}
	if len(om.Members) > 0 {
		o.members = map[string]bool{o.mgmt: true}
		for i, id := range om.Members {
			if !known[id] {
				c.fail(c.at("organization", "members", i), "organization.members[%d]: account %s is not one of the world's accounts", i, id)
			}
			o.members[id] = true
		}
	}
	o.scps = c.docs(om.SCPs, policy.SCP, "organization SCP")
	o.rcps = c.docs(om.RCPs, policy.RCP, "organization RCP")

	units := map[string]*unit{}
	for i := range om.Units {
		um := &om.Units[i]
		at := c.at("organization", "units", i)
		if !ouIDRE.MatchString(um.ID) {
			c.fail(at, "organization.units[%d].id %q is not an OU ID (ou-, the root's 4 to 32 characters, -, 8 to 32 more, e.g. ou-ab12-11111111)", i, um.ID)
			continue
		}
		if units[um.ID] != nil {
			c.fail(at, "organization.units[%d]: OU %s is listed twice", i, um.ID)
			continue
		}
		u := &unit{id: um.ID}
		u.scps = c.docs(um.SCPs, policy.SCP, "SCP of OU "+um.ID)
		u.rcps = c.docs(um.RCPs, policy.RCP, "RCP of OU "+um.ID)
		units[um.ID] = u
		for j, id := range um.Accounts {
			if !known[id] {
				c.fail(c.at("organization", "units", i, "accounts", j), "OU %s: account %s is not one of the world's accounts", um.ID, id)
				continue
			}
			if other := o.unitOf[id]; other != nil {
				c.fail(c.at("organization", "units", i, "accounts", j), "account %s is in two OUs, %s and %s: an account has one parent", id, other.id, um.ID)
				continue
			}
			o.unitOf[id] = u
			if o.members != nil {
				o.members[id] = true
			}
		}
	}
	for i := range om.Units {
		um := &om.Units[i]
		u := units[um.ID]
		if u == nil || um.Parent == "" || um.Parent == o.root {
			continue
		}
		if u.parent = units[um.Parent]; u.parent == nil {
			c.fail(c.at("organization", "units", i, "parent"), "OU %s: parent %q is neither an OU of organization.units nor the root %s", um.ID, um.Parent, o.root)
		}
	}
	for i := range om.Units {
		u := units[om.Units[i].ID]
		if u != nil && len(u.chain()) > maxUnitDepth {
			c.fail(c.at("organization", "units", i), "OU %s: OUs nest at most %d deep under the root (or their parents form a loop)", u.id, maxUnitDepth)
			// Break the loop so that later walks end.
			u.parent = nil
		}
	}
	return o
}

// chain returns the OUs from the one below the root down to u. It stops
// past maxUnitDepth+1 entries, so that a loop of parents ends.
func (u *unit) chain() []*unit {
	var rev []*unit
	for v := u; v != nil && len(rev) <= maxUnitDepth; v = v.parent {
		rev = append(rev, v)
	}
	out := make([]*unit, len(rev))
	for i, v := range rev {
		out[len(rev)-1-i] = v
	}
	return out
}

// member reports whether an account belongs to the organization.
func (o *org) member(account string) bool {
	return o.members == nil || o.members[account]
}

// place puts an account in the organization: its organization ID and
// path, and the SCPs and RCPs that apply to it, one level per policy
// holder from the root down to the account (docs/authorization.md §1.9).
// scps and rcps are the account's own.
func (c *compiler) place(o *org, a *Account, scps, rcps []*policy.Policy, at *yaml.Node) {
	if o == nil {
		// No organization block: the account's own policies are its
		// only level.
		a.SCPs = appendLevel(a.SCPs, scps)
		a.RCPs = appendLevel(a.RCPs, rcps)
		return
	}
	if !o.member(a.ID) {
		if len(scps) > 0 || len(rcps) > 0 {
			c.fail(at, "account %s is not a member of organization %s (organization.members): SCPs and RCPs apply only to member accounts", a.ID, o.id)
		}
		return
	}
	a.OrgID = o.id
	path := o.id + "/" + o.root + "/"
	var chain []*unit
	if u := o.unitOf[a.ID]; u != nil {
		chain = u.chain()
	}
	for _, u := range chain {
		path += u.id + "/"
	}
	a.OrgPaths = []string{path}
	if a.ID == o.mgmt {
		// SCPs and RCPs do not apply to the management account.
		return
	}
	a.SCPs = appendLevel(a.SCPs, o.scps)
	a.RCPs = appendLevel(a.RCPs, o.rcps)
	for _, u := range chain {
		a.SCPs = appendLevel(a.SCPs, u.scps)
		a.RCPs = appendLevel(a.RCPs, u.rcps)
	}
	a.SCPs = appendLevel(a.SCPs, scps)
	a.RCPs = appendLevel(a.RCPs, rcps)
}

// appendLevel adds a level of policies; a level with none attached is the
// AWS-managed FullAWSAccess (RCPFullAWSAccess) alone, which changes
// nothing, and is left out.
func appendLevel(levels [][]*policy.Policy, level []*policy.Policy) [][]*policy.Policy {
	if len(level) == 0 {
		return levels
	}
	return append(levels, level)
}
