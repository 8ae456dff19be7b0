package emulator

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/world"
)

// KMS speaks the AWS JSON 1.1 protocol: a POST whose X-Amz-Target header
// is TrentService.<Operation>, with a JSON body, answered with JSON; an
// error is {"__type": code, "message": text}, mostly with HTTP 400.
const kmsTargetPrefix = "TrentService."

// KMS limits the emulator checks (KMS API reference).
const (
	maxKMSBody        = 1 << 20
	maxPlaintext      = 4096
	maxCiphertextBlob = 6144
	maxDataKeyBytes   = 1024
	maxKeyPolicy      = 32768
	maxKeyDescription = 8192
	maxAliasName      = 256
	defaultAliasLimit = 50
	maxAliasLimit     = 100
)

// symmetricDefault is the only key spec and encryption algorithm of
// lockstep's keys: AES-256-GCM symmetric keys, as KMS's default.
const symmetricDefault = "SYMMETRIC_DEFAULT"

var aliasNameRE = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)

// kmsHandler serves one KMS operation with the request body.
type kmsHandler func(s *Server, w http.ResponseWriter, c *call, body []byte) error

// kmsHandlers maps the KMS operations of the catalogue to their handlers.
var kmsHandlers = map[string]kmsHandler{
	"CreateKey":       (*Server).kmsCreateKey,
	"DescribeKey":     (*Server).kmsDescribeKey,
	"GetKeyPolicy":    (*Server).kmsGetKeyPolicy,
	"PutKeyPolicy":    (*Server).kmsPutKeyPolicy,
	"CreateAlias":     (*Server).kmsCreateAlias,
	"ListAliases":     (*Server).kmsListAliases,
	"ListKeys":        (*Server).kmsListKeys,
	"Encrypt":         (*Server).kmsEncrypt,
	"Decrypt":         (*Server).kmsDecrypt,
	"GenerateDataKey": (*Server).kmsGenerateDataKey,
}

// serveKMS serves the KMS operations of the catalogue. Each is
// authorized as kms:<Operation> on the key ARN through the key policy
// semantics of package authz: the key policy must allow the caller, or
// delegate to the caller's account with an IAM policy allowing too, and a
// caller from another account needs both, for cryptographic operations
// and DescribeKey only (docs/authorization.md §3.4).
func (s *Server) serveKMS(w http.ResponseWriter, c *call) {
	body, ok := s.jsonOperation(w, c, kmsTargetPrefix, "KMS", func(op string) bool { return kmsHandlers[op] != nil })
	if !ok {
		return
	}
	h := kmsHandlers[c.operation]
	if err := h(s, w, c, body); err != nil {
		s.fail(w, c, err)
	}
}

// errKMSValidation is KMS's ValidationException for one member.
func errKMSValidation(member, value, constraint string) *apiError {
	return errMemberValidation("ValidationException", member, value, constraint)
}

func errUnsupported(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "UnsupportedOperationException", "lockstep emulator: "+format, args...)
}

// resolveKeyID finds the key a KeyId parameter names: a key ID or an
// alias name (both in the caller's account and the world's region), or a
// key ARN or alias ARN (any account: a caller from another account must
// use an ARN, as on AWS). Alias forms are accepted only when aliases is
// true; GetKeyPolicy, PutKeyPolicy and CreateAlias's TargetKeyId take a
// key ID or key ARN. alias is the alias name used, for kms:RequestAlias.
func (s *Server) resolveKeyID(c *call, id string, aliases bool) (k *world.Key, alias string, err error) {
	if id == "" {
		return nil, "", errKMSValidation("keyId", "", "Member must not be null")
	}
	if len(id) > 2048 {
		return nil, "", errKMSValidation("keyId", id, "Member must have length less than or equal to 2048")
	}
	wd := s.state.world()
	var arn string
	switch {
	case strings.HasPrefix(id, "arn:"):
		parts := strings.SplitN(id, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" || !(strings.HasPrefix(parts[5], "key/") || strings.HasPrefix(parts[5], "alias/")) {
			return nil, "", errorf(http.StatusBadRequest, "NotFoundException", "Invalid arn %s", id)
		}
		if strings.HasPrefix(parts[5], "alias/") {
			alias = parts[5]
		}
		arn = id
	case strings.HasPrefix(id, "alias/"):
		alias = id
		arn = "arn:aws:kms:" + wd.Region + ":" + c.principal.Account + ":" + id
	default:
		arn = "arn:aws:kms:" + wd.Region + ":" + c.principal.Account + ":key/" + id
	}
	if alias != "" && !aliases {
		return nil, "", errorf(http.StatusBadRequest, "NotFoundException", "Invalid keyId %s: %s takes a key ID or key ARN, not an alias", id, c.operation)
	}
	if k = wd.Key(arn); k == nil {
		if alias != "" {
			return nil, "", errorf(http.StatusBadRequest, "NotFoundException", "Alias %s is not found.", arn)
		}
		return nil, "", errorf(http.StatusBadRequest, "NotFoundException", "Key '%s' does not exist", arn)
	}
	c.resourceAccount = k.Account.ID
	return k, alias, nil
}

