package arn

import "testing"

func TestFields(t *testing.T) {
	for _, tt := range []struct{ in, account, region string }{
		{"arn:aws:kms:us-east-1:222222222222:key/k", "222222222222", "us-east-1"},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", "aws", ""},
		{"arn:aws:s3:::bucket/a:b", "", ""},
		{"arn:aws:sts::111111111111:assumed-role/r/s", "111111111111", ""},
		{"bucket", "", ""},
		{"x:aws:kms:us-east-1:222222222222:key/k", "", ""},
	} {
		if a, r := Account(tt.in), Region(tt.in); a != tt.account || r != tt.region {
			t.Errorf("%s: account %q region %q, want %q %q", tt.in, a, r, tt.account, tt.region)
		}
	}
	for s, want := range map[string]bool{"111111111111": true, "11111111111": false, "11111111111a": false, "": false} {
		if IsAccountID(s) != want {
			t.Errorf("IsAccountID(%q) != %v", s, want)
		}
	}
}
