package authz

import (
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/policy"
)

// Env is what the service knows about how a request arrived.
type Env struct {
	// Time is when the request was made; the zero value means now.
	Time time.Time
	// SecureTransport is true for requests over TLS.
	SecureTransport bool
	// TLSVersion is the TLS version of the connection ("1.2", "1.3"), the
	// value of s3:TlsVersion on S3 requests; "" over plain HTTP.
	TLSVersion string
	// SourceIP is the caller's address, "" when unknown.
	SourceIP string
	// UserAgent is the User-Agent header, "" when unknown.
	UserAgent string
	// Region is the region of the endpoint the request was sent to. It
	// is aws:RequestedRegion when the resource has no region of its own
	// (STS, s3:ListAllMyBuckets, a bucket not yet created); "" then means
	// us-east-1, the region of the global endpoints.
	Region string
	// ViaService is set on a request a service makes on the caller's
	// behalf (a forward access session): the kms:ViaService value of
	// the calling service, e.g. "s3.us-east-1.amazonaws.com". It makes
	// aws:ViaAWSService true.
	ViaService string
	// RequestAlias is the alias a KMS request named its key by
	// ("alias/name"), the value of kms:RequestAlias; "" when the request
	// named the key by its ID or ARN.
	RequestAlias string
}

// GlobalRegion is the region of IAM and of the global STS endpoint: the
// aws:RequestedRegion of their requests (docs/context-keys.md).
const GlobalRegion = "us-east-1"

// ctxIn is what the context of one request is computed from.
type ctxIn struct {
	p       *Principal
	action  string
	service string
	res     *Resource
	env     *Env
	t       time.Time
}

// keySetter computes one catalogue row of the context: it calls set for
// each key it makes present (a template row may set several).
type keySetter func(in *ctxIn, set func(key string, values ...string))

// one returns a setter of a single-valued key computed by f; f returns ""
// when the key is absent.
func one(key string, f func(in *ctxIn) string) keySetter {
	// Context keys are stored lower-cased: lowering once here saves an
	// allocation per request.
	lk := strings.ToLower(key)
	return func(in *ctxIn, set func(string, ...string)) {
		if v := f(in); v != "" {
			set(lk, v)
		}
	}
}

// signed reports whether the request carries a principal's signature.
func (in *ctxIn) signed() bool { return in.p.Kind != Anonymous }

// session reports whether the principal uses temporary credentials.
func (in *ctxIn) session() bool { return in.p.Kind == AssumedRole || in.p.Kind == FederatedUser }

// hasIAMIdentity reports whether the principal is a user, role session,
// federated user or root of an account (not anonymous, not a service).
func (in *ctxIn) hasIAMIdentity() bool { return in.signed() && in.p.Kind != ServicePrincipal }

func boolString(b bool) string { return strconv.FormatBool(b) }

