package s3ops

import (
	"sort"
	"strings"
)

// Target is the resource an IAM action is checked against.
type Target uint8

const (
	// Bucket is arn:aws:s3:::BUCKET.
	Bucket Target = iota
	// Object is arn:aws:s3:::BUCKET/KEY.
	Object
	// SourceObject is the object named by x-amz-copy-source.
	SourceObject
	// AnyResource is "*" (actions with no resource type).
	AnyResource
	// KMSKey is the KMS key ARN.
	KMSKey
	// KMSAlias is the KMS alias ARN.
	KMSAlias
	// IAMRole is the role ARN (sts:AssumeRole, iam:*Role*).
	IAMRole
	// IAMUser is the user ARN (iam:*User*).
	IAMUser
	// IAMPolicy is a managed policy's ARN (iam:GetPolicyVersion).
	IAMPolicy
	// BatchJob is an S3 Batch Operations job's ARN,
	// arn:aws:s3:REGION:ACCOUNT:job/ID (s3:DescribeJob, s3:UpdateJobStatus).
	BatchJob
)

var targetNames = [...]string{"bucket", "object", "source object", "*", "KMS key", "KMS alias", "IAM role", "IAM user", "IAM policy", "batch job"}

func (t Target) String() string { return targetNames[t] }

// Trigger says when a permission or KMS call applies.
type Trigger uint8

const (
	// Always applies.
	Always Trigger = iota
	// NoVersionID applies when the request has no versionId.
	NoVersionID
	// VersionID applies when the request has a versionId.
	VersionID
	// ACLHeaders applies when x-amz-acl or an x-amz-grant-* header is sent.
	ACLHeaders
	// TaggingHeader applies when x-amz-tagging is sent.
	TaggingHeader
	// ObjectLockHeaders applies when x-amz-object-lock-mode or
	// -retain-until-date is sent.
	ObjectLockHeaders
	// LegalHoldHeader applies when x-amz-object-lock-legal-hold is sent.
	LegalHoldHeader
	// SourceNoVersionID applies when x-amz-copy-source has no versionId.
	SourceNoVersionID
	// SourceVersionID applies when x-amz-copy-source has ?versionId=.
	SourceVersionID
	// NonPrivateACL applies when CreateBucket sends an ACL other than
	// private.
	NonPrivateACL
	// ObjectOwnershipHeader applies when CreateBucket sends
	// x-amz-object-ownership.
	ObjectOwnershipHeader
	// BucketObjectLockHeader applies when CreateBucket sends
	// x-amz-bucket-object-lock-enabled: true.
	BucketObjectLockHeader
	// Checksum applies when the multipart upload carries an additional
	// checksum (x-amz-checksum-algorithm).
	Checksum
	// ChecksumMode applies when a read asks for the object's checksum
	// (x-amz-checksum-mode: ENABLED).
	ChecksumMode
	// IfMatchHeader applies when a write is conditional on the ETag of the
	// object it replaces (If-Match), which S3 lets only a caller who may
	// read that object make (docs/authorization.md §2.2 PutObject).
	IfMatchHeader
	// SourceTagsCopied applies when a copy takes over its source's tags:
	// the source has tags and x-amz-tagging-directive is not REPLACE
	// (docs/authorization.md §2.2 CopyObject, docs/decisions.md #56).
	SourceTagsCopied
	// SourceTagsCopiedNoVersionID and SourceTagsCopiedVersionID are
	// SourceTagsCopied when x-amz-copy-source has no versionId, and
	// when it has one.
	SourceTagsCopiedNoVersionID
	SourceTagsCopiedVersionID
)

var triggerNames = [...]string{
	"always", "without versionId", "with versionId", "with x-amz-acl or x-amz-grant-* headers",
	"with x-amz-tagging", "with object lock retention headers", "with x-amz-object-lock-legal-hold",
	"when the copy source has no versionId", "when the copy source has a versionId",
	"with an ACL other than private", "with x-amz-object-ownership", "with x-amz-bucket-object-lock-enabled",
	"with an additional checksum", "with x-amz-checksum-mode", "with If-Match",
	"when the copy takes over the source's tags", "when the copy takes over the tags of a source without versionId",
	"when the copy takes over the tags of a source with versionId",
}

func (t Trigger) String() string { return triggerNames[t] }

// Permission is one IAM action an operation needs.
type Permission struct {
	Action string
	On     Target
	When   Trigger
}

// KeyRole says which KMS key an S3-made KMS call uses.
type KeyRole uint8

const (
	// DestinationKey is the key that encrypts the object being written
	// (the SSE-KMS headers, or the bucket's default encryption), or the
	// object being read.
	DestinationKey KeyRole = iota
	// SourceKey is the key of the copy source object.
	SourceKey
)

func (k KeyRole) String() string {
	if k == SourceKey {
		return "the copy source's key"
	}
	return "the object's key"
}

// KMSCall is a call S3 makes to KMS on the caller's behalf under SSE-KMS.
// It is authorized as the caller, with kms:ViaService set to
// s3.REGION.amazonaws.com (docs/authorization.md §3.5).
type KMSCall struct {
	Action string
	Key    KeyRole
	When   Trigger
	// Source is where the requirement is documented.
	Source string
}

// ConditionKey is a condition key an operation sets from the request.
type ConditionKey struct {
	// Key is the condition key, e.g. "s3:prefix".
	Key string
	// From is the request element it is read from: "query:prefix",
	// "header:x-amz-acl", "value:true" for a value the operation itself
	// fixes, or a description for derived values.
	From string
}

// FixedValue returns the value of a key the operation fixes whatever the
// request sends (From "value:..."), as s3:ObjectCreationOperation.
func (k ConditionKey) FixedValue() (string, bool) {
	src, _, _ := strings.Cut(k.From, " ")
	return strings.CutPrefix(src, "value:")
}

