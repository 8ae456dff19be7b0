package prove

import (
	"cmp"
	"context"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/internal/matrix"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replay"
)

// TestProofMatrix is issue 4's proof matrix: each row plans a command,
// runs it with the real client on the emulator with the planned policies
// (byte-exact result), and shows every planned permission necessary.
func TestProofMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real clients")
	}
	// The base rows (internal/matrix, whose printed policies plan's
	// tests lint), then the issue 9 rows.
	var rows []row
	for _, r := range matrix.Base() {
		rows = append(rows, row{client: plan.Client(r.Client), args: r.Args, max: r.Max, trail: true})
	}
	rows = append(rows,
		// rclone retries a failed read-back and exits 0: s3:GetObject is
		// shown needed by its denied HeadObject calls (issue 9).
		row{client: plan.Rclone, args: "rclone sync --checksum ./dir s3-remote:dst-a/p", max: 1 << 20, fallback: true},
		row{client: plan.Rclone, args: "rclone move ./dir s3-remote:dst-a/p", max: 1 << 20, fallback: true},
		row{client: plan.Rclone, args: "rclone move s3-remote:src-a/p ./dir", max: 1 << 20},
		// With an object already in the destination: rclone reads the
		// source's mtime (HeadObject) unless it compares checksums.
		row{client: plan.Rclone, args: "rclone copy s3-remote:src-a/p ./dir", max: 1 << 20},
		row{client: plan.Rclone, args: "rclone copy --checksum s3-remote:src-a/p ./dir", max: 1 << 20},
		// Filters: the test objects are named to pass them, and a file
		// they exclude must not be copied (issue 9).
		row{client: plan.AWSv2, args: "aws s3 sync ./up s3://dst-a/p/ --exclude * --include *.txt"},
		row{client: plan.Rclone, args: "rclone copy ./dir s3-remote:dst-a/p --include *.txt --exclude *.log", max: 1 << 20},
		// Streams: standard input and standard output (issue 9).
		row{client: plan.AWSv2, args: "aws s3 cp - s3://dst-a/p/k.txt"},
		row{client: plan.AWSv2, args: "aws s3 cp s3://src-a/p/k.txt -"},
		// Dry runs call only the listings (issue 9).
		row{client: plan.AWSv2, args: "aws s3 sync ./up s3://dst-a/p/ --dryrun --delete"},
		row{client: plan.AWSv2, args: "aws s3 rm s3://src-a/p/ --recursive --dryrun"},
	)
	proveRows(t, rows)
}

// The world of the matrix: buckets src-a and dst-a of the principal's
// account, dst-b and cmk-b (SSE-KMS with a customer managed key) of
// another.
const (
	matrixPrincipal = "arn:aws:sts::111111111111:assumed-role/sync/job"
	matrixKey       = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

var matrixAccounts = map[string]string{"src-a": "111111111111", "dst-a": "111111111111", "dst-b": "222222222222", "cmk-b": "222222222222"}

// row is one command of a proof matrix.
type row struct {
	client plan.Client
	args   string
	max    int64 // largest object; 0: any size
	// fallback, when set, requires a permission to be shown needed by a
	// retried or fallback path.
	fallback bool
	// principal, when set, runs the row instead of matrixPrincipal;
	// sourcePrincipal, with two credential sets, reads the source
	// (empty: the proof's default, a role of the source bucket's account).
	principal, sourcePrincipal string
	// trail, when set, also plans from the proof's audit log (plan
	// --from-trail) and shows those policies sufficient (issue 13).
	trail bool
}

// proveRows proves each row with the real client on the matrix's world:
// the planned permissions sufficient (byte-exact, every planned call
// made, nothing else denied) and each necessary.
func proveRows(t *testing.T, rows []row) {
	t.Helper()
	proveRowsWith(t, rows, "")
}

// proveRowsWith is proveRows with lockstep, the client of lockstep's own
// rows, at the path given.
func proveRowsWith(t *testing.T, rows []row, lockstep string) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the real clients")
	}
	principal, key, accounts := matrixPrincipal, matrixKey, matrixAccounts
	clients := replay.FindClients()
	clients.Lockstep = lockstep
	for _, r := range rows {
		r := r
		t.Run(string(r.client)+" "+strings.ReplaceAll(r.args, "/", "∕"), func(t *testing.T) {
			if _, err := clientBinary(&plan.Command{Client: r.client}, clients); err != nil {
				if r.client == plan.AWSv1 {
					// make clients cannot install the pip AWS CLI v1.
					t.Skip(err)
				}
				clientsOrSkip(t, func(replay.Clients) string { return "" })
			}
			cmd, err := plan.ParseCommand(strings.Fields(r.args), r.client)
			if err != nil {
				t.Fatal(err)
			}
			ctx := plan.Context{Principal: cmp.Or(r.principal, principal), SourcePrincipal: r.sourcePrincipal, BucketAccount: accounts, BucketKMSKey: map[string]string{"cmk-b": key}, MaxObjectSize: r.max}
			p, err := plan.Build(cmd, ctx)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Clients: clients}
			proof, err := Prove(context.Background(), p, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !proof.Baseline.OK() {
				t.Fatalf("the planned policies do not let the command succeed: %s\n%s", proof.Baseline.Problem, proof.Baseline.Output)
			}
			if r.trail {
				proveFromTrail(t, proof, opts, false)
			}
			fallback := 0
			for _, c := range proof.Checks {
				if !c.Necessary {
					t.Errorf("%s on %s is planned, but the client succeeds without it and no call is denied", c.Need.Action, c.Need.Resource)
				}
				if c.Effect == DeniedCalls {
					fallback++
				}
			}
			if r.fallback && fallback == 0 {
				t.Errorf("a permission should be shown needed by a retried or fallback path:\n%s", proof.Verdict())
			}
			t.Logf("%d permissions, each necessary, proved in %.1f s", len(proof.Checks), proof.Elapsed.Seconds())
		})
	}
}
