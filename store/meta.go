package store

import (
	"maps"
	"slices"
	"time"
)

// BucketMeta is what the emulator keeps about a bucket. The store
// interprets none of it: Policy and Encryption are opaque documents (the
// bucket policy JSON, the default-encryption configuration), Ownership is
// the object-ownership setting, and Extra holds whatever else the caller
// needs (versioning state, CORS, tags, ...).
type BucketMeta struct {
	Owner      string    `json:"owner,omitempty"`
	Region     string    `json:"region,omitempty"`
	Created    time.Time `json:"created"`
	Policy     []byte    `json:"policy,omitempty"`
	Encryption []byte    `json:"encryption,omitempty"`
	Ownership  string    `json:"ownership,omitempty"`
	// Versioning is the bucket's versioning state, which the store acts
	// on: "" (never versioned), VersioningEnabled or VersioningSuspended.
	Versioning string            `json:"versioning,omitempty"`
	Extra      map[string]string `json:"extra,omitempty"`
}

// Bucket is one entry of ListBuckets.
type Bucket struct {
	Name string
	Meta BucketMeta
}

// Tag is one object tag. Tags keep the order the caller gave them.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// SSE records how the caller says an object is encrypted: the algorithm
// (AES256, aws:kms, aws:kms:dsse), the KMS key, whether an S3 Bucket Key
// was used, the data key wrapped by KMS and the encryption context. The
// store keeps it verbatim and never looks at it; the encryption it
// performs itself is chosen by the Cipher passed to Put.
type SSE struct {
	Algorithm  string `json:"alg,omitempty"`
	KMSKeyID   string `json:"kms,omitempty"`
	BucketKey  bool   `json:"bk,omitempty"`
	WrappedKey []byte `json:"wk,omitempty"`
	Context    string `json:"ctx,omitempty"`
}

// ObjectMeta describes one object.
//
// The store computes Key, Size, ETag, LastModified (when zero), PartsCount
// and PartSizes; every other field is the caller's, kept verbatim.
//
// ETag is stored bare, without the quotes HTTP puts around it: the
// lower-case hex MD5 of the plaintext for objects written by Put or Copy,
// and hex(MD5(concatenated binary part MD5s)) + "-N" for an object made of
// N parts by Complete. The caller adds the quotes.
//
// The JSON form (the struct tags) is the form stored on disk.
type ObjectMeta struct {
	Key                string            `json:"key"`
	Size               int64             `json:"size"`
	ETag               string            `json:"etag"`
	LastModified       time.Time         `json:"mtime"`
	ContentType        string            `json:"ctype,omitempty"`
	ContentEncoding    string            `json:"cenc,omitempty"`
	ContentDisposition string            `json:"cdisp,omitempty"`
	ContentLanguage    string            `json:"clang,omitempty"`
	CacheControl       string            `json:"cache,omitempty"`
	Expires            string            `json:"expires,omitempty"` // as the client sent it: S3 returns it verbatim
	StorageClass       string            `json:"sclass,omitempty"`
	UserMeta           map[string]string `json:"umeta,omitempty"`
	Tags               []Tag             `json:"tags,omitempty"`
	Owner              string            `json:"owner,omitempty"`
	ACL                []byte            `json:"acl,omitempty"`
	SSE                SSE               `json:"sse,omitzero"`
	Checksums          map[string]string `json:"sums,omitempty"`
	PartsCount         int               `json:"parts,omitempty"` // 0 unless made by Complete
	PartSizes          []int64           `json:"psizes,omitempty"`
	// VersionID is the version's ID, "" for the null version; the store
	// sets it (see versions.go). DeleteMarker marks a delete marker, a
	// version without data.
	VersionID    string            `json:"vid,omitempty"`
	DeleteMarker bool              `json:"dm,omitempty"`
	Extra        map[string]string `json:"extra,omitempty"` // anything else the caller keeps
}

// Part is one uploaded part of a multipart upload. ETag is bare hex MD5.
type Part struct {
	Number       int
	ETag         string
	Size         int64
	LastModified time.Time
	// Checksums are the part's additional checksums (algorithm name to
	// base64 value), from a ChecksummedBody.
	Checksums map[string]string
}

// CompletedPart names one part in a Complete request. ETag may be quoted
// or not; the comparison ignores quotes and case.
type CompletedPart struct {
	Number int
	ETag   string
}

// Upload describes one multipart upload in progress. Meta is the object
// metadata given to CreateUpload, which Complete gives the object.
type Upload struct {
	Key       string
	UploadID  string
	Initiator string
	Initiated time.Time
	Encrypted bool
	Meta      ObjectMeta
}

// clone returns a deep copy of m.
func (m BucketMeta) clone() BucketMeta {
	m.Policy = slices.Clone(m.Policy)
	m.Encryption = slices.Clone(m.Encryption)
	m.Extra = maps.Clone(m.Extra)
	return m
}

// clone returns a deep copy of m.
func (m ObjectMeta) clone() ObjectMeta {
	m.UserMeta = maps.Clone(m.UserMeta)
	m.Tags = slices.Clone(m.Tags)
	m.ACL = slices.Clone(m.ACL)
	m.SSE.WrappedKey = slices.Clone(m.SSE.WrappedKey)
	m.Checksums = maps.Clone(m.Checksums)
	m.PartSizes = slices.Clone(m.PartSizes)
	m.Extra = maps.Clone(m.Extra)
	return m
}
