package acctimport

import (
	"fmt"
	"sort"

	"github.com/lockstep-dev/lockstep/world"
)

// orgState is what the Organizations outputs say.
type orgState struct {
	id, mgmt, root string
	// listed are the accounts of list-accounts, by ID (nil: not given).
	listed map[string]string
	// ous are the OUs by ID; parentOf the parent of each OU and account
	// listed under a parent.
	ous      map[string]string // ID -> name
	parentOf map[string]string
	ouOrder  []string
	policies map[string]*orgPolicy
	targets  map[string][]orgTarget // policy ID -> where it is attached
}

type orgPolicy struct {
	id, name, typ string
	awsManaged    bool
	content       world.Doc
}

type orgTarget struct{ TargetId, Type, Name string }

func (im *importer) orgState() *orgState {
	if im.org == nil {
		im.org = &orgState{ous: map[string]string{}, parentOf: map[string]string{}, policies: map[string]*orgPolicy{}, targets: map[string][]orgTarget{}}
	}
	return im.org
}

// orgFile reads the Organizations outputs (docs/import.md).
func (im *importer) orgFile(f *file) (bool, error) {
	switch {
	case f.has("Organization"):
		var o struct{ Id, MasterAccountId string }
		if err := f.decode("Organization", &o); err != nil {
			return false, err
		}
		st := im.orgState()
		st.id, st.mgmt = o.Id, o.MasterAccountId
		im.report.read(f, "describe-organization "+o.Id)
		return true, nil
	case f.has("Roots"):
		var roots []struct{ Id string }
		if err := f.decode("Roots", &roots); err != nil {
			return false, err
		}
		if len(roots) != 1 {
			return false, fmt.Errorf("%s: %d roots; an organization has one", f.path, len(roots))
		}
		im.orgState().root = roots[0].Id
		im.report.read(f, "list-roots "+roots[0].Id)
		return true, nil
	case f.has("Accounts") && f.command == "list-accounts-for-parent":
		var accounts []struct{ Id, Name string }
		if err := f.decode("Accounts", &accounts); err != nil {
			return false, err
		}
		st := im.orgState()
		for _, a := range accounts {
			st.parentOf[a.Id] = f.resource
		}
		im.report.read(f, fmt.Sprintf("list-accounts-for-parent %s: %d accounts", f.resource, len(accounts)))
		return true, nil
	case f.has("Accounts"):
		var accounts []struct{ Id, Name, Status string }
		if err := f.decode("Accounts", &accounts); err != nil {
			return false, err
		}
		st := im.orgState()
		st.listed = map[string]string{}
		for _, a := range accounts {
			if a.Status == "SUSPENDED" || a.Status == "PENDING_CLOSURE" {
				continue
			}
			st.listed[a.Id] = a.Name
		}
		im.report.read(f, fmt.Sprintf("list-accounts: %d accounts", len(st.listed)))
		return true, nil
	case f.has("OrganizationalUnits"):
		var ous []struct{ Id, Name string }
		if err := f.decode("OrganizationalUnits", &ous); err != nil {
			return false, err
		}
		st := im.orgState()
		for _, ou := range ous {
			if _, ok := st.ous[ou.Id]; !ok {
				st.ouOrder = append(st.ouOrder, ou.Id)
			}
			st.ous[ou.Id] = ou.Name
			st.parentOf[ou.Id] = f.resource
		}
		im.report.read(f, fmt.Sprintf("list-organizational-units-for-parent %s: %d OUs", f.resource, len(ous)))
		return true, nil
	case f.has("Policy") && f.command == "describe-policy" || f.has("Policy") && isPolicySummary(f):
		var p struct {
			PolicySummary struct {
				Id, Name, Type string
				AwsManaged     bool
			}
			Content string
		}
		if err := f.decode("Policy", &p); err != nil {
			return false, err
		}
		op := &orgPolicy{id: p.PolicySummary.Id, name: p.PolicySummary.Name, typ: p.PolicySummary.Type, awsManaged: p.PolicySummary.AwsManaged}
		if op.typ != "SERVICE_CONTROL_POLICY" && op.typ != "RESOURCE_CONTROL_POLICY" {
			im.report.warn("%s: policy %s is a %s, not an SCP or RCP: not imported (it does not take part in authorization)", f.path, op.id, op.typ)
			return true, nil
		}
		if !op.awsManaged {
			d, err := policyDoc([]byte(p.Content))
			if err != nil {
				return false, fmt.Errorf("%s: policy %s: %v", f.path, op.id, err)
			}
			op.content = d
		}
		im.orgState().policies[op.id] = op
		im.report.read(f, "describe-policy "+op.id+" ("+op.name+")")
		return true, nil
	case f.has("Targets"):
		var targets []orgTarget
		if err := f.decode("Targets", &targets); err != nil {
			return false, err
		}
		im.orgState().targets[f.resource] = targets
		im.report.read(f, fmt.Sprintf("list-targets-for-policy %s: %d targets", f.resource, len(targets)))
		return true, nil
	}
	return false, nil
}

