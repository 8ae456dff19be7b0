// Package plan answers, from a command line, which API calls an S3 client
// will make and the least-privilege policies they need: the identity
// policy of the principal, bucket policies for buckets of other accounts
// and key policy statements for their KMS keys.
//
// A client's behaviour is data: plan/models/*.yaml, one file per client
// (AWS CLI v1 and v2, rclone, s5cmd), each call with where it was read and
// why it is made, confirmed against the emulator's audit log of the real
// client. The permissions of each call come from the operation catalogue
// (package s3ops), the table the engine and the emulator also use, so a
// plan, a decision and an emulated request never disagree on what an
// operation needs.
package plan
