package s3ops

// Condition keys that PutObject-like requests set from their headers
// (docs/authorization.md §2.3 "PutObject"; "Each condition key maps to the same name request
// header").
var writeKeys = []ConditionKey{
	{"s3:x-amz-acl", "header:x-amz-acl"},
	{"s3:x-amz-grant-full-control", "header:x-amz-grant-full-control"},
	{"s3:x-amz-grant-read", "header:x-amz-grant-read"},
	{"s3:x-amz-grant-read-acp", "header:x-amz-grant-read-acp"},
	{"s3:x-amz-grant-write", "header:x-amz-grant-write"},
	{"s3:x-amz-grant-write-acp", "header:x-amz-grant-write-acp"},
	{"s3:x-amz-server-side-encryption", "header:x-amz-server-side-encryption"},
	{"s3:x-amz-server-side-encryption-aws-kms-key-id", "header:x-amz-server-side-encryption-aws-kms-key-id"},
	{"s3:x-amz-server-side-encryption-customer-algorithm", "header:x-amz-server-side-encryption-customer-algorithm"},
	{"s3:x-amz-storage-class", "header:x-amz-storage-class"},
	{"s3:x-amz-website-redirect-location", "header:x-amz-website-redirect-location"},
	{"s3:RequestObjectTagKeys", "header:x-amz-tagging (tag keys)"},
	{"s3:RequestObjectTag/<key>", "header:x-amz-tagging (one key per tag)"},
	{"s3:object-lock-mode", "header:x-amz-object-lock-mode"},
	{"s3:object-lock-retain-until-date", "header:x-amz-object-lock-retain-until-date"},
	{"s3:object-lock-legal-hold", "header:x-amz-object-lock-legal-hold"},
}

var copyKeys = concatKeys([]ConditionKey{
	{"s3:x-amz-copy-source", "header:x-amz-copy-source (bucket/key, no leading slash)"},
	{"s3:x-amz-metadata-directive", "header:x-amz-metadata-directive"},
}, writeKeys)

// Conditional writes (docs/authorization.md §2.3 "Conditional writes"):
// the operations that create an object (PutObject, CopyObject,
// CompleteMultipartUpload) take If-Match and If-None-Match and set
// s3:ObjectCreationOperation to true; CreateMultipartUpload, UploadPart
// and UploadPartCopy "don't accept conditional headers" and set it to
// false, so that a bucket policy can exempt them.
var (
	conditionalWriteKeys = []ConditionKey{
		{"s3:if-match", "header:If-Match"},
		{"s3:if-none-match", "header:If-None-Match"},
		{"s3:ObjectCreationOperation", "value:true (the operation creates an object)"},
	}
	uploadStepKeys = []ConditionKey{
		{"s3:ObjectCreationOperation", "value:false (a step of a multipart upload: no object is created)"},
	}
)