// keyMetadata is DescribeKey's and CreateKey's KeyMetadata.
type keyMetadata struct {
	AWSAccountId          string
	KeyId                 string
	Arn                   string
	CreationDate          float64
	Enabled               bool
	Description           string
	KeyUsage              string
	KeyState              string
	Origin                string
	KeyManager            string
	CustomerMasterKeySpec string
	KeySpec               string
	EncryptionAlgorithms  []string
	MultiRegion           bool
}

func (s *Server) keyMetadata(k *world.Key) keyMetadata {
	created := s.keyCreated(k.ID)
	manager := "CUSTOMER"
	if k.Managed {
		manager = "AWS"
	}
	return keyMetadata{
		AWSAccountId:          k.Account.ID,
		KeyId:                 k.ID,
		Arn:                   k.ARN,
		CreationDate:          float64(created.UnixMilli()) / 1000,
		Enabled:               true,
		Description:           k.Description,
		KeyUsage:              "ENCRYPT_DECRYPT",
		KeyState:              "Enabled",
		Origin:                "AWS_KMS",
		KeyManager:            manager,
		CustomerMasterKeySpec: symmetricDefault,
		KeySpec:               symmetricDefault,
		EncryptionAlgorithms:  []string{symmetricDefault},
	}
}

// newKeyID returns a key ID for CreateKey: a UUID, like AWS's, of
// version 7, so that the creation time is in the ID itself and survives
// restarts with the world model, which has no field for it.
func newKeyID(now time.Time) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(now.UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// keyCreated returns the creation date of a key: the time in the ID of a
// key CreateKey made, else (keys of the world file) the time the data
// directory's key material was first made.
func (s *Server) keyCreated(id string) time.Time {
	if len(id) == 36 && id[14] == '7' {
		if raw, err := hex.DecodeString(id[0:8] + id[9:13]); err == nil {
			var ms [8]byte
			copy(ms[2:], raw)
			t := time.UnixMilli(int64(binary.BigEndian.Uint64(ms[:])))
			if t.Year() >= 2020 && t.Before(s.now().Add(24*time.Hour)) {
				return t
			}
		}
	}
	dir := s.opts.DataDir
	if dir == "" {
		dir = s.tempDir
	}
	if fi, err := os.Stat(filepath.Join(dir, "keyring", "master")); err == nil {
		return fi.ModTime()
	}
	return s.now()
}

// errLockout is KMS's answer to a key policy that fails the policy
// lockout safety check (enforce.KeyPolicyLocksOut).
func errLockout() *apiError {
	return errorf(http.StatusBadRequest, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
}

// parseKeyPolicy checks a key policy document.
func parseKeyPolicy(text string) (*policy.Policy, error) {
	if len(text) > maxKeyPolicy {
		return nil, errKMSValidation("policy", "", "Member must have length less than or equal to 32768")
	}
	p, err := policy.Parse([]byte(text), policy.KeyPolicy)
	if err != nil {
		return nil, errMalformedPolicy("kms", []byte(text), err)
	}
	return p, nil
}

// findKeyModel returns the model of a key of an account.
func findKeyModel(m *world.Model, account, id string) (*world.KeyModel, error) {
	if a := findAccount(m, account); a != nil {
		for i := range a.Keys {
			if a.Keys[i].ID == id {
				return &a.Keys[i], nil
			}
		}
	}
	return nil, errorf(http.StatusBadRequest, "NotFoundException", "Key 'arn:aws:kms:%s:%s:key/%s' does not exist", m.Region, account, id)
}

// kmsChange applies fn to the world model; a model that no longer
// compiles is reported as a ValidationException.
func (s *Server) kmsChange(fn func(m *world.Model) error) error {
	return s.changeAPI(fn, "ValidationException")
}

func (s *Server) kmsCreateKey(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		Policy                         *string
		Description                    string
		KeyUsage                       string
		KeySpec                        string
		CustomerMasterKeySpec          string
		Origin                         string
		MultiRegion                    bool
		BypassPolicyLockoutSafetyCheck bool
		CustomKeyStoreId               string
		XksKeyId                       string
		Tags                           []json.RawMessage
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	c.params["description"] = in.Description
	switch {
	case in.KeyUsage != "" && in.KeyUsage != "ENCRYPT_DECRYPT":
		return errUnsupported("KeyUsage %s: only ENCRYPT_DECRYPT keys are supported", in.KeyUsage)
	case in.KeySpec != "" && in.KeySpec != symmetricDefault, in.CustomerMasterKeySpec != "" && in.CustomerMasterKeySpec != symmetricDefault:
		return errUnsupported("KeySpec %s%s: only SYMMETRIC_DEFAULT keys are supported", in.KeySpec, in.CustomerMasterKeySpec)
	case in.Origin != "" && in.Origin != "AWS_KMS":
		return errUnsupported("Origin %s: only AWS_KMS keys are supported", in.Origin)
	case in.MultiRegion:
		return errUnsupported("multi-Region keys are not supported")
	case in.CustomKeyStoreId != "" || in.XksKeyId != "":
		return errUnsupported("custom key stores are not supported")
	case len(in.Tags) > 0:
		return errUnsupported("key tags are not supported")
	case len(in.Description) > maxKeyDescription:
		return errKMSValidation("description", "", "Member must have length less than or equal to 8192")
	}
	var pol *policy.Policy
	if in.Policy != nil {
		var err error
		if pol, err = parseKeyPolicy(*in.Policy); err != nil {
			return err
		}
	}
	keys := map[string][]string{
		"kms:KeySpec":                        {symmetricDefault},
		"kms:KeyUsage":                       {"ENCRYPT_DECRYPT"},
		"kms:KeyOrigin":                      {"AWS_KMS"},
		"kms:MultiRegion":                    {"false"},
		"kms:BypassPolicyLockoutSafetyCheck": {strconv.FormatBool(in.BypassPolicyLockoutSafetyCheck)},
	}
	if err := s.authorizeAPI(c, enforce.Call{Keys: keys}); err != nil {
		return err
	}
	acct := c.principal.Account
	id := newKeyID(c.start)
	arn := "arn:aws:kms:" + s.state.world().Region + ":" + acct + ":key/" + id
	if pol != nil && !in.BypassPolicyLockoutSafetyCheck && enforce.KeyPolicyLocksOut(s.state.world(), c.principal, c.env, arn, acct, pol) {
		return errLockout()
	}
	err := s.kmsChange(func(m *world.Model) error {
		a, err := modelAccount(m, acct)
		if err != nil {
			return err
		}
		km := world.KeyModel{ID: id, Description: in.Description}
		if in.Policy != nil {
			d := world.DocFromJSON([]byte(*in.Policy))
			km.Policy = &d
		}
		a.Keys = append(a.Keys, km)
		return nil
	})
	if err != nil {
		return err
	}
	k := s.state.world().Key(arn)
	if k == nil {
		return errInternal(fmt.Errorf("key %s is not in the world after CreateKey", arn))
	}
	return writeKMSResponse(w, c, map[string]any{"KeyMetadata": s.keyMetadata(k)})
}

func (s *Server) kmsDescribeKey(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		KeyId       string
		GrantTokens []string
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	c.params["keyId"] = in.KeyId
	k, alias, err := s.resolveKeyID(c, in.KeyId, true)
	if err != nil {
		return err
	}
	c.env.RequestAlias = alias
	if err := s.authorizeAPI(c, enforce.Call{Resource: k.ARN}); err != nil {
		return err
	}
	return writeKMSResponse(w, c, map[string]any{"KeyMetadata": s.keyMetadata(k)})
}

// keyPolicyKey resolves the KeyId of GetKeyPolicy or PutKeyPolicy, a key
// ID or key ARN, and checks PolicyName: a key has one policy, "default".
func (s *Server) keyPolicyKey(c *call, keyID, policyName string) (*world.Key, error) {
	c.params["keyId"] = keyID
	c.params["policyName"] = policyName
	k, _, err := s.resolveKeyID(c, keyID, false)
	if err != nil {
		return nil, err
	}
	if policyName != "" && policyName != "default" {
		return nil, errorf(http.StatusBadRequest, "NotFoundException", "No key policy named %q: a KMS key has one key policy, named default", policyName)
	}
	return k, nil
}

func (s *Server) kmsGetKeyPolicy(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		KeyId      string
		PolicyName string
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	k, err := s.keyPolicyKey(c, in.KeyId, in.PolicyName)
	if err != nil {
		return err
	}
	if err := s.authorizeAPI(c, enforce.Call{Resource: k.ARN}); err != nil {
		return err
	}
	return writeKMSResponse(w, c, map[string]string{"Policy": string(k.Policy.Source), "PolicyName": "default"})
}

func (s *Server) kmsPutKeyPolicy(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		KeyId                          string
		PolicyName                     string
		Policy                         *string
		BypassPolicyLockoutSafetyCheck bool
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	k, err := s.keyPolicyKey(c, in.KeyId, in.PolicyName)
	if err != nil {
		return err
	}
	if in.Policy == nil {
		return errKMSValidation("policy", "", "Member must not be null")
	}
	pol, err := parseKeyPolicy(*in.Policy)
	if err != nil {
		return err
	}
	keys := map[string][]string{"kms:BypassPolicyLockoutSafetyCheck": {strconv.FormatBool(in.BypassPolicyLockoutSafetyCheck)}}
	if err := s.authorizeAPI(c, enforce.Call{Resource: k.ARN, Keys: keys}); err != nil {
		return err
	}
	if k.Managed {
		// The policy of an AWS managed key grants kms:PutKeyPolicy to
		// nobody, so the check above has denied already; this guards
		// the model, which does not hold managed keys (docs/authorization.md §3.3).
		return errorf(http.StatusBadRequest, "AccessDeniedException", "The key policy of the AWS managed key %s cannot be changed", k.ARN)
	}
	if !in.BypassPolicyLockoutSafetyCheck && enforce.KeyPolicyLocksOut(s.state.world(), c.principal, c.env, k.ARN, k.Account.ID, pol) {
		return errLockout()
	}
	err = s.kmsChange(func(m *world.Model) error {
		km, err := findKeyModel(m, k.Account.ID, k.ID)
		if err != nil {
			return err
		}
		d := world.DocFromJSON([]byte(*in.Policy))
		km.Policy = &d
		return nil
	})
	if err != nil {
		return err
	}
	return writeKMSResponse(w, c, nil)
}

func (s *Server) kmsCreateAlias(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		AliasName   string
		TargetKeyId string
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	c.params["aliasName"] = in.AliasName
	c.params["targetKeyId"] = in.TargetKeyId
	switch {
	case in.AliasName == "":
		return errKMSValidation("aliasName", "", "Member must not be null")
	case len(in.AliasName) > maxAliasName:
		return errKMSValidation("aliasName", in.AliasName, "Member must have length less than or equal to 256")
	case !aliasNameRE.MatchString(in.AliasName):
		return errorf(http.StatusBadRequest, "InvalidAliasNameException", "Alias name %s is not valid: it must be alias/ followed by letters, digits, /, _ and -", in.AliasName)
	case strings.HasPrefix(in.AliasName, "alias/aws/"):
		return errorf(http.StatusBadRequest, "InvalidAliasNameException", "Alias name %s is not valid: the alias/aws/ prefix is reserved for AWS managed keys", in.AliasName)
	}
	k, _, err := s.resolveKeyID(c, in.TargetKeyId, false)
	if err != nil {
		if ae := asAPIError(err); ae.Code == "ValidationException" {
			return errKMSValidation("targetKeyId", "", "Member must not be null")
		}
		return err
	}
	acct := c.principal.Account
	aliasARN := "arn:aws:kms:" + s.state.world().Region + ":" + acct + ":" + in.AliasName
	// kms:CreateAlias is checked on the alias (IAM policies only) and on
	// the key (key policy), as the catalogue row says.
	if err := s.authorizeAPI(c, enforce.Call{Resource: k.ARN, Alias: aliasARN}); err != nil {
		return err
	}
	if k.Account.ID != acct {
		return errorf(http.StatusBadRequest, "NotFoundException", "Key '%s' does not exist in account %s: an alias and its key are in the same account", k.ARN, acct)
	}
	if k.Managed {
		// As PutKeyPolicy: the managed key's policy has denied already.
		return errorf(http.StatusBadRequest, "AccessDeniedException", "An alias cannot be given to the AWS managed key %s", k.ARN)
	}
	err = s.kmsChange(func(m *world.Model) error {
		if a := findAccount(m, acct); a != nil {
			for _, km := range a.Keys {
				for _, al := range km.Aliases {
					if al == in.AliasName {
						return errorf(http.StatusBadRequest, "AlreadyExistsException", "An alias with the name %s already exists", aliasARN)
					}
				}
			}
		}
		km, err := findKeyModel(m, acct, k.ID)
		if err != nil {
			return err
		}
		km.Aliases = append(km.Aliases, in.AliasName)
		return nil
	})
	if err != nil {
		return err
	}
	return writeKMSResponse(w, c, nil)
}

func (s *Server) kmsListAliases(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		KeyId  string
		Limit  *int
		Marker string
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	limit := defaultAliasLimit
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > maxAliasLimit {
			return errKMSValidation("limit", strconv.Itoa(*in.Limit), "Member must have value between 1 and 100")
		}
		limit = *in.Limit
	}
	var only *world.Key
	if in.KeyId != "" {
		c.params["keyId"] = in.KeyId
		k, _, err := s.resolveKeyID(c, in.KeyId, false)
		if err != nil {
			return err
		}
		only = k
	}
	if err := s.authorizeAPI(c, enforce.Call{}); err != nil {
		return err
	}
	type aliasEntry struct {
		AliasName   string
		AliasArn    string
		TargetKeyId string
	}
	var all []aliasEntry
	wd := s.state.world()
	if a := wd.Account(c.principal.Account); a != nil {
		for _, k := range a.Keys {
			if only != nil && k != only {
				continue
			}
			for _, al := range k.Aliases {
				all = append(all, aliasEntry{AliasName: al, AliasArn: "arn:aws:kms:" + wd.Region + ":" + a.ID + ":" + al, TargetKeyId: k.ID})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].AliasName < all[j].AliasName })
	start := 0
	if in.Marker != "" {
		// The marker is the last alias name of the previous page.
		if !aliasNameRE.MatchString(in.Marker) {
			return errorf(http.StatusBadRequest, "InvalidMarkerException", "The marker %q is not one ListAliases returned", in.Marker)
		}
		start = sort.Search(len(all), func(i int) bool { return all[i].AliasName > in.Marker })
	}
	out := struct {
		Aliases    []aliasEntry
		Truncated  bool
		NextMarker string `json:",omitempty"`
	}{Aliases: []aliasEntry{}}
	end := min(start+limit, len(all))
	out.Aliases = append(out.Aliases, all[start:end]...)
	if end < len(all) {
		out.Truncated = true
		out.NextMarker = all[end-1].AliasName
	}
	return writeKMSResponse(w, c, out)
}
