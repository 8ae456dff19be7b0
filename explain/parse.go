package explain

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Error is what Parse read from an error text.
type Error struct {
	// Client is who printed it: "aws-cli" (also boto3), "sdk-go", "rclone",
	// "kms" or "" when the text does not say.
	Client string `json:"client,omitempty"`
	// Operation is the API operation that failed, e.g. "UploadPartCopy";
	// empty when the text does not name it (rclone's "Forbidden").
	Operation string `json:"operation,omitempty"`
	// Code is the error code: "AccessDenied", "AccessDeniedException",
	// "NotFoundException", "403", "Forbidden".
	Code string `json:"code,omitempty"`
	// Status is the HTTP status when the text gives it or the code implies
	// it, else 0.
	Status int `json:"status,omitempty"`
	// Message is the error message after the code.
	Message string `json:"message,omitempty"`
	// Detail is AWS's detailed authorization message, nil when absent.
	Detail *Detail `json:"detail,omitempty"`
	// Bucket and Key are the target named by the text (an s3:// URI, a
	// resource ARN); SourceBucket and SourceKey the copy source.
	Bucket       string `json:"bucket,omitempty"`
	Key          string `json:"key,omitempty"`
	SourceBucket string `json:"sourceBucket,omitempty"`
	SourceKey    string `json:"sourceKey,omitempty"`
	// Step is the client step the text names when it names no operation,
	// e.g. rclone's "error reading destination root directory".
	Step string `json:"step,omitempty"`
	// Operations are the calls the step can be, when Operation is empty.
	Operations []string `json:"operations,omitempty"`
}

// Detail is the detailed message "User: ARN is not authorized to perform:
// ACTION on resource: RESOURCE because ..." (docs/authorization.md §1.7, §4.2, §3.6).
type Detail struct {
	Principal string `json:"principal"`
	Action    string `json:"action"`
	// Resource is the resource ARN; "*" when the message names none (an
	// action that takes no resource); empty in the KMS-via-S3 form "on
	// this resource because the resource does not exist in this Region,
	// no resource-based policies allow access, ..." (docs/authorization.md §3.6).
	Resource string `json:"resource,omitempty"`
	// Explicit is true for "with an explicit deny in a ... policy".
	Explicit bool `json:"explicit,omitempty"`
	// PolicyType is the policy type named: "identity-based policy",
	// "resource-based policy", "role trust policy", "permissions
	// boundary", "session policy", "service control policy", "resource
	// control policy", "VPC endpoint policy".
	PolicyType string `json:"policyType"`
	// ThisResource is true for the KMS-via-S3 form, where the key is not
	// named and the key policy is the likely cause.
	ThisResource bool `json:"thisResource,omitempty"`
}

// ErrUnrecognized is returned (wrapped) by Parse for text that holds no
// error form it understands.
var ErrUnrecognized = errors.New("no access-denied error recognized")

// Forms lists the error forms Parse understands, for messages.
const Forms = `understood forms:
  AWS CLI / boto3:  An error occurred (AccessDenied) when calling the GetObject operation: Access Denied
                    (also after "fatal error:", "download failed: s3://b/k to k", "copy failed: ...",
                    "botocore.exceptions.ClientError:"; HEAD: "An error occurred (403) ... HeadObject operation: Forbidden")
  detailed:         User: ARN is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action
  Go SDK:           operation error S3: PutObject, https response error StatusCode: 403, RequestID: ..., api error AccessDenied: Access Denied
  rclone:           Forbidden: Forbidden status code: 403 / AccessDenied: Access Denied status code: 403, request id: ...
                    (with its log line: "Failed to copy: ...", "error reading destination root directory: ...")
  KMS:              AccessDeniedException: User: ... / KMS.NotFoundException / NotFoundException`

