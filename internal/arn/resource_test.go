package arn

import (
	"strings"
	"testing"
)

func TestRole(t *testing.T) {
	for _, tt := range []struct {
		in, account, name string
		ok                bool
	}{
		{"arn:aws:iam::111111111111:role/BatchCopy", "111111111111", "BatchCopy", true},
		{"arn:aws:iam::111111111111:role/service/Copy+Job=1,a.b@c_d-e", "111111111111", "service/Copy+Job=1,a.b@c_d-e", true},
		{"arn:aws-cn:iam::111111111111:role/R", "111111111111", "R", true},
		{"arn:aws:iam::1111:role/x", "", "", false},
		{"arn:aws:iam::111111111111:user/u", "", "", false},
		{"arn:aws:iam::111111111111:role/", "", "", false},
		{"arn:aws:iam::111111111111:role/path/", "", "", false},
		{"arn:aws:iam:us-east-1:111111111111:role/R", "", "", false},
		{"arn:aws:sts::111111111111:role/R", "", "", false},
		{"arn:aws:iam::111111111111:role/bad name", "", "", false},
		{"arn:aws:iam::111111111111:role/" + strings.Repeat("a", 65), "", "", false},
		{"arn:foo:iam::111111111111:role/R", "", "", false},
		{"BatchCopy", "", "", false},
	} {
		a, n, ok := Role(tt.in)
		if a != tt.account || n != tt.name || ok != tt.ok {
			t.Errorf("Role(%q) = %q, %q, %v; want %q, %q, %v", tt.in, a, n, ok, tt.account, tt.name, tt.ok)
		}
	}
}

func TestS3ARNs(t *testing.T) {
	for _, tt := range []struct {
		in, bucket, key string
		bucketOK, objOK bool
	}{
		{"arn:aws:s3:::batch-dst", "batch-dst", "", true, false},
		{"arn:aws:s3:::batch-dst/a/b:c.csv", "batch-dst", "a/b:c.csv", false, true},
		{"arn:aws:s3:::batch-dst/", "", "", false, false},
		{"arn:aws:s3:::Batch", "", "", false, false},
		{"arn:aws:s3:::ab", "", "", false, false},
		{"arn:aws:s3:::-ab", "", "", false, false},
		{"arn:aws:s3:us-east-1::bucket", "", "", false, false},
		{"arn:aws:s3::111111111111:bucket", "", "", false, false},
		{"s3://bucket/key", "", "", false, false},
	} {
		b, ok := S3Bucket(tt.in)
		if ok != tt.bucketOK || (ok && b != tt.bucket) {
			t.Errorf("S3Bucket(%q) = %q, %v", tt.in, b, ok)
		}
		b, k, ok := S3Object(tt.in)
		if ok != tt.objOK || (ok && (b != tt.bucket || k != tt.key)) {
			t.Errorf("S3Object(%q) = %q, %q, %v", tt.in, b, k, ok)
		}
	}
}

func TestIsKMSKeyARN(t *testing.T) {
	for s, want := range map[string]bool{
		"arn:aws:kms:us-east-1:222222222222:key/22222222-2222-4222-8222-222222222222": true,
		"arn:aws:kms:us-east-1:222222222222:alias/batch":                              false,
		"arn:aws:kms::222222222222:key/k":                                             false,
		"arn:aws:kms:us-east-1:2222:key/k":                                            false,
		"arn:aws:kms:us-east-1:22222222222a:key/k":                                    false,
		"arn:aws:kms:us-east-1:222222222222:key/":                                     false,
		"arn:aws:s3:us-east-1:222222222222:key/k":                                     false,
		"notakey": false,
	} {
		if IsKMSKeyARN(s) != want {
			t.Errorf("IsKMSKeyARN(%q) != %v", s, want)
		}
	}
}

// TestIsBucketName: S3's naming rules for general purpose buckets, the
// one home of them (world.ValidBucketName and the ARN parsers call it).
func TestIsBucketName(t *testing.T) {
	for name, want := range map[string]bool{
		"my-bucket": true, "my.bucket.1": true, "abc": true, "ab": false, "ABC": false,
		"-abc": false, "abc-": false, "a..b": false, "a.-b": false, "a-.b": false,
		"192.168.5.4": false, "1.2.3": true, "xn--abc": false, "sthree-abc": false, "abc-s3alias": false,
		"a_b": false,
	} {
		if got := IsBucketName(name); got != want {
			t.Errorf("IsBucketName(%q) = %v, want %v", name, got, want)
		}
	}
	if !IsKMSAliasARN("arn:aws:kms:us-east-1:111111111111:alias/cp-dst") || IsKMSAliasARN("arn:aws:kms:us-east-1:111111111111:key/k") {
		t.Error("IsKMSAliasARN does not tell an alias ARN from a key ARN")
	}
}
