package prove

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/world"
)

// ReplicationOptions configure the proof of a replication plan.
type ReplicationOptions struct {
	// Progress, when set, gets a line per run.
	Progress io.Writer
}

// ReplicationProof is the outcome of proving a replication plan.
type ReplicationProof struct {
	Plan *plan.ReplicationPlan
	// Baseline is the run with every planned permission: every test
	// version COMPLETED, every replica byte-exact.
	Baseline Run
	// Checks has one entry per step of the plan, in its order, then the
	// trust policy's.
	Checks  []Check
	Elapsed time.Duration
}

// Replication proves a replication plan (plan.PlanReplication) on the
// emulator, in the world m (docs/plan.md "lockstep plan replication"):
// the plan applied (the role, the destination's bucket policy, the key
// statements, versioning on both buckets) on a fresh emulator, the
// configuration put, test objects written (plain, SSE-S3, SSE-KMS under
// the source key when the plan has one, tagged with --tags, a delete
// marker with --delete-markers); once replication is done, every version
// must be COMPLETED and every replica byte-exact, REPLICA, with the
// source's tags, the planned key and owner. Then once without each step's
// permission, and once without the trust policy: each is necessary when
// the run then fails (a FAILED version, or a replica without its tags)
// and the audit log has the denial of that action.
func Replication(ctx context.Context, p *plan.ReplicationPlan, m *world.Model, opts ReplicationOptions) (*ReplicationProof, error) {
	if p == nil || m == nil {
		return nil, errors.New("a replication proof needs a plan and a world")
	}
	start := time.Now()
	pr := &replicationProver{p: p, base: m, opts: opts, runs: runCount{w: opts.Progress, total: len(p.Steps) + 2}}
	proof := &ReplicationProof{Plan: p}
	var err error
	if proof.Baseline, err = pr.run(ctx, p); err != nil {
		return nil, err
	}
	pr.progress("with every planned permission", proof.Baseline, nil)
	if !proof.Baseline.OK() {
		proof.Elapsed = time.Since(start)
		return proof, nil
	}
	needs := p.Needs()
	for i := range p.Steps {
		r, err := pr.run(ctx, p.WithoutStep(i))
		if err != nil {
			return nil, err
		}
		proof.Checks = append(proof.Checks, pr.check(needs[i], r))
	}
	// Without the service's statement, the role trusts only its own
	// account.
	untrusted := *p
	untrusted.Trust = &plan.Document{Version: "2012-10-17", Statement: []plan.Statement{{
		Sid: "AccountOnly", Effect: "Allow", Action: []string{"sts:AssumeRole"},
		Principal: map[string]string{"AWS": "arn:aws:iam::" + p.Setup.Source.Account + ":root"},
	}}}
	r, err := pr.run(ctx, &untrusted)
	if err != nil {
		return nil, err
	}
	proof.Checks = append(proof.Checks, pr.check(plan.Need{Action: TrustAction, Resource: p.Role,
		Why: "the role's trust policy lets s3.amazonaws.com assume it"}, r))
	proof.Elapsed = time.Since(start)
	return proof, nil
}

type replicationProver struct {
	p    *plan.ReplicationPlan
	base *world.Model
	opts ReplicationOptions
	runs runCount
}

func (pr *replicationProver) progress(what string, r Run, c *Check) {
	verdict := "replicates"
	switch {
	case c != nil && c.Necessary:
		verdict = "fails: necessary"
	case c != nil:
		verdict = "NOT necessary: " + firstOf(r.Problem, "replicates without it")
	case !r.OK():
		verdict = "FAILS: " + r.Problem
	}
	pr.runs.line(what, verdict)
}

// check is the verdict on one permission from the run without it: it is
// necessary when the run failed and the audit log has the denial of its
// action.
func (pr *replicationProver) check(n plan.Need, r Run) Check {
	c := Check{Need: n, Run: r, NewDenials: deniedActions(r.Records, n.Action)}
	if !r.OK() {
		c.Effect = Fails
	}
	c.Necessary = !r.OK() && len(c.NewDenials) > 0
	what := "without " + n.Action + " on " + n.Resource
	if n.Action == TrustAction {
		what = "without the trust policy"
	}
	pr.progress(what, r, &c)
	return c
}

