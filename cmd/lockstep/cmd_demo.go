package main

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/scenario"
)

func newDemoCommand() *cobra.Command {
	var seed string
	var list bool
	cmd := &cobra.Command{
		Use:   "demo [--seed 000]",
		Short: "Replay a seed experiment step by step on the engine (no AWS account needed)",
		Long: `Replay one of the seed experiments (the blog posts lockstep was built from)
step by step: the policies of each step, every API call the client makes, the
decision for each permission it needs, and the error the AWS CLI prints. The
scenarios are built in; see examples/ for their files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names, err := fs.Glob(examples.Files, "seed*.yaml")
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if list {
				for _, n := range names {
					fmt.Fprintln(out, n)
				}
				return nil
			}
			var file string
			for _, n := range names {
				if strings.HasPrefix(n, "seed"+seed) {
					file = n
				}
			}
			if file == "" {
				return badInput(fmt.Errorf("--seed %q: no such scenario; built in: %s", seed, strings.Join(names, ", ")))
			}
			data, err := fs.ReadFile(examples.Files, file)
			if err != nil {
				return err
			}
			s, err := scenario.Parse(data, "examples/"+file)
			if err != nil {
				return err
			}
			results, err := s.Run()
			if err != nil {
				return err
			}
			scenario.Render(out, s, results)
			for _, r := range results {
				if !r.OK() {
					return fmt.Errorf("the engine did not reproduce %s: see UNEXPECTED above", file)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&seed, "seed", "000", "which seed experiment to replay (000, 001, 002, 003)")
	cmd.Flags().BoolVar(&list, "list", false, "list the built-in scenarios")
	return cmd
}
