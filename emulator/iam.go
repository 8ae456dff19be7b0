package emulator

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/world"
)

// IAM speaks the AWS query protocol, like STS, in its own namespace.
const (
	iamVersion = "2010-05-08"
	iamNS      = "https://iam.amazonaws.com/doc/2010-05-08/"
)

// IAM quotas the emulator enforces (IAM User Guide, "IAM and AWS STS
// quotas"). Policy sizes do not count white space.
const (
	maxAccessKeysPerUser = 2
	maxUserPolicySize    = 2048  // all inline policies of a user together
	maxRolePolicySize    = 10240 // all inline policies of a role together
	maxTrustPolicySize   = 2048  // ACLSizePerRole
	maxTagsPerEntity     = 50
)

var (
	iamEntityNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	iamPolicyNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	iamPathRE       = regexp.MustCompile(`^(/|/[\x21-\x7e]+/)$`)
)

// iamHandler serves one IAM action with the request's parameters.
type iamHandler func(s *Server, w http.ResponseWriter, c *call, form url.Values) error

// iamHandlers maps the IAM actions of the operation catalogue to their
// handlers.
var iamHandlers = map[string]iamHandler{
	"CreateUser":                     (*Server).createUser,
	"CreateAccessKey":                (*Server).createAccessKey,
	"CreateRole":                     (*Server).createRole,
	"PutUserPolicy":                  onEntity((*Server).putEntityPolicy, userEntity),
	"GetUserPolicy":                  onEntity((*Server).getEntityPolicy, userEntity),
	"DeleteUserPolicy":               onEntity((*Server).deleteEntityPolicy, userEntity),
	"PutRolePolicy":                  onEntity((*Server).putEntityPolicy, roleEntity),
	"GetRolePolicy":                  onEntity((*Server).getEntityPolicy, roleEntity),
	"DeleteRolePolicy":               onEntity((*Server).deleteEntityPolicy, roleEntity),
	"PutUserPermissionsBoundary":     onEntity((*Server).putBoundary, userEntity),
	"DeleteUserPermissionsBoundary":  onEntity((*Server).deleteBoundary, userEntity),
	"PutRolePermissionsBoundary":     onEntity((*Server).putBoundary, roleEntity),
	"DeleteRolePermissionsBoundary":  onEntity((*Server).deleteBoundary, roleEntity),
	"GetAccountAuthorizationDetails": (*Server).getAccountAuthorizationDetails,
	"ListPolicies":                   (*Server).listPolicies,
	"GetPolicyVersion":               (*Server).getPolicyVersion,
}

// onEntity returns the handler of the user or role variant, k, of an
// action.
func onEntity(h func(s *Server, w http.ResponseWriter, c *call, form url.Values, k *entityKind) error, k *entityKind) iamHandler {
	return func(s *Server, w http.ResponseWriter, c *call, form url.Values) error {
		return h(s, w, c, form, k)
	}
}

// serveIAM serves the IAM actions of the catalogue. Each changes the
// world model, so the next request (any service) sees the new user, key,
// role or policy. IAM is global: every action works in the caller's own
// account.
func (s *Server) serveIAM(w http.ResponseWriter, c *call) {
	form, action, ok := s.readQueryRequest(w, c)
	if !ok {
		return
	}
	c.resourceAccount = c.principal.Account
	if err := checkQueryAction(action, form.Get("Version"), iamVersion); err != nil {
		s.fail(w, c, err)
		return
	}
	h := iamHandlers[action]
	if h == nil {
		s.fail(w, c, errInvalidAction(action, iamVersion))
		return
	}
	if err := h(s, w, c, form); err != nil {
		s.fail(w, c, err)
	}
}

// entityKind is what tells the user and role variants of an IAM action
// apart.
type entityKind struct {
	noun      string // "user", "role"
	title     string // "User", "Role", to start a message with
	nameParam string // "UserName", "RoleName"
	member    string // "userName", "roleName", for validation messages
	// maxPolicies is the quota on the entity's inline policies together.
	maxPolicies int
}