// deniedActions lists the denied records of the action, each once.
func deniedActions(records []emulator.Record, action string) []string {
	var out []string
	for _, rec := range records {
		d := rec.AdditionalEventData
		if rec.ErrorCode == "" || d == nil || !strings.EqualFold(d.Action, action) {
			continue
		}
		s := d.Action + " on " + d.Resource
		if !containsString(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// run replicates the test objects once on a fresh emulator serving the
// world with q's policies.
func (pr *replicationProver) run(ctx context.Context, q *plan.ReplicationPlan) (Run, error) {
	m := pr.base.Clone()
	admins := addAdmins(m)
	if err := q.Apply(m); err != nil {
		return Run{}, err
	}
	ps, err := startProofServer(ctx, m, "replication")
	if err != nil {
		return Run{}, err
	}
	defer ps.Close()
	srv, audit := ps.Server, ps.Audit
	rr := &replicationRun{p: q, batchRun: batchRun{srv: srv, admins: admins, region: srv.Region()}}
	problem, err := rr.do(ctx)
	if err != nil {
		return Run{}, err
	}
	if err := srv.Idle(ctx); err != nil {
		return Run{}, err
	}
	records := serviceRoleCalls(audit.Take(), q.Role, replicationPrincipal)
	r := Run{Command: []string{"S3 Replication"}, Output: rr.log.String(), Problem: problem, Records: records, Calls: observe(records)}
	r.Denied = denied(r.Calls)
	if r.Problem != "" && len(r.Denied) > 0 {
		r.Problem += ", denied: " + strings.Join(r.Denied, ", ")
	}
	return r, nil
}

// replicationPrincipal is the service principal that replicates.
const replicationPrincipal = "s3.amazonaws.com"

// Write prints the proof: the baseline run, then each permission with
// what happened without it.
func (p *ReplicationProof) Write(w io.Writer) {
	s := p.Plan.Setup
	fmt.Fprintf(w, "\nProof: S3 Replication from s3://%s to s3://%s on lockstep's emulator, as role %s\n", s.Source.Name, s.Destination.Name, p.Plan.Role)
	if !p.Baseline.OK() {
		writeFailed(w, p.Baseline, p.Verdict())
		return
	}
	fmt.Fprintf(w, "  with every planned permission: every version COMPLETED, every replica byte-exact and REPLICA, no call denied\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  permission\tnecessary\twithout it\t")
	for _, c := range p.Checks {
		verdict, why := "yes", c.Run.Problem
		if !c.Necessary {
			verdict = "NO"
			why = "replication succeeds without it: drop it"
			if !c.Run.OK() {
				why = "the run fails (" + c.Run.Problem + ") but the audit log has no denial of it"
			}
		}
		fmt.Fprintf(tw, "  %s on %s\t%s\t%s\t\n", c.Need.Action, c.Need.Resource, verdict, why)
	}
	tw.Flush()
	fmt.Fprintf(w, "  %d runs in %.1f s\n", len(p.Checks)+1, p.Elapsed.Seconds())
	fmt.Fprintf(w, "%s\n", p.Verdict())
}

// Verdict is the proof's last line.
func (p *ReplicationProof) Verdict() string {
	if !p.Baseline.OK() {
		return "verdict: NOT PROVED: the planned permissions were not shown sufficient"
	}
	unneeded := len(p.Unnecessary())
	s := fmt.Sprintf("verdict: sufficient, and %d of %d permissions necessary", len(p.Checks)-unneeded, len(p.Checks))
	if unneeded > 0 {
		s += fmt.Sprintf("; %d not shown necessary", unneeded)
	}
	return s
}

// Unnecessary lists the permissions not shown necessary.
func (p *ReplicationProof) Unnecessary() []Check { return unnecessary(p.Checks) }

// Proved reports whether the proof shows the permissions sufficient and
// each necessary.
func (p *ReplicationProof) Proved() bool { return p.Baseline.OK() && len(p.Unnecessary()) == 0 }
