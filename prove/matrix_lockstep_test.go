package prove

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replay"
)

// TestProofMatrixLockstep proves lockstep's own model (issue 12: `plan
// --prove -- lockstep sync ...`) with the lockstep binary as the client,
// its preflight's probes included (a probe upload beside cp's one object
// needs permissions of its own):
// uploads, downloads and S3 to S3 copies, of small objects and of ones
// at the 8 MiB multipart threshold (rows without a max); --delete,
// --dryrun, filters, SSE-KMS with another account's key, a canned ACL
// into another account's bucket, and cp of one object and of a tree.
func TestProofMatrixLockstep(t *testing.T) {
	const mib = 1 << 20
	rows := []row{
		{client: plan.Lockstep, args: "lockstep sync ./up s3://dst-a/p/ --delete"},
		// Without the preflight, no s3:AbortMultipartUpload.
		{client: plan.Lockstep, args: "lockstep sync ./up s3://dst-a/p/ --delete --no-preflight"},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://dst-b/q/ --no-preflight", max: mib},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ ./dir"},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://dst-a/q/ --delete"},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p s3://dst-b/q", max: mib},
		{client: plan.Lockstep, args: "lockstep sync ./up s3://dst-a/p/ --dryrun --delete", max: mib},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://dst-b/q/ --dryrun", max: mib},
		{client: plan.Lockstep, args: "lockstep sync ./up s3://dst-a/p/ --exclude * --include *.txt", max: mib},
		{client: plan.Lockstep, args: "lockstep sync ./up s3://cmk-b/p/ --sse=aws:kms --sse-kms-key-id " + matrixKey},
		{client: plan.Lockstep, args: "lockstep sync ./up s3://dst-b/p/ --acl bucket-owner-full-control", max: mib},
		// Seed 003's path: a server-side multipart copy into another
		// account's bucket whose default key is a customer managed key
		// (UploadPartCopy needs kms:Decrypt of that key).
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://cmk-b/q/"},
		{client: plan.Lockstep, args: "lockstep cp ./k.txt s3://dst-a/p/"},
		{client: plan.Lockstep, args: "lockstep cp s3://src-a/p/k.txt ./dir/", max: mib},
		{client: plan.Lockstep, args: "lockstep cp s3://src-a/p/k.txt s3://dst-b/q/"},
		{client: plan.Lockstep, args: "lockstep cp s3://src-a/p ./dir --recursive", max: mib},
		{client: plan.Lockstep, args: "lockstep cp ./up s3://dst-a/p --recursive"},
		// The comparing rules change no call.
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ ./dir --exact-timestamps", max: mib},
		{client: plan.Lockstep, args: "lockstep sync ./up s3://dst-a/p/ --size-only", max: mib},
		// --checksum: the destination has one test object with the same
		// content (prove/data.go), which lockstep compares with HeadObject
		// in checksum mode on each S3 side (existing: true in the model);
		// a proof whose data does not make it compare fails "not
		// exercised" (TestProofChecksumNotExercised). Also with --dryrun,
		// which compares too.
		{client: plan.Lockstep, args: "lockstep sync ./up s3://dst-a/p/ --checksum", max: mib},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ ./dir --checksum", max: mib},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://dst-b/q/ --checksum", max: mib},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://dst-b/q/ --checksum --dryrun", max: mib},
		// Into SSE-KMS, with multipart uploads (their CRC64NVME declared
		// at CompleteMultipartUpload); and from an SSE-KMS source, whose
		// HeadObject in checksum mode alone needs kms:GenerateDataKey of
		// the source's key (docs/authorization.md §3.1).
		{client: plan.Lockstep, args: "lockstep sync ./up s3://cmk-b/p/ --checksum --sse=aws:kms --sse-kms-key-id " + matrixKey},
		{client: plan.Lockstep, args: "lockstep sync s3://cmk-b/p/ ./dir --checksum", max: mib},
		// Two credential sets: the source's principal reads, the
		// destination's writes, the copies stream through lockstep (the
		// copy path's probe, a read of the source by the destination's
		// principal, is denied: optional). Seed 001's shape: each
		// principal in its bucket's account, no bucket policy; small and
		// multipart objects, --delete.
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://dst-b/q/ --source-profile prod --dest-profile backup --delete",
			principal: "arn:aws:sts::222222222222:assumed-role/backup/job", sourcePrincipal: "arn:aws:sts::111111111111:assumed-role/prod/job"},
		// Both principals in a third account: each bucket's policy names
		// the principal that uses it, the CMK's key policy the writer;
		// --checksum asks each side with its own credentials.
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://cmk-b/q/ --source-profile prod --dest-profile backup --checksum", max: mib,
			principal: "arn:aws:sts::333333333333:assumed-role/writer/job", sourcePrincipal: "arn:aws:sts::333333333333:assumed-role/reader/job"},
		{client: plan.Lockstep, args: "lockstep sync s3://src-a/p/ s3://dst-b/q/ --source-profile prod --dest-profile backup --dryrun", max: mib},
		{client: plan.Lockstep, args: "lockstep cp s3://src-a/p/k.txt s3://dst-b/q/ --source-profile prod --dest-profile backup",
			principal: "arn:aws:sts::222222222222:assumed-role/backup/job"},
	}
	proveRowsWith(t, rows, lockstepBinary(t))
}

// TestProofChecksumNotExercised: a proof of a --checksum plan whose run
// does not compare checksums (here lockstep runs without --checksum, so
// it compares sizes and times and makes no HeadObject) cannot show the
// comparison's permissions sufficient: it fails "not exercised", naming
// the planned HeadObject calls of objects the destination has.
func TestProofChecksumNotExercised(t *testing.T) {
	bin := lockstepBinary(t)
	for _, args := range []string{
		"lockstep sync ./up s3://dst-a/p/ --checksum",
		"lockstep sync s3://src-a/p/ ./dir --checksum",
	} {
		t.Run(strings.ReplaceAll(args, "/", "∕"), func(t *testing.T) {
			cmd, err := plan.ParseCommand(strings.Fields(args), plan.Lockstep)
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.Build(cmd, plan.Context{Principal: matrixPrincipal, BucketAccount: matrixAccounts, MaxObjectSize: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			p.Command.Args = slices.DeleteFunc(slices.Clone(p.Command.Args), func(a string) bool { return a == "--checksum" })
			proof, err := Prove(context.Background(), p, Options{Clients: replay.Clients{Lockstep: bin}})
			if err != nil {
				t.Fatal(err)
			}
			if problem := proof.Baseline.Problem; !strings.Contains(problem, "not exercised") || !strings.Contains(problem, "HeadObject") || !strings.Contains(problem, "objects the destination has") {
				t.Errorf("the proof of a run that compares no checksum: %q; want it not exercised, naming the HeadObject of objects the destination has", problem)
			}
		})
	}
}

// lockstepBinary builds this module's lockstep into a temporary
// directory: the proof must run the lockstep of this source, not one on
// PATH.
func lockstepBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs lockstep")
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		t.Fatalf("go env GOMOD: %q, %v", gomod, err)
	}
	bin := filepath.Join(t.TempDir(), "lockstep")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/lockstep")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/lockstep: %v\n%s", err, out)
	}
	return bin
}
