package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/internal/auditview"
)

func newAuditCommand() *cobra.Command {
	var (
		f      auditview.Filter
		output *outputFlag
	)
	cmd := &cobra.Command{
		Use:   "audit [--denied] [--principal P] [--bucket B] FILE",
		Short: "Read an audit log (lockstep serve --audit, or CloudTrail's): one line a call",
		Long: `audit prints a CloudTrail log one line a call: time, principal, operation,
resource, and whether it was allowed; for a denial, why: the Deny statement
that decided it, the condition that was false, or the permission missing.
FILE is the JSON-lines log of lockstep serve --audit, or a CloudTrail log
file as AWS delivers it ({"Records": [...]}, gzipped or not); - reads
standard input.

lockstep serve --log denied|all prints the same lines as calls happen.`,
		Example: `  lockstep audit --denied internal/auditview/testdata/audit.jsonl
  lockstep audit --principal alice --bucket kazue-sync-source internal/auditview/testdata/cloudtrail.json.gz`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				file, err := os.Open(args[0])
				if err != nil {
					return badInput(err)
				}
				defer file.Close()
				r = file
			}
			format, err := output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			out := cmd.OutOrStdout()
			events := []auditview.Event{}
			err = auditview.Read(r, func(e auditview.Event) error {
				if !f.Match(e) {
					return nil
				}
				if format == "json" {
					events = append(events, e)
					return nil
				}
				_, err := fmt.Fprintln(out, e.Line())
				return err
			})
			if err != nil {
				return badInput(fmt.Errorf("%s: %w", args[0], err))
			}
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(events)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&f.Denied, "denied", false, "only the denied calls")
	cmd.Flags().StringVar(&f.Principal, "principal", "", "only the calls of principals whose name contains `P` (user name, role/session, or access key)")
	cmd.Flags().StringVar(&f.Bucket, "bucket", "", "only the calls on bucket `B`")
	output = addOutputFlag(cmd)
	return cmd
}