func isPolicySummary(f *file) bool {
	var p struct{ PolicySummary *struct{ Id string } }
	return f.decode("Policy", &p) == nil && p.PolicySummary != nil
}

// orgModel writes the organization into the world model: the root, the
// OU tree, the member accounts and the SCPs and RCPs where they are
// attached.
func (im *importer) orgModel(m *world.Model) error {
	st := im.org
	if st == nil {
		return nil
	}
	if st.id == "" {
		return fmt.Errorf("the Organizations outputs come without describe-organization: import its output too (the organization ID decides aws:PrincipalOrgID)")
	}
	o := &world.OrganizationModel{ID: st.id, Root: st.root, Management: st.mgmt}
	inWorld := map[string]int{}
	for i, a := range m.Accounts {
		inWorld[a.ID] = i
	}
	if st.listed != nil {
		for _, a := range m.Accounts {
			if _, ok := st.listed[a.ID]; ok || a.ID == st.mgmt {
				o.Members = append(o.Members, a.ID)
			}
		}
		for i := range m.Accounts {
			if name := st.listed[m.Accounts[i].ID]; name != "" && m.Accounts[i].Name == "" {
				m.Accounts[i].Name = name
			}
		}
	}
	unitIndex := map[string]int{}
	for _, id := range st.ouOrder {
		u := world.UnitModel{ID: id, Name: st.ous[id]}
		if p := st.parentOf[id]; p != st.root {
			u.Parent = p
		}
		unitIndex[id] = len(o.Units)
		o.Units = append(o.Units, u)
	}
	var accountIDs []string
	for id := range st.parentOf {
		if _, isOU := st.ous[id]; !isOU {
			accountIDs = append(accountIDs, id)
		}
	}
	sort.Strings(accountIDs)
	for _, id := range accountIDs {
		if i, ok := unitIndex[st.parentOf[id]]; ok {
			if _, ok := inWorld[id]; ok {
				o.Units[i].Accounts = append(o.Units[i].Accounts, id)
			}
		}
	}
	var ids []string
	for id := range st.targets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, pid := range ids {
		p := st.policies[pid]
		if p == nil {
			im.report.warn("list-targets-for-policy %s: the policy itself is not imported (add its describe-policy output): its attachments are left out", pid)
			continue
		}
		doc := p.content
		if p.awsManaged {
			switch p.name {
			case "FullAWSAccess":
				doc = world.Doc{Node: scalar("FullAWSAccess")}
			case "RCPFullAWSAccess":
				continue // attached everywhere; the world implies it
			default:
				im.report.warn("AWS managed %s %s (%s) is not one lockstep knows the content of: its attachments are left out", p.typ, p.id, p.name)
				continue
			}
		}
		for _, t := range st.targets[pid] {
			add := func(scps, rcps *[]world.Doc) {
				if p.typ == "SERVICE_CONTROL_POLICY" {
					*scps = append(*scps, doc)
				} else {
					*rcps = append(*rcps, doc)
				}
			}
			switch t.Type {
			case "ROOT":
				add(&o.SCPs, &o.RCPs)
			case "ORGANIZATIONAL_UNIT":
				i, ok := unitIndex[t.TargetId]
				if !ok {
					im.report.warn("policy %s is attached to OU %s, which no list-organizational-units-for-parent output names: that attachment is left out", pid, t.TargetId)
					continue
				}
				add(&o.Units[i].SCPs, &o.Units[i].RCPs)
			case "ACCOUNT":
				i, ok := inWorld[t.TargetId]
				if !ok {
					continue // an account without a dump is not in the world
				}
				add(&m.Accounts[i].SCPs, &m.Accounts[i].RCPs)
			}
		}
	}
	m.Organization = o
	return nil
}
