package prove

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replay"
	"github.com/lockstep-dev/lockstep/world"
)

// Options configure a proof.
type Options struct {
	// Clients are the real clients; zero: replay.FindClients.
	Clients replay.Clients
	// World is the world to prove in: buckets, keys, principal. Nil: one
	// is made from the plan's context (its bucket owners and keys, the
	// principal as a role or user of its account).
	World *world.Model
	// Progress, when set, gets a line per run.
	Progress io.Writer
	// SufficiencyOnly runs only the baseline, with every planned
	// permission: the half of a proof that shows them sufficient. The
	// proof then says that it did not check each one necessary.
	SufficiencyOnly bool
}

// Proof is the outcome of proving a plan.
type Proof struct {
	Plan *plan.Plan
	// Baseline is the run with every planned permission: it must succeed
	// with byte-exact data.
	Baseline Run
	// Checks has one entry per planned permission, in plan order.
	Checks []Check
	// SufficiencyOnly is Options.SufficiencyOnly: Checks is empty because
	// no permission was removed.
	SufficiencyOnly bool
	Elapsed         time.Duration
}

// Run is one execution of the real client.
type Run struct {
	Command []string
	Output  string
	Err     error
	// Problem is why the run does not count as a success: the client
	// failed, or the data is not what it should be. Empty on success.
	Problem string
	// Denied are the calls of the audit log that got AccessDenied.
	Denied []string
	// Calls are every call of the audit log, in order.
	Calls []Call
	// Records are the emulator's audit log of the run: CloudTrail-format
	// records, which plan --from-trail reads as a trail.
	Records []emulator.Record
	// ExistingSizes are the sizes of the test objects the destination
	// had from the start.
	ExistingSizes []int64
}

// OK reports whether the run succeeded with the right data.
func (r Run) OK() bool { return r.Problem == "" }

// Effect is what removing one permission did to the client's run.
type Effect uint8

const (
	// NoEffect: the run succeeded, byte-exact, and no call was denied
	// that the baseline did not have: the permission can be dropped.
	NoEffect Effect = iota
	// Fails: the client failed or the result was not byte-exact.
	Fails
	// DeniedCalls: the run succeeded, but calls were denied: a retried or
	// fallback path hid the denial. The permission is needed.
	DeniedCalls
)

// Check is the proof for one permission: the run without it.
type Check struct {
	Need plan.Need
	Run  Run
	// Effect is what removing the permission did.
	Effect Effect
	// NewDenials are the calls denied without the permission that the
	// baseline did not deny.
	NewDenials []string
	// Necessary is true when the permission must stay: the run failed, or
	// calls were denied (Effect is not NoEffect).
	Necessary bool
}

