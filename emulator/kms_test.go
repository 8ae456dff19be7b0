package emulator_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func (s *svcServer) kms(t *testing.T, creds aws.Credentials) *kms.Client {
	return kms.NewFromConfig(s.cfg(t, creds))
}

// encrypt encrypts plaintext and fails the test on error.
func (s *svcServer) encrypt(t *testing.T, creds aws.Credentials, keyID, plaintext string, ec map[string]string) []byte {
	t.Helper()
	out, err := s.kms(t, creds).Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte(plaintext), EncryptionContext: ec})
	if err != nil {
		t.Fatalf("Encrypt with %s: %v", keyID, err)
	}
	return out.CiphertextBlob
}

// TestKMSEncryptDecrypt: a round trip through every form of KeyId; the
// encryption context is authenticated, so Decrypt needs the same pairs
// (in any order) and fails with InvalidCiphertextException otherwise.
func TestKMSEncryptDecrypt(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	c := s.kms(t, svcKeys["crypto"])
	ec := map[string]string{"purpose": "test", "bucket": "svc-data"}
	for _, keyID := range []string{
		"11111111-1111-4111-8111-111111111111",
		svcDefaultKey,
		"alias/data",
		"arn:aws:kms:us-east-1:111111111111:alias/data",
	} {
		t.Run(keyID, func(t *testing.T) {
			out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("secret"), EncryptionContext: ec})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.KeyId) != svcDefaultKey || out.EncryptionAlgorithm != kmstypes.EncryptionAlgorithmSpecSymmetricDefault {
				t.Errorf("KeyId, EncryptionAlgorithm = %s, %s; want the key ARN, SYMMETRIC_DEFAULT", aws.ToString(out.KeyId), out.EncryptionAlgorithm)
			}
			if bytes.Contains(out.CiphertextBlob, []byte("secret")) {
				t.Error("the ciphertext holds the plaintext")
			}
			dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: map[string]string{"bucket": "svc-data", "purpose": "test"}})
			if err != nil {
				t.Fatal(err)
			}
			if string(dec.Plaintext) != "secret" || aws.ToString(dec.KeyId) != svcDefaultKey {
				t.Errorf("Decrypt = %q with %s", dec.Plaintext, aws.ToString(dec.KeyId))
			}
		})
	}

	blob := s.encrypt(t, svcKeys["crypto"], "alias/data", "secret", ec)
	tests := []struct {
		name string
		in   kms.DecryptInput
		code string
	}{
		{"another context value", kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"purpose": "prod", "bucket": "svc-data"}}, "InvalidCiphertextException"},
		{"a missing context pair", kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"purpose": "test"}}, "InvalidCiphertextException"},
		{"no context", kms.DecryptInput{CiphertextBlob: blob}, "InvalidCiphertextException"},
		{"a damaged blob", kms.DecryptInput{CiphertextBlob: append(bytes.Clone(blob[:len(blob)-1]), blob[len(blob)-1]^1), EncryptionContext: ec}, "InvalidCiphertextException"},
		{"not a blob at all", kms.DecryptInput{CiphertextBlob: []byte("garbage")}, "InvalidCiphertextException"},
		{"KeyId of another key", kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec, KeyId: aws.String(svcSharedKey)}, "IncorrectKeyException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Decrypt(ctx, &tt.in)
			wantSvcErr(t, err, tt.code, http.StatusBadRequest, "")
		})
	}
}

