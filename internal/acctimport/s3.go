package acctimport

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/world"
)

// s3BucketsFile reads the S3 outputs that place buckets: list-buckets
// (the buckets of an account) and get-bucket-location (its region), read
// before the other bucket-level outputs, which need both.
func (im *importer) s3BucketsFile(f *file) (bool, error) {
	switch {
	case f.has("Buckets") && (f.has("Owner") || f.command == "list-buckets"):
		var buckets []struct{ Name, BucketRegion string }
		if err := f.decode("Buckets", &buckets); err != nil {
			return false, err
		}
		account, err := im.accountOf(f)
		if err != nil {
			return false, err
		}
		a := im.account(account)
		for _, b := range buckets {
			bm := im.bucket(a, b.Name)
			if b.BucketRegion != "" {
				bm.Region = b.BucketRegion
			}
		}
		im.report.read(f, fmt.Sprintf("list-buckets of account %s: %d buckets", account, len(buckets)))
		return true, nil
	case f.has("LocationConstraint") || f.command == "get-bucket-location":
		var loc *string
		if f.has("LocationConstraint") {
			if err := f.decode("LocationConstraint", &loc); err != nil {
				return false, err
			}
		}
		b, err := im.namedBucket(f)
		if err != nil {
			return false, err
		}
		b.Region = bucketRegion(loc)
		im.regions[b.Region] = true
		im.report.read(f, "get-bucket-location of "+b.Name+": "+b.Region)
		return true, nil
	}
	return false, nil
}

// s3File reads the bucket-level outputs, whose bucket is named by the
// file (docs/import.md).
func (im *importer) s3File(f *file) (bool, error) {
	switch {
	case f.has("Policy") && f.command == "get-bucket-policy":
		b, err := im.namedBucket(f)
		if err != nil {
			return false, err
		}
		d, err := fieldDoc(f, f.top["Policy"], "bucket policy of "+b.Name)
		if err != nil {
			return false, err
		}
		b.Policy = &d
		im.report.read(f, "get-bucket-policy of "+b.Name)
		return true, nil
	case f.has("ServerSideEncryptionConfiguration"):
		return im.bucketEncryption(f)
	case f.command == "get-bucket-versioning" || f.has("Status", "MFADelete"):
		return im.bucketVersioning(f)
	case f.has("OwnershipControls"):
		var oc struct {
			Rules []struct{ ObjectOwnership string }
		}
		if err := f.decode("OwnershipControls", &oc); err != nil {
			return false, err
		}
		b, err := im.namedBucket(f)
		if err != nil {
			return false, err
		}
		if len(oc.Rules) != 1 {
			return false, fmt.Errorf("%s: OwnershipControls has %d rules; S3 has exactly one", f.path, len(oc.Rules))
		}
		b.Ownership = oc.Rules[0].ObjectOwnership
		if b.Ownership == world.BucketOwnerEnforced {
			b.Ownership = "" // the world's default
		}
		im.report.read(f, "get-bucket-ownership-controls of "+b.Name)
		return true, nil
	}
	return false, nil
}

// bucketRegion reads GetBucketLocation's LocationConstraint: "Buckets in
// Region us-east-1 have a LocationConstraint of null", and "EU" is the
// legacy name of eu-west-1 (API_GetBucketLocation.html).
func bucketRegion(loc *string) string {
	switch {
	case loc == nil || *loc == "":
		return "us-east-1"
	case *loc == "EU":
		return "eu-west-1"
	}
	return *loc
}