// Prove runs the command of the plan with the real client on the
// emulator: first with every planned permission, on test data that takes
// every planned path (a small object, one at the multipart threshold when
// the plan has multipart calls, a destination-only object when the
// command deletes), checking the result byte for byte; then once without
// each permission, which is necessary only if the client then fails.
func Prove(ctx context.Context, p *plan.Plan, opts Options) (*Proof, error) {
	start := time.Now()
	if opts.Clients == (replay.Clients{}) {
		opts.Clients = replay.FindClients()
	}
	bin, err := clientBinary(p.Command, opts.Clients)
	if err != nil {
		return nil, err
	}
	if p.Context.Principal == "" || (p.TwoPrincipals() && p.Context.SourcePrincipal == "") {
		// Prove as a role of the account of the command's buckets; with
		// two credential sets, the source's as a role of the source
		// bucket's account. The plan is rebuilt with its own model (a
		// proof's test mutates models).
		ctxt := p.Context
		if ctxt.Principal == "" {
			ctxt.Principal = "arn:aws:sts::" + defaultAccount(p) + ":assumed-role/lockstep-prover/proof"
		}
		if p.TwoPrincipals() && ctxt.SourcePrincipal == "" {
			ctxt.SourcePrincipal = "arn:aws:sts::" + cmp.Or(p.Context.BucketAccount[p.Command.Source.Bucket], defaultAccount(p)) + ":assumed-role/lockstep-prover-source/proof"
		}
		if p, err = plan.BuildWith(p.Command, ctxt, p.Model); err != nil {
			return nil, err
		}
	}
	base := opts.World
	if base == nil {
		if base, err = synthesize(p); err != nil {
			return nil, err
		}
	}
	pr := &prover{p: p, base: base, bin: bin, opts: opts, runs: runCount{w: opts.Progress, total: len(p.Needs) + 1}}
	if opts.SufficiencyOnly {
		pr.runs.total = 1
	}
	proof := &Proof{Plan: p, SufficiencyOnly: opts.SufficiencyOnly}
	proof.Baseline, err = pr.run(ctx, p)
	if err != nil {
		return nil, err
	}
	if proof.Baseline.OK() {
		// Sufficient means: the client succeeded, byte-exact, no call it
		// made was denied, it made only planned calls and every one of
		// them.
		if d := unplannedDenials(p, proof.Baseline.Calls); len(d) > 0 {
			proof.Baseline.Problem = "the client made calls the plan does not allow, denied: " + strings.Join(d, ", ")
		} else if u := unplannedCalls(p, proof.Baseline.Calls); len(u) > 0 {
			proof.Baseline.Problem = "the client made calls the plan does not list (the behaviour model is incomplete): " + strings.Join(u, ", ")
		} else if u := unexercised(p, proof.Baseline.Calls, pr.sizes(), proof.Baseline.ExistingSizes); len(u) > 0 {
			proof.Baseline.Problem = "the proof's data did not make the client take every planned path, so it cannot show them sufficient; not exercised: " + strings.Join(u, "; ")
		}
	}
	pr.progress("with every planned permission", proof.Baseline, nil)
	if !proof.Baseline.OK() || opts.SufficiencyOnly {
		proof.Elapsed = time.Since(start)
		return proof, nil
	}
	for i, n := range p.Needs {
		r, err := pr.run(ctx, p.WithoutNeed(i))
		if err != nil {
			return nil, err
		}
		c := Check{Need: n, Run: r, NewDenials: newDenials(proof.Baseline.Calls, r.Calls)}
		switch {
		case !r.OK():
			c.Effect = Fails
		case len(c.NewDenials) > 0:
			c.Effect = DeniedCalls
		}
		c.Necessary = c.Effect != NoEffect
		pr.progress("without "+n.Action+" on "+n.Resource, r, &c)
		proof.Checks = append(proof.Checks, c)
	}
	proof.Elapsed = time.Since(start)
	return proof, nil
}

// defaultAccount is the account of the first bucket of the command, else
// 111111111111.
func defaultAccount(p *plan.Plan) string {
	for _, l := range []plan.Location{p.Command.Dest, p.Command.Source} {
		if a := p.Context.BucketAccount[l.Bucket]; a != "" {
			return a
		}
	}
	return "111111111111"
}

func clientBinary(c *plan.Command, cl replay.Clients) (string, error) {
	var bin, name string
	switch c.Client {
	case plan.AWSv2:
		bin, name = cl.AWS, "the AWS CLI v2 (/usr/bin/aws)"
	case plan.AWSv1:
		bin, name = cl.AWSv1, "the AWS CLI v1"
	case plan.Rclone:
		bin, name = cl.Rclone, "rclone"
	case plan.S5cmd:
		bin, name = cl.S5cmd, "s5cmd"
	case plan.Lockstep:
		bin, name = cl.Lockstep, "lockstep (the running program, or lockstep on PATH)"
	}
	if bin == "" {
		if c.Client == plan.Lockstep {
			return "", fmt.Errorf("%s is not found: run the proof from the lockstep binary, or put it on PATH (go build ./cmd/lockstep)", name)
		}
		return "", fmt.Errorf("%s is not installed; make clients installs it", name)
	}
	return bin, nil
}

type prover struct {
	p    *plan.Plan
	base *world.Model
	bin  string
	opts Options
	runs runCount
}

// progress reports one finished run: run k/n, what was removed, what
// happened.
func (pr *prover) progress(what string, r Run, c *Check) {
	verdict := "succeeds"
	switch {
	case !r.OK():
		verdict = "fails: " + r.Problem
	case c != nil && c.Effect == DeniedCalls:
		verdict = "succeeds, but denied: " + strings.Join(c.NewDenials, ", ") + " (a retried or fallback path)"
	case c != nil:
		verdict = "succeeds: the permission is not needed"
	}
	pr.runs.line(what, verdict)
}

// variant is one run's data: the size of a single-object command's
// object (0 for a directory command), and whether the destination has it
// from the start.
type variant struct {
	size     int64
	existing bool
}

