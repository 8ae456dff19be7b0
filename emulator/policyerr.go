package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lockstep-dev/lockstep/policy"
)

// malformedPolicyCodes are the error codes each service answers a policy
// document it refuses with, all with HTTP 400.
var malformedPolicyCodes = map[string]string{
	"s3":  "MalformedPolicy",
	"kms": "MalformedPolicyDocumentException",
	"iam": "MalformedPolicyDocument",
	"sts": "MalformedPolicyDocument",
}

// awsPolicyMessages are the messages each service answers when a policy
// fails one of the validations AWS performs (docs/authorization.md §1.10):
//
//   - S3 PutBucketPolicy: "Invalid principal in policy" (an IAM group, or
//     any principal S3 cannot resolve) and "Policy has invalid resource"
//     (a resource outside the bucket);
//   - KMS CreateKey and PutKeyPolicy: "Policy contains a statement with
//     one or more invalid principals.";
//   - IAM: `Invalid principal in policy: "AWS":"ARN"`, "Statement IDs (SID)
//     in a single policy must be unique." and "Statement IDs (SID) must be
//     alpha-numeric. Check that your input satisfies the regular
//     expression [0-9A-Za-z]*".
//
// A check a service has no entry for is answered with lockstep's own
// message (KMS's text for repeated Sids, and STS's for session policies,
// were not found).
var awsPolicyMessages = map[string]map[policy.Check]func(e *policy.Error) string{
	"s3": {
		policy.CheckPrincipal:      constant("Invalid principal in policy"),
		policy.CheckBucketResource: constant("Policy has invalid resource"),
	},
	"kms": {
		policy.CheckPrincipal: constant("Policy contains a statement with one or more invalid principals."),
	},
	"iam": {
		policy.CheckPrincipal: func(e *policy.Error) string { return "Invalid principal in policy: " + e.Value },
		policy.CheckSidUnique: constant("Statement IDs (SID) in a single policy must be unique."),
		policy.CheckSidChars:  constant("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"),
	},
}

func constant(s string) func(*policy.Error) string {
	return func(*policy.Error) string { return s }
}

// errMalformedPolicy is the error service answers for the policy document
// src that failed to parse or validate with err. A failed AWS validation
// gets the service's own message; lockstep's other checks get every
// problem with its line and column (S3: the first problem).
func errMalformedPolicy(service string, src []byte, err error) *apiError {
	code := malformedPolicyCodes[service]
	var list policy.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return errorf(http.StatusBadRequest, code, "%v", err)
	}
	if check, first := list.Check(); check != policy.CheckNone {
		if msg := awsPolicyMessages[service][check]; msg != nil {
			return errorf(http.StatusBadRequest, code, "%s", msg(first))
		}
	}
	if service == "s3" {
		return errorf(http.StatusBadRequest, code, "%s", list[0].Error())
	}
	msgs := make([]string, len(list))
	for i, e := range list {
		line, col := policy.LineCol(src, e.Offset)
		msgs[i] = fmt.Sprintf("%s (line %d, column %d)", e.Error(), line, col)
	}
	return errorf(http.StatusBadRequest, code, "%s", strings.Join(msgs, "; "))
}
