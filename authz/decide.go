package authz

import (
	"strings"

	"github.com/lockstep-dev/lockstep/policy"
)

const anonymousName = "anonymous"

// Decide evaluates the request against every applicable policy and returns
// the decision. It does not allocate.
func Decide(req *Request) Decision {
	return decide(req, nil)
}

// Explain is Decide that also returns the step-by-step trace of the
// evaluation.
func Explain(req *Request) (Decision, *Trace) {
	tr := &Trace{}
	d := decide(req, tr)
	tr.Decision = d
	return d, tr
}

// scan is what one policy type says about a request: its first applicable
// Allow and Deny statements.
type scan struct {
	present bool // at least one policy of the type applies to the request
	allow   Grant
	deny    Grant
}

// scanPolicies evaluates policies that name no principal: identity-based,
// boundary, session, SCP and RCP documents.
func scanPolicies(typ PolicyType, pols []*policy.Policy, r *policy.Request, tr *Trace) scan {
	var s scan
	for _, p := range pols {
		if p == nil {
			continue
		}
		s.present = true
		for _, st := range p.Statements {
			mm := st.Check(r)
			if tr != nil {
				tr.statement(typ, p, st, policy.MatchExact, mm, r)
			}
			if mm.Element != policy.Matched {
				continue
			}
			if st.Effect == policy.Deny {
				if s.deny.IsZero() {
					s.deny = Grant{Type: typ, Policy: p, Statement: st}
				}
			} else if s.allow.IsZero() {
				s.allow = Grant{Type: typ, Policy: p, Statement: st}
			}
		}
	}
	return s
}

// resourceScan is what the resource-based policy says: its first
// applicable Deny, and its most direct applicable Allow (docs/authorization.md §1.3 step 4:
// how the Allow named the principal decides what else is needed).
type resourceScan struct {
	deny       Grant
	allow      Grant
	allowMatch policy.PrincipalMatch
}

func scanResourcePolicy(p *policy.Policy, pr *policy.Principal, r *policy.Request, tr *Trace) resourceScan {
	var s resourceScan
	if p == nil {
		return s
	}
	for _, st := range p.Statements {
		pm := st.MatchPrincipal(pr)
		var mm policy.Mismatch
		if pm != policy.NoMatch {
			mm = st.Check(r)
		}
		if tr != nil {
			tr.statement(TypeResource, p, st, pm, mm, r)
		}
		if pm == policy.NoMatch || mm.Element != policy.Matched {
			continue
		}
		g := Grant{Type: TypeResource, Policy: p, Statement: st}
		if st.Effect == policy.Deny {
			if s.deny.IsZero() {
				s.deny = g
			}
		} else if pm > s.allowMatch {
			s.allow, s.allowMatch = g, pm
		}
	}
	return s
}

// scanLevels evaluates SCPs or RCPs: a Deny at any level denies, and every
// level must have an applicable Allow (docs/authorization.md §1.2 SCP and RCP rows).
func scanLevels(typ PolicyType, levels [][]*policy.Policy, r *policy.Request, tr *Trace) (deny Grant, allowedAtEveryLevel bool) {
	allowedAtEveryLevel = true
	for i, level := range levels {
		s := scanPolicies(typ, level, r, tr)
		if deny.IsZero() {
			deny = s.deny
		}
		if s.allow.IsZero() {
			allowedAtEveryLevel = false
			if tr != nil {
				tr.note(typ, "no %s at level %d of %d allows %s", typ.Phrase(), i+1, len(levels), r.Action)
			}
		}
	}
	return deny, allowedAtEveryLevel
}

// PrincipalName returns the ARN that AWS names in messages for p.
func PrincipalName(p *Principal) string {
	if p.Kind == Anonymous {
		return anonymousName
	}
	if p.Kind == ServicePrincipal {
		return p.Service
	}
	return p.ARN
}

