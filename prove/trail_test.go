package prove

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/internal/trail"
	"github.com/lockstep-dev/lockstep/plan"
)

// proveFromTrail is issue 13's acceptance on a proved matrix row: the
// emulator's audit log of the proof's baseline run, read as CloudTrail
// (plan --from-trail, default generalisation), gives policies with which
// the same command succeeds, byte-exact, every call of the command's
// plan made and none denied; with full, each of those permissions is
// also shown necessary.
func proveFromTrail(t *testing.T, proof *Proof, opts Options, full bool) *Proof {
	t.Helper()
	log := filepath.Join(t.TempDir(), "audit.jsonl")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for _, r := range proof.Baseline.Records {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	records, err := trail.Read([]string{log})
	if err != nil {
		t.Fatal(err)
	}
	cp := proof.Plan
	sel, err := trail.Select(records, cp.Context.Principal)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := plan.FromTrail(sel, plan.Context{Principal: cp.Context.Principal, BucketAccount: cp.Context.BucketAccount, BucketKMSKey: cp.Context.BucketKMSKey}, plan.GeneralisePrefixes)
	if err != nil {
		t.Fatal(err)
	}
	hybrid, err := tp.ForCommand(cp)
	if err != nil {
		t.Fatal(err)
	}
	opts.SufficiencyOnly = !full
	tproof, err := Prove(context.Background(), hybrid, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !tproof.Baseline.OK() {
		var b strings.Builder
		tp.WriteTable(&b)
		t.Fatalf("the policies planned from the proof's audit log are not sufficient: %s\n%s\nthe plan from the trail:\n%s", tproof.Baseline.Problem, tproof.Baseline.Output, b.String())
	}
	return tproof
}
