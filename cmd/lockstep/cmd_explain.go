package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/explain"
	"github.com/lockstep-dev/lockstep/plan"
)

func newExplainCommand() *cobra.Command {
	var (
		worldPath, principal string
		client               string
		step                 int
		output               *outputFlag
	)
	cmd := &cobra.Command{
		Use:   `explain "<error text>" [--world W] [--principal ARN] [--client aws-v1] [-- <client command>]`,
		Short: "Say which permissions cause an access-denied error, and with a world, which one does",
		Long: `Read an error as the client printed it (AWS CLI, boto3, Go SDK, rclone, s5cmd,
KMS, or AWS's detailed "User: ... is not authorized to perform: ..." message)
and list the permissions that can cause it, most likely first, each with why:
the calls the client makes for the command the line reports (its behaviour
model, plan/models), each call's IAM actions (from the operation catalogue),
the KMS calls S3 makes for SSE-KMS objects, cross-account and
403-instead-of-404 causes.

With --world (a world file, or a scenario file: its world as of --step), the
candidates are evaluated for the caller (--principal, or the ARN of a
detailed message) and the denied one is named with the policy that denied it
and the smallest policy change that allows it. The client command after --
gives the buckets and keys when the error does not name them.

Exit status: 0 explained, 2 bad input (text not understood, bad world).`,
		Example: `  lockstep explain "An error occurred (AccessDenied) when calling the UploadPartCopy operation: Access Denied" \
    --world examples/seed003-kms-multipart.yaml --step 2 -- aws s3 cp s3://cp-src/1gb.dat s3://cp-dst/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			text, command := args, []string(nil)
			if i := cmd.ArgsLenAtDash(); i >= 0 {
				text, command = args[:i], args[i:]
			}
			if len(text) == 0 {
				return badInput(fmt.Errorf("give the error text as the argument (quote it), e.g. lockstep explain \"An error occurred (AccessDenied) when calling the GetObject operation: Access Denied\"\n%s", explain.Forms))
			}
			o := explain.Options{Principal: principal}
			var wf *worldFile
			if worldPath != "" {
				var err error
				if wf, err = loadWorldFile(worldPath, step, cmd.ErrOrStderr()); err != nil {
					return badInput(err)
				}
				o.World = wf.World
				if o.Principal == "" {
					o.Principal = wf.Principal
				}
				if client == "" && wf.Scenario != nil {
					// The client version the seed's author ran.
					client = wf.Scenario.Client
				}
			}
			if len(command) > 0 {
				c, err := explain.ParseCommandAs(command, plan.Client(client))
				if err != nil {
					return badInput(err)
				}
				o.Command = c
			}
			if wf != nil && o.Command == nil && wf.Scenario != nil {
				// A scenario step knows the command that failed.
				c, err := explain.ParseCommandAs(strings.Fields(wf.Scenario.Steps[wf.Step-1].Command), plan.Client(client))
				if err != nil {
					return badInput(fmt.Errorf("%s step %d: %w", worldPath, wf.Step, err))
				}
				o.Command = c
			}
			x, err := explain.Explain(strings.Join(text, " "), o)
			if err != nil {
				return badInput(err)
			}
			format, err := output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			if format == "json" {
				return x.WriteJSON(cmd.OutOrStdout())
			}
			return x.WriteText(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&worldPath, "world", "", "world file, or scenario file (its world as of --step), to pinpoint the denied permission")
	f.StringVar(&principal, "principal", "", "the caller's ARN (default: the one in a detailed message, or the scenario's)")
	f.StringVar(&client, "client", "", "client model of the command after --: aws-v1 for the AWS CLI v1 (default: from the command, aws as v2; a scenario's client)")
	f.IntVar(&step, "step", 0, "with a scenario file as --world: the step whose world to use (1-based; default: the last)")
	output = addOutputFlag(cmd)
	output.deprecatedJSON(f)
	return cmd
}
