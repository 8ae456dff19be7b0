package policy

import "testing"

func stmt(t *testing.T, body string) *Statement {
	t.Helper()
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[`+body+`]}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	return p.Statements[0]
}

// Action matching, docs/authorization.md §1.5 "Action / NotAction": case-insensitive, * and ?.
func TestMatchAction(t *testing.T) {
	tests := []struct {
		action, pattern string
		want            bool
	}{
		{"s3:GetObject", "s3:GetObject", true},
		{"s3:GetObject", "S3:getobject", true},
		{"s3:GetObject", "s3:Get*", true},
		{"s3:GetObjectVersion", "s3:GetObject", false},
		{"s3:GetObject", "s3:?etObject", true},
		{"s3:GetObject", "*", true},
		{"kms:Decrypt", "s3:*", false},
		{"s3:PutObject", "s3:*Object", true},
		{"s3:PutObjectAcl", "s3:*Object", false},
	}
	for _, tt := range tests {
		s := stmt(t, `{"Effect":"Allow","Action":"`+tt.pattern+`","Resource":"*"}`)
		if got := s.MatchAction(tt.action); got != tt.want {
			t.Errorf("%s vs %s = %v, want %v", tt.action, tt.pattern, got, tt.want)
		}
	}
}

// Resource matching, docs/authorization.md §1.5 "Resource / NotResource", including the
// worked example of the IAM guide and the readings of docs/decisions.md #1 and §7.3.
func TestMatchResource(t *testing.T) {
	const ex = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*"
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{ex, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/test/object.jpg", true},
		{ex, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/2/test/3/object.jpg", true},
		{ex, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1///test///object.jpg", true},
		{ex, "arn:aws:s3:::DOC-EXAMPLE-BUCKET//test/object.jpg", true},
		{ex, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/test/", true},
		{ex, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1-test/object.jpg", false},
		{ex, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/test/object.jpg", false},
		{ex, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/2/test.jpg", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b", "arn:aws:s3:::b/k", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a:b:c", true},
		{"arn:aws:s3:::b/Key", "arn:aws:s3:::b/key", false},
		{"ARN:AWS:S3:::b/k", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:*", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3", "arn:aws:s3:::b/k", false},
		{"arn:aws:kms:*:111111111111:key/*", "arn:aws:kms:us-east-1:111111111111:key/abc", true},
		{"arn:aws:kms:*:111111111111:key/*", "arn:aws:kms:us-east-1:222222222222:key/abc", false},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/é", true},
		{"*", "arn:aws:s3:::anything", true},
	}
	for _, tt := range tests {
		s := stmt(t, `{"Effect":"Allow","Action":"s3:*","Resource":"`+tt.pattern+`"}`)
		if got := s.MatchResource(tt.arn, nil); got != tt.want {
			t.Errorf("%s vs %s = %v, want %v", tt.pattern, tt.arn, got, tt.want)
		}
	}
}

// Policy variables, docs/authorization.md §1.6: defaults, escapes, missing keys, literal
// substitution.
func TestVariables(t *testing.T) {
	ctx := NewContext()
	ctx.Set("aws:username", "a*ice")
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/a*ice/x", true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", false},
		{"arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*", "arn:aws:s3:::b/shared/x", true},
		{"arn:aws:s3:::b/${aws:PrincipalTag/team}/*", "arn:aws:s3:::b/shared/x", false},
		{"arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", true},
		{"arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", false},
		{"arn:aws:s3:::b/${$}{x}", "arn:aws:s3:::b/${x}", true},
	}
	for _, tt := range tests {
		s := stmt(t, `{"Effect":"Allow","Action":"s3:*","Resource":"`+tt.pattern+`"}`)
		if got := s.MatchResource(tt.arn, ctx); got != tt.want {
			t.Errorf("%s vs %s = %v, want %v", tt.pattern, tt.arn, got, tt.want)
		}
	}
	// Version 2008: ${...} is literal text.
	p, err := Parse([]byte(`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Statements[0].MatchResource("arn:aws:s3:::b/${aws:username}", ctx) {
		t.Error("2008 policy: ${aws:username} should be literal")
	}
}
