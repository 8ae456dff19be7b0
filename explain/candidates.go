package explain

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// kmsError reports whether the error is KMS's own: a KMS error code (also
// as S3 relays it, KMS.AccessDeniedException), the message KMS gives for
// a key the caller may not use, or AWS's detailed message for a KMS
// action, also in the form S3 relays ("on this resource",
// docs/authorization.md §3.6, enforce.Check.S3Message).
func (e *Error) kmsError() bool {
	if e.Code == "AccessDeniedException" || strings.HasPrefix(e.Code, "KMS.") {
		return true
	}
	if strings.Contains(strings.ToLower(e.Message), "ciphertext refers to a customer master key") {
		return true
	}
	return e.Detail != nil && (e.Detail.ThisResource || strings.HasPrefix(strings.ToLower(e.Detail.Action), "kms:"))
}

// kmsOnly keeps only the KMS candidates of a KMS error: the S3 permissions
// were granted, or S3 would not have called KMS.
func (x *Explanation) kmsOnly() {
	if !x.Error.kmsError() || !slices.ContainsFunc(x.Candidates, isKMS) {
		return
	}
	x.Candidates = slices.DeleteFunc(x.Candidates, func(c *Candidate) bool { return !isKMS(c) })
}

func isKMS(c *Candidate) bool {
	return c.target == s3ops.KMSKey || strings.HasPrefix(strings.ToLower(c.Action), "kms:")
}

// demoted reports whether the form of the error makes the call an
// unlikely source: a HEAD response has no body, so an error with S3's
// code or message (AccessDenied, Access Denied) is not a HEAD's, and a
// bare status (403, Forbidden) from an SDK is one. A bare "Forbidden" in
// prose may be anything.
func (x *Explanation) demoted(c Call) bool {
	e := x.Error
	switch {
	case e.Detail != nil:
		return c.head()
	case e.Code == "":
		return false
	case e.Code == "403" || e.Code == "Forbidden":
		return e.sdk && !c.head()
	}
	return c.head()
}

// kmsFirst reports whether a KMS permission is the likely cause.
func (x *Explanation) kmsFirst(op string) bool {
	e := x.Error
	m := strings.ToLower(e.Message)
	if strings.Contains(m, "ciphertext refers to a customer master key") || strings.Contains(m, "kms") {
		return true
	}
	if e.Detail != nil && (e.Detail.ThisResource || strings.HasPrefix(strings.ToLower(e.Detail.Action), "kms:")) {
		return true
	}
	// A part upload follows CreateMultipartUpload, which needed
	// s3:PutObject on the same object: what is left is the kms:Decrypt S3
	// makes for each part of an SSE-KMS upload (docs/authorization.md §3.1, seed 003).
	return op == "UploadPart" || op == "UploadPartCopy"
}

// add adds a candidate; a permission already there keeps the better
// ranked of the two.
func (x *Explanation) add(c *Candidate) {
	for i, o := range x.Candidates {
		if o.Action == c.Action && o.Resource == c.Resource {
			if c.score < o.score {
				x.Candidates[i] = c
			}
			return
		}
	}
	x.Candidates = append(x.Candidates, c)
}

