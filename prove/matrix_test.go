package prove

import (
	"context"
	"strings"
	"testing"

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
	const (
		principal = "arn:aws:sts::111111111111:assumed-role/sync/job"
		key       = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	)
	accounts := map[string]string{"src-a": "111111111111", "dst-a": "111111111111", "dst-b": "222222222222", "cmk-b": "222222222222"}
	type row struct {
		client plan.Client
		args   string
		max    int64 // largest object; 0: any size
	}
	var rows []row
	for _, c := range []plan.Client{plan.AWSv1, plan.AWSv2} {
		for _, del := range []string{"", " --delete"} {
			rows = append(rows,
				row{c, "aws s3 sync ./up s3://dst-a/p/" + del, 0},
				row{c, "aws s3 sync s3://src-a/p/ ./down" + del, 0},
				row{c, "aws s3 sync s3://src-a/p/ s3://dst-a/q/" + del, 0},
				row{c, "aws s3 sync s3://src-a/p/ s3://dst-b/q/" + del, 0},
			)
		}
	}
	rows = append(rows,
		row{plan.AWSv1, "aws s3 cp s3://src-a/1gb.dat s3://cmk-b/", 20 << 20}, // seed 003
		row{plan.Rclone, "rclone copy ./dir s3-remote:dst-a/p", 1 << 20},      // seed 002
		row{plan.Rclone, "rclone sync ./dir s3-remote:dst-a/p", 1 << 20},
		row{plan.S5cmd, "s5cmd sync ./dir/ s3://dst-a/p/", 1 << 20},
		// rclone retries a failed read-back and exits 0: s3:GetObject is
		// shown needed by its denied HeadObject calls (issue 9).
		row{plan.Rclone, "rclone sync --checksum ./dir s3-remote:dst-a/p", 1 << 20},
		row{plan.Rclone, "rclone move ./dir s3-remote:dst-a/p", 1 << 20},
		row{plan.Rclone, "rclone move s3-remote:src-a/p ./dir", 1 << 20},
		// With an object already in the destination: rclone reads the
		// source's mtime (HeadObject) unless it compares checksums.
		row{plan.Rclone, "rclone copy s3-remote:src-a/p ./dir", 1 << 20},
		row{plan.Rclone, "rclone copy --checksum s3-remote:src-a/p ./dir", 1 << 20},
		// Filters: the test objects are named to pass them, and a file
		// they exclude must not be copied (issue 9).
		row{plan.AWSv2, "aws s3 sync ./up s3://dst-a/p/ --exclude * --include *.txt", 0},
		row{plan.Rclone, "rclone copy ./dir s3-remote:dst-a/p --include *.txt --exclude *.log", 1 << 20},
		// Streams: standard input and standard output (issue 9).
		row{plan.AWSv2, "aws s3 cp - s3://dst-a/p/k.txt", 0},
		row{plan.AWSv2, "aws s3 cp s3://src-a/p/k.txt -", 0},
		// Dry runs call only the listings (issue 9).
		row{plan.AWSv2, "aws s3 sync ./up s3://dst-a/p/ --dryrun --delete", 0},
		row{plan.AWSv2, "aws s3 rm s3://src-a/p/ --recursive --dryrun", 0},
	)
	clients := replay.FindClients()
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
			ctx := plan.Context{Principal: principal, BucketAccount: accounts, BucketKMSKey: map[string]string{"cmk-b": key}, MaxObjectSize: r.max}
			p, err := plan.Build(cmd, ctx)
			if err != nil {
				t.Fatal(err)
			}
			proof, err := Prove(context.Background(), p, Options{Clients: clients})
			if err != nil {
				t.Fatal(err)
			}
			if !proof.Baseline.OK() {
				t.Fatalf("the planned policies do not let the command succeed: %s\n%s", proof.Baseline.Problem, proof.Baseline.Output)
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
			if strings.Contains(r.args, "rclone sync --checksum") || strings.Contains(r.args, "rclone move ./dir") {
				if fallback == 0 {
					t.Errorf("rclone's retried read-back should show s3:GetObject needed by a fallback path:\n%s", proof.Verdict())
				}
			}
			t.Logf("%d permissions, each necessary, proved in %.1f s", len(proof.Checks), proof.Elapsed.Seconds())
		})
	}
}