var (
	userEntity = &entityKind{noun: "user", title: "User", nameParam: "UserName", member: "userName", maxPolicies: maxUserPolicySize}
	roleEntity = &entityKind{noun: "role", title: "Role", nameParam: "RoleName", member: "roleName", maxPolicies: maxRolePolicySize}
)

// entity is a user or role of the compiled world.
type entity struct {
	name, arn string
	policies  []*policy.Policy
}

// find returns the user or role of an account by name. IAM names are
// unique without regard to case ("you cannot create groups named both
// ADMINS and admins", IAM User Guide); the exact spelling wins.
func (k *entityKind) find(wd *world.World, account, name string) *entity {
	a := wd.Account(account)
	if a == nil {
		return nil
	}
	var fold *entity
	match := func(n, arn string, pols []*policy.Policy) *entity {
		if n == name {
			return &entity{name: n, arn: arn, policies: pols}
		}
		if fold == nil && strings.EqualFold(n, name) {
			fold = &entity{name: n, arn: arn, policies: pols}
		}
		return nil
	}
	if k == userEntity {
		for _, u := range a.Users {
			if e := match(u.Name, u.ARN, u.Policies); e != nil {
				return e
			}
		}
	} else {
		for _, r := range a.Roles {
			if e := match(r.Name, r.ARN, r.Policies); e != nil {
				return e
			}
		}
	}
	return fold
}

// arn returns the ARN of the named entity: its own when it exists, else
// the ARN it would have at the root path.
func (k *entityKind) arn(e *entity, account, name string) string {
	if e != nil {
		return e.arn
	}
	return "arn:aws:iam::" + account + ":" + k.noun + "/" + name
}

// modelOf returns the inline policies and the boundary of the named user
// or role of an account model, for changing them.
func (k *entityKind) modelOf(m *world.Model, account, name string) (*world.NamedDocs, **world.Doc, error) {
	a := findAccount(m, account)
	if a != nil {
		if k == userEntity {
			for i := range a.Users {
				if strings.EqualFold(a.Users[i].Name, name) {
					return &a.Users[i].Policies, &a.Users[i].Boundary, nil
				}
			}
		} else {
			for i := range a.Roles {
				if strings.EqualFold(a.Roles[i].Name, name) {
					return &a.Roles[i].Policies, &a.Roles[i].Boundary, nil
				}
			}
		}
	}
	return nil, nil, k.errNoSuch(name)
}

func (k *entityKind) errNoSuch(name string) *apiError {
	return errorf(http.StatusNotFound, "NoSuchEntity", "The %s with name %s cannot be found.", k.noun, name)
}

// entityName reads and checks the UserName or RoleName parameter.
func (k *entityKind) entityName(c *call, form url.Values) (string, error) {
	name := form.Get(k.nameParam)
	c.params[k.member] = name
	return name, checkIAMName(k.member, name, iamEntityNameRE, 64)
}

