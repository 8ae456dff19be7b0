// Package arn reads Amazon Resource Names, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
// the one place lockstep takes one apart by its fields.
package arn

import "strings"

// fields splits s into its six fields; ok is false when s is no ARN.
func fields(s string) (f []string, ok bool) {
	f = strings.SplitN(s, ":", 6)
	return f, len(f) == 6 && f[0] == "arn"
}

// Account is the account field of an ARN ("aws" for AWS managed IAM
// policies, "" for S3 bucket and object ARNs), "" when s is no ARN.
func Account(s string) string {
	if f, ok := fields(s); ok {
		return f[4]
	}
	return ""
}

// Region is the region field of an ARN, "" when s is no ARN.
func Region(s string) string {
	if f, ok := fields(s); ok {
		return f[3]
	}
	return ""
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
