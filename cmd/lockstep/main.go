// Command lockstep makes S3 transfers run with exactly the permissions they
// need, and proves it. Each subcommand is a thin file (cmd_*.go) over the
// packages that hold the logic: policy, authz, s3ops, world, enforce, lint
// and scenario.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lockstep-dev/lockstep/internal/ssearg"
	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitDenied   = 1 // a decision was a denial, or lint found problems
	exitBadInput = 2 // the command line or an input file is wrong
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// badInput wraps an error about the user's input (exit 2).
func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }

// silentExit exits with code without printing anything more.
func silentExit(code int) error { return &exitError{code: code} }

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "lockstep",
		Short: "Least-privilege S3 transfers: evaluate, emulate, plan and prove AWS permissions",
		Long: `lockstep answers one question: will this principal be allowed to make this
S3 or KMS call, and if not, exactly why? It evaluates AWS IAM the way AWS does:
identity, bucket, key, boundary, session and SCP policies, across accounts.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionLine(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(newEvalCommand(), newPolicyCommand(), newDemoCommand(), newServeCommand(), newPlanCommand(), newExplainCommand(), newCheckCommand(), newAuditCommand(), newSyncCommand(), newCpCommand(), newWorldCommand(), newVersionCommand())
	registerCompletions(root)
	return root
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCommand()
	root.SetArgs(cliArgs(args))
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "lockstep:", ee.err)
		}
		return ee.code
	}
	// Errors from cobra itself (unknown flag, missing argument) are
	// usage errors.
	fmt.Fprintln(os.Stderr, "lockstep:", err)
	return exitBadInput
}

// cliArgs reads a command line as the commands take it: lockstep sync and
// cp read "--sse VALUE" as the AWS CLI does, besides --sse=VALUE and a
// bare --sse (internal/ssearg).
func cliArgs(args []string) []string {
	if len(args) > 0 && (args[0] == "sync" || args[0] == "cp") {
		return ssearg.Normalize(args)
	}
	return args
}