func (x *Explanation) addCandidates(ci int, call Call) {
	op, ok := s3ops.Find(call.Operation)
	if !ok {
		x.Notes = append(x.Notes, fmt.Sprintf("%s is not in lockstep's operation catalogue (s3ops): no candidate permissions for it", call.Operation))
		return
	}
	base := ci * 1000
	if x.demoted(call) {
		base += 100000
	}
	cmd := x.Command
	kmsUp := x.kmsFirst(op.Name)
	for i, p := range op.Permissions {
		c := &Candidate{Action: p.Action, Resource: call.arn(p.On), Operation: op.Name, call: ci, target: p.On, score: base + 100 + i}
		c.Why = fmt.Sprintf("%s needs %s on the %s (%s)", op.Name, p.Action, p.On, op.Spec)
		switch p.When {
		case s3ops.Always, s3ops.NoVersionID, s3ops.SourceNoVersionID:
		case s3ops.ACLHeaders:
			c.Why = fmt.Sprintf("%s needs %s too when the request sends x-amz-acl or x-amz-grant-* headers (the client's ACL option)", op.Name, p.Action)
			if cmd == nil || !cmd.ACL {
				c.score += 500
			}
		case s3ops.NonPrivateACL:
			if cmd == nil || !cmd.ACL {
				continue
			}
			c.Why = fmt.Sprintf("%s needs %s too %s", op.Name, p.Action, p.When)
		default:
			// versionId, tagging, object lock, checksum headers: the sync
			// clients explain models do not send them.
			continue
		}
		switch p.On {
		case s3ops.Bucket:
			c.Hint = fmt.Sprintf("grant it on the bucket ARN %s (no /*): a statement on %s/* does not match the bucket", c.Resource, c.Resource)
		case s3ops.Object, s3ops.SourceObject:
			b := strings.SplitN(strings.TrimPrefix(c.Resource, "arn:aws:s3:::"), "/", 2)[0]
			c.Hint = fmt.Sprintf("grant it on the object ARN arn:aws:s3:::%s/* (note the /*): a statement on arn:aws:s3:::%s alone does not match objects", b, b)
		case s3ops.AnyResource:
			c.Hint = op.Note
		}
		switch op.Name {
		case "ListObjectsV2", "ListObjects":
			c.Why += "; the IAM action is s3:ListBucket, there is no s3:ListObjectsV2 action (aws-cli#2408)"
		case "HeadBucket":
			c.Why += "; HEAD responses have no body, so the error is a bare 403"
		}
		if call.Why != "" {
			c.Why += "; " + call.Why
		}
		x.add(c)
	}
	for i, k := range op.KMS {
		k := k
		where := "the KMS key that encrypts " + objectName(call.Bucket, call.Key)
		if k.Key == s3ops.SourceKey {
			where = "the KMS key that encrypts the copy source " + objectName(call.SourceBucket, call.SourceKey)
		}
		c := &Candidate{Action: k.Action, Resource: where, Operation: op.Name, call: ci, target: s3ops.KMSKey, kms: &k, score: base + 300 + i}
		c.Why = fmt.Sprintf("when the object is SSE-KMS (the bucket's default encryption, or the request's x-amz-server-side-encryption: aws:kms), S3 calls KMS as you: %s (%s)", k.Action, k.Source)
		if k.When != s3ops.Always {
			c.Why += "; only " + k.When.String()
			c.score += 500
		}
		c.Hint = "the key policy must allow you, or allow your account (its root) and then your IAM policy must allow it; for a key of another account both must allow it (docs/authorization.md §3.4), and the AWS managed aws/s3 key cannot be used from another account at all (docs/authorization.md §3.3)"
		if kmsUp && k.When == s3ops.Always {
			c.score = base + 10 + i
			if k.Key == s3ops.DestinationKey {
				c.score -= 5
			}
		}
		x.add(c)
	}
	if op.Name == "GetObject" || op.Name == "HeadObject" {
		c := &Candidate{Action: authz.MissingObjectAction, Resource: bucketARNOr(call.Bucket), Operation: op.Name, call: ci, target: s3ops.Bucket, score: base + 400}
		c.Why = fmt.Sprintf("if %s does not exist, S3 answers 403 AccessDenied instead of 404 NoSuchKey unless you have s3:ListBucket on the bucket (docs/authorization.md §2.4)", objectName(call.Bucket, call.Key))
		c.Hint = "check that the key exists; grant s3:ListBucket on the bucket ARN to get 404 for missing keys"
		if x.Error.Code == "403" || x.Error.Code == "Forbidden" {
			c.score = base + 150
		}
		x.add(c)
	}
}

func bucketARNOr(b string) string {
	if b == "" {
		return "arn:aws:s3:::BUCKET"
	}
	return bucketARN(b)
}

func objectName(b, k string) string {
	if b == "" {
		return "the object"
	}
	return "s3://" + b + "/" + k
}

