package prove

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// BatchOptions configure the proof of a batch-copy plan.
type BatchOptions struct {
	// Objects is how many objects of each kind (docs/plan.md "lockstep
	// plan batch-copy": plain, SSE-S3, tagged, and SSE-KMS under the
	// source bucket's key) the run with every permission copies; 0: 1;
	// negative is an error.
	// The runs without a permission copy one of each kind.
	Objects int
	// Progress, when set, gets a line per run.
	Progress io.Writer
}

// TrustAction names the check of a batch-copy proof that runs the job
// with a role whose trust policy does not let Batch Operations assume it.
const TrustAction = "sts:AssumeRole"

// BatchCopy proves a batch-copy plan (plan.BatchCopy) on the emulator, in
// the world m: the plan's policies applied (the role's trust and
// permissions policies, the bucket policies, the key statements), test
// objects written to each source bucket, their manifest written and the
// job created through the S3 Control API; the job must complete with every
// task succeeded, the copies byte-exact, and its completion report in
// place. Then once without each planned permission, and once without the
// trust policy: each is necessary when the job then fails or a task fails,
// with the denial in the audit log.
func BatchCopy(ctx context.Context, p *plan.Plan, m *world.Model, opts BatchOptions) (*Proof, error) {
	if p.Job == nil {
		return nil, errors.New("not a batch-copy plan")
	}
	switch {
	case opts.Objects < 0:
		return nil, fmt.Errorf("%d objects of each kind: give at least 1 (0 for the default, 1)", opts.Objects)
	case opts.Objects == 0:
		opts.Objects = 1
	}
	start := time.Now()
	pr := &batchProver{p: p, base: m, opts: opts, runs: runCount{w: opts.Progress, total: len(p.Needs) + 2}}
	proof := &Proof{Plan: p}
	var err error
	if proof.Baseline, err = pr.run(ctx, p, opts.Objects); err != nil {
		return nil, err
	}
	if proof.Baseline.OK() {
		// The service's AssumeRole is the trust policy's, not a call of
		// the plan's.
		var calls []Call
		for _, c := range proof.Baseline.Calls {
			if c.Operation != "AssumeRole" {
				calls = append(calls, c)
			}
		}
		if u := unplannedCalls(p, calls); len(u) > 0 {
			proof.Baseline.Problem = "the job made calls the plan does not list: " + strings.Join(u, ", ")
		} else if u := unmade(p, proof.Baseline.Calls); len(u) > 0 {
			proof.Baseline.Problem = "the job did not make every planned call: " + strings.Join(u, ", ")
		}
	}
	pr.progress("with every planned permission", proof.Baseline, nil)
	if !proof.Baseline.OK() {
		proof.Elapsed = time.Since(start)
		return proof, nil
	}
	for i, n := range p.Needs {
		r, err := pr.run(ctx, p.WithoutNeed(i), 1)
		if err != nil {
			return nil, err
		}
		proof.Checks = append(proof.Checks, pr.check(n, r, proof.Baseline))
	}
	// A role's trust policy needs a statement: without the service's,
	// the role trusts only its own account.
	untrusted := *p
	untrusted.Policies.Trust = &plan.Document{Version: "2012-10-17", Statement: []plan.Statement{{
		Sid: "AccountOnly", Effect: "Allow", Action: []string{"sts:AssumeRole"},
		Principal: map[string]string{"AWS": "arn:aws:iam::" + accountOf(p.Context.Principal) + ":root"},
	}}}
	r, err := pr.run(ctx, &untrusted, 1)
	if err != nil {
		return nil, err
	}
	proof.Checks = append(proof.Checks, pr.check(plan.Need{Action: TrustAction, Resource: p.Context.Principal,
		Why: "the role's trust policy lets " + s3ops.BatchOperationsPrincipal + " assume it"}, r, proof.Baseline))
	proof.Elapsed = time.Since(start)
	return proof, nil
}

type batchProver struct {
	p    *plan.Plan
	base *world.Model
	opts BatchOptions
	runs runCount
}

func (pr *batchProver) progress(what string, r Run, c *Check) {
	verdict := "succeeds"
	switch {
	case c != nil && c.Necessary:
		verdict = "fails: necessary"
	case c != nil:
		verdict = "succeeds: NOT necessary"
	case !r.OK():
		verdict = "FAILS: " + r.Problem
	}
	pr.runs.line(what, verdict)
}

// check is the verdict on one permission from the run without it.
func (pr *batchProver) check(n plan.Need, r Run, base Run) Check {
	c := Check{Need: n, Run: r, NewDenials: newDenials(base.Calls, r.Calls)}
	switch {
	case !r.OK():
		c.Effect = Fails
	case len(c.NewDenials) > 0:
		c.Effect = DeniedCalls
	}
	c.Necessary = c.Effect != NoEffect
	what := "without " + n.Action + " on " + n.Resource
	if n.Action == TrustAction {
		what = "without the trust policy"
	}
	pr.progress(what, r, &c)
	return c
}

// unmade lists the planned calls no call of the run matched.
func unmade(p *plan.Plan, calls []Call) []string {
	var out []string
	for _, pc := range p.Calls {
		made := false
		for _, c := range calls {
			made = made || matches(c, pc)
		}
		if !made {
			out = append(out, pc.Operation+" "+pc.Bucket+"/"+pc.Key)
		}
	}
	return out
}

// run runs the job once on a fresh emulator serving the world with the
// plan's policies, n objects of each kind per source bucket.
func (pr *batchProver) run(ctx context.Context, p *plan.Plan, n int) (Run, error) {
	m := pr.base.Clone()
	admins := addAdmins(m)
	if err := p.Apply(m); err != nil {
		return Run{}, err
	}
	ps, err := startProofServer(ctx, m, "batch")
	if err != nil {
		return Run{}, err
	}
	defer ps.Close()
	srv, audit := ps.Server, ps.Audit
	j := &batchRun{p: p, srv: srv, admins: admins, region: srv.Region()}
	problem, err := j.do(ctx, n)
	if err != nil {
		return Run{}, err
	}
	if err := srv.Idle(ctx); err != nil {
		return Run{}, err
	}
	r := Run{Command: []string{"the S3 Batch Operations job"}, Output: j.log.String(), Problem: problem,
		Calls: observe(roleCalls(audit.Take(), p.Context.Principal))}
	r.Denied = denied(r.Calls)
	if r.Problem != "" && len(r.Denied) > 0 {
		r.Problem += ", denied: " + strings.Join(r.Denied, ", ")
	}
	return r, nil
}

// roleCalls keeps the records of the job: the service's AssumeRole of the
// role, and the calls of the role's sessions (with the KMS calls S3 made
// for them).
func roleCalls(records []emulator.Record, role string) []emulator.Record {
	return serviceRoleCalls(records, role, s3ops.BatchOperationsPrincipal)
}

// serviceRoleCalls keeps the records of a service acting as a role: the
// service's AssumeRole of the role, and the calls of the role's sessions.
func serviceRoleCalls(records []emulator.Record, role, service string) []emulator.Record {
	account := accountOf(role)
	name := role[strings.LastIndex(role, "/")+1:]
	session := "arn:aws:sts::" + account + ":assumed-role/" + name + "/"
	var out []emulator.Record
	for _, r := range records {
		switch {
		case strings.HasPrefix(r.UserIdentity.ARN, session):
			out = append(out, r)
		case r.EventName == "AssumeRole" && r.UserIdentity.InvokedBy == service:
			if arn, _ := r.RequestParameters["roleArn"].(string); arn == role {
				out = append(out, r)
			}
		}
	}
	return out
}