// TestKMSGenerateDataKey: data keys of the requested size, whose
// CiphertextBlob decrypts to the Plaintext under the same context.
func TestKMSGenerateDataKey(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	c := s.kms(t, svcKeys["crypto"])
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::svc-data/a.txt"}
	tests := []struct {
		name string
		in   kms.GenerateDataKeyInput
		size int
		code string
	}{
		{"AES_256", kms.GenerateDataKeyInput{KeyId: aws.String("alias/data"), KeySpec: kmstypes.DataKeySpecAes256, EncryptionContext: ec}, 32, ""},
		{"AES_128", kms.GenerateDataKeyInput{KeyId: aws.String(svcDefaultKey), KeySpec: kmstypes.DataKeySpecAes128}, 16, ""},
		{"NumberOfBytes", kms.GenerateDataKeyInput{KeyId: aws.String(svcDefaultKey), NumberOfBytes: aws.Int32(64)}, 64, ""},
		{"neither", kms.GenerateDataKeyInput{KeyId: aws.String(svcDefaultKey)}, 0, "ValidationException"},
		{"both", kms.GenerateDataKeyInput{KeyId: aws.String(svcDefaultKey), KeySpec: kmstypes.DataKeySpecAes256, NumberOfBytes: aws.Int32(32)}, 0, "ValidationException"},
		{"too many bytes", kms.GenerateDataKeyInput{KeyId: aws.String(svcDefaultKey), NumberOfBytes: aws.Int32(1025)}, 0, "ValidationException"},
		{"unknown alias", kms.GenerateDataKeyInput{KeyId: aws.String("alias/nope"), KeySpec: kmstypes.DataKeySpecAes256}, 0, "NotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.GenerateDataKey(ctx, &tt.in)
			if tt.code != "" {
				wantSvcErr(t, err, tt.code, http.StatusBadRequest, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Plaintext) != tt.size || aws.ToString(out.KeyId) != svcDefaultKey {
				t.Fatalf("Plaintext is %d bytes, KeyId %s; want %d bytes, %s", len(out.Plaintext), aws.ToString(out.KeyId), tt.size, svcDefaultKey)
			}
			dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: tt.in.EncryptionContext})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dec.Plaintext, out.Plaintext) {
				t.Error("the data key does not decrypt to its plaintext")
			}
		})
	}
}

// TestKMSAccessDenied: the key policy must allow the caller, or delegate
// to its account with an IAM policy allowing too (docs/authorization.md §3.4); denials are
// AccessDeniedException with HTTP 400 and KMS's message (docs/authorization.md §3.6).
func TestKMSAccessDenied(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	lockedBlob := s.encrypt(t, svcKeys["admin"], svcLockedKey, "locked", nil)
	tests := []struct {
		name   string
		caller string
		call   func(c *kms.Client) error
		want   string // "" for success
	}{
		{"§3.4 key policy names neither the caller nor its account", "crypto", func(c *kms.Client) error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: lockedBlob})
			return err
		}, "User: arn:aws:iam::111111111111:user/crypto is not authorized to perform: kms:Decrypt on resource: " + svcLockedKey + " because no resource-based policy allows the kms:Decrypt action"},
		{"§3.4 key policy names the caller", "admin", func(c *kms.Client) error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: lockedBlob})
			return err
		}, ""},
		{"§3.4 default key policy, no IAM policy", "bob", func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/data"), Plaintext: []byte("x")})
			return err
		}, "User: arn:aws:iam::111111111111:user/bob is not authorized to perform: kms:Encrypt on resource: " + svcDefaultKey + " because no identity-based policy allows the kms:Encrypt action"},
		{"§3.5 kms:EncryptionContext condition met", "tenant", func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/data"), Plaintext: []byte("x"), EncryptionContext: map[string]string{"tenant": "a"}})
			return err
		}, ""},
		{"§3.5 kms:EncryptionContext condition not met", "tenant", func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/data"), Plaintext: []byte("x"), EncryptionContext: map[string]string{"tenant": "b"}})
			return err
		}, "because no identity-based policy allows the kms:Encrypt action"},
		{"§3.4 DescribeKey through IAM and the default key policy", "crypto", func(c *kms.Client) error {
			_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/data")})
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(s.kms(t, svcKeys[tt.caller]))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantSvcErr(t, err, "AccessDeniedException", http.StatusBadRequest, tt.want)
		})
	}
}

