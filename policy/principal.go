package policy

import (
	"strconv"
	"strings"
)

// Principal is who makes a request, as the Principal element sees it
// (docs/authorization.md §1.5 "Principal"). Package authz builds it from the world.
type Principal struct {
	// Anonymous is true for unsigned requests; every other field is empty.
	Anonymous bool
	// Account is the 12-digit account ID of the principal.
	Account string
	// ARN is the principal's own ARN: the user ARN, the assumed-role
	// session ARN (arn:aws:sts::A:assumed-role/R/S), the federated-user
	// ARN, or the root ARN arn:aws:iam::A:root.
	ARN string
	// RoleARN is the role of an assumed-role session, with its path
	// (arn:aws:iam::A:role/path/R); "" for other principals.
	RoleARN string
	// Service is the service principal name (s3.amazonaws.com) when an
	// AWS service is the caller.
	Service string
	// CanonicalID is the S3 canonical user ID, if known.
	CanonicalID string
	// Federated is the identity provider of a web-identity or SAML caller.
	Federated string
}

// PrincipalMatch says how a statement's Principal element named the
// principal. The order matters: a larger value is a more direct grant.
type PrincipalMatch uint8

const (
	// NoMatch: the statement does not apply to the principal.
	NoMatch PrincipalMatch = iota
	// MatchAccount: the statement names the principal's account
	// ("111111111111" or arn:aws:iam::111111111111:root). In the same
	// account this delegates to IAM rather than granting (docs/authorization.md §1.3).
	MatchAccount
	// MatchRole: the statement names the role of a role session.
	MatchRole
	// MatchWildcard: the statement names everyone ("*"), or uses
	// NotPrincipal without listing the principal.
	MatchWildcard
	// MatchExact: the statement names the principal's own ARN (user,
	// session, federated user) or service.
	MatchExact
)

var matchNames = [...]string{"no match", "account principal", "role principal", "wildcard principal", "exact principal"}

func (m PrincipalMatch) String() string { return matchNames[m] }

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	any       bool
	accounts  []string // 12-digit IDs
	arns      []string // exact user, role, session, federated-user ARNs
	services  []string
	federated []string
	canonical []string
}

var principalKeys = []string{"AWS", "Service", "Federated", "CanonicalUser"}

func (p *parser) principalValue(path string, v *node) *principalSet {
	ps := &principalSet{}
	if v.kind == kindString {
		if v.str != "*" {
			p.fail(path, v, "the only string value allowed is \"*\"; name principals as {\"AWS\": \"arn:...\"}")
		}
		ps.any = true
		return ps
	}
	if v.kind != kindObject {
		p.fail(path, v, "must be \"*\" or an object with AWS, Service, Federated or CanonicalUser; found %s", v.kind)
		return ps
	}
	if len(v.members) == 0 {
		p.fail(path, v, "empty: name at least one principal")
	}
	for _, m := range v.members {
		kpath := path + "." + m.key
		if !contains(principalKeys, m.key) {
			p.unknownElement(path, m.key, m.val, principalKeys)
			continue
		}
		for _, item := range p.stringList(kpath, m.val) {
			s := item.str
			switch m.key {
			case "AWS":
				switch {
				case s == "*":
					ps.any = true
				case isAccountID(s):
					ps.accounts = append(ps.accounts, s)
				case strings.HasPrefix(s, "arn:"):
					if strings.ContainsAny(s, "*?") {
						p.fail(kpath, item, "%q: wildcards are not allowed in principal ARNs; use \"*\" with an aws:PrincipalArn condition", s)
						continue
					}
					if acct, ok := rootARNAccount(s); ok {
						ps.accounts = append(ps.accounts, acct)
						continue
					}
					if isGroupARN(s) {
						p.failCheck(CheckPrincipal, kpath, item, "%q is an IAM group, which cannot be a principal: groups relate to permissions, not authentication (AWS rejects the policy: \"Invalid principal in policy\"); name the group's users or a role instead", s)
						p.errs[len(p.errs)-1].Value = `"AWS":` + strconv.Quote(s)
						continue
					}
					if !isPrincipalARN(s) {
						p.fail(kpath, item, "%q is not a user, role, assumed-role, federated-user or account ARN", s)
						continue
					}
					ps.arns = append(ps.arns, s)
				default:
					p.fail(kpath, item, "%q is not a principal: use \"*\", a 12-digit account ID or an IAM ARN", s)
				}
			case "Service":
				if s == "*" {
					ps.any = true
					continue
				}
				ps.services = append(ps.services, s)
			case "Federated":
				ps.federated = append(ps.federated, s)
			case "CanonicalUser":
				ps.canonical = append(ps.canonical, s)
			}
		}
	}
	return ps
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// rootARNAccount returns A for arn:PARTITION:iam::A:root.
func rootARNAccount(s string) (string, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) == 6 && parts[2] == "iam" && parts[5] == "root" && isAccountID(parts[4]) {
		return parts[4], true
	}
	return "", false
}

