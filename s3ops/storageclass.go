package s3ops

// storageClasses are S3's storage classes: the values of
// x-amz-storage-class (S3 API reference, PutObject, "Valid Values") and of
// a replication Destination's StorageClass (S3 API reference,
// Destination, "Valid Values"), which are the same list.
var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "OUTPOSTS": true,
	"GLACIER_IR": true, "SNOW": true, "EXPRESS_ONEZONE": true, "FSX_OPENZFS": true,
}

// IsStorageClass reports whether s is one of S3's storage classes.
func IsStorageClass(s string) bool { return storageClasses[s] }
