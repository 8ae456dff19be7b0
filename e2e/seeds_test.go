package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/scenario"
	"github.com/lockstep-dev/lockstep/world"
)

// TestSeedsEndToEnd replays every seed experiment (examples/seed*.yaml)
// with the real client its author used, step by step, against one
// emulator per seed (issue 3 acceptance; ../shared/seeds/README.md). At
// each step the emulator serves that step's world; a step with a denied
// call must fail naming the denied operation (and the audit log must show
// it denied), a step whose calls are all allowed must succeed and leave
// byte-exact data where the command wrote it.
func TestSeedsEndToEnd(t *testing.T) {
	names, err := fs.Glob(examples.Files, "seed*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no seed scenarios: %v", err)
	}
	for _, name := range names {
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := fs.ReadFile(examples.Files, name)
			if err != nil {
				t.Fatal(err)
			}
			s, err := scenario.Parse(data, name)
			if err != nil {
				t.Fatal(err)
			}
			runSeed(t, name, s)
		})
	}
}

// auditBuffer collects the emulator's audit log; Take returns and clears
// the records written since the last call.
type auditBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (a *auditBuffer) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buf.Write(p)
}

func (a *auditBuffer) Take(t *testing.T) []emulator.Record {
	t.Helper()
	a.mu.Lock()
	data := bytes.Clone(a.buf.Bytes())
	a.buf.Reset()
	a.mu.Unlock()
	var out []emulator.Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r emulator.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit record %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

// seedRun is the state of one seed's replay.
type seedRun struct {
	t      *testing.T
	file   string
	s      *scenario.Scenario
	srv    *emulator.Server
	audit  *auditBuffer
	region string
	// content is what the test knows each bucket's objects hold:
	// bucket -> key -> bytes (the world's seeded objects, and those
	// put with srv.PutObject).
	content map[string]map[string][]byte
	// dests are the buckets that start empty: the ones the commands
	// write to. They are emptied before each step, so that each step
	// transfers what its calls say (a sync or copy finding the objects
	// of an earlier step in place would transfer nothing).
	dests map[string]bool
	// createBucket counts the CreateBucket events of all steps.
	createBucket int
	// local is the local directory ./dir of rclone's commands.
	local string
}

const verifierUser = "lockstep-e2e-verifier"

// verifierKey is the access key of the verifier user of an account.
func verifierKey(account string) creds {
	return creds{key: "AKIAE2E" + account + "V", secret: "e2e-verifier-secret-" + account}
}

// prepare adds what the real clients need to a step's world, without
// touching the example files: an administrator user in every account
// (the test reads and empties buckets as the owner) and an access key
// for an IAM user principal that has none.
func prepare(m *world.Model, principals []string) {
	for i := range m.Accounts {
		a := &m.Accounts[i]
		k := verifierKey(a.ID)
		admin := world.DocFromJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
		u := world.UserModel{Name: verifierUser, AccessKeys: []world.AccessKeyModel{{ID: k.key, Secret: k.secret}}}
		u.Policies.Set("administrator", admin)
		a.Users = append(a.Users, u)
	}
	for n, p := range principals {
		if u, _ := m.FindPrincipal(p); u != nil && len(u.AccessKeys) == 0 {
			u.AccessKeys = append(u.AccessKeys, world.AccessKeyModel{ID: fmt.Sprintf("AKIAE2EUSER%09d", n), Secret: "e2e-user-secret"})
		}
	}
}

func runSeed(t *testing.T, file string, s *scenario.Scenario) {
	var needAWS, needRclone bool
	for _, st := range s.Steps {
		switch strings.Fields(st.Command)[0] {
		case "aws":
			needAWS = true
		case "rclone":
			needRclone = true
		default:
			t.Fatalf("%s: step %q: unknown client in %q", file, st.Title, st.Command)
		}
	}
	clients := map[string]client{}
	if needAWS {
		clients["aws"] = awsV2(t)
	}
	if needRclone {
		clients["rclone"] = rclone(t)
	}
	models, err := s.StepWorlds()
	if err != nil {
		t.Fatal(err)
	}
	var principals []string
	for _, st := range s.Steps {
		principals = append(principals, stepPrincipal(s, &st))
	}
	for _, m := range models {
		prepare(m, principals)
	}
	audit := &auditBuffer{}
	srv, err := emulator.New(context.Background(), emulator.Options{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: models[0], WorldFile: file, Audit: audit, NoSync: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	r := &seedRun{t: t, file: file, s: s, srv: srv, audit: audit, region: srv.Region(),
		content: map[string]map[string][]byte{}, dests: map[string]bool{}}
	for _, a := range models[0].Accounts {
		for _, b := range a.Buckets {
			if len(b.Objects) == 0 {
				r.dests[b.Name] = true
			}
			r.content[b.Name] = map[string][]byte{}
			for k, v := range b.Objects {
				r.content[b.Name][k] = []byte(v)
			}
		}
	}
	// Seed 003 copies a 1 MiB and a 1 GiB object; the world file holds
	// placeholders. Put random data of the sizes that matter: 1 MiB (one
	// CopyObject) and, for 1gb.dat, 20 MiB, well above the CLI's 8 MiB
	// multipart threshold (the key name is kept).
	if objs, ok := r.content["cp-src"]; ok {
		for key, size := range map[string]int{"1mb.dat": 1 << 20, "1gb.dat": 20 << 20} {
			b := make([]byte, size)
			rand.Read(b)
			if err := srv.PutObject(context.Background(), "cp-src", key, bytes.NewReader(b)); err != nil {
				t.Fatal(err)
			}
			objs[key] = b
		}
	}
	// rclone's ./dir: files at the top and in a subdirectory.
	r.local = t.TempDir()
	writeTree(t, filepath.Join(r.local, "dir"), map[string]int{"report.csv": 2048, "notes.txt": 100, "archive/2025.csv": 4096})

	for i := range s.Steps {
		st := &s.Steps[i]
		name := fmt.Sprintf("step%d", i+1)
		ok := t.Run(name, func(t *testing.T) {
			t.Logf("%s step %d: %s\n$ %s", file, i+1, st.Title, st.Command)
			r.step(t, i, st, models[i], clients)
		})
		if !ok {
			t.Fatalf("%s step %d failed; later steps depend on it", file, i+1)
		}
	}
	if strings.HasPrefix(file, "seed002") && r.createBucket == 0 {
		// The lesson of the post: rclone calls CreateBucket (found in
		// CloudTrail), unless told not to check the bucket.
		t.Errorf("%s: no step's audit log shows a CreateBucket event", file)
	}
}

func stepPrincipal(s *scenario.Scenario, st *scenario.Step) string {
	if st.Principal != "" {
		return st.Principal
	}
	return s.Principal
}

// credentials returns the credentials of a principal: a session of the
// role for an assumed-role ARN, the user's access key for a user.
func (r *seedRun) credentials(t *testing.T, m *world.Model, principal string) creds {
	t.Helper()
	if rest, ok := strings.CutPrefix(principal, "arn:aws:sts::"); ok {
		account, path, _ := strings.Cut(rest, ":")
		parts := strings.Split(path, "/")
		if len(parts) != 3 || parts[0] != "assumed-role" {
			t.Fatalf("principal %s: not an assumed-role ARN", principal)
		}
		key, secret, token, err := r.srv.SessionCredentials("arn:aws:iam::"+account+":role/"+parts[1], parts[2], time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return creds{key: key, secret: secret, token: token}
	}
	u, _ := m.FindPrincipal(principal)
	if u == nil || len(u.AccessKeys) == 0 {
		t.Fatalf("principal %s: no IAM user with an access key in the world", principal)
	}
	return creds{key: u.AccessKeys[0].ID, secret: u.AccessKeys[0].Secret}
}

// ownerOf returns the account owning a bucket.
func ownerOf(m *world.Model, bucket string) string {
	for _, a := range m.Accounts {
		for _, b := range a.Buckets {
			if b.Name == bucket {
				return a.ID
			}
		}
	}
	return ""
}

// asOwner runs the AWS CLI as the verifier of the bucket's account.
func (r *seedRun) asOwner(t *testing.T, m *world.Model, cl client, bucket string, args ...string) result {
	t.Helper()
	e := env(t, verifierKey(ownerOf(m, bucket)), r.region)
	return run(t, e, t.TempDir(), cl.path, append([]string{"--endpoint-url", r.srv.Endpoint(), "--only-show-errors"}, args...)...)
}

func (r *seedRun) step(t *testing.T, i int, st *scenario.Step, m *world.Model, clients map[string]client) {
	ctx := context.Background()
	if err := r.srv.ReplaceWorld(ctx, m, r.file); err != nil {
		t.Fatalf("ReplaceWorld: %v", err)
	}
	// The verifier uses the AWS CLI; rclone-only seeds need it too.
	owner := clients["aws"]
	if owner.path == "" {
		owner = awsV2(t)
	}
	for b := range r.dests {
		if res := r.asOwner(t, m, owner, b, "s3", "rm", "s3://"+b, "--recursive"); res.err != nil {
			t.Fatalf("emptying %s before the step: %v", b, res)
		}
	}
	r.audit.Take(t)

	principal := stepPrincipal(r.s, st)
	c := r.credentials(t, m, principal)
	words := strings.Fields(st.Command)
	cl := clients[words[0]]
	work := t.TempDir() // the command's working directory: "." of aws s3 sync
	var args []string
	switch words[0] {
	case "aws":
		args = []string{"--endpoint-url", r.srv.Endpoint(), "--only-show-errors"}
		for j := 1; j < len(words); j++ {
			if words[j] == "--profile" {
				j++ // the profile's credentials are the step principal's
				continue
			}
			args = append(args, words[j])
		}
		if words[1] == "s3" && words[2] == "cp" && strings.HasPrefix(words[3], "s3://") {
			// The seed's CLI (v1) copied only the metadata; CLI v2's
			// default --copy-props also copies tags, calling
			// GetObjectTagging on the source, which the seed's policy
			// does not allow (see the comment of seed003).
			args = append(args, "--copy-props", "metadata-directive")
		}
	case "rclone":
		work = r.local
		for _, w := range words[1:] {
			if rest, ok := strings.CutPrefix(w, "s3-remote:"); ok {
				// list_version=2: rclone's provider=AWS lists with
				// ListObjectsV2, as in the seed; provider=Other (kept
				// for path-style addressing on 127.0.0.1) would use
				// ListObjects.
				w = rcloneRemote(r.srv.Endpoint(), c, "list_version=2") + rest
			}
			args = append(args, w)
		}
	}
	res := run(t, env(t, c, r.region), work, cl.path, args...)
	records := r.audit.Take(t)
	out := res.stdout + res.stderr
	t.Logf("%s exit: %v; output:\n%s", cl.name, res.err, tail(out, 1500))

	var denied []scenario.Call
	for _, call := range st.Calls {
		if call.Expect == "denied" {
			denied = append(denied, call)
		}
	}
	if len(denied) > 0 {
		if res.err == nil {
			t.Fatalf("%s step %d: the command succeeded, but %s must be denied:\n%v", r.file, i+1, denied[0].Operation, res)
		}
		for _, call := range denied {
			switch words[0] {
			case "aws":
				want := "when calling the " + call.Operation + " operation"
				if !strings.Contains(out, want) {
					t.Errorf("%s step %d: the output does not name the denied operation (%q):\n%v", r.file, i+1, want, res)
				}
			case "rclone":
				if !strings.Contains(out, "Forbidden") && !strings.Contains(out, "403") && !strings.Contains(out, "AccessDenied") {
					t.Errorf("%s step %d: rclone's output shows no Forbidden/403/AccessDenied:\n%v", r.file, i+1, res)
				}
			}
			switch {
			case hasEvent(records, call, true):
			case !madeCall(records, call) && anyDenied(records, denied):
				// The client stopped at another denied call before
				// making this one (rclone 1.60 gives up on a directory
				// whose destination listing failed, where the seed's
				// rclone queued the uploads anyway).
				t.Logf("%s step %d: this client did not reach %s on %s (it stopped at an earlier denied call)", r.file, i+1, call.Operation, call.Bucket)
			default:
				t.Errorf("%s step %d: the audit log has no %s on %s with errorCode AccessDenied; events: %s", r.file, i+1, call.Operation, call.Bucket, eventList(records))
			}
		}
	} else if res.err != nil {
		t.Fatalf("%s step %d: every call is allowed, but the command failed:\n%v", r.file, i+1, res)
	}
	for _, call := range st.Calls {
		if call.Expect != "allowed" || hasEvent(records, call, false) {
			continue
		}
		if len(denied) > 0 && !madeCall(records, call) {
			// A failing step: the client may stop before this call.
			t.Logf("%s step %d: this client did not make the allowed %s on %s (the step fails before it)", r.file, i+1, call.Operation, call.Bucket)
			continue
		}
		t.Errorf("%s step %d: the audit log has no allowed %s on %s; events: %s", r.file, i+1, call.Operation, call.Bucket, eventList(records))
	}
	n := countEvents(records, "CreateBucket")
	r.createBucket += n
	if strings.Contains(st.Command, "--s3-no-check-bucket") && n > 0 {
		t.Errorf("%s step %d: --s3-no-check-bucket, but the audit log shows %d CreateBucket events", r.file, i+1, n)
	}
	if len(denied) == 0 && n > 0 && !stepCalls(st, "CreateBucket") {
		t.Errorf("%s step %d: the step lists no CreateBucket call, but the audit log shows %d", r.file, i+1, n)
	}
	if len(denied) == 0 {
		r.checkData(t, m, owner, words, work)
	}
}

// checkData compares what a successful command wrote with its source.
func (r *seedRun) checkData(t *testing.T, m *world.Model, owner client, words []string, work string) {
	t.Helper()
	var operands []string
	for j := 2; j < len(words); j++ {
		w := words[j]
		if w == "--profile" {
			j++
			continue
		}
		if strings.HasPrefix(w, "-") {
			continue
		}
		operands = append(operands, w)
	}
	if words[0] == "aws" {
		operands = operands[1:] // "s3" of "aws s3 sync"
	}
	if len(operands) != 2 {
		t.Fatalf("cannot tell source and destination of %q", strings.Join(words, " "))
	}
	src, dst := operands[0], operands[1]

	// want is what the destination must hold.
	want := map[string][]byte{}
	switch {
	case strings.HasPrefix(src, "s3://"):
		bucket, key, _ := strings.Cut(strings.TrimPrefix(src, "s3://"), "/")
		for k, v := range r.content[bucket] {
			if key == "" {
				want[k] = v
			} else if k == key {
				want[filepath.Base(k)] = v
			}
		}
	default:
		p := filepath.Join(work, src)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() {
			b, _ := os.ReadFile(p)
			want[filepath.Base(p)] = b
		} else {
			filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(p, q)
				b, err := os.ReadFile(q)
				if err != nil {
					t.Fatal(err)
				}
				want[filepath.ToSlash(rel)] = b
				return nil
			})
		}
	}
	if len(want) == 0 {
		t.Fatalf("no source data known for %s", src)
	}
	wantDir := t.TempDir()
	for k, v := range want {
		p := filepath.Join(wantDir, filepath.FromSlash(k))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, v, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	gotDir := filepath.Join(work, dst)
	bucket, isS3 := strings.CutPrefix(dst, "s3://")
	if !isS3 {
		bucket, isS3 = strings.CutPrefix(dst, "s3-remote:")
	}
	if isS3 {
		// The destination buckets were emptied before the step: the
		// whole bucket is what the command wrote.
		bucket, _, _ = strings.Cut(bucket, "/")
		gotDir = t.TempDir()
		if res := r.asOwner(t, m, owner, bucket, "s3", "sync", "s3://"+bucket, gotDir); res.err != nil {
			t.Fatalf("downloading %s as its owner: %v", bucket, res)
		}
	}
	sameTree(t, wantDir, gotDir)
	t.Logf("%s holds the %d objects of %s byte for byte", dst, len(want), src)
}

// stepCalls reports whether the step lists a call of the operation.
func stepCalls(st *scenario.Step, op string) bool {
	for _, c := range st.Calls {
		if c.Operation == op {
			return true
		}
	}
	return false
}

// madeCall reports whether the audit log shows the call at all.
func madeCall(records []emulator.Record, call scenario.Call) bool {
	return hasEvent(records, call, true) || hasEvent(records, call, false)
}

func anyDenied(records []emulator.Record, calls []scenario.Call) bool {
	for _, c := range calls {
		if hasEvent(records, c, true) {
			return true
		}
	}
	return false
}

// hasEvent reports whether the audit log shows the call, denied with
// AccessDenied or (denied false) not denied.
func hasEvent(records []emulator.Record, call scenario.Call, denied bool) bool {
	for _, rec := range records {
		if rec.EventName != call.Operation {
			continue
		}
		if b, ok := rec.RequestParameters["bucketName"].(string); ok && call.Bucket != "" && b != call.Bucket {
			continue
		}
		if (rec.ErrorCode == "AccessDenied") == denied {
			return true
		}
	}
	return false
}

func countEvents(records []emulator.Record, op string) int {
	n := 0
	for _, rec := range records {
		if rec.EventName == op {
			n++
		}
	}
	return n
}

func eventList(records []emulator.Record) string {
	var b strings.Builder
	for _, rec := range records {
		bucket, _ := rec.RequestParameters["bucketName"].(string)
		fmt.Fprintf(&b, "\n  %s %s %s", rec.EventName, bucket, rec.ErrorCode)
	}
	return b.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
