package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/world"
)

// policyName reads and checks the PolicyName parameter.
func policyName(c *call, form url.Values) (string, error) {
	pname := form.Get("PolicyName")
	c.params["policyName"] = pname
	return pname, checkIAMName("policyName", pname, iamPolicyNameRE, 128)
}

func (s *Server) putEntityPolicy(w http.ResponseWriter, c *call, form url.Values, k *entityKind) error {
	name, err := k.entityName(c, form)
	if err != nil {
		return err
	}
	pname, err := policyName(c, form)
	if err != nil {
		return err
	}
	if !form.Has("PolicyDocument") {
		return errValidation("policyDocument", "", "Member must not be null")
	}
	doc := form.Get("PolicyDocument")
	c.params["policyDocument"] = doc
	if _, err := policy.Parse([]byte(doc), policy.Identity); err != nil {
		return errMalformedPolicy("iam", []byte(doc), err)
	}
	e, err := s.authorizedEntity(c, k, name, nil)
	if err != nil {
		return err
	}
	size := policySize(doc)
	for _, p := range e.policies {
		if p.Name != pname {
			size += policySize(string(p.Source))
		}
	}
	if size > k.maxPolicies {
		return errorf(http.StatusConflict, "LimitExceeded", "Maximum policy size of %d bytes exceeded for %s %s", k.maxPolicies, k.noun, e.name)
	}
	return s.changeEntity(w, c, k, e, func(pols *world.NamedDocs, _ **world.Doc) {
		pols.Set(pname, world.DocFromJSON([]byte(doc)))
	})
}

// entityPolicy authorizes a GetUserPolicy, GetRolePolicy,
// DeleteUserPolicy or DeleteRolePolicy call and returns the user or role
// and its inline policy the call names.
func (s *Server) entityPolicy(c *call, form url.Values, k *entityKind) (*entity, *policy.Policy, error) {
	name, err := k.entityName(c, form)
	if err != nil {
		return nil, nil, err
	}
	pname, err := policyName(c, form)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.authorizedEntity(c, k, name, nil)
	if err != nil {
		return nil, nil, err
	}
	p := findPolicy(e.policies, pname)
	if p == nil {
		return nil, nil, errorf(http.StatusNotFound, "NoSuchEntity", "The %s policy with name %s cannot be found.", k.noun, pname)
	}
	return e, p, nil
}

func (s *Server) getEntityPolicy(w http.ResponseWriter, c *call, form url.Values, k *entityKind) error {
	e, p, err := s.entityPolicy(c, form, k)
	if err != nil {
		return err
	}
	// The result names the entity and the policy as stored; the document
	// is URL-encoded, as AWS sends it.
	type userResult struct {
		UserName       string
		PolicyName     string
		PolicyDocument string
	}
	type roleResult struct {
		RoleName       string
		PolicyName     string
		PolicyDocument string
	}
	doc := iamEscape(string(p.Source))
	if k == userEntity {
		return writeQueryResponse(w, c, iamNS, userResult{UserName: e.name, PolicyName: p.Name, PolicyDocument: doc})
	}
	return writeQueryResponse(w, c, iamNS, roleResult{RoleName: e.name, PolicyName: p.Name, PolicyDocument: doc})
}

func (s *Server) deleteEntityPolicy(w http.ResponseWriter, c *call, form url.Values, k *entityKind) error {
	e, p, err := s.entityPolicy(c, form, k)
	if err != nil {
		return err
	}
	return s.changeEntity(w, c, k, e, func(pols *world.NamedDocs, _ **world.Doc) {
		var next world.NamedDocs
		for i, n := range pols.Names {
			if n != p.Name {
				next.Set(n, pols.Docs[i])
			}
		}
		*pols = next
	})
}

