package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/emulator"
)

const versioningWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAVERSADMIN0000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: current
        access_keys: [{id: AKIAVERSCURRENT00001, secret: current-secret}]
        policies:
          current:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:DeleteObject, s3:GetObjectTagging, s3:PutObjectTagging, s3:GetObjectAcl, s3:ListBucket]
                Resource: ["arn:aws:s3:::vers", "arn:aws:s3:::vers/*"]
      - name: versions
        access_keys: [{id: AKIAVERSVERSIONS0001, secret: versions-secret}]
        policies:
          versions:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObjectVersion, s3:DeleteObjectVersion, s3:GetObjectVersionTagging, s3:PutObjectVersionTagging, s3:GetObjectVersionAcl, s3:ListBucketVersions]
                Resource: ["arn:aws:s3:::vers", "arn:aws:s3:::vers/*"]
    buckets:
      - name: vers
        objects: {old.txt: "from before versioning"}
`

var (
	versAdmin    = aws.Credentials{AccessKeyID: "AKIAVERSADMIN0000001", SecretAccessKey: "admin-secret"}
	versCurrent  = aws.Credentials{AccessKeyID: "AKIAVERSCURRENT00001", SecretAccessKey: "current-secret"}
	versVersions = aws.Credentials{AccessKeyID: "AKIAVERSVERSIONS0001", SecretAccessKey: "versions-secret"}
)

// TestVersioningSemantics: each case is a sequence of calls through the
// Go SDK and the answers S3 gives them (docs/emulator.md "Versioning").
func TestVersioningSemantics(t *testing.T) {
	tests := []struct {
		name  string
		steps []string
	}{
		{"enabled: versions, reads by ID, newest first", []string{
			"put k one -> -",
			"headvid k = -",
			"versioning Enabled",
			"headvid k = null",
			"put k two -> v2",
			"put k three -> v3",
			"get k = three",
			"headvid k = v3",
			"headvid k@v2 = v2",
			"get k@v2 = two",
			"get k@null = one",
			"head k@v2 = ok",
			"versions = k@v3* k@v2 k@null old.txt@null*",
			"objects = k old.txt",
		}},
		{"delete markers hide and come back", []string{
			"versioning Enabled",
			"put k one -> v1",
			"delete k -> m1 marker",
			"get k = NoSuchKey marker",
			"head k = NotFound marker",
			"get k@m1 = MethodNotAllowed marker",
			"head k@m1 = MethodNotAllowed marker",
			"get k@v1 = one",
			"objects = old.txt",
			"versions = k@m1*M k@v1 old.txt@null*",
			"delete k@m1 -> m1 marker",
			"get k = one",
			"objects = k old.txt",
		}},
		{"permanent deletes and an empty bucket", []string{
			"versioning Enabled",
			"put k one -> v1",
			"put k two -> v2",
			"delete k@v2 -> v2",
			"get k = one",
			"delete old.txt -> m1 marker",
			"deletebucket = BucketNotEmpty",
			"delete k@v1 -> v1",
			"delete old.txt@m1 -> m1 marker",
			"delete old.txt@null -> null",
			"versions = ",
			"get k = NoSuchKey",
			"deletebucket = ok",
		}},
		{"suspended: the null version is replaced", []string{
			"versioning Enabled",
			"put k one -> v1",
			"versioning Suspended",
			"put k two -> -",
			"put k three -> -",
			"headvid k = null",
			"get k@null = three",
			"get k@v1 = one",
			"versions = k@v1 k@null* old.txt@null*",
			"delete k -> null marker",
			"get k = NoSuchKey marker",
			"versions = k@v1 k@null*M old.txt@null*",
			"versioning Enabled",
			"put k four -> v4",
			"versions = k@v4* k@v1 k@nullM old.txt@null*",
		}},
		{"bad and unknown version IDs", []string{
			"versioning Enabled",
			"put k one -> v1",
			"get k@bad = InvalidArgument",
			"get k@unknown = NoSuchVersion",
			"get nokey@unknown = NoSuchVersion",
			"head k@unknown = NotFound",
			"delete k@bad = InvalidArgument",
			"delete k@unknown -> unknown",
			"tags k@bad = InvalidArgument",
			"get k = one",
		}},
		{"copies and tags of versions", []string{
			"versioning Enabled",
			"put k one -> v1",
			"put k two -> v2",
			"copy k@v1 k -> v3",
			"get k = one",
			"copy k@v2 other -> o1",
			"get other = two",
			"tag k@v1 team=a = ok",
			"tags k@v1 = team=a",
			"tags k@v3 = ",
			"versions = k@v3* k@v2 k@v1 old.txt@null* other@o1*",
			"delete k -> m1 marker",
			"copy k other = NoSuchKey",
			"copy k@m1 other = InvalidRequest",
			"tags k@m1 = MethodNotAllowed",
		}},
		{"pages of ListObjectVersions", []string{
			"versioning Enabled",
			"put a 1 -> a1",
			"put a 2 -> a2",
			"put b 1 -> b1",
			"delete b -> bm marker",
			"put c 1 -> c1",
			"versions xx = a@a2* a@a1 b@bm*M b@b1 c@c1* old.txt@null*",
			"versions x = a@a2* a@a1 b@bm*M b@b1 c@c1* old.txt@null*",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startEmulator(t, versioningWorldYAML)
			r := &versionRun{t: t, ctx: context.Background(), c: s.s3(t, versAdmin), vars: map[string]string{}}
			for _, st := range tc.steps {
				r.step(st)
			}
		})
	}
}

// TestVersioningAuthorization: a versionId makes the call need the
// *Version* action in place of the plain one (docs/authorization.md §2.2).
func TestVersioningAuthorization(t *testing.T) {
	s := startEmulator(t, versioningWorldYAML)
	ctx := context.Background()
	admin := &versionRun{t: t, ctx: ctx, c: s.s3(t, versAdmin), vars: map[string]string{}}
	admin.step("versioning Enabled")
	admin.step("put k one -> v1")
	admin.step("tag k@v1 team=a = ok")
	tests := []struct {
		step    string
		current string // the answer to a user with the plain actions
		version string // the answer to a user with the *Version* actions
	}{
		{"get k", "one", "AccessDenied"},
		{"get k@v1", "AccessDenied", "one"},
		{"tags k", "team=a", "AccessDenied"},
		{"tags k@v1", "AccessDenied", "team=a"},
		{"tag k@v1 team=b", "AccessDenied", "ok"},
		{"delete k@v1", "AccessDenied", "ok"},
	}
	for _, tc := range tests {
		for _, who := range []struct {
			creds aws.Credentials
			want  string
		}{{versCurrent, tc.current}, {versVersions, tc.version}} {
			r := &versionRun{t: t, ctx: ctx, c: s.s3(t, who.creds), vars: admin.vars}
			r.step(tc.step + " = " + who.want)
		}
	}
}

// TestVersionedMultipartCopy: UploadPartCopy copies the source version
// its x-amz-copy-source names and says so; CompleteMultipartUpload in an
// enabled bucket answers the new version's ID.
func TestVersionedMultipartCopy(t *testing.T) {
	s := startEmulator(t, versioningWorldYAML)
	ctx := context.Background()
	r := &versionRun{t: t, ctx: ctx, c: s.s3(t, versAdmin), vars: map[string]string{}}
	r.step("versioning Enabled")
	r.step("put k one -> v1")
	r.step("put k two -> v2")
	c, b := r.c, aws.String("vers")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("vers/k?versionId=" + r.vars["v1"])})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(part.CopySourceVersionId); got != r.vars["v1"] {
		t.Errorf("UploadPartCopy copy source version = %q, want %q", got, r.vars["v1"])
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.CopyPartResult.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	r.bind("CompleteMultipartUpload", "mp1", done.VersionId)
	r.step("get mp = one")
	r.step("get mp@mp1 = one")
}

// markerOwnerWorldYAML: account B's deleter may delete objects of A's
// buckets "writer" (ObjectWriter) and "enforced" (BucketOwnerEnforced).
const markerOwnerWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAVERSADMIN0000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    buckets:
      - name: writer
        ownership: ObjectWriter
        policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/deleter"}, Action: s3:DeleteObject, Resource: "arn:aws:s3:::writer/*"}
      - name: enforced
        policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/deleter"}, Action: s3:DeleteObject, Resource: "arn:aws:s3:::enforced/*"}
  - id: "222222222222"
    users:
      - name: deleter
        access_keys: [{id: AKIAVERSDELETER00001, secret: deleter-secret}]
        policies:
          delete: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:DeleteObject, Resource: "*"}]}
`

