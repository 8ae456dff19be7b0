package main

import (
	"encoding/json"
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

// buildVersion is what this binary knows of its build.
type buildVersion struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// versionLine is the version, commit and toolchain of this binary:
// "lockstep v1.2.3 (commit 0123abcd, modified) go1.24.1 linux/amd64".
func versionLine() string {
	b := readBuildVersion()
	line := "lockstep " + b.Version
	if b.Commit != "" {
		line += " (commit " + b.Commit
		if b.Modified {
			line += ", modified"
		}
		line += ")"
	}
	return line + " " + b.Go + " " + b.Platform
}

func readBuildVersion() buildVersion {
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
	return buildVersion{Version: v, Commit: commit[:min(len(commit), 12)], Modified: modified, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
}

func newVersionCommand() *cobra.Command {
	var output *outputFlag
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the lockstep version, commit and Go version (also lockstep --version)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(readBuildVersion())
			}
			fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return nil
		},
	}
	output = addOutputFlag(cmd)
	return cmd
}
