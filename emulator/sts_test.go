package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/world"
)

// svcWorldYAML is the world of the STS, IAM and KMS tests.
//
// Account 111111111111:
//   - admin may do anything; alice may assume Reader; bob has no
//     policy; crypto may use every key of the account through IAM;
//     tenant may encrypt only with the encryption context tenant=a.
//   - Reader trusts the account (IAM decides), Private trusts admin only,
//     Named trusts bob by ARN, Vendor trusts alice with ExternalId xyz
//     and a session name vendor-*, Partner trusts account 222222222222.
//   - key 1111 has the default key policy (alias/data); key 2222 is
//     locked: its policy names admin only; key 3333 is shared with
//     account 222222222222 for Encrypt and Decrypt.
//
// Account 222222222222: carol's IAM policy allows assuming Partner and
// decrypting with the shared key and key 1111; dave has no policy.
const svcWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIASVCADMIN00000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: alice
        access_keys: [{id: AKIASVCALICE00000001, secret: alice-secret}]
        policies:
          assume:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: sts:AssumeRole, Resource: ["arn:aws:iam::111111111111:role/Reader", "arn:aws:iam::111111111111:role/Private"]}
      - name: bob
        access_keys: [{id: AKIASVCBOB0000000001, secret: bob-secret}]
      - name: crypto
        access_keys: [{id: AKIASVCCRYPTO0000001, secret: crypto-secret}]
        policies:
          keys: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "arn:aws:kms:us-east-1:111111111111:key/*"}]}
      - name: tenant
        access_keys: [{id: AKIASVCTENANT0000001, secret: tenant-secret}]
        policies:
          tenant-a:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [kms:Encrypt, kms:Decrypt]
                Resource: "arn:aws:kms:us-east-1:111111111111:key/*"
                Condition: {StringEquals: {"kms:EncryptionContext:tenant": a}}
    roles:
      - name: Reader
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]
        policies:
          rw:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:ListBucket, s3:GetObject, s3:PutObject]
                Resource: ["arn:aws:s3:::svc-data", "arn:aws:s3:::svc-data/*"]
              - {Effect: Allow, Action: sts:AssumeRole, Resource: "*"}
      - name: Private
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:user/admin"}, Action: sts:AssumeRole}]
      - name: Named
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:user/bob"}, Action: sts:AssumeRole}]
      - name: Vendor
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:user/alice"}
              Action: sts:AssumeRole
              Condition: {StringEquals: {"sts:ExternalId": xyz}, StringLike: {"sts:RoleSessionName": "vendor-*"}}
      - name: Partner
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "222222222222"}, Action: sts:AssumeRole}]
    buckets:
      - name: svc-data
        objects: {a.txt: "hello"}
    keys:
      - id: 11111111-1111-4111-8111-111111111111
        description: default key policy
        aliases: [alias/data]
      - id: 22222222-2222-4222-8222-222222222222
        description: locked
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: AdminOnly, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:user/admin"}, Action: "kms:*", Resource: "*"}
      - id: 33333333-3333-4333-8333-333333333333
        description: shared with 222222222222
        aliases: [alias/shared]
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: Owner, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "kms:*", Resource: "*"}
            - {Sid: Partner, Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: [kms:Encrypt, kms:Decrypt], Resource: "*"}
  - id: "222222222222"
    users:
      - name: carol
        access_keys: [{id: AKIASVCCAROL00000002, secret: carol-secret}]
        policies:
          cross:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: sts:AssumeRole, Resource: "arn:aws:iam::111111111111:role/*"}
              - {Effect: Allow, Action: ["kms:Decrypt", "kms:Encrypt", "kms:DescribeKey", "kms:GetKeyPolicy"], Resource: "arn:aws:kms:us-east-1:111111111111:key/*"}
      - name: dave
        access_keys: [{id: AKIASVCDAVE000000002, secret: dave-secret}]
