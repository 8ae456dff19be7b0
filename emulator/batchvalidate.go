package emulator

import (
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
)

// Validation of a CreateJob document (docs/emulator.md "S3 Batch
// Operations"): the shapes and enumerations of the S3 Control API
// reference; the parts the emulator does not run are refused by name
// with NotImplemented.

func checkRoleARN(roleARN string) error {
	switch _, _, ok := arn.Role(roleARN); {
	case roleARN == "":
		return errJobRequest("RoleArn", "the job's IAM role is required")
	case !ok:
		return errJobRequest("RoleArn", "%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", roleARN)
	}
	return nil
}

// S3 storage classes a copy may name (the S3StorageClass enumeration).
var jobStorageClasses = []string{"STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"}

// checkCreateJob validates everything of the request but its role, and
// returns its S3PutObjectCopy operation.
func checkCreateJob(req *createJobXML) (*putObjectCopyXML, error) {
	switch t := req.ClientRequestToken; {
	case t == "":
		return nil, errJobRequest("ClientRequestToken", "an idempotency token is required")
	case len(t) > 64:
		return nil, errJobRequest("ClientRequestToken", "must be at most 64 characters")
	}
	if req.Priority == nil {
		return nil, errJobRequest("Priority", "the job's priority is required")
	}
	if *req.Priority < 0 {
		return nil, errJobRequest("Priority", "%d is negative: a priority is from 0 to 2147483647", *req.Priority)
	}
	if len(req.Description) > 256 {
		return nil, errJobRequest("Description", "must be at most 256 characters")
	}
	if req.Tags != nil {
		return nil, errNotImplemented("CreateJob Tags (job tags)")
	}
	if req.ManifestGenerator != nil {
		return nil, errNotImplemented("CreateJob ManifestGenerator (a manifest S3 generates)")
	}
	if err := checkManifest(req.Manifest); err != nil {
		return nil, err
	}
	if err := checkReport(req.Report); err != nil {
		return nil, err
	}
	return checkOperation(req.Operation)
}

func checkManifest(m *jobManifestXML) error {
	if m == nil {
		return errJobRequest("Manifest", "a manifest is required")
	}
	switch m.Spec.Format {
	case "S3BatchOperations_CSV_20180820":
	case "S3InventoryReport_CSV_20161130":
		return errNotImplemented("Manifest.Spec.Format S3InventoryReport_CSV_20161130 (an S3 Inventory report manifest)")
	default:
		return errJobRequest("Manifest.Spec.Format", "%q is not S3BatchOperations_CSV_20180820 or S3InventoryReport_CSV_20161130", m.Spec.Format)
	}
	f := strings.Join(m.Spec.Fields, ",")
	if f != "Bucket,Key" && f != "Bucket,Key,VersionId" {
		return errJobRequest("Manifest.Spec.Fields", "a CSV manifest's fields are Bucket, Key and optionally VersionId, in that order; found %q", f)
	}
	if _, _, ok := arn.S3Object(m.Location.ObjectArn); !ok {
		return errJobRequest("Manifest.Location.ObjectArn", "%q is not an S3 object ARN (arn:aws:s3:::BUCKET/KEY)", m.Location.ObjectArn)
	}
	if m.Location.ETag == "" {
		return errJobRequest("Manifest.Location.ETag", "the manifest object's ETag is required")
	}
	return nil
}

func checkReport(r *jobReportXML) error {
	if r == nil {
		return errJobRequest("Report", "a report configuration is required (Enabled false for none)")
	}
	if !r.Enabled {
		return nil
	}
	if _, ok := arn.S3Bucket(r.Bucket); !ok {
		return errJobRequest("Report.Bucket", "%q is not an S3 bucket ARN (arn:aws:s3:::BUCKET)", r.Bucket)
	}
	if r.Format != "Report_CSV_20180820" {
		return errJobRequest("Report.Format", "%q is not Report_CSV_20180820", r.Format)
	}
	if r.ReportScope != "AllTasks" && r.ReportScope != "FailedTasksOnly" {
		return errJobRequest("Report.ReportScope", "%q is not AllTasks or FailedTasksOnly", r.ReportScope)
	}
	if r.ExpectedBucketOwner != "" {
		return errNotImplemented("Report.ExpectedBucketOwner")
	}
	return nil
}

