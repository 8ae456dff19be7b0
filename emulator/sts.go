package emulator

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
)

// STS speaks the AWS query protocol: a form-encoded POST body (or a query
// string) with Action and Version, answered with XML in the service's
// namespace.
const (
	stsVersion = "2011-06-15"
	stsNS      = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// Session duration bounds of AssumeRole. AWS caps a role's sessions at
// its MaxSessionDuration (1 to 12 hours, 1 hour by default); lockstep's
// roles have no such setting, so every role allows the 12-hour maximum.
// Role chaining is capped at one hour, as on AWS.
const (
	minSessionSeconds     = 900
	maxSessionSeconds     = 43200
	defaultSessionSeconds = 3600
	chainedSessionSeconds = 3600
	// maxSessionPolicy is the longest session policy AWS accepts
	// (plain text, before packing).
	maxSessionPolicy = 2048
)

// maxQueryBody bounds the form body of STS and IAM requests.
const maxQueryBody = 1 << 20

// roleSessionNameRE is RoleSessionName's pattern and length.
var roleSessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func (s *Server) serveSTS(w http.ResponseWriter, c *call) {
	form, action, ok := s.readQueryRequest(w, c)
	if !ok {
		return
	}
	if err := checkQueryAction(action, form.Get("Version"), stsVersion); err != nil {
		s.fail(w, c, err)
		return
	}
	h := stsHandlers[action]
	if h == nil {
		s.fail(w, c, errInvalidAction(action, stsVersion))
		return
	}
	if err := h(s, w, c, form); err != nil {
		s.fail(w, c, err)
	}
}

// stsHandlers maps the STS operations of the catalogue to their handlers,
// which take the request's parameters as IAM's do.
var stsHandlers = map[string]iamHandler{
	"GetCallerIdentity": func(s *Server, w http.ResponseWriter, c *call, _ url.Values) error { return s.getCallerIdentity(w, c) },
	"AssumeRole":        (*Server).assumeRole,
}

// getCallerIdentity needs no permission: "No permissions are required to
// perform this operation", even under an explicit Deny (STS API
// reference).
func (s *Server) getCallerIdentity(w http.ResponseWriter, c *call) error {
	p := c.principal
	c.resourceAccount = p.Account
	type result struct {
		Arn     string
		UserId  string
		Account string
	}
	return writeQueryResponse(w, c, stsNS, result{Arn: p.ARN, UserId: p.UserID, Account: p.Account})
}

// assumeRole issues temporary credentials for a role session. The call is
// authorized as sts:AssumeRole on the role ARN: the role's trust policy
// must allow the caller, or delegate to the caller's account with an IAM
// policy allowing too, and across accounts both sides must allow (spec
// §1.3 "Exceptions", §1.4).
func (s *Server) assumeRole(w http.ResponseWriter, c *call, form url.Values) error {
	roleARN := form.Get("RoleArn")
	name := form.Get("RoleSessionName")
	c.params["roleArn"] = roleARN
	c.params["roleSessionName"] = name
	for _, p := range []string{"Tags.member.1.Key", "TransitiveTagKeys.member.1", "SourceIdentity", "SerialNumber", "TokenCode", "ProvidedContexts.member.1.ProviderArn"} {
		if form.Has(p) {
			param, _, _ := strings.Cut(p, ".")
			return errorf(http.StatusBadRequest, "ValidationError", "AssumeRole parameter %s is not supported by the lockstep emulator", param)
		}
	}
	if hasMember(form, "PolicyArns") {
		return errorf(http.StatusBadRequest, "ValidationError",
			"AssumeRole parameter PolicyArns is not supported by the lockstep emulator, which has no managed policies: pass the session policy document in Policy")
	}
	switch {
	case roleARN == "":
		return errValidation("roleArn", "", "Member must not be null")
	case len(roleARN) < 20:
		return errValidation("roleArn", roleARN, "Member must have length greater than or equal to 20")
	case len(roleARN) > 2048:
		return errValidation("roleArn", roleARN, "Member must have length less than or equal to 2048")
	case !form.Has("RoleSessionName"):
		return errValidation("roleSessionName", "", "Member must not be null")
	case len(name) < 2:
		return errValidation("roleSessionName", name, "Member must have length greater than or equal to 2")
	case len(name) > 64:
		return errValidation("roleSessionName", name, "Member must have length less than or equal to 64")
	case !roleSessionNameRE.MatchString(name):
		return errValidation("roleSessionName", name, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	duration := defaultSessionSeconds
	if v := form.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return errorf(http.StatusBadRequest, "ValidationError", "Value '%s' for parameter DurationSeconds is invalid: it is not an integer", v)
		case n < minSessionSeconds:
			return errValidation("durationSeconds", v, "Member must have value greater than or equal to 900")
		case n > maxSessionSeconds:
			return errValidation("durationSeconds", v, "Member must have value less than or equal to 43200")
		}
		duration = n
		c.params["durationSeconds"] = n
	}
	var sessionPolicies []*policy.Policy
	if form.Has("Policy") {
		text := form.Get("Policy")
		if len(text) > maxSessionPolicy {
			return errValidation("policy", text, "Member must have length less than or equal to 2048")
		}
		p, err := policy.Parse([]byte(text), policy.Session)
		if err != nil {
			return errMalformedPolicy("sts", []byte(text), err)
		}
		p.Name = "session policy"
		sessionPolicies = []*policy.Policy{p}
	}
	keys := map[string][]string{"sts:RoleSessionName": {name}}
	if form.Has("ExternalId") {
		keys["sts:ExternalId"] = []string{form.Get("ExternalId")}
	}

	if c.principal.Kind == authz.Root {
		// AWS refuses role sessions to the root user outright.
		return errorf(http.StatusForbidden, "AccessDenied", "Roles may not be assumed by root accounts.")
	}
	wd := s.state.world()
	role := wd.Role(roleARN)
	if role == nil {
		// A role that does not exist is denied like one whose trust
		// policy says no: the caller learns nothing more.
		return errAssumeRoleDenied(c.principal, roleARN)
	}
	c.resourceAccount = role.Account.ID
	if err := s.authorizeAPI(c, enforce.Call{Resource: roleARN, Keys: keys}); err != nil {
		return err
	}
	if c.principal.Kind == authz.AssumedRole && duration > chainedSessionSeconds {
		return errorf(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	ss := s.state.addSession(role.ARN, name, sessionPolicies, time.Duration(duration)*time.Second, c.start)
	type credentials struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	type assumedRoleUser struct {
		AssumedRoleId string
		Arn           string
	}
	type result struct {
		Credentials     credentials
		AssumedRoleUser assumedRoleUser
	}
	return writeQueryResponse(w, c, stsNS, result{
		Credentials: credentials{
			AccessKeyId:     ss.AccessKeyID,
			SecretAccessKey: ss.Secret,
			SessionToken:    ss.Token,
			Expiration:      ss.Expires.UTC().Format(time.RFC3339),
		},
		AssumedRoleUser: assumedRoleUser{
			AssumedRoleId: role.ID + ":" + name,
			Arn:           "arn:aws:sts::" + role.Account.ID + ":assumed-role/" + role.Name + "/" + name,
		},
	})
}

// errAssumeRoleDenied is STS's AccessDenied: unlike IAM and KMS, STS
// names no policy type in the message.
func errAssumeRoleDenied(p *authz.Principal, roleARN string) *apiError {
	return errorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", authz.PrincipalName(p), roleARN)
}

// readQueryRequest begins serving a query protocol request (STS, IAM): it
// sets the request ID header, reads the form and names the call after its
// Action. When the form cannot be read, it answers the request itself and
// returns false.
func (s *Server) readQueryRequest(w http.ResponseWriter, c *call) (form url.Values, action string, ok bool) {
	// The AWS SDKs read the request ID of query and JSON responses,
	// errors included, from x-amzn-RequestId.
	w.Header().Set("X-Amzn-Requestid", c.id)
	form, err := readQueryForm(c)
	if err != nil {
		c.operation = "Unknown"
		s.fail(w, c, err)
		return nil, "", false
	}
	action = form.Get("Action")
	c.operation = action
	return form, action, true
}

// readQueryForm reads the parameters of a query-protocol request: the
// URL's query string and, for POST, the form-encoded body.
func readQueryForm(c *call) (url.Values, error) {
	form := url.Values{}
	for k, v := range c.r.URL.Query() {
		form[k] = v
	}
	if c.r.Method != http.MethodPost || c.r.Body == nil {
		return form, nil
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxQueryBody+1))
	if err != nil {
		return nil, asAPIError(err)
	}
	if len(body) > maxQueryBody {
		return nil, errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than %d bytes", maxQueryBody)
	}
	vals, err := url.ParseQuery(string(bytes.TrimSpace(body)))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form-encoded query: %v", err)
	}
	for k, v := range vals {
		form[k] = append(form[k], v...)
	}
	return form, nil
}

// checkQueryAction checks the Action and Version parameters of a
// query-protocol request.
func checkQueryAction(action, version, want string) error {
	if action == "" {
		return errorf(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	if version != "" && version != want {
		return errInvalidAction(action, version)
	}
	return nil
}

func errInvalidAction(action, version string) *apiError {
	return errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
}

// errValidation is the query protocol's ValidationError for one member,
// in AWS's words.
func errValidation(member, value, constraint string) *apiError {
	return errMemberValidation("ValidationError", member, value, constraint)
}

// errMemberValidation is a validation error for one member of a request,
// in AWS's words, with the protocol's code: ValidationError (query) or
// ValidationException (JSON).
func errMemberValidation(code, member, value, constraint string) *apiError {
	v := "null"
	if value != "" {
		v = "'" + value + "'"
	}
	return errorf(http.StatusBadRequest, code, "1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", v, member, constraint)
}

// hasMember reports whether a query-protocol list parameter is present
// (Name.member.1, Name.member.1.field...).
func hasMember(form url.Values, name string) bool {
	for k := range form {
		if strings.HasPrefix(k, name+".member.") {
			return true
		}
	}
	return false
}

// writeQueryResponse writes a query-protocol response:
// <ActionResponse xmlns=NS><ActionResult>result</ActionResult>
// <ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>, with
// no Result element when result is nil.
func writeQueryResponse(w http.ResponseWriter, c *call, ns string, result any) error {
	var b bytes.Buffer
	b.WriteString(`<` + c.operation + `Response xmlns="` + ns + `">`)
	if result != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: c.operation + "Result"}}); err != nil {
			return errInternal(err)
		}
		if err := enc.Flush(); err != nil {
			return errInternal(err)
		}
	}
	b.WriteString(`<ResponseMetadata><RequestId>` + c.id + `</RequestId></ResponseMetadata></` + c.operation + `Response>`)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// tokenExpiry returns when the session token of a temporary access key
// expires, the zero Time for long-term keys. The SigV4 verifier uses it
// to answer each service's ExpiredToken error (ExpiredToken for S3 and the
// query protocol, ExpiredTokenException for KMS).
func (s *state) tokenExpiry(id string) time.Time {
	s.sessMu.RLock()
	defer s.sessMu.RUnlock()
	if ss := s.sessions[id]; ss != nil {
		return ss.Expires
	}
	return time.Time{}
}