func checkIAMName(member, name string, re *regexp.Regexp, max int) error {
	switch {
	case name == "":
		return errValidation(member, "", "Member must not be null")
	case len(name) > max:
		return errValidation(member, name, "Member must have length less than or equal to "+strconv.Itoa(max))
	case !re.MatchString(name):
		return errValidation(member, name, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return nil
}

// iamChange applies fn to the world model. Errors fn returns go to the
// caller as they are; a model that no longer compiles (which the checks
// before should prevent) is a ValidationError naming the problem.
func (s *Server) iamChange(fn func(m *world.Model) error) error {
	return s.changeAPI(fn, "ValidationError")
}

// changeAPI applies fn to the world model for an IAM or KMS call. Errors
// fn returns go to the caller as they are; a model that no longer
// compiles is an HTTP 400 error with the service's invalidCode.
func (s *Server) changeAPI(fn func(m *world.Model) error, invalidCode string) error {
	err := s.state.change(fn)
	if err == nil {
		return nil
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return errorf(http.StatusBadRequest, invalidCode, "%v", err)
}

// iamTime formats a time as IAM does: 2006-01-02T15:04:05Z.
func iamTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

type tagXML struct {
	Key   string
	Value string
}

type boundaryXML struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

type userXML struct {
	Path                string
	UserName            string
	UserId              string
	Arn                 string
	CreateDate          string
	PermissionsBoundary *boundaryXML
	Tags                []tagXML `xml:"Tags>member,omitempty"`
}

type roleXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	Description              string `xml:",omitempty"`
	MaxSessionDuration       int
	PermissionsBoundary      *boundaryXML
	Tags                     []tagXML `xml:"Tags>member,omitempty"`
}

func (s *Server) createUser(w http.ResponseWriter, c *call, form url.Values) error {
	name, path, err := userEntity.newNameAndPath(c, form)
	if err != nil {
		return err
	}
	ne, err := s.createEntity(c, form, userEntity, name, path, func(a *world.AccountModel, tags map[string]string, boundary *world.Doc) {
		a.Users = append(a.Users, world.UserModel{Name: name, Path: path, Tags: tags, Boundary: boundary})
	})
	if err != nil {
		return err
	}
	u := s.state.world().User(ne.arn)
	if u == nil {
		return errInternal(fmt.Errorf("user %s is not in the world after CreateUser", ne.arn))
	}
	type result struct {
		User userXML
	}
	return writeQueryResponse(w, c, iamNS, result{User: userXML{
		Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: iamTime(c.start),
		PermissionsBoundary: ne.boundary.xml(), Tags: ne.tags,
	}})
}

func (s *Server) createAccessKey(w http.ResponseWriter, c *call, form url.Values) error {
	name := form.Get("UserName")
	if name == "" {
		// "If you do not specify a user name, IAM determines the user
		// name implicitly based on the Amazon Web Services access key ID
		// signing the request."
		if c.principal.UserName == "" {
			return errorf(http.StatusBadRequest, "ValidationError", "Must specify userName when calling with non-User credentials")
		}
		name = c.principal.UserName
	} else if err := checkIAMName("userName", name, iamEntityNameRE, 64); err != nil {
		return err
	}
	c.params["userName"] = name
	e, err := s.authorizedEntity(c, userEntity, name, nil)
	if err != nil {
		return err
	}
	key := world.AccessKeyModel{ID: newAccessKeyID(), Secret: newSecretKey()}
	err = s.iamChange(func(m *world.Model) error {
		a := findAccount(m, c.principal.Account)
		for i := range a.Users {
			u := &a.Users[i]
			if u.Name != e.name {
				continue
			}
			if len(u.AccessKeys) >= maxAccessKeysPerUser {
				return errorf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeysPerUser)
			}
			u.AccessKeys = append(u.AccessKeys, key)
			return nil
		}
		return userEntity.errNoSuch(name)
	})
	if err != nil {
		return err
	}
	type accessKey struct {
		UserName        string
		AccessKeyId     string
		Status          string
		SecretAccessKey string
		CreateDate      string
	}
	type result struct {
		AccessKey accessKey
	}
	return writeQueryResponse(w, c, iamNS, result{AccessKey: accessKey{
		UserName: e.name, AccessKeyId: key.ID, Status: "Active", SecretAccessKey: key.Secret, CreateDate: iamTime(c.start),
	}})
}

// newAccessKeyID returns a long-term access key ID: AKIA and 16
// characters of base 32, as AWS's.
func newAccessKeyID() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return "AKIA" + base32.StdEncoding.EncodeToString(b)
}

