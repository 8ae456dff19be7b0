// Package acctimport builds a world (package world) from the JSON that the
// AWS CLI prints for an account's read calls: IAM's
// get-account-authorization-details; S3's list-buckets, get-bucket-policy,
// get-bucket-encryption, get-bucket-ownership-controls and
// get-bucket-location; KMS's list-aliases, describe-key and get-key-policy;
// Organizations' describe-organization, list-accounts, list-roots,
// list-organizational-units-for-parent, list-accounts-for-parent,
// describe-policy and list-targets-for-policy. docs/import.md documents
// the files it reads, how it names the resource of an output that does not
// name it, and every mapping.
//
// Nothing is dropped silently: what cannot be mapped is reported in the
// Report, with the file and what to do. No secret is imported: the dumps
// hold none, and the world it builds has no access keys.
package acctimport
