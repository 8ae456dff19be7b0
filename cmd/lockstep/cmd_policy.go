package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/lint"
	"github.com/lockstep-dev/lockstep/policy"
)

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Work with policy documents",
	}
	cmd.AddCommand(newPolicyLintCommand())
	return cmd
}

func newPolicyLintCommand() *cobra.Command {
	var typeName string
	cmd := &cobra.Command{
		Use:   "lint [--type T] FILE...",
		Short: "Check policy documents for errors and least-privilege mistakes",
		Long: `Check IAM policy documents (JSON) for the errors AWS rejects and the mistakes
that make requests fail: an object action granted only on the bucket ARN
(arn:aws:s3:::b instead of arn:aws:s3:::b/*), unknown action names, condition
keys the action never sets, set operators on single-valued keys, and more.

The type (identity, bucket, key, trust, boundary, session, scp, rcp) decides
which elements a document may have; by default it is bucket when statements
name a Principal and identity otherwise.

Exit status: 0 no findings, 1 findings, 2 a file could not be read.`,
		Example: `  lockstep policy lint examples/policies/*.json
  lockstep policy lint --type key key-policy.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			var typ *policy.Type
			if typeName != "" {
				t, err := policy.ParseType(typeName)
				if err != nil {
					return badInput(fmt.Errorf("--type: %w", err))
				}
				typ = &t
			}
			out := cmd.OutOrStdout()
			found := 0
			for _, f := range files {
				findings, err := lint.File(f, typ)
				if err != nil {
					return badInput(err)
				}
				for _, fd := range findings {
					fmt.Fprintln(out, fd)
				}
				found += len(findings)
			}
			if found > 0 {
				return silentExit(exitDenied)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typeName, "type", "", "policy type: identity, bucket, key, trust, boundary, session, scp or rcp (default: detected)")
	return cmd
}
