package replication

import "github.com/lockstep-dev/lockstep/s3ops"

// Side says which bucket (or its key) a step is on.
type Side uint8

const (
	// OnSource is the bucket the configuration is on.
	OnSource Side = iota
	// OnDestination is a rule's destination bucket.
	OnDestination
)

func (s Side) String() string {
	if s == OnDestination {
		return "destination"
	}
	return "source"
}

// When says when S3 makes a step.
type When uint8

const (
	// Always: for every replicated object.
	Always When = iota
	// Tags: when object tags are replicated.
	Tags
	// DeleteMarkers: when a rule replicates delete markers.
	DeleteMarkers
	// OwnerOverride: when a rule changes the replica owner
	// (AccessControlTranslation).
	OwnerOverride
	// SourceKMS: when the source object is under SSE-KMS.
	SourceKMS
	// ReplicaKMS: when the replica is encrypted with ReplicaKmsKeyID.
	ReplicaKMS
	// ReplicaBucketKey: when the replica is encrypted with
	// ReplicaKmsKeyID and the destination bucket uses an S3 Bucket Key.
	ReplicaBucketKey
	// PlaintextToDefaultKMS: when an unencrypted source object is
	// replicated to a bucket whose default encryption is SSE-KMS (the
	// replica takes the destination's default key). No object written
	// since January 5, 2023 is unencrypted on S3, so live replication of
	// new objects does not meet it.
	PlaintextToDefaultKMS
)

var whenNames = [...]string{"always", "with object tags", "with delete marker replication", "with the owner override", "for SSE-KMS source objects", "for replicas under ReplicaKmsKeyID", "for replicas under ReplicaKmsKeyID with an S3 Bucket Key", "for unencrypted objects replicated under the destination's default key"}

func (w When) String() string { return whenNames[w] }

// Step is one authorization S3 needs as the replication role: the
// action, the resource it is on and when it applies. KMS steps are
// made through S3 and carry kms:ViaService s3.REGION.amazonaws.com (the
// region of Side's bucket) and the encryption context aws:s3:arn of the
// object on Side (s3ops.KMSContextKeys).
type Step struct {
	Action string
	Side   Side
	// On is s3ops.Bucket, s3ops.Object or s3ops.KMSKey.
	On   s3ops.Target
	When When
	// Why is what the step does, for people.
	Why string
	// Source is the AWS documentation that requires it
	// (docs/authorization.md §2.7 quotes each).
	Source string
}

// Documentation the steps cite.
const (
	docPermissions  = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html"
	docEncrypted    = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html"
	docOwner        = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-change-owner.html"
	docDeleteMarker = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-marker-replication.html"
)

// steps are S3 Replication's calls as the replication role, in the order
// S3 makes them for one object version.
var steps = []Step{
	{"s3:GetReplicationConfiguration", OnSource, s3ops.Bucket, Always, "read the source bucket's replication configuration", docPermissions},
	{"s3:ListBucket", OnSource, s3ops.Bucket, Always, "list the source bucket (the permissions model requires it for accessing delete markers)", docPermissions},
	{"s3:GetObjectVersionForReplication", OnSource, s3ops.Object, Always, "read the object version to replicate", docPermissions},
	{"s3:GetObjectVersionAcl", OnSource, s3ops.Object, Always, "read the object version's ACL", docPermissions},
	{"s3:GetObjectVersionTagging", OnSource, s3ops.Object, Tags, "read the object version's tags", docPermissions},
	{"kms:Decrypt", OnSource, s3ops.KMSKey, SourceKMS, "decrypt the source object's data key", docEncrypted},
	{"s3:ReplicateObject", OnDestination, s3ops.Object, Always, "write the replica", docPermissions},
	{"s3:ReplicateTags", OnDestination, s3ops.Object, Tags, "write the replica's tags", docPermissions},
	{"s3:ReplicateDelete", OnDestination, s3ops.Object, DeleteMarkers, "write a replicated delete marker", docDeleteMarker},
	{"s3:ObjectOwnerOverrideToBucketOwner", OnDestination, s3ops.Object, OwnerOverride, "make the destination bucket's owner the replica's owner", docOwner},
	{"kms:Encrypt", OnDestination, s3ops.KMSKey, ReplicaKMS, "encrypt the replica with ReplicaKmsKeyID", docEncrypted},
	{"kms:Decrypt", OnDestination, s3ops.KMSKey, ReplicaBucketKey, "verify the destination's S3 Bucket Key", docEncrypted},
	{"kms:GenerateDataKey", OnDestination, s3ops.KMSKey, PlaintextToDefaultKMS, "encrypt an unencrypted object's replica with the destination's default key", docEncrypted},
}