func decide(req *Request, tr *Trace) Decision {
	p, res := req.Principal, req.Resource
	r := policy.Request{Action: req.Action, Resource: res.ARN, Context: req.Context}
	d := Decision{
		Principal:        PrincipalName(p),
		Action:           req.Action,
		Resource:         res.ARN,
		CrossAccount:     p.Kind != Anonymous && p.Kind != ServicePrincipal && p.Account != res.Account,
		SameOrganization: p.Kind != Anonymous && p.Kind != ServicePrincipal && p.OrgID != "" && p.OrgID == res.OrgID,
		Service:          serviceOf(req.Action),
		ResourceKind:     res.Kind,
		root:             p.Kind == Root,
	}
	if tr != nil {
		tr.begin(req, d.CrossAccount)
	}
	deny := func(t PolicyType) Decision {
		d.Effect, d.Type = ImplicitDeny, t
		if tr != nil {
			tr.note(t, "result: implicit deny (%s)", d.Summary())
		}
		return d
	}
	allow := func(by, also Grant) Decision {
		d.Effect, d.Type, d.By, d.Also = Allow, by.Type, by, also
		if tr != nil {
			tr.note(by.Type, "result: %s", d.Summary())
		}
		return d
	}

	// Evaluate every policy once.
	principalSide := p.Kind != Anonymous && p.Kind != ServicePrincipal
	var id, pb, sess scan
	var scpDeny Grant
	scpOK := true
	if principalSide {
		if !p.ServiceLinked {
			scpDeny, scpOK = scanLevels(TypeSCP, p.SCPs, &r, tr)
		}
		id = scanPolicies(TypeIdentity, p.Identity, &r, tr)
		if p.Boundary != nil {
			pb = scanPolicies(TypeBoundary, []*policy.Policy{p.Boundary}, &r, tr)
		}
		sess = scanPolicies(TypeSession, p.Session, &r, tr)
	}
	// RCPs only deny: RCPFullAWSAccess allows at every level and cannot be
	// detached; they do not restrict service-linked roles, nor the
	// kms:RetireGrant permission (docs/authorization.md §1.9).
	var rcpDeny Grant
	if !p.ServiceLinked && !strings.EqualFold(req.Action, "kms:RetireGrant") {
		for _, level := range res.RCPs {
			if s := scanPolicies(TypeRCP, level, &r, tr); rcpDeny.IsZero() {
				rcpDeny = s.deny
			}
		}
	}
	rs := scanResourcePolicy(res.Policy, &p.Principal, &r, tr)

	// Step 1: an explicit Deny in any policy wins (docs/authorization.md §1.3 step 1, §1.4
	// "An explicit deny in either account denies"). When several types
	// deny, AWS names one (docs/authorization.md §1.7); lockstep names the first in the
	// documented evaluation order.
	for _, g := range [...]Grant{scpDeny, rcpDeny, rs.deny, id.deny, pb.deny, sess.deny} {
		if !g.IsZero() {
			d.Effect, d.Type, d.By = ExplicitDeny, g.Type, g
			if tr != nil {
				tr.note(g.Type, "result: %s", d.Summary())
			}
			return d
		}
	}

	// Anonymous and service callers have no identity side: only the
	// resource policy can grant (docs/authorization.md §1.3 pseudocode, §1.5 "*").
	if !principalSide {
		if rs.allowMatch >= policy.MatchWildcard {
			return allow(rs.allow, Grant{})
		}
		return deny(TypeResource)
	}

	// Step 2: SCPs above the principal's account are a ceiling
	// (docs/authorization.md §1.3 step 2). Step 3, RCPs, cannot fail
	// without a Deny (RCPFullAWSAccess, §1.9).
	if !scpOK {
		return deny(TypeSCP)
	}

	// ceilings checks the permissions boundary and the session policies
	// (docs/authorization.md §1.3 steps 6-7). A federated-user session always has a session
	// policy; a role session without one is not limited.
	ceilings := func() PolicyType {
		if p.Boundary != nil && pb.allow.IsZero() {
			return TypeBoundary
		}
		if (sess.present || p.Kind == FederatedUser) && sess.allow.IsZero() {
			return TypeSession
		}
		return TypeNone
	}
	// identityPath is the grant through identity-based policies
	// (docs/authorization.md §1.3 step 5): the root user has every permission in its own
	// account (docs/authorization.md §1.2).
	identityPath := func() (Grant, PolicyType) {
		if p.Kind == Root {
			return Grant{}, TypeNone
		}
		if id.allow.IsZero() {
			return Grant{}, TypeIdentity
		}
		if t := ceilings(); t != TypeNone {
			return Grant{}, t
		}
		return id.allow, TypeNone
	}

	if d.CrossAccount {
		// Spec §1.4: the principal's account and the resource's account
		// must both allow. The principal's side is evaluated first.
		idGrant, fail := identityPath()
		if fail != TypeNone {
			return deny(fail)
		}
		if rs.allowMatch == policy.NoMatch {
			return deny(TypeResource)
		}
		if res.Kind == ResourceKMSKey && !kmsSharable(req.Action) {
			// Spec §3.4 "Cross-account": a key policy grant to another
			// account is effective only for the cryptographic operations
			// and a few grant and describe operations.
			if tr != nil {
				tr.note(TypeResource, "%s cannot be used across accounts: a key policy grants other accounts only cryptographic, grant and describe operations (docs/authorization.md §3.4)", req.Action)
			}
			return deny(TypeResource)
		}
		if idGrant.IsZero() {
			return allow(rs.allow, Grant{})
		}
		return allow(rs.allow, idGrant)
	}

	// Same account (docs/authorization.md §1.3 step 4, table). A resource policy that names
	// the user, the session, or "*" grants by itself; one that names the
	// role of a session is limited by the boundary and the session policy.
	switch rs.allowMatch {
	case policy.MatchExact, policy.MatchWildcard:
		return allow(rs.allow, Grant{})
	case policy.MatchRole:
		if t := ceilings(); t != TypeNone {
			return deny(t)
		}
		return allow(rs.allow, Grant{})
	}
	if res.Kind.requiresResourceGrant() {
		// KMS keys and role trust policies: IAM policies count only when
		// the resource policy delegates to the account (docs/authorization.md §3.4, §1.3
		// "Exceptions").
		if rs.allowMatch != policy.MatchAccount {
			return deny(TypeResource)
		}
		idGrant, fail := identityPath()
		if fail != TypeNone {
			return deny(fail)
		}
		if idGrant.IsZero() { // root
			return allow(rs.allow, Grant{})
		}
		return allow(idGrant, rs.allow)
	}
	// S3 and other resources: the identity policy alone is enough; an
	// account principal in the bucket policy only delegates (docs/authorization.md §1.3
	// "Account-level principal").
	idGrant, fail := identityPath()
	if fail != TypeNone {
		return deny(fail)
	}
	if idGrant.IsZero() { // root in its own account
		d.Effect, d.Type = Allow, TypeIdentity
		if tr != nil {
			tr.note(TypeIdentity, "result: allowed: the root user has full access in its own account")
		}
		return d
	}
	return allow(idGrant, Grant{})
}

