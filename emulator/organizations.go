package emulator

import (
	"net/http"

	"github.com/lockstep-dev/lockstep/enforce"
)

// Organizations speaks the AWS JSON 1.1 protocol, as KMS does: a POST
// whose X-Amz-Target is AWSOrganizationsV20161128.<Operation>, signed
// for the service "organizations" (docs/emulator.md "Organizations").
const orgTargetPrefix = "AWSOrganizationsV20161128."

// orgHandler serves one Organizations operation for the organization the
// caller's account manages.
type orgHandler func(s *Server, w http.ResponseWriter, c *call, o *orgView, body []byte) error

// orgHandlers maps the Organizations operations of the catalogue to their
// handlers: the read calls lockstep world snapshot makes.
var orgHandlers = map[string]orgHandler{
	"DescribeOrganization":             (*Server).orgDescribeOrganization,
	"ListAccounts":                     (*Server).orgListAccounts,
	"ListRoots":                        (*Server).orgListRoots,
	"ListOrganizationalUnitsForParent": (*Server).orgListUnitsForParent,
	"ListAccountsForParent":            (*Server).orgListAccountsForParent,
	"ListPolicies":                     (*Server).orgListPolicies,
	"DescribePolicy":                   (*Server).orgDescribePolicy,
	"ListTargetsForPolicy":             (*Server).orgListTargetsForPolicy,
}

// serveOrganizations serves the Organizations read calls. Each is
// authorized through its catalogue row (organizations:<Operation> on
// "*"); then only the management account may read the organization:
// "This operation can be called only from the organization's management
// account or by a member account that is a delegated administrator"
// (Organizations API reference, e.g. ListAccounts). A member account gets
// AccessDeniedException, an account outside any organization
// AWSOrganizationsNotInUseException ("Your account isn't a member of an
// organization").
func (s *Server) serveOrganizations(w http.ResponseWriter, c *call) {
	body, ok := s.jsonOperation(w, c, orgTargetPrefix, "Organizations", func(op string) bool { return orgHandlers[op] != nil })
	if !ok {
		return
	}
	h := orgHandlers[c.operation]
	if err := s.authorizeAPI(c, enforce.Call{}); err != nil {
		s.fail(w, c, err)
		return
	}
	o, err := s.managedOrganization(c)
	if err != nil {
		s.fail(w, c, err)
		return
	}
	if err := h(s, w, c, o, body); err != nil {
		s.fail(w, c, err)
	}
}

// managedOrganization returns the organization the caller's account
// manages, or the error AWS answers an account that is a member only or
// in no organization at all. Membership is the compiled world's
// (world.Account.OrgID), the one the authorization engine uses.
func (s *Server) managedOrganization(c *call) (*orgView, error) {
	m, wd := s.state.snapshot(), s.state.world()
	acct := c.principal.Account
	if a := wd.Account(acct); m.Organization == nil || a == nil || a.OrgID == "" {
		return nil, errorf(http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	// "Operations you can call from any account in the organization"
	// include DescribeOrganization (Organizations API reference,
	// "Reference: API operations by account").
	if m.Organization.Management != acct && c.operation != "DescribeOrganization" {
		return nil, errorf(http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource. Account %s is a member of organization %s, not its management account.", acct, m.Organization.ID)
	}
	return newOrgView(m, wd), nil
}
