package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/world"
)

// Organizations' policy types and target types (Organizations API
// reference, PolicySummary and PolicyTargetSummary).
const (
	scpType        = "SERVICE_CONTROL_POLICY"
	rcpType        = "RESOURCE_CONTROL_POLICY"
	targetRoot     = "ROOT"
	targetUnit     = "ORGANIZATIONAL_UNIT"
	targetAccount  = "ACCOUNT"
	fullAWSAccess  = "FullAWSAccess"
	fullAccessText = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

// orgView is the organization of a world model as the Organizations API
// shows it: the world file holds no IDs or names for its SCPs and RCPs,
// so each gets one derived from its content (docs/emulator.md
// "Organizations"), the same in every run.
type orgView struct {
	id, root, mgmt string
	accounts       []orgAccount
	units          []world.UnitModel
	policies       []*orgPolicy // in the order the world lists them
	byID           map[string]*orgPolicy
}

type orgAccount struct{ id, name, parent string }

type orgPolicy struct {
	id, name, typ, content string
	awsManaged             bool
	targets                []orgTarget
}

type orgTarget struct{ id, name, typ string }

// newOrgView derives the Organizations view of m's organization, whose
// member accounts are those wd, m compiled, places in it.
func newOrgView(m *world.Model, wd *world.World) *orgView {
	om := m.Organization
	v := &orgView{id: om.ID, root: om.Root, mgmt: om.Management, units: om.Units, byID: map[string]*orgPolicy{}}
	if v.root == "" {
		v.root = world.DefaultRootID(om.ID)
	}
	unitOf := map[string]string{}
	for _, u := range om.Units {
		for _, a := range u.Accounts {
			unitOf[a] = u.ID
		}
	}
	for _, a := range m.Accounts {
		if wa := wd.Account(a.ID); wa == nil || wa.OrgID == "" {
			continue
		}
		name := a.Name
		if name == "" {
			name = a.ID
		}
		parent := unitOf[a.ID]
		if parent == "" {
			parent = v.root
		}
		v.accounts = append(v.accounts, orgAccount{id: a.ID, name: name, parent: parent})
	}
	v.attach(om.SCPs, scpType, orgTarget{v.root, "Root", targetRoot})
	v.attach(om.RCPs, rcpType, orgTarget{v.root, "Root", targetRoot})
	for _, u := range om.Units {
		v.attach(u.SCPs, scpType, orgTarget{u.ID, u.Name, targetUnit})
		v.attach(u.RCPs, rcpType, orgTarget{u.ID, u.Name, targetUnit})
	}
	for _, a := range v.accounts {
		for _, am := range m.Accounts {
			if am.ID == a.id {
				v.attach(am.SCPs, scpType, orgTarget{a.id, a.name, targetAccount})
				v.attach(am.RCPs, rcpType, orgTarget{a.id, a.name, targetAccount})
			}
		}
	}
	return v
}

// attach records the policies docs of type typ as attached to t. The
// same document attached in several places is one policy with several
// targets.
func (v *orgView) attach(docs []world.Doc, typ string, t orgTarget) {
	for _, d := range docs {
		p := derivePolicy(d, typ)
		if have := v.byID[p.id]; have != nil {
			p = have
		} else {
			v.byID[p.id] = p
			v.policies = append(v.policies, p)
		}
		p.targets = append(p.targets, t)
	}
}

// derivePolicy names an SCP or RCP of the world: the AWS managed
// FullAWSAccess is p-FullAWSAccess; any other document is
// p- and the first 12 hex digits of the SHA-256 of its JSON with keys
// sorted and space removed (with the type first), named scp- or rcp- and
// the first 8 of them.
func derivePolicy(d world.Doc, typ string) *orgPolicy {
	if n := d.Node; n != nil && n.Kind == yaml.ScalarNode && n.Value == fullAWSAccess {
		return &orgPolicy{id: "p-" + fullAWSAccess, name: fullAWSAccess, typ: typ, content: fullAccessText, awsManaged: true}
	}
	text, err := d.JSON()
	content := string(text)
	canonical := text
	var v any
	if err == nil && json.Unmarshal(text, &v) == nil {
		if b, err := json.Marshal(v); err == nil {
			canonical = b
		}
	}
	sum := sha256.Sum256(append([]byte(typ+"\n"), canonical...))
	h := hex.EncodeToString(sum[:])
	prefix := "scp-"
	if typ == rcpType {
		prefix = "rcp-"
	}
	return &orgPolicy{id: "p-" + h[:12], name: prefix + h[:8], typ: typ, content: content}
}

// ARNs of the organization's parts (Organizations API reference,
// "ARN formats": arn:aws:organizations::MANAGEMENT:KIND/o-ID/ID).
func (v *orgView) arn(kind, id string) string {
	return "arn:aws:organizations::" + v.mgmt + ":" + kind + "/" + v.id + "/" + id
}

func (v *orgView) policyARN(p *orgPolicy) string {
	kind := strings.ToLower(p.typ)
	if p.awsManaged {
		return "arn:aws:organizations::aws:policy/" + kind + "/" + p.id
	}
	return v.arn("policy", kind+"/"+p.id)
}

// isParent reports whether id is the root or an OU.
func (v *orgView) isParent(id string) bool {
	if id == v.root {
		return true
	}
	for _, u := range v.units {
		if u.ID == id {
			return true
		}
	}
	return false
}
