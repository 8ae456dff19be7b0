package emulator_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// aclWorldYAML: account A (111111111111) owns the buckets "shared"
// (ObjectWriter), "preferred" (BucketOwnerPreferred) and "enforced"
// (BucketOwnerEnforced). Their bucket policies let B's writer put and get
// objects and set ACLs, let C's carol get objects, and deny all of B any
// read under secret/. A's admin may do anything in A; B's writer and C's
// carol may use S3 on the three buckets from their side; B's noid has no
// policy at all.
const aclWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAACLADMIN00000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    buckets:
      # Each bucket's policy names only that bucket: S3 refuses a bucket
      # policy naming another bucket ("Policy has invalid resource").
      - name: shared
        ownership: ObjectWriter
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: WriterPutGet, Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/writer"}, Action: [s3:PutObject, s3:PutObjectAcl, s3:GetObject], Resource: "arn:aws:s3:::shared/*"}
            - {Sid: CarolGet, Effect: Allow, Principal: {AWS: "arn:aws:iam::333333333333:user/carol"}, Action: s3:GetObject, Resource: "arn:aws:s3:::shared/*"}
            - {Sid: NoSecretsForB, Effect: Deny, Principal: {AWS: "222222222222"}, Action: s3:GetObject, Resource: "arn:aws:s3:::shared/secret/*"}
      - name: preferred
        ownership: BucketOwnerPreferred
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: WriterPutGet, Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/writer"}, Action: [s3:PutObject, s3:PutObjectAcl, s3:GetObject], Resource: "arn:aws:s3:::preferred/*"}
            - {Sid: CarolGet, Effect: Allow, Principal: {AWS: "arn:aws:iam::333333333333:user/carol"}, Action: s3:GetObject, Resource: "arn:aws:s3:::preferred/*"}
      - name: enforced
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: WriterPutGet, Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/writer"}, Action: [s3:PutObject, s3:PutObjectAcl, s3:GetObject], Resource: "arn:aws:s3:::enforced/*"}
            - {Sid: CarolGet, Effect: Allow, Principal: {AWS: "arn:aws:iam::333333333333:user/carol"}, Action: s3:GetObject, Resource: "arn:aws:s3:::enforced/*"}
            - {Sid: NoSecretsForB, Effect: Deny, Principal: {AWS: "222222222222"}, Action: s3:GetObject, Resource: "arn:aws:s3:::enforced/secret/*"}
  - id: "222222222222"
    users:
      - name: writer
        access_keys: [{id: AKIAACLWRITER0000001, secret: writer-secret}]
        policies:
          s3:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "s3:*"
                Resource: ["arn:aws:s3:::shared/*", "arn:aws:s3:::preferred/*", "arn:aws:s3:::enforced/*"]
      - name: noid
        access_keys: [{id: AKIAACLNOID000000001, secret: noid-secret}]
  - id: "333333333333"
    users:
      - name: carol
        access_keys: [{id: AKIAACLCAROL00000001, secret: carol-secret}]
        policies:
          get: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}
`

var (
	aclAdmin  = aws.Credentials{AccessKeyID: "AKIAACLADMIN00000001", SecretAccessKey: "admin-secret"}
	aclWriter = aws.Credentials{AccessKeyID: "AKIAACLWRITER0000001", SecretAccessKey: "writer-secret"}
	aclNoID   = aws.Credentials{AccessKeyID: "AKIAACLNOID000000001", SecretAccessKey: "noid-secret"}
	aclCarol  = aws.Credentials{AccessKeyID: "AKIAACLCAROL00000001", SecretAccessKey: "carol-secret"}
)

// aclPut writes bucket/key as creds with the canned ACL acl ("" for none).
func aclPut(t *testing.T, s *svcServer, creds aws.Credentials, bucket, key string, acl types.ObjectCannedACL) {
	t.Helper()
	_, err := s.s3(t, creds).PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("data of " + key), ACL: acl,
	})
	if err != nil {
		t.Fatalf("PutObject %s/%s (ACL %q): %v", bucket, key, acl, err)
	}
}

// aclGet reads bucket/key as creds and returns the error code ("" on
// success); a denial must be 403 with the plain message.
func aclGet(t *testing.T, s *svcServer, creds aws.Credentials, bucket, key string) string {
	t.Helper()
	out, err := s.s3(t, creds).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		body, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(body) != "data of "+key {
			t.Errorf("GetObject %s/%s: body %q", bucket, key, body)
		}
		return ""
	}
	e := asSvcErr(t, err)
	if e.Code == "AccessDenied" && (e.Status != http.StatusForbidden || e.Message != "Access Denied") {
		t.Errorf("GetObject %s/%s: %+v, want 403 with the message \"Access Denied\"", bucket, key, e)
	}
	return e.Code
}

// ownerOf returns the DisplayName (the account ID) of the object's owner
// in its ACL, read by creds.
func ownerOf(t *testing.T, s *svcServer, creds aws.Credentials, bucket, key string) string {
	t.Helper()
	out, err := s.s3(t, creds).GetObjectAcl(context.Background(), &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObjectAcl %s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.Owner.DisplayName)
}

// TestObjectOwnedByWriterNeedsACL: on an ObjectWriter bucket, an object B
// writes without an ACL is B's, and the bucket owner's admin cannot read it
// although its identity policy allows everything: "If the object is owned
// by an external account, then access to the object can be granted only
// through object access control lists" (docs/authorization.md §2.5).
func TestObjectOwnedByWriterNeedsACL(t *testing.T) {
	audit := &svcAudit{}
	s := startEmulator(t, aclWorldYAML, withAudit(audit))
	ctx := context.Background()
	aclPut(t, s, aclWriter, "shared", "b.txt", "")
	if got := ownerOf(t, s, aclWriter, "shared", "b.txt"); got != "222222222222" {
		t.Fatalf("owner of shared/b.txt = %q, want 222222222222", got)
	}
	if code := aclGet(t, s, aclAdmin, "shared", "b.txt"); code != "AccessDenied" {
		t.Errorf("A's admin GetObject of B's object: %q, want AccessDenied", code)
	}
	_, err := s.s3(t, aclAdmin).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("shared"), Key: aws.String("b.txt")})
	if e := asSvcErr(t, err); e.Status != http.StatusForbidden {
		t.Errorf("A's admin HeadObject of B's object: %+v, want 403", e)
	}
	_, err = s.s3(t, aclAdmin).GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("b.txt")})
	if code(err) != "AccessDenied" {
		t.Errorf("A's admin GetObjectAcl of B's object: %v, want AccessDenied", err)
	}
	_, err = s.s3(t, aclAdmin).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("shared"), Key: aws.String("copy.txt"), CopySource: aws.String("shared/b.txt")})
	if code(err) != "AccessDenied" {
		t.Errorf("A's admin CopyObject from B's object: %v, want AccessDenied", err)
	}
	up, err := s.s3(t, aclAdmin).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("shared"), Key: aws.String("mp.txt")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.s3(t, aclAdmin).UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("shared"), Key: aws.String("mp.txt"),
		UploadId: up.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("shared/b.txt")})
	if code(err) != "AccessDenied" {
		t.Errorf("A's admin UploadPartCopy from B's object: %v, want AccessDenied", err)
	}
	// The owner's user reads it with its identity policy: the bucket
	// context only checks for an explicit Deny.
	if code := aclGet(t, s, aclWriter, "shared", "b.txt"); code != "" {
		t.Errorf("B's writer GetObject of its own object: %q", code)
	}
	_, err = s.s3(t, aclWriter).GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("shared"), Key: aws.String("b.txt")})
	if err != nil {
		t.Errorf("B's writer GetObjectTagging of its own object: %v", err)
	}
	// User context: an IAM user of the owning account still needs its own
	// identity policy.
	if code := aclGet(t, s, aclNoID, "shared", "b.txt"); code != "AccessDenied" {
		t.Errorf("B's noid (no identity policy) GetObject: %q, want AccessDenied", code)
	}
	// The bucket policy's Allow for carol does not apply to B's object.
	if code := aclGet(t, s, aclCarol, "shared", "b.txt"); code != "AccessDenied" {
		t.Errorf("C's carol GetObject of B's object with a bucket-policy Allow: %q, want AccessDenied", code)
	}

	// The audit record of the admin's denied GetObject.
	var found bool
	for _, r := range audit.wait(t, 3) {
		if r["eventName"] == "GetObject" {
			if r["errorCode"] != "AccessDenied" || r["errorMessage"] != "Access Denied" || r["lockstepHttpStatus"] != float64(403) {
				t.Errorf("audit record of the denied GetObject: %v", r)
			}
			found = true
			break
		}
	}
	if !found {
		t.Error("no audit record of the denied GetObject")
	}
}

// TestObjectACLGrants: bucket-owner-full-control, an XML grant, public-read
// and the ACL permission of each action (docs/authorization.md §2.5 "ACL permission →
// policy action mapping").
func TestObjectACLGrants(t *testing.T) {
	s := startEmulator(t, aclWorldYAML)
	ctx := context.Background()

	// bucket-owner-full-control: A's admin reads, reads and writes the
	// ACL, but the tagging actions stay the owner's (docs/decisions.md).
	aclPut(t, s, aclWriter, "shared", "bofc.txt", types.ObjectCannedACLBucketOwnerFullControl)
	if got := ownerOf(t, s, aclWriter, "shared", "bofc.txt"); got != "222222222222" {
		t.Errorf("owner of an ObjectWriter object with bucket-owner-full-control = %q, want the writer's account", got)
	}
	if code := aclGet(t, s, aclAdmin, "shared", "bofc.txt"); code != "" {
		t.Errorf("A's admin GetObject with bucket-owner-full-control: %q", code)
	}
	if _, err := s.s3(t, aclAdmin).GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("bofc.txt")}); err != nil {
		t.Errorf("A's admin GetObjectAcl with FULL_CONTROL: %v", err)
	}
	_, err := s.s3(t, aclAdmin).GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("shared"), Key: aws.String("bofc.txt")})
	if code(err) != "AccessDenied" {
		t.Errorf("A's admin GetObjectTagging of B's object: %v, want AccessDenied", err)
	}
	if _, err := s.s3(t, aclAdmin).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("shared"), Key: aws.String("copy.txt"), CopySource: aws.String("shared/bofc.txt")}); err != nil {
		t.Errorf("A's admin CopyObject from an object it may READ: %v", err)
	}
	if got := ownerOf(t, s, aclAdmin, "shared", "copy.txt"); got != "111111111111" {
		t.Errorf("owner of A's copy = %q, want A", got)
	}

	// private, then an XML grant of READ to A.
	aclPut(t, s, aclWriter, "shared", "granted.txt", types.ObjectCannedACLPrivate)
	if code := aclGet(t, s, aclAdmin, "shared", "granted.txt"); code != "AccessDenied" {
		t.Errorf("A's admin GetObject of a private B object: %q, want AccessDenied", code)
	}
	list, err := s.s3(t, aclAdmin).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	acct := func(id string) types.Grantee {
		return types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(id)}
	}
	writerACL, err := s.s3(t, aclWriter).GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("granted.txt")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.s3(t, aclWriter).PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("granted.txt"),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: writerACL.Owner, Grants: []types.Grant{
			{Grantee: ptr(acct(aws.ToString(writerACL.Owner.ID))), Permission: types.PermissionFullControl},
			{Grantee: ptr(acct(aws.ToString(list.Owner.ID))), Permission: types.PermissionRead},
		}}})
	if err != nil {
		t.Fatalf("B's writer PutObjectAcl on its own object: %v", err)
	}
	if code := aclGet(t, s, aclAdmin, "shared", "granted.txt"); code != "" {
		t.Errorf("A's admin GetObject with a READ grant: %q", code)
	}
	if _, err := s.s3(t, aclAdmin).GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("granted.txt")}); code(err) != "AccessDenied" {
		t.Errorf("A's admin GetObjectAcl with READ only: %v, want AccessDenied", err)
	}
	_, err = s.s3(t, aclAdmin).PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("granted.txt"), ACL: types.ObjectCannedACLPublicRead})
	if code(err) != "AccessDenied" {
		t.Errorf("A's admin PutObjectAcl with READ only: %v, want AccessDenied", err)
	}
	if code := aclGet(t, s, aclCarol, "shared", "granted.txt"); code != "AccessDenied" {
		t.Errorf("C's carol GetObject, not granted by the ACL: %q, want AccessDenied", code)
	}

	// public-read: AllUsers covers anonymous and signed callers; the
	// bucket policy's Allow plays no part.
	aclPut(t, s, aclWriter, "shared", "public.txt", types.ObjectCannedACLPublicRead)
	resp, err := http.Get(s.Endpoint() + "/shared/public.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("anonymous GET of a public-read B object: %d", resp.StatusCode)
	}
	if code := aclGet(t, s, aclCarol, "shared", "public.txt"); code != "" {
		t.Errorf("C's carol GetObject of a public-read object: %q", code)
	}
	resp, err = http.Get(s.Endpoint() + "/shared/granted.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous GET of a non-public B object: %d, want 403", resp.StatusCode)
	}
}

// TestObjectOwnerBucketPolicyDeny: a Deny in the bucket policy applies to
// all objects regardless of object ownership (docs/authorization.md §2.5).
func TestObjectOwnerBucketPolicyDeny(t *testing.T) {
	s := startEmulator(t, aclWorldYAML)
	aclPut(t, s, aclWriter, "shared", "secret/b.txt", "")
	if got := ownerOf(t, s, aclWriter, "shared", "secret/b.txt"); got != "222222222222" {
		t.Fatalf("owner = %q, want B", got)
	}
	if code := aclGet(t, s, aclWriter, "shared", "secret/b.txt"); code != "AccessDenied" {
		t.Errorf("B's writer GetObject of its own object under a bucket-policy Deny: %q, want AccessDenied", code)
	}
	aclPut(t, s, aclWriter, "shared", "open/b.txt", "")
	if code := aclGet(t, s, aclWriter, "shared", "open/b.txt"); code != "" {
		t.Errorf("B's writer GetObject of its own object outside the Deny: %q", code)
	}
}

// TestObjectOwnershipSettings: BucketOwnerPreferred gives the bucket owner
// the objects written with bucket-owner-full-control only;
// BucketOwnerEnforced makes it the owner of all, and access is decided as
// before (the bucket policy grants).
func TestObjectOwnershipSettings(t *testing.T) {
	s := startEmulator(t, aclWorldYAML)
	ctx := context.Background()

	aclPut(t, s, aclWriter, "preferred", "bofc.txt", types.ObjectCannedACLBucketOwnerFullControl)
	if got := ownerOf(t, s, aclAdmin, "preferred", "bofc.txt"); got != "111111111111" {
		t.Errorf("BucketOwnerPreferred + bucket-owner-full-control: owner %q, want A", got)
	}
	if code := aclGet(t, s, aclAdmin, "preferred", "bofc.txt"); code != "" {
		t.Errorf("A's admin GetObject of its own object: %q", code)
	}
	if code := aclGet(t, s, aclCarol, "preferred", "bofc.txt"); code != "" {
		t.Errorf("C's carol GetObject of A's object with a bucket-policy Allow: %q", code)
	}
	aclPut(t, s, aclWriter, "preferred", "plain.txt", "")
	if code := aclGet(t, s, aclAdmin, "preferred", "plain.txt"); code != "AccessDenied" {
		t.Errorf("BucketOwnerPreferred without the ACL: A's admin GetObject %q, want AccessDenied", code)
	}

	aclPut(t, s, aclWriter, "enforced", "b.txt", "")
	if got := ownerOf(t, s, aclAdmin, "enforced", "b.txt"); got != "111111111111" {
		t.Errorf("BucketOwnerEnforced: owner %q, want A", got)
	}
	for _, c := range []struct {
		name  string
		creds aws.Credentials
		want  string
	}{
		{"A's admin", aclAdmin, ""},
		{"B's writer (bucket policy)", aclWriter, ""},
		{"C's carol (bucket policy)", aclCarol, ""},
		{"B's noid (no identity policy)", aclNoID, "AccessDenied"},
	} {
		if code := aclGet(t, s, c.creds, "enforced", "b.txt"); code != c.want {
			t.Errorf("BucketOwnerEnforced: %s GetObject %q, want %q", c.name, code, c.want)
		}
	}
	if _, err := s.s3(t, aclAdmin).GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("enforced"), Key: aws.String("b.txt")}); err != nil {
		t.Errorf("BucketOwnerEnforced: A's admin GetObjectTagging: %v", err)
	}
	_, err := s.s3(t, aclWriter).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enforced"), Key: aws.String("pub.txt"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	if code(err) != "AccessControlListNotSupported" {
		t.Errorf("BucketOwnerEnforced: PutObject public-read: %v, want AccessControlListNotSupported", err)
	}
	aclPut(t, s, aclWriter, "enforced", "secret/b.txt", "")
	if code := aclGet(t, s, aclWriter, "enforced", "secret/b.txt"); code != "AccessDenied" {
		t.Errorf("BucketOwnerEnforced: bucket-policy Deny: %q, want AccessDenied", code)
	}
}

func ptr[T any](v T) *T { return &v }
