package trail

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Call is one S3 or KMS call of the selected principal.
type Call struct {
	Time time.Time
	// Service is "s3" or "kms".
	Service   string
	Operation string
	Region    string
	// Bucket and Key are an S3 call's; SourceBucket and SourceKey the
	// copy source of CopyObject and UploadPartCopy; Prefix a listing's.
	Bucket, Key             string
	SourceBucket, SourceKey string
	Prefix                  *string
	VersionID               bool
	// Role is the role a PutBucketReplication passes: its configuration's
	// Role, as the record's request parameters hold the request body.
	Role string
	// Tagging and ACL say the record's request parameters hold an
	// x-amz-tagging header, or an x-amz-acl or x-amz-grant-* header.
	// CloudTrail records some request headers there; a record without
	// them does not show the request had none (docs/trail.md).
	Tagging, ACL bool
	// BucketAccount is the account that owns Bucket when the record
	// says (its resources, or the recipient account of a cross-account
	// call), "" otherwise.
	BucketAccount string
	// KeyARN is a KMS call's key; ViaS3 says S3 made the call for the
	// principal (userIdentity.invokedBy s3.amazonaws.com), and S3ARN is
	// the aws:s3:arn of its encryption context.
	KeyARN string
	ViaS3  bool
	S3ARN  string
	// Denied calls failed with AccessDenied; DeniedAction is the
	// permission lockstep serve's audit log names, when it does.
	Denied       bool
	DeniedAction string
}

// Selection is what a log holds for one principal.
type Selection struct {
	Principal string
	Calls     []Call
	// From and To are the times of the first and the last call.
	From, To time.Time
	// Records is the number of records read; OtherPrincipals the records
	// of other principals; Ignored the records of this principal that are
	// neither S3 nor KMS, by event source.
	Records, OtherPrincipals int
	Ignored                  map[string]int
	// Role is the role ARN of the sessions selected, when they are one
	// role's.
	Role string
}

// Select keeps the S3 and KMS calls of principal: a user ARN, a role ARN
// (every session of the role), an assumed-role ARN (that session), or a
// role name.
func Select(records []Record, principal string) (*Selection, error) {
	if principal == "" {
		return nil, fmt.Errorf("name the principal whose calls to read (--principal: a user, role or assumed-role ARN, or a role name)")
	}
	sel := &Selection{Principal: principal, Records: len(records), Ignored: map[string]int{}}
	for _, r := range records {
		if !r.by(principal) {
			sel.OtherPrincipals++
			continue
		}
		if sc := r.UserIdentity.SessionContext; sc != nil {
			sel.Role = sc.SessionIssuer.ARN
		}
		var c Call
		switch r.EventSource {
		case "s3.amazonaws.com":
			c = r.s3Call()
		case "kms.amazonaws.com":
			c = r.kmsCall()
		default:
			sel.Ignored[r.EventSource]++
			continue
		}
		c.Time, c.Region = r.EventTime, r.AWSRegion
		c.Denied = strings.Contains(r.ErrorCode, "AccessDenied")
		if a, ok := r.AdditionalEventData["deniedAction"].(string); ok {
			c.DeniedAction = a
		}
		// A call that failed for another reason (NoSuchKey,
		// PreconditionFailed) was authorized all the same: it counts.
		sel.Calls = append(sel.Calls, c)
	}
	if len(sel.Calls) == 0 {
		return nil, fmt.Errorf("no S3 or KMS call of %s in the %d records read (%d are other principals'; the principals seen: %s)", principal, len(records), sel.OtherPrincipals, strings.Join(principalsOf(records), ", "))
	}
	sel.From, sel.To = sel.Calls[0].Time, sel.Calls[len(sel.Calls)-1].Time
	return sel, nil
}

// by reports whether the record's caller is principal.
func (r *Record) by(principal string) bool {
	id := r.UserIdentity
	issuer := ""
	if id.SessionContext != nil {
		issuer = id.SessionContext.SessionIssuer.ARN
	}
	switch {
	case id.ARN == principal:
		return true
	case strings.HasPrefix(principal, "arn:aws:iam::") && strings.Contains(principal, ":role/"):
		return issuer == principal
	case !strings.HasPrefix(principal, "arn:"):
		// A role name: the session's role, whatever its path.
		return issuer != "" && issuer[strings.LastIndex(issuer, "/")+1:] == principal
	}
	return false
}

func principalsOf(records []Record) []string {
	seen := map[string]bool{}
	for _, r := range records {
		if r.UserIdentity.ARN != "" {
			seen[r.UserIdentity.ARN] = true
		}
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	if len(out) > 10 {
		out = append(out[:10], "...")
	}
	return out
}

func (r *Record) param(name string) (string, bool) {
	v, ok := r.RequestParameters[name].(string)
	return v, ok
}

// s3Call reads an S3 record. CloudTrail records ListObjectsV2 as
// ListObjects with list-type 2 in its request parameters.
func (r *Record) s3Call() Call {
	c := Call{Service: "s3", Operation: r.EventName}
	c.Bucket, _ = r.param("bucketName")
	c.Key, _ = r.param("key")
	if lt, _ := r.param("list-type"); c.Operation == "ListObjects" && lt == "2" {
		c.Operation = "ListObjectsV2"
	}
	if p, ok := r.param("prefix"); ok {
		c.Prefix = &p
	} else if c.Operation == "ListObjectsV2" || c.Operation == "ListObjects" {
		empty := ""
		c.Prefix = &empty
	}
	if v, _ := r.param("versionId"); v != "" && v != "null" {
		c.VersionID = true
	}
	if rc, ok := r.RequestParameters["ReplicationConfiguration"].(map[string]any); ok {
		c.Role, _ = rc["Role"].(string)
	}
	for name := range r.RequestParameters {
		switch name = strings.ToLower(name); {
		case name == "x-amz-tagging":
			c.Tagging = true
		case name == "x-amz-acl" || strings.HasPrefix(name, "x-amz-grant-"):
			c.ACL = true
		}
	}
	if src, ok := r.param("x-amz-copy-source"); ok {
		src = strings.TrimPrefix(src, "/")
		if dec, err := url.PathUnescape(src); err == nil {
			src = dec
		}
		src, _, _ = strings.Cut(src, "?")
		c.SourceBucket, c.SourceKey, _ = strings.Cut(src, "/")
	}
	for _, res := range r.Resources {
		if res.Type == "AWS::S3::Bucket" && res.AccountID != "" {
			c.BucketAccount = res.AccountID
		}
	}
	if c.BucketAccount == "" && r.RecipientAccountID != "" && r.RecipientAccountID != r.UserIdentity.AccountID {
		c.BucketAccount = r.RecipientAccountID
	}
	return c
}

// kmsCall reads a KMS record: the key from its resources (or keyId), and
// for a call S3 made, the object ARN of its encryption context.
func (r *Record) kmsCall() Call {
	c := Call{Service: "kms", Operation: r.EventName, ViaS3: r.UserIdentity.InvokedBy == "s3.amazonaws.com"}
	for _, res := range r.Resources {
		if res.Type == "AWS::KMS::Key" {
			c.KeyARN = res.ARN
		}
	}
	if c.KeyARN == "" {
		c.KeyARN, _ = r.param("keyId")
	}
	if ec, ok := r.RequestParameters["encryptionContext"].(map[string]any); ok {
		c.S3ARN, _ = ec["aws:s3:arn"].(string)
	}
	return c
}
