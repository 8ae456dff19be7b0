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
			Kind:      authz.Root, UserID: acct.ID, SCPs: acct.SCPs, OrgID: acct.OrgID, OrgPaths: acct.OrgPaths,
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
	case parts[2] == "sts" && strings.HasPrefix(res, "federated-user/"):
		return nil, fmt.Errorf("principal %s: a federated user has the permissions of the IAM user who called GetFederationToken, intersected with its session policy: name that user (lockstep eval --federated-by USER_ARN --session-policy FILE)", arn)
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
		Identity: u.IdentityPolicies(), Boundary: u.Boundary, SCPs: u.Account.SCPs,
		OrgID: u.Account.OrgID, OrgPaths: u.Account.OrgPaths,
	}
}

// UserPrincipal returns the principal of an IAM user.
func (w *World) UserPrincipal(u *User) *authz.Principal { return w.userPrincipal(u) }

// FederatedPrincipal resolves a federated-user session
// (arn:aws:sts::A:federated-user/NAME) made by the IAM user byUserARN with
// sts:GetFederationToken: the user's identity policies and boundary,
// limited by the session policies, which a federated user must have to be
// allowed anything (docs/authorization.md §1.3 step 7).
func (w *World) FederatedPrincipal(arn, byUserARN string, sessionPolicies ...*policy.Policy) (*authz.Principal, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sts" || !isAccountID(parts[4]) || !strings.HasPrefix(parts[5], "federated-user/") || len(parts[5]) == len("federated-user/") {
		return nil, fmt.Errorf("principal %q is not a federated-user ARN (arn:aws:sts::111111111111:federated-user/NAME)", arn)
	}
	u := w.users[byUserARN]
	if u == nil {
		return nil, fmt.Errorf("federated user %s: %q is not an IAM user of %s (the user who called GetFederationToken)", arn, byUserARN, w.File)
	}
	if u.Account.ID != parts[4] {
		return nil, fmt.Errorf("federated user %s: it belongs to account %s, but %s is in account %s", arn, parts[4], byUserARN, u.Account.ID)
	}
	name := strings.TrimPrefix(parts[5], "federated-user/")
	return &authz.Principal{
		Principal: policy.Principal{Account: u.Account.ID, ARN: arn},
		Kind:      authz.FederatedUser, UserID: u.Account.ID + ":" + name, Tags: u.Tags,
		Identity: u.IdentityPolicies(), Boundary: u.Boundary, Session: sessionPolicies, SCPs: u.Account.SCPs,
		OrgID: u.Account.OrgID, OrgPaths: u.Account.OrgPaths,
	}, nil
}

// ServiceLinkedPath is the IAM path of service-linked roles, which SCPs
// and RCPs do not restrict (docs/authorization.md §1.9).
const ServiceLinkedPath = "/aws-service-role/"