// Features are the parts of a replication setup that add steps.
type Features struct {
	Tags, DeleteMarkers, OwnerOverride bool
	// SourceKMS: source objects are under SSE-KMS and replicated
	// (SseKmsEncryptedObjects Enabled); ReplicaKMS: replicas are encrypted
	// with ReplicaKmsKeyID; ReplicaBucketKey: the destination bucket uses
	// an S3 Bucket Key for them.
	SourceKMS, ReplicaKMS, ReplicaBucketKey bool
	// PlaintextToDefaultKMS: an unencrypted source object goes to a
	// destination whose default encryption is SSE-KMS.
	PlaintextToDefaultKMS bool
}

func (f Features) has(w When) bool {
	switch w {
	case Always:
		return true
	case Tags:
		return f.Tags
	case DeleteMarkers:
		return f.DeleteMarkers
	case OwnerOverride:
		return f.OwnerOverride
	case SourceKMS:
		return f.SourceKMS
	case ReplicaKMS:
		return f.ReplicaKMS
	case ReplicaBucketKey:
		return f.ReplicaKMS && f.ReplicaBucketKey
	case PlaintextToDefaultKMS:
		return f.PlaintextToDefaultKMS
	}
	return false
}

// Steps returns every step, in order.
func Steps() []Step { return append([]Step(nil), steps...) }

// Required returns the steps a setup with the features needs, in order.
func Required(f Features) []Step {
	var out []Step
	for _, s := range steps {
		if f.has(s.When) {
			out = append(out, s)
		}
	}
	return out
}

// FeaturesOf returns the features of a rule, for an object that is
// SSE-KMS (kms) and has tags (tags); bucketKey is whether the destination
// bucket uses an S3 Bucket Key.
func (r *Rule) FeaturesOf(kms, tags, bucketKey bool) Features {
	_, override := r.OwnerOverride()
	replicaKMS := kms && r.ReplicatesKMSObjects() && r.ReplicaKMSKey() != ""
	return Features{
		Tags:             tags,
		DeleteMarkers:    r.ReplicatesDeleteMarkers(),
		OwnerOverride:    override,
		SourceKMS:        kms && r.ReplicatesKMSObjects(),
		ReplicaKMS:       replicaKMS,
		ReplicaBucketKey: replicaKMS && bucketKey,
	}
}

// ForVersion returns the steps S3 makes to replicate one object version
// of a setup with the features, in order: Required without the
// delete-marker steps, which are made for delete markers only.
func ForVersion(f Features) []Step {
	var out []Step
	for _, s := range Required(f) {
		if s.When != DeleteMarkers {
			out = append(out, s)
		}
	}
	return out
}

// ForDeleteMarker returns the steps S3 makes to replicate one delete
// marker, in order: the source bucket's steps made always (reading the
// configuration and listing the bucket, which "the current permissions
// model requires ... for accessing delete markers") and the delete-marker
// steps. A marker has no data, ACL, tags or key: no object or KMS step is
// made for it (docs/decisions.md "Replication: the steps of a delete
// marker").
func ForDeleteMarker(f Features) []Step {
	var out []Step
	for _, s := range Required(f) {
		if s.When == DeleteMarkers || s.When == Always && s.Side == OnSource && s.On == s3ops.Bucket {
			out = append(out, s)
		}
	}
	return out
}
