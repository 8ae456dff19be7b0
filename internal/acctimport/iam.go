package acctimport

import (
	"encoding/json"
	"fmt"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/world"
)

// The shapes of get-account-authorization-details
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
type (
	inlinePolicy struct {
		PolicyName     string
		PolicyDocument json.RawMessage
	}
	attachedPolicy struct {
		PolicyName, PolicyArn string
	}
	boundary struct {
		PermissionsBoundaryType, PermissionsBoundaryArn string
	}
	tag struct{ Key, Value string }

	userDetail struct {
		Path, UserName, Arn     string
		UserPolicyList          []inlinePolicy
		GroupList               []string
		AttachedManagedPolicies []attachedPolicy
		PermissionsBoundary     *boundary
		Tags                    []tag
	}
	groupDetail struct {
		Path, GroupName, Arn    string
		GroupPolicyList         []inlinePolicy
		AttachedManagedPolicies []attachedPolicy
	}
	roleDetail struct {
		Path, RoleName, Arn      string
		AssumeRolePolicyDocument json.RawMessage
		RolePolicyList           []inlinePolicy
		AttachedManagedPolicies  []attachedPolicy
		PermissionsBoundary      *boundary
		Tags                     []tag
	}
	policyVersion struct {
		Document         json.RawMessage
		VersionId        string
		IsDefaultVersion bool
	}
	managedPolicyDetail struct {
		PolicyName, Arn, Path, Description, DefaultVersionId string
		PolicyVersionList                                    []policyVersion
	}
)

// iamFile reads a page of get-account-authorization-details; several
// pages (Marker/IsTruncated) and several accounts' dumps merge.
func (im *importer) iamFile(f *file) (bool, error) {
	if !(f.has("UserDetailList") || f.has("RoleDetailList") || f.has("GroupDetailList") || f.has("Policies", "IsTruncated") || f.command == "get-account-authorization-details") {
		return false, nil
	}
	var users []userDetail
	var groups []groupDetail
	var roles []roleDetail
	var policies []managedPolicyDetail
	for field, v := range map[string]any{"UserDetailList": &users, "GroupDetailList": &groups, "RoleDetailList": &roles, "Policies": &policies} {
		if f.has(field) {
			if err := f.decode(field, v); err != nil {
				return false, err
			}
		}
	}
	account := ""
	setAccount := func(entity string) error {
		id := arn.Account(entity)
		if id == "" || id == "aws" {
			return nil
		}
		if account != "" && id != account {
			return fmt.Errorf("%s: one page of get-account-authorization-details holds accounts %s and %s", f.path, account, id)
		}
		account = id
		return nil
	}
	for _, u := range users {
		if err := setAccount(u.Arn); err != nil {
			return false, err
		}
	}
	for _, g := range groups {
		if err := setAccount(g.Arn); err != nil {
			return false, err
		}
	}
	for _, r := range roles {
		if err := setAccount(r.Arn); err != nil {
			return false, err
		}
	}
	for _, p := range policies {
		if err := setAccount(p.Arn); err != nil {
			return false, err
		}
	}
	if account == "" {
		var err error
		if account, err = im.accountOf(f); err != nil {
			return false, err
		}
	}
	if !contains(im.gaadAccounts, account) {
		im.gaadAccounts = append(im.gaadAccounts, account)
	}
	a := im.account(account)
	for _, p := range policies {
		if err := im.managedPolicy(f, a, p); err != nil {
			return false, err
		}
	}
	for _, g := range groups {
		gm := world.GroupModel{Name: g.GroupName, Path: trimPath(g.Path), ManagedPolicies: attachedARNs(g.AttachedManagedPolicies)}
		if err := inlineDocs(f, &gm.Policies, g.GroupPolicyList, "group "+g.GroupName); err != nil {
			return false, err
		}
		a.Groups = replaceByName(a.Groups, gm, func(x world.GroupModel) string { return x.Name })
	}
	for _, u := range users {
		um := world.UserModel{Name: u.UserName, Path: trimPath(u.Path), Groups: u.GroupList, ManagedPolicies: attachedARNs(u.AttachedManagedPolicies), Tags: tags(u.Tags)}
		if err := inlineDocs(f, &um.Policies, u.UserPolicyList, "user "+u.UserName); err != nil {
			return false, err
		}
		um.Boundary = boundaryDoc(u.PermissionsBoundary)
		a.Users = replaceByName(a.Users, um, func(x world.UserModel) string { return x.Name })
	}
	for _, r := range roles {
		rm := world.RoleModel{Name: r.RoleName, Path: trimPath(r.Path), ManagedPolicies: attachedARNs(r.AttachedManagedPolicies), Tags: tags(r.Tags)}
		if len(r.AssumeRolePolicyDocument) > 0 {
			d, err := fieldDoc(f, r.AssumeRolePolicyDocument, "trust policy of role "+r.RoleName)
			if err != nil {
				return false, err
			}
			rm.Trust = &d
		}
		if err := inlineDocs(f, &rm.Policies, r.RolePolicyList, "role "+r.RoleName); err != nil {
			return false, err
		}
		rm.Boundary = boundaryDoc(r.PermissionsBoundary)
		a.Roles = replaceByName(a.Roles, rm, func(x world.RoleModel) string { return x.Name })
	}
	im.report.read(f, fmt.Sprintf("get-account-authorization-details of account %s: %d users, %d groups, %d roles, %d managed policies", account, len(users), len(groups), len(roles), len(policies)))
	return true, nil
}

