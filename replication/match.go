package replication

import "strings"

// Object is what S3 knows of a new object version when it decides
// whether and where to replicate it.
type Object struct {
	Key  string
	Tags map[string]string
	// KMS is true when the object is under SSE-KMS (or DSSE-KMS).
	KMS bool
	// Replica is true when the object is itself a replica.
	Replica bool
}

// Matches reports whether the filter selects an object: its key starts
// with the prefix and it has every tag (S3 User Guide,
// replication-add-config: a rule applies to objects "with the specified
// key name prefix and tags").
func (f *Filter) Matches(key string, tags map[string]string) bool {
	prefix := f.Prefix
	if f.And != nil {
		prefix = f.And.Prefix
	}
	if prefix != nil && !strings.HasPrefix(key, *prefix) {
		return false
	}
	for _, t := range f.tags() {
		if v, ok := tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

// Applies reports whether the rule replicates the object: it is
// enabled, its filter selects the object, an SSE-KMS object only when
// the rule opts in with SseKmsEncryptedObjects ("By default, Amazon S3
// doesn't replicate objects that are stored at rest using server-side
// encryption with KMS keys", S3 API reference PutBucketReplication), and
// a replica is not replicated again (S3 User Guide,
// replication-what-is-isnot-replicated: "Objects in the source bucket
// that are replicas that were created by another replication rule" are
// not replicated).
func (r *Rule) Applies(o Object) bool {
	if r.Status != Enabled || o.Replica || !r.Filter.Matches(o.Key, o.Tags) {
		return false
	}
	return !o.KMS || r.ReplicatesKMSObjects()
}

// RulesFor returns the rules that replicate the object, one per
// destination bucket: of the rules for a destination that apply, the one
// with the highest priority ("if there are two or more rules with the
// same destination bucket, then objects will be replicated according to
// the rule with the highest priority. The higher the number, the higher
// the priority", S3 User Guide, replication-add-config). They are in
// configuration order.
func (c *Configuration) RulesFor(o Object) []*Rule {
	best := map[string]*Rule{}
	var order []string
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.Applies(o) {
			continue
		}
		dest := r.DestinationBucket()
		cur, seen := best[dest]
		if !seen {
			order = append(order, dest)
		}
		if !seen || *r.Priority > *cur.Priority {
			best[dest] = r
		}
	}
	out := make([]*Rule, 0, len(order))
	for _, d := range order {
		out = append(out, best[d])
	}
	return out
}

// DeleteMarkerRulesFor returns the rules that replicate a delete marker
// on key, one per destination: the rules that apply to the key by prefix
// and that enable DeleteMarkerReplication (S3 User Guide,
// delete-marker-replication: in the V2 schema "delete markers are not
// replicated" unless DeleteMarkerReplication is enabled; tag-filtered
// rules never replicate them).
func (c *Configuration) DeleteMarkerRulesFor(key string) []*Rule {
	var out []*Rule
	for _, r := range c.RulesFor(Object{Key: key}) {
		if r.ReplicatesDeleteMarkers() {
			out = append(out, r)
		}
	}
	return out
}

// DestinationBucket is the name of the rule's destination bucket.
func (r *Rule) DestinationBucket() string {
	name, _ := BucketOfARN(r.Destination.Bucket)
	return name
}

// ReplicatesDeleteMarkers reports whether the rule replicates delete
// markers.
func (r *Rule) ReplicatesDeleteMarkers() bool {
	return r.DeleteMarkerReplication != nil && r.DeleteMarkerReplication.Status == Enabled
}

// ReplicatesKMSObjects reports whether the rule replicates SSE-KMS
// objects (SourceSelectionCriteria.SseKmsEncryptedObjects Enabled).
func (r *Rule) ReplicatesKMSObjects() bool {
	sc := r.SourceSelectionCriteria
	return sc != nil && sc.SseKmsEncryptedObjects != nil && sc.SseKmsEncryptedObjects.Status == Enabled
}

// ReplicaKMSKey is the key S3 encrypts replicas of SSE-KMS objects with
// (EncryptionConfiguration.ReplicaKmsKeyID), "" when none.
func (r *Rule) ReplicaKMSKey() string {
	if r.Destination.EncryptionConfiguration == nil {
		return ""
	}
	return r.Destination.EncryptionConfiguration.ReplicaKmsKeyID
}

// OwnerOverride reports whether replicas are owned by the destination
// bucket's owner (AccessControlTranslation Owner Destination), and that
// account.
func (r *Rule) OwnerOverride() (account string, ok bool) {
	if r.Destination.AccessControlTranslation == nil {
		return "", false
	}
	return r.Destination.Account, true
}

// StorageClass is the storage class of the replicas: the rule's, else
// the source object's ("By default, Amazon S3 uses the storage class of
// the source object to create object replicas", S3 API reference
// Destination).
func (r *Rule) StorageClass(source string) string {
	if r.Destination.StorageClass != "" {
		return r.Destination.StorageClass
	}
	return source
}
