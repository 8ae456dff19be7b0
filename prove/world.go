package prove

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/world"
)

// synthesize makes the world of a proof from the plan's context: the
// accounts of the buckets, keys and principal, the command's buckets with
// their default encryption, and the keys with the default key policy.
func synthesize(p *plan.Plan) (*world.Model, error) {
	region := p.Context.Region
	if region == "" {
		region = "us-east-1"
	}
	m := &world.Model{Region: region}
	account := func(id string) *world.AccountModel {
		for i := range m.Accounts {
			if m.Accounts[i].ID == id {
				return &m.Accounts[i]
			}
		}
		m.Accounts = append(m.Accounts, world.AccountModel{ID: id})
		return &m.Accounts[len(m.Accounts)-1]
	}
	principalAcct := accountOf(p.Context.Principal)
	if principalAcct == "" {
		return nil, fmt.Errorf("principal %q has no account", p.Context.Principal)
	}
	account(principalAcct)
	if a := accountOf(p.Context.SourcePrincipal); a != "" && p.TwoPrincipals() {
		account(a)
	}
	for _, l := range []plan.Location{p.Command.Source, p.Command.Dest} {
		if !l.IsS3() || m.FindBucket(l.Bucket) != nil {
			continue
		}
		owner := p.Context.BucketAccount[l.Bucket]
		if owner == "" {
			owner = principalAcct
		}
		bm := world.BucketModel{Name: l.Bucket}
		if writesACL(p, l.Bucket) {
			// The command sends ACLs, which a bucket with ACLs disabled
			// (BucketOwnerEnforced, the default) refuses but for
			// bucket-owner-full-control: the proof's bucket has them
			// enabled, as the user's must.
			bm.Ownership = world.BucketOwnerPreferred
		}
		if k := p.Context.BucketKMSKey[l.Bucket]; k != "" {
			keyAcct := accountOf(k)
			id := k[strings.LastIndex(k, "/")+1:]
			if strings.Contains(k, ":key/") && m.FindKey(id) == nil {
				a := account(keyAcct)
				a.Keys = append(a.Keys, world.KeyModel{ID: id})
			}
			bm.Encryption = &world.EncryptionModel{KMSKey: k, BucketKey: p.Context.BucketKeyEnabled[l.Bucket]}
		}
		a := account(owner)
		a.Buckets = append(a.Buckets, bm)
	}
	// The key the command names (--sse-kms-key-id): a key ARN, an alias
	// ARN, alias/NAME or a key ID, the short forms in the principal's
	// account, as KMS resolves them.
	if k := p.Command.Flags["sse-kms-key-id"]; k != "" {
		addNamedKey(m, account, region, principalAcct, k)
	}
	return m, nil
}

// writesACL reports whether the plan writes ACLs to the bucket's
// objects: it needs s3:PutObjectAcl there.
func writesACL(p *plan.Plan, bucket string) bool {
	for _, n := range p.Needs {
		if n.Action == "s3:PutObjectAcl" && strings.HasPrefix(n.Resource, "arn:aws:s3:::"+bucket+"/") {
			return true
		}
	}
	return false
}

// addNamedKey creates the key a command names, unless the world has it.
func addNamedKey(m *world.Model, account func(string) *world.AccountModel, region, principalAcct, k string) {
	acct, res := principalAcct, k
	if strings.HasPrefix(k, "arn:") {
		acct, res = accountOf(k), k[strings.LastIndex(k, ":")+1:]
	}
	a := account(acct)
	if alias, ok := strings.CutPrefix(res, "alias/"); ok {
		for _, km := range a.Keys {
			if slices.Contains(km.Aliases, "alias/"+alias) {
				return
			}
		}
		a.Keys = append(a.Keys, world.KeyModel{ID: world.S3KeyID(region, "lockstep proof key "+alias), Aliases: []string{"alias/" + alias}})
		return
	}
	id := strings.TrimPrefix(res, "key/")
	if m.FindKey(id) == nil {
		a.Keys = append(a.Keys, world.KeyModel{ID: id})
	}
}

// ensurePrincipal adds the principal to the world when it is not there: a
// role its account may assume, or a user with an access key (keyID: each
// principal of a proof has its own).
func ensurePrincipal(m *world.Model, principal, keyID string) error {
	if u, r := m.FindPrincipal(principal); u != nil || r != nil {
		if u != nil && len(u.AccessKeys) == 0 {
			u.AccessKeys = append(u.AccessKeys, world.AccessKeyModel{ID: keyID, Secret: "lockstep-proof-secret"})
		}
		return nil
	}
	acct := accountOf(principal)
	var a *world.AccountModel
	for i := range m.Accounts {
		if m.Accounts[i].ID == acct {
			a = &m.Accounts[i]
		}
	}
	if a == nil {
		m.Accounts = append(m.Accounts, world.AccountModel{ID: acct})
		a = &m.Accounts[len(m.Accounts)-1]
	}
	res := principal[strings.LastIndex(principal, ":")+1:]
	switch {
	case strings.HasPrefix(res, "assumed-role/"), strings.HasPrefix(res, "role/"):
		parts := strings.Split(res, "/")
		trust := world.DocFromJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`))
		a.Roles = append(a.Roles, world.RoleModel{Name: parts[1], Trust: &trust})
	case strings.HasPrefix(res, "user/"):
		a.Users = append(a.Users, world.UserModel{Name: res[strings.LastIndex(res, "/")+1:],
			AccessKeys: []world.AccessKeyModel{{ID: keyID, Secret: "lockstep-proof-secret"}}})
	default:
		return fmt.Errorf("principal %s: the proof runs as a user or a role", principal)
	}
	return nil
}

// accountOf is the account of an ARN (internal/arn).
func accountOf(s string) string { return arn.Account(s) }
