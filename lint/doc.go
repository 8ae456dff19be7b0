// Package lint checks policy documents for the mistakes that cost people
// hours: an object action granted only on the bucket ARN, unknown action
// names, condition keys the action never sets, set operators on
// single-valued keys, and the policy-language errors that AWS itself
// rejects, each with the file, line and JSON path. It reads the action and
// condition-key facts from package s3ops.
package lint
