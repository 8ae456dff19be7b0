package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/internal/trail"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/prove"
	"github.com/lockstep-dev/lockstep/world"
)

// trailRun is plan --from-trail: the policies of what a principal did,
// read from CloudTrail.
type trailRun struct {
	paths             []string
	principal         string
	generalise        string
	worldFile, outDir string
	step              int
	// client and maxSize are --client and --max-object-size, for the
	// command --prove runs.
	client, maxSize string
}

func (r *trailRun) run(cmd *cobra.Command, args []string, format string, doProve bool) error {
	if len(args) > 0 && !doProve {
		return badInput(errors.New("--from-trail plans from the trail, not from a command: drop the command after --, or add --prove to run that command with the planned policies"))
	}
	if doProve && len(args) == 0 {
		return badInput(errors.New("--prove with --from-trail runs the job the trail recorded with the planned policies: give its command after --, e.g. lockstep plan --from-trail LOGS --principal ARN --prove -- aws s3 sync ./dir s3://bucket/prefix/"))
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
	if err := writePlan(cmd, p, format, r.outDir, nil); err != nil || !doProve {
		return err
	}
	return r.prove(cmd, p, args)
}

// prove runs the command of args with the trail's plan: the command's
// own plan gives the test data and the calls the data must make the
// client take; the policies applied, then removed one by one, are the
// trail's (docs/trail.md "Proof").
func (r *trailRun) prove(cmd *cobra.Command, p *plan.Plan, args []string) error {
	model, _, err := plan.ChooseClient(args, plan.Client(r.client), "", awsVersion)
	if err != nil {
		return badInput(err)
	}
	c, err := parseClientCommand(cmd, args, model)
	if err != nil {
		return badInput(err)
	}
	ctx := p.Context
	if r.maxSize != "" {
		if ctx.MaxObjectSize, err = parseSize(r.maxSize); err != nil {
			return badInput(fmt.Errorf("--max-object-size: %w", err))
		}
	}
	cp, err := plan.Build(c, ctx)
	if err != nil {
		return badInput(err)
	}
	hybrid, err := p.ForCommand(cp)
	if err != nil {
		return badInput(err)
	}
	var worldModel *world.Model
	if r.worldFile != "" {
		wf, err := loadWorldFile(r.worldFile, r.step, io.Discard)
		if err != nil {
			return badInput(err)
		}
		worldModel = wf.Model
	}
	proof, err := prove.Prove(cmd.Context(), hybrid, prove.Options{World: worldModel, Progress: progress(cmd.ErrOrStderr())})
	if err != nil {
		return err
	}
	return writeProof(cmd, proof)
}

func isARN(s string) bool { return len(s) > 4 && s[:4] == "arn:" }