// TestDeleteMarkerOwner: ListObjectVersions names the account that
// created a delete marker as its owner, or the bucket owner where Object
// Ownership makes the bucket owner own every object.
func TestDeleteMarkerOwner(t *testing.T) {
	s := startEmulator(t, markerOwnerWorldYAML)
	ctx := context.Background()
	admin := s.s3(t, versAdmin)
	deleter := s.s3(t, aws.Credentials{AccessKeyID: "AKIAVERSDELETER00001", SecretAccessKey: "deleter-secret"})
	for bucket, want := range map[string]string{"writer": "222222222222", "enforced": "111111111111"} {
		if _, err := admin.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		if _, err := deleter.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("gone.txt")}); err != nil {
			t.Fatal(err)
		}
		out, err := admin.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.DeleteMarkers) != 1 || out.DeleteMarkers[0].Owner == nil || aws.ToString(out.DeleteMarkers[0].Owner.DisplayName) != want {
			t.Errorf("%s: delete markers = %+v, want one owned by %s", bucket, out.DeleteMarkers, want)
		}
	}
}

// TestVersionIDConditionKey: s3:versionid is the request's version ID,
// for DeleteObject's versionId and a DeleteObjects entry's VersionId
// alike (docs/context-keys.md).
func TestVersionIDConditionKey(t *testing.T) {
	s := startEmulator(t, versioningWorldYAML)
	ctx := context.Background()
	admin := &versionRun{t: t, ctx: ctx, c: s.s3(t, versAdmin), vars: map[string]string{}}
	admin.step("versioning Enabled")
	admin.step("put k one -> v1")
	admin.step("put k two -> v2")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:GetObjectVersion","s3:DeleteObjectVersion"],` +
		`"Resource":"arn:aws:s3:::vers/*","Condition":{"StringEquals":{"s3:versionid":"` + admin.vars["v1"] + `"}}}]}`
	if _, err := admin.c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("vers"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	r := &versionRun{t: t, ctx: ctx, c: s.s3(t, versVersions), vars: admin.vars}
	r.step("get k@v1 = AccessDenied")
	r.step("get k@v2 = two")
	out, err := r.c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("vers"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k"), VersionId: aws.String(admin.vars["v1"])}, {Key: aws.String("k"), VersionId: aws.String(admin.vars["v2"])}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" || aws.ToString(out.Errors[0].VersionId) != admin.vars["v1"] ||
		len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].VersionId) != admin.vars["v2"] {
		t.Fatalf("DeleteObjects: deleted %+v, errors %+v; want %s denied and %s deleted", out.Deleted, out.Errors, admin.vars["v1"], admin.vars["v2"])
	}
	admin.step("get k = one")
}

// TestVersionsSurviveRestart: the versioning state, the versions and the
// delete markers are kept in the data directory.
func TestVersionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	inDir := func(o *emulator.Options) { o.DataDir = dir }
	ctx := context.Background()
	s := startEmulator(t, versioningWorldYAML, inDir)
	r := &versionRun{t: t, ctx: ctx, c: s.s3(t, versAdmin), vars: map[string]string{}}
	r.step("versioning Enabled")
	r.step("put k one -> v1")
	r.step("put k two -> v2")
	r.step("delete k -> m1 marker")
	want := "k@m1*M k@v2 k@v1 old.txt@null*"
	r.step("versions = " + want)
	s.Close()
	s = startEmulator(t, versioningWorldYAML, inDir)
	r.c = s.s3(t, versAdmin)
	r.step("versions = " + want)
	r.step("get k = NoSuchKey marker")
	r.step("get k@v1 = one")
	r.step("put k three -> v3") // still enabled
}
