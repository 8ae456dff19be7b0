// Package emulator is lockstep's enforcing AWS endpoint: one HTTP server
// that speaks S3 (path-style and virtual-hosted), and the STS, IAM and KMS
// calls the seed scenarios need, dispatched by the service name of the
// SigV4 credential scope.
//
// Every request is authenticated by package sigv4, routed to its row of
// the operation catalogue (package s3ops, whose routes are the S3 route
// table), authorized from that row by package enforce, which decides with
// package authz against the world (package world), through one step
// (authorize.go) that states the encryption of the object, and served
// from package store. SSE-KMS objects are stored encrypted with a data key
// wrapped by the key's material, and S3's KMS calls on the caller's
// behalf are authorized like any other call (docs/authorization.md §3). Each request, and
// each KMS call S3 made for it, is written to the audit log as a
// CloudTrail record.
//
// Tests embed it with New and Start on 127.0.0.1:0, read Endpoint, and
// Close. With Options.TLS it serves HTTPS with a certificate signed by a
// CA it keeps in the data directory (CAFile names it), and
// aws:SecureTransport and s3:TlsVersion come from the connection.
// HealthPath answers without credentials and is never an S3 request.
package emulator
