package prove

import (
	"reflect"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
)

// The judgements of a proof from the calls the audit log shows, without a
// client: what is unplanned, denied, or not exercised.
func TestObservedCalls(t *testing.T) {
	const mib = 1 << 20
	p := &plan.Plan{
		Calls: []plan.Call{
			{Operation: "ListObjectsV2", Bucket: "dst"},
			{Operation: "PutObject", Bucket: "dst", Key: "p/*", Size: "small", Threshold: 8 * mib},
			{Operation: "CreateMultipartUpload", Bucket: "dst", Key: "p/*", Size: "large", Threshold: 8 * mib},
			{Operation: "HeadObject", Bucket: "dst", Key: "p", Optional: true},
		},
		Needs: []plan.Need{{Action: "kms:GenerateDataKey", Resource: "arn:aws:kms:us-east-1:1:key/k", Via: "s3"}},
	}
	list := Call{Operation: "ListObjectsV2", Bucket: "dst", Size: -1}
	small := Call{Operation: "PutObject", Bucket: "dst", Key: "p/a", Size: 1024}
	large := Call{Operation: "CreateMultipartUpload", Bucket: "dst", Key: "p/b", Size: 8 * mib}
	kms := Call{Operation: "kms:GenerateDataKey", ByS3: true, Size: -1}
	headDenied := Call{Operation: "HeadObject", Bucket: "dst", Key: "p", Denied: true, Size: -1}
	sizes := []int64{1024, 8 * mib}

	tests := []struct {
		name                       string
		calls                      []Call
		unplannedDenied, unplanned []string
		unexercised                []string
	}{
		{name: "every path taken", calls: []Call{list, headDenied, small, large, kms}},
		{name: "a denied call the plan does not allow", calls: []Call{list, headDenied, small, large, kms, {Operation: "GetObjectTagging", Bucket: "src", Key: "k", Denied: true, Size: -1}},
			unplannedDenied: []string{"GetObjectTagging s3://src/k"}, unplanned: []string{"GetObjectTagging s3://src/k"}},
		{name: "a multipart upload of an object the plan puts in one request", calls: []Call{list, headDenied, small, large, kms, {Operation: "CreateMultipartUpload", Bucket: "dst", Key: "p/c", Size: 8*mib - 1}},
			unplanned: []string{"CreateMultipartUpload s3://dst/p/c (8388607 bytes)"}},
		{name: "the large path never taken", calls: []Call{list, headDenied, small, kms},
			unexercised: []string{"call 3 CreateMultipartUpload s3://dst ()"}},
		{name: "S3 never called KMS", calls: []Call{list, headDenied, small, large},
			unexercised: []string{"kms:GenerateDataKey by S3 on arn:aws:kms:us-east-1:1:key/k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unplannedDenials(p, tt.calls); !reflect.DeepEqual(got, tt.unplannedDenied) {
				t.Errorf("unplannedDenials = %q, want %q", got, tt.unplannedDenied)
			}
			if got := unplannedCalls(p, tt.calls); !reflect.DeepEqual(got, tt.unplanned) {
				t.Errorf("unplannedCalls = %q, want %q", got, tt.unplanned)
			}
			if got := unexercised(p, tt.calls, sizes, nil); !reflect.DeepEqual(got, tt.unexercised) {
				t.Errorf("unexercised = %q, want %q", got, tt.unexercised)
			}
		})
	}

	// A call planned for every size but made only for large objects.
	any := &plan.Plan{Calls: []plan.Call{{Operation: "HeadObject", Bucket: "src", Key: "p/*", Threshold: 8 * mib, When: "always"}}}
	got := unexercised(any, []Call{{Operation: "HeadObject", Bucket: "src", Key: "p/b", Size: 8 * mib}}, sizes, nil)
	if want := []string{"call 1 HeadObject s3://src (always) for a small object"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unexercised = %q, want %q", got, want)
	}

	// Denials a run without a permission adds to the baseline's.
	if got := newDenials([]Call{headDenied}, []Call{headDenied, {Operation: "GetObject", Bucket: "src", Key: "k", Denied: true, Size: -1}}); !reflect.DeepEqual(got, []string{"GetObject s3://src/k"}) {
		t.Errorf("newDenials = %q", got)
	}
}

// TestSignedCalls: with two credential sets, an observed call is the
// planned call only when the planned principal signed it (a role runs
// as a session of it), and an optional call made anyway by a required
// one is not shown made.
func TestSignedCalls(t *testing.T) {
	const (
		reader = "arn:aws:iam::111111111111:role/ops/reader"
		writer = "arn:aws:sts::222222222222:assumed-role/writer/job"
	)
	p := &plan.Plan{
		Command: &plan.Command{Creds: plan.Credentials{TwoSets: true}},
		Context: plan.Context{Principal: writer, SourcePrincipal: reader},
		Calls: []plan.Call{
			{Operation: "GetObject", Bucket: "src", Key: "p/*", Signer: "destination", Optional: true, Once: true},
			{Operation: "GetObject", Bucket: "src", Key: "p/*", Signer: "source"},
		},
	}
	calls := []Call{
		{Operation: "GetObject", Bucket: "src", Key: "p/a", Size: -1, Caller: "arn:aws:sts::111111111111:assumed-role/reader/lockstep-proof"},
		{Operation: "GetObject", Bucket: "src", Key: "p/a", Size: -1, Caller: writer},
		{Operation: "GetObject", Bucket: "src", Key: "p/a", Size: -1, Caller: "arn:aws:iam::333333333333:user/other"},
	}
	signedBy(calls, p)
	var signers []string
	for _, c := range calls {
		signers = append(signers, c.Signer)
	}
	if want := []string{"source", "destination", ""}; !reflect.DeepEqual(signers, want) {
		t.Errorf("signers %q, want %q", signers, want)
	}
	if got := unplannedCalls(p, calls); len(got) != 1 || got[0] != "GetObject s3://src/p/a" {
		t.Errorf("unplanned %q, want the call of the third principal", got)
	}
	// Without the destination's denied probe, the optional call is not
	// shown made by the source's read.
	if got := unexercised(p, calls[:1], nil, nil); len(got) != 1 {
		t.Errorf("not exercised %q, want the probe", got)
	}
	if got := unexercised(p, []Call{calls[0], {Operation: "GetObject", Bucket: "src", Key: "p/a", Size: -1, Signer: "destination", Denied: true}}, nil, nil); len(got) != 0 {
		t.Errorf("not exercised %q, want none", got)
	}
}