// run runs the command once per data variant: one run with objects of
// every size for a directory command; for a single-object command, one
// run per planned size and, when the plan updates objects the destination
// has, one with the destination holding the object from the start (the
// smallest, and the largest too when large ones are updated in place).
// The run fails if any variant does.
func (pr *prover) run(ctx context.Context, p *plan.Plan) (Run, error) {
	variants := []variant{{}}
	if !pr.p.Command.Recursive {
		sizes := pr.sizes()
		variants = nil
		for _, n := range sizes {
			variants = append(variants, variant{size: n})
		}
		for _, c := range pr.p.Calls {
			if c.Existing {
				variants = append(variants, variant{size: sizes[0], existing: true})
				break
			}
		}
		for _, c := range pr.p.Calls {
			if last := sizes[len(sizes)-1]; c.Existing && c.Size == "large" && last >= c.Threshold && len(sizes) > 1 {
				variants = append(variants, variant{size: last, existing: true})
				break
			}
		}
	}
	var all Run
	for _, v := range variants {
		r, err := pr.runVariant(ctx, p, v)
		if err != nil {
			return Run{}, err
		}
		calls := append(all.Calls, r.Calls...)
		records := append(all.Records, r.Records...)
		existing := append(all.ExistingSizes, r.ExistingSizes...)
		if all.Command == nil || (all.OK() && !r.OK()) {
			all = r
		}
		all.Calls, all.Records, all.ExistingSizes = calls, records, existing
	}
	all.Denied = denied(all.Calls)
	return all, nil
}