`

const (
	svcAcct1       = "111111111111"
	svcAcct2       = "222222222222"
	svcDefaultKey  = "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-4111-8111-111111111111"
	svcLockedKey   = "arn:aws:kms:us-east-1:111111111111:key/22222222-2222-4222-8222-222222222222"
	svcSharedKey   = "arn:aws:kms:us-east-1:111111111111:key/33333333-3333-4333-8333-333333333333"
	svcReaderRole  = "arn:aws:iam::111111111111:role/Reader"
	svcPrivateRole = "arn:aws:iam::111111111111:role/Private"
	svcNamedRole   = "arn:aws:iam::111111111111:role/Named"
	svcPartnerRole = "arn:aws:iam::111111111111:role/Partner"
	svcVendorRole  = "arn:aws:iam::111111111111:role/Vendor"
)

// svcKeys are the access keys of svcWorldYAML by user name.
var svcKeys = map[string]aws.Credentials{
	"admin":  {AccessKeyID: "AKIASVCADMIN00000001", SecretAccessKey: "admin-secret"},
	"alice":  {AccessKeyID: "AKIASVCALICE00000001", SecretAccessKey: "alice-secret"},
	"bob":    {AccessKeyID: "AKIASVCBOB0000000001", SecretAccessKey: "bob-secret"},
	"crypto": {AccessKeyID: "AKIASVCCRYPTO0000001", SecretAccessKey: "crypto-secret"},
	"tenant": {AccessKeyID: "AKIASVCTENANT0000001", SecretAccessKey: "tenant-secret"},
	"carol":  {AccessKeyID: "AKIASVCCAROL00000002", SecretAccessKey: "carol-secret"},
	"dave":   {AccessKeyID: "AKIASVCDAVE000000002", SecretAccessKey: "dave-secret"},
}

// svcServer is a running emulator with a clock the test can move.
type svcServer struct {
	*emulator.Server
	offset atomic.Int64 // added to time.Now, in nanoseconds
}

// shift moves the emulator's clock to time.Now() + d.
func (s *svcServer) shift(d time.Duration) { s.offset.Store(int64(d)) }

// startEmulator starts the emulator, for real, on a free port, on the
// world of worldYAML (none: the data directory's, else the demo world),
// with a data directory of its own and the test's clock (see shift);
// opts change the options before it starts. It closes when the test ends.
func startEmulator(t *testing.T, worldYAML string, opts ...func(*emulator.Options)) *svcServer {
	t.Helper()
	// The machine points AWS_CA_BUNDLE at a file; the SDK would load it
	// for a plain-HTTP endpoint all the same.
	t.Setenv("AWS_CA_BUNDLE", "")
	s := &svcServer{}
	o := emulator.Options{
		Addr:     "127.0.0.1:0",
		DataDir:  t.TempDir(),
		Now:      func() time.Time { return time.Now().Add(time.Duration(s.offset.Load())) },
		ErrorLog: io.Discard,
	}
	if worldYAML != "" {
		m, err := world.Decode([]byte(worldYAML), t.Name()+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		o.World, o.WorldFile = m, t.Name()+".yaml"
	}
	for _, opt := range opts {
		opt(&o)
	}
	srv, err := emulator.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s.Server = srv
	return s
}

// withAudit is the option of startEmulator that writes the audit log to
// audit.
func withAudit(audit io.Writer) func(*emulator.Options) {
	return func(o *emulator.Options) { o.Audit = audit }
}

// cfg returns an SDK configuration that signs with creds and sends every
// request to the emulator, without retries.
func (s *svcServer) cfg(t *testing.T, creds aws.Credentials) aws.Config {
	t.Helper()
	c, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)),
		config.WithBaseEndpoint(s.Endpoint()),
		config.WithRetryMaxAttempts(1),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *svcServer) sts(t *testing.T, creds aws.Credentials) *sts.Client {
	return sts.NewFromConfig(s.cfg(t, creds))
}

func (s *svcServer) s3(t *testing.T, creds aws.Credentials) *s3.Client {
	return s3.NewFromConfig(s.cfg(t, creds), func(o *s3.Options) { o.UsePathStyle = true })
}

// assume assumes a role and returns the session's credentials.
func (s *svcServer) assume(t *testing.T, caller aws.Credentials, in *sts.AssumeRoleInput) aws.Credentials {
	t.Helper()
	out, err := s.sts(t, caller).AssumeRole(context.Background(), in)
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", aws.ToString(in.RoleArn), err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
}

// svcErr is the code, message and HTTP status of a failed call.
type svcErr struct {
	Code, Message string
	Status        int
}

func asSvcErr(t *testing.T, err error) svcErr {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded; want an error")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	out := svcErr{Code: ae.ErrorCode(), Message: ae.ErrorMessage()}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		out.Status = re.HTTPStatusCode()
	}
	return out
}

// wantSvcErr checks a call's error: its code, its HTTP status (0: any), and
// that its message contains msg.
func wantSvcErr(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	ae := asSvcErr(t, err)
	if ae.Code != code || (status != 0 && ae.Status != status) || !strings.Contains(ae.Message, msg) {
		t.Errorf("error = %s (HTTP %d): %q\nwant %s (HTTP %d) with message containing %q", ae.Code, ae.Status, ae.Message, code, status, msg)
	}
}

// TestSTSGetCallerIdentity: GetCallerIdentity needs no permission and
// names users and role sessions as AWS does.
func TestSTSGetCallerIdentity(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	session := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("alice-session")})
	tests := []struct {
		name       string
		creds      aws.Credentials
		arn        string
		userIDHead string
		userIDTail string
	}{
		{"user", svcKeys["bob"], "arn:aws:iam::111111111111:user/bob", "AIDA", ""},
		{"user of another account", svcKeys["dave"], "arn:aws:iam::222222222222:user/dave", "AIDA", ""},
		{"assumed-role session", session, "arn:aws:sts::111111111111:assumed-role/Reader/alice-session", "AROA", ":alice-session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.sts(t, tt.creds).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			acct := strings.Split(tt.arn, ":")[4]
			if aws.ToString(out.Arn) != tt.arn || aws.ToString(out.Account) != acct {
				t.Errorf("Arn, Account = %s, %s; want %s, %s", aws.ToString(out.Arn), aws.ToString(out.Account), tt.arn, acct)
			}
			if id := aws.ToString(out.UserId); !strings.HasPrefix(id, tt.userIDHead) || !strings.HasSuffix(id, tt.userIDTail) {
				t.Errorf("UserId = %s; want %s...%s", id, tt.userIDHead, tt.userIDTail)
			}
		})
	}
}

// TestSTSQueryProtocolXML checks the wire shape of a query-protocol
// response, element for element, with a request signed by hand.
func TestSTSQueryProtocolXML(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	resp := svcSignedPost(t, s, "sts", svcKeys["bob"], "Action=GetCallerIdentity&Version=2011-06-15")
	if resp.status != http.StatusOK || resp.contentType != "text/xml" {
		t.Fatalf("HTTP %d, Content-Type %q: %s", resp.status, resp.contentType, resp.body)
	}
	var got struct {
		XMLName xml.Name
		Result  struct {
			Arn, UserId, Account string
		} `xml:"GetCallerIdentityResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal(resp.body, &got); err != nil {
		t.Fatal(err)
	}
	want := xml.Name{Space: "https://sts.amazonaws.com/doc/2011-06-15/", Local: "GetCallerIdentityResponse"}
	if got.XMLName != want || got.Result.Arn != "arn:aws:iam::111111111111:user/bob" || got.Result.Account != svcAcct1 || got.RequestID == "" {
		t.Errorf("response = %s", resp.body)
	}

	// Unknown actions and versions are InvalidAction, in the query
	// protocol's error shape.
	for _, form := range []string{"Action=GetSessionToken&Version=2011-06-15", "Action=GetCallerIdentity&Version=2010-05-08"} {
		resp := svcSignedPost(t, s, "sts", svcKeys["bob"], form)
		if resp.status != http.StatusBadRequest || !bytes.Contains(resp.body, []byte("<Code>InvalidAction</Code>")) || !bytes.Contains(resp.body, []byte("<Type>Sender</Type>")) {
			t.Errorf("%s: HTTP %d: %s", form, resp.status, resp.body)
		}
	}
}

