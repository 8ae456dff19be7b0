package main

import (
	"context"
	"fmt"
	"path"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/scenario"
)

func newDemoCommand() *cobra.Command {
	var seed string
	var list, engineOnly, withPlan bool
	cmd := &cobra.Command{
		Use:   "demo [--seed 000]",
		Short: "Replay a seed experiment step by step: on the engine, then with the real client on the emulator",
		Long: `Replay one of the seed experiments (the blog posts lockstep was built from)
step by step: the policies of each step, every API call the client makes, the
decision for each permission it needs, and the error the AWS CLI prints. When
the seed's client is installed (the AWS CLI v2 at /usr/bin/aws, rclone), each
step's command then runs for real against lockstep's emulator, and the demo
shows what the client printed and the calls it made (from the emulator's
CloudTrail log). The scenarios are built in; see examples/ for their files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if list {
				seeds, err := examples.Seeds()
				if err != nil {
					return err
				}
				for _, s := range seeds {
					fmt.Fprintln(out, path.Base(s.File()))
				}
				return nil
			}
			s, err := examples.Seed(seed)
			if err != nil {
				return badInput(fmt.Errorf("--seed: %w", err))
			}
			file := path.Base(s.File())
			if withPlan {
				ctx := cmd.Context()
				if ctx == nil {
					ctx = context.Background()
				}
				return planDemo(ctx, out, progress(cmd.ErrOrStderr()), s)
			}
			results, err := s.Run()
			if err != nil {
				return err
			}
			live, note := startLive(cmd.Context(), s, engineOnly)
			if live != nil {
				defer live.Close()
				fmt.Fprintf(out, "Each step runs on the engine, then for real: the client on lockstep's emulator at %s.\n\n", live.Server().Endpoint())
				scenario.RenderWith(out, s, results, live.renderStep)
			} else {
				if note != "" {
					fmt.Fprintf(out, "(%s: showing the engine's walk-through only)\n\n", note)
				}
				scenario.Render(out, s, results)
			}
			if live != nil && live.mismatches > 0 {
				return fmt.Errorf("the real client did not reproduce %d step(s) of %s: see DIFFERS above", live.mismatches, file)
			}
			for _, r := range results {
				if !r.OK() {
					return fmt.Errorf("the engine did not reproduce %s: see UNEXPECTED above", file)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&seed, "seed", "000", "which seed experiment to replay (000, 001, 002, 003)")
	_ = cmd.RegisterFlagCompletionFunc("seed", completeFixed("000", "001", "002", "003"))
	cmd.Flags().BoolVar(&list, "list", false, "list the built-in scenarios")
	cmd.Flags().BoolVar(&withPlan, "plan", false, "instead of replaying the steps, plan the seed's final command from its first world and prove the plan with the real client")
	cmd.Flags().BoolVar(&engineOnly, "engine-only", false, "do not run the real client on the emulator, even when it is installed")
	return cmd
}
