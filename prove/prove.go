package prove

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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
}

// Proof is the outcome of proving a plan.
type Proof struct {
	Plan *plan.Plan
	// Baseline is the run with every planned permission: it must succeed
	// with byte-exact data.
	Baseline Run
	// Checks has one entry per planned permission, in plan order.
	Checks  []Check
	Elapsed time.Duration
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
}

// OK reports whether the run succeeded with the right data.
func (r Run) OK() bool { return r.Problem == "" }

// Check is the proof for one permission: the run without it.
type Check struct {
	Need plan.Need
	Run  Run
	// Necessary is true when the client failed without the permission.
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
	if p.Context.Principal == "" {
		// Prove as a role of the account of the command's buckets.
		ctxt := p.Context
		ctxt.Principal = "arn:aws:sts::" + defaultAccount(p) + ":assumed-role/lockstep-prover/proof"
		if p, err = plan.Build(p.Command, ctxt); err != nil {
			return nil, err
		}
	}
	base := opts.World
	if base == nil {
		if base, err = synthesize(p); err != nil {
			return nil, err
		}
	}
	pr := &prover{p: p, base: base, bin: bin, opts: opts}
	proof := &Proof{Plan: p}
	proof.Baseline, err = pr.run(ctx, p)
	if err != nil {
		return nil, err
	}
	pr.progress("with every planned permission", proof.Baseline)
	if !proof.Baseline.OK() {
		proof.Elapsed = time.Since(start)
		return proof, nil
	}
	for i, n := range p.Needs {
		r, err := pr.run(ctx, p.WithoutNeed(i))
		if err != nil {
			return nil, err
		}
		pr.progress("without "+n.Action+" on "+n.Resource, r)
		proof.Checks = append(proof.Checks, Check{Need: n, Run: r, Necessary: !r.OK()})
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
	}
	if bin == "" {
		return "", fmt.Errorf("%s is not installed; make clients installs it", name)
	}
	return bin, nil
}

type prover struct {
	p    *plan.Plan
	base *world.Model
	bin  string
	opts Options
}

func (pr *prover) progress(what string, r Run) {
	if pr.opts.Progress == nil {
		return
	}
	verdict := "succeeds"
	if !r.OK() {
		verdict = "fails: " + r.Problem
	}
	fmt.Fprintf(pr.opts.Progress, "  %s: %s\n", what, verdict)
}

// run runs the command once per data variant: one run with a small and a
// multipart-size object for a directory command; for a single-object
// command, one run per planned size. The run fails if any variant does.
func (pr *prover) run(ctx context.Context, p *plan.Plan) (Run, error) {
	var sizes []int64
	if pr.p.Command.Recursive {
		sizes = []int64{0}
	} else {
		if pr.hasSmall() || !pr.hasLarge() {
			sizes = append(sizes, 1024)
		}
		if pr.hasLarge() {
			sizes = append(sizes, int64(pr.p.Model.MultipartThreshold))
		}
	}
	var all Run
	for _, size := range sizes {
		r, err := pr.runVariant(ctx, p, size)
		if err != nil {
			return Run{}, err
		}
		if all.Command == nil || (all.OK() && !r.OK()) {
			denied := all.Denied
			all = r
			for _, d := range denied {
				if !containsString(all.Denied, d) {
					all.Denied = append(all.Denied, d)
				}
			}
			continue
		}
		for _, d := range r.Denied {
			if !containsString(all.Denied, d) {
				all.Denied = append(all.Denied, d)
			}
		}
	}
	return all, nil
}

