package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lockstep-dev/lockstep/plan"
)

// printPlan is sync --plan and cp --plan: the plan of this command line
// by lockstep's own behaviour model (plan/models/lockstep.yaml), printed
// as lockstep plan prints it. Nothing runs and no credentials are read.
func (f *transferFlags) printPlan(cmd *cobra.Command, args []string, verb, format string) error {
	words := planWords(cmd.Flags(), f, args, verb)
	c, err := plan.ParseCommand(words, plan.Lockstep)
	if err != nil {
		return badInput(err)
	}
	if format == "text" {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = shellQuote(w)
		}
		who := "--principal ARN"
		if c.Creds.TwoSets {
			// Two principals: the world's profiles name them, or the flags.
			who = "(the principals of its profiles, or --principal DEST-ARN --source-principal SOURCE-ARN)"
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "(for the bucket and key policies of other accounts' buckets, and to prove the plan: lockstep plan --world FILE %s --prove -- %s)\n", who, strings.Join(quoted, " "))
	}
	r := planRun{}
	return r.run(cmd, c, format, "")
}

// planWords writes the command line back from its parsed flags, as the
// planner reads it: lockstep VERB SRC DST, then the flags that were
// given, but --plan and --output, each as --name=value, and the filters
// in their order, which decides.
func planWords(fs *pflag.FlagSet, f *transferFlags, args []string, verb string) []string {
	words := []string{"lockstep", verb}
	if strings.HasPrefix(args[0], "-") || strings.HasPrefix(args[1], "-") {
		words = append(words, "--")
	}
	words = append(words, args...)
	var flags []string
	fs.Visit(func(fl *pflag.Flag) {
		switch {
		case fl.Name == "plan" || fl.Name == "output" || fl.Name == "exclude" || fl.Name == "include":
		case fl.Value.Type() == "bool":
			if fl.Value.String() == "true" {
				flags = append(flags, "--"+fl.Name)
			}
		default:
			flags = append(flags, "--"+fl.Name+"="+fl.Value.String())
		}
	})
	for _, filter := range f.opts.Filters {
		name := "--include"
		if filter.Exclude {
			name = "--exclude"
		}
		flags = append(flags, name+"="+filter.Pattern)
	}
	if words[2] == "--" {
		// Flags before the paths: after "--" everything is a path.
		return append(append(words[:2], flags...), words[2:]...)
	}
	return append(words, flags...)
}
