package plan

import "testing"

// TestStatementSids: a statement's Sid names every resource it grants
// (review L11: a Sid named after the first resource only misled), and
// statements on the same resources differ by their first action, not by
// a trailing X.
func TestStatementSids(t *testing.T) {
	needs := []Need{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::cp-dst/batch/manifest.csv"},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::cp-src/*"},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::cp-dst/*"},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::cp-dst/*", Conditions: map[string]map[string][]string{"StringEquals": {"s3:x-amz-acl": {"bucket-owner-full-control"}}}},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::cp-src"},
		{Action: "kms:GenerateDataKey", Resource: "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab", Conditions: map[string]map[string][]string{"StringEquals": {"kms:ViaService": {"s3.us-east-1.amazonaws.com"}}}},
	}
	var got []string
	for _, st := range documentOf(needs, "").Statement {
		got = append(got, st.Sid)
	}
	want := []string{"ObjectsCpDstBatchCpSrc", "ObjectsCpDstPutObject", "ObjectsCpDstPutObject2", "BucketCpSrc", "Key1234abcdGenerateDataKey", "Key1234abcdDecrypt"}
	if len(got) != len(want) {
		t.Fatalf("Sids %q; want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Sids %q; want %q", got, want)
			break
		}
	}
}
