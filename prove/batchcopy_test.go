package prove_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/prove"
	"github.com/lockstep-dev/lockstep/world"
)

// batchJob is the job of examples/batch-copy.yaml: across accounts into a
// bucket with a customer managed key, with a completion report.
var batchJob = plan.BatchCopyJob{
	Role:     "arn:aws:iam::111111111111:role/BatchCopy",
	Manifest: plan.Location{Bucket: "batch-manifests", Key: "copy.csv"},
	Sources:  []plan.Location{{Bucket: "batch-src"}},
	Dest:     plan.Location{Bucket: "batch-dst"},
	Report:   plan.Location{Bucket: "batch-reports", Key: "reports"},
}

func batchWorld(t *testing.T) (*world.Model, *world.World) {
	t.Helper()
	m, w, err := examples.World("batch-copy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return m, w
}

// TestBatchCopyProof is issue 14's acceptance job: 1,000 objects (250
// plain, SSE-S3, tagged and SSE-KMS) copied by S3 Batch Operations from
// account 111111111111 into account 222222222222's bucket encrypted with
// its customer managed key, with the completion report, planned and
// proved: the job completes with every planned permission, the copies
// byte-exact and the report in place; without any one permission, or
// without the trust policy, it fails with the call denied in the audit
// log.
func TestBatchCopyProof(t *testing.T) {
	m, w := batchWorld(t)
	p, err := plan.BatchCopy(batchJob, plan.ContextFromWorld(w, batchJob.Role))
	if err != nil {
		t.Fatal(err)
	}
	proof, err := prove.BatchCopy(context.Background(), p, m, prove.BatchOptions{Objects: 250})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	proof.Write(&out)
	if !proof.Baseline.OK() {
		t.Fatalf("the job with every planned permission: %s\n%s", proof.Baseline.Problem, out.String())
	}
	if !strings.Contains(proof.Baseline.Output, "1000 tasks, 1000 succeeded") || !strings.Contains(proof.Baseline.Output, "completion report reports/job-") {
		t.Errorf("the baseline did not copy 1,000 objects with a report:\n%s", proof.Baseline.Output)
	}
	if len(proof.Checks) != len(p.Needs)+1 {
		t.Fatalf("%d checks for %d permissions and the trust policy", len(proof.Checks), len(p.Needs))
	}
	for _, c := range proof.Checks {
		if !c.Necessary || len(c.NewDenials) == 0 {
			t.Errorf("without %s on %s: necessary %v, denials %v; want the job to fail with a denial", c.Need.Action, c.Need.Resource, c.Necessary, c.NewDenials)
		}
	}
	if !strings.Contains(out.String(), "verdict: sufficient, and 9 of 9 permissions necessary") {
		t.Errorf("proof:\n%s", out.String())
	}
}

// TestBatchCopyProofCatchesExtra: a plan with a permission the job does
// not need is not proved tight.
func TestBatchCopyProofCatchesExtra(t *testing.T) {
	m, w := batchWorld(t)
	p, err := plan.BatchCopy(batchJob, plan.ContextFromWorld(w, batchJob.Role))
	if err != nil {
		t.Fatal(err)
	}
	extra := p.WithNeed(plan.Need{Action: "s3:GetObjectAcl", Resource: "arn:aws:s3:::batch-src/*", Account: "111111111111"})
	proof, err := prove.BatchCopy(context.Background(), extra, m, prove.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !proof.Baseline.OK() {
		t.Fatalf("baseline: %s", proof.Baseline.Problem)
	}
	un := proof.Unnecessary()
	if len(un) != 1 || un[0].Need.Action != "s3:GetObjectAcl" {
		t.Errorf("unnecessary: %+v; want s3:GetObjectAcl only", un)
	}
}

// TestBatchCopyProofVersioned proves a job whose manifest names object
// versions and whose manifest object is named by its version: the plan
// reads both with s3:GetObjectVersion and no s3:GetObject; the proof
// versions the source and manifest buckets, writes each test object
// between an older and a newer version, and a newer version over the
// manifest, and the job must copy the named versions byte for byte; each
// permission is necessary.
func TestBatchCopyProofVersioned(t *testing.T) {
	m, w := batchWorld(t)
	job := batchJob
	job.VersionedManifest, job.ManifestVersion = true, true
	p, err := plan.BatchCopy(job, plan.ContextFromWorld(w, job.Role))
	if err != nil {
		t.Fatal(err)
	}
	var versionReads int
	for _, n := range p.Needs {
		switch n.Action {
		case "s3:GetObject":
			t.Errorf("the plan reads %s with s3:GetObject; a named version takes s3:GetObjectVersion", n.Resource)
		case "s3:GetObjectVersion":
			versionReads++
		}
	}
	if versionReads != 2 || !strings.Contains(string(p.Policies.Identity.JSON()), "s3:GetObjectVersionTagging") {
		t.Errorf("%d s3:GetObjectVersion permissions; want 2 (the manifest, the sources), and s3:GetObjectVersionTagging", versionReads)
	}
	proof, err := prove.BatchCopy(context.Background(), p, m, prove.BatchOptions{Objects: 2})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	proof.Write(&out)
	if !proof.Baseline.OK() {
		t.Fatalf("the job with every planned permission: %s\n%s", proof.Baseline.Problem, out.String())
	}
	if !strings.Contains(proof.Baseline.Output, "8 tasks, 8 succeeded") {
		t.Errorf("the baseline did not copy 8 versions:\n%s", proof.Baseline.Output)
	}
	for _, c := range proof.Checks {
		if !c.Necessary || len(c.NewDenials) == 0 {
			t.Errorf("without %s on %s: necessary %v, denials %v; want the job to fail with a denial", c.Need.Action, c.Need.Resource, c.Necessary, c.NewDenials)
		}
	}
}

// TestBatchCopyProofNewTags proves a job with NewObjectTagging: the
// copies get the job's tags instead of their sources', which takes
// s3:PutObjectTagging on the destination and no s3:GetObjectTagging; with
// an empty tag set, neither.
func TestBatchCopyProofNewTags(t *testing.T) {
	m, w := batchWorld(t)
	for _, tt := range []struct {
		tags string
		want []string
	}{
		{"project=lockstep&stage=proof%20run", []string{"s3:PutObjectTagging"}},
		{"", nil},
	} {
		job := batchJob
		job.ReplaceTags, job.NewObjectTagging = true, tt.tags
		p, err := plan.BatchCopy(job, plan.ContextFromWorld(w, job.Role))
		if err != nil {
			t.Fatal(err)
		}
		var tagActions []string
		for _, n := range p.Needs {
			if strings.Contains(n.Action, "Tagging") {
				tagActions = append(tagActions, n.Action)
			}
		}
		if strings.Join(tagActions, " ") != strings.Join(tt.want, " ") {
			t.Errorf("NewObjectTagging %q: tag permissions %v; want %v", tt.tags, tagActions, tt.want)
		}
		proof, err := prove.BatchCopy(context.Background(), p, m, prove.BatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		proof.Write(&out)
		if !proof.Baseline.OK() {
			t.Fatalf("NewObjectTagging %q, the job with every planned permission: %s\n%s", tt.tags, proof.Baseline.Problem, out.String())
		}
		if un := proof.Unnecessary(); len(un) > 0 {
			t.Errorf("NewObjectTagging %q: unnecessary %+v", tt.tags, un)
		}
	}
}
