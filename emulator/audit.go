package emulator

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// auditLog writes one CloudTrail-format JSON record per line: the log the
// seed 002 author waited minutes for, at once. Each request gives one
// record; each KMS call S3 made for it gives another, as in CloudTrail.
type auditLog struct {
	mu sync.Mutex
	w  io.Writer
}

func newAuditLog(w io.Writer) *auditLog { return &auditLog{w: w} }

// Record is one CloudTrail event. Field names and shapes follow the
// CloudTrail record contents reference.
type Record struct {
	EventVersion       string         `json:"eventVersion"`
	UserIdentity       UserIdentity   `json:"userIdentity"`
	EventTime          string         `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	SourceIPAddress    string         `json:"sourceIPAddress"`
	UserAgent          string         `json:"userAgent,omitempty"`
	ErrorCode          string         `json:"errorCode,omitempty"`
	ErrorMessage       string         `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any `json:"requestParameters"`
	ResponseElements   map[string]any `json:"responseElements"`
	RequestID          string         `json:"requestID"`
	EventID            string         `json:"eventID"`
	ReadOnly           bool           `json:"readOnly"`
	Resources          []Resource     `json:"resources,omitempty"`
	EventType          string         `json:"eventType"`
	ManagementEvent    bool           `json:"managementEvent"`
	RecipientAccountID string         `json:"recipientAccountId,omitempty"`
	EventCategory      string         `json:"eventCategory"`
	// AdditionalEventData of a denied call says why (Denial).
	AdditionalEventData *Denial `json:"additionalEventData,omitempty"`
	// HTTPStatus is not a CloudTrail field; lockstep adds it.
	HTTPStatus int `json:"lockstepHttpStatus,omitempty"`
}

// UserIdentity is the caller of a CloudTrail event.
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

// SessionContext describes the role behind an assumed-role session.
type SessionContext struct {
	SessionIssuer struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		UserName    string `json:"userName"`
	} `json:"sessionIssuer"`
}

// Resource is one resource of an event.
type Resource struct {
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
}

func (a *auditLog) record(s *Server, c *call) {
	if a.w == nil || c.operation == "" {
		return
	}
	recs := []Record{s.requestRecord(c)}
	// The KMS calls S3 made for the caller (docs/authorization.md §3.1): only those that
	// were reached, that is when the S3 permissions allowed.
	s3ok := true
	for _, ch := range c.checks {
		if ch.KMS == nil && !ch.Decision.Allowed() {
			s3ok = false
		}
	}
	if s3ok {
		for _, ch := range c.checks {
			if ch.KMS != nil {
				recs = append(recs, s.kmsRecord(c, ch))
				if !ch.Decision.Allowed() {
					break
				}
			}
		}
	}
	var b []byte
	for _, r := range recs {
		j, err := json.Marshal(r)
		if err != nil {
			continue
		}
		b = append(b, j...)
		b = append(b, '\n')
	}
	a.mu.Lock()
	a.w.Write(b)
	a.mu.Unlock()
}

// requestRegion is the region a request was made to, CloudTrail's
// awsRegion: the aws:RequestedRegion its checks were decided with (a
// bucket's own region), else the region it was signed for, else the
// world's.
func (s *Server) requestRegion(c *call) string {
	for _, ch := range c.checks {
		if ch.KMS == nil {
			return requestedRegion(ch.Request, s.region)
		}
	}
	if c.env.Region != "" {
		return c.env.Region
	}
	return s.region
}

// requestedRegion is the aws:RequestedRegion of a decided request, or
// fallback.
func requestedRegion(req *authz.Request, fallback string) string {
	if req != nil {
		if v, ok := req.Context.Get("aws:RequestedRegion"); ok && len(v) == 1 {
			return v[0]
		}
	}
	return fallback
}

