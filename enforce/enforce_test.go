package enforce_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// testWorld is in eu-west-1 so that a kms:ViaService or key ARN hard-wired
// to us-east-1 shows up.
//
//   - writer may read and write the plain buckets and the SSE-KMS buckets
//     and use every key of the account through IAM; it has no ACL, tagging,
//     version or ListAllMyBuckets permission, and may not read private.
//   - the key "locked" has a key policy that names nobody; the key "vias3"
//     lets writer use it only through S3 (kms:ViaService).
//   - partner (222222222222) has IAM permissions on src, which has no
//     bucket policy.
const testWorld = `
region: eu-west-1
accounts:
  - id: "111111111111"
    users:
      - name: writer
        policies:
          rw:
            Version: "2012-10-17"
            Statement:
              - Sid: ReadWrite
                Effect: Allow
                Action: [s3:GetObject, s3:PutObject, s3:ListBucket, s3:AbortMultipartUpload, s3:ListMultipartUploadParts]
                Resource:
                  - arn:aws:s3:::src
                  - arn:aws:s3:::src/*
                  - arn:aws:s3:::dst
                  - arn:aws:s3:::dst/*
                  - arn:aws:s3:::enc
                  - arn:aws:s3:::enc/*
                  - arn:aws:s3:::enc-bk/*
                  - arn:aws:s3:::enc-locked/*
                  - arn:aws:s3:::enc-vias3/*
              - Sid: WriteOnly
                Effect: Allow
                Action: s3:PutObject
                Resource: arn:aws:s3:::private/*
              - Sid: UseKeys
                Effect: Allow
                Action: [kms:GenerateDataKey, kms:Decrypt]
                Resource: arn:aws:kms:eu-west-1:111111111111:key/*
    keys:
      - id: 1111aaaa-0000-4000-8000-000000000001
        description: default key policy
      - id: 1111aaaa-0000-4000-8000-000000000002
        description: locked, names nobody
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: Nobody
              Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:role/NoSuchUse"}
              Action: kms:DescribeKey
              Resource: "*"
      - id: 1111aaaa-0000-4000-8000-000000000003
        description: usable through S3 only
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: ThroughS3
              Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:user/writer"}
              Action: [kms:GenerateDataKey, kms:Decrypt]
              Resource: "*"
              Condition:
                StringEquals: {kms:ViaService: s3.eu-west-1.amazonaws.com}
    roles:
      - name: NoSuchUse
    buckets:
      - name: src
      - name: dst
      - name: private
      - name: enc
        encryption: {kms_key: "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"}
      - name: enc-bk
        encryption: {kms_key: "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001", bucket_key: true}
      - name: enc-locked
        encryption: {kms_key: "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000002"}
      - name: enc-vias3
        encryption: {kms_key: "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000003"}
  - id: "222222222222"
    users:
      - name: partner
        policies:
          read:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::src/*"}
`

const (
	writer  = "arn:aws:iam::111111111111:user/writer"
	partner = "arn:aws:iam::222222222222:user/partner"
	key1    = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"
	key2    = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000002"
	key3    = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000003"
)

var env = authz.Env{Time: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), SecureTransport: true, SourceIP: "203.0.113.10"}