// detailed promotes the permission a detailed message names: the cause is
// exact.
func (x *Explanation) detailed() {
	d := x.Error.Detail
	if d == nil {
		return
	}
	x.Exact = true
	var match *Candidate
	for _, c := range x.Candidates {
		if strings.EqualFold(c.Action, d.Action) && (c.Resource == d.Resource || d.ThisResource && c.target == s3ops.KMSKey || strings.HasPrefix(c.Resource, "the ") && d.Resource != "") {
			match = c
			break
		}
	}
	if match == nil {
		match = &Candidate{Action: d.Action, Resource: d.Resource, Operation: x.Error.Operation, call: -1}
		x.Candidates = append(x.Candidates, match)
	}
	if d.Resource != "" {
		match.Resource = d.Resource
	}
	match.Exact = true
	match.score = -1000
	switch {
	case d.ThisResource:
		match.Why = fmt.Sprintf("exact: AWS says %s may not perform %s on the KMS key S3 used; this form (\"on this resource because the resource does not exist in this Region, no resource-based policies allow access...\") is what S3 relays when the key policy does not allow the caller (docs/authorization.md §3.6)", d.Principal, d.Action)
		match.Hint = fmt.Sprintf("add to the key policy a statement allowing %s to %s (Principal your role or user ARN); if the key is in another account, your IAM policy must allow it on the key ARN as well; the aws/s3 key cannot be used from another account (docs/authorization.md §3.3)", d.Action, principalForPolicy(d.Principal))
	case d.Explicit:
		match.Why = fmt.Sprintf("exact: an explicit Deny in a %s denies %s on %s to %s; no Allow can override it", d.PolicyType, d.Action, d.Resource, d.Principal)
		match.Hint = fmt.Sprintf("find the Deny statement in the %s that matches %s on %s and remove or narrow it (mind its Condition)", d.PolicyType, d.Action, d.Resource)
	default:
		match.Why = fmt.Sprintf("exact: no %s allows %s on %s for %s", d.PolicyType, d.Action, d.Resource, d.Principal)
		match.Hint = "add " + statementJSON(d.PolicyType, d.Principal, d.Action, d.Resource) + " to the " + policyHome(d.PolicyType, d.Principal, d.Resource)
	}
}

func policyHome(policyType, principal, resource string) string {
	switch policyType {
	case "role trust policy":
		if resource == "*" {
			return "trust policy of the role"
		}
		return "trust policy of " + resource
	case "identity-based policy":
		return "identity-based policy of " + principalForPolicy(principal)
	case "resource-based policy":
		if strings.HasPrefix(resource, "arn:aws:kms:") {
			return "key policy of " + resource
		}
		if strings.HasPrefix(resource, "arn:aws:s3:::") {
			return "bucket policy of " + strings.SplitN(strings.TrimPrefix(resource, "arn:aws:s3:::"), "/", 2)[0]
		}
		return "resource-based policy of " + resource
	case "permissions boundary":
		return "permissions boundary of " + principalForPolicy(principal)
	case "service control policy":
		return "service control policies of the account (AWS Organizations)"
	}
	return policyType
}

// statementJSON is the Allow statement that grants action on resource in a
// policy of the given type.
func statementJSON(policyType, principal, action, resource string) string {
	res := grantResource(resource)
	m := map[string]any{"Effect": "Allow", "Action": action, "Resource": res}
	if policyType == "role trust policy" {
		m["Principal"] = map[string]string{"AWS": principalForPolicy(principal)}
		delete(m, "Resource")
	}
	if policyType == "resource-based policy" {
		m["Principal"] = map[string]string{"AWS": principalForPolicy(principal)}
		if strings.HasPrefix(resource, "arn:aws:kms:") {
			m["Resource"] = "*"
		}
	}
	b, _ := json.Marshal(orderedStatement(m))
	return string(b)
}

// grantResource widens an object ARN to its bucket's objects
// (arn:aws:s3:::b/*) so that one statement covers the transfer.
func grantResource(r string) string {
	if rest, ok := strings.CutPrefix(r, "arn:aws:s3:::"); ok {
		if b, _, isObj := strings.Cut(rest, "/"); isObj {
			return "arn:aws:s3:::" + b + "/*"
		}
	}
	return r
}

// principalForPolicy turns a role session ARN into its role ARN, which is
// what policies name.
func principalForPolicy(arn string) string {
	if rest, ok := strings.CutPrefix(arn, "arn:aws:sts::"); ok {
		acct, res, _ := strings.Cut(rest, ":")
		if r, ok := strings.CutPrefix(res, "assumed-role/"); ok {
			role, _, _ := strings.Cut(r, "/")
			return "arn:aws:iam::" + acct + ":role/" + role
		}
	}
	return arn
}

type stmt struct {
	Sid       string `json:"Sid,omitempty"`
	Effect    string `json:"Effect"`
	Principal any    `json:"Principal,omitempty"`
	Action    any    `json:"Action"`
	Resource  any    `json:"Resource,omitempty"` // nil in a trust policy
}

func orderedStatement(m map[string]any) stmt {
	return stmt{Effect: "Allow", Principal: m["Principal"], Action: m["Action"], Resource: m["Resource"]}
}
