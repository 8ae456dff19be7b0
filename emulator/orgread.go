package emulator

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// Organizations page sizes. The API reference says only "If you do not
// include this parameter, it defaults to a value that is specific to the
// operation": lockstep takes 1 to 20 and answers pages of 20 without it
// (docs/decisions.md #36).
const maxOrgResults = 20

// orgPaging is the NextToken/MaxResults pair of the List operations.
type orgPaging struct {
	NextToken  string
	MaxResults *int
}

// orgPage returns the page of all that in asks for and the NextToken of
// the next one, "" at the end. The token names the operation and scope
// (a parent or policy ID) it was issued for; another is
// InvalidInputException, as AWS's INVALID_NEXT_TOKEN ("You specified an
// invalid value for nextToken. You must get the value from the response
// to a previous call to the API").
func orgPage[T any](c *call, in orgPaging, scope string, all []T) ([]T, string, error) {
	limit := maxOrgResults
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > maxOrgResults {
			return nil, "", errorf(http.StatusBadRequest, "InvalidInputException", "MaxResults %d is not valid: it must be between 1 and %d", *in.MaxResults, maxOrgResults)
		}
		limit = *in.MaxResults
	}
	prefix := c.operation + "/" + scope + "/"
	start := 0
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		rest, ok := strings.CutPrefix(string(raw), prefix)
		n, nerr := strconv.Atoi(rest)
		if err != nil || !ok || nerr != nil || n <= 0 || n > len(all) {
			return nil, "", errorf(http.StatusBadRequest, "InvalidInputException", "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.")
		}
		start = n
	}
	end := min(start+limit, len(all))
	next := ""
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.Itoa(end)))
	}
	return all[start:end], next, nil
}

type orgAccountJSON struct {
	Id, Arn, Email, Name, Status, State, JoinedMethod string
	JoinedTimestamp                                   float64
}

type orgPolicyTypeJSON struct{ Type, Status string }

type orgPolicySummaryJSON struct {
	Id, Arn, Name, Description, Type string
	AwsManaged                       bool
}

func (v *orgView) accountJSON(a orgAccount, c *call) orgAccountJSON {
	joined := "INVITED"
	if a.id == v.mgmt {
		joined = "CREATED"
	}
	return orgAccountJSON{Id: a.id, Arn: v.arn("account", a.id), Email: a.id + "@accounts.lockstep.invalid", Name: a.name,
		Status: "ACTIVE", State: "ACTIVE", JoinedMethod: joined, JoinedTimestamp: float64(c.start.Unix())}
}

func (v *orgView) summary(p *orgPolicy) orgPolicySummaryJSON {
	desc := "lockstep: derived from the world file's " + strings.ToLower(strings.ReplaceAll(p.typ, "_", " "))
	if p.awsManaged {
		desc = "Allows access to every operation"
	}
	return orgPolicySummaryJSON{Id: p.id, Arn: v.policyARN(p), Name: p.name, Type: p.typ, AwsManaged: p.awsManaged, Description: desc}
}

func (s *Server) orgDescribeOrganization(w http.ResponseWriter, c *call, v *orgView, body []byte) error {
	if err := decodeKMS(body, &struct{}{}); err != nil {
		return err
	}
	return writeKMSResponse(w, c, map[string]any{"Organization": map[string]any{
		"Id": v.id, "Arn": v.arn("organization", v.id), "FeatureSet": "ALL",
		"MasterAccountArn": v.arn("account", v.mgmt), "MasterAccountId": v.mgmt,
		"MasterAccountEmail":   v.mgmt + "@accounts.lockstep.invalid",
		"AvailablePolicyTypes": []orgPolicyTypeJSON{{scpType, "ENABLED"}, {rcpType, "ENABLED"}},
	}})
}

func (s *Server) orgListAccounts(w http.ResponseWriter, c *call, v *orgView, body []byte) error {
	var in orgPaging
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	return s.writeAccounts(w, c, v, in, "", v.accounts)
}

func (s *Server) writeAccounts(w http.ResponseWriter, c *call, v *orgView, in orgPaging, scope string, accounts []orgAccount) error {
	page, next, err := orgPage(c, in, scope, accounts)
	if err != nil {
		return err
	}
	out := struct {
		Accounts  []orgAccountJSON
		NextToken string `json:",omitempty"`
	}{Accounts: []orgAccountJSON{}, NextToken: next}
	for _, a := range page {
		out.Accounts = append(out.Accounts, v.accountJSON(a, c))
	}
	return writeKMSResponse(w, c, out)
}

func (s *Server) orgListRoots(w http.ResponseWriter, c *call, v *orgView, body []byte) error {
	var in orgPaging
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	type rootJSON struct {
		Id, Arn, Name string
		PolicyTypes   []orgPolicyTypeJSON
	}
	page, next, err := orgPage(c, in, "", []rootJSON{{Id: v.root, Arn: v.arn("root", v.root), Name: "Root",
		PolicyTypes: []orgPolicyTypeJSON{{scpType, "ENABLED"}, {rcpType, "ENABLED"}}}})
	if err != nil {
		return err
	}
	return writeKMSResponse(w, c, struct {
		Roots     []rootJSON
		NextToken string `json:",omitempty"`
	}{page, next})
}

