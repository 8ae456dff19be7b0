package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/internal/trail"
	"github.com/lockstep-dev/lockstep/plan"
)

// trailRun is plan --from-trail: the policies of what a principal did,
// read from CloudTrail.
type trailRun struct {
	paths             []string
	principal         string
	generalise        string
	worldFile, outDir string
	step              int
}

func (r *trailRun) run(cmd *cobra.Command, args []string, format string, doProve bool) error {
	if len(args) > 0 {
		return badInput(errors.New("--from-trail plans from the trail, not from a command: drop the command after --"))
	}
	if doProve {
		return badInput(errors.New("--prove runs a command, and --from-trail has none: apply the planned policies and run the job on lockstep serve (docs/trail.md)"))
	}
	if r.principal == "" {
		return badInput(errors.New("--from-trail needs --principal: the user, role or assumed-role ARN, or role name, whose calls to read"))
	}
	records, err := trail.Read(r.paths)
	if err != nil {
		return badInput(fmt.Errorf("--from-trail: %w", err))
	}
	sel, err := trail.Select(records, r.principal)
	if err != nil {
		return badInput(fmt.Errorf("--from-trail: %w", err))
	}
	ctx := plan.Context{Principal: sel.Principal}
	if r.worldFile != "" {
		wf, err := loadWorldFile(r.worldFile, r.step, cmd.ErrOrStderr())
		if err != nil {
			return badInput(err)
		}
		ctx = plan.ContextFromWorld(wf.World, firstNonEmpty(sel.Role, sel.Principal))
	}
	if !isARN(sel.Principal) {
		// A role name: the policies are the role's, named by the
		// sessions' issuer.
		ctx.Principal = sel.Role
	}
	p, err := plan.FromTrail(sel, ctx, r.generalise)
	if err != nil {
		return badInput(err)
	}
	return writePlan(cmd, p, format, r.outDir, nil)
}

func isARN(s string) bool { return len(s) > 4 && s[:4] == "arn:" }
