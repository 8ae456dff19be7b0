// Package explain reads an access-denied error as users paste it (AWS CLI,
// boto3, the Go SDK, rclone, s5cmd, KMS) and says which permissions can
// cause it, most likely first, each with the reason.
//
// What a client's line means comes from the client's behaviour model
// (package plan, plan/models/*.yaml), never from explain's own code: the
// model's error shapes (errors:) say which client printed the line, what
// it was doing and which calls that can be, and the model's plan of the
// command the line reports (s5cmd's ERROR "cp s3://b/k dir/k", the AWS
// CLI's "download failed: SRC to DST") or of the user's command gives the
// calls in the client's order, with their buckets and keys. The
// permissions of each call come from the one operation catalogue, package
// s3ops: the operation's IAM actions, the actions its request headers
// add, and the KMS calls S3 makes for SSE-KMS objects. explain adds what
// S3 and IAM say about the error itself (docs/authorization.md): a HEAD
// response has no body, so "AccessDenied: Access Denied" is not a HEAD's
// and a bare 403 is; a KMS error ranks only KMS causes; 403 instead of
// 404 without s3:ListBucket (§2.4); plain "Access Denied" across accounts
// (§4.2); the aws/s3 key across accounts (§3.3); the KMS-via-S3 message
// form (§3.6).
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
// them together; Explanation.WriteText and encoding/json render it. The
// real clients' lines of testdata/lines, collected on the emulator, are
// the acceptance test (TestRealLines).
package explain