var (
	reCLI       = regexp.MustCompile(`An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?:\s*(.*)`)
	reSDK       = regexp.MustCompile(`operation error (\w+): (\w+),`)
	reSDKAPI    = regexp.MustCompile(`api error (\w+):\s*(.*)`)
	reSDKStatus = regexp.MustCompile(`StatusCode: (\d{3})`)
	reRclone    = regexp.MustCompile(`\b([A-Z]\w*): ([^:]*?)\s*status code: (\d{3})`)
	reStatus    = regexp.MustCompile(`(?i)status code:? (\d{3})`)
	reDetail    = regexp.MustCompile(`User: (\S+) is not authorized to perform: (\S+)(?: on (?:resource: "?([^"\s]+)"?|(this resource)))?\s*(?:because no (.+?) allows the \S+ action|with an explicit deny in (?:an?|the) (.+?)(?:\s*$|\.|\s*\n)|because the resource does not exist)`)
	reS3URI     = regexp.MustCompile(`s3://([a-z0-9][a-z0-9.\-]{1,62})(?:/([^\s"']*))?`)
	reS3ARN     = regexp.MustCompile(`arn:aws[\w-]*:s3:::([a-z0-9][a-z0-9.\-]{1,62})(?:/([^\s"']*))?`)
	reRcloneObj = regexp.MustCompile(`(?:ERROR|NOTICE|INFO)\s*:\s*(.+?): (?:Failed to|multipart upload)`)
	reKMSNF     = regexp.MustCompile(`(?:KMS\.)?NotFoundException`)
	reCodeOnly  = regexp.MustCompile(`\b(AccessDenied(?:Exception)?|Forbidden)\b`)
)

// rcloneSteps maps the words of rclone's log lines to the calls they
// stand for (sync-clients.md §1.2).
var rcloneSteps = []struct {
	words string
	step  string
	ops   []string
}{
	{"error reading destination root directory", "listing the destination", []string{"ListObjectsV2"}},
	{"error reading source root directory", "listing the source", []string{"ListObjectsV2"}},
	{"error listing", "listing", []string{"ListObjectsV2"}},
	{"directory not found", "listing", []string{"ListObjectsV2"}},
	{"multipart upload failed to initialise", "starting a multipart upload", []string{"CreateMultipartUpload"}},
	{"failed to create bucket", "making sure the bucket exists", []string{"CreateBucket"}},
	{"failed to upload chunk", "uploading a part", []string{"UploadPart"}},
	{"failed to finalise", "completing a multipart upload", []string{"CompleteMultipartUpload"}},
	{"failed to copy", "copying a file (the bucket check, the upload and its read-back)", []string{"CreateBucket", "PutObject", "HeadObject"}},
	{"failed to set modification time", "setting the modification time (a copy onto itself)", []string{"CopyObject"}},
	{"couldn't delete", "deleting", []string{"DeleteObject"}},
}

// Parse reads an error text. It returns an error wrapping ErrUnrecognized
// when the text holds no form it understands.
func Parse(text string) (*Error, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, fmt.Errorf("the error text is empty: %w\n%s", ErrUnrecognized, Forms)
	}
	e := &Error{}
	found := false
	switch {
	case reCLI.MatchString(t):
		m := reCLI.FindStringSubmatch(t)
		e.Client, e.Code, e.Operation, e.Message = "aws-cli", m[1], m[2], strings.TrimSpace(m[3])
		found = true
	case reSDK.MatchString(t):
		m := reSDK.FindStringSubmatch(t)
		e.Client, e.Operation = "sdk-go", m[2]
		if a := reSDKAPI.FindStringSubmatch(t); a != nil {
			e.Code, e.Message = a[1], strings.TrimSpace(a[2])
		}
		if s := reSDKStatus.FindStringSubmatch(t); s != nil {
			e.Status, _ = strconv.Atoi(s[1])
		}
		found = true
	case reRclone.MatchString(t):
		m := reRclone.FindStringSubmatch(t)
		e.Client, e.Code, e.Message = "rclone", m[1], strings.TrimSpace(m[2])
		e.Status, _ = strconv.Atoi(m[3])
		found = true
	}
	if strings.Contains(t, "AccessDeniedException") && e.Code == "" {
		e.Client, e.Code = "kms", "AccessDeniedException"
		found = true
	}
	if d := parseDetail(t); d != nil {
		e.Detail = d.Detail
		found = true
		if e.Code == "" {
			e.Code = "AccessDenied"
		}
		if e.Message == "" {
			e.Message = d.raw
		}
		if e.Client == "" && strings.HasPrefix(strings.ToLower(d.Action), "kms:") && !strings.Contains(t, "on this resource") {
			e.Client = "kms"
		}
	}
	if reKMSNF.MatchString(t) && e.Code == "" {
		e.Client, e.Code = "kms", "NotFoundException"
		found = true
	}
	if strings.Contains(t, "AccessDeniedException") && e.Code == "" {
		e.Client, e.Code = "kms", "AccessDeniedException"
		found = true
	}
	if !found {
		if m := reCodeOnly.FindStringSubmatch(t); m != nil {
			e.Code = m[1]
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("%q: %w\n%s", abbreviate(t), ErrUnrecognized, Forms)
	}
	if e.Status == 0 {
		if s := reStatus.FindStringSubmatch(t); s != nil {
			e.Status, _ = strconv.Atoi(s[1])
			if e.Client == "" {
				e.Client = "rclone"
			}
		}
	}
	if e.Status == 0 {
		switch e.Code {
		case "AccessDenied", "403", "Forbidden":
			e.Status = 403
		case "AccessDeniedException", "NotFoundException":
			e.Status = 400
		case "404", "NoSuchKey", "NoSuchBucket":
			e.Status = 404
		}
	}
	if e.Code == "AccessDeniedException" || e.Code == "NotFoundException" || e.Code == "KMS.NotFoundException" {
		e.Client = "kms"
	}
	e.targets(t)
	if e.Operation == "" {
		lower := strings.ToLower(t)
		for _, s := range rcloneSteps {
			if strings.Contains(lower, s.words) {
				e.Step, e.Operations = s.step, s.ops
				if e.Client == "" {
					e.Client = "rclone"
				}
				break
			}
		}
		if m := reRcloneObj.FindStringSubmatch(t); m != nil && e.Key == "" {
			e.Key = strings.TrimSpace(m[1])
		}
	}
	return e, nil
}