// Operation is one API operation with everything needed to authorize it.
type Operation struct {
	// Name is the API operation name, as AWS CLI errors print it
	// ("when calling the GetObject operation").
	Name string
	// Service is the SigV4 service name: s3, kms, sts, iam or organizations;
	// s3control for the S3 Control API (signed as s3, served under
	// /v20180820/).
	Service string
	// HTTP is the request shape, e.g. "GET /{Bucket}/{Key}?uploadId".
	HTTP string
	// Permissions are the IAM actions checked, with when each applies.
	Permissions []Permission
	// Keys are the operation-specific condition keys the request sets.
	Keys []ConditionKey
	// KMS are the KMS calls S3 makes when the object is SSE-KMS.
	KMS []KMSCall
	// Spec is the section of the specification the row comes from.
	Spec string
	// Note is a remark for people (planner and explain output).
	Note string
}

// Operations returns the catalogue, sorted by service then name. The
// returned slice is a copy; the rows are shared and must not be changed.
func Operations() []*Operation {
	out := make([]*Operation, len(catalogue))
	for i := range catalogue {
		out[i] = &catalogue[i]
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Name < out[j].Name
	})
	return out
}

var byName = func() map[string]*Operation {
	m := make(map[string]*Operation, len(catalogue))
	for i := range catalogue {
		op := &catalogue[i]
		m[op.Service+":"+strings.ToLower(op.Name)] = op
	}
	return m
}()

// Lookup returns the operation of a service by name (case-insensitive).
func Lookup(service, name string) (*Operation, bool) {
	op, ok := byName[service+":"+strings.ToLower(name)]
	return op, ok
}

// Find returns the operation with the given name in any service; S3 first.
func Find(name string) (*Operation, bool) {
	for _, svc := range []string{"s3", "kms", "sts", "iam", "organizations", "s3control"} {
		if op, ok := Lookup(svc, name); ok {
			return op, true
		}
	}
	return nil, false
}

// Features describes the optional parts of one request, for Required.
type Features struct {
	VersionID, ACL, Tagging, ObjectLock, LegalHold bool
	SourceVersionID                                bool
	NonPrivateACL, ObjectOwnership, BucketLock     bool
	Checksum, ChecksumMode                         bool
	// IfMatch is true when a write sends If-Match (a conditional write on
	// the ETag of the object it replaces).
	IfMatch bool
	// KMS is true when the object written or read is SSE-KMS; SourceKMS
	// when the copy source is.
	KMS, SourceKMS bool
	// SourceTags is true when a copy takes over its source's tags: the
	// source has tags and the tagging directive is COPY, the default.
	// The emulator knows it from the stored source; a plan assumes it
	// unless the client replaces the tags.
	SourceTags bool
}

func (f Features) has(t Trigger) bool {
	switch t {
	case Always:
		return true
	case NoVersionID:
		return !f.VersionID
	case VersionID:
		return f.VersionID
	case ACLHeaders:
		return f.ACL
	case TaggingHeader:
		return f.Tagging
	case ObjectLockHeaders:
		return f.ObjectLock
	case LegalHoldHeader:
		return f.LegalHold
	case SourceNoVersionID:
		return !f.SourceVersionID
	case SourceVersionID:
		return f.SourceVersionID
	case NonPrivateACL:
		return f.NonPrivateACL
	case ObjectOwnershipHeader:
		return f.ObjectOwnership
	case BucketObjectLockHeader:
		return f.BucketLock
	case Checksum:
		return f.Checksum
	case ChecksumMode:
		return f.ChecksumMode
	case IfMatchHeader:
		return f.IfMatch
	case SourceTagsCopied:
		return f.SourceTags
	case SourceTagsCopiedNoVersionID:
		return f.SourceTags && !f.SourceVersionID
	case SourceTagsCopiedVersionID:
		return f.SourceTags && f.SourceVersionID
	}
	return false
}

// Required returns the permissions a request with the given features needs,
// in catalogue order.
func (op *Operation) Required(f Features) []Permission {
	var out []Permission
	for _, p := range op.Permissions {
		if f.has(p.When) {
			out = append(out, p)
		}
	}
	return out
}

// RequiredKMS returns the KMS calls S3 makes for a request with the given
// features: calls on the object's key when f.KMS, on the copy source's key
// when f.SourceKMS.
func (op *Operation) RequiredKMS(f Features) []KMSCall {
	var out []KMSCall
	for _, k := range op.KMS {
		if (k.Key == DestinationKey && !f.KMS) || (k.Key == SourceKey && !f.SourceKMS) {
			continue
		}
		if f.has(k.When) {
			out = append(out, k)
		}
	}
	return out
}

// ForAction returns the operations that need the IAM action (exact,
// case-insensitive), directly or through a KMS call, in catalogue order.
func ForAction(action string) []*Operation {
	var out []*Operation
	for i := range catalogue {
		op := &catalogue[i]
		found := false
		for _, p := range op.Permissions {
			found = found || strings.EqualFold(p.Action, action)
		}
		for _, k := range op.KMS {
			found = found || strings.EqualFold(k.Action, action)
		}
		if found {
			out = append(out, op)
		}
	}
	return out
}

// ReadOnly reports whether CloudTrail marks a call of the operation
// readOnly: reads (Get*, Head*, List*, Describe*) and the KMS calls that
// change nothing a caller can see (Decrypt, GenerateDataKey).
func ReadOnly(op string) bool {
	for _, p := range []string{"Get", "Head", "List", "Describe"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return op == "Decrypt" || op == "GenerateDataKey"
}