// TestKMSCrossAccount: a caller from another account needs both the key
// policy and its own IAM policy, names the key by ARN, and may be granted
// cryptographic operations only (docs/authorization.md §3.4 "Cross-account").
func TestKMSCrossAccount(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	sharedBlob := s.encrypt(t, svcKeys["admin"], svcSharedKey, "shared", nil)
	defaultBlob := s.encrypt(t, svcKeys["admin"], svcDefaultKey, "own", nil)
	decrypt := func(blob []byte) func(c *kms.Client) error {
		return func(c *kms.Client) error {
			out, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
			if err == nil && string(out.Plaintext) != "shared" {
				t.Errorf("Plaintext = %q", out.Plaintext)
			}
			return err
		}
	}
	tests := []struct {
		name   string
		caller string
		call   func(c *kms.Client) error
		code   string
		want   string
	}{
		{"key policy and IAM allow", "carol", decrypt(sharedBlob), "", ""},
		{"key policy allows, no IAM policy", "dave", decrypt(sharedBlob), "AccessDeniedException",
			"User: arn:aws:iam::222222222222:user/dave is not authorized to perform: kms:Decrypt on resource: " + svcSharedKey + " because no identity-based policy allows the kms:Decrypt action"},
		{"IAM allows, key policy does not", "carol", decrypt(defaultBlob), "AccessDeniedException",
			"User: arn:aws:iam::222222222222:user/carol is not authorized to perform: kms:Decrypt on resource: " + svcDefaultKey + " because no resource-based policy allows the kms:Decrypt action"},
		{"Encrypt by key ARN", "carol", func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(svcSharedKey), Plaintext: []byte("x")})
			return err
		}, "", ""},
		{"a key ID resolves in the caller's own account", "carol", func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("33333333-3333-4333-8333-333333333333"), Plaintext: []byte("x")})
			return err
		}, "NotFoundException", "Key 'arn:aws:kms:us-east-1:222222222222:key/33333333-3333-4333-8333-333333333333' does not exist"},
		{"so does an alias name", "carol", func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/shared"), Plaintext: []byte("x")})
			return err
		}, "NotFoundException", "Alias arn:aws:kms:us-east-1:222222222222:alias/shared is not found."},
		{"an alias ARN works", "carol", func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("arn:aws:kms:us-east-1:111111111111:alias/shared"), Plaintext: []byte("x")})
			return err
		}, "", ""},
		{"GetKeyPolicy is never granted across accounts", "carol", func(c *kms.Client) error {
			_, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(svcSharedKey)})
			return err
		}, "AccessDeniedException", "kms:GetKeyPolicy on resource: " + svcSharedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(s.kms(t, svcKeys[tt.caller]))
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantSvcErr(t, err, tt.code, http.StatusBadRequest, tt.want)
		})
	}
}

