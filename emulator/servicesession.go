package emulator

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
)

// The emulator acting as an AWS service through a role session
// (docs/emulator.md "Acting as a service"): S3 Batch Operations (and
// S3 Replication) assume a role the customer names, trusted by the
// service principal, and make ordinary S3 calls as that role's session.
// A serviceSession is that session: the trust policy is decided first,
// as sts:AssumeRole by the service principal, and each call is an
// in-process request signed with the session's credentials and served by
// the server's own handler, so that it is authenticated, authorized from
// its catalogue row by enforce and audited exactly as a client's request
// is, with the service as invokedBy and sourceIPAddress.

// serviceCallKey marks the context of an in-process request a service
// makes through a role session; its value is the service principal.
type serviceCallKey struct{}

// invokingService is the service principal that made an in-process
// request, "" for a request from the network.
func invokingService(r *http.Request) string {
	s, _ := r.Context().Value(serviceCallKey{}).(string)
	return s
}

// serviceSession is a role session held by the emulator acting as a
// service.
type serviceSession struct {
	s       *Server
	service string
	creds   aws.Credentials
	// principal is the session's ARN, for messages.
	principal string
	// expires is when the session's credentials expire.
	expires time.Time
}

// serviceSessionTTL is how long the emulator's service sessions last.
const serviceSessionTTL = 12 * time.Hour

// assumeRoleAsService makes the service principal assume roleARN: the
// role's trust policy must allow service sts:AssumeRole, decided by
// enforce from the AssumeRole row and audited as CloudTrail records a
// service's AssumeRole (userIdentity AWSService). A role that does not
// exist or does not trust the service is an AccessDenied error.
func (s *Server) assumeRoleAsService(roleARN, service, sessionName string) (*serviceSession, error) {
	return s.assumeRoleForSource(roleARN, service, sessionName, "")
}

// assumeRoleForSource is assumeRoleAsService for a service acting on
// behalf of a resource, the bucket sourceBucket: the request carries
// aws:SourceAccount (its owner) and aws:SourceArn (its ARN), which a
// trust policy may require (docs/authorization.md §2.7, S3 Replication);
// "" for none.
func (s *Server) assumeRoleForSource(roleARN, service, sessionName, sourceBucket string) (*serviceSession, error) {
	sp := &authz.Principal{Principal: policy.Principal{Service: service}, Kind: authz.ServicePrincipal}
	now := s.now()
	c := &call{
		id: newRequestID(), start: now, principal: sp, service: "sts", operation: "AssumeRole",
		env:    authz.Env{Time: now, SourceIP: service, UserAgent: service},
		params: map[string]any{"roleArn": roleARN, "roleSessionName": sessionName},
	}
	c.invokedBy = service
	defer func() { s.audit.record(s, c) }()
	w := s.state.world()
	role := w.Role(roleARN)
	if role == nil {
		c.err = errAssumeRoleDenied(sp, roleARN)
		c.status = c.err.Status
		return nil, c.err
	}
	c.resourceAccount = role.Account.ID
	keys := map[string][]string{"sts:RoleSessionName": {sessionName}}
	if b := w.Bucket(sourceBucket); b != nil {
		keys["aws:SourceAccount"], keys["aws:SourceArn"] = []string{b.Account.ID}, []string{b.ARN}
	}
	res, err := enforce.Authorize(w, sp, enforce.Call{Operation: "AssumeRole", Service: "sts", Resource: roleARN, Env: c.env, Keys: keys})
	if err != nil {
		c.err = errInternal(err)
		return nil, fmt.Errorf("assume %s as %s: %w", roleARN, service, err)
	}
	c.checks = res.Checks
	if res.Denied() != nil {
		c.err = errAssumeRoleDenied(sp, roleARN)
		c.status = c.err.Status
		return nil, c.err
	}
	c.status = http.StatusOK
	ss := s.state.addSession(role.ARN, sessionName, nil, serviceSessionTTL, now)
	return &serviceSession{
		s: s, service: service,
		creds:     aws.Credentials{AccessKeyID: ss.AccessKeyID, SecretAccessKey: ss.Secret, SessionToken: ss.Token},
		principal: "arn:aws:sts::" + role.Account.ID + ":assumed-role/" + role.Name + "/" + sessionName,
		expires:   ss.Expires,
	}, nil
}

// serviceResponse is the answer to an in-process request.
type serviceResponse struct {
	Status int
	Header http.Header
	Body   []byte
	// Code and Message are those of an error answer (an S3 <Error>, also
	// inside a 200 answer to CopyObject).
	Code, Message string
}

// do serves an S3 request as the session: signed for s3 in the server's
// region with an unsigned payload, and dispatched to the server's own
// handler. query (a versionId) and body may be nil.
func (ss *serviceSession) do(ctx context.Context, method, path string, query url.Values, header http.Header, body []byte) (*serviceResponse, error) {
	ctx = context.WithValue(ctx, serviceCallKey{}, ss.service)
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	u := url.URL{Scheme: "http", Host: "s3.amazonaws.com", Path: path, RawQuery: query.Encode()}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	r.ContentLength = int64(len(body))
	for k, v := range header {
		r.Header[k] = v
	}
	r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	r.Header.Set("User-Agent", ss.service)
	// No network address: the request comes from inside AWS.
	r.RemoteAddr = ""
	// S3 signs the path as sent, not escaped twice.
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(ctx, ss.creds, r, "UNSIGNED-PAYLOAD", "s3", ss.s.region, ss.s.now()); err != nil {
		return nil, fmt.Errorf("%s %s: sign: %w", method, path, err)
	}
	rec := httptest.NewRecorder()
	ss.s.ServeHTTP(rec, r)
	resp := &serviceResponse{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	resp.Code, resp.Message = s3ErrorOf(resp.Body)
	return resp, nil
}

// s3ErrorOf reads the code and message of an S3 <Error> body; "" when
// the body is not one.
func s3ErrorOf(body []byte) (code, message string) {
	var e struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}
	if len(body) == 0 || xml.Unmarshal(body, &e) != nil {
		return "", ""
	}
	return e.Code, e.Message
}