// SessionPrincipal returns the principal of a session of role r.
func (w *World) SessionPrincipal(r *Role, session string, sessionPolicies ...*policy.Policy) *authz.Principal {
	linked := strings.HasPrefix(r.Path, ServiceLinkedPath)
	scps := r.Account.SCPs
	if linked {
		scps = nil
	}
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
		Identity: r.IdentityPolicies(), Boundary: r.Boundary, Session: sessionPolicies, SCPs: scps,
		OrgID: r.Account.OrgID, OrgPaths: r.Account.OrgPaths, ServiceLinked: linked,
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
		if parts[4] != "" {
			// A regional S3 resource of an account (an S3 Batch
			// Operations job, arn:aws:s3:REGION:ACCOUNT:job/ID): it has
			// no resource-based policy.
			break
		}
		name, _, _ := strings.Cut(parts[5], "/")
		b := w.buckets[name]
		if strings.EqualFold(action, "s3:CreateBucket") && (b == nil || b.Account.ID != caller.Account) {
			// Another account's bucket of that name is no different from
			// none: its policy does not govern the caller's CreateBucket,
			// which S3 answers BucketAlreadyExists once the caller's own
			// policies allow it (docs/decisions.md "CreateBucket of a
			// taken name").
			return w.newBucketResource(arn, caller), nil
		}
		if b == nil {
			return nil, fmt.Errorf("resource %s: bucket %q is not in the world file %s; add it under accounts[].buckets", arn, name, w.File)
		}
		res := &authz.Resource{ARN: arn, Kind: authz.ResourceS3, Policy: b.Policy, Region: b.Region}
		w.ownedBy(res, b.Account)
		return res, nil
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
			res := &authz.Resource{ARN: arn, Kind: authz.ResourceOther, Region: parts[3]}
			w.ownedBy(res, a)
			return res, nil
		}
		k := w.keys[arn]
		if k == nil {
			return nil, fmt.Errorf("resource %s: no such KMS key or alias in %s", arn, w.File)
		}
		res := &authz.Resource{ARN: k.ARN, Kind: authz.ResourceKMSKey, Policy: k.Policy, Region: w.Region, Aliases: k.Aliases}
		w.ownedBy(res, k.Account)
		if k.Managed {
			// RCPs do not apply to AWS managed keys (§1.9).
			res.RCPs = nil
		}
		return res, nil
	case "iam":
		if r := w.roles[arn]; r != nil && strings.HasPrefix(strings.ToLower(action), "sts:") {
			res := &authz.Resource{ARN: arn, Kind: authz.ResourceRole, Policy: r.Trust}
			w.ownedBy(res, r.Account)
			return res, nil
		}
	}
	acct := parts[4]
	if acct == "" || parts[2] == "iam" && acct == "aws" {
		// A resource of no account, or an AWS managed policy
		// (arn:aws:iam::aws:policy/...), which any account reads with
		// its own identity policies.
		acct = caller.Account
	}
	if w.accounts[acct] == nil && acct != caller.Account {
		return nil, fmt.Errorf("resource %s: account %s is not in the world file %s", arn, acct, w.File)
	}
	res := &authz.Resource{ARN: arn, Account: acct, Kind: authz.ResourceOther, Region: parts[3]}
	if a := w.accounts[acct]; a != nil {
		w.ownedBy(res, a)
		res.RCPs = nil // lockstep applies RCPs to S3 and KMS resources
	}
	return res, nil
}

// newBucketResource is a bucket that does not exist yet, as CreateBucket
// checks it: the caller's account would own it, and it has no policy
// (docs/authorization.md §2.2 CreateBucket).
func (w *World) newBucketResource(arn string, caller *authz.Principal) *authz.Resource {
	res := &authz.Resource{ARN: arn, Account: caller.Account, Kind: authz.ResourceS3}
	if a := w.accounts[caller.Account]; a != nil {
		w.ownedBy(res, a)
	}
	return res
}

// ownedBy sets what a resource takes from its account: the account, its
// organization and the RCPs above it.
func (w *World) ownedBy(res *authz.Resource, a *Account) {
	res.Account, res.OrgID, res.OrgPaths, res.RCPs = a.ID, a.OrgID, a.OrgPaths, a.RCPs
}

// Request builds an authorization request: it resolves the resource, and
// fills the context from the catalogue of context keys (authz.NewContext)
// and then with the given keys, which win. A KMS key named by its alias
// sets kms:RequestAlias. env.Region defaults to the world's region, except
// for STS, whose global endpoint is in us-east-1.
func (w *World) Request(p *authz.Principal, action, resourceARN string, env authz.Env, keys map[string][]string) (*authz.Request, error) {
	res, err := w.Resource(resourceARN, action, p)
	if err != nil {
		return nil, err
	}
	return w.request(p, action, resourceARN, res, env, keys), nil
}

// NewBucketRequest is Request for one of CreateBucket's checks on a bucket
// that does not exist yet: s3:CreateBucket and the actions its headers add
// (s3:PutBucketAcl, s3:PutBucketOwnershipControls, ...) are all checked on
// the bucket it would create (docs/authorization.md §2.2 CreateBucket).
func (w *World) NewBucketRequest(p *authz.Principal, action, bucketARN string, env authz.Env, keys map[string][]string) *authz.Request {
	return w.request(p, action, bucketARN, w.newBucketResource(bucketARN, p), env, keys)
}

// request fills the context of a request on a resolved resource.
func (w *World) request(p *authz.Principal, action, resourceARN string, res *authz.Resource, env authz.Env, keys map[string][]string) *authz.Request {
	if env.Region == "" && !strings.HasPrefix(strings.ToLower(action), "sts:") {
		env.Region = w.Region
	}
	if res.Kind == authz.ResourceKMSKey && env.RequestAlias == "" {
		if _, alias, ok := strings.Cut(resourceARN, ":alias/"); ok {
			env.RequestAlias = "alias/" + alias
		}
	}
	ctx := authz.NewContext(p, action, res, env)
	for k, v := range keys {
		ctx.Set(k, v...)
	}
	return &authz.Request{Principal: p, Action: action, Resource: res, Context: ctx}
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
