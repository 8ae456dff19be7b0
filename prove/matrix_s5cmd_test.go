package prove

import (
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
)

// TestProofMatrixS5cmd proves the calls s5cmd v2.3.0 makes (issue 9) with
// the real client: the comparing flags, which read the destination
// object by object; the sync of a path without a wildcard; mv and rm of a
// wildcard; S3 to S3 copies within and across accounts; SSE-KMS and ACL
// uploads into another account's buckets.
func TestProofMatrixS5cmd(t *testing.T) {
	const mib = 1 << 20
	proveRows(t, []row{
		// Dry runs call only the listings.
		{client: plan.S5cmd, args: "s5cmd --dry-run sync ./dir/ s3://dst-a/p/", max: mib},
		{client: plan.S5cmd, args: "s5cmd --dry-run cp s3://src-a/p/* ./dir/", max: mib},
		// A local wildcard source: the test files are in dir/.
		{client: plan.S5cmd, args: "s5cmd cp dir/* s3://dst-a/p/", max: mib},
		// -n, -s, -u: one object is in the destination from the start,
		// so that s5cmd compares and skips it; the others are missing,
		// and their 404 needs s3:ListBucket.
		{client: plan.S5cmd, args: "s5cmd cp -n ./dir/ s3://dst-a/p/", max: mib},
		{client: plan.S5cmd, args: "s5cmd cp -s s3://src-a/p/* ./dir/", max: mib},
		{client: plan.S5cmd, args: "s5cmd cp -u s3://src-a/p/* s3://dst-b/q/", max: mib},
		{client: plan.S5cmd, args: "s5cmd cp --no-clobber s3://src-a/p/k.txt s3://dst-a/q/", max: mib},
		// A path without a wildcard: ListObjectsV2 with the key as the
		// prefix, then each object it matches.
		{client: plan.S5cmd, args: "s5cmd sync s3://src-a/p/k.txt ./dir/", max: mib},
		{client: plan.S5cmd, args: "s5cmd mv s3://src-a/p/* ./dir/", max: mib},
		{client: plan.S5cmd, args: "s5cmd mv s3://src-a/p/* s3://dst-b/q/", max: mib},
		{client: plan.S5cmd, args: "s5cmd rm s3://src-a/p/*", max: mib},
		{client: plan.S5cmd, args: "s5cmd cp s3://src-a/p/* s3://dst-a/q/", max: mib},
		{client: plan.S5cmd, args: "s5cmd cp s3://src-a/p/* s3://dst-b/q/", max: mib},
		{client: plan.S5cmd, args: "s5cmd cp --sse aws:kms --sse-kms-key-id " + matrixKey + " ./dir/ s3://cmk-b/p/", max: mib},
		{client: plan.S5cmd, args: "s5cmd cp --acl bucket-owner-full-control ./dir/ s3://dst-b/p/", max: mib},
	})
}