// kmsCrossAccountActions are the KMS actions a key policy can grant to
// principals of another account (docs/authorization.md §3.4 "Cross-account"; AWS KMS
// Developer Guide, key-policy-modifying-external-accounts): the
// cryptographic operations, CreateGrant, DescribeKey,
// GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant and
// RevokeGrant. Keys are lower case.
var kmsCrossAccountActions = map[string]bool{
	"kms:encrypt": true, "kms:decrypt": true, "kms:reencryptfrom": true, "kms:reencryptto": true,
	"kms:generatedatakey": true, "kms:generatedatakeywithoutplaintext": true,
	"kms:generatedatakeypair": true, "kms:generatedatakeypairwithoutplaintext": true,
	"kms:generatemac": true, "kms:verifymac": true, "kms:sign": true, "kms:verify": true,
	"kms:derivesharedsecret": true, "kms:generaterandom": true,
	"kms:creategrant": true, "kms:describekey": true, "kms:getkeyrotationstatus": true,
	"kms:getpublickey": true, "kms:listgrants": true, "kms:retiregrant": true, "kms:revokegrant": true,
}

// kmsSharable reports whether action can be granted across accounts by a
// key policy. It does not allocate for the usual mixed-case spelling
// because the lookup key is built on the stack only when needed.
func kmsSharable(action string) bool {
	var buf [64]byte
	if len(action) > len(buf) {
		return false
	}
	b := buf[:len(action)]
	for i := 0; i < len(action); i++ {
		c := action[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return kmsCrossAccountActions[string(b)]
}

func serviceOf(action string) string {
	if i := strings.IndexByte(action, ':'); i > 0 {
		return action[:i]
	}
	return ""
}
