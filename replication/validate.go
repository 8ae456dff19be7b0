package replication

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// Error is a configuration S3 refuses, with S3's error code and message
// (docs/emulator.md "Replication configuration" cites each).
type Error struct {
	// Code is S3's error code: MalformedXML, InvalidArgument,
	// InvalidRequest, or NotImplemented for what the emulator does not
	// serve.
	Code    string
	Message string
	// Argument and Value name the element of an InvalidArgument.
	Argument, Value string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Limits of a configuration (S3 API reference PutBucketReplication: "A
// replication configuration must include at least one rule, and can
// contain a maximum of 1,000"; ReplicationRule ID: "The maximum value is
// 255 characters").
const (
	MaxRules  = 1000
	MaxRuleID = 255
	// MaxBytes: "The maximum size of a replication configuration is 2 MB"
	// (S3 API reference PutBucketReplication, ReplicationConfiguration).
	MaxBytes = 2 << 20
)

func malformed() *Error {
	return &Error{Code: "MalformedXML", Message: "the document is not well-formed or does not validate against the replication configuration schema"}
}

func invalidRequest(format string, args ...any) *Error {
	return &Error{Code: "InvalidRequest", Message: fmt.Sprintf(format, args...)}
}

func invalidArgument(name, value, message string) *Error {
	return &Error{Code: "InvalidArgument", Message: message, Argument: name, Value: value}
}

// schemaError is S3's answer to a V2 rule without an element the V2
// schema requires.
func schemaError(element string) *Error {
	return invalidRequest("%s must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.", element)
}

// Parse reads and validates the body of a PutBucketReplication on the
// bucket source, in the order S3 checks: the document, the role, then
// each rule. Rules without an ID get one, as S3 gives them. What the
// emulator cannot know from the document alone (the source's versioning,
// the destinations' existence and versioning, iam:PassRole) is the
// caller's to check.
func Parse(body []byte, source string) (*Configuration, *Error) {
	var c Configuration
	if len(body) > MaxBytes || xml.Unmarshal(body, &c) != nil || c.Role == "" || len(c.Rules) == 0 || len(c.Rules) > MaxRules {
		return nil, malformed()
	}
	c.NS = ""
	if err := validateRole(c.Role); err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	priorities := map[int]bool{}
	for i := range c.Rules {
		r := &c.Rules[i]
		if err := r.validate(source); err != nil {
			return nil, err
		}
		if r.ID == "" {
			r.ID = newRuleID()
		}
		if ids[r.ID] {
			return nil, invalidArgument("ID", r.ID, "Rule Id must be unique")
		}
		ids[r.ID] = true
		if priorities[*r.Priority] {
			return nil, invalidRequest("Found duplicate priority %d.", *r.Priority)
		}
		priorities[*r.Priority] = true
	}
	return &c, nil
}

// validateRole checks the Role is an IAM role ARN.
func validateRole(role string) *Error {
	f := strings.SplitN(role, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "iam" || f[3] != "" || !arn.IsAccountID(f[4]) {
		return invalidArgument("Role", role, "Invalid Role specified in replication configuration")
	}
	if _, _, ok := arn.Role(role); !ok {
		return invalidArgument("Role", role, "The relative id should start with role")
	}
	return nil
}

func validStatus(s string) bool { return s == Enabled || s == Disabled }

func validStatusElement(e *StatusElement) bool { return e == nil || validStatus(e.Status) }

// validate checks one rule of the V2 schema.
func (r *Rule) validate(source string) *Error {
	if r.Filter == nil {
		if r.Prefix != nil {
			return &Error{Code: "NotImplemented", Message: "The earlier (V1) replication configuration schema, a rule Prefix without a Filter, is not served by the lockstep emulator: give each rule a Filter, Priority and DeleteMarkerReplication (the V2 schema)"}
		}
		return malformed()
	}
	if r.Prefix != nil || !validStatus(r.Status) || r.Destination == nil || r.Destination.Bucket == "" {
		return malformed()
	}
	if len(r.ID) > MaxRuleID {
		return invalidArgument("ID", r.ID, "Rule Id cannot be greater than 255")
	}
	if err := r.Filter.validate(); err != nil {
		return err
	}
	// "When you add the Filter element in the configuration, you must
	// also add the following elements: DeleteMarkerReplication, Status,
	// and Priority" (S3 API reference PutBucketReplication).
	if r.Priority == nil {
		return schemaError("Priority")
	}
	if *r.Priority < 0 {
		return invalidRequest("Priority must be between 0 and 2147483647.")
	}
	if r.DeleteMarkerReplication == nil {
		return schemaError("DeleteMarkerReplication")
	}
	if !validStatusElement(r.DeleteMarkerReplication) || !validStatusElement(r.ExistingObjectReplication) {
		return malformed()
	}
	// "If your Filter includes a Tag element, the DeleteMarkerReplication
	// Status must be set to Disabled" (S3 API reference
	// DeleteMarkerReplication).
	if r.DeleteMarkerReplication.Status == Enabled && len(r.Filter.tags()) > 0 {
		return invalidRequest("Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information.")
	}
	kmsSelected := false
	if sc := r.SourceSelectionCriteria; sc != nil {
		if sc.SseKmsEncryptedObjects == nil && sc.ReplicaModifications == nil {
			return invalidRequest("SourceSelectionCriteria cannot be empty.")
		}
		if !validStatusElement(sc.SseKmsEncryptedObjects) || !validStatusElement(sc.ReplicaModifications) {
			return malformed()
		}
		kmsSelected = sc.SseKmsEncryptedObjects != nil
	}
	return r.Destination.validate(source, kmsSelected)
}

// tags are the tags the filter requires.
func (f *Filter) tags() []Tag {
	switch {
	case f.Tag != nil:
		return []Tag{*f.Tag}
	case f.And != nil:
		return f.And.Tags
	}
	return nil
}

// validate checks the filter names one prefix, one tag, or an And of at
// least two predicates (S3 API reference ReplicationRuleFilter: "The
// filter must have exactly one of Prefix, Tag, or And specified";
// ReplicationRuleAndOperator: required "only if you specify more than one
// filter"), with distinct tag keys.
func (f *Filter) validate() *Error {
	n := 0
	for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.And != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return malformed()
	}
	if f.And != nil {
		predicates := len(f.And.Tags)
		if f.And.Prefix != nil {
			predicates++
		}
		if predicates < 2 {
			return malformed()
		}
	}
	seen := map[string]bool{}
	for _, t := range f.tags() {
		if t.Key == "" {
			return malformed()
		}
		if seen[t.Key] {
			return invalidRequest("Duplicate Tag Keys are not allowed.")
		}
		seen[t.Key] = true
	}
	return nil
}

// validate checks a destination; kmsSelected is whether the rule has
// SourceSelectionCriteria.SseKmsEncryptedObjects.
func (d *Destination) validate(source string, kmsSelected bool) *Error {
	bucket, ok := BucketOfARN(d.Bucket)
	if !ok {
		return invalidArgument("Bucket", d.Bucket, "Invalid bucket ARN")
	}
	if bucket == source {
		return invalidRequest("Destination bucket cannot be the same as the source bucket.")
	}
	if d.StorageClass != "" && !s3ops.IsStorageClass(d.StorageClass) {
		return malformed()
	}
	if act := d.AccessControlTranslation; act != nil {
		if act.Owner != "Destination" {
			return malformed()
		}
		if d.Account == "" {
			return invalidRequest("Account must be specified if the Owner in AccessControlTranslation has a value")
		}
	}
	// "To replicate AWS KMS-encrypted objects, add the following:
	// SourceSelectionCriteria, SseKmsEncryptedObjects, Status,
	// EncryptionConfiguration, and ReplicaKmsKeyID" (S3 API reference
	// PutBucketReplication): each needs the other.
	key := ""
	if d.EncryptionConfiguration != nil {
		if !kmsSelected {
			return invalidRequest("SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present.")
		}
		key = d.EncryptionConfiguration.ReplicaKmsKeyID
	}
	if kmsSelected && key == "" {
		return invalidRequest("ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")
	}
	if key != "" && !isKMSKeyARN(key) {
		return invalidArgument("ReplicaKmsKeyID", key, "Invalid ReplicaKmsKeyID ARN.")
	}
	return d.validateTimeControl()
}

// validateTimeControl checks ReplicationTime and Metrics: each status is
// Enabled or Disabled, and ReplicationTime comes with Metrics.
func (d *Destination) validateTimeControl() *Error {
	if d.Metrics != nil && !validStatus(d.Metrics.Status) {
		return malformed()
	}
	if rt := d.ReplicationTime; rt != nil {
		if !validStatus(rt.Status) || rt.Time == nil {
			return malformed()
		}
		if d.Metrics == nil {
			return invalidRequest("Replication destination must contain both ReplicationTime and Metrics or neither.")
		}
	}
	return nil
}

// BucketOfARN returns the bucket an S3 bucket ARN names.
func BucketOfARN(s string) (string, bool) { return arn.S3Bucket(s) }

// isKMSKeyARN reports whether s is a key or alias ARN: S3 takes "the ID
// (Key ARN or Alias ARN)" (S3 API reference EncryptionConfiguration).
func isKMSKeyARN(s string) bool { return arn.IsKMSKeyARN(s) || arn.IsKMSAliasARN(s) }

// newRuleID is the ID S3 gives a rule sent without one: a random string.
func newRuleID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return strings.TrimRight(base32.StdEncoding.EncodeToString(b[:]), "=")
}

// RoleOf reads the Role of a PutBucketReplication body, for the
// iam:PassRole check S3 makes before it validates the rules: MalformedXML
// when the body is not a configuration, InvalidArgument when the Role is
// not an IAM role ARN.
func RoleOf(body []byte) (string, *Error) {
	var c struct {
		Role string `xml:"Role"`
	}
	if len(body) > MaxBytes || xml.Unmarshal(body, &c) != nil || c.Role == "" {
		return "", malformed()
	}
	if err := validateRole(c.Role); err != nil {
		return "", err
	}
	return c.Role, nil
}
