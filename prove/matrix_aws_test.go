package prove

import (
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
)

// matrixKey2 is a second customer managed key of cmk-b's account: the
// proof's world has it because the command names it (--sse-kms-key-id).
const matrixKey2 = "arn:aws:kms:us-east-1:222222222222:key/0987dcba-09fe-87dc-65ba-ab0987654321"

// TestProofMatrixAWS proves the calls the AWS CLI makes for its options
// (issue 9), each with the real client: what a copy takes over from its
// source (--copy-props, --metadata-directive, metadata options), ACLs
// (--grants, --acl across accounts), an SSE-KMS source and re-encryption
// in place, a move and a recursive copy between buckets.
func TestProofMatrixAWS(t *testing.T) {
	proveRows(t, []row{
		// --copy-props none: no HeadObject or GetObjectTagging of the
		// source; metadata-directive: the HeadObject of multipart copies.
		{client: plan.AWSv2, args: "aws s3 sync s3://src-a/p/ s3://dst-a/q/ --copy-props none"},
		{client: plan.AWSv2, args: "aws s3 sync s3://src-a/p/ s3://dst-a/q/ --copy-props metadata-directive"},
		// --metadata-directive turns --copy-props off: the calls of the
		// AWS CLI v1, which has no --copy-props.
		{client: plan.AWSv2, args: "aws s3 cp s3://src-a/p/ s3://dst-a/q/ --recursive --metadata-directive REPLACE --content-type text/plain"},
		{client: plan.AWSv1, args: "aws s3 cp s3://src-a/p/ s3://dst-a/q/ --recursive --metadata-directive REPLACE --content-type text/plain"},
		// A metadata option without --metadata-directive: a HeadObject of
		// every source object, small ones too.
		{client: plan.AWSv2, args: "aws s3 cp s3://src-a/p/ s3://dst-a/q/ --recursive --content-type text/plain"},
		// ACLs: s3:PutObjectAcl, in the bucket policy too across accounts.
		{client: plan.AWSv2, args: "aws s3 cp ./up s3://dst-a/p/ --recursive --grants read=uri=http://acs.amazonaws.com/groups/global/AllUsers"},
		{client: plan.AWSv1, args: "aws s3 cp ./up s3://dst-b/p/ --recursive --grants full=id=79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
		{client: plan.AWSv2, args: "aws s3 sync s3://src-a/p/ s3://dst-b/q/ --acl bucket-owner-full-control"},
		// Re-encryption in place: kms:Decrypt on the bucket default key the
		// objects are under, kms:GenerateDataKey (and kms:Decrypt for the
		// parts) on the new one. The single-object form, cp s3://cmk-b/k
		// s3://cmk-b/k, makes the same calls per object, and its proof runs
		// once per object size (about 15 s).
		{client: plan.AWSv2, args: "aws s3 cp s3://cmk-b/p/ s3://cmk-b/p/ --recursive --sse aws:kms --sse-kms-key-id " + matrixKey2},
		// An SSE-KMS source: kms:Decrypt on its key, through S3.
		{client: plan.AWSv2, args: "aws s3 sync s3://cmk-b/p/ s3://dst-b/q/"},
		{client: plan.AWSv2, args: "aws s3 mv s3://src-a/p/ s3://dst-b/q/ --recursive"},
		{client: plan.AWSv1, args: "aws s3 cp s3://src-a/p/ s3://dst-a/q/ --recursive"},
	})
}
