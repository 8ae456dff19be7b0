package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/world"
)

// contextAAD is the additional authenticated data of an encryption
// context: its pairs as JSON with the keys sorted, "" for no context.
// Decrypt must present the same pairs, in any order. S3's data keys use
// the same form, {"aws:s3:arn":"..."} (docs/authorization.md §3.2).
func contextAAD(ec map[string]string) string {
	if len(ec) == 0 {
		return ""
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(ec) // map keys are sorted; strings always encode
	return strings.TrimSuffix(b.String(), "\n")
}

// cryptoKeys returns the condition keys of a cryptographic operation
// (docs/authorization.md §3.5): kms:EncryptionContext:<key> for each pair,
// kms:EncryptionContextKeys and kms:EncryptionAlgorithm. kms:CallerAccount,
// kms:ResourceAliases and kms:RequestAlias (from the call's
// Env.RequestAlias) come from the context catalogue through world.Request.
func cryptoKeys(ec map[string]string, algorithm bool) map[string][]string {
	keys := map[string][]string{}
	if len(ec) > 0 {
		names := sortedKeys(ec)
		for _, k := range names {
			keys["kms:EncryptionContext:"+k] = []string{ec[k]}
		}
		keys["kms:EncryptionContextKeys"] = names
	}
	if algorithm {
		keys["kms:EncryptionAlgorithm"] = []string{symmetricDefault}
	}
	return keys
}

func checkAlgorithm(alg string) error {
	if alg != "" && alg != symmetricDefault {
		return errorf(http.StatusBadRequest, "InvalidKeyUsageException", "The encryption algorithm %s is not supported by symmetric KMS keys; use %s", alg, symmetricDefault)
	}
	return nil
}

// authorizeCrypto authorizes a cryptographic operation with the key k,
// named by alias if one was used, in the encryption context ec. A dry run
// that would succeed ends here, with DryRunOperationException.
func (s *Server) authorizeCrypto(c *call, k *world.Key, alias string, ec map[string]string, dryRun bool) error {
	c.env.RequestAlias = alias
	if err := s.authorizeAPI(c, enforce.Call{Resource: k.ARN, Keys: cryptoKeys(ec, true)}); err != nil {
		return err
	}
	if dryRun {
		return errDryRun()
	}
	return nil
}

func errDryRun() *apiError {
	return errorf(http.StatusPreconditionFailed, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
}

func (s *Server) kmsEncrypt(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		KeyId               string
		Plaintext           []byte
		EncryptionContext   map[string]string
		EncryptionAlgorithm string
		GrantTokens         []string
		DryRun              bool
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	c.params["keyId"] = in.KeyId
	if len(in.EncryptionContext) > 0 {
		c.params["encryptionContext"] = in.EncryptionContext
	}
	c.params["encryptionAlgorithm"] = symmetricDefault
	switch {
	case in.Plaintext == nil:
		return errKMSValidation("plaintext", "", "Member must not be null")
	case len(in.Plaintext) == 0:
		return errKMSValidation("plaintext", "", "Member must have length greater than or equal to 1")
	case len(in.Plaintext) > maxPlaintext:
		return errKMSValidation("plaintext", "", "Member must have length less than or equal to 4096")
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return err
	}
	k, alias, err := s.resolveKeyID(c, in.KeyId, true)
	if err != nil {
		return err
	}
	if err := s.authorizeCrypto(c, k, alias, in.EncryptionContext, in.DryRun); err != nil {
		return err
	}
	blob, err := s.keys.seal(k.ARN, in.Plaintext, contextAAD(in.EncryptionContext))
	if err != nil {
		return errInternal(err)
	}
	return writeKMSResponse(w, c, map[string]any{"CiphertextBlob": blob, "KeyId": k.ARN, "EncryptionAlgorithm": symmetricDefault})
}

func (s *Server) kmsDecrypt(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		CiphertextBlob      []byte
		EncryptionContext   map[string]string
		KeyId               string
		EncryptionAlgorithm string
		GrantTokens         []string
		DryRun              bool
		Recipient           json.RawMessage
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	if in.KeyId != "" {
		c.params["keyId"] = in.KeyId
	}
	if len(in.EncryptionContext) > 0 {
		c.params["encryptionContext"] = in.EncryptionContext
	}
	c.params["encryptionAlgorithm"] = symmetricDefault
	switch {
	case in.CiphertextBlob == nil:
		return errKMSValidation("ciphertextBlob", "", "Member must not be null")
	case len(in.CiphertextBlob) == 0:
		return errKMSValidation("ciphertextBlob", "", "Member must have length greater than or equal to 1")
	case len(in.CiphertextBlob) > maxCiphertextBlob:
		return errKMSValidation("ciphertextBlob", "", "Member must have length less than or equal to 6144")
	case len(in.Recipient) > 0 && string(in.Recipient) != "null":
		return errUnsupported("Recipient (Nitro Enclaves attestation) is not supported")
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return err
	}
	keyARN, err := blobKey(in.CiphertextBlob)
	if err != nil {
		return errBadCiphertext()
	}
	k := s.state.world().Key(keyARN)
	if k == nil {
		return errorf(http.StatusBadRequest, "NotFoundException", "Key '%s' does not exist", keyARN)
	}
	c.resourceAccount = k.Account.ID
	var alias string
	if in.KeyId != "" {
		named, a, err := s.resolveKeyID(c, in.KeyId, true)
		if err != nil {
			return err
		}
		if named != k {
			return errorf(http.StatusBadRequest, "IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.")
		}
		alias = a
	}
	if err := s.authorizeCrypto(c, k, alias, in.EncryptionContext, in.DryRun); err != nil {
		return err
	}
	_, plain, err := s.keys.open(in.CiphertextBlob, contextAAD(in.EncryptionContext))
	if err != nil {
		return errBadCiphertext()
	}
	return writeKMSResponse(w, c, map[string]any{"KeyId": k.ARN, "Plaintext": plain, "EncryptionAlgorithm": symmetricDefault})
}

// errBadCiphertext is Decrypt's answer for a blob that is damaged,
// not from this emulator, or presented with another encryption context.
// KMS sends no message; lockstep says what to check.
func errBadCiphertext() *apiError {
	return errorf(http.StatusBadRequest, "InvalidCiphertextException",
		"The ciphertext is not valid, or the encryption context differs from the one it was encrypted with")
}

func (s *Server) kmsGenerateDataKey(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		KeyId             string
		KeySpec           string
		NumberOfBytes     *int
		EncryptionContext map[string]string
		GrantTokens       []string
		DryRun            bool
		Recipient         json.RawMessage
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	c.params["keyId"] = in.KeyId
	if len(in.EncryptionContext) > 0 {
		c.params["encryptionContext"] = in.EncryptionContext
	}
	var n int
	switch {
	case in.KeySpec != "" && in.NumberOfBytes != nil, in.KeySpec == "" && in.NumberOfBytes == nil:
		return errorf(http.StatusBadRequest, "ValidationException", "Please specify either number of bytes or key spec.")
	case in.KeySpec == "AES_256":
		n = 32
	case in.KeySpec == "AES_128":
		n = 16
	case in.KeySpec != "":
		return errKMSValidation("keySpec", in.KeySpec, "Member must satisfy enum value set: [AES_256, AES_128]")
	case *in.NumberOfBytes < 1 || *in.NumberOfBytes > maxDataKeyBytes:
		return errKMSValidation("numberOfBytes", strconv.Itoa(*in.NumberOfBytes), "Member must have value between 1 and 1024")
	default:
		n = *in.NumberOfBytes
	}
	if in.KeySpec != "" {
		c.params["keySpec"] = in.KeySpec
	} else {
		c.params["numberOfBytes"] = n
	}
	if len(in.Recipient) > 0 && string(in.Recipient) != "null" {
		return errUnsupported("Recipient (Nitro Enclaves attestation) is not supported")
	}
	k, alias, err := s.resolveKeyID(c, in.KeyId, true)
	if err != nil {
		return err
	}
	if err := s.authorizeCrypto(c, k, alias, in.EncryptionContext, in.DryRun); err != nil {
		return err
	}
	plain := make([]byte, n)
	if _, err := rand.Read(plain); err != nil {
		return errInternal(err)
	}
	blob, err := s.keys.seal(k.ARN, plain, contextAAD(in.EncryptionContext))
	if err != nil {
		return errInternal(err)
	}
	return writeKMSResponse(w, c, map[string]any{"CiphertextBlob": blob, "Plaintext": plain, "KeyId": k.ARN})
}