func parseDetail(t string) *detailResult {
	m := reDetail.FindStringSubmatchIndex(t)
	if m == nil {
		return nil
	}
	get := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return t[m[2*i]:m[2*i+1]]
	}
	d := &Detail{Principal: get(1), Action: get(2), Resource: get(3), ThisResource: get(4) != ""}
	switch {
	case get(5) != "":
		d.PolicyType = get(5)
	case get(6) != "":
		d.Explicit, d.PolicyType = true, strings.TrimSpace(get(6))
	default:
		// "on this resource because the resource does not exist in this
		// Region, no resource-based policies allow access, or a
		// resource-based policy explicitly denies access" (docs/authorization.md §3.6).
		d.ThisResource, d.PolicyType = true, "resource-based policy"
	}
	if d.Resource == "" && !d.ThisResource {
		// No " on resource: ..." part: the action takes no resource
		// (docs/authorization.md §1.7), or the message is the role trust
		// policy form of the IAM troubleshooting page.
		d.Resource = "*"
	}
	d.PolicyType = normalizePolicyType(d.PolicyType)
	raw := t[m[0]:]
	if i := strings.IndexByte(raw, '\n'); i >= 0 {
		raw = raw[:i]
	}
	return &detailResult{Detail: d, raw: strings.TrimSpace(raw)}
}

type detailResult struct {
	*Detail
	raw string
}

// normalizePolicyType turns the message's words into the type phrase:
// "identity-based policy", "service control policy", ...
func normalizePolicyType(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	switch s {
	case "identity-based", "resource-based", "service control", "resource control", "session", "VPC endpoint", "sessions":
		if s == "sessions" {
			s = "session"
		}
		return s + " policy"
	}
	return s
}

// targets fills the bucket, key and copy source from s3:// URIs and S3
// ARNs in the text.
func (e *Error) targets(t string) {
	uris := reS3URI.FindAllStringSubmatch(t, -1)
	switch {
	case len(uris) >= 2:
		// "copy failed: s3://src/k to s3://dst/k": source first.
		e.SourceBucket, e.SourceKey = uris[0][1], uris[0][2]
		e.Bucket, e.Key = uris[1][1], uris[1][2]
	case len(uris) == 1:
		e.Bucket, e.Key = uris[0][1], uris[0][2]
	}
	if e.Detail != nil && e.Detail.Resource != "" {
		if m := reS3ARN.FindStringSubmatch(e.Detail.Resource); m != nil {
			// The resource of the denied check: a copy's source object or
			// its destination.
			if e.SourceBucket != "" && m[1] == e.SourceBucket && m[2] == e.SourceKey {
				return
			}
			e.Bucket, e.Key = m[1], m[2]
		}
	}
}

func abbreviate(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
