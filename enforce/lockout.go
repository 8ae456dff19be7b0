package enforce

import (
	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/world"
)

// KeyPolicyLocksOut is KMS's policy lockout safety check: it reports
// whether the key policy pol, not yet the key's, would deny p a later
// kms:PutKeyPolicy on the key keyARN of account. KMS refuses such a policy
// in CreateKey and PutKeyPolicy unless BypassPolicyLockoutSafetyCheck is
// set (KMS API reference, CreateKey and PutKeyPolicy). It is the one
// decision the emulator makes against a policy that is not in the world;
// it authorizes no call.
func KeyPolicyLocksOut(w *world.World, p *authz.Principal, env authz.Env, keyARN, account string, pol *policy.Policy) bool {
	res := &authz.Resource{ARN: keyARN, Account: account, Kind: authz.ResourceKMSKey, Policy: pol, Region: w.Region}
	if a := w.Account(account); a != nil {
		res.RCPs, res.OrgID, res.OrgPaths = a.RCPs, a.OrgID, a.OrgPaths
	}
	if k := w.Key(keyARN); k != nil {
		res.Aliases = k.Aliases
	}
	const action = "kms:PutKeyPolicy"
	ctx := authz.NewContext(p, action, res, env)
	return !authz.Decide(&authz.Request{Principal: p, Action: action, Resource: res, Context: ctx}).Allowed()
}
