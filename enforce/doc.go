// Package enforce authorizes one API operation the way the service does:
// it expands the operation through the catalogue (package s3ops) into the
// IAM checks the request needs (the operation's actions on the bucket, the
// object or the copy source, plus the actions its headers add) and the KMS
// calls S3 makes on the caller's behalf under SSE-KMS, builds each check's
// request context, and decides every check with package authz. The
// emulator, the planner and the scenario runner all authorize through it.
// The KMS, STS and IAM operations of the catalogue go through the same
// path, with their target (key, role or user ARN) in Call.Resource.
package enforce
