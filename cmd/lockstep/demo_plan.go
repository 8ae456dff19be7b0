package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/prove"
	"github.com/lockstep-dev/lockstep/scenario"
	"github.com/lockstep-dev/lockstep/world"
)

// planDemo plans the command of a scenario's last step from the
// scenario's first world (before any fix), prints the plan, and proves it
// with the real client on the emulator: what the seed's author found by
// trial and error, answered before anything runs.
func planDemo(ctx context.Context, out, progress io.Writer, s *scenario.Scenario) error {
	models, err := s.StepWorlds()
	if err != nil {
		return err
	}
	first := models[0].Clone()
	w, err := world.Compile(first, s.File())
	if err != nil {
		return err
	}
	last := &s.Steps[len(s.Steps)-1]
	principal := last.Principal
	if principal == "" {
		principal = s.Principal
	}
	pctx := plan.ContextFromWorld(w, principal)
	for _, sz := range s.Replay.Objects {
		pctx.MaxObjectSize = max(pctx.MaxObjectSize, int64(sz))
	}
	cmd, err := plan.ParseCommand(strings.Fields(last.Command), plan.Client(s.Client))
	if err != nil {
		return err
	}
	p, err := plan.Build(cmd, pctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s\n%s\n", s.Title, strings.Repeat("=", len(s.Title)))
	fmt.Fprintf(out, "The seed's author found the permissions of this command by trial and error on AWS.\n")
	fmt.Fprintf(out, "lockstep plans them from the command line, then proves them with the real client.\n\n")
	if err := p.WriteTable(out); err != nil {
		return err
	}
	proof, err := prove.Prove(ctx, p, prove.Options{World: first, Progress: progress})
	if err != nil {
		fmt.Fprintf(out, "\n(no proof: %v)\n", err)
		return nil
	}
	proof.Write(out)
	if !proof.Baseline.OK() {
		return fmt.Errorf("the planned policies do not let %q succeed", last.Command)
	}
	if s.Conclusion != "" {
		fmt.Fprintf(out, "\nThe seed's conclusion: %s\n", s.Conclusion)
	}
	return nil
}