type svcRawResponse struct {
	status      int
	contentType string
	body        []byte
}

// svcSignedPost sends a form-encoded POST signed for service, as the query
// protocol's clients do.
func svcSignedPost(t *testing.T, s *svcServer, service string, creds aws.Credentials, form string) svcRawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.Endpoint()+"/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return svcRawResponse{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body}
}

// TestSTSAssumeRole: sts:AssumeRole is authorized on the role ARN against
// its trust policy (docs/authorization.md §1.3 "Exceptions": the trust policy must allow
// the principal, or delegate to its account and IAM allows) and, across
// accounts, against both sides (docs/authorization.md §1.4).
func TestSTSAssumeRole(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	denied := func(caller, role string) string {
		return "User: " + caller + " is not authorized to perform: sts:AssumeRole on resource: " + role
	}
	tests := []struct {
		name       string
		caller     string
		role       string
		session    string // "": s-CALLER
		externalID string
		// denial is the expected AccessDenied message; "" for success.
		denial string
	}{
		{"§1.3 trust delegates to the account and IAM allows", "alice", svcReaderRole, "", "", ""},
		{"§1.3 trust delegates to the account, no IAM policy", "bob", svcReaderRole, "", "", denied("arn:aws:iam::111111111111:user/bob", svcReaderRole)},
		{"§1.3 trust names someone else although IAM allows", "alice", svcPrivateRole, "", "", denied("arn:aws:iam::111111111111:user/alice", svcPrivateRole)},
		{"§1.3 trust names the user: no IAM policy needed", "bob", svcNamedRole, "", "", ""},
		{"§1.4 cross-account: trust and IAM both allow", "carol", svcPartnerRole, "", "", ""},
		{"§1.4 cross-account: trust allows, no IAM policy", "dave", svcPartnerRole, "", "", denied("arn:aws:iam::222222222222:user/dave", svcPartnerRole)},
		{"§1.4 cross-account: IAM allows, trust does not", "carol", svcReaderRole, "", "", denied("arn:aws:iam::222222222222:user/carol", svcReaderRole)},
		{"role that does not exist", "alice", "arn:aws:iam::111111111111:role/Nope", "", "", denied("arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:role/Nope")},
		{"trust conditions on sts:ExternalId and sts:RoleSessionName met", "alice", svcVendorRole, "vendor-1", "xyz", ""},
		{"without the ExternalId", "alice", svcVendorRole, "vendor-1", "", denied("arn:aws:iam::111111111111:user/alice", svcVendorRole)},
		{"with another session name", "alice", svcVendorRole, "other", "xyz", denied("arn:aws:iam::111111111111:user/alice", svcVendorRole)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			session := tt.session
			if session == "" {
				session = "s-" + tt.caller
			}
			in := &sts.AssumeRoleInput{RoleArn: aws.String(tt.role), RoleSessionName: aws.String(session)}
			if tt.externalID != "" {
				in.ExternalId = aws.String(tt.externalID)
			}
			out, err := s.sts(t, svcKeys[tt.caller]).AssumeRole(context.Background(), in)
			if tt.denial != "" {
				ae := asSvcErr(t, err)
				if ae.Code != "AccessDenied" || ae.Status != http.StatusForbidden || ae.Message != tt.denial {
					t.Errorf("error = %s (HTTP %d) %q\nwant AccessDenied (HTTP 403) %q", ae.Code, ae.Status, ae.Message, tt.denial)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			roleName := tt.role[strings.LastIndexByte(tt.role, '/')+1:]
			wantARN := "arn:aws:sts::111111111111:assumed-role/" + roleName + "/" + session
			if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
				t.Errorf("AssumedRoleUser.Arn = %s; want %s", got, wantARN)
			}
			if id := aws.ToString(out.AssumedRoleUser.AssumedRoleId); !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":"+session) {
				t.Errorf("AssumedRoleId = %s", id)
			}
			c := out.Credentials
			if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SessionToken) == "" {
				t.Errorf("Credentials = %+v", c)
			}
			if exp := aws.ToTime(c.Expiration); exp.Before(start.Add(time.Hour-2*time.Second)) || exp.After(time.Now().Add(time.Hour)) {
				t.Errorf("Expiration = %v; want one hour from now (the default DurationSeconds)", exp)
			}
			creds := aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
			id, err := s.sts(t, creds).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(id.Arn) != wantARN {
				t.Errorf("the session's GetCallerIdentity Arn = %s; want %s", aws.ToString(id.Arn), wantARN)
			}
		})
	}
}