func loadWorld(t *testing.T, src string) *world.World {
	t.Helper()
	w, err := world.Parse([]byte(src), "enforce_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func principal(t *testing.T, w *world.World, arn string) *authz.Principal {
	t.Helper()
	p, err := w.Principal(arn)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// check is the expected shape of one enforce.Check.
type check struct {
	Action, Resource string
	Target           s3ops.Target
	KMS              bool
	Allowed          bool
}

func (c check) String() string {
	verdict := "denied"
	if c.Allowed {
		verdict = "allowed"
	}
	via := ""
	if c.KMS {
		via = " via S3"
	}
	return c.Action + " on " + c.Resource + " (" + c.Target.String() + via + "): " + verdict
}

func got(r *enforce.Result) []check {
	var out []check
	for _, c := range r.Checks {
		out = append(out, check{c.Action, c.Resource, c.Target, c.KMS != nil, c.Decision.Allowed()})
	}
	return out
}

// TestAuthorizeChecks expands operations through the s3ops catalogue into
// their IAM checks (docs/authorization.md §2.2) and S3-made KMS calls (docs/authorization.md §3.1), and
// decides each one.
func TestAuthorizeChecks(t *testing.T) {
	w := loadWorld(t, testWorld)
	obj := func(b, k string) string { return "arn:aws:s3:::" + b + "/" + k }
	tests := []struct {
		name       string
		principal  string
		call       enforce.Call
		want       []check
		wantDenied string // action of the first denied check, "" if allowed
	}{
		{
			name:       "docs/authorization.md §2.2 ListBuckets: s3:ListAllMyBuckets on * (no bucket)",
			call:       enforce.Call{Operation: "ListBuckets"},
			want:       []check{{"s3:ListAllMyBuckets", "*", s3ops.AnyResource, false, false}},
			wantDenied: "s3:ListAllMyBuckets",
		},
		{
			name: "docs/authorization.md §2.2 GetObject: s3:GetObject on the object",
			call: enforce.Call{Operation: "GetObject", Bucket: "src", Key: "a.txt"},
			want: []check{{"s3:GetObject", obj("src", "a.txt"), s3ops.Object, false, true}},
		},
		{
			name:       "docs/authorization.md §2.2 GetObject with versionId: only s3:GetObjectVersion",
			call:       enforce.Call{Operation: "GetObject", Bucket: "src", Key: "a.txt", Features: s3ops.Features{VersionID: true}},
			want:       []check{{"s3:GetObjectVersion", obj("src", "a.txt"), s3ops.Object, false, false}},
			wantDenied: "s3:GetObjectVersion",
		},
		{
			name: "docs/authorization.md §2.2 PutObject: x-amz-acl adds s3:PutObjectAcl, which writer lacks",
			call: enforce.Call{Operation: "PutObject", Bucket: "dst", Key: "a.txt", Features: s3ops.Features{ACL: true}},
			want: []check{
				{"s3:PutObject", obj("dst", "a.txt"), s3ops.Object, false, true},
				{"s3:PutObjectAcl", obj("dst", "a.txt"), s3ops.Object, false, false},
			},
			wantDenied: "s3:PutObjectAcl",
		},
		{
			name: "docs/authorization.md §2.2 PutObject: x-amz-tagging adds s3:PutObjectTagging",
			call: enforce.Call{Operation: "PutObject", Bucket: "dst", Key: "a.txt", Features: s3ops.Features{Tagging: true}},
			want: []check{
				{"s3:PutObject", obj("dst", "a.txt"), s3ops.Object, false, true},
				{"s3:PutObjectTagging", obj("dst", "a.txt"), s3ops.Object, false, false},
			},
			wantDenied: "s3:PutObjectTagging",
		},
		{
			name: "docs/authorization.md §2.2 PutObject: ACL and tagging headers together; the first denied check is reported",
			call: enforce.Call{Operation: "PutObject", Bucket: "dst", Key: "a.txt", Features: s3ops.Features{ACL: true, Tagging: true}},
			want: []check{
				{"s3:PutObject", obj("dst", "a.txt"), s3ops.Object, false, true},
				{"s3:PutObjectAcl", obj("dst", "a.txt"), s3ops.Object, false, false},
				{"s3:PutObjectTagging", obj("dst", "a.txt"), s3ops.Object, false, false},
			},
			wantDenied: "s3:PutObjectAcl",
		},
		{
			name: "docs/authorization.md §2.2 CopyObject: s3:GetObject on the source object, s3:PutObject on the destination",
			call: enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "b.txt", SourceBucket: "src", SourceKey: "a.txt"},
			want: []check{
				{"s3:GetObject", obj("src", "a.txt"), s3ops.SourceObject, false, true},
				{"s3:PutObject", obj("dst", "b.txt"), s3ops.Object, false, true},
			},
		},
		{
			name:       "docs/authorization.md §2.2 CopyObject: the source read is denied (writer may not read private), reported on the source ARN",
			call:       enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "b.txt", SourceBucket: "private", SourceKey: "a.txt"},
			want:       []check{{"s3:GetObject", obj("private", "a.txt"), s3ops.SourceObject, false, false}, {"s3:PutObject", obj("dst", "b.txt"), s3ops.Object, false, true}},
			wantDenied: "s3:GetObject",
		},
		{
			name: "docs/authorization.md §2.2 CopyObject: a copy source with ?versionId= needs s3:GetObjectVersion instead",
			call: enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "b.txt", SourceBucket: "src", SourceKey: "a.txt", Features: s3ops.Features{SourceVersionID: true}},
			want: []check{
				{"s3:GetObjectVersion", obj("src", "a.txt"), s3ops.SourceObject, false, false},
				{"s3:PutObject", obj("dst", "b.txt"), s3ops.Object, false, true},
			},
			wantDenied: "s3:GetObjectVersion",
		},
		{
			name: "docs/authorization.md §2.2 CopyObject: ACL headers add s3:PutObjectAcl on the destination",
			call: enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "b.txt", SourceBucket: "src", SourceKey: "a.txt", Features: s3ops.Features{ACL: true}},
			want: []check{
				{"s3:GetObject", obj("src", "a.txt"), s3ops.SourceObject, false, true},
				{"s3:PutObject", obj("dst", "b.txt"), s3ops.Object, false, true},
				{"s3:PutObjectAcl", obj("dst", "b.txt"), s3ops.Object, false, false},
			},
			wantDenied: "s3:PutObjectAcl",
		},
		{
			name: "docs/authorization.md §2.2 ListObjectsV2: s3:ListBucket on the bucket ARN",
			call: enforce.Call{Operation: "ListObjectsV2", Bucket: "src"},
			want: []check{{"s3:ListBucket", "arn:aws:s3:::src", s3ops.Bucket, false, true}},
		},
		{
			name:       "docs/authorization.md §2.2 ListObjectVersions: s3:ListBucketVersions, a different action",
			call:       enforce.Call{Operation: "ListObjectVersions", Bucket: "src"},
			want:       []check{{"s3:ListBucketVersions", "arn:aws:s3:::src", s3ops.Bucket, false, false}},
			wantDenied: "s3:ListBucketVersions",
		},
		{
			name: "docs/authorization.md §3.1 PutObject to an SSE-KMS bucket: S3 calls kms:GenerateDataKey on the default key as the caller",
			call: enforce.Call{Operation: "PutObject", Bucket: "enc", Key: "a.txt"},
			want: []check{
				{"s3:PutObject", obj("enc", "a.txt"), s3ops.Object, false, true},
				{"kms:GenerateDataKey", key1, s3ops.KMSKey, true, true},
			},
		},
		{
			name: "docs/authorization.md §3.1 GetObject of an SSE-KMS object: kms:Decrypt",
			call: enforce.Call{Operation: "GetObject", Bucket: "enc", Key: "a.txt"},
			want: []check{
				{"s3:GetObject", obj("enc", "a.txt"), s3ops.Object, false, true},
				{"kms:Decrypt", key1, s3ops.KMSKey, true, true},
			},
		},
		{
			name: "docs/authorization.md §3.1 HeadObject: no KMS permission documented for a plain HEAD",
			call: enforce.Call{Operation: "HeadObject", Bucket: "enc", Key: "a.txt"},
			want: []check{{"s3:GetObject", obj("enc", "a.txt"), s3ops.Object, false, true}},
		},
		{
			name: "docs/authorization.md §3.1 CreateMultipartUpload with SSE-KMS: kms:GenerateDataKey",
			call: enforce.Call{Operation: "CreateMultipartUpload", Bucket: "enc", Key: "big.bin"},
			want: []check{
				{"s3:PutObject", obj("enc", "big.bin"), s3ops.Object, false, true},
				{"kms:GenerateDataKey", key1, s3ops.KMSKey, true, true},
			},
		},
		{
			name: "docs/authorization.md §3.1 UploadPart with SSE-KMS: kms:Decrypt",
			call: enforce.Call{Operation: "UploadPart", Bucket: "enc", Key: "big.bin"},
			want: []check{
				{"s3:PutObject", obj("enc", "big.bin"), s3ops.Object, false, true},
				{"kms:Decrypt", key1, s3ops.KMSKey, true, true},
			},
		},
		{
			name: "docs/authorization.md §3.1 CompleteMultipartUpload: no KMS call without an additional checksum",
			call: enforce.Call{Operation: "CompleteMultipartUpload", Bucket: "enc", Key: "big.bin"},
			want: []check{{"s3:PutObject", obj("enc", "big.bin"), s3ops.Object, false, true}},
		},
		{
			name: "docs/authorization.md §3.1 CompleteMultipartUpload: kms:Decrypt with an additional checksum",
			call: enforce.Call{Operation: "CompleteMultipartUpload", Bucket: "enc", Key: "big.bin", Features: s3ops.Features{Checksum: true}},
			want: []check{
				{"s3:PutObject", obj("enc", "big.bin"), s3ops.Object, false, true},
				{"kms:Decrypt", key1, s3ops.KMSKey, true, true},
			},
		},
		{
			name: "docs/authorization.md §3.1 CopyObject from an SSE-KMS source to a plain destination: kms:Decrypt on the source key only",
			call: enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "b.txt", SourceBucket: "enc", SourceKey: "a.txt"},
			want: []check{
				{"s3:GetObject", obj("enc", "a.txt"), s3ops.SourceObject, false, true},
				{"s3:PutObject", obj("dst", "b.txt"), s3ops.Object, false, true},
				{"kms:Decrypt", key1, s3ops.KMSKey, true, true},
			},
		},
		{
			name: "docs/authorization.md §3.1 CopyObject from plain to SSE-KMS: kms:GenerateDataKey on the destination key only",
			call: enforce.Call{Operation: "CopyObject", Bucket: "enc", Key: "b.txt", SourceBucket: "src", SourceKey: "a.txt"},
			want: []check{
				{"s3:GetObject", obj("src", "a.txt"), s3ops.SourceObject, false, true},
				{"s3:PutObject", obj("enc", "b.txt"), s3ops.Object, false, true},
				{"kms:GenerateDataKey", key1, s3ops.KMSKey, true, true},
			},
		},
		{
			name: "docs/authorization.md §3.1 UploadPartCopy between SSE-KMS buckets: kms:Decrypt on the source key and on the upload's key",
			call: enforce.Call{Operation: "UploadPartCopy", Bucket: "enc-locked", Key: "big.bin", SourceBucket: "enc", SourceKey: "a.txt"},
			want: []check{
				{"s3:GetObject", obj("enc", "a.txt"), s3ops.SourceObject, false, true},
				{"s3:PutObject", obj("enc-locked", "big.bin"), s3ops.Object, false, true},
				{"kms:Decrypt", key1, s3ops.KMSKey, true, true},
				{"kms:Decrypt", key2, s3ops.KMSKey, true, false},
			},
			wantDenied: "kms:Decrypt",
		},
		{
			name:       "docs/authorization.md §3.4: a key policy that names nobody denies the GenerateDataKey S3 makes for writer, although IAM allows it",
			call:       enforce.Call{Operation: "PutObject", Bucket: "enc-locked", Key: "a.txt"},
			want:       []check{{"s3:PutObject", obj("enc-locked", "a.txt"), s3ops.Object, false, true}, {"kms:GenerateDataKey", key2, s3ops.KMSKey, true, false}},
			wantDenied: "kms:GenerateDataKey",
		},
		{
			name:       "Call.Encryption NamedKey (x-amz-server-side-encryption-aws-kms-key-id) overrides the plain bucket's default encryption",
			call:       enforce.Call{Operation: "PutObject", Bucket: "dst", Key: "a.txt", Encryption: enforce.NamedKeyEncryption(key2)},
			want:       []check{{"s3:PutObject", obj("dst", "a.txt"), s3ops.Object, false, true}, {"kms:GenerateDataKey", key2, s3ops.KMSKey, true, false}},
			wantDenied: "kms:GenerateDataKey",
		},
		{
			name: "docs/authorization.md §3.1 GetObject of an object not under SSE-KMS in an SSE-KMS bucket: Encryption NotEncrypted, no kms:Decrypt",
			call: enforce.Call{Operation: "GetObject", Bucket: "enc-locked", Key: "a.txt", Encryption: enforce.Encryption{State: enforce.NotEncrypted}},
			want: []check{{"s3:GetObject", obj("enc-locked", "a.txt"), s3ops.Object, false, true}},
		},
		{
			name: "docs/authorization.md §3.1 CopyObject from an object not under SSE-KMS in an SSE-KMS bucket: SourceEncryption NotEncrypted, no kms:Decrypt on the source bucket's key",
			call: enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "b.txt", SourceBucket: "enc-locked", SourceKey: "a.txt", SourceEncryption: enforce.Encryption{State: enforce.NotEncrypted}},
			want: []check{
				{"s3:GetObject", obj("enc-locked", "a.txt"), s3ops.SourceObject, false, true},
				{"s3:PutObject", obj("dst", "b.txt"), s3ops.Object, false, true},
			},
		},
		{
			name: "docs/authorization.md §3.5 kms:ViaService: a key usable only through S3 in eu-west-1 allows the call S3 makes",
			call: enforce.Call{Operation: "GetObject", Bucket: "enc-vias3", Key: "a.txt"},
			want: []check{
				{"s3:GetObject", obj("enc-vias3", "a.txt"), s3ops.Object, false, true},
				{"kms:Decrypt", key3, s3ops.KMSKey, true, true},
			},
		},
		{
			name:       "docs/authorization.md §1.4: partner's IAM allows src, but src has no bucket policy",
			principal:  partner,
			call:       enforce.Call{Operation: "GetObject", Bucket: "src", Key: "a.txt"},
			want:       []check{{"s3:GetObject", obj("src", "a.txt"), s3ops.Object, false, false}},
			wantDenied: "s3:GetObject",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := tt.principal
			if arn == "" {
				arn = writer
			}
			tt.call.Env = env
			r, err := enforce.Authorize(w, principal(t, w, arn), tt.call)
			if err != nil {
				t.Fatal(err)
			}
			if g := got(r); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("checks:\n got %v\nwant %v", g, tt.want)
			}
			if !strings.EqualFold(r.Operation.Name, tt.call.Operation) {
				t.Errorf("Operation = %s, want %s", r.Operation.Name, tt.call.Operation)
			}
			d := r.Denied()
			switch {
			case tt.wantDenied == "" && d != nil:
				t.Errorf("denied %s on %s: %s", d.Action, d.Resource, d.Decision.Summary())
			case tt.wantDenied != "" && d == nil:
				t.Errorf("allowed, want %s denied", tt.wantDenied)
			case tt.wantDenied != "" && d.Action != tt.wantDenied:
				t.Errorf("first denied check is %s, want %s", d.Action, tt.wantDenied)
			}
			if r.Allowed() != (tt.wantDenied == "") {
				t.Errorf("Allowed() = %v with wantDenied %q", r.Allowed(), tt.wantDenied)
			}
			for _, c := range r.Checks {
				if c.Request == nil || c.Request.Action != c.Action || c.Request.Resource.ARN != c.Resource {
					t.Errorf("check %s on %s does not carry its request", c.Action, c.Resource)
				}
			}
		})
	}
}

