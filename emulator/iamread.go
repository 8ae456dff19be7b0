package emulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/world"
)

// IAM's list page sizes: MaxItems is 1 to 1000, and "If you do not
// include this parameter, the number of items defaults to 100" (IAM API
// reference, Common parameters of the List operations).
const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

// boundaryPolicyPath is the path of the customer managed policies
// GetAccountAuthorizationDetails shows for a permissions boundary the
// world file writes as a document: IAM names a boundary by a managed
// policy's ARN only (docs/decisions.md #34).
const boundaryPolicyPath = "/lockstep-boundary/"

// iamPaging reads MaxItems and Marker. A marker is one the emulator gave
// for the same operation: "gaad/N" in base 64, N the index of the
// next item.
func iamPaging(c *call, form url.Values) (limit, start int, err error) {
	limit = defaultMaxItems
	if v := form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMaxItems {
			return 0, 0, errValidation("maxItems", v, "Member must have value between 1 and 1000")
		}
		limit = n
	}
	if m := form.Get("Marker"); m != "" {
		raw, err := base64.RawURLEncoding.DecodeString(m)
		rest, ok := strings.CutPrefix(string(raw), c.operation+"/")
		n, nerr := strconv.Atoi(rest)
		if err != nil || !ok || nerr != nil || n < 1 {
			return 0, 0, errValidation("marker", m, "Member must be a Marker a previous "+c.operation+" response returned")
		}
		start = n
	}
	return limit, start, nil
}

func iamMarker(c *call, next int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.operation + "/" + strconv.Itoa(next)))
}

type inlinePolicyXML struct {
	PolicyName     string
	PolicyDocument string
}

type attachedPolicyXML struct {
	PolicyName string
	PolicyArn  string
}

