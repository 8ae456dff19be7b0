package plan

import (
	"slices"
	"strings"
	"testing"
)

// TestSourceKeyInPlace: a copy reads its source with the key the source
// object is under, the bucket default, and writes with the key the
// command names, also when both are the same bucket (re-encryption in
// place, issue 9).
func TestSourceKeyInPlace(t *testing.T) {
	const k1 = "arn:aws:kms:us-east-1:222222222222:key/11111111-1111-4111-8111-111111111111"
	const k2 = "arn:aws:kms:us-east-1:222222222222:key/22222222-2222-4222-8222-222222222222"
	ctx := Context{Principal: "arn:aws:iam::222222222222:user/alice", BucketKMSKey: map[string]string{"b": k1, "c": k1}}
	for _, tc := range []struct {
		args string
		want []string // action, key and encryption context of each KMS need
	}{
		{"aws s3 cp s3://b/k s3://b/k --sse aws:kms --sse-kms-key-id " + k2,
			[]string{"kms:Decrypt " + k1 + " b/k", "kms:GenerateDataKey " + k2 + " b/k", "kms:Decrypt " + k2 + " b/k"}},
		{"aws s3 cp s3://b/k s3://c/k",
			[]string{"kms:Decrypt " + k1 + " b/k", "kms:GenerateDataKey " + k1 + " c/k", "kms:Decrypt " + k1 + " c/k"}},
		{"aws s3 cp s3://b/k ./k",
			[]string{"kms:Decrypt " + k1 + " b/k"}},
	} {
		cmd, err := ParseCommand(splitArgs(tc.args), AWSv1)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Build(cmd, ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range p.Needs {
			if n.Via == "s3" {
				arn := n.Conditions["StringLike"]["kms:EncryptionContext:aws:s3:arn"][0]
				got = append(got, n.Action+" "+n.Resource+" "+strings.TrimPrefix(arn, "arn:aws:s3:::"))
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: KMS needs\n%q, want\n%q", tc.args, got, tc.want)
		}
	}
}
