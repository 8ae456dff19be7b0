package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/replay"
	"github.com/lockstep-dev/lockstep/scenario"
)

// TestSeedsEndToEnd replays every seed experiment (examples/seed*.yaml)
// with the real client its author used, step by step, against one
// emulator per seed (issue 3 acceptance; docs/seeds.md). At
// each step the emulator serves that step's world; a step with a denied
// call must fail naming the denied operation (and the audit log must show
// it denied), a step whose calls are all allowed must succeed and leave
// byte-exact data where the command wrote it.
func TestSeedsEndToEnd(t *testing.T) {
	seeds, err := examples.Seeds()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		name := path.Base(s.File())
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			runSeed(t, name, s)
		})
	}
}

// seedRun is one seed being replayed.
type seedRun struct {
	file string
	s    *scenario.Scenario
	se   *replay.Session
	// createBucket counts the CreateBucket events of all steps.
	createBucket int
}

func runSeed(t *testing.T, file string, s *scenario.Scenario) {
	var clients replay.Clients
	for _, st := range s.Steps {
		switch strings.Fields(st.Command)[0] {
		case "aws":
			clients.AWS = awsV2(t).path
		case "rclone":
			clients.Rclone = rclone(t).path
		default:
			t.Fatalf("%s: step %q: unknown client in %q", file, st.Title, st.Command)
		}
	}
	se, err := replay.Start(context.Background(), s, clients)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { se.Close() })
	r := &seedRun{file: file, s: s, se: se}
	for i := range s.Steps {
		st := &s.Steps[i]
		ok := t.Run(fmt.Sprintf("step%d", i+1), func(t *testing.T) {
			t.Logf("%s step %d: %s\n$ %s", file, i+1, st.Title, st.Command)
			r.step(t, i, st)
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

func (r *seedRun) step(t *testing.T, i int, st *scenario.Step) {
	res, err := r.se.Run(context.Background(), i)
	if err != nil {
		t.Fatal(err)
	}
	records, out := res.Events, res.Output
	words := strings.Fields(st.Command)
	t.Logf("%s exit: %v; output:\n%s", res.Command[0], res.Err, tail(out, 1500))

	var denied []scenario.Call
	for _, call := range st.Calls {
		if call.Expect == "denied" {
			denied = append(denied, call)
		}
	}
	if len(denied) > 0 {
		if res.Err == nil {
			t.Fatalf("%s step %d: the command succeeded, but %s must be denied:\n%s", r.file, i+1, denied[0].Operation, out)
		}
		for _, call := range denied {
			switch words[0] {
			case "aws":
				want := "when calling the " + call.Operation + " operation"
				if !strings.Contains(out, want) {
					t.Errorf("%s step %d: the output does not name the denied operation (%q):\n%s", r.file, i+1, want, out)
				}
			case "rclone":
				if !strings.Contains(out, "Forbidden") && !strings.Contains(out, "403") && !strings.Contains(out, "AccessDenied") {
					t.Errorf("%s step %d: rclone's output shows no Forbidden/403/AccessDenied:\n%s", r.file, i+1, out)
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
	} else if res.Err != nil {
		t.Fatalf("%s step %d: every call is allowed, but the command failed: %v\n%s", r.file, i+1, res.Err, out)
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
		r.checkData(t, words, res.Dir)
	}
}

// checkData compares what a successful command wrote with its source.
func (r *seedRun) checkData(t *testing.T, words []string, work string) {
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
		for k, v := range r.se.Content[bucket] {
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
		ctx := context.Background()
		keys, err := r.se.Server().ListKeys(ctx, bucket)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			b, err := r.se.Server().GetObject(ctx, bucket, k)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(gotDir, filepath.FromSlash(k))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
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
