package explain

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/lockstep-dev/lockstep/plan"
)

// Error is what Parse read from an error text.
type Error struct {
	// Client is who printed it: "aws-cli" (also boto3), "sdk-go",
	// "rclone", "s5cmd", "kms" or "" when the text does not say.
	Client string `json:"client,omitempty"`
	// Model is the behaviour model whose error shapes (plan/models/*.yaml)
	// the text matched, e.g. "aws-v2"; empty when none did.
	Model plan.Client `json:"model,omitempty"`
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
	// Step is what the client was doing, from the error shape the text
	// matched, e.g. rclone's "listing the destination".
	Step string `json:"step,omitempty"`
	// Operations are the calls the step can be, when Operation is empty.
	Operations []string `json:"operations,omitempty"`
	// Command is the client command the line reports: s5cmd's ERROR
	// "cp s3://b/k dir/k", the AWS CLI's "download failed: s3://b/k to
	// k" as "aws s3 cp s3://b/k k".
	Command string `json:"command,omitempty"`
	// Object is an object's path under the command's source or
	// destination, as rclone names it ("ERROR : a.txt: ...").
	Object string `json:"object,omitempty"`
	// Cause is set when the line reports no denied permission but a
	// failure the client's model knows: what causes it, what to do.
	Cause string `json:"cause,omitempty"`

	// shape is the error shape the text matched, nil when none did.
	shape *plan.ErrorShape
	// sdk is true when the code was read from an SDK's error form, not
	// from a bare word: only then does it tell whether the response had
	// a body.
	sdk bool
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
  s5cmd:            ERROR "cp s3://b/k dir/k": AccessDenied: Access Denied status code: 403, request id: ...
  KMS:              AccessDeniedException: User: ... / KMS.NotFoundException / NotFoundException`

var (
	reCLI       = regexp.MustCompile(`An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?:\s*(.*)`)
	reSDK       = regexp.MustCompile(`operation error (\w+): (\w+),`)
	reSDKAPI    = regexp.MustCompile(`api error (\w+):\s*(.*)`)
	reSDKStatus = regexp.MustCompile(`StatusCode: (\d{3})`)
	reSDKv1     = regexp.MustCompile(`\b([A-Z]\w*): ([^:]*?)\s*status code: (\d{3})`)
	reStatus    = regexp.MustCompile(`(?i)status code:? (\d{3})`)
	reDetail    = regexp.MustCompile(`User: (\S+) is not authorized to perform: (\S+)(?: on (?:resource: "?([^"\s]+)"?|(this resource)))?\s*(?:because no (.+?) allows the \S+ action|with an explicit deny in (?:an?|the) (.+?)(?:\s*$|\.|\s*\n)|because the resource does not exist)`)
	reS3URI     = regexp.MustCompile(`s3://([a-z0-9][a-z0-9.\-]{1,62})(?:/([^\s"']*))?`)
	reS3ARN     = regexp.MustCompile(`arn:aws[\w-]*:s3:::([a-z0-9][a-z0-9.\-]{1,62})(?:/([^\s"']*))?`)
	reKMSNF     = regexp.MustCompile(`(?:KMS\.)?NotFoundException`)
	reCodeOnly  = regexp.MustCompile(`\b(AccessDenied(?:Exception)?|Forbidden|Access Denied)\b`)
)

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
		found, e.sdk = true, true
	case reSDK.MatchString(t):
		m := reSDK.FindStringSubmatch(t)
		e.Client, e.Operation = "sdk-go", m[2]
		if a := reSDKAPI.FindStringSubmatch(t); a != nil {
			e.Code, e.Message = a[1], strings.TrimSpace(a[2])
		}
		if s := reSDKStatus.FindStringSubmatch(t); s != nil {
			e.Status, _ = strconv.Atoi(s[1])
		}
		found, e.sdk = true, e.Code != ""
	case reSDKv1.MatchString(t):
		// The Go SDK v1 (rclone, s5cmd): "Code: message status code: 403".
		m := reSDKv1.FindStringSubmatch(t)
		e.Code, e.Message = m[1], strings.TrimSpace(m[2])
		e.Status, _ = strconv.Atoi(m[3])
		found, e.sdk = true, true
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
	if !found {
		if m := reCodeOnly.FindStringSubmatch(t); m != nil {
			e.Code = strings.ReplaceAll(m[1], " ", "")
			found = true
		}
	}
	shaped, err := e.readShape(t)
	if err != nil {
		return nil, err
	}
	if !found && !shaped {
		return nil, fmt.Errorf("%q: %w\n%s", abbreviate(t), ErrUnrecognized, Forms)
	}
	if e.Status == 0 {
		if s := reStatus.FindStringSubmatch(t); s != nil {
			e.Status, _ = strconv.Atoi(s[1])
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
	if e.shape == nil && (e.Code == "AccessDeniedException" || e.Code == "NotFoundException" || e.Code == "KMS.NotFoundException") {
		e.Client = "kms"
	}
	e.targets(t)
	return e, nil
}

// models are the behaviour models, read once, in a fixed order.
var models = sync.OnceValues(func() ([]*plan.Model, error) {
	byClient, err := plan.Models()
	if err != nil {
		return nil, err
	}
	var out []*plan.Model
	for _, m := range byClient {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Client < out[j].Client })
	return out, nil
})

// readShape finds the first error shape of the behaviour models that the
// text matches and records what it says: the client, its step, the
// operations or command it stands for and the targets it names. It
// reports whether the shape names calls (operations or a command).
func (e *Error) readShape(t string) (bool, error) {
	ms, err := models()
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		for i := range m.Errors {
			s := &m.Errors[i]
			groups := s.Find(t)
			if groups == nil {
				continue
			}
			e.shape, e.Model, e.Client, e.Step = s, m.Client, clientName(m.Client), s.Step
			if e.Operation == "" {
				e.Operations = s.Ops
			}
			if s.Command != "" {
				e.Command = s.Expand(groups)
			}
			e.Object, e.Cause = groups["object"], s.Cause
			if b := groups["bucket"]; b != "" {
				e.Bucket, e.Key = b, groups["key"]
			}
			return len(s.Ops) > 0 || s.Command != "" || s.Cause != "", nil
		}
	}
	return false, nil
}

// clientName is the client of Error.Client and Command.Client for a
// behaviour model: "aws-cli" for both AWS CLI versions.
func clientName(c plan.Client) string {
	if c == plan.AWSv1 || c == plan.AWSv2 {
		return "aws-cli"
	}
	return string(c)
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
	// A shape's bucket and key groups name the target exactly, where the
	// URI pattern would take the ":" after "lockstep: reading s3://b/k:".
	named := e.shape != nil && e.Bucket != ""
	uris := reS3URI.FindAllStringSubmatch(t, -1)
	switch {
	case len(uris) >= 2:
		// "copy failed: s3://src/k to s3://dst/k": source first.
		e.SourceBucket, e.SourceKey = uris[0][1], uris[0][2]
		e.Bucket, e.Key = uris[1][1], uris[1][2]
	case len(uris) == 1 && !named:
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
