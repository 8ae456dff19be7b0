package lint

import (
	"strings"
	"testing"
)

func codes(fs []Finding) string {
	var c []string
	for _, f := range fs {
		c = append(c, f.Code)
	}
	return strings.Join(c, ",")
}

// Each check fires on its mistake and stays quiet on the corrected policy.
func TestChecks(t *testing.T) {
	tests := []struct {
		name, doc, want string // want: a code, or "" for no finding
	}{
		{"seed 000 GetObject on the bucket ARN", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::kazue-sync-source"}]}`, "object-action-on-bucket-arn"},
		{"GetObject on bucket/*", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::kazue-sync-source/*"}]}`, ""},
		{"ListBucket on bucket/*", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}]}`, "bucket-action-on-object-arn"},
		{"both ARNs", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`, ""},
		{"operation name as action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListObjectsV2","Resource":"arn:aws:s3:::b"}]}`, "unknown-action"},
		{"unknown service is not checked", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Whatever","Resource":"*"}]}`, ""},
		{"wildcard matching nothing", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Frobnicate*","Resource":"*"}]}`, "unknown-action"},
		{"prefix on GetObject", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"s3:prefix":"a/*"}}}]}`, "key-not-set-by-action"},
		{"prefix on ListBucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"a/*"}}}]}`, ""},
		{"operator spelling", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"stringlike":{"s3:prefix":"a/*"}}}]}`, "operator-spelling"},
		{"forall with allow", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}}]}`, "forallvalues-with-allow"},
		{"set operator on single-valued key", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"ForAnyValue:StringLike":{"s3:prefix":"a/*"}}}]}`, "set-operator-on-single-valued-key"},
		{"notprincipal allow", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, "notprincipal-with-allow"},
		{"duplicate sid", `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`, "duplicate-sid"},
		{"no version", `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, "missing-version"},
		{"variables without version", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}}]}`, "variables-without-version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codes(Source("p.json", []byte(tt.doc), nil))
			if tt.want == "" && got != "" {
				t.Errorf("findings %s, want none", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("findings %q, want %s", got, tt.want)
			}
		})
	}
}

func TestParseErrorsAreFindings(t *testing.T) {
	src := "{\"Version\":\"2012-10-17\",\"Statement\":[\n{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},\n{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"s3:prefix\":{\"a\":1}}}}]}"
	fs := Source("p.json", []byte(src), nil)
	if len(fs) != 1 || fs[0].Severity != Error || fs[0].Line != 3 {
		t.Fatalf("findings = %v, want one error on line 3", fs)
	}
	want := "p.json:3:"
	if s := fs[0].String(); !strings.HasPrefix(s, want) || !strings.Contains(s, "Statement[1].Condition.StringLike: value must be a string or list of strings") {
		t.Errorf("finding = %q", s)
	}
}
