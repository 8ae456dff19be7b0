package transfer_test

import (
	"context"
	"slices"
	"testing"

	"github.com/lockstep-dev/lockstep/transfer"
)

// TestCopyOneTwoCredentialSets: cp of one object with two credential
// sets takes the path the probe chose, as sync does: in seed 001's shape
// the destination's user cannot read the source, so the object streams
// (the source's reader reads it, the destination's writer puts it) and
// no CopyObject is attempted.
func TestCopyOneTwoCredentialSets(t *testing.T) {
	e := startEnv(t, seed001TwoSets)
	objs := map[string][]byte{"k.txt": []byte("one object")}
	put(t, e.client(t, seeder), "seed1-src", objs)
	e.calls(t)
	var notices noticeLog
	src, dst := transfer.Location{Bucket: "seed1-src", Key: "k.txt"}, transfer.Location{Bucket: "seed1-dst", Key: "backup/"}
	opts := transfer.Options{SourceClient: e.client(t, srcReader), Preflight: true, Notice: notices.add}
	sum, err := transfer.CopyOne(context.Background(), e.client(t, dstWriter), src, dst, opts)
	if err != nil || sum.Failed != 0 || sum.Copied != 1 || sum.CopyPath != transfer.CopyStreamed {
		t.Fatalf("CopyOne = %+v, %v\n%s", sum, err, notices.String())
	}
	if calls := distinct(e.calls(t)); slices.Contains(calls, "CopyObject") || !slices.Contains(calls, "PutObject") {
		t.Errorf("a streamed cp called %v", calls)
	}
	if got, want := digests(t, e.client(t, dstWriter), "seed1-dst", "backup/"), digestsOf(objs); !equalMaps(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
}
