package prove

import (
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
)

// TestProofMatrixRclone proves the calls rclone really makes (issue 9),
// each row with the real client on the emulator: the planned permissions
// sufficient, every planned call made, and each permission necessary.
func TestProofMatrixRclone(t *testing.T) {
	const mib = 1 << 20
	proveRows(t, []row{
		// Dry runs list and compare, and copy, update or delete nothing;
		// rclone's read of an existing object's time still happens.
		{client: plan.Rclone, args: "rclone sync --dry-run ./dir s3-remote:dst-a/p", max: mib},
		{client: plan.Rclone, args: "rclone copy --dry-run s3-remote:src-a/p ./dir", max: mib},
		// Server-side copies from --s3-copy-cutoff are made in parts, and
		// an object updated in place too (the data straddles the cutoff).
		{client: plan.Rclone, args: "rclone copy s3-remote:src-a/p s3-remote:dst-a/q --s3-copy-cutoff 5M", max: 12 * mib},
		// Seed 003's failure: UploadPartCopy into an SSE-KMS bucket of
		// another account needs kms:Decrypt on the destination's key.
		{client: plan.Rclone, args: "rclone copy s3-remote:src-a/p s3-remote:cmk-b/q --s3-copy-cutoff 5M --s3-server-side-encryption aws:kms --s3-sse-kms-key-id " + matrixKey, max: 12 * mib},
		// Uploads in parts from --s3-upload-cutoff.
		{client: plan.Rclone, args: "rclone sync --s3-upload-cutoff 5M ./dir s3-remote:dst-a/p", max: 12 * mib},
		// --s3-no-head skips the read-back of an upload, not that of a
		// server-side copy, nor the comparison of an existing object.
		{client: plan.Rclone, args: "rclone copy --s3-no-head ./dir s3-remote:dst-a/p", max: mib},
		{client: plan.Rclone, args: "rclone move --s3-no-head s3-remote:src-a/p s3-remote:dst-a/q", max: mib},
		// ACLs: --s3-acl on the object and, without --s3-bucket-acl, on
		// CreateBucket; --s3-bucket-acl on CreateBucket only.
		{client: plan.Rclone, args: "rclone copyto --s3-acl bucket-owner-full-control ./dir/f.txt s3-remote:dst-a/p/k.txt", max: mib},
		{client: plan.Rclone, args: "rclone copyto --s3-bucket-acl bucket-owner-full-control ./dir/f.txt s3-remote:dst-a/p/k.txt", max: mib},
		// An upload onto an object an SSE-KMS destination has: rclone,
		// told the encryption (or every small upload reads as corrupted,
		// TestRcloneKMSDefaultWithoutFlag), trusts no ETag, so it uploads
		// the object again instead of updating its time in place.
		{client: plan.Rclone, args: "rclone copyto --s3-server-side-encryption aws:kms --s3-sse-kms-key-id " + matrixKey + " ./dir/f.txt s3-remote:cmk-b/p/k.txt", max: mib},
		// Verbs that list, read and delete.
		{client: plan.Rclone, args: "rclone check ./dir s3-remote:dst-a/p", max: mib},
		{client: plan.Rclone, args: "rclone check --download s3-remote:src-a/p ./dir", max: mib},
		{client: plan.Rclone, args: "rclone delete s3-remote:src-a/p", max: mib},
		{client: plan.Rclone, args: "rclone lsf -R --format tsp s3-remote:src-a/p", max: mib},
	})
}
