package s3ops

// ViaService is the kms:ViaService value of the KMS calls S3 makes in a
// region (docs/authorization.md §3.5).
func ViaService(region string) string { return "s3." + region + ".amazonaws.com" }

// EncryptionContext returns the value of the aws:s3:arn encryption context
// pair S3 passes to KMS (docs/authorization.md §3.2): the object ARN, or the bucket ARN when
// an S3 Bucket Key is in use.
func EncryptionContext(bucket, key string, bucketKey bool) string {
	if bucketKey {
		return "arn:aws:s3:::" + bucket
	}
	return "arn:aws:s3:::" + bucket + "/" + key
}

// KMSContextKeys returns the operation condition keys of a KMS call S3
// makes for a caller (docs/authorization.md §3.5):
// kms:EncryptionContext:aws:s3:arn with kms:EncryptionContextKeys, and
// kms:EncryptionAlgorithm. kms:ViaService, kms:CallerAccount and
// aws:ViaAWSService come from the request context catalogue (authz.Env
// ViaService).
func KMSContextKeys(bucket, key string, bucketKey bool) map[string][]string {
	return map[string][]string{
		"kms:EncryptionContext:aws:s3:arn": {EncryptionContext(bucket, key, bucketKey)},
		"kms:EncryptionContextKeys":        {"aws:s3:arn"},
		"kms:EncryptionAlgorithm":          {"SYMMETRIC_DEFAULT"},
	}
}