// parentID reads and checks the ParentId of a request: the root or an OU
// of the organization, else ParentNotFoundException.
func (v *orgView) parentID(c *call, body []byte, in *orgPaging) (string, error) {
	var req struct {
		ParentId string
		orgPaging
	}
	if err := decodeKMS(body, &req); err != nil {
		return "", err
	}
	*in = req.orgPaging
	c.params["parentId"] = req.ParentId
	if req.ParentId == "" {
		return "", errorf(http.StatusBadRequest, "InvalidInputException", "ParentId is required")
	}
	if !v.isParent(req.ParentId) {
		return "", errorf(http.StatusBadRequest, "ParentNotFoundException", "We can't find a root or OU with the ParentId %s that you specified.", req.ParentId)
	}
	return req.ParentId, nil
}

func (s *Server) orgListUnitsForParent(w http.ResponseWriter, c *call, v *orgView, body []byte) error {
	var in orgPaging
	parent, err := v.parentID(c, body, &in)
	if err != nil {
		return err
	}
	type unitJSON struct{ Id, Arn, Name string }
	var all []unitJSON
	for _, u := range v.units {
		p := u.Parent
		if p == "" {
			p = v.root
		}
		if p == parent {
			all = append(all, unitJSON{Id: u.ID, Arn: v.arn("ou", u.ID), Name: u.Name})
		}
	}
	page, next, err := orgPage(c, in, parent, all)
	if err != nil {
		return err
	}
	return writeKMSResponse(w, c, struct {
		OrganizationalUnits []unitJSON
		NextToken           string `json:",omitempty"`
	}{append([]unitJSON{}, page...), next})
}

func (s *Server) orgListAccountsForParent(w http.ResponseWriter, c *call, v *orgView, body []byte) error {
	var in orgPaging
	parent, err := v.parentID(c, body, &in)
	if err != nil {
		return err
	}
	var under []orgAccount
	for _, a := range v.accounts {
		if a.parent == parent {
			under = append(under, a)
		}
	}
	return s.writeAccounts(w, c, v, in, parent, under)
}

func (s *Server) orgListPolicies(w http.ResponseWriter, c *call, v *orgView, body []byte) error {
	var in struct {
		Filter string
		orgPaging
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	c.params["filter"] = in.Filter
	if in.Filter != scpType && in.Filter != rcpType {
		return errorf(http.StatusBadRequest, "InvalidInputException", "Filter %q is not a policy type lockstep serves: give SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY", in.Filter)
	}
	var all []orgPolicySummaryJSON
	for _, p := range v.policies {
		if p.typ == in.Filter {
			all = append(all, v.summary(p))
		}
	}
	page, next, err := orgPage(c, in.orgPaging, in.Filter, all)
	if err != nil {
		return err
	}
	return writeKMSResponse(w, c, struct {
		Policies  []orgPolicySummaryJSON
		NextToken string `json:",omitempty"`
	}{append([]orgPolicySummaryJSON{}, page...), next})
}

// policyID reads the PolicyId of a request: a policy of the organization,
// else PolicyNotFoundException.
func (v *orgView) policyID(c *call, body []byte, in *orgPaging) (*orgPolicy, error) {
	var req struct {
		PolicyId string
		orgPaging
	}
	if err := decodeKMS(body, &req); err != nil {
		return nil, err
	}
	*in = req.orgPaging
	c.params["policyId"] = req.PolicyId
	if req.PolicyId == "" {
		return nil, errorf(http.StatusBadRequest, "InvalidInputException", "PolicyId is required")
	}
	p := v.byID[req.PolicyId]
	if p == nil {
		return nil, errorf(http.StatusBadRequest, "PolicyNotFoundException", "We can't find a policy with the PolicyId %s that you specified.", req.PolicyId)
	}
	return p, nil
}

func (s *Server) orgDescribePolicy(w http.ResponseWriter, c *call, v *orgView, body []byte) error {
	var in orgPaging
	p, err := v.policyID(c, body, &in)
	if err != nil {
		return err
	}
	return writeKMSResponse(w, c, map[string]any{"Policy": map[string]any{"PolicySummary": v.summary(p), "Content": p.content}})
}

func (s *Server) orgListTargetsForPolicy(w http.ResponseWriter, c *call, v *orgView, body []byte) error {
	var in orgPaging
	p, err := v.policyID(c, body, &in)
	if err != nil {
		return err
	}
	type targetJSON struct{ TargetId, Arn, Name, Type string }
	var all []targetJSON
	for _, t := range p.targets {
		kind := map[string]string{targetRoot: "root", targetUnit: "ou", targetAccount: "account"}[t.typ]
		all = append(all, targetJSON{TargetId: t.id, Arn: v.arn(kind, t.id), Name: t.name, Type: t.typ})
	}
	page, next, err := orgPage(c, in, p.id, all)
	if err != nil {
		return err
	}
	return writeKMSResponse(w, c, struct {
		Targets   []targetJSON
		NextToken string `json:",omitempty"`
	}{append([]targetJSON{}, page...), next})
}
