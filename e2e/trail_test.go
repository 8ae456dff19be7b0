package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/internal/trail"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replay"
	"github.com/lockstep-dev/lockstep/world"
)

// TestPlanFromTrailSufficient: the emulator's own audit log of a seed's
// working step, run with the real client, read as CloudTrail; the plan
// derived from it (plan --from-trail, default generalisation) replaces
// the principal's policies and the bucket and key policies it names; the
// same command then succeeds again byte-exact with no call denied (issue
// 13 acceptance).
func TestPlanFromTrailSufficient(t *testing.T) {
	tests := []struct {
		seed string
		step int
	}{
		{"000", 6}, // aws s3 sync between buckets
		{"002", 5}, // rclone copy ./dir to a bucket
		{"003", 4}, // aws s3 cp 20 MiB across accounts into a CMK bucket
	}
	for _, tt := range tests {
		t.Run(tt.seed, func(t *testing.T) {
			s, err := examples.Seed(tt.seed)
			if err != nil {
				t.Fatal(err)
			}
			clients := replay.Clients{AWS: awsV2(t).path}
			if strings.HasPrefix(s.Steps[tt.step-1].Command, "rclone") {
				clients.Rclone = rclone(t).path
			}
			se, err := replay.Start(context.Background(), s, clients)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { se.Close() })
			i := tt.step - 1
			st := &s.Steps[i]
			first, err := se.Run(context.Background(), i)
			if err != nil || first.Err != nil {
				t.Fatalf("the seed's working step failed: %v %v\n%s", err, first.Err, first.Output)
			}
			log := filepath.Join(t.TempDir(), "audit.jsonl")
			f, err := os.Create(log)
			if err != nil {
				t.Fatal(err)
			}
			enc := json.NewEncoder(f)
			for _, r := range first.Events {
				enc.Encode(r)
			}
			f.Close()
			records, err := trail.Read([]string{log})
			if err != nil {
				t.Fatal(err)
			}
			principal := replay.Principal(s, st)
			sel, err := trail.Select(records, principal)
			if err != nil {
				t.Fatal(err)
			}
			m := se.World(i)
			w, err := world.Compile(m, s.File())
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.FromTrail(sel, plan.ContextFromWorld(w, principal), plan.GeneralisePrefixes)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			p.WriteTable(&b)
			t.Logf("plan from the trail of %q:\n%s", st.Command, b.String())
			if err := p.Apply(m); err != nil {
				t.Fatal(err)
			}
			// The rerun proves the plan only if the plan's policy is now
			// the principal's only one.
			u, r := m.FindPrincipal(principal)
			var names []string
			switch {
			case u != nil:
				names = u.Policies.Names
			case r != nil:
				names = r.Policies.Names
			}
			if len(names) != 1 || names[0] != "lockstep-plan" {
				t.Fatalf("after Apply, %s has the policies %v, want only the plan's", principal, names)
			}
			again, err := se.Run(context.Background(), i)
			if err != nil {
				t.Fatal(err)
			}
			if again.Err != nil {
				t.Fatalf("with the policies from the trail the command fails: %v\n%s", again.Err, again.Output)
			}
			for _, r := range again.Events {
				if r.ErrorCode == "AccessDenied" {
					t.Errorf("with the policies from the trail, %s is denied (%v)", r.EventName, r.AdditionalEventData)
				}
			}
			run := &seedRun{file: s.File(), s: s, se: se}
			run.checkData(t, strings.Fields(st.Command), again.Dir)
		})
	}
}
