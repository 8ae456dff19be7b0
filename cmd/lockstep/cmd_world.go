package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/internal/acctimport"
	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/world"
)

func newWorldCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "world",
		Short: "Build world files from real accounts",
	}
	cmd.AddCommand(newWorldImportCommand(), newWorldSnapshotCommand())
	return cmd
}

func newWorldImportCommand() *cobra.Command {
	var (
		opts acctimport.Options
		out  string
	)
	cmd := &cobra.Command{
		Use:   "import [--account ID] [--region R] [-o FILE] PATH...",
		Short: "Build a world file from the JSON the AWS CLI prints for an account's IAM, S3, KMS and Organizations",
		Long: `Build a world file from the outputs of the AWS CLI's read commands, given as
files or directories (read recursively for *.json): IAM's
get-account-authorization-details (every page; the raw API's URL-encoded
documents too), S3's list-buckets, get-bucket-policy, get-bucket-encryption,
get-bucket-ownership-controls and get-bucket-location, KMS's list-aliases,
describe-key and get-key-policy, and Organizations' describe-organization,
list-accounts, list-roots, list-organizational-units-for-parent,
list-accounts-for-parent, describe-policy and list-targets-for-policy.

An output that does not name its bucket, key, policy or parent takes it from
its file name, RESOURCE.COMMAND.json (cp-dst.get-bucket-policy.json), or
from its directory (cp-dst/get-bucket-policy.json); the outputs of several
accounts go in directories named by the account IDs. docs/import.md lists
the commands, the layout and every mapping.

The world goes to standard output (or -o FILE); what was read and what could
not be mapped go to standard error. Nothing is dropped silently: a managed
policy attached but not in the dumps is left out with a warning (it grants
nothing), a permissions boundary not in the dumps allows nothing. No
secret is imported.

Exit status: 0 done (warnings included), 2 an output could not be read.`,
		Example: `  lockstep world import internal/acctimport/testdata/two-accounts`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			if opts.Account != "" && !arn.IsAccountID(opts.Account) {
				return badInput(fmt.Errorf("--account %q is not a 12-digit account ID", opts.Account))
			}
			m, rep, err := acctimport.Import(paths, opts)
			if err != nil {
				return badInput(err)
			}
			text, err := worldYAML(m, paths, rep)
			if err != nil {
				return err
			}
			// The world must compile as written: an import that does not
			// is a defect of the import, said as such.
			if _, err := world.Parse(text, "the imported world"); err != nil {
				return fmt.Errorf("the imported world does not compile (a defect of lockstep world import; please report it): %w", err)
			}
			errOut := cmd.ErrOrStderr()
			for _, r := range rep.Read {
				fmt.Fprintln(errOut, "read "+r)
			}
			for _, w := range rep.Warnings {
				fmt.Fprintln(errOut, "warning: "+w)
			}
			if out == "" {
				_, err = cmd.OutOrStdout().Write(text)
				return err
			}
			if err := os.WriteFile(out, text, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(errOut, "wrote %s: %d accounts, %d warnings\n", out, len(m.Accounts), len(rep.Warnings))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Account, "account", "", "the account `ID` of S3 and KMS outputs whose account nothing else tells")
	f.StringVar(&opts.Region, "region", "", "the world's `REGION` (default: the buckets' region when they share one, else us-east-1)")
	f.StringVarP(&out, "output-file", "o", "", "write the world to `FILE` instead of standard output")
	return cmd
}

// worldYAML writes an imported world with two-space indentation, headed by
// where it came from and its warnings.
func worldYAML(m *world.Model, paths []string, rep *acctimport.Report) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported by lockstep world import from %s (%d files) on %s.\n", strings.Join(paths, ", "), len(rep.Read), time.Now().UTC().Format("2006-01-02"))
	for _, w := range rep.Warnings {
		fmt.Fprintf(&b, "# warning: %s\n", w)
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
