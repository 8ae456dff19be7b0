package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// outputFlag is --output, the flag every command prints its result
// with (the AWS CLI's name): "json" for programs, "text" and "table" for
// people (the same view: a command has one), and "terraform" where the
// result is policies. The flag a command had before (--json, --format)
// keeps working for one release, with cobra's deprecation line on stderr.
type outputFlag struct {
	value   string
	allowed []string
	// json is the deprecated --json; format the deprecated --format.
	json   bool
	format string
}

// addOutputFlag adds --output to cmd, with the formats the command prints
// besides text/table and json (e.g. "terraform"), and their completion.
func addOutputFlag(cmd *cobra.Command, extra ...string) *outputFlag {
	o := &outputFlag{allowed: append([]string{"text", "table", "json"}, extra...)}
	cmd.Flags().StringVar(&o.value, "output", "text", "output `FORMAT`: "+strings.Join(o.allowed, ", ")+" (text and table are the same view)")
	_ = cmd.RegisterFlagCompletionFunc("output", completeFixed(o.allowed...))
	return o
}

// deprecatedJSON adds the old --json switch.
func (o *outputFlag) deprecatedJSON(f *pflag.FlagSet) {
	f.BoolVar(&o.json, "json", false, "same as --output json")
	_ = f.MarkDeprecated("json", "use --output json")
}

// deprecatedFormat adds the old --format flag.
func (o *outputFlag) deprecatedFormat(f *pflag.FlagSet) {
	f.StringVar(&o.format, "format", "", "same as --output")
	_ = f.MarkDeprecated("format", "use --output")
}

// get returns the format asked for: "text" (for table too), "json" or an
// extra one; an unknown value is an error listing the valid ones.
func (o *outputFlag) get(f *pflag.FlagSet) (string, error) {
	v := o.value
	switch {
	case f.Changed("output"):
	case o.json:
		v = "json"
	case o.format != "":
		v = o.format
	}
	v = strings.ToLower(v)
	if !slices.Contains(o.allowed, v) {
		return "", fmt.Errorf("--output %q: this command prints %s", v, strings.Join(o.allowed, ", "))
	}
	if v == "table" {
		v = "text"
	}
	return v, nil
}
