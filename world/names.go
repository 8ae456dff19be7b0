package world

import (
	"regexp"

	"github.com/lockstep-dev/lockstep/internal/arn"
)

// The forms of names the world checks.
var (
	iamNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	keyIDRE   = regexp.MustCompile(`^(mrk-)?[0-9a-fA-F-]{1,64}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
)

// ValidIAMName reports whether a name follows IAM's rules for user and
// role names: 1 to 64 letters, digits and +=,.@_- (IAM API reference
// CreateRole, RoleName).
func ValidIAMName(name string) bool { return iamNameRE.MatchString(name) }

// ValidRegion reports whether a name has the form of an AWS Region name,
// such as us-east-1 or ap-southeast-2.
func ValidRegion(name string) bool { return regionRE.MatchString(name) }

// ValidBucketName reports whether a name follows S3's rules for general
// purpose buckets (internal/arn.IsBucketName: the one home of the rule).
func ValidBucketName(name string) bool { return arn.IsBucketName(name) }
