package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/check"
	"github.com/lockstep-dev/lockstep/plan"
)

func newCheckCommand() *cobra.Command {
	var (
		worldFile, principal, client, maxSize string
		output                                *outputFlag
		step                                  int
	)
	cmd := &cobra.Command{
		Use:   "check --world W [--principal ARN] [flags] -- <client command>",
		Short: "Simulate a client command against the policies of a world: which calls are denied, and the fix",
		Long: `check plans the client command as lockstep plan does and decides every
planned call against the policies already in the world (identity, bucket, key,
boundary, session and organization policies, across accounts): allowed or
denied, by which policy and statement, the line the real client prints for a
denied call, and the smallest change that allows it, per policy (the
statement to add, or the Deny to remove or narrow). Calls the client makes but
can do without (optional) are reported and do not fail the check.

--world is a world file or a scenario file: its world as of --step, with the
step's principal, client and, when no command is given after --, the step's
command.

Exit status: 0 every call allowed, 1 a call is denied, 2 bad input.` + modelRules,
		Example: `  lockstep check --world examples/seed000-s3-sync.yaml -- aws s3 sync s3://kazue-sync-source .
  lockstep check --world examples/seed003-kms-multipart.yaml --step 2
  lockstep check --world examples/world.yaml --principal arn:aws:iam::111111111111:user/alice \
      --output json -- aws s3 cp s3://kazue-sync-source/big.dat ./`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if worldFile == "" {
				return badInput(fmt.Errorf("--world is required: the world file (or scenario file) whose policies to check against"))
			}
			format, err := output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			if i := cmd.ArgsLenAtDash(); i > 0 {
				return badInput(fmt.Errorf("unexpected arguments %q: give the client command after --", args[:i]))
			}
			wf, err := loadWorldFile(worldFile, step, cmd.ErrOrStderr())
			if err != nil {
				return badInput(err)
			}
			var scenarioClient plan.Client
			if wf.Scenario != nil {
				scenarioClient = plan.Client(wf.Scenario.Client)
				if len(args) == 0 {
					args = strings.Fields(wf.Scenario.Steps[wf.Step-1].Command)
				}
			}
			if len(args) == 0 {
				return badInput(fmt.Errorf("no client command: give it after --, e.g. lockstep check --world W --principal ARN -- aws s3 sync s3://bucket/prefix ./dir"))
			}
			o := check.Options{}
			if maxSize != "" {
				if o.MaxObjectSize, err = parseSize(maxSize); err != nil {
					return badInput(fmt.Errorf("--max-object-size: %w", err))
				}
			}
			model, detected, err := plan.ChooseClient(args, plan.Client(client), scenarioClient, awsVersion)
			if err != nil {
				return badInput(err)
			}
			c, err := parseClientCommand(cmd, args, model)
			if err != nil {
				return badInput(err)
			}
			if principal == "" {
				principal = wf.Principal
			}
			principal, how, err := plan.ResolvePrincipal(wf.World, c, principal, getenv)
			if err != nil {
				return badInput(err)
			}
			r, err := check.Run(wf.World, principal, c, o)
			if err != nil {
				return badInput(err)
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				err = r.WriteJSON(out)
			} else {
				writeChoices(out, detected, principal, how)
				err = r.WriteTable(out)
			}
			if err != nil {
				return err
			}
			if !r.OK {
				return silentExit(exitDenied)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&worldFile, "world", "", "world `FILE`, or scenario file (its world as of --step), whose policies to check against")
	f.StringVar(&principal, "principal", "", "`ARN` of the user, role or assumed-role session that runs the command (default: the scenario step's, else by the rule below)")
	f.IntVar(&step, "step", 0, "with a scenario file as --world: the step whose world, principal and command to use (1-based; default: the last)")
	f.StringVar(&client, "client", "", clientFlagUsage)
	output = addOutputFlag(cmd)
	output.deprecatedFormat(f)
	f.StringVar(&maxSize, "max-object-size", "", "largest object the command moves, e.g. 1MiB (default: any size, multipart paths included)")
	return cmd
}