// TestSTSAssumeRoleValidation: parameters are checked before
// authorization, with the query protocol's ValidationError and AWS's
// wording.
func TestSTSAssumeRoleValidation(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	tests := []struct {
		name       string
		in         sts.AssumeRoleInput
		code, want string
	}{
		{"session name too short", sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("x")},
			"ValidationError", "Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"session name with a space", sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("a b")},
			"ValidationError", "at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"duration below 900 seconds", sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(100)},
			"ValidationError", "Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"duration above 12 hours", sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(43201)},
			"ValidationError", "Member must have value less than or equal to 43200"},
		{"session policy that is not JSON", sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("ok"), Policy: aws.String(`{"Version":"2012-10-17",`)},
			"MalformedPolicyDocument", "line 1, column"},
		{"session policy with a Principal", sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("ok"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)},
			"MalformedPolicyDocument", "Principal"},
		{"managed session policies", sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("ok"),
			PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}},
			"ValidationError", "PolicyArns is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.sts(t, svcKeys["alice"]).AssumeRole(context.Background(), &tt.in)
			wantSvcErr(t, err, tt.code, http.StatusBadRequest, tt.want)
		})
	}
}

// TestSTSRoleChaining: a role session may assume another role, for at
// most one hour.
func TestSTSRoleChaining(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	session := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("first")})
	_, err := s.sts(t, session).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("second"), DurationSeconds: aws.Int32(7200)})
	wantSvcErr(t, err, "ValidationError", http.StatusBadRequest, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	chained := s.assume(t, session, &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("second")})
	id, err := s.sts(t, chained).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Arn); got != "arn:aws:sts::111111111111:assumed-role/Reader/second" {
		t.Errorf("chained session Arn = %s", got)
	}
}

