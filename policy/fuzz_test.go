package policy

import (
	"testing"
)

// FuzzParse checks that no document, however broken, makes Parse panic,
// and that a parsed policy can be evaluated. The seed corpus (f.Add and
// testdata/fuzz/FuzzParse) runs in every `go test`.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
		`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"111111111111"},"NotAction":"s3:*","NotResource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username, 'x'}/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"NumericLessThan":{"s3:max-keys":10},"Null":{"s3:prefix":"true"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${"}]}`,
		`{"Statement":`,
		`[]`,
		`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b","Effect":"Deny"}]}`,
	} {
		f.Add([]byte(s))
	}
	ctx := NewContext()
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:TagKeys", "a", "b")
	ctx.Set("aws:SourceIp", "10.1.2.3")
	ctx.Set("aws:CurrentTime", "2026-11-22T12:00:00Z")
	ctx.Set("s3:max-keys", "5")
	pr := &Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice"}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range []Type{Identity, Resource, Trust} {
			p, err := Parse(data, typ)
			if err != nil {
				if _, ok := err.(ErrorList); !ok {
					t.Fatalf("error of type %T, want ErrorList", err)
				}
				continue
			}
			r := &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/k", Context: ctx}
			for _, st := range p.Statements {
				st.MatchPrincipal(pr)
				st.Check(r)
			}
		}
	})
}
