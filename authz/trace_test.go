package authz

import (
	"reflect"
	"testing"

	"github.com/lockstep-dev/lockstep/policy"
)

// The trace names the condition that kept an Allow statement from
// applying, with what the request had for its key.
func TestTraceFailedCondition(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"ListHome","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"home/*"}}}]}`
	p, err := policy.Parse([]byte(doc), policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	p.Name = "home-only"
	pr := &Principal{Principal: policy.Principal{ARN: "arn:aws:iam::111111111111:user/u", Account: "111111111111"}, Kind: User, UserName: "u", Identity: []*policy.Policy{p}}
	res := &Resource{ARN: "arn:aws:s3:::b", Account: "111111111111", Kind: ResourceS3}
	tests := []struct {
		name   string
		prefix []string
		want   FailedCondition
		text   string
	}{
		{"absent", nil, FailedCondition{Operator: "StringLike", Key: "s3:prefix"}, "StringLike s3:prefix: s3:prefix absent"},
		{"other value", []string{"etc/"}, FailedCondition{Operator: "StringLike", Key: "s3:prefix", Values: []string{"etc/"}, Present: true}, `StringLike s3:prefix: s3:prefix is "etc/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := NewContext(pr, "s3:ListBucket", res, Env{})
			if tt.prefix != nil {
				ctx.Set("s3:prefix", tt.prefix...)
			}
			d, tr := Explain(&Request{Principal: pr, Action: "s3:ListBucket", Resource: res, Context: ctx})
			if d.Allowed() {
				t.Fatal("allowed")
			}
			var got *FailedCondition
			for _, st := range tr.Steps {
				if st.Failed != nil && st.Statement == `Sid "ListHome"` && st.Policy == "home-only" {
					got = st.Failed
				}
			}
			if got == nil || !reflect.DeepEqual(*got, tt.want) || got.String() != tt.text {
				t.Errorf("failed condition %+v (%v), want %+v (%s)\n%s", got, got, tt.want, tt.text, tr)
			}
		})
	}
}