// TestSTSSessionPolicy: a session policy is a ceiling on the role's
// permissions (docs/authorization.md §1.3 step 7): the role may write, the session may
// only read.
func TestSTSSessionPolicy(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	readOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::svc-data/*"}]}`
	limited := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("limited"), Policy: aws.String(readOnly)})
	full := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("full")})

	put := func(creds aws.Credentials) error {
		_, err := s.s3(t, creds).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("svc-data"), Key: aws.String("b.txt"), Body: strings.NewReader("b")})
		return err
	}
	if _, err := s.s3(t, limited).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("svc-data"), Key: aws.String("a.txt")}); err != nil {
		t.Errorf("GetObject with the session policy: %v", err)
	}
	wantSvcErr(t, put(limited), "AccessDenied", http.StatusForbidden,
		`User: arn:aws:sts::111111111111:assumed-role/Reader/limited is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::svc-data/b.txt" because no session policy allows the s3:PutObject action`)
	if err := put(full); err != nil {
		t.Errorf("PutObject without a session policy: %v", err)
	}
}

// TestSTSExpiredSession: a session's credentials stop working when it
// expires, with each service's ExpiredToken error.
func TestSTSExpiredSession(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	// Assume the role 14 minutes in the past (within the 15 minutes of
	// clock skew SigV4 allows) for the shortest session, 15 minutes: it
	// expires a minute from now.
	s.shift(-14 * time.Minute)
	session := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("short"), DurationSeconds: aws.Int32(900)})
	s.shift(0)
	if _, err := s.sts(t, session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the session fails before it expires: %v", err)
	}
	s.shift(10 * time.Minute)
	_, err := s.sts(t, session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantSvcErr(t, err, "ExpiredToken", http.StatusForbidden, "The security token included in the request is expired")
	_, err = s.s3(t, session).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("svc-data"), Key: aws.String("a.txt")})
	wantSvcErr(t, err, "ExpiredToken", http.StatusBadRequest, "The provided token has expired.")
}

// TestSTSSessionToken: temporary credentials work only with their
// session token (X-Amz-Security-Token).
func TestSTSSessionToken(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	session := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("tok")})
	noToken := session
	noToken.SessionToken = ""
	wrongToken := session
	wrongToken.SessionToken = "lockstep-session-0000"
	tests := []struct {
		name  string
		creds aws.Credentials
		code  string
	}{
		{"without the token", noToken, "InvalidClientTokenId"},
		{"with another token", wrongToken, "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.sts(t, tt.creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			wantSvcErr(t, err, tt.code, http.StatusForbidden, "The security token included in the request is invalid.")
		})
	}
	_, err := s.s3(t, noToken).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("svc-data"), Key: aws.String("a.txt")})
	wantSvcErr(t, err, "InvalidAccessKeyId", http.StatusForbidden, "")
}

// svcForm is a helper for tests that build query-protocol bodies.
func svcForm(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

// svcAudit collects audit records; the server writes each after its
// response, so readers wait for them: Write signals every record written.
type svcAudit struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written *sync.Cond // on mu
}

func (a *svcAudit) cond() *sync.Cond {
	if a.written == nil {
		a.written = sync.NewCond(&a.mu)
	}
	return a.written
}

func (a *svcAudit) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	defer a.cond().Broadcast()
	return a.buf.Write(p)
}

// wait returns the first n records, waiting up to five seconds for the
// server to write them.
func (a *svcAudit) wait(t *testing.T, n int) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		a.mu.Lock()
		a.cond().Broadcast()
		a.mu.Unlock()
	})
	defer stop()
	a.mu.Lock()
	lines := a.lines()
	for len(lines) < n && ctx.Err() == nil {
		a.cond().Wait()
		lines = a.lines()
	}
	a.mu.Unlock()
	if len(lines) < n {
		t.Fatalf("%d audit records after 5s; want %d", len(lines), n)
	}
	var out []map[string]any
	for _, l := range lines[:n] {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("audit record %s: %v", l, err)
		}
		out = append(out, rec)
	}
	return out
}

// lines returns the complete records written so far; a.mu is held.
func (a *svcAudit) lines() []string {
	text := a.buf.String()
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		return strings.Split(text[:i], "\n")
	}
	return nil
}

// TestSTSAuditRecords: STS, IAM and KMS calls are CloudTrail records with
// the operation name, the request parameters and, for denials, the error.
func TestSTSAuditRecords(t *testing.T) {
	audit := &svcAudit{}
	s := startEmulator(t, svcWorldYAML, withAudit(audit))
	ctx := context.Background()
	if _, err := s.sts(t, svcKeys["alice"]).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("audited")}); err != nil {
		t.Fatal(err)
	}
	audit.wait(t, 1)
	_, err := s.sts(t, svcKeys["bob"]).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(svcPrivateRole), RoleSessionName: aws.String("nope")})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "")
	recs := audit.wait(t, 2)
	tests := []struct {
		i                       int
		source, name, errorCode string
		param, value, recipient string
	}{
		{0, "sts.amazonaws.com", "AssumeRole", "", "roleSessionName", "audited", svcAcct1},
		{1, "sts.amazonaws.com", "AssumeRole", "AccessDenied", "roleArn", svcPrivateRole, svcAcct1},
	}
	for _, tt := range tests {
		r := recs[tt.i]
		params, _ := r["requestParameters"].(map[string]any)
		code, _ := r["errorCode"].(string)
		if r["eventSource"] != tt.source || r["eventName"] != tt.name || code != tt.errorCode || params[tt.param] != tt.value || r["recipientAccountId"] != tt.recipient {
			t.Errorf("record %d = %v", tt.i, r)
		}
	}
}
