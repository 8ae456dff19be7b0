package emulator_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// replWorldYAML: account 111111111111 with an administrator, a user who
// may configure replication but not pass the role, a user who may pass
// it only to S3, the replication role, versioned buckets src and dst, the
// unversioned bucket plain; account 222222222222 with the bucket xdst.
const replWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAREPLADMIN0000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: nopass
        access_keys: [{id: AKIAREPLNOPASS000001, secret: nopass-secret}]
        policies:
          s3: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:PutReplicationConfiguration", "s3:GetReplicationConfiguration"], Resource: "arn:aws:s3:::src"}]}
      - name: passer
        access_keys: [{id: AKIAREPLPASSER000001, secret: passer-secret}]
        policies:
          s3-and-pass:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:PutReplicationConfiguration, Resource: "arn:aws:s3:::src"}
              - {Effect: Allow, Action: iam:PassRole, Resource: "arn:aws:iam::111111111111:role/replication", Condition: {StringEquals: {"iam:PassedToService": s3.amazonaws.com}}}
    roles:
      - name: replication
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: sts:AssumeRole}]
    buckets:
      - name: src
      - name: dst
      - name: plain
  - id: "222222222222"
    buckets:
      - name: xdst
`

const replRole = "arn:aws:iam::111111111111:role/replication"

var (
	replAdmin  = aws.Credentials{AccessKeyID: "AKIAREPLADMIN0000001", SecretAccessKey: "admin-secret"}
	replNoPass = aws.Credentials{AccessKeyID: "AKIAREPLNOPASS000001", SecretAccessKey: "nopass-secret"}
	replPasser = aws.Credentials{AccessKeyID: "AKIAREPLPASSER000001", SecretAccessKey: "passer-secret"}
)

// startReplEmulator starts the emulator on replWorldYAML with versioning
// enabled on src, dst and xdst.
func startReplEmulator(t *testing.T) *svcServer {
	t.Helper()
	s := startEmulator(t, replWorldYAML)
	for _, b := range []string{"src", "dst", "xdst"} {
		if err := s.EnableVersioningForTest(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// replRule is a valid V2 rule to the bucket dest.
func replRule(id string, priority int32, dest string) types.ReplicationRule {
	return types.ReplicationRule{
		ID:                      aws.String(id),
		Priority:                aws.Int32(priority),
		Status:                  types.ReplicationRuleStatusEnabled,
		Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("docs/")},
		DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
		Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::" + dest)},
	}
}

func putReplication(ctx context.Context, c *s3.Client, bucket string, rules ...types.ReplicationRule) error {
	_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{
		Bucket:                   aws.String(bucket),
		ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String(replRole), Rules: rules},
	})
	return err
}

// TestBucketReplicationRoundTrip: a full V2 configuration (two
// destinations, one cross-account with the owner override and a replica
// key) is stored and read back as sent, a rule without an ID gets one, and
// DeleteBucketReplication removes it.
func TestBucketReplicationRoundTrip(t *testing.T) {
	s := startReplEmulator(t)
	ctx := context.Background()
	c := s.s3(t, replAdmin)
	if _, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")}); err != nil {
		wantSvcErr(t, err, "ReplicationConfigurationNotFoundError", http.StatusNotFound, "The replication configuration was not found")
	} else {
		t.Fatal("GetBucketReplication of an unconfigured bucket succeeded")
	}
	cross := replRule("", 2, "xdst")
	cross.Filter = &types.ReplicationRuleFilter{And: &types.ReplicationRuleAndOperator{Prefix: aws.String("tax/"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}}
	cross.SourceSelectionCriteria = &types.SourceSelectionCriteria{SseKmsEncryptedObjects: &types.SseKmsEncryptedObjects{Status: types.SseKmsEncryptedObjectsStatusEnabled}}
	cross.Destination = &types.Destination{
		Bucket:                   aws.String("arn:aws:s3:::xdst"),
		Account:                  aws.String("222222222222"),
		StorageClass:             types.StorageClassStandardIa,
		AccessControlTranslation: &types.AccessControlTranslation{Owner: types.OwnerOverrideDestination},
		EncryptionConfiguration:  &types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String("arn:aws:kms:us-east-1:222222222222:key/k")},
	}
	same := replRule("same", 1, "dst")
	same.DeleteMarkerReplication.Status = types.DeleteMarkerReplicationStatusEnabled
	if err := putReplication(ctx, c, "src", same, cross); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	got := out.ReplicationConfiguration
	if aws.ToString(got.Role) != replRole || len(got.Rules) != 2 {
		t.Fatalf("got role %q and %d rules", aws.ToString(got.Role), len(got.Rules))
	}
	r0, r1 := got.Rules[0], got.Rules[1]
	if aws.ToString(r0.ID) != "same" || aws.ToInt32(r0.Priority) != 1 || r0.DeleteMarkerReplication.Status != types.DeleteMarkerReplicationStatusEnabled ||
		aws.ToString(r0.Filter.Prefix) != "docs/" || aws.ToString(r0.Destination.Bucket) != "arn:aws:s3:::dst" {
		t.Errorf("first rule read back as %+v", r0)
	}
	if aws.ToString(r1.ID) == "" || aws.ToString(r1.Destination.Account) != "222222222222" || r1.Destination.AccessControlTranslation == nil ||
		r1.Destination.StorageClass != types.StorageClassStandardIa || aws.ToString(r1.Destination.EncryptionConfiguration.ReplicaKmsKeyID) != "arn:aws:kms:us-east-1:222222222222:key/k" ||
		r1.SourceSelectionCriteria.SseKmsEncryptedObjects.Status != types.SseKmsEncryptedObjectsStatusEnabled ||
		aws.ToString(r1.Filter.And.Prefix) != "tax/" || len(r1.Filter.And.Tags) != 1 {
		t.Errorf("second rule read back as %+v", r1)
	}
	if _, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")})
	wantSvcErr(t, err, "ReplicationConfigurationNotFoundError", http.StatusNotFound, "The replication configuration was not found")
}

// TestBucketReplicationRefused: S3's answers to configurations it refuses
// and to callers who may not configure replication or pass the role.
func TestBucketReplicationRefused(t *testing.T) {
	s := startReplEmulator(t)
	ctx := context.Background()
	admin := s.s3(t, replAdmin)
	withKMS := replRule("kms", 1, "dst")
	withKMS.SourceSelectionCriteria = &types.SourceSelectionCriteria{SseKmsEncryptedObjects: &types.SseKmsEncryptedObjects{Status: types.SseKmsEncryptedObjectsStatusEnabled}}
	keyOnly := replRule("key", 1, "dst")
	keyOnly.Destination.EncryptionConfiguration = &types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String("arn:aws:kms:us-east-1:111111111111:key/k")}
	override := replRule("override", 1, "xdst")
	override.Destination.AccessControlTranslation = &types.AccessControlTranslation{Owner: types.OwnerOverrideDestination}
	tagged := replRule("tagged", 1, "dst")
	tagged.Filter = &types.ReplicationRuleFilter{Tag: &types.Tag{Key: aws.String("k"), Value: aws.String("v")}}
	tagged.DeleteMarkerReplication.Status = types.DeleteMarkerReplicationStatusEnabled
	noPriority := replRule("nopriority", 1, "dst")
	noPriority.Priority = nil
	cases := []struct {
		name   string
		creds  aws.Credentials
		bucket string
		rules  []types.ReplicationRule
		code   string
		status int
		msg    string
	}{
		{"source not versioned", replAdmin, "plain", []types.ReplicationRule{replRule("a", 1, "dst")}, "InvalidRequest", 400, "Versioning must be 'Enabled' on the bucket to apply a replication configuration"},
		{"destination not versioned", replAdmin, "src", []types.ReplicationRule{replRule("a", 1, "plain")}, "InvalidRequest", 400, "Destination bucket must have versioning enabled."},
		{"destination missing", replAdmin, "src", []types.ReplicationRule{replRule("a", 1, "nowhere")}, "InvalidRequest", 400, "Destination bucket must exist."},
		{"duplicate priorities", replAdmin, "src", []types.ReplicationRule{replRule("a", 1, "dst"), replRule("b", 1, "dst")}, "InvalidRequest", 400, "Found duplicate priority 1."},
		{"duplicate ids", replAdmin, "src", []types.ReplicationRule{replRule("a", 1, "dst"), replRule("a", 2, "dst")}, "InvalidArgument", 400, "Rule Id must be unique"},
		{"no priority", replAdmin, "src", []types.ReplicationRule{noPriority}, "InvalidRequest", 400, "Priority must be specified for this version of Cross Region Replication configuration schema."},
		{"owner override without account", replAdmin, "src", []types.ReplicationRule{override}, "InvalidRequest", 400, "Account must be specified if the Owner in AccessControlTranslation has a value"},
		{"KMS objects without a replica key", replAdmin, "src", []types.ReplicationRule{withKMS}, "InvalidRequest", 400, "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present."},
		{"replica key without KMS objects", replAdmin, "src", []types.ReplicationRule{keyOnly}, "InvalidRequest", 400, "SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present."},
		{"delete markers with a tag filter", replAdmin, "src", []types.ReplicationRule{tagged}, "InvalidRequest", 400, "Delete marker replication is not supported if any Tag filter is specified."},
		{"destination is the source", replAdmin, "src", []types.ReplicationRule{replRule("a", 1, "src")}, "InvalidRequest", 400, "Destination bucket cannot be the same as the source bucket."},
		{"no iam:PassRole", replNoPass, "src", []types.ReplicationRule{replRule("a", 1, "dst")}, "AccessDenied", 403, "iam:PassRole"},
		{"no s3:PutReplicationConfiguration", replPasser, "dst", []types.ReplicationRule{replRule("a", 1, "src")}, "AccessDenied", 403, "s3:PutReplicationConfiguration"},
		{"no such bucket", replAdmin, "nosuch", []types.ReplicationRule{replRule("a", 1, "dst")}, "NoSuchBucket", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := putReplication(ctx, s.s3(t, tc.creds), tc.bucket, tc.rules...)
			wantSvcErr(t, err, tc.code, tc.status, tc.msg)
			if _, gerr := admin.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")}); gerr == nil {
				t.Error("a refused configuration was stored")
			}
		})
	}
	// The user who may pass the role to S3 configures replication.
	if err := putReplication(ctx, s.s3(t, replPasser), "src", replRule("a", 1, "dst")); err != nil {
		t.Fatalf("PutBucketReplication with iam:PassRole: %v", err)
	}
}

// TestBucketReplicationRoleOfAnotherAccount: a Role of an account the
// world does not hold is denied, not an internal error.
func TestBucketReplicationRoleOfAnotherAccount(t *testing.T) {
	s := startReplEmulator(t)
	_, err := s.s3(t, replAdmin).PutBucketReplication(context.Background(), &s3.PutBucketReplicationInput{
		Bucket: aws.String("src"),
		ReplicationConfiguration: &types.ReplicationConfiguration{
			Role:  aws.String("arn:aws:iam::999999999999:role/elsewhere"),
			Rules: []types.ReplicationRule{replRule("a", 1, "dst")},
		},
	})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "Access Denied")
}

// TestBucketReplicationWithAWSCLI: aws s3api put-bucket-replication (CLI
// v2) with a file:// configuration, get-bucket-replication prints it
// back, and a refused one exits 254 with S3's code and message.
func TestBucketReplicationWithAWSCLI(t *testing.T) {
	s := startReplEmulator(t)
	run := awsCLIv2(t, s, replAdmin)
	dir := t.TempDir()
	good := filepath.Join(dir, "replication.json")
	if err := os.WriteFile(good, []byte(`{
  "Role": "`+replRole+`",
  "Rules": [{
    "ID": "docs", "Priority": 1, "Status": "Enabled",
    "Filter": {"Prefix": "docs/"},
    "DeleteMarkerReplication": {"Status": "Enabled"},
    "Destination": {"Bucket": "arn:aws:s3:::dst", "StorageClass": "STANDARD_IA"}
  }]
}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run("s3api", "put-bucket-replication", "--bucket", "src", "--replication-configuration", "file://"+good); r.exit != 0 {
		t.Fatalf("put-bucket-replication: exit %d: %s", r.exit, r.stderr)
	}
	r := run("s3api", "get-bucket-replication", "--bucket", "src")
	if r.exit != 0 {
		t.Fatalf("get-bucket-replication: exit %d: %s", r.exit, r.stderr)
	}
	for _, want := range []string{`"Role": "` + replRole + `"`, `"ID": "docs"`, `"Prefix": "docs/"`, `"StorageClass": "STANDARD_IA"`, `"Bucket": "arn:aws:s3:::dst"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("get-bucket-replication printed no %s:\n%s", want, r.stdout)
		}
	}
	bad := filepath.Join(dir, "unversioned.json")
	if err := os.WriteFile(bad, []byte(`{"Role": "`+replRole+`", "Rules": [{"Priority": 1, "Status": "Enabled", "Filter": {}, "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::plain"}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run("s3api", "put-bucket-replication", "--bucket", "src", "--replication-configuration", "file://"+bad)
	want := "An error occurred (InvalidRequest) when calling the PutBucketReplication operation: Destination bucket must have versioning enabled."
	if r.exit != 254 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stderr %q; want 254 and %q", r.exit, r.stderr, want)
	}
	if r := run("s3api", "delete-bucket-replication", "--bucket", "src"); r.exit != 0 {
		t.Fatalf("delete-bucket-replication: exit %d: %s", r.exit, r.stderr)
	}
}

// TestVersioningKeptWhileReplicating: versioning cannot be suspended on a
// bucket with a replication configuration (409 InvalidBucketState, with
// S3's message); once the configuration is deleted it can.
func TestVersioningKeptWhileReplicating(t *testing.T) {
	s := startReplEmulator(t)
	ctx := context.Background()
	c := s.s3(t, replAdmin)
	if err := putReplication(ctx, c, "src", replRule("a", 1, "dst")); err != nil {
		t.Fatal(err)
	}
	suspend := &s3.PutBucketVersioningInput{Bucket: aws.String("src"), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}
	_, err := c.PutBucketVersioning(ctx, suspend)
	wantSvcErr(t, err, "InvalidBucketState", http.StatusConflict, "A replication configuration is present on this bucket, so you cannot change the versioning state. To change the versioning state, first delete the replication configuration.")
	if _, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, suspend); err != nil {
		t.Errorf("suspending versioning without a replication configuration: %v", err)
	}
}