// newSecretKey returns a 40-character secret access key.
func newSecretKey() string {
	b := make([]byte, 30)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

func (s *Server) createRole(w http.ResponseWriter, c *call, form url.Values) error {
	name, path, err := roleEntity.newNameAndPath(c, form)
	if err != nil {
		return err
	}
	if !form.Has("AssumeRolePolicyDocument") {
		return errValidation("assumeRolePolicyDocument", "", "Member must not be null")
	}
	trust := form.Get("AssumeRolePolicyDocument")
	c.params["assumeRolePolicyDocument"] = trust
	if _, err := policy.Parse([]byte(trust), policy.Trust); err != nil {
		return errMalformedPolicy("iam", []byte(trust), err)
	}
	if policySize(trust) > maxTrustPolicySize {
		return errorf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	description := form.Get("Description")
	if len(description) > 1000 {
		return errValidation("description", description, "Member must have length less than or equal to 1000")
	}
	// MaxSessionDuration is checked and echoed; lockstep's roles allow
	// sessions of up to 12 hours whatever it says (see assumeRole).
	maxSession := defaultSessionSeconds
	if v := form.Get("MaxSessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < defaultSessionSeconds || n > maxSessionSeconds {
			return errValidation("maxSessionDuration", v, "Member must have value between 3600 and 43200")
		}
		maxSession = n
	}
	ne, err := s.createEntity(c, form, roleEntity, name, path, func(a *world.AccountModel, tags map[string]string, boundary *world.Doc) {
		d := world.DocFromJSON([]byte(trust))
		a.Roles = append(a.Roles, world.RoleModel{Name: name, Path: path, Trust: &d, Tags: tags, Boundary: boundary})
	})
	if err != nil {
		return err
	}
	r := s.state.world().Role(ne.arn)
	if r == nil {
		return errInternal(fmt.Errorf("role %s is not in the world after CreateRole", ne.arn))
	}
	type result struct {
		Role roleXML
	}
	return writeQueryResponse(w, c, iamNS, result{Role: roleXML{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: iamTime(c.start),
		AssumeRolePolicyDocument: iamEscape(trust), Description: description, MaxSessionDuration: maxSession,
		PermissionsBoundary: ne.boundary.xml(), Tags: ne.tags,
	}})
}

// newNameAndPath reads and checks the name and the Path of a user or
// role to create.
func (k *entityKind) newNameAndPath(c *call, form url.Values) (name, path string, err error) {
	if name, err = k.entityName(c, form); err != nil {
		return "", "", err
	}
	if path, err = iamPath(c, form); err != nil {
		return "", "", err
	}
	return name, path, nil
}

// newEntity is a user or role CreateUser or CreateRole made: its ARN, and
// the tags and permissions boundary it was given.
type newEntity struct {
	arn      string
	tags     []tagXML
	boundary *resolvedBoundary
}

// createEntity creates the user or role name at path in the caller's
// account. It reads the Tags and PermissionsBoundary parameters,
// authorizes the call on the new ARN with the condition keys they set, and
// has add append the entity, with its tags and boundary, to the account's
// model, unless the account has one of that name already (names are
// unique without regard to case).
func (s *Server) createEntity(c *call, form url.Values, k *entityKind, name, path string, add func(a *world.AccountModel, tags map[string]string, boundary *world.Doc)) (*newEntity, error) {
	acct := c.principal.Account
	tags, keys, err := readTags(form)
	if err != nil {
		return nil, err
	}
	var boundary *resolvedBoundary
	if form.Has("PermissionsBoundary") {
		if boundary, err = resolveBoundary(form.Get("PermissionsBoundary")); err != nil {
			return nil, err
		}
		boundary.setKey(keys)
	}
	arn := "arn:aws:iam::" + acct + ":" + k.noun + path + name
	if err := s.authorizeAPI(c, enforce.Call{Resource: arn, Keys: keys}); err != nil {
		return nil, err
	}
	err = s.iamChange(func(m *world.Model) error {
		a, err := modelAccount(m, acct)
		if err != nil {
			return err
		}
		if _, _, err := k.modelOf(m, acct, name); err == nil {
			return errorf(http.StatusConflict, "EntityAlreadyExists", "%s with name %s already exists.", k.title, name)
		}
		var bd *world.Doc
		if boundary != nil {
			d := world.DocFromJSON(boundary.doc)
			bd = &d
		}
		add(a, tagMap(tags), bd)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &newEntity{arn: arn, tags: tags, boundary: boundary}, nil
}

// authorizedEntity authorizes the call, with the condition keys keys, on
// the named user or role of the caller's account and returns it. The call
// is authorized first, on the ARN the entity would have if it does not
// exist, so that a caller who may not act on it learns nothing of it.
func (s *Server) authorizedEntity(c *call, k *entityKind, name string, keys map[string][]string) (*entity, error) {
	acct := c.principal.Account
	e := k.find(s.state.world(), acct, name)
	if err := s.authorizeAPI(c, enforce.Call{Resource: k.arn(e, acct, name), Keys: keys}); err != nil {
		return nil, err
	}
	if e == nil {
		return nil, k.errNoSuch(name)
	}
	return e, nil
}

// changeEntity has fn change the inline policies and the boundary of a
// user or role in the world model, and answers the call with an empty
// result.
func (s *Server) changeEntity(w http.ResponseWriter, c *call, k *entityKind, e *entity, fn func(pols *world.NamedDocs, boundary **world.Doc)) error {
	err := s.iamChange(func(m *world.Model) error {
		pols, boundary, err := k.modelOf(m, c.principal.Account, e.name)
		if err != nil {
			return err
		}
		fn(pols, boundary)
		return nil
	})
	if err != nil {
		return err
	}
	return writeQueryResponse(w, c, iamNS, nil)
}

// iamPath reads the Path parameter: "/" by default, else text between
// slashes.
func iamPath(c *call, form url.Values) (string, error) {
	if !form.Has("Path") {
		return "/", nil
	}
	p := form.Get("Path")
	c.params["path"] = p
	if len(p) > 512 || !iamPathRE.MatchString(p) {
		return "", errValidation("path", p, `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
	return p, nil
}

// readTags reads Tags.member.N.Key and .Value, and returns them with the
// condition keys they set (aws:RequestTag/KEY, aws:TagKeys).
func readTags(form url.Values) ([]tagXML, map[string][]string, error) {
	keys := map[string][]string{}
	var tags []tagXML
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i) + "."
		if !form.Has(prefix + "Key") {
			break
		}
		t := tagXML{Key: form.Get(prefix + "Key"), Value: form.Get(prefix + "Value")}
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return nil, nil, errorf(http.StatusBadRequest, "ValidationError", "Tag %d: the key must have 1 to 128 characters and the value at most 256", i)
		}
		tags = append(tags, t)
		keys["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys["aws:TagKeys"] = append(keys["aws:TagKeys"], t.Key)
	}
	if len(tags) > maxTagsPerEntity {
		return nil, nil, errorf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for TagsPerEntity: %d", maxTagsPerEntity)
	}
	return tags, keys, nil
}

func tagMap(tags []tagXML) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// iamEscape URL-encodes a policy document as IAM returns it: every byte
// but the unreserved characters of RFC 3986 is percent-encoded, so a
// space is %20, never +.
func iamEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Permissions boundaries.
//
// On AWS, PermissionsBoundary is the ARN of a managed policy. The world
// has no managed policies, so lockstep accepts:
//
//   - the ARN of an AWS managed policy whose document it carries
//     (awsManagedPolicies: AdministratorAccess, PowerUserAccess,
//     AmazonS3FullAccess, AmazonS3ReadOnlyAccess);
//   - as a lockstep extension, the policy document itself (JSON text
//     starting with "{"), used as the boundary as it is. Scripts written
//     for lockstep pass the document; to run them on AWS, create the
//     policy and pass its ARN instead.
//
// Any other policy ARN, AWS managed or customer managed, names a policy
// that does not exist here: NoSuchEntity, as AWS answers for a missing
// policy, with a message that says what to pass instead. The boundary
// lands in the world model as a document; the ARN, when one was given, is
// the iam:PermissionsBoundary condition key of the call.
