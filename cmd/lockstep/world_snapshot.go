package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/internal/acctimport"
	"github.com/lockstep-dev/lockstep/internal/acctsnapshot"
	"github.com/lockstep-dev/lockstep/world"
)

func newWorldSnapshotCommand() *cobra.Command {
	var (
		profile, region, endpoint string
		dir, worldOut             string
		plan                      bool
		pageSize                  int32
	)
	cmd := &cobra.Command{
		Use:   "snapshot --profile P [--region R] [--endpoint-url URL] -o DIR|--world-out FILE",
		Short: "Dump an account's IAM, S3, KMS and Organizations with read-only calls, in the layout world import reads",
		Long: `Make the read-only calls of docs/import.md's dump with the AWS SDK's standard
credential chain (--profile, the environment, SSO, instance roles), every
page of each, and write their outputs in world import's layout: DIR/ACCOUNT/
iam, s3 and kms, and DIR/organization when the account is the organization's
management account (from another account the organization is skipped with a
line: only the management account may read it). A bucket without a policy,
encryption or ownership controls, and a key whose policy cannot be read,
have no file. No secret is read or written.

Run it once per account into the same DIR, then lockstep world import DIR
(lockstep world snapshot --profile prod -o dump); --world-out FILE also
imports the dump into a world file. docs/import.md describes the calls and
the files.

--plan prints the IAM policy the snapshot needs and makes no call.`,
		Example: `  lockstep world snapshot --plan`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if plan {
				return printSnapshotPlan(cmd)
			}
			if dir == "" && worldOut == "" {
				return badInput(fmt.Errorf("give -o DIR for the dump, --world-out FILE for the world, or both"))
			}
			if pageSize < 0 || pageSize > 1000 {
				return badInput(fmt.Errorf("--page-size %d: give 1 to 1000, or 0 for each service's default", pageSize))
			}
			ctx := cmd.Context()
			var loadOpts []func(*config.LoadOptions) error
			if profile != "" {
				loadOpts = append(loadOpts, config.WithSharedConfigProfile(profile))
			}
			if region != "" {
				loadOpts = append(loadOpts, config.WithRegion(region))
			}
			cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
			if err != nil {
				return badInput(fmt.Errorf("loading the AWS configuration: %w", err))
			}
			if cfg.Region == "" {
				cfg.Region = "us-east-1"
			}
			if endpoint != "" {
				cfg.BaseEndpoint = aws.String(endpoint)
			}
			if dir == "" {
				tmp, err := os.MkdirTemp("", "lockstep-snapshot-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			}
			res, err := acctsnapshot.Take(ctx, cfg, acctsnapshot.Options{Dir: dir, PageSize: pageSize, Log: cmd.ErrOrStderr()})
			if err != nil {
				return fmt.Errorf("world snapshot: %w", err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d files of account %s to %s\n", len(res.Files), res.Account, dir)
			if worldOut == "" {
				return nil
			}
			// One path: the world comes from the dump through world
			// import's own reading of it.
			m, rep, err := acctimport.Import([]string{dir}, acctimport.Options{Region: region})
			if err != nil {
				return fmt.Errorf("importing the snapshot: %w", err)
			}
			text, err := worldYAML(m, []string{"lockstep world snapshot of account " + res.Account}, rep)
			if err != nil {
				return err
			}
			if _, err := world.Parse(text, "the snapshot's world"); err != nil {
				return fmt.Errorf("the snapshot's world does not compile (a defect of lockstep; please report it): %w", err)
			}
			for _, w := range rep.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning: "+w)
			}
			if err := os.WriteFile(worldOut, text, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s: %d accounts, %d warnings\n", worldOut, len(m.Accounts), len(rep.Warnings))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&profile, "profile", "", "the AWS `PROFILE` to sign with (default: the standard credential chain)")
	f.StringVar(&region, "region", "", "the `REGION` to call (default: the profile's, else us-east-1)")
	f.StringVar(&endpoint, "endpoint-url", "", "call `URL` instead of AWS (lockstep serve)")
	f.StringVarP(&dir, "output-dir", "o", "", "write the dump to `DIR` (DIR/ACCOUNT/..., DIR/organization/...)")
	f.StringVar(&worldOut, "world-out", "", "also import the dump into the world file `FILE`")
	f.BoolVar(&plan, "plan", false, "print the IAM policy the snapshot needs, and make no call")
	f.Int32Var(&pageSize, "page-size", 0, "ask every paginated call for pages of `N` (tests; 0: each service's default)")
	_ = f.MarkHidden("page-size")
	return cmd
}

// printSnapshotPlan prints the identity policy that allows every call of
// the snapshot, from acctsnapshot.Calls, the table the snapshot makes its
// calls from.
func printSnapshotPlan(cmd *cobra.Command) error {
	actions, err := acctsnapshot.Permissions()
	if err != nil {
		return err
	}
	type statement struct {
		Sid, Effect string
		Action      []string
		Resource    string
	}
	doc := struct {
		Version   string
		Statement []statement
	}{"2012-10-17", []statement{{Sid: "LockstepWorldSnapshot", Effect: "Allow", Action: actions, Resource: "*"}}}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
	return err
}
