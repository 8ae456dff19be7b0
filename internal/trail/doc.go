// Package trail reads CloudTrail logs: the log files CloudTrail delivers
// to S3 ({"Records": [...]}, gzipped or not), the output of aws cloudtrail
// lookup-events ({"Events": [{"CloudTrailEvent": "..."}]}), and the JSON
// lines of lockstep serve's audit log; it selects the calls of one
// principal and reads each S3 data event and KMS call into what plan
// needs to derive policies from it (docs/trail.md).
package trail