func checkOperation(op *jobOperationXML) (*putObjectCopyXML, error) {
	if op == nil {
		return nil, errJobRequest("Operation", "an operation is required")
	}
	if len(op.Other) > 0 {
		return nil, errNotImplemented("Operation " + op.Other[0].Local + " (the emulator runs S3PutObjectCopy jobs)")
	}
	cp := op.S3PutObjectCopy
	if cp == nil {
		return nil, errJobRequest("Operation", "exactly one operation is required")
	}
	if _, ok := arn.S3Bucket(cp.TargetResource); !ok {
		return nil, errJobRequest("Operation.S3PutObjectCopy.TargetResource", "%q is not an S3 bucket ARN (arn:aws:s3:::BUCKET)", cp.TargetResource)
	}
	if len(cp.TargetKeyPrefix) > 1024 {
		return nil, errJobRequest("Operation.S3PutObjectCopy.TargetKeyPrefix", "must be at most 1024 characters")
	}
	if cp.MetadataDirective != "" && cp.MetadataDirective != "COPY" && cp.MetadataDirective != "REPLACE" {
		return nil, errJobRequest("Operation.S3PutObjectCopy.MetadataDirective", "%q is not COPY or REPLACE", cp.MetadataDirective)
	}
	if cp.StorageClass != "" && !contains(jobStorageClasses, cp.StorageClass) {
		return nil, errJobRequest("Operation.S3PutObjectCopy.StorageClass", "%q is not one of %s", cp.StorageClass, strings.Join(jobStorageClasses, ", "))
	}
	if m := cp.NewObjectMetadata; m != nil {
		for name, v := range map[string]string{"ContentLength": m.ContentLength, "ContentMD5": m.ContentMD5, "HttpExpiresDate": m.HttpExpiresDate,
			"SSEAlgorithm": m.SSEAlgorithm} {
			if v != "" {
				return nil, errNotImplemented("Operation.S3PutObjectCopy.NewObjectMetadata." + name)
			}
		}
		if m.RequesterCharged == "true" {
			return nil, errNotImplemented("Operation.S3PutObjectCopy.NewObjectMetadata.RequesterCharged")
		}
	}
	for name, set := range map[string]bool{
		"AccessControlGrants": cp.AccessControlGrants != nil, "BucketKeyEnabled": cp.BucketKeyEnabled == "true",
		"CannedAccessControlList": cp.CannedAccessControlList != "", "ChecksumAlgorithm": cp.ChecksumAlgorithm != "",
		"ModifiedSinceConstraint":   cp.ModifiedSinceConstraint != "",
		"ObjectLockLegalHoldStatus": cp.ObjectLockLegalHoldStatus != "", "ObjectLockMode": cp.ObjectLockMode != "",
		"ObjectLockRetainUntilDate": cp.ObjectLockRetainUntilDate != "", "RedirectLocation": cp.RedirectLocation != "",
		"RequesterPays":             cp.RequesterPays == "true",
		"UnModifiedSinceConstraint": cp.UnModifiedSinceConstraint != "",
	} {
		if set {
			return nil, errNotImplemented("Operation.S3PutObjectCopy." + name + " (the emulator runs TargetResource, TargetKeyPrefix, StorageClass, MetadataDirective, NewObjectMetadata, NewObjectTagging and SSEAwsKmsKeyId)")
		}
	}
	if t := cp.NewObjectTagging; t != nil {
		for i, tag := range t.Tags {
			if tag.Key == "" {
				return nil, errJobRequest("Operation.S3PutObjectCopy.NewObjectTagging", "tag %d has no Key", i+1)
			}
		}
	}
	return cp, nil
}
