// Package explain reads an access-denied error as users paste it (AWS CLI,
// boto3, the Go SDK, rclone, KMS) and says which permissions can cause it,
// most likely first, each with the reason. The reasons come from the one
// operation catalogue, package s3ops: the operation's IAM actions, the
// actions its request headers add, and the KMS calls S3 makes for SSE-KMS
// objects. It also knows the client surprises of
// ../shared/reference/sync-clients.md (rclone's CreateBucket, AWS CLI v2's
// GetObjectTagging on multipart copies) and the authorization rules of
// docs/authorization.md (403 instead of 404 without
// s3:ListBucket, §2.4; plain "Access Denied" across accounts, §4.2; the
// aws/s3 key across accounts, §3.3; the KMS-via-S3 message form, §3.6).
//
// When the error carries AWS's detailed message ("User: ARN is not
// authorized to perform: ACTION on resource: ARN because no X policy
// allows ..."), the cause is exact. Given a world (package world) and the
// caller, Explain evaluates every candidate with the engine (package
// enforce) and pinpoints the denied permission, the policy and statement
// that decided, and the smallest policy change that allows it.
//
// Parse reads the error text alone; ParseCommand reads the client command
// line (aws s3, rclone, s5cmd) to learn the buckets and keys; Explain puts
// them together; Explanation.WriteText and encoding/json render it.
package explain
