package world

import (
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/policy"
)

// DefaultSessionName is the session name used when a role ARN, rather than
// an assumed-role session ARN, is given as the principal.
const DefaultSessionName = "lockstep"

// Principal resolves a principal ARN to the caller with all its policies:
//
//   - arn:aws:iam::A:user/[path/]NAME: an IAM user;
//   - arn:aws:sts::A:assumed-role/ROLE/SESSION: a session of a role;
//   - arn:aws:iam::A:role/[path/]NAME: a session of that role named
//     DefaultSessionName;
//   - arn:aws:iam::A:root or the bare account ID: the account's root user;
//   - "anonymous" or "*": an unsigned request.
//
// sessionPolicies are the session policies of a role session (nil: none).
func (w *World) Principal(arn string, sessionPolicies ...*policy.Policy) (*authz.Principal, error) {
	if arn == "anonymous" || arn == "*" {
		return &authz.Principal{Principal: policy.Principal{Anonymous: true}, Kind: authz.Anonymous, UserID: "anonymous"}, nil
	}
	if isAccountID(arn) {
		arn = "arn:aws:iam::" + arn + ":root"
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !isAccountID(parts[4]) {
		return nil, fmt.Errorf("principal %q is not a user, role, assumed-role or root ARN (e.g. arn:aws:iam::111111111111:user/alice), nor \"anonymous\"", arn)
	}
	acct := w.accounts[parts[4]]
	if acct == nil {
		return nil, fmt.Errorf("principal %s: account %s is not in the world file %s", arn, parts[4], w.File)
	}
	res := parts[5]
	switch {
	case parts[2] == "iam" && res == "root":
		return &authz.Principal{
			Principal: policy.Principal{Account: acct.ID, ARN: arn},
			Kind:      authz.Root, UserID: acct.ID, SCPs: acct.SCPs, OrgID: acct.OrgID,
		}, nil
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		u := w.users[arn]
		if u == nil {
			return nil, fmt.Errorf("principal %s: no such user in account %s of %s", arn, acct.ID, w.File)
		}
		if len(sessionPolicies) > 0 {
			return nil, fmt.Errorf("principal %s: session policies apply to role and federated-user sessions, not to IAM users", arn)
		}
		return w.userPrincipal(u), nil
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		r := w.roles[arn]
		if r == nil {
			return nil, fmt.Errorf("principal %s: no such role in account %s of %s", arn, acct.ID, w.File)
		}
		return w.SessionPrincipal(r, DefaultSessionName, sessionPolicies...), nil
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		name, session, ok := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		if !ok || session == "" {
			return nil, fmt.Errorf("principal %s: an assumed-role ARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION", arn)
		}
		var role *Role
		for _, r := range acct.Roles {
			if r.Name == name {
				role = r
			}
		}
		if role == nil {
			return nil, fmt.Errorf("principal %s: no role named %q in account %s of %s", arn, name, acct.ID, w.File)
		}
		return w.SessionPrincipal(role, session, sessionPolicies...), nil
	}
	return nil, fmt.Errorf("principal %q is not a user, role, assumed-role or root ARN", arn)
}

func (w *World) userPrincipal(u *User) *authz.Principal {
	return &authz.Principal{
		Principal: policy.Principal{Account: u.Account.ID, ARN: u.ARN},
		Kind:      authz.User, UserID: u.ID, UserName: u.Name, Tags: u.Tags,
		Identity: u.Policies, Boundary: u.Boundary, SCPs: u.Account.SCPs, OrgID: u.Account.OrgID,
	}
}

// UserPrincipal returns the principal of an IAM user.
func (w *World) UserPrincipal(u *User) *authz.Principal { return w.userPrincipal(u) }

// SessionPrincipal returns the principal of a session of role r.
func (w *World) SessionPrincipal(r *Role, session string, sessionPolicies ...*policy.Policy) *authz.Principal {
	return &authz.Principal{
		Principal: policy.Principal{
			Account: r.Account.ID,
			ARN:     "arn:aws:sts::" + r.Account.ID + ":assumed-role/" + r.Name + "/" + session,
			RoleARN: r.ARN,
		},
		Kind:   authz.AssumedRole,
		UserID: r.ID + ":" + session,
		Tags:   r.Tags,
		// The session's identity policies are the role's (docs/authorization.md §1.3).
		Identity: r.Policies, Boundary: r.Boundary, Session: sessionPolicies, SCPs: r.Account.SCPs,
		OrgID: r.Account.OrgID,
	}
}

// Resource resolves a resource ARN to its owner and resource-based policy:
// S3 bucket and object ARNs to the bucket's policy, KMS key and alias ARNs
// to the key policy, IAM role ARNs (for sts: actions) to the trust policy.
// "*" is owned by the principal's account.
func (w *World) Resource(arn, action string, caller *authz.Principal) (*authz.Resource, error) {
	if arn == "*" {
		return &authz.Resource{ARN: "*", Account: caller.Account, Kind: authz.ResourceOther}, nil
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return nil, fmt.Errorf("resource %q is not an ARN (e.g. arn:aws:s3:::bucket/key) nor \"*\"", arn)
	}
	switch parts[2] {
	case "s3":
		name, _, _ := strings.Cut(parts[5], "/")
		b := w.buckets[name]
		if b == nil && strings.EqualFold(action, "s3:CreateBucket") {
			// The bucket does not exist yet: the caller's account would
			// own it, and it has no policy (docs/authorization.md §2.2 CreateBucket).
			return &authz.Resource{ARN: arn, Account: caller.Account, Kind: authz.ResourceS3, RCPs: w.rcpsOf(caller.Account)}, nil
		}
		if b == nil {
			return nil, fmt.Errorf("resource %s: bucket %q is not in the world file %s; add it under accounts[].buckets", arn, name, w.File)
		}
		return &authz.Resource{ARN: arn, Account: b.Account.ID, Kind: authz.ResourceS3, Policy: b.Policy, RCPs: b.Account.RCPs}, nil
	case "kms":
		if strings.HasPrefix(parts[5], "alias/") && isAliasAction(action) {
			// The alias itself, for kms:CreateAlias, DeleteAlias and
			// UpdateAlias: an alias has no policy of its own, so IAM
			// policies alone grant these (KMS Developer Guide,
			// alias-access), and it need not exist yet.
			a := w.accounts[parts[4]]
			if a == nil {
				return nil, fmt.Errorf("resource %s: account %s is not in the world file %s", arn, parts[4], w.File)
			}
			return &authz.Resource{ARN: arn, Account: a.ID, Kind: authz.ResourceOther, RCPs: a.RCPs}, nil
		}
		k := w.keys[arn]
		if k == nil {
			return nil, fmt.Errorf("resource %s: no such KMS key or alias in %s", arn, w.File)
		}
		return &authz.Resource{ARN: k.ARN, Account: k.Account.ID, Kind: authz.ResourceKMSKey, Policy: k.Policy, RCPs: k.Account.RCPs}, nil
	case "iam":
		if r := w.roles[arn]; r != nil && strings.HasPrefix(strings.ToLower(action), "sts:") {
			return &authz.Resource{ARN: arn, Account: r.Account.ID, Kind: authz.ResourceRole, Policy: r.Trust, RCPs: r.Account.RCPs}, nil
		}
	}
	acct := parts[4]
	if acct == "" {
		acct = caller.Account
	}
	if w.accounts[acct] == nil && acct != caller.Account {
		return nil, fmt.Errorf("resource %s: account %s is not in the world file %s", arn, acct, w.File)
	}
	return &authz.Resource{ARN: arn, Account: acct, Kind: authz.ResourceOther}, nil
}

// Request builds an authorization request: it resolves the resource, and
// fills the context with the global keys (authz.NewContext) and then the
// given keys, which win.
func (w *World) Request(p *authz.Principal, action, resourceARN string, env authz.Env, keys map[string][]string) (*authz.Request, error) {
	res, err := w.Resource(resourceARN, action, p)
	if err != nil {
		return nil, err
	}
	ctx := authz.NewContext(p, res.Account, env)
	if strings.HasPrefix(strings.ToLower(action), "kms:") && p.Kind != authz.Anonymous {
		ctx.Set("kms:CallerAccount", p.Account)
	}
	for k, v := range keys {
		ctx.Set(k, v...)
	}
	return &authz.Request{Principal: p, Action: action, Resource: res, Context: ctx}, nil
}

// rcpsOf returns the RCPs over an account of the world, nil for an account
// the world does not hold (anonymous callers).
func (w *World) rcpsOf(account string) [][]*policy.Policy {
	if a := w.accounts[account]; a != nil {
		return a.RCPs
	}
	return nil
}

// isAliasAction reports whether a KMS action is checked on the alias
// itself when its resource is an alias ARN, rather than on the key the
// alias names.
func isAliasAction(action string) bool {
	switch strings.ToLower(action) {
	case "kms:createalias", "kms:deletealias", "kms:updatealias":
		return true
	}
	return false
}