// runVariant serves the world with the plan's policies on a fresh
// emulator, puts the test data of the variant in place, runs the client
// and checks the result.
func (pr *prover) runVariant(ctx context.Context, p *plan.Plan, v variant) (Run, error) {
	m := pr.base.Clone()
	signers := pr.signers()
	for _, s := range signers {
		if err := ensurePrincipal(m, s.principal, s.keyID); err != nil {
			return Run{}, err
		}
	}
	if err := p.Apply(m); err != nil {
		return Run{}, err
	}
	ps, err := startProofServer(ctx, m, "client")
	if err != nil {
		return Run{}, err
	}
	defer ps.Close()
	srv, audit, tmp := ps.Server, ps.Audit, ps.Dir
	work := filepath.Join(tmp, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return Run{}, err
	}
	data, err := pr.seed(ctx, srv, work, v)
	if err != nil {
		return Run{}, err
	}
	profiles := map[string]replay.Credentials{}
	for _, s := range signers {
		if profiles[s.profile], err = credentials(srv, m, s.principal); err != nil {
			return Run{}, err
		}
	}
	creds := profiles[signers[len(signers)-1].profile]
	argv := pr.argv(srv.Endpoint(), creds, work)
	if len(signers) > 1 {
		// Two credential sets: lockstep signs each side with its
		// profile, and the environment holds no credentials.
		if err := replay.WriteProfiles(tmp, profiles); err != nil {
			return Run{}, err
		}
		creds = replay.Credentials{}
	}
	env, err := replay.Env(creds, srv.Region(), tmp)
	if err != nil {
		return Run{}, err
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(rctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, work
	var out, stream bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if p.Command.Source.Local == "-" {
		// An upload from standard input reads the test object there.
		f, err := os.Open(filepath.Join(work, "-"))
		if err != nil {
			return Run{}, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	if p.Command.Dest.Local == "-" || lists(p.Command) {
		// A download to standard output, or a listing: the stream is the
		// result.
		cmd.Stdout = &stream
	}
	runErr := cmd.Run()
	data.stream = stream.Bytes()
	if err := srv.Idle(ctx); err != nil {
		return Run{}, err
	}
	records := audit.Take()
	r := Run{Command: argv, Output: out.String(), Err: runErr, Calls: observe(records), Records: records}
	annotate(r.Calls, data.sizeOf, data.isExisting)
	signedBy(r.Calls, p)
	for _, name := range data.existing {
		r.ExistingSizes = append(r.ExistingSizes, int64(len(data.files[name])))
	}
	r.Denied = denied(r.Calls)
	switch {
	case runErr != nil:
		r.Problem = "the client failed (" + runErr.Error() + ")"
		if len(r.Denied) > 0 {
			r.Problem += ", denied: " + strings.Join(r.Denied, ", ")
		}
	default:
		r.Problem = pr.verify(ctx, srv, work, data)
	}
	return r, nil
}

// argv is the command to run against the emulator.
func (pr *prover) argv(endpoint string, c replay.Credentials, work string) []string {
	cmd := pr.p.Command
	args := cmd.Args[1:]
	out := []string{pr.bin}
	switch cmd.Client {
	case plan.AWSv1, plan.AWSv2:
		out = append(out, "--endpoint-url", endpoint, "--only-show-errors")
	case plan.S5cmd:
		out = append(out, "--endpoint-url", endpoint)
	case plan.Lockstep:
		// lockstep sync|cp --endpoint-url E ...: its flags follow the
		// subcommand; with two credential sets, each side's profile.
		out = append(out, args[0], "--endpoint-url", endpoint)
		if cmd.Creds.TwoSets {
			out = append(out, "--source-profile", sourceProfile, "--dest-profile", destProfile)
		}
		args = args[1:]
	}
	for i := 0; i < len(args); i++ {
		a, original := args[i], args[i]
		switch {
		case cmd.Client == plan.AWSv1 || cmd.Client == plan.AWSv2:
			if a == "--endpoint-url" || a == "--profile" || a == "--region" {
				i++
				continue
			}
		case cmd.Client == plan.S5cmd:
			if a == "--endpoint-url" || a == "--profile" || a == "--credentials-file" {
				i++
				continue
			}
		case cmd.Client == plan.Lockstep:
			if name, _, hasValue := strings.Cut(a, "="); lockstepWhere[name] {
				// The emulator is the one endpoint, the principal's
				// credentials the one set.
				if !hasValue {
					i++
				}
				continue
			}
		case cmd.Client == plan.Rclone:
			if j := plan.RcloneRemoteEnd(a); j >= 0 && slices.Contains(cmd.Operands, i+1) {
				a = replay.RcloneRemote(endpoint, c) + a[j+1:]
			}
		}
		if a == "-" {
			// Standard input or output: the proof streams it.
		} else if (cmd.Source.Local != "" && a == cmd.Source.Local) || (cmd.Dest.Local != "" && a == cmd.Dest.Local) {
			a = filepath.Join(work, localPath(a))
			if strings.HasSuffix(original, "/") {
				a += "/"
			}
		} else if cmd.Client == plan.S5cmd && cmd.Source.Local != "" && strings.HasPrefix(a, cmd.Source.Local) && !strings.HasPrefix(a, "s3://") {
			// s5cmd wildcards: dir/* stays a pattern under the work dir.
			a = filepath.Join(work, localPath(a))
		}
		out = append(out, a)
	}
	return out
}

// lockstepWhere are lockstep's flags that say where and as whom it runs,
// which a proof replaces with the emulator and the principals.
var lockstepWhere = map[string]bool{"--endpoint-url": true, "--profile": true, "--region": true,
	"--source-endpoint-url": true, "--dest-endpoint-url": true, "--source-region": true, "--dest-region": true,
	"--source-profile": true, "--dest-profile": true}

// The profiles a proof of a job with two credential sets gives lockstep.
const (
	sourceProfile = "lockstep-proof-source"
	destProfile   = "lockstep-proof-destination"
)

// signer is a principal a proof runs the client as: its profile (with
// two credential sets) and the access key ID its user gets.
type signer struct {
	principal, profile, keyID string
}

// signers are the principals of the plan, the one that signs the
// destination's calls (or all of them) last.
func (pr *prover) signers() []signer {
	dest := signer{principal: pr.p.Context.Principal, profile: destProfile, keyID: "AKIAPROOF00000000001"}
	if !pr.p.TwoPrincipals() {
		return []signer{dest}
	}
	return []signer{{principal: pr.p.Context.SourcePrincipal, profile: sourceProfile, keyID: "AKIAPROOF00000000002"}, dest}
}

// credentials are the principal's: a session of its role, or its user's
// access key.
func credentials(srv *emulator.Server, m *world.Model, principal string) (replay.Credentials, error) {
	if rest, ok := strings.CutPrefix(principal, "arn:aws:sts::"); ok {
		account, res, _ := strings.Cut(rest, ":")
		parts := strings.Split(res, "/")
		if len(parts) != 3 {
			return replay.Credentials{}, fmt.Errorf("principal %s is not an assumed-role ARN", principal)
		}
		k, s, t, err := srv.SessionCredentials("arn:aws:iam::"+account+":role/"+parts[1], parts[2], time.Hour)
		return replay.Credentials{AccessKeyID: k, SecretAccessKey: s, SessionToken: t}, err
	}
	if rest, ok := strings.CutPrefix(principal, "arn:aws:iam::"); ok && strings.Contains(rest, ":role/") {
		k, s, t, err := srv.SessionCredentials(principal, "lockstep-proof", time.Hour)
		return replay.Credentials{AccessKeyID: k, SecretAccessKey: s, SessionToken: t}, err
	}
	u, _ := m.FindPrincipal(principal)
	if u == nil || len(u.AccessKeys) == 0 {
		return replay.Credentials{}, fmt.Errorf("principal %s: no user with an access key in the world", principal)
	}
	return replay.Credentials{AccessKeyID: u.AccessKeys[0].ID, SecretAccessKey: u.AccessKeys[0].Secret}, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
