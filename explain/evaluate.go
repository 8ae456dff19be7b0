package explain

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// evaluate runs every call on the engine against the world and records the
// verdict of each candidate.
func (x *Explanation) evaluate(o Options) error {
	w := o.World
	arn := o.Principal
	if arn == "" && x.Error.Detail != nil {
		arn = x.Error.Detail.Principal
	}
	if arn == "" {
		return fmt.Errorf("evaluating %s needs the caller: pass --principal ARN (the error text names none)", w.File)
	}
	p, err := w.Principal(arn)
	if err != nil {
		return fmt.Errorf("evaluating %s: %w", w.File, err)
	}
	x.World, x.Principal = w.File, arn
	now := o.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	env := authz.Env{Time: now, SecureTransport: true, SourceIP: "203.0.113.10"}
	for ci, call := range x.Calls {
		if _, ok := s3ops.Find(call.Operation); !ok || call.Bucket == "" {
			continue
		}
		b := w.Bucket(call.Bucket)
		if b == nil && call.Operation != "CreateBucket" {
			x.Notes = append(x.Notes, fmt.Sprintf("bucket %s is not in %s: %s on it was not evaluated", call.Bucket, w.File, call.Operation))
			continue
		}
		if b != nil && b.Account != nil && b.Account.ID != p.Account {
			x.Notes = append(x.Notes, fmt.Sprintf("%s is in account %s and the caller in %s: cross-account, both the caller's IAM policy and the bucket policy of %s must allow", call.Bucket, b.Account.ID, p.Account, call.Bucket))
		}
		ec := enforce.Call{Operation: call.Operation, Bucket: call.Bucket, Key: call.Key,
			SourceBucket: call.SourceBucket, SourceKey: call.SourceKey, Env: env}
		if x.Command != nil {
			ec.Features.ACL = x.Command.ACL
		}
		if call.Operation == "ListObjectsV2" || call.Operation == "ListObjects" {
			prefix := ""
			if call.Prefix != nil {
				prefix = *call.Prefix
			}
			ec.Keys = map[string][]string{"s3:prefix": {prefix}}
		}
		res, err := enforce.Authorize(w, p, ec)
		if err != nil {
			x.Notes = append(x.Notes, fmt.Sprintf("%s was not evaluated: %v", call.Operation, err))
			continue
		}
		kmsSeen := map[s3ops.KeyRole]bool{}
		for i := range res.Checks {
			ch := &res.Checks[i]
			if ch.KMS != nil {
				kmsSeen[ch.KMS.Key] = true
			}
			c := x.match(ci, ch)
			if c == nil {
				continue
			}
			c.Resource = ch.Resource
			c.Verdict = Judge(w, ch.Request, ch.Decision)
		}
		// KMS candidates for a key the objects do not have do not apply.
		x.Candidates = slices.DeleteFunc(x.Candidates, func(c *Candidate) bool {
			return c.call == ci && c.kms != nil && !kmsSeen[c.kms.Key] && !c.Exact
		})
		// 403 instead of 404: the missing object's s3:ListBucket check.
		if (call.Operation == "GetObject" || call.Operation == "HeadObject") && res.Allowed() && b != nil && !strings.Contains(call.Key, "*") && !hasObject(b, call.Key) {
			req, err := w.Request(p, authz.MissingObjectAction, bucketARN(call.Bucket), env, nil)
			if err == nil {
				for _, c := range x.Candidates {
					if c.call == ci && c.Action == authz.MissingObjectAction {
						c.Verdict = Judge(w, req, authz.Decide(req))
					}
				}
			}
		}
	}
	// A detailed message names a resource the engine can decide directly.
	for _, c := range x.Candidates {
		if c.Exact && c.Verdict == nil && strings.HasPrefix(c.Resource, "arn:") {
			if req, err := w.Request(p, c.Action, c.Resource, env, nil); err == nil {
				c.Verdict = Judge(w, req, authz.Decide(req))
			}
		}
	}
	for _, c := range x.Candidates {
		if c.Verdict != nil && !c.Verdict.Allowed {
			c.Exact = true
			c.score -= deniedFirst
			x.Exact = true
		}
	}
	if len(x.Denied()) == 0 {
		x.Notes = append(x.Notes, fmt.Sprintf("every candidate permission is allowed in %s for %s: the world differs from where the error happened (other policies, another principal, a missing object or key), or the call needs something explain does not model", w.File, arn))
	}
	return nil
}

// deniedFirst ranks the permissions the world denies before all others.
const deniedFirst = 1 << 30

func hasObject(b *world.Bucket, key string) bool {
	for _, o := range b.Objects {
		if o.Key == key {
			return true
		}
	}
	return false
}

func (x *Explanation) match(ci int, ch *enforce.Check) *Candidate {
	for _, c := range x.Candidates {
		if c.call != ci || !strings.EqualFold(c.Action, ch.Action) {
			continue
		}
		if ch.KMS != nil {
			if c.kms != nil && c.kms.Key == ch.KMS.Key || c.kms == nil && c.Exact && c.target != s3ops.Bucket {
				return c
			}
			continue
		}
		if c.kms == nil && c.target == ch.Target {
			return c
		}
	}
	// The exact candidate of a detailed message, if it is this check.
	for _, c := range x.Candidates {
		if c.call == -1 && strings.EqualFold(c.Action, ch.Action) && (c.Resource == ch.Resource || ch.KMS != nil) {
			return c
		}
	}
	return nil
}

