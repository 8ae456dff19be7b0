package transfer_test

import (
	"context"
	"testing"

	"github.com/lockstep-dev/lockstep/transfer"
)

// TestCopyOneStreamed: cp of one object with two credential sets, the
// destination's unable to read the source (seed 001), streams it as sync
// does, instead of a CopyObject the destination's credentials are denied.
func TestCopyOneStreamed(t *testing.T) {
	e := startEnv(t, seed001TwoSets)
	objs := map[string][]byte{"small.txt": []byte("small"), "big.bin": pattern(6<<20, 2)}
	put(t, e.client(t, seeder), "seed1-src", objs)
	opts := multipart
	opts.SourceClient = e.client(t, srcReader)
	for key := range objs {
		sum, err := transfer.CopyOne(context.Background(), e.client(t, dstWriter), transfer.Location{Bucket: "seed1-src", Key: key}, transfer.Location{Bucket: "seed1-dst", Key: "cp/"}, opts)
		if err != nil || sum.Copied != 1 || sum.CopyPath != transfer.CopyStreamed {
			t.Errorf("cp %s: %+v, %v", key, sum, err)
		}
	}
	if got, want := digests(t, e.client(t, dstWriter), "seed1-dst", "cp/"), digestsOf(objs); !equalMaps(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
}
