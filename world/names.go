package world

import (
	"regexp"
	"strings"
)

// The forms of names the world checks.
var (
	bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	iamNameRE    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	keyIDRE      = regexp.MustCompile(`^(mrk-)?[0-9a-fA-F-]{1,64}$`)
	regionRE     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
)

// ValidIAMName reports whether a name follows IAM's rules for user and
// role names: 1 to 64 letters, digits and +=,.@_- (IAM API reference
// CreateRole, RoleName).
func ValidIAMName(name string) bool { return iamNameRE.MatchString(name) }

// ValidRegion reports whether a name has the form of an AWS Region name,
// such as us-east-1 or ap-southeast-2.
func ValidRegion(name string) bool { return regionRE.MatchString(name) }

// ipAddressRE matches names formatted as IPv4 addresses.
var ipAddressRE = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)

// ValidBucketName reports whether a name follows S3's rules for general
// purpose buckets: 3 to 63 lower-case letters, digits, dots and hyphens,
// starting and ending with a letter or digit, no ".." ".-" "-.", not an IP
// address, none of the reserved prefixes and suffixes (xn--, sthree-,
// -s3alias).
func ValidBucketName(name string) bool {
	if !bucketNameRE.MatchString(name) || strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return false
	}
	if strings.HasPrefix(name, "xn--") || strings.HasSuffix(name, "-s3alias") || strings.HasPrefix(name, "sthree-") {
		return false
	}
	return !ipAddressRE.MatchString(name)
}
