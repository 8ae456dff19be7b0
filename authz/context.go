package authz

import (
	"strconv"
	"time"

	"github.com/lockstep-dev/lockstep/policy"
)

// Env is what the service knows about how a request arrived.
type Env struct {
	// Time is when the request was made; the zero value means now.
	Time time.Time
	// SecureTransport is true for requests over TLS.
	SecureTransport bool
	// SourceIP is the caller's address, "" when unknown.
	SourceIP string
	// UserAgent is the User-Agent header, "" when unknown.
	UserAgent string
}

// NewContext returns a request context holding the global condition keys
// that AWS sets for the principal and the environment (docs/authorization.md §1.6, "Global
// keys an S3 emulator should populate"): aws:PrincipalArn (the role ARN
// for a role session), aws:PrincipalAccount, aws:PrincipalType,
// aws:userid, aws:username (IAM users only), aws:PrincipalOrgID (accounts
// in an organization), aws:PrincipalTag/*,
// aws:SecureTransport,
// aws:CurrentTime, aws:EpochTime, aws:SourceIp, aws:UserAgent, and
// aws:ResourceAccount with its S3 alias s3:ResourceAccount. Keys the
// operation itself sets (s3:prefix, s3:x-amz-acl, kms:ViaService...) are
// added by the caller.
func NewContext(p *Principal, resourceAccount string, env Env) *policy.Context {
	c := policy.NewContext()
	t := env.Time
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC()
	c.Set("aws:CurrentTime", t.Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(t.Unix(), 10))
	c.Set("aws:SecureTransport", strconv.FormatBool(env.SecureTransport))
	if env.SourceIP != "" {
		c.Set("aws:SourceIp", env.SourceIP)
	}
	if env.UserAgent != "" {
		c.Set("aws:UserAgent", env.UserAgent)
	}
	c.Set("aws:PrincipalType", p.Kind.String())
	switch p.Kind {
	case Anonymous:
		c.Set("aws:PrincipalAccount", "anonymous")
		c.Set("aws:userid", "anonymous")
	case ServicePrincipal:
		c.Set("aws:PrincipalServiceName", p.Service)
		c.Set("aws:PrincipalIsAWSService", "true")
	default:
		c.Set("aws:PrincipalAccount", p.Account)
		c.Set("aws:PrincipalIsAWSService", "false")
		arn := p.ARN
		if p.Kind == AssumedRole && p.RoleARN != "" {
			arn = p.RoleARN
		}
		c.Set("aws:PrincipalArn", arn)
		if p.UserID != "" {
			c.Set("aws:userid", p.UserID)
		}
		if p.OrgID != "" {
			c.Set("aws:PrincipalOrgID", p.OrgID)
		}
		if p.Kind == User && p.UserName != "" {
			c.Set("aws:username", p.UserName)
		}
		for k, v := range p.Tags {
			c.Set("aws:PrincipalTag/"+k, v)
		}
	}
	if resourceAccount != "" {
		c.Set("aws:ResourceAccount", resourceAccount)
		c.Set("s3:ResourceAccount", resourceAccount)
	}
	return c
}