func (s *Server) requestRecord(c *call) Record {
	src := c.service + ".amazonaws.com"
	if c.service == "s3control" {
		// The S3 Control API's calls are S3's events.
		src = "s3.amazonaws.com"
	}
	r := Record{
		EventVersion:      "1.09",
		UserIdentity:      identity(c),
		EventTime:         c.start.UTC().Format(time.RFC3339),
		EventSource:       src,
		EventName:         c.operation,
		AWSRegion:         s.requestRegion(c),
		SourceIPAddress:   c.env.SourceIP,
		UserAgent:         c.env.UserAgent,
		RequestParameters: c.params,
		RequestID:         c.id,
		EventID:           uuid(),
		ReadOnly:          s3ops.ReadOnly(c.operation),
		EventType:         "AwsApiCall",
		ManagementEvent:   true,
		EventCategory:     "Management",
		HTTPStatus:        c.status,
	}
	if c.invokedBy != "" {
		// A call a service made (S3 Batch Operations as the job's role):
		// CloudTrail names the service as the caller's address and agent
		// and in userIdentity.invokedBy (docs/emulator.md "Acting as a
		// service").
		r.UserIdentity.InvokedBy = c.invokedBy
		r.SourceIPAddress, r.UserAgent = c.invokedBy, c.invokedBy
	}
	if c.err != nil {
		r.ErrorCode, r.ErrorMessage = c.err.Code, c.err.Message
		if ch := firstDenied(c.checks); ch != nil {
			r.AdditionalEventData = denial(ch)
		}
	}
	if c.service == "s3" {
		if op, ok := s3ops.Lookup("s3", c.operation); ok {
			for _, p := range op.Permissions {
				if p.On == s3ops.Object {
					// Object-level operations are data events.
					r.ManagementEvent, r.EventCategory = false, "Data"
				}
			}
		}
		if c.bucket != "" {
			if c.key != "" {
				r.Resources = append(r.Resources, Resource{Type: "AWS::S3::Object", ARN: objectARN(c.bucket, c.key)})
			}
			r.Resources = append(r.Resources, Resource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + c.bucket, AccountID: c.resourceAccount})
		}
	}
	r.RecipientAccountID = c.resourceAccount
	if r.RecipientAccountID == "" && c.principal != nil {
		r.RecipientAccountID = c.principal.Account
	}
	return r
}

// kmsRecord is the CloudTrail record of a KMS call S3 made for the caller.
func (s *Server) kmsRecord(c *call, ch enforce.Check) Record {
	op := strings.TrimPrefix(ch.Action, "kms:")
	ui := identity(c)
	ui.InvokedBy = "s3.amazonaws.com"
	params := map[string]any{"keyId": ch.Resource}
	if ch.Request != nil {
		if v, ok := ch.Request.Context.Get("kms:EncryptionContext:aws:s3:arn"); ok && len(v) > 0 {
			params["encryptionContext"] = map[string]string{"aws:s3:arn": v[0]}
		}
	}
	if op == "GenerateDataKey" {
		params["keySpec"] = "AES_256"
	}
	r := Record{
		EventVersion:      "1.09",
		UserIdentity:      ui,
		EventTime:         c.start.UTC().Format(time.RFC3339),
		EventSource:       "kms.amazonaws.com",
		EventName:         op,
		AWSRegion:         requestedRegion(ch.Request, s.region),
		SourceIPAddress:   "s3.amazonaws.com",
		UserAgent:         "s3.amazonaws.com",
		RequestParameters: params,
		RequestID:         c.id,
		EventID:           uuid(),
		ReadOnly:          true,
		Resources:         []Resource{{Type: "AWS::KMS::Key", ARN: ch.Resource, AccountID: accountOf(ch.Resource)}},
		EventType:         "AwsApiCall",
		ManagementEvent:   true,
		EventCategory:     "Management",
	}
	r.RecipientAccountID = accountOf(ch.Resource)
	if !ch.Decision.Allowed() {
		r.ErrorCode = "AccessDenied"
		r.ErrorMessage = ch.Decision.Message()
		r.AdditionalEventData = denial(&ch)
	}
	return r
}

// accountOf is the account of an ARN (internal/arn).
func accountOf(s string) string { return arn.Account(s) }

// identity is the userIdentity of the caller.
func identity(c *call) UserIdentity {
	p := c.principal
	if p == nil || p.Kind == authz.Anonymous {
		ui := UserIdentity{Type: "AWSAccount", PrincipalID: "", AccountID: "anonymous"}
		// A signature with a key the world does not know
		// (InvalidAccessKeyId): the log names the key, so that the user
		// sees which credentials a client sent.
		ui.AccessKeyID = c.unknownKey
		return ui
	}
	ui := UserIdentity{PrincipalID: p.UserID, ARN: p.ARN, AccountID: p.Account}
	if c.auth != nil {
		ui.AccessKeyID = c.auth.AccessKeyID
	}
	switch p.Kind {
	case authz.User:
		ui.Type, ui.UserName = "IAMUser", p.UserName
	case authz.Root:
		ui.Type = "Root"
	case authz.AssumedRole:
		ui.Type = "AssumedRole"
		sc := &SessionContext{}
		sc.SessionIssuer.Type = "Role"
		roleID, _, _ := strings.Cut(p.UserID, ":")
		sc.SessionIssuer.PrincipalID = roleID
		sc.SessionIssuer.ARN = p.RoleARN
		sc.SessionIssuer.AccountID = p.Account
		sc.SessionIssuer.UserName = p.RoleARN[strings.LastIndexByte(p.RoleARN, '/')+1:]
		ui.SessionContext = sc
	case authz.ServicePrincipal:
		ui = UserIdentity{Type: "AWSService", InvokedBy: p.Service}
	default:
		ui.Type = p.Kind.String()
	}
	return ui
}

func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
