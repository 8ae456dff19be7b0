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
