package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
)

// TestS5cmdRejects: the s5cmd command lines lockstep plan refuses are the
// ones the real s5cmd refuses, for the same reason, in s5cmd's words
// (issue 9); and a sync of an S3 source without a wildcard or trailing
// slash into S3, which s5cmd runs (here copying nothing: p is no object)
// but lockstep does not plan, is refused with an explanation.
func TestS5cmdRejects(t *testing.T) {
	bin := s5cmd(t)
	srv := startServer(t, nil)
	if err := srv.PutObject(context.Background(), "kazue-sync-source", "p/a.txt", strings.NewReader("a")); err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	writeTree(t, local, map[string]int{"a.txt": 10})
	tests := []struct {
		args string // OUT is an empty directory, LOCAL holds a.txt
		// s5cmd is what the real s5cmd prints ("" : it succeeds); plan
		// what lockstep's error says.
		s5cmd, plan string
	}{
		{"sync s3://kazue-sync-source/p/ OUT/", "source argument must contain wildcard character", "source argument must contain wildcard character"},
		{"sync s3://kazue-sync-source OUT/", "source argument must contain wildcard character", "source argument must contain wildcard character"},
		{"sync --delete s3://kazue-sync-source/p/ OUT/", "source argument must contain wildcard character", "source argument must contain wildcard character"},
		{"cp s3://kazue-sync-source/p/ OUT/", "source argument must contain wildcard character", "source argument must contain wildcard character"},
		{"mv s3://kazue-sync-source/p/ OUT/", "source argument must contain wildcard character", "source argument must contain wildcard character"},
		{"rm s3://kazue-sync-dest/p/", "s3 bucket/prefix cannot be used for delete operations", "s3 bucket/prefix cannot be used for delete operations"},
		{"cp LOCAL/a.txt s3://kazue-sync-dest/x/ --acl private", "expected source and destination arguments", "expected source and destination arguments"},
		{"cp --bogus LOCAL/a.txt s3://kazue-sync-dest/x/", "flag provided but not defined: -bogus", "lockstep does not know the flag --bogus"},
		{"--acl private cp LOCAL/a.txt s3://kazue-sync-dest/x/", "flag provided but not defined: -acl", "--acl is a flag of s5cmd cp, s5cmd mv, s5cmd sync, not a global flag"},
		{"sync s3://kazue-sync-source/p s3://kazue-sync-dest/x/", "", `lockstep plans that sync into a local directory only`},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.args, "/", "∕"), func(t *testing.T) {
			out := t.TempDir()
			words := strings.Fields(strings.NewReplacer("OUT", out, "LOCAL", local).Replace(tt.args))
			_, err := plan.ParseCommand(append([]string{"s5cmd"}, words...), "")
			if err == nil || !strings.Contains(err.Error(), tt.plan) {
				t.Errorf("lockstep plan: %v, want an error saying %q", err, tt.plan)
			}
			res := run(t, env(t, admin, srv.Region()), t.TempDir(), bin, append([]string{"--endpoint-url", srv.Endpoint()}, words...)...)
			if tt.s5cmd == "" {
				entries, _ := os.ReadDir(out)
				if res.err != nil || len(entries) != 0 {
					t.Errorf("s5cmd: want success with nothing copied, got %d files in %s\n%v", len(entries), filepath.Base(out), res)
				}
				return
			}
			if res.err == nil || !strings.Contains(res.stderr+res.stdout, tt.s5cmd) {
				t.Errorf("s5cmd: want a failure saying %q\n%v", tt.s5cmd, res)
			}
		})
	}
}