// Judge turns the engine's decision on a request into a verdict: for a
// denial, the policy and statement that decided, AWS's message and the
// smallest policy change that allows the request (Verdict.Fixes, found by
// adding one Allow statement per policy and deciding again). lockstep
// check uses it for every planned call, so explain and check agree.
func Judge(w *world.World, req *authz.Request, d authz.Decision) *Verdict {
	v := &Verdict{Decision: d.Effect.String(), Allowed: d.Allowed(), Resource: req.Resource.ARN, Summary: d.Summary()}
	if d.Allowed() {
		return v
	}
	v.PolicyType, v.Message = d.TypePhrase(), d.Message()
	if d.By.Statement != nil {
		v.Statement = d.By.Describe()
	}
	v.Fixes = fixes(req, d)
	return v
}

// fixes returns the smallest changes that make the request allowed: one
// Allow statement per policy that lacks it, found by adding each and
// deciding again (a cross-account request may need both sides).
func fixes(req *authz.Request, d authz.Decision) []Fix {
	var out []Fix
	r := *req
	for range 4 {
		if d.Allowed() {
			return out
		}
		if d.Effect == authz.ExplicitDeny {
			where := d.TypePhrase()
			if d.By.Policy != nil && d.By.Policy.Name != "" {
				where += " " + d.By.Policy.Name
			}
			stmt := ""
			if d.By.Statement != nil {
				stmt = d.By.Statement.JSON
			}
			return append(out, Fix{Policy: where, Change: "remove", Statement: rawJSON(stmt)})
		}
		principal := r.Principal.ARN
		if r.Principal.RoleARN != "" {
			principal = r.Principal.RoleARN
		}
		res := r.Resource.ARN
		s := stmt{Effect: "Allow", Action: r.Action, Resource: grantResource(res)}
		var next authz.Request = r
		switch d.Type {
		case authz.TypeIdentity, authz.TypeBoundary, authz.TypeSession:
			pt := map[authz.PolicyType]policy.Type{authz.TypeIdentity: policy.Identity, authz.TypeBoundary: policy.Boundary, authz.TypeSession: policy.Session}[d.Type]
			pol, js := parseStatement(s, pt)
			if pol == nil {
				return out
			}
			kind := map[authz.PolicyType]string{authz.TypeIdentity: "identity policy of ", authz.TypeBoundary: "permissions boundary of ", authz.TypeSession: "session policy of "}[d.Type]
			out = append(out, Fix{Policy: kind + principal, Change: "add", Statement: js})
			pr := *r.Principal
			switch d.Type {
			case authz.TypeIdentity:
				pr.Identity = append(slices.Clone(pr.Identity), pol)
			case authz.TypeBoundary:
				pr.Boundary = merge(pr.Boundary, pol)
			case authz.TypeSession:
				pr.Session = append(slices.Clone(pr.Session), pol)
			}
			next.Principal = &pr
		case authz.TypeResource:
			s.Principal = map[string]string{"AWS": principal}
			pt, kind := policy.Resource, "bucket policy of "+strings.SplitN(strings.TrimPrefix(res, "arn:aws:s3:::"), "/", 2)[0]
			switch r.Resource.Kind {
			case authz.ResourceKMSKey:
				s.Resource = "*"
				pt, kind = policy.KeyPolicy, "key policy of "+res
			case authz.ResourceRole:
				// A trust policy has no Resource: the role is the
				// resource.
				s.Resource = nil
				pt, kind = policy.Trust, "trust policy of "+res
			}
			pol, js := parseStatement(s, pt)
			if pol == nil {
				return out
			}
			out = append(out, Fix{Policy: kind, Change: "add", Statement: js})
			rs := *r.Resource
			rs.Policy = merge(rs.Policy, pol)
			next.Resource = &rs
		default:
			return append(out, Fix{Policy: d.Type.Phrase() + " (AWS Organizations)", Change: "allow", Statement: rawJSON(mustJSON(s))})
		}
		r = next
		d = authz.Decide(&r)
	}
	return out
}

func parseStatement(s stmt, t policy.Type) (*policy.Policy, json.RawMessage) {
	js := mustJSON(s)
	doc := `{"Version":"2012-10-17","Statement":[` + js + `]}`
	pol, err := policy.Parse([]byte(doc), t)
	if err != nil {
		return nil, nil
	}
	pol.Name = "lockstep-explain-fix"
	return pol, json.RawMessage(js)
}

func merge(old, add *policy.Policy) *policy.Policy {
	if old == nil {
		return add
	}
	p := *old
	p.Statements = append(slices.Clone(old.Statements), add.Statements...)
	return &p
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage(mustJSON(s))
	}
	return json.RawMessage(s)
}