// isGroupARN reports whether s is an IAM group ARN,
// arn:PARTITION:iam::ACCOUNT:group/NAME (docs/authorization.md §1.10: "You
// cannot identify a user group as a principal in a policy").
func isGroupARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[2] == "iam" && strings.HasPrefix(parts[5], "group/")
}

// isPrincipalARN accepts the IAM and STS ARN forms a Principal can name.
func isPrincipalARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || !isAccountID(parts[4]) {
		return false
	}
	switch parts[2] {
	case "iam":
		return strings.HasPrefix(parts[5], "user/") || strings.HasPrefix(parts[5], "role/")
	case "sts":
		return strings.HasPrefix(parts[5], "assumed-role/") || strings.HasPrefix(parts[5], "federated-user/")
	}
	return false
}

// names reports whether the set lists one of the principal's identities,
// and how directly.
func (ps *principalSet) names(pr *Principal) PrincipalMatch {
	best := NoMatch
	up := func(m PrincipalMatch) {
		if m > best {
			best = m
		}
	}
	if pr.Service != "" {
		for _, s := range ps.services {
			if s == pr.Service {
				return MatchExact
			}
		}
		if ps.any {
			return MatchWildcard
		}
		return NoMatch
	}
	if pr.Anonymous {
		if ps.any {
			return MatchWildcard
		}
		return NoMatch
	}
	if ps.any {
		up(MatchWildcard)
	}
	for _, a := range ps.arns {
		if a == pr.ARN {
			up(MatchExact)
		} else if pr.RoleARN != "" && a == pr.RoleARN {
			up(MatchRole)
		}
	}
	for _, a := range ps.accounts {
		if a == pr.Account {
			up(MatchAccount)
		}
	}
	if pr.CanonicalID != "" {
		for _, c := range ps.canonical {
			if c == pr.CanonicalID {
				up(MatchExact)
			}
		}
	}
	if pr.Federated != "" {
		for _, f := range ps.federated {
			if f == pr.Federated {
				up(MatchExact)
			}
		}
	}
	return best
}

// MatchPrincipal reports whether the statement's Principal or NotPrincipal
// element applies to pr, and how. A statement with no principal element
// (identity-type policies) returns MatchExact: it applies to the principal
// it is attached to.
//
// NotPrincipal applies when none of the principal's identities (account,
// role, own ARN) is listed. Listing only a session ARN therefore leaves the
// role and the account unlisted and the statement applies: the pitfall the
// IAM guide warns about (docs/authorization.md §1.5 "NotPrincipal", emulator rule).
func (s *Statement) MatchPrincipal(pr *Principal) PrincipalMatch {
	if s.principal == nil {
		return MatchExact
	}
	if !s.notPrincipal {
		return s.principal.names(pr)
	}
	ps := s.principal
	if ps.any {
		return NoMatch
	}
	if pr.Anonymous {
		return MatchWildcard
	}
	// Every identity of the principal must be listed for it to be exempt.
	if pr.Service != "" {
		for _, sv := range ps.services {
			if sv == pr.Service {
				return NoMatch
			}
		}
		return MatchWildcard
	}
	acct, arn, role := false, false, pr.RoleARN == ""
	for _, a := range ps.accounts {
		if a == pr.Account {
			acct = true
		}
	}
	for _, a := range ps.arns {
		if a == pr.ARN {
			arn = true
		}
		if pr.RoleARN != "" && a == pr.RoleARN {
			role = true
		}
	}
	if _, isRoot := rootARNAccount(pr.ARN); isRoot {
		arn = acct
	}
	if acct && arn && role {
		return NoMatch
	}
	return MatchWildcard
}
