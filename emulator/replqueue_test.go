package emulator

import (
	"fmt"
	"testing"
)

// TestReplicationMarkerOutcomesBounded: the replicator keeps the outcome
// of the last replicationMarkerOutcomes delete markers only, forgetting
// the oldest first (docs/decisions.md #51).
func TestReplicationMarkerOutcomesBounded(t *testing.T) {
	r := newReplicator()
	defer r.close()
	job := func(i int) replicationJob {
		return replicationJob{bucket: "b", key: "k", versionID: fmt.Sprintf("%032x", i), marker: true}
	}
	for i := range replicationMarkerOutcomes + 10 {
		r.recordMarker(job(i), replicationCompleted)
	}
	if len(r.markers) != replicationMarkerOutcomes || len(r.markerOrder) != replicationMarkerOutcomes {
		t.Errorf("%d outcomes (%d in order), want %d", len(r.markers), len(r.markerOrder), replicationMarkerOutcomes)
	}
	if _, ok := r.markers[job(9)]; ok {
		t.Error("the 10th oldest outcome is still kept")
	}
	if r.markers[job(replicationMarkerOutcomes+9)] != replicationCompleted {
		t.Error("the newest outcome is not kept")
	}
}