// bucketEncryption reads get-bucket-encryption: SSE-KMS with a key
// becomes the bucket's kms_key, SSE-KMS without one the account's AWS
// managed key aws/s3, SSE-S3 the world's default (no encryption field).
func (im *importer) bucketEncryption(f *file) (bool, error) {
	var sse struct {
		Rules []struct {
			ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm, KMSMasterKeyID string }
			BucketKeyEnabled                   bool
		}
	}
	if err := f.decode("ServerSideEncryptionConfiguration", &sse); err != nil {
		return false, err
	}
	b, err := im.namedBucket(f)
	if err != nil {
		return false, err
	}
	if len(sse.Rules) == 0 {
		return false, fmt.Errorf("%s: ServerSideEncryptionConfiguration has no rule", f.path)
	}
	rule := sse.Rules[0].ApplyServerSideEncryptionByDefault
	account, _ := im.bucketAccount(b.Name)
	switch rule.SSEAlgorithm {
	case "AES256":
		b.Encryption = nil
	case "aws:kms", "aws:kms:dsse":
		key := rule.KMSMasterKeyID
		region := b.Region
		if region == "" {
			region = im.opts.Region
		}
		if region == "" {
			region = "us-east-1"
		}
		switch {
		case key == "":
			key = "arn:aws:kms:" + region + ":" + account + ":alias/aws/s3"
		case strings.HasPrefix(key, "alias/"):
			key = "arn:aws:kms:" + region + ":" + account + ":" + key
		case !strings.HasPrefix(key, "arn:"):
			key = "arn:aws:kms:" + region + ":" + account + ":key/" + key
		}
		b.Encryption = &world.EncryptionModel{KMSKey: key, BucketKey: sse.Rules[0].BucketKeyEnabled}
		if rule.SSEAlgorithm == "aws:kms:dsse" {
			im.report.warn("%s: bucket %s encrypts with DSSE-KMS, read as SSE-KMS with the same key (the KMS permissions are the same)", f.path, b.Name)
		}
	default:
		return false, fmt.Errorf("%s: SSEAlgorithm %q is not one S3 documents (AES256, aws:kms, aws:kms:dsse)", f.path, rule.SSEAlgorithm)
	}
	im.report.read(f, "get-bucket-encryption of "+b.Name)
	return true, nil
}

// bucketVersioning reads get-bucket-versioning: Status Enabled or
// Suspended is the bucket's versioning; no Status (a bucket whose
// versioning was never set) leaves the world's default, unversioned
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html:
// "If the versioning state has never been set on a bucket, it has no
// versioning state; a GetBucketVersioning request does not return a
// versioning state value.").
func (im *importer) bucketVersioning(f *file) (bool, error) {
	var v struct{ Status, MFADelete string }
	for field, dst := range map[string]*string{"Status": &v.Status, "MFADelete": &v.MFADelete} {
		if f.has(field) {
			if err := f.decode(field, dst); err != nil {
				return false, err
			}
		}
	}
	b, err := im.namedBucket(f)
	if err != nil {
		return false, err
	}
	switch v.Status {
	case "":
	case world.VersioningEnabled, world.VersioningSuspended:
		b.Versioning = v.Status
	default:
		return false, fmt.Errorf("%s: Status %q is not a versioning state S3 documents (Enabled, Suspended)", f.path, v.Status)
	}
	if v.MFADelete == "Enabled" {
		im.report.warn("%s: bucket %s has MFA delete enabled; lockstep does not emulate it (deletes of versions need no MFA here)", f.path, b.Name)
	}
	im.report.read(f, "get-bucket-versioning of "+b.Name+": "+cmp.Or(v.Status, "never versioned"))
	return true, nil
}

// namedBucket is the bucket a bucket-level output is about, named by
// the file, in the account the file belongs to.
func (im *importer) namedBucket(f *file) (*world.BucketModel, error) {
	name := f.resource
	if !world.ValidBucketName(name) {
		return nil, fmt.Errorf("%s: which bucket is it of? Name the file BUCKET.%s.json or put it in a directory named by the bucket (%q is not a bucket name)", f.path, commandOr(f, "get-bucket-policy"), name)
	}
	if id, ok := im.bucketAccount(name); ok {
		return im.bucket(im.account(id), name), nil
	}
	account, err := im.accountOf(f)
	if err != nil {
		return nil, err
	}
	return im.bucket(im.account(account), name), nil
}

// bucketAccount finds the account that holds a bucket already.
func (im *importer) bucketAccount(name string) (string, bool) {
	for _, id := range im.order {
		for _, b := range im.accounts[id].Buckets {
			if b.Name == name {
				return id, true
			}
		}
	}
	return "", false
}

// bucket returns the bucket model of a, created on first use.
func (im *importer) bucket(a *world.AccountModel, name string) *world.BucketModel {
	for i := range a.Buckets {
		if a.Buckets[i].Name == name {
			return &a.Buckets[i]
		}
	}
	a.Buckets = append(a.Buckets, world.BucketModel{Name: name})
	return &a.Buckets[len(a.Buckets)-1]
}

func commandOr(f *file, c string) string {
	if f.command != "" {
		return f.command
	}
	return c
}