func contextValue(t *testing.T, c enforce.Check, key string) (string, bool) {
	t.Helper()
	v, ok := c.Request.Context.Get(key)
	if !ok {
		return "", false
	}
	if len(v) != 1 {
		t.Fatalf("%s on %s: %s has %d values %q", c.Action, c.Resource, key, len(v), v)
	}
	return v[0], true
}

// TestKMSCallContext checks the condition keys of the KMS calls S3 makes
// for the caller (docs/authorization.md §3.5, §3.2): kms:ViaService in the world's region,
// kms:CallerAccount, and the aws:s3:arn encryption context (object ARN,
// bucket ARN with an S3 Bucket Key). The S3 checks carry none of them.
func TestKMSCallContext(t *testing.T) {
	w := loadWorld(t, testWorld)
	p := principal(t, w, writer)
	tests := []struct {
		name, bucket, key, wantContext string
	}{
		{"docs/authorization.md §3.2 without a Bucket Key the context is the object ARN", "enc", "dir/a.txt", "arn:aws:s3:::enc/dir/a.txt"},
		{"docs/authorization.md §3.2 with a Bucket Key the context is the bucket ARN", "enc-bk", "dir/a.txt", "arn:aws:s3:::enc-bk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := enforce.Authorize(w, p, enforce.Call{Operation: "PutObject", Bucket: tt.bucket, Key: tt.key, Env: env})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Checks) != 2 {
				t.Fatalf("got %d checks, want s3:PutObject and kms:GenerateDataKey", len(r.Checks))
			}
			s3c, kmsc := r.Checks[0], r.Checks[1]
			if kmsc.KMS == nil || kmsc.KMS.Key != s3ops.DestinationKey {
				t.Fatalf("second check %s is not the KMS call on the object's key: %+v", kmsc.Action, kmsc.KMS)
			}
			for key, want := range map[string]string{
				"kms:ViaService":                   "s3.eu-west-1.amazonaws.com",
				"kms:CallerAccount":                "111111111111",
				"kms:EncryptionContext:aws:s3:arn": tt.wantContext,
			} {
				if v, ok := contextValue(t, kmsc, key); !ok || v != want {
					t.Errorf("KMS call %s = %q (present %v), want %q", key, v, ok, want)
				}
				if v, ok := contextValue(t, s3c, key); ok {
					t.Errorf("the S3 check carries %s = %q", key, v)
				}
			}
		})
	}
}

