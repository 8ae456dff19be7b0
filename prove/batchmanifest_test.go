package prove_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/prove"
)

// TestBatchCopyManifestInKMSBucket: a manifest stored in a bucket whose
// default encryption is SSE-KMS (batch-src, under key 1111) gets no KMS
// permission in the plan, since S3 Batch Operations does not support an
// SSE-KMS CSV manifest; the plan says to write it with SSE-S3, and the
// proof, which does, completes the job with every planned permission
// necessary.
func TestBatchCopyManifestInKMSBucket(t *testing.T) {
	m, w := batchWorld(t)
	job := batchJob
	job.Manifest = plan.Location{Bucket: "batch-src", Key: "manifests/copy.csv"}
	job.Sources = []plan.Location{{Bucket: "batch-src", Key: "photos/"}}
	p, err := plan.BatchCopy(job, plan.ContextFromWorld(w, job.Role))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range p.Needs {
		for _, i := range n.Calls {
			if p.Calls[i].Side == "manifest" && strings.HasPrefix(n.Action, "kms:") {
				t.Errorf("the manifest's read is planned with %s on %s", n.Action, n.Resource)
			}
		}
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "write the manifest with SSE-S3") {
		t.Errorf("no note that the manifest must be SSE-S3: %q", p.Notes)
	}
	proof, err := prove.BatchCopy(context.Background(), p, m, prove.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	proof.Write(&out)
	if !proof.Baseline.OK() || !strings.Contains(out.String(), "verdict: sufficient") {
		t.Errorf("proof:\n%s", out.String())
	}
	// Without a tag permission the job completes with the tagged
	// object's task failed: the proof says so, not that the job fails;
	// the KMS calls S3 made name their key.
	for _, want := range []string{"the job completes with 1 of 4 tasks failed", "kms:Decrypt on arn:aws:kms:us-east-1:111111111111:key/11111111-1111-4111-8111-111111111111 (by S3)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the proof does not say %q:\n%s", want, out.String())
		}
	}
}
