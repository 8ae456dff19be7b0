package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/prove"
	"github.com/lockstep-dev/lockstep/world"
)

func newPlanCommand() *cobra.Command {
	var (
		worldFile, principal, client, outDir, maxSize string
		sourcePrincipal                               string
		output                                        *outputFlag
		bucketAccounts, bucketKeys                    []string
		doProve                                       bool
		step                                          int
		fromTrail                                     []string
		generalise                                    string
	)
	cmd := &cobra.Command{
		Use:   "plan [flags] -- <client command>",
		Short: "The API calls a client command makes and the least-privilege policies it needs",
		Long: `plan reads a client command as you type it (aws s3 sync|cp|mv|rm, rclone
copy|sync|move|copyto|moveto|check|delete|lsf, s5cmd cp|sync|mv|rm, lockstep
sync|cp: lockstep's own, which lockstep sync --plan also prints) and
answers, before anything runs: every API call the client makes, in order,
with the IAM actions, resources and KMS calls each needs and why; then the
identity policy for the principal, scoped to the buckets and prefixes of the
command, the bucket policies for buckets of other accounts, and the key
policy statements for their KMS keys.

The accounts come from --world (bucket owners, default encryption; buckets
of other accounts than the principal's get bucket policies) or from
--bucket-account and --bucket-kms-key. An --sse-kms-key-id alias or key ID is
resolved to its key ARN through the world; without one, the plan says so and
leaves the key out of the policies.

--prove runs the real client on lockstep's emulator with the planned
policies, on data that makes it take every planned path, then once without
each permission (progress on standard error when it is a terminal). The permissions are sufficient
when the client succeeds byte-exact, no call it makes is denied and it makes
every planned call; a permission is necessary when, without it, the client
fails or a call is denied (a retried or fallback path counts). Exit status with
--prove: 0 proved, 1 not sufficient or a permission not needed, 2 bad input.

--from-trail FILE|DIR plans from what a principal did instead of a command:
the S3 data events and the KMS calls S3 made for --principal (a user, role
or assumed-role ARN, or a role name) in CloudTrail log files (gzipped or
not), lookup-events output or lockstep serve's audit log; denied calls are
planned and marked, and the output names the period the trail covers
(docs/trail.md). With --prove and the job's command after --, the command
runs on the emulator with the policies from the trail, then without each.` + modelRules,
		Example: `  lockstep plan -- aws s3 sync s3://kazue-sync-source s3://kazue-sync-dest
  lockstep plan --world examples/world.yaml --principal arn:aws:sts::111111111111:assumed-role/CopyRole/s \
      -- aws s3 cp s3://kazue-sync-source/big.dat s3://cp-dst/
  AWS_PROFILE=copy lockstep plan --client aws-v2 --world examples/world.yaml \
      -- aws s3 sync s3://kazue-sync-source s3://cp-dst/backup/
  lockstep plan --output json -- rclone copy ./dir remote:bucket/path
  lockstep plan -- lockstep sync ./dir s3://bucket/prefix/ --delete
  lockstep plan --from-trail internal/trail/testdata/aws-docs --principal arn:aws:iam::111122223333:user/alice`,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			if len(fromTrail) > 0 {
				r := trailRun{paths: fromTrail, principal: principal, generalise: generalise, worldFile: worldFile, step: step, outDir: outDir, client: client, maxSize: maxSize}
				return r.run(cmd, args, format, doProve)
			}
			if generalise != "" {
				return badInput(fmt.Errorf("--generalise applies to --from-trail"))
			}
			model, detected, err := plan.ChooseClient(args, plan.Client(client), "", awsVersion)
			if err != nil {
				return badInput(err)
			}
			c, err := parseClientCommand(cmd, args, model)
			if err != nil {
				return badInput(err)
			}
			r := planRun{worldFile: worldFile, step: step, principal: principal, sourcePrincipal: sourcePrincipal, maxSize: maxSize, outDir: outDir,
				bucketAccounts: bucketAccounts, bucketKeys: bucketKeys, prove: doProve}
			return r.run(cmd, c, format, detected)
		},
	}
	f := cmd.Flags()
	f.StringVar(&worldFile, "world", "", "world `FILE` giving bucket owners, default encryption, keys and profiles, or scenario file (its world as of --step)")
	f.IntVar(&step, "step", 0, "with a scenario file as --world: the step whose world to use (1-based; default: the last)")
	f.StringVar(&principal, "principal", "", "`ARN` of the user, role or assumed-role session that runs the command (default with --world: by the rule below)")
	f.StringVar(&sourcePrincipal, "source-principal", "", "with two credential sets (lockstep sync|cp --source-profile/--dest-profile): `ARN` of the principal that reads the source; --principal is then the destination's (default with --world: the source's profile)")
	f.StringVar(&client, "client", "", clientFlagUsage)
	output = addOutputFlag(cmd, "terraform")
	output.deprecatedFormat(f)
	f.StringVar(&outDir, "out", "", "also write each policy document to `DIR`: identity.json; bucket-<bucket>.json and key-<id>.json, the whole policy merged with the current one of --world, or bucket-<bucket>.statements.json and key-<id>.statements.json when the current policy is unknown")
	f.BoolVar(&doProve, "prove", false, "run the real client on the emulator with the planned policies, then without each permission in turn, to show each is necessary")
	f.StringVar(&maxSize, "max-object-size", "", "largest object the command moves, e.g. 1MiB (default: any size, multipart paths included)")
	f.StringSliceVar(&bucketAccounts, "bucket-account", nil, "`BUCKET=ACCOUNT` owner of a bucket (repeatable)")
	f.StringSliceVar(&bucketKeys, "bucket-kms-key", nil, "`BUCKET=KEY-ARN` default SSE-KMS key of a bucket (repeatable)")
	f.StringArrayVar(&fromTrail, "from-trail", nil, "plan from the calls --principal made, read from CloudTrail log `FILE`s or directories (repeatable; docs/trail.md) instead of a command")
	f.StringVar(&generalise, "generalise", "", "with --from-trail, how far keys and prefixes become patterns: none, prefixes (default: each bucket's longest common directory) or keys (the whole bucket)")
	cmd.AddCommand(newPlanBatchCopyCommand())
	cmd.AddCommand(newPlanReplicationCommand())
	return cmd
}