// runVariant serves the world with the plan's policies on a fresh
// emulator, puts the test data in place (size: the single object's size,
// 0 for a directory command), runs the client and checks the result.
func (pr *prover) runVariant(ctx context.Context, p *plan.Plan, size int64) (Run, error) {
	m := pr.base.Clone()
	if err := ensurePrincipal(m, p.Context.Principal); err != nil {
		return Run{}, err
	}
	if err := p.Apply(m); err != nil {
		return Run{}, err
	}
	tmp, err := os.MkdirTemp("", "lockstep-prove-")
	if err != nil {
		return Run{}, err
	}
	defer os.RemoveAll(tmp)
	audit := &replay.AuditLog{}
	srv, err := emulator.New(ctx, emulator.Options{Addr: "127.0.0.1:0", DataDir: filepath.Join(tmp, "data"), World: m,
		WorldFile: "the world of the proof", Audit: audit, NoSync: true, ErrorLog: io.Discard})
	if err != nil {
		return Run{}, err
	}
	if err := srv.Start(); err != nil {
		return Run{}, err
	}
	defer srv.Close()
	work := filepath.Join(tmp, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return Run{}, err
	}
	data, err := pr.seed(ctx, srv, work, size)
	if err != nil {
		return Run{}, err
	}
	creds, err := credentials(srv, m, p.Context.Principal)
	if err != nil {
		return Run{}, err
	}
	argv := pr.argv(srv.Endpoint(), creds, work)
	env, err := replay.Env(creds, srv.Region(), tmp)
	if err != nil {
		return Run{}, err
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(rctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, work
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	r := Run{Command: argv, Output: out.String(), Err: runErr, Denied: deniedCalls(audit.Take())}
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

// testData is what the seed put in place: the source objects by relative
// name, and the destination-only names that a delete must remove.
type testData struct {
	files map[string][]byte
	extra []string
}

// seed writes the test data: into the source prefix or directory, and a
// destination-only object when the command deletes.
func (pr *prover) seed(ctx context.Context, srv *emulator.Server, work string, single int64) (*testData, error) {
	c := pr.p.Command
	d := &testData{files: map[string][]byte{}}
	sizes := map[string]int64{"lockstep-small.txt": 1024}
	if pr.hasLarge() {
		sizes["lockstep-large.bin"] = int64(pr.p.Model.MultipartThreshold)
	}
	if !c.Recursive {
		// One object, with its own name.
		size := single
		name := c.Source.Key
		if !c.Source.IsS3() {
			name = c.Source.Local
		}
		sizes = map[string]int64{filepath.Base(name): size}
	}
	for name, size := range sizes {
		b := make([]byte, size)
		rand.Read(b)
		d.files[name] = b
		if c.Source.IsS3() {
			key := c.Source.Key + name
			if !c.Recursive {
				key = c.Source.Key
			}
			if err := srv.PutObject(ctx, c.Source.Bucket, key, bytes.NewReader(b)); err != nil {
				return nil, fmt.Errorf("test data s3://%s/%s: %w", c.Source.Bucket, key, err)
			}
			continue
		}
		p := filepath.Join(work, localPath(c.Source.Local))
		if c.Recursive {
			p = filepath.Join(p, name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
	}
	if c.Has("delete") {
		const extra = "lockstep-destination-only.txt"
		d.extra = append(d.extra, extra)
		if c.Dest.IsS3() {
			if err := srv.PutObject(ctx, c.Dest.Bucket, c.Dest.Key+extra, strings.NewReader("only in the destination")); err != nil {
				return nil, err
			}
		} else {
			p := filepath.Join(work, localPath(c.Dest.Local), extra)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte("only in the destination"), 0o644); err != nil {
				return nil, err
			}
		}
	}
	if !c.Source.IsS3() || c.Dest.IsS3() {
		return d, nil
	}
	return d, os.MkdirAll(filepath.Join(work, localPath(c.Dest.Local)), 0o755)
}

func (pr *prover) hasLarge() bool {
	for _, c := range pr.p.Calls {
		if strings.HasPrefix(c.When, "objects >=") {
			return true
		}
	}
	return false
}

func (pr *prover) hasSmall() bool {
	for _, c := range pr.p.Calls {
		if strings.HasPrefix(c.When, "objects <") {
			return true
		}
	}
	return false
}

// localPath maps a local path of the command into the proof's working
// directory: absolute paths are re-rooted there, so that a proof never
// reads or writes the user's files.
func localPath(p string) string {
	return strings.TrimPrefix(filepath.Clean("/"+p), "/")
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
		case cmd.Client == plan.Rclone:
			if j := plan.RcloneRemoteEnd(a); j >= 0 && !strings.HasPrefix(a, "-") {
				a = replay.RcloneRemote(endpoint, c) + a[j+1:]
			}
		}
		if (cmd.Source.Local != "" && a == cmd.Source.Local) || (cmd.Dest.Local != "" && a == cmd.Dest.Local) {
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

// verify checks that the destination holds the source's data byte for
// byte, that deleted names are gone, and that a move removed the source.
func (pr *prover) verify(ctx context.Context, srv *emulator.Server, work string, d *testData) string {
	c := pr.p.Command
	if c.Verb == "rm" {
		for name := range d.files {
			key := c.Source.Key + name
			if !c.Recursive {
				key = c.Source.Key
			}
			if _, err := srv.GetObject(ctx, c.Source.Bucket, key); err == nil {
				return "s3://" + c.Source.Bucket + "/" + key + " is still there"
			}
		}
		return ""
	}
	got := map[string][]byte{}
	if c.Dest.IsS3() {
		keys, err := srv.ListKeys(ctx, c.Dest.Bucket)
		if err != nil {
			return err.Error()
		}
		for _, k := range keys {
			rel, ok := strings.CutPrefix(k, c.Dest.Key)
			if !c.Recursive {
				rel, ok = filepath.Base(k), k == c.Dest.Key
			}
			if !ok {
				continue
			}
			b, err := srv.GetObject(ctx, c.Dest.Bucket, k)
			if err != nil {
				return err.Error()
			}
			got[rel] = b
		}
	} else {
		root := filepath.Join(work, localPath(c.Dest.Local))
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			b, _ := os.ReadFile(p)
			got[filepath.ToSlash(rel)] = b
			return nil
		})
		if !c.Recursive {
			if b, err := os.ReadFile(root); err == nil {
				got = map[string][]byte{filepath.Base(c.Source.Key): b}
			}
		}
	}
	var problems []string
	for name, want := range d.files {
		b, ok := got[name]
		switch {
		case !ok:
			problems = append(problems, name+" is missing from the destination")
		case !bytes.Equal(b, want):
			problems = append(problems, fmt.Sprintf("%s differs (%d bytes, want %d)", name, len(b), len(want)))
		}
	}
	for _, name := range d.extra {
		if _, ok := got[name]; ok {
			problems = append(problems, name+" (destination only) was not deleted")
		}
	}
	sort.Strings(problems)
	return strings.Join(problems, "; ")
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

// deniedCalls lists "Operation s3://bucket/key" (or the KMS action) of
// every call of the records that got AccessDenied, in order, without
// repeats.
func deniedCalls(records []emulator.Record) []string {
	var out []string
	for _, r := range records {
		if r.ErrorCode != "AccessDenied" && r.ErrorCode != "AccessDeniedException" {
			continue
		}
		what := r.EventName
		if r.EventSource == "kms.amazonaws.com" {
			what = "kms:" + r.EventName + " (by S3)"
		} else if b, _ := r.RequestParameters["bucketName"].(string); b != "" {
			what += " s3://" + b
			if k, _ := r.RequestParameters["key"].(string); k != "" {
				what += "/" + k
			}
		}
		if !containsString(out, what) {
			out = append(out, what)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