// TestKMSKeyLifecycle: CreateKey, DescribeKey, GetKeyPolicy,
// PutKeyPolicy (with the lockout safety check), CreateAlias and
// ListAliases.
func TestKMSKeyLifecycle(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	admin := s.kms(t, svcKeys["admin"])
	before := time.Now().Add(-time.Second)
	created, err := admin.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("made by the test")})
	if err != nil {
		t.Fatal(err)
	}
	md := created.KeyMetadata
	id := aws.ToString(md.KeyId)
	arn := "arn:aws:kms:us-east-1:111111111111:key/" + id
	if aws.ToString(md.Arn) != arn || aws.ToString(md.AWSAccountId) != svcAcct1 || aws.ToString(md.Description) != "made by the test" ||
		md.KeyState != kmstypes.KeyStateEnabled || !md.Enabled || md.KeyManager != kmstypes.KeyManagerTypeCustomer ||
		md.KeySpec != kmstypes.KeySpecSymmetricDefault || md.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt || md.Origin != kmstypes.OriginTypeAwsKms {
		t.Errorf("KeyMetadata = %+v", md)
	}
	if cd := aws.ToTime(md.CreationDate); cd.Before(before) || cd.After(time.Now().Add(time.Second)) {
		t.Errorf("CreationDate = %v; want now", cd)
	}

	desc, err := admin.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToTime(desc.KeyMetadata.CreationDate).Equal(aws.ToTime(md.CreationDate)) || aws.ToString(desc.KeyMetadata.Arn) != arn {
		t.Errorf("DescribeKey = %+v; CreateKey said %+v", desc.KeyMetadata, md)
	}
	pol, err := admin.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(pol.Policy), `"arn:aws:iam::111111111111:root"`) || aws.ToString(pol.PolicyName) != "default" {
		t.Errorf("the default key policy = %s (%s)", aws.ToString(pol.Policy), aws.ToString(pol.PolicyName))
	}

	if _, err := admin.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/made"), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/made"), TargetKeyId: aws.String(svcDefaultKey)})
	wantSvcErr(t, err, "AlreadyExistsException", http.StatusBadRequest, "An alias with the name arn:aws:kms:us-east-1:111111111111:alias/made already exists")
	_, err = admin.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/s3"), TargetKeyId: aws.String(id)})
	wantSvcErr(t, err, "InvalidAliasNameException", http.StatusBadRequest, "reserved")
	_, err = s.kms(t, svcKeys["crypto"]).CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/mine"), TargetKeyId: aws.String(id)})
	wantSvcErr(t, err, "AccessDeniedException", http.StatusBadRequest, "kms:CreateAlias on resource: arn:aws:kms:us-east-1:111111111111:alias/mine")
	aliases, err := admin.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range aliases.Aliases {
		names = append(names, aws.ToString(a.AliasName)+"->"+aws.ToString(a.TargetKeyId))
	}
	want := "alias/data->11111111-1111-4111-8111-111111111111 alias/made->" + id + " alias/shared->33333333-3333-4333-8333-333333333333"
	if strings.Join(names, " ") != want {
		t.Errorf("ListAliases = %v; want %s", names, want)
	}
	page, err := admin.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Aliases) != 2 || !page.Truncated {
		t.Fatalf("first page: %d aliases, truncated %v", len(page.Aliases), page.Truncated)
	}
	page, err = admin.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(2), Marker: page.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Aliases) != 1 || page.Truncated || aws.ToString(page.Aliases[0].AliasName) != "alias/shared" {
		t.Errorf("second page = %+v", page)
	}
	if blob := s.encrypt(t, svcKeys["admin"], "alias/made", "via the new alias", nil); len(blob) == 0 {
		t.Error("empty ciphertext")
	}

	// A policy that would lock the caller out is refused unless the
	// safety check is bypassed; then the caller is locked out indeed.
	bobOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/bob"},"Action":"kms:*","Resource":"*"}]}`
	_, err = admin.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(bobOnly)})
	wantSvcErr(t, err, "MalformedPolicyDocumentException", http.StatusBadRequest, "The new key policy will not allow you to update the key policy in the future.")
	_, err = admin.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String("alias/made"), Policy: aws.String(bobOnly)})
	wantSvcErr(t, err, "NotFoundException", http.StatusBadRequest, "takes a key ID or key ARN")
	if _, err := admin.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(bobOnly), BypassPolicyLockoutSafetyCheck: true}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
	wantSvcErr(t, err, "AccessDeniedException", http.StatusBadRequest, "because no resource-based policy allows the kms:GetKeyPolicy action")
	got, err := s.kms(t, svcKeys["bob"]).GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Policy) != bobOnly {
		t.Errorf("GetKeyPolicy = %s; want the policy as put", aws.ToString(got.Policy))
	}
}