// planRun is what plan does once the client command is read: the
// context from --world or the flags, the plan, its output, and --prove.
// lockstep sync --plan runs it too.
type planRun struct {
	worldFile, principal, maxSize, outDir string
	// sourcePrincipal is --source-principal: with two credential sets,
	// the principal of the source's credentials.
	sourcePrincipal            string
	step                       int
	bucketAccounts, bucketKeys []string
	prove                      bool
}

// run plans c and prints the plan in format; detected is what the
// client rule found, for writeChoices.
func (r *planRun) run(cmd *cobra.Command, c *plan.Command, format, detected string) error {
	var (
		ctx        plan.Context
		worldModel *world.Model
		how        string
	)
	if r.worldFile != "" {
		wf, err := loadWorldFile(r.worldFile, r.step, cmd.ErrOrStderr())
		if err != nil {
			return badInput(err)
		}
		worldModel = wf.Model
		w := wf.World
		if r.principal, how, err = plan.ResolvePrincipal(w, c, r.principal, getenv); err != nil {
			return badInput(err)
		}
		ctx = plan.ContextFromWorld(w, r.principal)
		if c.Creds.TwoSets {
			var sourceHow string
			if r.sourcePrincipal, sourceHow, err = plan.ResolveSourcePrincipal(w, c, r.sourcePrincipal, getenv); err != nil {
				return badInput(err)
			}
			if sourceHow != "" && sourceHow != "--principal" {
				how += "; the source's principal " + r.sourcePrincipal + ", from " + sourceHow
			}
		}
	} else {
		ctx = plan.Context{Principal: r.principal, BucketAccount: map[string]string{}, BucketKMSKey: map[string]string{}}
	}
	switch {
	case r.sourcePrincipal != "" && !c.Creds.TwoSets:
		return badInput(fmt.Errorf("--source-principal names the principal of the source's credentials of a job with two credential sets (lockstep sync|cp --source-profile and --dest-profile, S3 to S3); %s has one principal: give --principal", c))
	case r.sourcePrincipal == "anonymous":
		return badInput(fmt.Errorf("the source's principal is anonymous: lockstep plans the policies of principals that sign"))
	}
	ctx.SourcePrincipal = r.sourcePrincipal
	if r.principal == "anonymous" || c.Creds.Unsigned {
		return badInput(fmt.Errorf("the command sends unsigned requests (%s): lockstep plans the policies of a principal that signs; only bucket policies naming Principal \"*\" allow anonymous requests", firstNonEmpty(how, "--no-sign-request")))
	}
	for _, kv := range r.bucketAccounts {
		b, a, ok := strings.Cut(kv, "=")
		if !ok || len(a) != 12 {
			return badInput(fmt.Errorf("--bucket-account %q: want BUCKET=ACCOUNT, e.g. cp-dst=222222222222", kv))
		}
		ctx.BucketAccount[b] = a
	}
	for _, kv := range r.bucketKeys {
		b, k, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "arn:aws:kms:") {
			return badInput(fmt.Errorf("--bucket-kms-key %q: want BUCKET=KEY-ARN, for example cp-dst=arn:aws:kms:us-east-1:222222222222:key/ID", kv))
		}
		ctx.BucketKMSKey[b] = k
	}
	if r.maxSize != "" {
		n, err := parseSize(r.maxSize)
		if err != nil {
			return badInput(fmt.Errorf("--max-object-size: %w", err))
		}
		ctx.MaxObjectSize = n
	}
	p, err := plan.Build(c, ctx)
	if err != nil {
		return badInput(err)
	}
	out := cmd.OutOrStdout()
	err2 := writePlan(cmd, p, format, r.outDir, func() { writeChoices(out, detected, r.principal, how) })
	if err2 != nil || !r.prove {
		return err2
	}
	proof, err := prove.Prove(cmd.Context(), p, prove.Options{World: worldModel, Progress: progress(cmd.ErrOrStderr())})
	if err != nil {
		return err
	}
	return writeProof(cmd, proof)
}