// findPolicy returns the inline policy called name: the exact spelling,
// else one that differs only in case (policy names, like entity names,
// are unique without regard to case).
func findPolicy(pols []*policy.Policy, name string) *policy.Policy {
	var fold *policy.Policy
	for _, p := range pols {
		if p.Name == name {
			return p
		}
		if fold == nil && strings.EqualFold(p.Name, name) {
			fold = p
		}
	}
	return fold
}

func (s *Server) putBoundary(w http.ResponseWriter, c *call, form url.Values, k *entityKind) error {
	name, err := k.entityName(c, form)
	if err != nil {
		return err
	}
	if !form.Has("PermissionsBoundary") {
		return errValidation("permissionsBoundary", "", "Member must not be null")
	}
	c.params["permissionsBoundary"] = form.Get("PermissionsBoundary")
	b, err := resolveBoundary(form.Get("PermissionsBoundary"))
	if err != nil {
		return err
	}
	keys := map[string][]string{}
	b.setKey(keys)
	e, err := s.authorizedEntity(c, k, name, keys)
	if err != nil {
		return err
	}
	return s.changeEntity(w, c, k, e, func(_ *world.NamedDocs, boundary **world.Doc) {
		d := world.DocFromJSON(b.doc)
		*boundary = &d
	})
}

func (s *Server) deleteBoundary(w http.ResponseWriter, c *call, form url.Values, k *entityKind) error {
	name, err := k.entityName(c, form)
	if err != nil {
		return err
	}
	e, err := s.authorizedEntity(c, k, name, nil)
	if err != nil {
		return err
	}
	return s.changeEntity(w, c, k, e, func(_ *world.NamedDocs, boundary **world.Doc) {
		*boundary = nil
	})
}

// policySize is the size IAM counts against its quotas: the characters
// that are not white space.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// awsManagedPolicies are the AWS managed policies lockstep knows, by name
// (arn:aws:iam::aws:policy/NAME).
var awsManagedPolicies = map[string]string{
	"AdministratorAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"PowerUserAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},` +
		`{"Effect":"Allow","Action":["account:GetAccountInformation","account:GetPrimaryEmail","account:ListRegions","iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization"],"Resource":"*"}]}`,
	"AmazonS3FullAccess":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}`,
	"AmazonS3ReadOnlyAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}`,
}

// resolvedBoundary is a PermissionsBoundary value resolved to a document.
type resolvedBoundary struct {
	arn string // "" when the document was given
	doc []byte
}

func resolveBoundary(v string) (*resolvedBoundary, error) {
	if strings.HasPrefix(strings.TrimSpace(v), "{") {
		if _, err := policy.Parse([]byte(v), policy.Boundary); err != nil {
			return nil, errMalformedPolicy("iam", []byte(v), err)
		}
		return &resolvedBoundary{doc: []byte(v)}, nil
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "policy/") {
		return nil, errorf(http.StatusBadRequest, "InvalidInput", "ARN %s is not valid.", v)
	}
	if parts[4] == "aws" {
		name := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
		if doc, ok := awsManagedPolicies[name]; ok && parts[5] == "policy/"+name {
			return &resolvedBoundary{arn: v, doc: []byte(doc)}, nil
		}
	}
	return nil, errorf(http.StatusNotFound, "NoSuchEntity",
		"Policy %s does not exist or is not attachable. (The lockstep emulator has no managed policies: as a permissions boundary it accepts the policy document itself, or one of the AWS managed policies %s.)",
		v, strings.Join(sortedKeys(awsManagedPolicies), ", "))
}

// setKey sets iam:PermissionsBoundary, the ARN of the boundary being
// attached (none for a document).
func (b *resolvedBoundary) setKey(keys map[string][]string) {
	if b != nil && b.arn != "" {
		keys["iam:PermissionsBoundary"] = []string{b.arn}
	}
}

func (b *resolvedBoundary) xml() *boundaryXML {
	if b == nil || b.arn == "" {
		return nil
	}
	return &boundaryXML{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: b.arn}
}