// TestKMSMalformedPolicy: key policies are checked by the policy parser
// and rejected with its reason.
func TestKMSMalformedPolicy(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	admin := s.kms(t, svcKeys["admin"])
	tests := []struct {
		name, policy, want string
	}{
		{"not JSON", `{"Version":"2012-10-17"`, "line 1, column"},
		{"no Principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, "Principal"},
		{"bad Effect", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`, "Effect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := admin.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(tt.policy)})
			wantSvcErr(t, err, "MalformedPolicyDocumentException", http.StatusBadRequest, tt.want)
			_, err = admin.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(svcDefaultKey), Policy: aws.String(tt.policy)})
			wantSvcErr(t, err, "MalformedPolicyDocumentException", http.StatusBadRequest, tt.want)
		})
	}
}

// TestKMSExpiredSession: KMS answers expired session credentials with
// ExpiredTokenException.
func TestKMSExpiredSession(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	s.shift(-14 * time.Minute)
	session := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("short"), DurationSeconds: aws.Int32(900)})
	s.shift(10 * time.Minute)
	_, err := s.kms(t, session).Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String("alias/data"), Plaintext: []byte("x")})
	wantSvcErr(t, err, "ExpiredTokenException", http.StatusBadRequest, "The security token included in the request is expired")
}

// TestSTSAndKMSWithAWSCLI drives the emulator with the AWS CLI v2, when
// it is installed: sts get-caller-identity, kms encrypt and decrypt, and
// an IAM policy round trip (the CLI URL-decodes GetUserPolicy's document).
func TestSTSAndKMSWithAWSCLI(t *testing.T) {
	const cli = "/usr/bin/aws"
	if _, err := os.Stat(cli); err != nil {
		t.Skip("the AWS CLI is not installed at " + cli)
	}
	s := startEmulator(t, svcWorldYAML)
	home := t.TempDir()
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			base = append(base, kv)
		}
	}
	base = append(base,
		"HOME="+home,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_PAGER=",
	)
	run := func(user string, args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append([]string{"--endpoint-url", s.Endpoint(), "--output", "json"}, args...)...)
		cmd.Env = append(base, "AWS_ACCESS_KEY_ID="+svcKeys[user].AccessKeyID, "AWS_SECRET_ACCESS_KEY="+svcKeys[user].SecretAccessKey)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out
	}

	var id struct{ Arn, Account, UserId string }
	if err := json.Unmarshal(run("crypto", "sts", "get-caller-identity"), &id); err != nil {
		t.Fatal(err)
	}
	if id.Arn != "arn:aws:iam::111111111111:user/crypto" || id.Account != svcAcct1 {
		t.Errorf("get-caller-identity = %+v", id)
	}

	var enc struct{ CiphertextBlob, KeyId string }
	if err := json.Unmarshal(run("crypto", "kms", "encrypt", "--key-id", "alias/data", "--plaintext", base64.StdEncoding.EncodeToString([]byte("from the CLI")),
		"--encryption-context", "purpose=cli"), &enc); err != nil {
		t.Fatal(err)
	}
	if enc.KeyId != svcDefaultKey {
		t.Errorf("kms encrypt KeyId = %s", enc.KeyId)
	}
	blob, err := base64.StdEncoding.DecodeString(enc.CiphertextBlob)
	if err != nil {
		t.Fatal(err)
	}
	blobFile := filepath.Join(home, "blob")
	if err := os.WriteFile(blobFile, blob, 0o600); err != nil {
		t.Fatal(err)
	}
	var dec struct{ Plaintext string }
	if err := json.Unmarshal(run("crypto", "kms", "decrypt", "--ciphertext-blob", "fileb://"+blobFile, "--encryption-context", "purpose=cli"), &dec); err != nil {
		t.Fatal(err)
	}
	if plain, _ := base64.StdEncoding.DecodeString(dec.Plaintext); string(plain) != "from the CLI" {
		t.Errorf("kms decrypt = %q", plain)
	}

	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::svc-data/*"}]}`
	run("admin", "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "cli", "--policy-document", doc)
	var got struct {
		PolicyDocument struct {
			Statement []struct{ Action, Resource string }
		}
	}
	if err := json.Unmarshal(run("admin", "iam", "get-user-policy", "--user-name", "bob", "--policy-name", "cli"), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.PolicyDocument.Statement) != 1 || got.PolicyDocument.Statement[0].Resource != "arn:aws:s3:::svc-data/*" {
		t.Errorf("get-user-policy = %+v", got)
	}
}