// keySetters computes each catalogue row that lockstep sets. Keys are
// lower case. TestContextKeyCatalogue checks that every row whose
// presence is computed has a setter here and every setter a row.
var keySetters = map[string]keySetter{
	"aws:currenttime":     one("aws:CurrentTime", func(in *ctxIn) string { return in.t.Format(time.RFC3339) }),
	"aws:epochtime":       one("aws:EpochTime", func(in *ctxIn) string { return strconv.FormatInt(in.t.Unix(), 10) }),
	"aws:securetransport": one("aws:SecureTransport", func(in *ctxIn) string { return boolString(in.env.SecureTransport) }),
	"aws:sourceip":        one("aws:SourceIp", func(in *ctxIn) string { return in.env.SourceIP }),
	"aws:useragent":       one("aws:UserAgent", func(in *ctxIn) string { return in.env.UserAgent }),
	"aws:requestedregion": one("aws:RequestedRegion", requestedRegion),
	"aws:viaawsservice":   one("aws:ViaAWSService", func(in *ctxIn) string { return boolString(in.env.ViaService != "") }),
	"aws:principaltype":   one("aws:PrincipalType", func(in *ctxIn) string { return in.p.Kind.String() }),
	"aws:principalaccount": one("aws:PrincipalAccount", func(in *ctxIn) string {
		switch in.p.Kind {
		case Anonymous:
			return anonymousName
		case ServicePrincipal:
			return ""
		}
		return in.p.Account
	}),
	"aws:principalarn": one("aws:PrincipalArn", func(in *ctxIn) string {
		if !in.hasIAMIdentity() {
			return ""
		}
		if in.p.Kind == AssumedRole && in.p.RoleARN != "" {
			return in.p.RoleARN
		}
		return in.p.ARN
	}),
	"aws:userid": one("aws:userid", func(in *ctxIn) string {
		if in.p.Kind == Anonymous {
			return anonymousName
		}
		return in.p.UserID
	}),
	"aws:username": one("aws:username", func(in *ctxIn) string {
		if in.p.Kind == User {
			return in.p.UserName
		}
		return ""
	}),
	"aws:principalisawsservice": one("aws:PrincipalIsAWSService", func(in *ctxIn) string {
		if !in.signed() {
			return ""
		}
		return boolString(in.p.Kind == ServicePrincipal)
	}),
	"aws:principalservicename": one("aws:PrincipalServiceName", func(in *ctxIn) string {
		if in.p.Kind == ServicePrincipal {
			return in.p.Service
		}
		return ""
	}),
	"aws:principalorgid": one("aws:PrincipalOrgID", func(in *ctxIn) string {
		if in.hasIAMIdentity() {
			return in.p.OrgID
		}
		return ""
	}),
	"aws:principalorgpaths": func(in *ctxIn, set func(string, ...string)) {
		if in.hasIAMIdentity() && in.p.OrgID != "" && len(in.p.OrgPaths) > 0 {
			set("aws:PrincipalOrgPaths", in.p.OrgPaths...)
		}
	},
	"aws:principaltag/${tagkey}": func(in *ctxIn, set func(string, ...string)) {
		if !in.hasIAMIdentity() {
			return
		}
		for k, v := range in.p.Tags {
			set("aws:PrincipalTag/"+k, v)
		}
	},
	"aws:resourceaccount": one("aws:ResourceAccount", func(in *ctxIn) string { return in.res.Account }),
	"aws:resourceorgid":   one("aws:ResourceOrgID", func(in *ctxIn) string { return in.res.OrgID }),
	"aws:resourceorgpaths": func(in *ctxIn, set func(string, ...string)) {
		if in.res.OrgID != "" && len(in.res.OrgPaths) > 0 {
			set("aws:ResourceOrgPaths", in.res.OrgPaths...)
		}
	},
	"aws:tokenissuetime": one("aws:TokenIssueTime", func(in *ctxIn) string {
		if !in.session() {
			return ""
		}
		t := in.p.IssuedAt
		if t.IsZero() {
			t = in.t
		}
		return t.UTC().Format(time.RFC3339)
	}),
	"aws:multifactorauthpresent": one("aws:MultiFactorAuthPresent", func(in *ctxIn) string {
		switch {
		case !in.p.MFAAuthTime.IsZero():
			return "true"
		case in.session():
			return "false"
		case in.env.ViaService != "" && in.p.Kind == User:
			// A service calling on behalf of a user with a long-term
			// key does so with temporary credentials
			// (docs/decisions.md #26).
			return "false"
		}
		return "" // long-term credentials without MFA
	}),
	"aws:multifactorauthage": one("aws:MultiFactorAuthAge", func(in *ctxIn) string {
		if in.p.MFAAuthTime.IsZero() {
			return ""
		}
		age := int64(in.t.Sub(in.p.MFAAuthTime) / time.Second)
		return strconv.FormatInt(max(age, 0), 10)
	}),
	"s3:resourceaccount": one("s3:ResourceAccount", func(in *ctxIn) string {
		if in.service == "s3" {
			return in.res.Account
		}
		return ""
	}),
	"s3:tlsversion": one("s3:TlsVersion", func(in *ctxIn) string {
		if in.service == "s3" && in.env.SecureTransport {
			return in.env.TLSVersion
		}
		return ""
	}),
	"kms:calleraccount": one("kms:CallerAccount", func(in *ctxIn) string {
		if in.service == "kms" && in.hasIAMIdentity() {
			return in.p.Account
		}
		return ""
	}),
	"kms:viaservice": one("kms:ViaService", func(in *ctxIn) string {
		if in.service == "kms" {
			return in.env.ViaService
		}
		return ""
	}),
	"kms:resourcealiases": func(in *ctxIn, set func(string, ...string)) {
		if in.service == "kms" && in.res.Kind == ResourceKMSKey && len(in.res.Aliases) > 0 {
			set("kms:ResourceAliases", in.res.Aliases...)
		}
	},
	"kms:requestalias": one("kms:RequestAlias", func(in *ctxIn) string {
		if in.service == "kms" {
			return in.env.RequestAlias
		}
		return ""
	}),
}

// requestedRegion is aws:RequestedRegion: IAM is global (us-east-1); a
// bucket or key is in its own region; anything else is in the region of
// the endpoint (docs/context-keys.md).
func requestedRegion(in *ctxIn) string {
	switch {
	case in.service == "iam":
		return GlobalRegion
	case in.res.Region != "":
		return in.res.Region
	case in.env.Region != "":
		return in.env.Region
	}
	return GlobalRegion
}

// NewContext returns the request context AWS builds for a principal's
// action on a resource, from the catalogue of context keys
// (contextkeys.yaml, docs/context-keys.md): every key whose presence
// lockstep computes is set exactly when AWS sets it. Keys the operation
// itself sets from its parameters (s3:prefix, s3:x-amz-acl,
// kms:EncryptionContext:..., sts:RoleSessionName...) are added by the
// caller.
func NewContext(p *Principal, action string, res *Resource, env Env) *policy.Context {
	c := policy.NewContext()
	t := env.Time
	if t.IsZero() {
		t = time.Now()
	}
	in := &ctxIn{p: p, action: action, service: strings.ToLower(serviceOf(action)), res: res, env: &env, t: t.UTC()}
	set := func(key string, values ...string) { c.Set(key, values...) }
	for _, f := range contextKeys().setters {
		f(in, set)
	}
	return c
}

// ContextSource says where the value of a key of a request context came
// from, for explanations: the catalogue's description of how lockstep
// computes it, or "" for a key the catalogue does not know.
func ContextSource(key string) string {
	info, ok := LookupContextKey(key)
	if !ok {
		return ""
	}
	return info.Lockstep
}