// concatKeys returns the lists one after another in a new slice, so that
// no row shares (and could overwrite) another row's backing array.
func concatKeys(lists ...[]ConditionKey) []ConditionKey {
	var out []ConditionKey
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

var listKeys = []ConditionKey{
	{"s3:prefix", "query:prefix (absent when the parameter is absent)"},
	{"s3:delimiter", "query:delimiter"},
	{"s3:max-keys", "query:max-keys"},
}

var versionKey = []ConditionKey{{"s3:versionid", "query:versionId"}}

var existingTagKeys = []ConditionKey{{"s3:ExistingObjectTag/<key>", "the object's stored tags"}}

// CommonS3Keys are set on every S3 request (docs/authorization.md §2.3: "Every S3 action
// also supports ...").
var CommonS3Keys = []ConditionKey{
	{"s3:authType", "REST-HEADER, REST-QUERY-STRING or POST"},
	{"s3:signatureversion", "AWS4-HMAC-SHA256"},
	{"s3:signatureAge", "milliseconds since the signature date"},
	{"s3:x-amz-content-sha256", "header:x-amz-content-sha256"},
	{"s3:TlsVersion", "the TLS version, absent over plain HTTP"},
	{"s3:ResourceAccount", "the bucket owner"},
}

const (
	srcKMSPut  = "docs/authorization.md §3.1 PutObject: kms:GenerateDataKey"
	srcKMSGet  = "docs/authorization.md §3.1 GetObject: kms:Decrypt"
	srcKMSMPU  = "docs/authorization.md §3.1 CreateMultipartUpload: kms:GenerateDataKey"
	srcKMSPart = "docs/authorization.md §3.1 UploadPart/UploadPartCopy: kms:Decrypt"
)

// catalogue is the table. Keep rows in the order of docs/authorization.md §2.2.
// orgStar is the note of the Organizations rows whose SAR resource is the
// root, OU or policy: lockstep checks them on "*" (docs/decisions.md #33).
const orgStar = "checked on \"*\"; the SAR scopes it to the root, OU or policy ARN (docs/decisions.md #33)"

var catalogue = []Operation{
	// --- S3 buckets ---
	{Name: "ListBuckets", Service: "s3", HTTP: "GET /",
		Permissions: []Permission{{"s3:ListAllMyBuckets", AnyResource, Always}},
		Spec:        "docs/authorization.md §2.2 ListBuckets", Note: "s3:ListAllMyBuckets has no resource type: grant it on \"*\""},
	{Name: "CreateBucket", Service: "s3", HTTP: "PUT /{Bucket}",
		Permissions: []Permission{
			{"s3:CreateBucket", Bucket, Always},
			{"s3:PutBucketAcl", Bucket, NonPrivateACL},
			{"s3:PutBucketOwnershipControls", Bucket, ObjectOwnershipHeader},
			{"s3:PutBucketObjectLockConfiguration", Bucket, BucketObjectLockHeader},
			{"s3:PutBucketVersioning", Bucket, BucketObjectLockHeader},
		},
		Keys: []ConditionKey{
			{"s3:locationconstraint", "body:CreateBucketConfiguration/LocationConstraint"},
			{"s3:x-amz-acl", "header:x-amz-acl"},
			{"s3:x-amz-object-ownership", "header:x-amz-object-ownership"},
		},
		Spec: "docs/authorization.md §2.2 CreateBucket", Note: "anonymous requests are never allowed to create buckets"},
	{Name: "DeleteBucket", Service: "s3", HTTP: "DELETE /{Bucket}",
		Permissions: []Permission{{"s3:DeleteBucket", Bucket, Always}}, Spec: "docs/authorization.md §2.2 (SAR)"},
	{Name: "HeadBucket", Service: "s3", HTTP: "HEAD /{Bucket}",
		Permissions: []Permission{{"s3:ListBucket", Bucket, Always}}, Spec: "docs/authorization.md §2.2 HeadBucket",
		Note: "errors come with no body"},
	{Name: "GetBucketLocation", Service: "s3", HTTP: "GET /{Bucket}?location",
		Permissions: []Permission{{"s3:GetBucketLocation", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketLocation"},
	{Name: "ListObjectsV2", Service: "s3", HTTP: "GET /{Bucket}?list-type=2",
		Permissions: []Permission{{"s3:ListBucket", Bucket, Always}}, Keys: listKeys,
		Spec: "docs/authorization.md §2.2 ListObjectsV2", Note: "the IAM action is s3:ListBucket, not s3:ListObjectsV2"},
	{Name: "ListObjects", Service: "s3", HTTP: "GET /{Bucket}",
		Permissions: []Permission{{"s3:ListBucket", Bucket, Always}}, Keys: listKeys, Spec: "docs/authorization.md §2.2 ListObjects v1"},
	{Name: "ListObjectVersions", Service: "s3", HTTP: "GET /{Bucket}?versions",
		Permissions: []Permission{{"s3:ListBucketVersions", Bucket, Always}}, Keys: listKeys, Spec: "docs/authorization.md §2.2 ListObjectVersions"},
	{Name: "GetBucketPolicy", Service: "s3", HTTP: "GET /{Bucket}?policy",
		Permissions: []Permission{{"s3:GetBucketPolicy", Bucket, Always}}, Spec: "docs/authorization.md §2.2 (SAR)"},
	{Name: "PutBucketPolicy", Service: "s3", HTTP: "PUT /{Bucket}?policy",
		Permissions: []Permission{{"s3:PutBucketPolicy", Bucket, Always}}, Spec: "docs/authorization.md §2.2 (SAR)"},
	{Name: "DeleteBucketPolicy", Service: "s3", HTTP: "DELETE /{Bucket}?policy",
		Permissions: []Permission{{"s3:DeleteBucketPolicy", Bucket, Always}}, Spec: "docs/authorization.md §2.2 (SAR)"},
	{Name: "GetBucketEncryption", Service: "s3", HTTP: "GET /{Bucket}?encryption",
		Permissions: []Permission{{"s3:GetEncryptionConfiguration", Bucket, Always}}, Spec: "docs/authorization.md §2.2 (SAR)"},
	{Name: "PutBucketEncryption", Service: "s3", HTTP: "PUT /{Bucket}?encryption",
		Permissions: []Permission{{"s3:PutEncryptionConfiguration", Bucket, Always}}, Spec: "docs/authorization.md §2.2 (SAR)"},
	{Name: "GetBucketOwnershipControls", Service: "s3", HTTP: "GET /{Bucket}?ownershipControls",
		Permissions: []Permission{{"s3:GetBucketOwnershipControls", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketOwnershipControls"},
	{Name: "PutBucketOwnershipControls", Service: "s3", HTTP: "PUT /{Bucket}?ownershipControls",
		Permissions: []Permission{{"s3:PutBucketOwnershipControls", Bucket, Always}}, Spec: "docs/authorization.md §2.2 (SAR)"},
	{Name: "GetBucketVersioning", Service: "s3", HTTP: "GET /{Bucket}?versioning",
		Permissions: []Permission{{"s3:GetBucketVersioning", Bucket, Always}}, Spec: "docs/authorization.md §2.2 (SAR)"},
	{Name: "PutBucketVersioning", Service: "s3", HTTP: "PUT /{Bucket}?versioning",
		Permissions: []Permission{{"s3:PutBucketVersioning", Bucket, Always}}, Spec: "docs/authorization.md §2.2 PutBucketVersioning",
		Note: "the emulator accepts Suspended only: Enabled answers NotImplemented (objects are not versioned)"},

	// --- S3 bucket sub-resources a Terraform aws_s3_bucket refresh reads
	// (docs/emulator.md "Bucket sub-resources"); each IAM action is the
	// one the S3 API reference names for the operation, quoted in
	// docs/authorization.md §2.2. ---
	{Name: "GetBucketAcl", Service: "s3", HTTP: "GET /{Bucket}?acl",
		Permissions: []Permission{{"s3:GetBucketAcl", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketAcl"},
	{Name: "GetBucketCors", Service: "s3", HTTP: "GET /{Bucket}?cors",
		Permissions: []Permission{{"s3:GetBucketCORS", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketCors"},
	{Name: "PutBucketCors", Service: "s3", HTTP: "PUT /{Bucket}?cors",
		Permissions: []Permission{{"s3:PutBucketCORS", Bucket, Always}}, Spec: "docs/authorization.md §2.2 PutBucketCors"},
	{Name: "DeleteBucketCors", Service: "s3", HTTP: "DELETE /{Bucket}?cors",
		Permissions: []Permission{{"s3:PutBucketCORS", Bucket, Always}}, Spec: "docs/authorization.md §2.2 DeleteBucketCors",
		Note: "there is no s3:DeleteBucketCORS action: deleting needs s3:PutBucketCORS"},
	{Name: "GetBucketWebsite", Service: "s3", HTTP: "GET /{Bucket}?website",
		Permissions: []Permission{{"s3:GetBucketWebsite", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketWebsite"},
	{Name: "GetBucketLogging", Service: "s3", HTTP: "GET /{Bucket}?logging",
		Permissions: []Permission{{"s3:GetBucketLogging", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketLogging"},
	{Name: "GetBucketLifecycleConfiguration", Service: "s3", HTTP: "GET /{Bucket}?lifecycle",
		Permissions: []Permission{{"s3:GetLifecycleConfiguration", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketLifecycleConfiguration",
		Note: "the IAM action is s3:GetLifecycleConfiguration"},
	{Name: "GetBucketReplication", Service: "s3", HTTP: "GET /{Bucket}?replication",
		Permissions: []Permission{{"s3:GetReplicationConfiguration", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketReplication",
		Note: "the IAM action is s3:GetReplicationConfiguration"},

	// --- S3 Replication's configuration (docs/emulator.md "Replication
	// configuration"; docs/authorization.md §2.2 PutBucketReplication). ---
	{Name: "PutBucketReplication", Service: "s3", HTTP: "PUT /{Bucket}?replication",
		Permissions: []Permission{{"s3:PutReplicationConfiguration", Bucket, Always}, {"iam:PassRole", IAMRole, Always}},
		Keys:        []ConditionKey{{"iam:PassedToService", "value:s3.amazonaws.com (the role is passed to S3)"}},
		Spec:        "docs/authorization.md §2.2 PutBucketReplication",
		Note:        "iam:PassRole is checked on the configuration's Role"},
	{Name: "DeleteBucketReplication", Service: "s3", HTTP: "DELETE /{Bucket}?replication",
		Permissions: []Permission{{"s3:PutReplicationConfiguration", Bucket, Always}},
		Spec:        "docs/authorization.md §2.2 DeleteBucketReplication",
		Note:        "there is no s3:DeleteReplicationConfiguration action: deleting needs s3:PutReplicationConfiguration"},
	{Name: "GetBucketTagging", Service: "s3", HTTP: "GET /{Bucket}?tagging",
		Permissions: []Permission{{"s3:GetBucketTagging", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketTagging"},
	{Name: "PutBucketTagging", Service: "s3", HTTP: "PUT /{Bucket}?tagging",
		Permissions: []Permission{{"s3:PutBucketTagging", Bucket, Always}}, Spec: "docs/authorization.md §2.2 PutBucketTagging"},
	{Name: "DeleteBucketTagging", Service: "s3", HTTP: "DELETE /{Bucket}?tagging",
		Permissions: []Permission{{"s3:PutBucketTagging", Bucket, Always}}, Spec: "docs/authorization.md §2.2 DeleteBucketTagging",
		Note: "there is no s3:DeleteBucketTagging action: deleting needs s3:PutBucketTagging"},
	{Name: "GetBucketAccelerateConfiguration", Service: "s3", HTTP: "GET /{Bucket}?accelerate",
		Permissions: []Permission{{"s3:GetAccelerateConfiguration", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketAccelerateConfiguration"},
	{Name: "GetBucketRequestPayment", Service: "s3", HTTP: "GET /{Bucket}?requestPayment",
		Permissions: []Permission{{"s3:GetBucketRequestPayment", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetBucketRequestPayment"},
	{Name: "GetPublicAccessBlock", Service: "s3", HTTP: "GET /{Bucket}?publicAccessBlock",
		Permissions: []Permission{{"s3:GetBucketPublicAccessBlock", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetPublicAccessBlock"},
	{Name: "PutPublicAccessBlock", Service: "s3", HTTP: "PUT /{Bucket}?publicAccessBlock",
		Permissions: []Permission{{"s3:PutBucketPublicAccessBlock", Bucket, Always}}, Spec: "docs/authorization.md §2.2 PutPublicAccessBlock"},
	{Name: "DeletePublicAccessBlock", Service: "s3", HTTP: "DELETE /{Bucket}?publicAccessBlock",
		Permissions: []Permission{{"s3:PutBucketPublicAccessBlock", Bucket, Always}}, Spec: "docs/authorization.md §2.2 DeletePublicAccessBlock",
		Note: "deleting needs s3:PutBucketPublicAccessBlock"},
	{Name: "GetObjectLockConfiguration", Service: "s3", HTTP: "GET /{Bucket}?object-lock",
		Permissions: []Permission{{"s3:GetBucketObjectLockConfiguration", Bucket, Always}}, Spec: "docs/authorization.md §2.2 GetObjectLockConfiguration"},
	{Name: "ListMultipartUploads", Service: "s3", HTTP: "GET /{Bucket}?uploads",
		Permissions: []Permission{{"s3:ListBucketMultipartUploads", Bucket, Always}},
		Spec:        "docs/authorization.md §2.2 ListMultipartUploads"},

	// --- S3 objects ---
	{Name: "HeadObject", Service: "s3", HTTP: "HEAD /{Bucket}/{Key}",
		Permissions: []Permission{{"s3:GetObject", Object, NoVersionID}, {"s3:GetObjectVersion", Object, VersionID}},
		Keys:        append(append([]ConditionKey{}, versionKey...), existingTagKeys...),
		KMS: []KMSCall{
			{"kms:GenerateDataKey", DestinationKey, ChecksumMode, "docs/authorization.md §3.1 HeadObject: with x-amz-checksum-mode"},
			{"kms:Decrypt", DestinationKey, ChecksumMode, "docs/authorization.md §3.1 HeadObject: with x-amz-checksum-mode"},
		},
		Spec: "docs/authorization.md §2.2 HeadObject, §2.4",
		Note: "a missing key is 404 only with s3:ListBucket on the bucket, else 403; no KMS permission for a plain HEAD (docs/decisions.md)"},
	{Name: "GetObject", Service: "s3", HTTP: "GET /{Bucket}/{Key}",
		Permissions: []Permission{{"s3:GetObject", Object, NoVersionID}, {"s3:GetObjectVersion", Object, VersionID}},
		Keys:        append(append([]ConditionKey{}, versionKey...), existingTagKeys...),
		KMS:         []KMSCall{{"kms:Decrypt", DestinationKey, Always, srcKMSGet}},
		Spec:        "docs/authorization.md §2.2 GetObject, §2.4, §3.1",
		Note:        "with versionId only s3:GetObjectVersion is needed; a missing key is 404 only with s3:ListBucket"},
	{Name: "PutObject", Service: "s3", HTTP: "PUT /{Bucket}/{Key}",
		Permissions: []Permission{
			{"s3:PutObject", Object, Always},
			{"s3:GetObject", Object, IfMatchHeader},
			{"s3:PutObjectAcl", Object, ACLHeaders},
			{"s3:PutObjectTagging", Object, TaggingHeader},
			{"s3:PutObjectRetention", Object, ObjectLockHeaders},
			{"s3:PutObjectLegalHold", Object, LegalHoldHeader},
		},
		Keys: concatKeys(writeKeys, conditionalWriteKeys),
		KMS:  []KMSCall{{"kms:GenerateDataKey", DestinationKey, Always, srcKMSPut}},
		Spec: "docs/authorization.md §2.2 PutObject, §3.1"},
	{Name: "CopyObject", Service: "s3", HTTP: "PUT /{Bucket}/{Key} + x-amz-copy-source",
		Permissions: []Permission{
			{"s3:GetObject", SourceObject, SourceNoVersionID},
			{"s3:GetObjectVersion", SourceObject, SourceVersionID},
			{"s3:PutObject", Object, Always},
			{"s3:GetObject", Object, IfMatchHeader},
			{"s3:PutObjectAcl", Object, ACLHeaders},
			{"s3:PutObjectTagging", Object, TaggingHeader},
			{"s3:PutObjectRetention", Object, ObjectLockHeaders},
			{"s3:PutObjectLegalHold", Object, LegalHoldHeader},
			// Copying the source's tags reads them and writes them
			// (docs/authorization.md §2.2 CopyObject, docs/decisions.md #56).
			{"s3:GetObjectTagging", SourceObject, SourceTagsCopiedNoVersionID},
			{"s3:GetObjectVersionTagging", SourceObject, SourceTagsCopiedVersionID},
			{"s3:PutObjectTagging", Object, SourceTagsCopied},
		},
		Keys: concatKeys(copyKeys, conditionalWriteKeys),
		KMS: []KMSCall{
			{"kms:Decrypt", SourceKey, Always, "docs/authorization.md §3.1 CopyObject [DERIVED]: reading the source needs kms:Decrypt on its key"},
			{"kms:GenerateDataKey", DestinationKey, Always, "docs/authorization.md §3.1 CopyObject [DERIVED]: writing the destination needs kms:GenerateDataKey"},
		},
		Spec: "docs/authorization.md §2.2 CopyObject, §3.1",
		Note: "read access to the source object and write access to the destination; errors may come inside a 200 OK body"},
	{Name: "DeleteObject", Service: "s3", HTTP: "DELETE /{Bucket}/{Key}",
		Permissions: []Permission{{"s3:DeleteObject", Object, NoVersionID}, {"s3:DeleteObjectVersion", Object, VersionID}},
		Keys:        append([]ConditionKey{{"s3:if-match", "header:If-Match"}}, versionKey...),
		Spec:        "docs/authorization.md §2.2 DeleteObject"},
	{Name: "DeleteObjects", Service: "s3", HTTP: "POST /{Bucket}?delete",
		Permissions: []Permission{{"s3:DeleteObject", Object, NoVersionID}, {"s3:DeleteObjectVersion", Object, VersionID}},
		Spec:        "docs/authorization.md §2.2 DeleteObjects", Note: "checked per key; each key gets its own result"},
	{Name: "CreateMultipartUpload", Service: "s3", HTTP: "POST /{Bucket}/{Key}?uploads",
		Permissions: []Permission{
			{"s3:PutObject", Object, Always},
			{"s3:PutObjectAcl", Object, ACLHeaders},
			{"s3:PutObjectTagging", Object, TaggingHeader},
			{"s3:PutObjectRetention", Object, ObjectLockHeaders},
			{"s3:PutObjectLegalHold", Object, LegalHoldHeader},
		},
		Keys: concatKeys(writeKeys, uploadStepKeys),
		KMS:  []KMSCall{{"kms:GenerateDataKey", DestinationKey, Always, srcKMSMPU}},
		Spec: "docs/authorization.md §2.2 CreateMultipartUpload, §3.1"},
	{Name: "UploadPart", Service: "s3", HTTP: "PUT /{Bucket}/{Key}?partNumber&uploadId",
		Permissions: []Permission{{"s3:PutObject", Object, Always}},
		Keys:        uploadStepKeys,
		KMS:         []KMSCall{{"kms:Decrypt", DestinationKey, Always, srcKMSPart}},
		Spec:        "docs/authorization.md §2.2 UploadPart, §3.1"},
	{Name: "UploadPartCopy", Service: "s3", HTTP: "PUT /{Bucket}/{Key}?partNumber&uploadId + x-amz-copy-source",
		Permissions: []Permission{
			{"s3:GetObject", SourceObject, SourceNoVersionID},
			{"s3:GetObjectVersion", SourceObject, SourceVersionID},
			{"s3:PutObject", Object, Always},
		},
		Keys: concatKeys([]ConditionKey{{"s3:x-amz-copy-source", "header:x-amz-copy-source"}}, uploadStepKeys),
		KMS: []KMSCall{
			{"kms:Decrypt", SourceKey, Always, "docs/authorization.md §3.1 UploadPartCopy [DERIVED]: reading the source"},
			{"kms:Decrypt", DestinationKey, Always, srcKMSPart},
		},
		Spec: "docs/authorization.md §2.2 UploadPartCopy, §3.1",
		Note: "the destination upload's key needs kms:Decrypt: the seed 003 failure"},
	{Name: "CompleteMultipartUpload", Service: "s3", HTTP: "POST /{Bucket}/{Key}?uploadId",
		Permissions: []Permission{{"s3:PutObject", Object, Always}, {"s3:GetObject", Object, IfMatchHeader}},
		Keys:        conditionalWriteKeys,
		KMS:         []KMSCall{{"kms:Decrypt", DestinationKey, Checksum, "docs/authorization.md §3.1 CompleteMultipartUpload: with an additional checksum"}},
		Spec:        "docs/authorization.md §2.2 CompleteMultipartUpload, §3.1"},
	{Name: "AbortMultipartUpload", Service: "s3", HTTP: "DELETE /{Bucket}/{Key}?uploadId",
		Permissions: []Permission{{"s3:AbortMultipartUpload", Object, Always}},
		Spec:        "docs/authorization.md §2.2 AbortMultipartUpload", Note: "clients call it after a failed multipart upload"},
	{Name: "ListParts", Service: "s3", HTTP: "GET /{Bucket}/{Key}?uploadId",
		Permissions: []Permission{{"s3:ListMultipartUploadParts", Object, Always}},
		KMS:         []KMSCall{{"kms:Decrypt", DestinationKey, Always, "docs/authorization.md §3.1 ListParts"}},
		Spec:        "docs/authorization.md §2.2 ListParts, §3.1"},
	{Name: "GetObjectTagging", Service: "s3", HTTP: "GET /{Bucket}/{Key}?tagging",
		Permissions: []Permission{{"s3:GetObjectTagging", Object, NoVersionID}, {"s3:GetObjectVersionTagging", Object, VersionID}},
		Keys:        append(append([]ConditionKey{}, versionKey...), existingTagKeys...),
		Spec:        "docs/authorization.md §2.2 GetObjectTagging"},
	{Name: "PutObjectTagging", Service: "s3", HTTP: "PUT /{Bucket}/{Key}?tagging",
		Permissions: []Permission{{"s3:PutObjectTagging", Object, NoVersionID}, {"s3:PutObjectVersionTagging", Object, VersionID}},
		Keys:        append(append([]ConditionKey{{"s3:RequestObjectTagKeys", "body: tag keys"}}, versionKey...), existingTagKeys...),
		Spec:        "docs/authorization.md §2.2 PutObjectTagging"},
	{Name: "DeleteObjectTagging", Service: "s3", HTTP: "DELETE /{Bucket}/{Key}?tagging",
		Permissions: []Permission{{"s3:DeleteObjectTagging", Object, NoVersionID}, {"s3:DeleteObjectVersionTagging", Object, VersionID}},
		Keys:        append(append([]ConditionKey{}, versionKey...), existingTagKeys...),
		Spec:        "SAR DeleteObjectTagging"},
	{Name: "GetObjectAcl", Service: "s3", HTTP: "GET /{Bucket}/{Key}?acl",
		Permissions: []Permission{{"s3:GetObjectAcl", Object, NoVersionID}, {"s3:GetObjectVersionAcl", Object, VersionID}},
		Keys:        append(append([]ConditionKey{}, versionKey...), existingTagKeys...),
		Spec:        "docs/authorization.md §2.2 GetObjectAcl", Note: "with BucketOwnerEnforced it returns FULL_CONTROL for the bucket owner"},
	{Name: "PutObjectAcl", Service: "s3", HTTP: "PUT /{Bucket}/{Key}?acl",
		Permissions: []Permission{{"s3:PutObjectAcl", Object, NoVersionID}, {"s3:PutObjectVersionAcl", Object, VersionID}},
		Keys:        append(append(append([]ConditionKey{}, writeKeys[:6]...), versionKey...), existingTagKeys...),
		Spec:        "docs/authorization.md §2.2 PutObjectAcl", Note: "with BucketOwnerEnforced only bucket-owner-full-control is accepted"},
	{Name: "GetObjectAttributes", Service: "s3", HTTP: "GET /{Bucket}/{Key}?attributes",
		Permissions: []Permission{
			{"s3:GetObject", Object, NoVersionID}, {"s3:GetObjectAttributes", Object, NoVersionID},
			{"s3:GetObjectVersion", Object, VersionID}, {"s3:GetObjectVersionAttributes", Object, VersionID},
		},
		Keys: append(append([]ConditionKey{}, versionKey...), existingTagKeys...),
		Spec: "docs/authorization.md §2.2 GetObjectAttributes"},

	// --- S3 Control: S3 Batch Operations jobs (docs/emulator.md "S3 Batch
	// Operations"). The IAM actions are s3: actions, signed for s3; the
	// rows are of their own service so that no S3 bucket route takes
	// them. CreateJob needs s3:CreateJob and iam:PassRole on the job's
	// role (docs/authorization.md §2.2 CreateJob). ---
	{Name: "CreateJob", Service: "s3control", HTTP: "POST /v20180820/jobs",
		Permissions: []Permission{{"s3:CreateJob", AnyResource, Always}, {"iam:PassRole", IAMRole, Always}},
		Keys:        []ConditionKey{{"iam:PassedToService", "value:batchoperations.s3.amazonaws.com (on iam:PassRole)"}},
		Spec:        "docs/authorization.md §2.2 CreateJob",
		Note:        "iam:PassRole is checked on the job's RoleArn"},
	{Name: "DescribeJob", Service: "s3control", HTTP: "GET /v20180820/jobs/{id}",
		Permissions: []Permission{{"s3:DescribeJob", BatchJob, Always}}, Spec: "docs/authorization.md §2.2 DescribeJob"},
	{Name: "ListJobs", Service: "s3control", HTTP: "GET /v20180820/jobs",
		Permissions: []Permission{{"s3:ListJobs", AnyResource, Always}}, Spec: "docs/authorization.md §2.2 ListJobs"},
	{Name: "UpdateJobStatus", Service: "s3control", HTTP: "POST /v20180820/jobs/{id}/status?requestedJobStatus",
		Permissions: []Permission{{"s3:UpdateJobStatus", BatchJob, Always}}, Spec: "docs/authorization.md §2.2 UpdateJobStatus"},
	{Name: "UpdateJobPriority", Service: "s3control", HTTP: "POST /v20180820/jobs/{id}/priority?priority",
		Permissions: []Permission{{"s3:UpdateJobPriority", BatchJob, Always}}, Spec: "docs/authorization.md §2.2 UpdateJobPriority"},

	// --- STS ---
	{Name: "GetCallerIdentity", Service: "sts", HTTP: "POST / Action=GetCallerIdentity",
		Spec: "AWS STS API reference: no permission is required", Note: "always allowed, even under an explicit deny"},
	{Name: "AssumeRole", Service: "sts", HTTP: "POST / Action=AssumeRole",
		Permissions: []Permission{{"sts:AssumeRole", IAMRole, Always}},
		Keys:        []ConditionKey{{"sts:RoleSessionName", "RoleSessionName"}, {"sts:ExternalId", "ExternalId"}},
		Spec:        "docs/authorization.md §1.3 Exceptions: the trust policy must allow the caller", Note: "cross-account also needs the caller's IAM allow"},

	// --- IAM (enough to replay the seeds with aws iam) ---
	{Name: "CreateUser", Service: "iam", HTTP: "POST / Action=CreateUser",
		Permissions: []Permission{{"iam:CreateUser", IAMUser, Always}}, Spec: "SAR iam:CreateUser"},
	{Name: "CreateAccessKey", Service: "iam", HTTP: "POST / Action=CreateAccessKey",
		Permissions: []Permission{{"iam:CreateAccessKey", IAMUser, Always}}, Spec: "SAR iam:CreateAccessKey"},
	{Name: "CreateRole", Service: "iam", HTTP: "POST / Action=CreateRole",
		Permissions: []Permission{{"iam:CreateRole", IAMRole, Always}}, Spec: "SAR iam:CreateRole"},
	{Name: "PutUserPolicy", Service: "iam", HTTP: "POST / Action=PutUserPolicy",
		Permissions: []Permission{{"iam:PutUserPolicy", IAMUser, Always}}, Spec: "SAR iam:PutUserPolicy"},
	{Name: "GetUserPolicy", Service: "iam", HTTP: "POST / Action=GetUserPolicy",
		Permissions: []Permission{{"iam:GetUserPolicy", IAMUser, Always}}, Spec: "SAR iam:GetUserPolicy"},
	{Name: "DeleteUserPolicy", Service: "iam", HTTP: "POST / Action=DeleteUserPolicy",
		Permissions: []Permission{{"iam:DeleteUserPolicy", IAMUser, Always}}, Spec: "SAR iam:DeleteUserPolicy"},
	{Name: "PutRolePolicy", Service: "iam", HTTP: "POST / Action=PutRolePolicy",
		Permissions: []Permission{{"iam:PutRolePolicy", IAMRole, Always}}, Spec: "SAR iam:PutRolePolicy"},
	{Name: "GetRolePolicy", Service: "iam", HTTP: "POST / Action=GetRolePolicy",
		Permissions: []Permission{{"iam:GetRolePolicy", IAMRole, Always}}, Spec: "SAR iam:GetRolePolicy"},
	{Name: "DeleteRolePolicy", Service: "iam", HTTP: "POST / Action=DeleteRolePolicy",
		Permissions: []Permission{{"iam:DeleteRolePolicy", IAMRole, Always}}, Spec: "SAR iam:DeleteRolePolicy"},
	{Name: "PutUserPermissionsBoundary", Service: "iam", HTTP: "POST / Action=PutUserPermissionsBoundary",
		Permissions: []Permission{{"iam:PutUserPermissionsBoundary", IAMUser, Always}}, Spec: "SAR"},
	{Name: "DeleteUserPermissionsBoundary", Service: "iam", HTTP: "POST / Action=DeleteUserPermissionsBoundary",
		Permissions: []Permission{{"iam:DeleteUserPermissionsBoundary", IAMUser, Always}}, Spec: "SAR"},
	{Name: "PutRolePermissionsBoundary", Service: "iam", HTTP: "POST / Action=PutRolePermissionsBoundary",
		Permissions: []Permission{{"iam:PutRolePermissionsBoundary", IAMRole, Always}}, Spec: "SAR"},
	{Name: "DeleteRolePermissionsBoundary", Service: "iam", HTTP: "POST / Action=DeleteRolePermissionsBoundary",
		Permissions: []Permission{{"iam:DeleteRolePermissionsBoundary", IAMRole, Always}}, Spec: "SAR"},
	{Name: "GetAccountAuthorizationDetails", Service: "iam", HTTP: "POST / Action=GetAccountAuthorizationDetails",
		Permissions: []Permission{{"iam:GetAccountAuthorizationDetails", AnyResource, Always}}, Spec: "SAR iam:GetAccountAuthorizationDetails"},
	{Name: "ListPolicies", Service: "iam", HTTP: "POST / Action=ListPolicies",
		Permissions: []Permission{{"iam:ListPolicies", AnyResource, Always}}, Spec: "SAR iam:ListPolicies"},
	{Name: "GetPolicyVersion", Service: "iam", HTTP: "POST / Action=GetPolicyVersion",
		Permissions: []Permission{{"iam:GetPolicyVersion", IAMPolicy, Always}}, Spec: "SAR iam:GetPolicyVersion"},

	// --- KMS (direct calls) ---
	{Name: "CreateKey", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.CreateKey",
		Permissions: []Permission{{"kms:CreateKey", AnyResource, Always}}, Spec: "SAR kms:CreateKey"},
	{Name: "DescribeKey", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.DescribeKey",
		Permissions: []Permission{{"kms:DescribeKey", KMSKey, Always}}, Spec: "docs/authorization.md §3.4"},
	{Name: "GetKeyPolicy", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.GetKeyPolicy",
		Permissions: []Permission{{"kms:GetKeyPolicy", KMSKey, Always}}, Spec: "docs/authorization.md §3.4"},
	{Name: "PutKeyPolicy", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.PutKeyPolicy",
		Permissions: []Permission{{"kms:PutKeyPolicy", KMSKey, Always}}, Spec: "docs/authorization.md §3.4"},
	{Name: "CreateAlias", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.CreateAlias",
		Permissions: []Permission{{"kms:CreateAlias", KMSAlias, Always}, {"kms:CreateAlias", KMSKey, Always}},
		Spec:        "SAR kms:CreateAlias: both the alias and the key"},
	{Name: "ListAliases", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.ListAliases",
		Permissions: []Permission{{"kms:ListAliases", AnyResource, Always}}, Spec: "SAR kms:ListAliases"},
	{Name: "ListKeys", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.ListKeys",
		Permissions: []Permission{{"kms:ListKeys", AnyResource, Always}}, Spec: "SAR kms:ListKeys"},
	{Name: "Encrypt", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.Encrypt",
		Permissions: []Permission{{"kms:Encrypt", KMSKey, Always}}, Spec: "docs/authorization.md §3.4, §3.5"},
	{Name: "Decrypt", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.Decrypt",
		Permissions: []Permission{{"kms:Decrypt", KMSKey, Always}}, Spec: "docs/authorization.md §3.4, §3.5"},
	{Name: "GenerateDataKey", Service: "kms", HTTP: "POST / X-Amz-Target: TrentService.GenerateDataKey",
		Permissions: []Permission{{"kms:GenerateDataKey", KMSKey, Always}}, Spec: "docs/authorization.md §3.4, §3.5"},

	// --- Organizations (read calls, from the management account) ---
	{Name: "DescribeOrganization", Service: "organizations", HTTP: "POST / X-Amz-Target: AWSOrganizationsV20161128.DescribeOrganization",
		Permissions: []Permission{{"organizations:DescribeOrganization", AnyResource, Always}}, Spec: "SAR organizations:DescribeOrganization; docs/emulator.md Organizations"},
	{Name: "ListAccounts", Service: "organizations", HTTP: "POST / X-Amz-Target: AWSOrganizationsV20161128.ListAccounts",
		Permissions: []Permission{{"organizations:ListAccounts", AnyResource, Always}}, Spec: "SAR organizations:ListAccounts; docs/emulator.md Organizations"},
	{Name: "ListRoots", Service: "organizations", HTTP: "POST / X-Amz-Target: AWSOrganizationsV20161128.ListRoots",
		Permissions: []Permission{{"organizations:ListRoots", AnyResource, Always}}, Spec: "SAR organizations:ListRoots; docs/emulator.md Organizations"},
	{Name: "ListOrganizationalUnitsForParent", Service: "organizations", HTTP: "POST / X-Amz-Target: AWSOrganizationsV20161128.ListOrganizationalUnitsForParent",
		Permissions: []Permission{{"organizations:ListOrganizationalUnitsForParent", AnyResource, Always}}, Spec: "SAR organizations:ListOrganizationalUnitsForParent; docs/emulator.md Organizations", Note: orgStar},
	{Name: "ListAccountsForParent", Service: "organizations", HTTP: "POST / X-Amz-Target: AWSOrganizationsV20161128.ListAccountsForParent",
		Permissions: []Permission{{"organizations:ListAccountsForParent", AnyResource, Always}}, Spec: "SAR organizations:ListAccountsForParent; docs/emulator.md Organizations", Note: orgStar},
	{Name: "ListPolicies", Service: "organizations", HTTP: "POST / X-Amz-Target: AWSOrganizationsV20161128.ListPolicies",
		Permissions: []Permission{{"organizations:ListPolicies", AnyResource, Always}}, Spec: "SAR organizations:ListPolicies; docs/emulator.md Organizations"},
	{Name: "DescribePolicy", Service: "organizations", HTTP: "POST / X-Amz-Target: AWSOrganizationsV20161128.DescribePolicy",
		Permissions: []Permission{{"organizations:DescribePolicy", AnyResource, Always}}, Spec: "SAR organizations:DescribePolicy; docs/emulator.md Organizations", Note: orgStar},
	{Name: "ListTargetsForPolicy", Service: "organizations", HTTP: "POST / X-Amz-Target: AWSOrganizationsV20161128.ListTargetsForPolicy",
		Permissions: []Permission{{"organizations:ListTargetsForPolicy", AnyResource, Always}}, Spec: "SAR organizations:ListTargetsForPolicy; docs/emulator.md Organizations", Note: orgStar},
}