// TestKMSViaServiceDecides shows that kms:ViaService decides (docs/authorization.md §3.5):
// the key "vias3" allows writer only through S3, so the kms:Decrypt S3
// makes for GetObject is allowed, and the same request without
// kms:ViaService (a direct call) is denied by the key policy.
func TestKMSViaServiceDecides(t *testing.T) {
	w := loadWorld(t, testWorld)
	p := principal(t, w, writer)
	r, err := enforce.Authorize(w, p, enforce.Call{Operation: "GetObject", Bucket: "enc-vias3", Key: "a.txt", Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Allowed() {
		t.Fatalf("through S3: %s", r.ClientError())
	}
	kmsc := r.Checks[len(r.Checks)-1]
	if kmsc.Action != "kms:Decrypt" || kmsc.KMS == nil {
		t.Fatalf("last check is %s, want the kms:Decrypt S3 makes", kmsc.Action)
	}
	direct := *kmsc.Request
	direct.Context = kmsc.Request.Context.Clone()
	direct.Context.Delete("kms:ViaService")
	d := authz.Decide(&direct)
	if d.Effect != authz.ImplicitDeny || d.Type != authz.TypeResource {
		t.Errorf("direct kms:Decrypt: %s (%s), want an implicit deny by the key policy", d.Effect, d.Summary())
	}
}

// TestCopySourceConditionKey: CopyObject and UploadPartCopy set
// s3:x-amz-copy-source to "bucket/key" with no leading slash (docs/authorization.md §2.3,
// amazon-s3-policy-keys Example 3), so a policy can restrict copies by
// source.
func TestCopySourceConditionKey(t *testing.T) {
	w := loadWorld(t, `
accounts:
  - id: "111111111111"
    users:
      - name: copier
        policies:
          copy:
            Version: "2012-10-17"
            Statement:
              - {Sid: Read, Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::src/*"}
              - Sid: CopyFromPublicOnly
                Effect: Allow
                Action: s3:PutObject
                Resource: "arn:aws:s3:::dst/*"
                Condition: {StringLike: {s3:x-amz-copy-source: "src/public/*"}}
    buckets: [{name: src}, {name: dst}]
`)
	p := principal(t, w, "arn:aws:iam::111111111111:user/copier")
	tests := []struct {
		op, srcKey string
		allowed    bool
	}{
		{"CopyObject", "public/a.txt", true},
		{"CopyObject", "private/a.txt", false},
		{"UploadPartCopy", "public/a.txt", true},
		{"UploadPartCopy", "private/a.txt", false},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.srcKey, func(t *testing.T) {
			r, err := enforce.Authorize(w, p, enforce.Call{Operation: tt.op, Bucket: "dst", Key: "b.txt", SourceBucket: "src", SourceKey: tt.srcKey, Env: env})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range r.Checks {
				if v, ok := contextValue(t, c, "s3:x-amz-copy-source"); !ok || v != "src/"+tt.srcKey {
					t.Errorf("%s: s3:x-amz-copy-source = %q (present %v), want %q", c.Action, v, ok, "src/"+tt.srcKey)
				}
			}
			if r.Allowed() != tt.allowed {
				t.Fatalf("Allowed() = %v, want %v", r.Allowed(), tt.allowed)
			}
			if !tt.allowed {
				if d := r.Denied(); d.Action != "s3:PutObject" || d.Resource != "arn:aws:s3:::dst/b.txt" {
					t.Errorf("denied %s on %s, want s3:PutObject on the destination", d.Action, d.Resource)
				}
			}
		})
	}
	// Other operations do not get the key.
	r, err := enforce.Authorize(w, p, enforce.Call{Operation: "PutObject", Bucket: "dst", Key: "b.txt", Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := contextValue(t, r.Checks[0], "s3:x-amz-copy-source"); ok {
		t.Errorf("PutObject carries s3:x-amz-copy-source = %q", v)
	}
	if r.Allowed() {
		t.Errorf("PutObject without a copy source is allowed by a statement that requires s3:x-amz-copy-source (docs/authorization.md §1.6 missing-key rule)")
	}
}

// TestObjectCreationOperationKey: enforce sets s3:ObjectCreationOperation
// from the catalogue row, true on the operations that create an object
// and false on the steps of a multipart upload, whoever calls it (the
// planner sends no condition keys), so a bucket policy enforcing
// conditional writes decides a planned call as it decides the request
// (docs/authorization.md §2.3 "Conditional writes").
func TestObjectCreationOperationKey(t *testing.T) {
	w := loadWorld(t, `
accounts:
  - id: "111111111111"
    users:
      - name: writer
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
    buckets:
      - name: locks
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Deny
              Principal: "*"
              Action: s3:PutObject
              Resource: "arn:aws:s3:::locks/*"
              Condition: {"Null": {"s3:if-none-match": "true"}, Bool: {"s3:ObjectCreationOperation": "true"}}
`)
	p := principal(t, w, "arn:aws:iam::111111111111:user/writer")
	tests := []struct {
		op      string
		keys    map[string][]string
		value   string // "": the key is absent
		allowed bool
	}{
		{"PutObject", nil, "true", false},
		{"PutObject", map[string][]string{"s3:if-none-match": {"*"}}, "true", true},
		{"CopyObject", nil, "true", false},
		{"CompleteMultipartUpload", nil, "true", false},
		{"CompleteMultipartUpload", map[string][]string{"s3:if-none-match": {"*"}}, "true", true},
		{"CreateMultipartUpload", nil, "false", true},
		{"UploadPart", nil, "false", true},
		{"UploadPartCopy", nil, "false", true},
		{"DeleteObject", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.value, func(t *testing.T) {
			c := enforce.Call{Operation: tt.op, Bucket: "locks", Key: "state.tflock", Keys: tt.keys, Env: env}
			if tt.op == "CopyObject" || tt.op == "UploadPartCopy" {
				c.SourceBucket, c.SourceKey = "locks", "source"
			}
			r, err := enforce.Authorize(w, p, c)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range r.Checks {
				if v, ok := contextValue(t, ch, "s3:ObjectCreationOperation"); v != tt.value || ok != (tt.value != "") {
					t.Errorf("%s: s3:ObjectCreationOperation = %q (present %v), want %q", ch.Action, v, ok, tt.value)
				}
			}
			if r.Allowed() != tt.allowed {
				t.Errorf("Allowed() = %v, want %v", r.Allowed(), tt.allowed)
			}
		})
	}
}

// TestCallKeys: Call.Keys reach the S3 checks as condition keys; s3:prefix
// absent is not s3:prefix "" (docs/authorization.md §2.3).
func TestCallKeys(t *testing.T) {
	w := loadWorld(t, `
accounts:
  - id: "111111111111"
    users:
      - name: lister
        policies:
          home:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:ListBucket
                Resource: "arn:aws:s3:::home"
                Condition: {StringLike: {s3:prefix: ["", "home/lister/*"]}}
    buckets: [{name: home}]
`)
	p := principal(t, w, "arn:aws:iam::111111111111:user/lister")
	tests := []struct {
		name    string
		keys    map[string][]string
		allowed bool
	}{
		{"own prefix", map[string][]string{"s3:prefix": {"home/lister/docs/"}}, true},
		{"empty prefix (root listing)", map[string][]string{"s3:prefix": {""}}, true},
		{"other user's prefix", map[string][]string{"s3:prefix": {"home/other/"}}, false},
		{"no prefix parameter", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := enforce.Authorize(w, p, enforce.Call{Operation: "ListObjectsV2", Bucket: "home", Keys: tt.keys, Env: env})
			if err != nil {
				t.Fatal(err)
			}
			if r.Allowed() != tt.allowed {
				t.Errorf("Allowed() = %v, want %v", r.Allowed(), tt.allowed)
			}
		})
	}
}

// TestClientError checks the line the AWS CLI prints for a denied call:
// the detailed message within one account (docs/authorization.md §4.2), plain "Access
// Denied" across accounts (docs/authorization.md §4.2 notes), and the KMS wording S3 relays
// for a key-policy denial (docs/authorization.md §3.6).
func TestClientError(t *testing.T) {
	w := loadWorld(t, testWorld)
	tests := []struct {
		name      string
		principal string
		call      enforce.Call
		want      string
	}{
		{
			name: "allowed call prints nothing",
			call: enforce.Call{Operation: "GetObject", Bucket: "src", Key: "a.txt"},
			want: "",
		},
		{
			name: "docs/authorization.md §4.2 same account: the header-triggered action is named",
			call: enforce.Call{Operation: "PutObject", Bucket: "dst", Key: "a.txt", Features: s3ops.Features{ACL: true}},
			want: `An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111111111111:user/writer is not authorized to perform: s3:PutObjectAcl on resource: "arn:aws:s3:::dst/a.txt" because no identity-based policy allows the s3:PutObjectAcl action`,
		},
		{
			name: "docs/authorization.md §4.2 the operation is the API name, the action the IAM action",
			call: enforce.Call{Operation: "ListObjectVersions", Bucket: "src"},
			want: `An error occurred (AccessDenied) when calling the ListObjectVersions operation: User: arn:aws:iam::111111111111:user/writer is not authorized to perform: s3:ListBucketVersions on resource: "arn:aws:s3:::src" because no identity-based policy allows the s3:ListBucketVersions action`,
		},
		{
			name: "docs/authorization.md §2.2 CopyObject: the source object is named",
			call: enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "b.txt", SourceBucket: "private", SourceKey: "a.txt"},
			want: `An error occurred (AccessDenied) when calling the CopyObject operation: User: arn:aws:iam::111111111111:user/writer is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::private/a.txt" because no identity-based policy allows the s3:GetObject action`,
		},
		{
			name:      "docs/authorization.md §4.2 notes: cross-account requests get plain Access Denied",
			principal: partner,
			call:      enforce.Call{Operation: "GetObject", Bucket: "src", Key: "a.txt"},
			want:      `An error occurred (AccessDenied) when calling the GetObject operation: Access Denied`,
		},
		{
			name: "docs/authorization.md §3.6 newer style: a key-policy denial of the KMS call S3 makes",
			call: enforce.Call{Operation: "PutObject", Bucket: "enc-locked", Key: "a.txt"},
			want: `An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111111111111:user/writer is not authorized to perform: kms:GenerateDataKey on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := tt.principal
			if arn == "" {
				arn = writer
			}
			tt.call.Env = env
			r, err := enforce.Authorize(w, principal(t, w, arn), tt.call)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.ClientError(); got != tt.want {
				t.Errorf("ClientError:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestAuthorizeErrors: calls that cannot be authorized at all are errors
// that name what is wrong, not denials.
func TestAuthorizeErrors(t *testing.T) {
	w := loadWorld(t, testWorld)
	p := principal(t, w, writer)
	tests := []struct {
		name string
		call enforce.Call
		want string
	}{
		{"unknown operation", enforce.Call{Operation: "GetObjectFast", Bucket: "src", Key: "a"}, `unknown operation "GetObjectFast"`},
		{"bucket not in the world", enforce.Call{Operation: "GetObject", Bucket: "nowhere", Key: "a"}, `bucket "nowhere" is not in the world`},
		{"copy source bucket not in the world", enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "a", SourceBucket: "nowhere", SourceKey: "a"}, `copy source bucket "nowhere"`},
		{"KMS key not in the world", enforce.Call{Operation: "PutObject", Bucket: "dst", Key: "a", Encryption: enforce.NamedKeyEncryption("arn:aws:kms:eu-west-1:111111111111:key/nope")}, `KMS key "arn:aws:kms:eu-west-1:111111111111:key/nope" is not in the world`},
		{"object operation without a key", enforce.Call{Operation: "GetObject", Bucket: "src"}, "names no object key"},
		{"copy without a source", enforce.Call{Operation: "CopyObject", Bucket: "dst", Key: "a"}, "names no copy source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.call.Env = env
			r, err := enforce.Authorize(w, p, tt.call)
			if err == nil {
				t.Fatalf("no error; checks %v", got(r))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