type policyVersionXML struct {
	Document         string
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

type userDetailXML struct {
	Path, UserName, UserId, Arn, CreateDate string
	UserPolicyList                          []inlinePolicyXML   `xml:"UserPolicyList>member"`
	GroupList                               []string            `xml:"GroupList>member"`
	AttachedManagedPolicies                 []attachedPolicyXML `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary                     *boundaryXML
	Tags                                    []tagXML `xml:"Tags>member,omitempty"`
}

type groupDetailXML struct {
	Path, GroupName, GroupId, Arn, CreateDate string
	GroupPolicyList                           []inlinePolicyXML   `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies                   []attachedPolicyXML `xml:"AttachedManagedPolicies>member"`
}

type roleDetailXML struct {
	Path, RoleName, RoleId, Arn, CreateDate string
	AssumeRolePolicyDocument                string
	RolePolicyList                          []inlinePolicyXML   `xml:"RolePolicyList>member"`
	AttachedManagedPolicies                 []attachedPolicyXML `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary                     *boundaryXML
	Tags                                    []tagXML `xml:"Tags>member,omitempty"`
}

type managedPolicyXML struct {
	PolicyName, PolicyId, Arn, Path, DefaultVersionId string
	AttachmentCount, PermissionsBoundaryUsageCount    int
	IsAttachable                                      bool
	Description                                       string `xml:",omitempty"`
	CreateDate, UpdateDate                            string
	PolicyVersionList                                 []policyVersionXML `xml:"PolicyVersionList>member,omitempty"`
}

// gaadFilters are GetAccountAuthorizationDetails's Filter values.
var gaadFilters = []string{"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}

// getAccountAuthorizationDetails lists the caller's account's users,
// groups, roles and managed policies with their policies, documents
// URL-encoded as IAM returns them ("The policy document returned in this
// structure is URL-encoded compliant with RFC 3986", IAM API reference,
// PolicyDetail). Filter keeps the kinds named; MaxItems counts the
// entries of the four lists together, in that order.
func (s *Server) getAccountAuthorizationDetails(w http.ResponseWriter, c *call, form url.Values) error {
	want := map[string]bool{}
	for i := 1; form.Has("Filter.member." + strconv.Itoa(i)); i++ {
		f := form.Get("Filter.member." + strconv.Itoa(i))
		if !slices.Contains(gaadFilters, f) {
			return errValidation("filter", f, "Member must satisfy enum value set: ["+strings.Join(gaadFilters, ", ")+"]")
		}
		want[f] = true
	}
	all := len(want) == 0
	limit, start, err := iamPaging(c, form)
	if err != nil {
		return err
	}
	if err := s.authorizeAPI(c, enforce.Call{}); err != nil {
		return err
	}
	d := s.accountDetails(c)
	type item struct {
		u *userDetailXML
		g *groupDetailXML
		r *roleDetailXML
		p *managedPolicyXML
	}
	var items []item
	if all || want["User"] {
		for i := range d.users {
			items = append(items, item{u: &d.users[i]})
		}
	}
	if all || want["Group"] {
		for i := range d.groups {
			items = append(items, item{g: &d.groups[i]})
		}
	}
	if all || want["Role"] {
		for i := range d.roles {
			items = append(items, item{r: &d.roles[i]})
		}
	}
	for i := range d.policies {
		p := &d.policies[i]
		aws := strings.HasPrefix(p.Arn, "arn:aws:iam::aws:")
		if all || aws && want["AWSManagedPolicy"] || !aws && want["LocalManagedPolicy"] {
			items = append(items, item{p: p})
		}
	}
	if start > len(items) {
		return errValidation("marker", form.Get("Marker"), "Member must be a Marker a previous "+c.operation+" response returned")
	}
	type result struct {
		UserDetailList  []userDetailXML    `xml:"UserDetailList>member"`
		GroupDetailList []groupDetailXML   `xml:"GroupDetailList>member"`
		RoleDetailList  []roleDetailXML    `xml:"RoleDetailList>member"`
		Policies        []managedPolicyXML `xml:"Policies>member"`
		IsTruncated     bool
		Marker          string `xml:",omitempty"`
	}
	var out result
	end := min(start+limit, len(items))
	for _, it := range items[start:end] {
		switch {
		case it.u != nil:
			out.UserDetailList = append(out.UserDetailList, *it.u)
		case it.g != nil:
			out.GroupDetailList = append(out.GroupDetailList, *it.g)
		case it.r != nil:
			out.RoleDetailList = append(out.RoleDetailList, *it.r)
		default:
			out.Policies = append(out.Policies, *it.p)
		}
	}
	if end < len(items) {
		out.IsTruncated = true
		out.Marker = iamMarker(c, end)
	}
	return writeQueryResponse(w, c, iamNS, out)
}

// accountDetails is the caller's account as GetAccountAuthorizationDetails
// and ListPolicies show it.
type accountDetails struct {
	users    []userDetailXML
	groups   []groupDetailXML
	roles    []roleDetailXML
	policies []managedPolicyXML
}

// accountDetails reads the caller's account from the world model (the
// documents as written) and the compiled world (ARNs and unique IDs).
func (s *Server) accountDetails(c *call) *accountDetails {
	m := s.state.snapshot()
	acct := c.principal.Account
	a := findAccount(m, acct)
	d := &accountDetails{}
	if a == nil {
		return d
	}
	created := iamTime(c.start)
	docs := map[string]world.Doc{} // managed policy ARN -> document
	names := map[string]string{}   // managed policy ARN -> name
	attached := map[string]int{}
	boundaries := map[string]int{}
	local := map[string]bool{}
	var order []string
	addPolicy := func(arn, name string, doc world.Doc) {
		if _, ok := docs[arn]; !ok {
			order = append(order, arn)
		}
		docs[arn], names[arn] = doc, name
	}
	for _, mp := range a.ManagedPolicies {
		arn := "arn:aws:iam::" + acct + ":policy" + world.NormPath(mp.Path) + mp.Name
		addPolicy(arn, mp.Name, mp.Document)
		local[arn] = true
	}
	awsDocs := map[string]world.ManagedPolicyModel{}
	for _, mp := range m.AWSManagedPolicies {
		awsDocs["arn:aws:iam::aws:policy"+world.NormPath(mp.Path)+mp.Name] = mp
	}
	attach := func(arns []string) []attachedPolicyXML {
		var out []attachedPolicyXML
		for _, arn := range arns {
			attached[arn]++
			out = append(out, attachedPolicyXML{PolicyName: arn[strings.LastIndexByte(arn, '/')+1:], PolicyArn: arn})
		}
		return out
	}
	// boundary names the boundary of the user or role kind/name: the
	// managed policy its ARN names, or a policy made for a document.
	boundary := func(b *world.Doc, kind, name string) *boundaryXML {
		if b == nil || b.Node == nil {
			return nil
		}
		arn := ""
		if b.Node.Kind == yaml.ScalarNode && strings.HasPrefix(b.Node.Value, "arn:") {
			arn = b.Node.Value
		} else {
			pname := kind + "-" + name
			arn = "arn:aws:iam::" + acct + ":policy" + boundaryPolicyPath + pname
			addPolicy(arn, pname, *b)
			local[arn] = true
		}
		boundaries[arn]++
		return &boundaryXML{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn}
	}
	wd := s.state.world()
	for _, u := range a.Users {
		arn := "arn:aws:iam::" + acct + ":user" + world.NormPath(u.Path) + u.Name
		id := world.UniqueID("AIDA", arn)
		if wu := wd.User(arn); wu != nil {
			id = wu.ID
		}
		d.users = append(d.users, userDetailXML{Path: world.NormPath(u.Path), UserName: u.Name, UserId: id, Arn: arn, CreateDate: created,
			UserPolicyList: inlineXML(u.Policies), GroupList: u.Groups, AttachedManagedPolicies: attach(u.ManagedPolicies),
			PermissionsBoundary: boundary(u.Boundary, "user", u.Name), Tags: tagsXML(u.Tags)})
	}
	for _, g := range a.Groups {
		arn := "arn:aws:iam::" + acct + ":group" + world.NormPath(g.Path) + g.Name
		d.groups = append(d.groups, groupDetailXML{Path: world.NormPath(g.Path), GroupName: g.Name, GroupId: world.UniqueID("AGPA", arn), Arn: arn, CreateDate: created,
			GroupPolicyList: inlineXML(g.Policies), AttachedManagedPolicies: attach(g.ManagedPolicies)})
	}
	for _, r := range a.Roles {
		arn := "arn:aws:iam::" + acct + ":role" + world.NormPath(r.Path) + r.Name
		id := world.UniqueID("AROA", arn)
		if wr := wd.Role(arn); wr != nil {
			id = wr.ID
		}
		trust := ""
		if r.Trust != nil {
			trust = docText(*r.Trust)
		}
		d.roles = append(d.roles, roleDetailXML{Path: world.NormPath(r.Path), RoleName: r.Name, RoleId: id, Arn: arn, CreateDate: created,
			AssumeRolePolicyDocument: iamEscape(trust), RolePolicyList: inlineXML(r.Policies), AttachedManagedPolicies: attach(r.ManagedPolicies),
			PermissionsBoundary: boundary(r.Boundary, "role", r.Name), Tags: tagsXML(r.Tags)})
	}
	// AWS managed policies: those the account attaches or uses as a
	// boundary (docs/decisions.md #35).
	var awsARNs []string
	for arn := range awsDocs {
		if attached[arn] > 0 || boundaries[arn] > 0 {
			awsARNs = append(awsARNs, arn)
		}
	}
	sort.Strings(awsARNs)
	for _, arn := range awsARNs {
		addPolicy(arn, awsDocs[arn].Name, awsDocs[arn].Document)
	}
	for _, arn := range order {
		mp := managedPolicyXML{PolicyName: names[arn], PolicyId: world.UniqueID("ANPA", arn), Arn: arn,
			Path:             arn[strings.Index(arn, ":policy/")+len(":policy") : strings.LastIndexByte(arn, '/')+1],
			DefaultVersionId: managedPolicyVersionID, AttachmentCount: attached[arn], PermissionsBoundaryUsageCount: boundaries[arn],
			IsAttachable: true, CreateDate: created, UpdateDate: created,
			PolicyVersionList: []policyVersionXML{{Document: iamEscape(docText(docs[arn])), VersionId: managedPolicyVersionID, IsDefaultVersion: true, CreateDate: created}}}
		d.policies = append(d.policies, mp)
	}
	return d
}

// docText is a world document as JSON text; a document that cannot be
// written as JSON (the world would not have compiled) is empty.
func docText(d world.Doc) string {
	b, err := d.JSON()
	if err != nil {
		return ""
	}
	return string(b)
}

func inlineXML(nd world.NamedDocs) []inlinePolicyXML {
	var out []inlinePolicyXML
	for i, name := range nd.Names {
		out = append(out, inlinePolicyXML{PolicyName: name, PolicyDocument: iamEscape(docText(nd.Docs[i]))})
	}
	return out
}

func tagsXML(tags map[string]string) []tagXML {
	var out []tagXML
	for k, v := range tags {
		out = append(out, tagXML{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// listPolicies lists the managed policies: Scope Local (the account's),
// AWS (every AWS managed policy of the world) or All (the default),
// OnlyAttached, PathPrefix, paged by MaxItems and Marker.
func (s *Server) listPolicies(w http.ResponseWriter, c *call, form url.Values) error {
	scope := form.Get("Scope")
	switch scope {
	case "":
		scope = "All"
	case "All", "AWS", "Local":
	default:
		return errValidation("scope", scope, "Member must satisfy enum value set: [All, AWS, Local]")
	}
	onlyAttached := form.Get("OnlyAttached") == "true"
	prefix := form.Get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	limit, start, err := iamPaging(c, form)
	if err != nil {
		return err
	}
	if err := s.authorizeAPI(c, enforce.Call{}); err != nil {
		return err
	}
	d := s.accountDetails(c)
	listed := map[string]bool{}
	var all []managedPolicyXML
	add := func(p managedPolicyXML) {
		aws := strings.HasPrefix(p.Arn, "arn:aws:iam::aws:")
		if listed[p.Arn] || scope == "AWS" && !aws || scope == "Local" && aws ||
			onlyAttached && p.AttachmentCount == 0 || !strings.HasPrefix(p.Path, prefix) {
			return
		}
		listed[p.Arn] = true
		p.PolicyVersionList = nil
		all = append(all, p)
	}
	for _, p := range d.policies {
		add(p)
	}
	for _, mp := range s.state.snapshot().AWSManagedPolicies {
		arn := "arn:aws:iam::aws:policy" + world.NormPath(mp.Path) + mp.Name
		add(managedPolicyXML{PolicyName: mp.Name, PolicyId: world.UniqueID("ANPA", arn), Arn: arn, Path: world.NormPath(mp.Path),
			DefaultVersionId: managedPolicyVersionID, IsAttachable: true, CreateDate: iamTime(c.start), UpdateDate: iamTime(c.start)})
	}
	if start > len(all) {
		return errValidation("marker", form.Get("Marker"), "Member must be a Marker a previous "+c.operation+" response returned")
	}
	end := min(start+limit, len(all))
	type result struct {
		Policies    []managedPolicyXML `xml:"Policies>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}
	out := result{Policies: all[start:end]}
	if end < len(all) {
		out.IsTruncated = true
		out.Marker = iamMarker(c, end)
	}
	return writeQueryResponse(w, c, iamNS, out)
}