// writeProof prints the proof after the plan: exit status 1 when the
// plan is not shown sufficient or a permission is not needed.
func writeProof(cmd *cobra.Command, proof interface {
	Write(io.Writer)
	Proved() bool
}) error {
	out := cmd.OutOrStdout()
	if machineOutput(cmd) {
		// Standard output holds the plan as JSON or Terraform, which a
		// program reads whole: the proof, for people, goes to standard
		// error.
		out = cmd.ErrOrStderr()
	}
	proof.Write(out)
	if !proof.Proved() {
		return silentExit(exitDenied)
	}
	return nil
}

// machineOutput reports whether the command prints for programs: --output
// (or the deprecated --format or --json) json or terraform.
func machineOutput(cmd *cobra.Command) bool {
	f := cmd.Flags()
	for _, name := range []string{"output", "format"} {
		if fl := f.Lookup(name); fl != nil && fl.Changed {
			switch strings.ToLower(fl.Value.String()) {
			case "json", "terraform":
				return true
			}
		}
	}
	fl := f.Lookup("json")
	return fl != nil && fl.Changed && fl.Value.String() == "true"
}

// writePlan writes the plan's files to outDir, when given, and the plan
// to standard output in format; before the text form, header writes what
// the text form opens with.
func writePlan(cmd *cobra.Command, p *plan.Plan, format, outDir string, header func()) error {
	if outDir != "" {
		files, err := p.WriteFiles(outDir)
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Fprintln(cmd.ErrOrStderr(), "wrote", f)
		}
	}
	return writeFormat(cmd.OutOrStdout(), p, format, header)
}

// formats is what a plan of any kind prints: a command's or a trail's
// (plan.Plan), a replication setup's (plan.ReplicationPlan).
type formats interface {
	WriteJSON(io.Writer) error
	WriteTerraform(io.Writer) error
	WriteTable(io.Writer) error
}

// writeFormat writes p to out in format; before the text form, header
// (when not nil) writes what the text form opens with.
func writeFormat(out io.Writer, p formats, format string, header func()) error {
	switch format {
	case "json":
		return p.WriteJSON(out)
	case "terraform":
		return p.WriteTerraform(out)
	}
	if header != nil {
		header()
	}
	return p.WriteTable(out)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
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
