package world

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// defaultKeyPolicy is the key policy KMS creates when none is given: it
// lets the account's IAM policies grant use of the key (docs/authorization.md §3.4).
func defaultKeyPolicy(account string) string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		account + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// S3KeyAlias is the alias of the AWS managed key for S3 (docs/authorization.md §3.3).
const S3KeyAlias = "alias/aws/s3"

// S3KeyDescription is the description AWS gives the aws/s3 key.
const S3KeyDescription = "Default master key that protects my S3 objects when no other key is defined"

// S3KeyID returns the key ID of the aws/s3 key of an account in a region:
// a UUID (version 4 form, as AWS key IDs) derived from both, so that it is
// the same in every run and every emulator restart.
func S3KeyID(region, account string) string {
	sum := sha256.Sum256([]byte("lockstep aws/s3 key\x00" + region + "\x00" + account))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// S3KeyPolicy is the key policy of the aws/s3 key (Id auto-s3-2, spec
// §3.3): every principal of the owner account may use the key through S3
// of the region (kms:CallerAccount and kms:ViaService), and the account
// may read the key's metadata directly. Nobody may change it.
func S3KeyPolicy(region, account string) string {
	return `{"Version":"2012-10-17","Id":"auto-s3-2","Statement":[` +
		`{"Sid":"Allow access through S3 for all principals in the account that are authorized to use S3","Effect":"Allow","Principal":{"AWS":"*"},` +
		`"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*",` +
		`"Condition":{"StringEquals":{"kms:CallerAccount":"` + account + `","kms:ViaService":"` + s3ops.ViaService(region) + `"}}},` +
		`{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},` +
		`"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`
}

// s3Key synthesizes the account's AWS managed key aws/s3 (docs/authorization.md §3.3).
// AWS creates it the first time S3 needs it; lockstep has it from the
// start, which no caller can tell apart.
func (c *compiler) s3Key(a *Account) {
	id := S3KeyID(c.w.Region, a.ID)
	prefix := "arn:aws:kms:" + c.w.Region + ":" + a.ID + ":"
	k := &Key{ID: id, ARN: prefix + "key/" + id, Description: S3KeyDescription, Account: a,
		Aliases: []string{S3KeyAlias}, Managed: true}
	k.Policy = policy.MustParse(S3KeyPolicy(c.w.Region, a.ID), policy.KeyPolicy)
	k.Policy.Name = "key policy of the AWS managed key aws/s3 of account " + a.ID
	c.w.keys[k.ARN] = k
	c.w.keys[prefix+S3KeyAlias] = k
	a.S3Key = k
}

func (c *compiler) key(a *Account, km *KeyModel, at *yaml.Node) {
	if !keyIDRE.MatchString(km.ID) {
		c.fail(at, "key id %q in account %s is not a KMS key ID (e.g. 1234abcd-12ab-34cd-56ef-1234567890ab)", km.ID, a.ID)
		return
	}
	k := &Key{ID: km.ID, Description: km.Description, Account: a,
		ARN: "arn:aws:kms:" + c.w.Region + ":" + a.ID + ":key/" + km.ID}
	if c.w.keys[k.ARN] != nil {
		c.fail(at, "key %s is listed twice", k.ARN)
		return
	}
	if km.Policy != nil {
		k.Policy = c.doc(*km.Policy, policy.KeyPolicy, "key policy of "+k.ARN)
	} else {
		k.Policy = policy.MustParse(defaultKeyPolicy(a.ID), policy.KeyPolicy)
		k.Policy.Name = "default key policy of " + k.ARN
	}
	c.w.keys[k.ARN] = k
	for _, al := range km.Aliases {
		if !strings.HasPrefix(al, "alias/") || strings.HasPrefix(al, "alias/aws/") {
			c.fail(at, "alias %q of key %s must start with alias/ and not alias/aws/", al, k.ARN)
			continue
		}
		aliasARN := "arn:aws:kms:" + c.w.Region + ":" + a.ID + ":" + al
		if c.w.keys[aliasARN] != nil {
			c.fail(at, "alias %s names two keys", aliasARN)
			continue
		}
		c.w.keys[aliasARN] = k
		k.Aliases = append(k.Aliases, al)
	}
	a.Keys = append(a.Keys, k)
}
