package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/prove"
	"github.com/lockstep-dev/lockstep/world"
)

func newPlanCommand() *cobra.Command {
	var (
		worldFile, principal, client, format, outDir, maxSize string
		bucketAccounts, bucketKeys                            []string
		doProve                                               bool
		detected                                              string
	)
	cmd := &cobra.Command{
		Use:   "plan [flags] -- <client command>",
		Short: "The API calls a client command makes and the least-privilege policies it needs",
		Long: `plan reads a client command as you type it (aws s3 sync|cp|mv|rm, rclone
copy|sync|move|copyto, s5cmd cp|sync|mv|rm) and answers, before anything runs:
every API call the client makes, in order, with the IAM actions, resources and
KMS calls each needs and why; then the identity policy for the principal,
scoped to the buckets and prefixes of the command, the bucket policies for
buckets of other accounts, and the key policy statements for their KMS keys.

The accounts come from --world (bucket owners, default encryption) or from
--bucket-account and --bucket-kms-key.

--prove runs the real client on lockstep's emulator with the planned
policies, on data that makes it take every planned path, then once without
each permission (progress on standard error). The permissions are sufficient
when the client succeeds byte-exact, no call it makes is denied and it makes
every planned call; a permission is necessary when, without it, the client
fails or a call is denied (a retried or fallback path counts). Exit status with
--prove: 0 proved, 1 not sufficient or a permission not needed, 2 bad input.`,
		Example: `  lockstep plan -- aws s3 sync s3://kazue-sync-source s3://kazue-sync-dest
  lockstep plan --world examples/world.yaml --principal arn:aws:sts::111111111111:assumed-role/CopyRole/s \
      -- aws s3 cp s3://kazue-sync-source/big.dat s3://cp-dst/
  lockstep plan --format json -- rclone copy ./dir remote:bucket/path`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" && format != "terraform" {
				return badInput(fmt.Errorf("--format %q: want table, json or terraform", format))
			}
			var ctx plan.Context
			var worldModel *world.Model
			if worldFile != "" {
				w, err := world.Load(worldFile)
				if err != nil {
					return badInput(err)
				}
				ctx = plan.ContextFromWorld(w, principal)
				data, err := os.ReadFile(worldFile)
				if err != nil {
					return badInput(err)
				}
				if worldModel, err = world.Decode(data, worldFile); err != nil {
					return badInput(err)
				}
			} else {
				ctx = plan.Context{Principal: principal, BucketAccount: map[string]string{}, BucketKMSKey: map[string]string{}}
			}
			for _, kv := range bucketAccounts {
				b, a, ok := strings.Cut(kv, "=")
				if !ok || len(a) != 12 {
					return badInput(fmt.Errorf("--bucket-account %q: want BUCKET=ACCOUNT, e.g. cp-dst=222222222222", kv))
				}
				ctx.BucketAccount[b] = a
			}
			for _, kv := range bucketKeys {
				b, k, ok := strings.Cut(kv, "=")
				if !ok || !strings.HasPrefix(k, "arn:aws:kms:") {
					return badInput(fmt.Errorf("--bucket-kms-key %q: want BUCKET=KEY-ARN, for example cp-dst=arn:aws:kms:us-east-1:222222222222:key/ID", kv))
				}
				ctx.BucketKMSKey[b] = k
			}
			if maxSize != "" {
				n, err := parseSize(maxSize)
				if err != nil {
					return badInput(fmt.Errorf("--max-object-size: %w", err))
				}
				ctx.MaxObjectSize = n
			}
			if client == "" && len(args) > 0 && filepath.Base(args[0]) == "aws" {
				client, detected = detectAWSCLI(args[0])
			}
			c, err := plan.ParseCommand(args, plan.Client(client))
			if err != nil {
				return badInput(err)
			}
			p, err := plan.Build(c, ctx)
			if err != nil {
				return badInput(err)
			}
			if outDir != "" {
				files, err := p.WriteFiles(outDir)
				if err != nil {
					return err
				}
				for _, f := range files {
					fmt.Fprintln(cmd.ErrOrStderr(), "wrote", f)
				}
			}
			out := cmd.OutOrStdout()
			if detected != "" && format == "table" {
				fmt.Fprintf(out, "(client: %s)\n", detected)
			}
			var err2 error
			switch format {
			case "table":
				err2 = p.WriteTable(out)
			case "json":
				err2 = p.WriteJSON(out)
			case "terraform":
				err2 = p.WriteTerraform(out)
			}
			if err2 != nil || !doProve {
				return err2
			}
			proof, err := prove.Prove(cmd.Context(), p, prove.Options{World: worldModel, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			proof.Write(out)
			if !proof.Baseline.OK() || len(proof.Unnecessary()) > 0 {
				return silentExit(exitDenied)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&worldFile, "world", "", "world `FILE` giving bucket owners and default encryption")
	f.StringVar(&principal, "principal", "", "`ARN` of the user, role or assumed-role session that runs the command")
	f.StringVar(&client, "client", "", "client model: aws-v1, aws-v2, rclone, s5cmd (default: from the command; for aws, the version `aws --version` reports)")
	f.StringVar(&format, "format", "table", "output: table, json (docs/plan.md lists its fields) or terraform (providers per account, bucket and key policies merged with the current ones)")
	f.StringVar(&outDir, "out", "", "also write each policy document to `DIR`: identity.json; bucket-<bucket>.json and key-<id>.json, the whole policy merged with the current one of --world, or bucket-<bucket>.statements.json and key-<id>.statements.json when the current policy is unknown")
	f.BoolVar(&doProve, "prove", false, "run the real client on the emulator with the planned policies, then without each permission in turn, to show each is necessary")
	f.StringVar(&maxSize, "max-object-size", "", "largest object the command moves, e.g. 1MiB (default: any size, multipart paths included)")
	f.StringSliceVar(&bucketAccounts, "bucket-account", nil, "`BUCKET=ACCOUNT` owner of a bucket (repeatable)")
	f.StringSliceVar(&bucketKeys, "bucket-kms-key", nil, "`BUCKET=KEY-ARN` default SSE-KMS key of a bucket (repeatable)")
	return cmd
}

// detectAWSCLI tells the AWS CLI version of the aws command the user
// would run: aws-v1 or aws-v2 from `aws --version`, and what was found.
// When it cannot be run, v2 is assumed.
func detectAWSCLI(bin string) (string, string) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return "aws-v2", "aws is not installed here; planning for the AWS CLI v2 (--client aws-v1 for v1)"
	}
	out, err := exec.Command(path, "--version").CombinedOutput()
	version := strings.Fields(string(out))
	switch {
	case err == nil && len(version) > 0 && strings.HasPrefix(version[0], "aws-cli/1."):
		return "aws-v1", "detected " + version[0] + " at " + path
	case err == nil && len(version) > 0 && strings.HasPrefix(version[0], "aws-cli/2."):
		return "aws-v2", "detected " + version[0] + " at " + path
	}
	return "aws-v2", "could not read the version of " + path + "; planning for the AWS CLI v2 (--client aws-v1 for v1)"
}

// parseSize reads 1048576, 1MiB, 8MiB, 1GiB.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 1048576, 8MiB or 1GiB", s)
	}
	return n * mult, nil
}
