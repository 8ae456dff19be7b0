package acctimport

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/world"
)

// kmsKeysFile reads the KMS outputs that place keys in accounts:
// describe-key (a key, named inside) and list-aliases (aliases and their
// keys), read before the key policies.
func (im *importer) kmsKeysFile(f *file) (bool, error) {
	switch {
	case f.has("KeyMetadata"):
		var md struct {
			AWSAccountId, KeyId, Arn, Description, KeyManager string
		}
		if err := f.decode("KeyMetadata", &md); err != nil {
			return false, err
		}
		if md.KeyManager == "AWS" {
			// The AWS managed keys are the world's own (aws/s3 is
			// synthesized in every account; docs/world.md).
			im.report.read(f, "describe-key of AWS managed key "+md.Arn+": the world has its own")
			return true, nil
		}
		account := md.AWSAccountId
		if account == "" {
			account = arn.Account(md.Arn)
		}
		if account == "" {
			return false, fmt.Errorf("%s: KeyMetadata names no account (AWSAccountId, Arn)", f.path)
		}
		k := im.key(im.account(account), md.KeyId)
		k.Description = md.Description
		if r := arn.Region(md.Arn); r != "" {
			im.regions[r] = true
		}
		im.report.read(f, "describe-key of "+md.Arn)
		return true, nil
	case f.has("Aliases"):
		var aliases []struct{ AliasName, AliasArn, TargetKeyId string }
		if err := f.decode("Aliases", &aliases); err != nil {
			return false, err
		}
		n := 0
		for _, al := range aliases {
			if strings.HasPrefix(al.AliasName, "alias/aws/") || al.TargetKeyId == "" {
				continue // AWS managed keys' aliases, and aliases of no key
			}
			account := arn.Account(al.AliasArn)
			if account == "" {
				var err error
				if account, err = im.accountOf(f); err != nil {
					return false, err
				}
			}
			k := im.key(im.account(account), al.TargetKeyId)
			if !contains(k.Aliases, al.AliasName) {
				k.Aliases = append(k.Aliases, al.AliasName)
			}
			n++
		}
		im.report.read(f, fmt.Sprintf("list-aliases: %d customer aliases", n))
		return true, nil
	}
	return false, nil
}

// kmsPolicyFile reads get-key-policy, whose key is named by the file.
func (im *importer) kmsPolicyFile(f *file) (bool, error) {
	switch {
	case f.has("Policy") && (f.command == "get-key-policy" || f.has("PolicyName")):
		id := f.resource
		if !keyIDRE.MatchString(id) {
			return false, fmt.Errorf("%s: which key is it of? Name the file KEYID.get-key-policy.json or put it in a directory named by the key ID (%q is not a key ID)", f.path, id)
		}
		account, ok := im.keyAccount(id)
		if !ok {
			var err error
			if account, err = im.accountOf(f); err != nil {
				return false, err
			}
		}
		d, err := fieldDoc(f, f.top["Policy"], "key policy of "+id)
		if err != nil {
			return false, err
		}
		im.key(im.account(account), id).Policy = &d
		im.report.read(f, "get-key-policy of key "+id)
		return true, nil
	}
	return false, nil
}

// keyIDRE is a KMS key ID: a UUID, or mrk- and 32 hex digits for a
// multi-Region key.
var keyIDRE = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)

// key returns the key model of a, created on first use.
func (im *importer) key(a *world.AccountModel, id string) *world.KeyModel {
	for i := range a.Keys {
		if a.Keys[i].ID == id {
			return &a.Keys[i]
		}
	}
	a.Keys = append(a.Keys, world.KeyModel{ID: id})
	return &a.Keys[len(a.Keys)-1]
}

// keyAccount finds the account that holds a key already.
func (im *importer) keyAccount(id string) (string, bool) {
	for _, acc := range im.order {
		for _, k := range im.accounts[acc].Keys {
			if k.ID == id {
				return acc, true
			}
		}
	}
	return "", false
}
