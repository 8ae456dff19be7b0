package arn

import "strings"

// The ARNs of the resources lockstep names by ARN in requests and flags
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html;
// S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html,
// "arn:aws:s3:::bucket_name" and "arn:aws:s3:::bucket_name/key_name";
// IAM: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html,
// "arn:aws:iam::account:role/role-name-with-path"; KMS:
// https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN,
// "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab").

// service splits s into its fields when it is an ARN of service in a
// partition of AWS (aws, aws-cn, aws-us-gov, ...).
func service(s, svc string) ([]string, bool) {
	f, ok := fields(s)
	if !ok || f[2] != svc || (f[1] != "aws" && !strings.HasPrefix(f[1], "aws-")) {
		return nil, false
	}
	return f, true
}

// Role returns the account and the name (with its path) of an IAM role
// ARN, arn:aws:iam::ACCOUNT:role/[PATH/]NAME: no region, a 12-digit
// account, and a name of at most 64 characters of letters, digits and
// +=,.@_- (IAM's rule for role names; the path adds / separators).
func Role(s string) (account, name string, ok bool) {
	f, ok := service(s, "iam")
	if !ok || f[3] != "" || !IsAccountID(f[4]) {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(f[5], "role/")
	if !ok || len(rest) > 512 {
		return "", "", false
	}
	base := rest[strings.LastIndex(rest, "/")+1:]
	if base == "" || len(base) > 64 || !isIAMName(rest) {
		return "", "", false
	}
	return f[4], rest, true
}

func isIAMName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-/", c) >= 0) {
			return false
		}
	}
	return true
}

// S3Bucket returns the bucket of an S3 bucket ARN, arn:aws:s3:::BUCKET.
func S3Bucket(s string) (bucket string, ok bool) {
	f, ok := service(s, "s3")
	if !ok || f[3] != "" || f[4] != "" || !IsBucketName(f[5]) {
		return "", false
	}
	return f[5], true
}

// S3Object returns the bucket and key of an S3 object ARN,
// arn:aws:s3:::BUCKET/KEY (the key as written, not decoded).
func S3Object(s string) (bucket, key string, ok bool) {
	f, ok := service(s, "s3")
	if !ok || f[3] != "" || f[4] != "" {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(f[5], "/")
	if !ok || key == "" || !IsBucketName(bucket) {
		return "", "", false
	}
	return bucket, key, true
}

// IsBucketName reports whether s follows S3's rules for general purpose
// bucket names
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
// 3 to 63 lowercase letters, digits, dots and hyphens, beginning and
// ending with a letter or digit, no two adjacent periods nor a period next
// to a hyphen, not formatted as an IP address, none of the reserved
// prefixes and suffixes (xn--, sthree-, -s3alias).
func IsBucketName(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && ((c != '.' && c != '-') || i == 0 || i == len(s)-1) {
			return false
		}
	}
	for _, bad := range []string{"..", ".-", "-."} {
		if strings.Contains(s, bad) {
			return false
		}
	}
	if strings.HasPrefix(s, "xn--") || strings.HasPrefix(s, "sthree-") || strings.HasSuffix(s, "-s3alias") {
		return false
	}
	return !isIPv4(s)
}

// isIPv4 reports whether s is formatted as an IPv4 address: four groups
// of digits separated by periods.
func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// IsKMSKeyARN reports whether s is a KMS key ARN,
// arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (an alias ARN is not).
func IsKMSKeyARN(s string) bool {
	f, ok := service(s, "kms")
	if !ok || f[3] == "" || !IsAccountID(f[4]) {
		return false
	}
	id, ok := strings.CutPrefix(f[5], "key/")
	return ok && id != "" && !strings.ContainsAny(id, "/:")
}

// IsKMSAliasARN reports whether s is a KMS alias ARN,
// arn:aws:kms:REGION:ACCOUNT:alias/NAME.
func IsKMSAliasARN(s string) bool {
	f, ok := service(s, "kms")
	if !ok || f[3] == "" || !IsAccountID(f[4]) {
		return false
	}
	name, ok := strings.CutPrefix(f[5], "alias/")
	return ok && name != ""
}