// managedPolicy keeps the default version of a managed policy: AWS
// managed ones for the whole world, customer managed ones in their account.
func (im *importer) managedPolicy(f *file, a *world.AccountModel, p managedPolicyDetail) error {
	var def *policyVersion
	for i := range p.PolicyVersionList {
		v := &p.PolicyVersionList[i]
		if v.IsDefaultVersion || p.DefaultVersionId != "" && v.VersionId == p.DefaultVersionId {
			def = v
			break
		}
	}
	if def == nil {
		return fmt.Errorf("%s: managed policy %s: no default version in PolicyVersionList (IAM evaluates the default version; the dump lacks it)", f.path, p.Arn)
	}
	d, err := fieldDoc(f, def.Document, "managed policy "+p.Arn)
	if err != nil {
		return err
	}
	mp := world.ManagedPolicyModel{Name: p.PolicyName, Path: trimPath(p.Path), Description: p.Description, Document: d}
	if arn.Account(p.Arn) == "aws" {
		im.awsManaged[p.Arn] = mp
		return nil
	}
	a.ManagedPolicies = replaceByName(a.ManagedPolicies, mp, func(x world.ManagedPolicyModel) string { return x.Path + x.Name })
	return nil
}

func inlineDocs(f *file, nd *world.NamedDocs, list []inlinePolicy, who string) error {
	for _, p := range list {
		d, err := fieldDoc(f, p.PolicyDocument, fmt.Sprintf("policy %q of %s", p.PolicyName, who))
		if err != nil {
			return err
		}
		nd.Set(p.PolicyName, d)
	}
	return nil
}

// boundaryDoc is a permissions boundary: the ARN of its managed policy.
func boundaryDoc(b *boundary) *world.Doc {
	if b == nil || b.PermissionsBoundaryArn == "" {
		return nil
	}
	d := world.DocFromJSON([]byte(b.PermissionsBoundaryArn))
	d.Node.Style = 0
	return &d
}

func attachedARNs(list []attachedPolicy) []string {
	var out []string
	for _, p := range list {
		out = append(out, p.PolicyArn)
	}
	return out
}

func tags(list []tag) map[string]string {
	if len(list) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, t := range list {
		out[t.Key] = t.Value
	}
	return out
}

// trimPath drops the root path "/", the world's default.
func trimPath(p string) string {
	if p == "/" {
		return ""
	}
	return p
}

// replaceByName puts v into list, in place of the element of the same
// name (a later page repeats an entity), or at the end.
func replaceByName[T any](list []T, v T, name func(T) string) []T {
	for i := range list {
		if name(list[i]) == name(v) {
			list[i] = v
			return list
		}
	}
	return append(list, v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// resolveAttachments leaves out, with a warning, the attachments of
// managed policies the dumps do not hold (the world would not compile,
// and lockstep cannot read them), and makes a boundary the dumps do not
// hold deny everything: a boundary only takes away, so the reading that
// grants less is that it allows nothing.
func (im *importer) resolveAttachments(m *world.Model) {
	known := map[string]bool{}
	for _, p := range m.AWSManagedPolicies {
		known["arn:aws:iam::aws:policy"+world.NormPath(p.Path)+p.Name] = true
	}
	for _, a := range m.Accounts {
		for _, p := range a.ManagedPolicies {
			known["arn:aws:iam::"+a.ID+":policy"+world.NormPath(p.Path)+p.Name] = true
		}
	}
	keep := func(arns []string, who string) []string {
		var out []string
		for _, policyARN := range arns {
			if known[policyARN] {
				out = append(out, policyARN)
				continue
			}
			hint := "import a dump that holds it"
			if arn.Account(policyARN) == "aws" {
				hint = "run aws iam get-account-authorization-details without --filter, or with --filter AWSManagedPolicy too, to include it"
			}
			im.report.warn("%s: managed policy %s is attached but not in the dumps: it is left out and grants nothing here (%s)", who, policyARN, hint)
		}
		return out
	}
	denyAll := world.DocFromJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"UnknownBoundary","Effect":"Deny","Action":"*","Resource":"*"}]}`))
	fixBoundary := func(b **world.Doc, who string) {
		if *b == nil {
			return
		}
		arn := (*b).Node.Value
		if known[arn] {
			return
		}
		im.report.warn("%s: permissions boundary %s is not in the dumps: it is taken as allowing nothing (the reading that grants less); import a dump that holds it", who, arn)
		d, _ := policyDoc([]byte(denyAll.Node.Value))
		*b = &d
	}
	for i := range m.Accounts {
		a := &m.Accounts[i]
		for j := range a.Groups {
			a.Groups[j].ManagedPolicies = keep(a.Groups[j].ManagedPolicies, "group "+a.Groups[j].Name+" of account "+a.ID)
		}
		groups := map[string]bool{}
		for _, g := range a.Groups {
			groups[g.Name] = true
		}
		for j := range a.Users {
			u := &a.Users[j]
			who := "user " + u.Name + " of account " + a.ID
			u.ManagedPolicies = keep(u.ManagedPolicies, who)
			var in []string
			for _, g := range u.Groups {
				if groups[g] {
					in = append(in, g)
					continue
				}
				im.report.warn("%s: group %s is not in the dumps: its policies are left out and grant nothing here (run aws iam get-account-authorization-details without --filter, or with --filter Group too)", who, g)
			}
			u.Groups = in
			fixBoundary(&u.Boundary, who)
		}
		for j := range a.Roles {
			r := &a.Roles[j]
			who := "role " + r.Name + " of account " + a.ID
			r.ManagedPolicies = keep(r.ManagedPolicies, who)
			fixBoundary(&r.Boundary, who)
		}
	}
}
