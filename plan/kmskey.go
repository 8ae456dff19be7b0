package plan

import (
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
)

// resolveKMSKey resolves the key the flag (--sse-kms-key-id of a
// command, --kms of batch-copy) names to a key ARN.
// A key ARN is taken as given. An alias ARN, an alias name (alias/NAME) or
// a key ID is resolved through the context's world: S3 looks an alias name
// or key ID up in the caller's account and the bucket's region (the S3
// API reference, SSEKMSKeyId). Without a world, it returns "" (a note
// says so, and the policies leave the key out); with one, a key the world
// does not have is an error.
func (p *Plan) resolveKMSKey(flag, id string) (string, error) {
	if isKeyARN(id) {
		return id, nil
	}
	w := p.Context.World
	if w == nil {
		return "", nil
	}
	keyARN := id
	if !strings.HasPrefix(id, "arn:") {
		acct := p.principalAccount()
		if acct == "" {
			return "", fmt.Errorf("%s %s: S3 looks an alias or key ID up in the caller's account, and the principal is unknown: give --principal, or the key ARN", flag, id)
		}
		keyARN = "arn:aws:kms:" + p.Context.Region + ":" + acct + ":"
		if strings.HasPrefix(id, "alias/") {
			keyARN += id
		} else {
			keyARN += "key/" + id
		}
	}
	k := w.Key(keyARN)
	if k == nil {
		hint := "add it under accounts[].keys, or give the key ARN"
		for _, a := range w.Accounts {
			other := strings.Replace(keyARN, ":"+p.principalAccount()+":", ":"+a.ID+":", 1)
			if other != keyARN && w.Key(other) != nil {
				hint = fmt.Sprintf("account %s has it: give its ARN, %s", a.ID, other)
				break
			}
		}
		return "", fmt.Errorf("%s %s: the world file %s has no key %s (S3 looks an alias or key ID up in the caller's account and region): %s", flag, id, w.File, keyARN, hint)
	}
	return k.ARN, nil
}

// isKeyARN reports whether s is a KMS key ARN, arn:aws:kms:REGION:ACCOUNT:key/ID.
func isKeyARN(s string) bool { return arn.IsKMSKeyARN(s) }

// isPolicyResource reports whether a need's resource can be written into a
// policy: "*", or an ARN that is not a KMS alias ARN (KMS authorizes the
// key, not the alias). An --sse-kms-key-id lockstep could not resolve (an
// alias, alias ARN or key ID without a world) cannot.
func isPolicyResource(r string) bool {
	if strings.HasPrefix(r, "arn:aws:kms:") {
		return isKeyARN(r)
	}
	return r == "*" || strings.HasPrefix(r, "arn:")
}
