package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/plan"
)

// The seams of plan and check: awsVersion runs `aws --version` for the
// client rule (plan.ClientRule), getenv reads the environment for the
// principal rule (plan.PrincipalRule). Tests replace them.
var (
	awsVersion plan.VersionFunc = plan.ExecVersion
	getenv                      = os.Getenv
)

// clientFlagUsage is the help of --client of plan and check.
const clientFlagUsage = "client model: aws-v1, aws-v2, rclone, s5cmd or lockstep (default: by the rule below)"

// modelRules is the part of plan's and check's help that states how the
// client model and the principal are chosen.
const modelRules = "\n\n" + plan.ClientRule + "\n\n" + plan.PrincipalRule

// writeChoices tells people how the client model and the principal were
// chosen when lockstep chose them: detected is what `aws --version`
// reported, how where the principal came from.
func writeChoices(w io.Writer, detected, principal, how string) {
	if detected != "" {
		fmt.Fprintf(w, "(client: %s)\n", detected)
	}
	if how != "" && how != "--principal" {
		fmt.Fprintf(w, "(principal: %s, from %s)\n", principal, how)
	}
}

// parseClientCommand parses the client command with the chosen model. An
// error about a flag of lockstep's own command given after the -- says
// where that flag goes.
func parseClientCommand(cmd *cobra.Command, args []string, model plan.Client) (*plan.Command, error) {
	c, err := plan.ParseCommand(args, model)
	if err == nil {
		return c, nil
	}
	for _, a := range args[1:] {
		name, _, _ := strings.Cut(a, "=")
		unknown := strings.Contains(err.Error(), "know the option "+name) || strings.Contains(err.Error(), "know the flag "+name)
		if strings.HasPrefix(name, "--") && cmd.Flags().Lookup(name[2:]) != nil && unknown {
			return nil, fmt.Errorf("%w (%s is a flag of lockstep %s: give it before the --)", err, name, cmd.Name())
		}
	}
	return nil, err
}
