package ssearg

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tt := range []struct{ in, want []string }{
		{[]string{"sync", "a", "s3://b", "--sse", "aws:kms"}, []string{"sync", "a", "s3://b", "--sse=aws:kms"}},
		{[]string{"sync", "--sse", "a", "s3://b"}, []string{"sync", "--sse", "a", "s3://b"}},
		{[]string{"cp", "--sse", "AES256", "x", "s3://b/x"}, []string{"cp", "--sse=AES256", "x", "s3://b/x"}},
		{[]string{"sync", "--sse=aws:kms:dsse", "a", "s3://b"}, []string{"sync", "--sse=aws:kms:dsse", "a", "s3://b"}},
		{[]string{"plan", "--", "aws", "s3", "cp", "--sse", "aws:kms"}, []string{"plan", "--", "aws", "s3", "cp", "--sse", "aws:kms"}},
	} {
		if got := Normalize(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
