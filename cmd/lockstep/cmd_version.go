package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// stampedVersion is set at link time by make build
// (-ldflags "-X main.stampedVersion=$(git describe --tags --always --dirty)");
// empty in a plain go build or go install, where the module version and
// the VCS stamp of the build info say what was built.
var stampedVersion string

// versionLine is the version, commit and toolchain of this binary:
// "lockstep v1.2.3 (commit 0123abcd, modified) go1.24.1 linux/amd64".
func versionLine() string {
	v, commit, modified := stampedVersion, "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	line := "lockstep " + v
	if commit != "" {
		line += " (commit " + commit[:min(len(commit), 12)]
		if modified {
			line += ", modified"
		}
		line += ")"
	}
	return fmt.Sprintf("%s %s %s/%s", line, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the lockstep version, commit and Go version (also lockstep --version)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return nil
		},
	}
}
