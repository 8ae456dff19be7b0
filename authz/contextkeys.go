package authz

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/internal/editdist"
)

// contextKeysYAML is the catalogue of request context keys: every global
// condition key AWS documents and the S3, KMS and STS keys lockstep
// uses, each with when AWS puts it in a request and how lockstep computes
// it (docs/authorization.md §1.8; docs/context-keys.md is generated from
// it).
//
//go:embed contextkeys.yaml
var contextKeysYAML []byte

// Presence says when AWS puts a key in the request context.
type Presence string

// The presence values of the catalogue.
const (
	// PresenceAlways: in every request (for signed and anonymous requests alike,
	// unless the row's text says otherwise).
	PresenceAlways Presence = "always"
	// PresenceSigned: in every signed request; absent from anonymous requests.
	PresenceSigned Presence = "signed"
	// PresenceIAMUser: only for IAM users.
	PresenceIAMUser Presence = "iam-user"
	// PresenceTemporaryCredentials: only for role and federated-user sessions.
	PresenceTemporaryCredentials Presence = "temporary-credentials"
	// PresenceMFA: only when the session was authenticated with MFA.
	PresenceMFA Presence = "mfa"
	// PresencePrincipalInOrg: only when the principal's account is a member of
	// an organization.
	PresencePrincipalInOrg Presence = "principal-in-org"
	// PresenceResourceInOrg: only when the resource's account is a member of an
	// organization.
	PresenceResourceInOrg Presence = "resource-in-org"
	// PresencePrincipalTag, ResourceTag and RequestTag: only when such a tag
	// exists or is sent.
	PresencePrincipalTag Presence = "principal-tag"
	PresenceResourceTag  Presence = "resource-tag"
	PresenceRequestTag   Presence = "request-tag"
	// PresenceViaService: only on the requests a service makes on the
	// principal's behalf (forward access sessions).
	PresenceViaService Presence = "via-service"
	// PresenceServicePrincipal: only when an AWS service principal calls.
	PresenceServicePrincipal Presence = "service-principal"
	// PresenceTLS: only on requests that came over TLS (HTTPS).
	PresenceTLS Presence = "tls"
	// PresenceOperation: set by the operation from its request parameters.
	PresenceOperation Presence = "operation"
	// PresenceNever: lockstep never sets the key; the row says why.
	PresenceNever Presence = "never"
)

var presences = []Presence{PresenceAlways, PresenceSigned, PresenceIAMUser, PresenceTemporaryCredentials, PresenceMFA, PresencePrincipalInOrg, PresenceResourceInOrg,
	PresencePrincipalTag, PresenceResourceTag, PresenceRequestTag, PresenceViaService, PresenceServicePrincipal, PresenceTLS, PresenceOperation, PresenceNever}

// KeyInfo is one row of the context-key catalogue.
type KeyInfo struct {
	// Key is the canonical spelling; a variable part is written
	// ${TagKey} or ${EncryptionContextKey}.
	Key string `yaml:"key"`
	// Type is the condition type AWS documents: String, ARN, Bool,
	// Date, Numeric, IPAddress or Binary (of the elements, for a
	// multivalued key).
	Type string `yaml:"type"`
	// Multi is true for a multivalued key.
	Multi bool `yaml:"multi"`
	// Presence says when the key is in a request context.
	Presence Presence `yaml:"presence"`
	// Lockstep says how lockstep computes the value, or why it never
	// sets the key.
	Lockstep string `yaml:"lockstep"`
	// URL and Sentence are the AWS documentation the row follows.
	URL      string `yaml:"url"`
	Sentence string `yaml:"sentence"`
}

// Template reports whether the key has a variable part (${...}).
func (k *KeyInfo) Template() bool { return strings.Contains(k.Key, "${") }

// prefix is the part of a template key before its variable part.
func (k *KeyInfo) prefix() string {
	i := strings.Index(k.Key, "${")
	if i < 0 {
		return k.Key
	}
	return k.Key[:i]
}

type keyCatalogue struct {
	rows   []KeyInfo
	byName map[string]*KeyInfo // lower-cased exact keys
	tmpls  []*KeyInfo          // template keys, longest prefix first
	// setters are the keySetters of the rows lockstep computes, in
	// catalogue order.
	setters []keySetter
}

var contextKeys = sync.OnceValue(func() *keyCatalogue {
	c, err := parseKeyCatalogue(contextKeysYAML)
	if err != nil {
		// The catalogue is embedded; TestContextKeyCatalogue keeps it
		// valid.
		panic("authz: contextkeys.yaml: " + err.Error())
	}
	return c
})

func parseKeyCatalogue(data []byte) (*keyCatalogue, error) {
	var rows []KeyInfo
	if err := yaml.Unmarshal(data, &rows); err != nil {
		return nil, err
	}
	c := &keyCatalogue{rows: rows, byName: map[string]*KeyInfo{}}
	for i := range rows {
		r := &rows[i]
		if r.Key == "" {
			return nil, fmt.Errorf("row %d has no key", i+1)
		}
		valid := false
		for _, p := range presences {
			valid = valid || r.Presence == p
		}
		if !valid {
			return nil, fmt.Errorf("%s: presence %q is not one of %v", r.Key, r.Presence, presences)
		}
		if f := keySetters[strings.ToLower(r.Key)]; f != nil {
			c.setters = append(c.setters, f)
		}
		if r.Template() {
			c.tmpls = append(c.tmpls, r)
			continue
		}
		lk := strings.ToLower(r.Key)
		if c.byName[lk] != nil {
			return nil, fmt.Errorf("%s is listed twice", r.Key)
		}
		c.byName[lk] = r
	}
	sort.SliceStable(c.tmpls, func(i, j int) bool { return len(c.tmpls[i].prefix()) > len(c.tmpls[j].prefix()) })
	return c, nil
}

// ContextKeys returns the catalogue of request context keys, in the order
// of the catalogue.
func ContextKeys() []KeyInfo {
	return append([]KeyInfo(nil), contextKeys().rows...)
}

// LookupContextKey returns the catalogue row of a condition key, matching
// case-insensitively (key names are case-insensitive, docs/authorization.md
// §1.6) and matching template rows such as aws:PrincipalTag/${TagKey}
// by their prefix.
func LookupContextKey(key string) (KeyInfo, bool) {
	c := contextKeys()
	lk := strings.ToLower(key)
	if r := c.byName[lk]; r != nil {
		return *r, true
	}
	for _, t := range c.tmpls {
		p := strings.ToLower(t.prefix())
		if strings.HasPrefix(lk, p) && len(lk) > len(p) {
			return *t, true
		}
	}
	return KeyInfo{}, false
}

// SuggestContextKey returns the catalogued key closest to an unknown key
// (by edit distance, ignoring case), or "" when none is close.
func SuggestContextKey(key string) string {
	lk := strings.ToLower(key)
	best, bestD := "", len(lk)/2+2
	for _, r := range contextKeys().rows {
		cand := r.Key
		if r.Template() {
			cand = r.prefix()
			if i := strings.LastIndexByte(lk, '/'); i >= 0 && strings.HasSuffix(cand, "/") {
				cand += key[i+1:]
			}
		}
		if d := editdist.Distance(lk, strings.ToLower(cand)); d < bestD {
			best, bestD = cand, d
		}
	}
	return best
}
