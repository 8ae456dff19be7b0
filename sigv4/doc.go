// Package sigv4 authenticates AWS requests on the server side, for an
// S3-compatible endpoint that also serves STS, IAM and KMS.
//
// A Verifier checks a request the way the service would and reports
// failures as *Error values carrying AWS's error code, wire message, HTTP
// status and extra error-body fields. It owns:
//
//   - Signature Version 4 in the Authorization header, for every service:
//     the credential scope (date, region, service, aws4_request), the
//     request time (x-amz-date or Date, at most MaxSkew from now), the
//     access key and session token, and the signature over the canonical
//     request, compared in constant time;
//   - SigV4 presigned URLs (X-Amz-Expires at most 604800 seconds, expiry
//     and not-yet-valid checks);
//   - SigV2 presigned URLs (AWSAccessKeyId, Expires, Signature:
//     HMAC-SHA1), S3 only, which AWS CLI v1 `aws s3 presign` produces;
//   - the payload: x-amz-content-sha256 (a hex SHA-256, UNSIGNED-PAYLOAD,
//     or an aws-chunked STREAMING-* mode), chunk and trailer signatures,
//     the x-amz-checksum-* header or trailer (CRC32, CRC32C, CRC64NVME,
//     SHA1, SHA256), Content-MD5 and the declared lengths. Verify installs
//     a Request.Body that removes the aws-chunked framing and verifies as
//     it streams, so bodies of any size pass through in constant memory.
//
// Derived signing keys are cached in the Verifier (at most 1024), so
// checking a header signature costs one SHA-256 of the canonical request
// and one HMAC of the string to sign.
//
// It does not authorize: the caller maps Auth (access key, service,
// anonymous or not) to a principal and decides with the policy engine.
// Rendering an *Error as an XML (S3, STS, IAM) or JSON (KMS) response is
// also the caller's job; the codes already follow the service of the
// credential scope (for example InvalidAccessKeyId for S3,
// InvalidClientTokenId for STS and IAM, UnrecognizedClientException for
// KMS).
//
// # Choices where AWS is ambiguous or undocumented
//
//   - The canonical URI of an S3 request is rebuilt from the path as sent,
//     percent-decoded and re-encoded as the SDKs encode it (RFC 3986
//     unreserved bytes kept, everything else %XX); if the signature does
//     not match, the path exactly as sent is tried. Other services'
//     URIs are encoded twice, as the SDKs do; they are not normalized
//     ("." and ".." segments are kept).
//   - A temporary access key used without X-Amz-Security-Token is an
//     unknown key (InvalidAccessKeyId), as S3 answers; a wrong token, or a
//     token sent with a long-term key, is InvalidToken (400); an expired
//     one (Verifier.TokenExpiry) is ExpiredToken (400).
//   - For S3, every x-amz-* header present must be signed (AccessDenied,
//     "There were headers present in the request which were not signed",
//     HeadersNotSigned), except x-amz-content-sha256. The host header must
//     always be signed (AccessDenied "Host header is not signed": the
//     wording is ours).
//   - Codes for STS and IAM follow their query protocol (InvalidClientTokenId,
//     SignatureDoesNotMatch with "Signature expired: ..." for a skewed clock,
//     IncompleteSignature), KMS its JSON protocol (UnrecognizedClientException,
//     InvalidSignatureException, IncompleteSignatureException). Only S3
//     errors carry extra fields.
//   - Requests to STS, IAM and KMS without x-amz-content-sha256 have their
//     body (at most 8 MiB) read and hashed before the signature check.
//   - The request time is checked before the access key is looked up, so
//     a skewed clock is reported as RequestTimeTooSkewed even for an
//     unknown key; a presigned URL's expiry is likewise checked first.
//   - A presigned URL dated more than MaxSkew in the future is
//     AccessDenied "Request is not yet valid".
//   - Malformed aws-chunked framing (bad sizes, missing CRLF, a chunk
//     longer than its header says, data after the end) is IncompleteBody
//     "The request body terminated unexpectedly", as S3 answers; every
//     chunk but the last must hold at least 8192 bytes
//     (InvalidChunkSizeError, with Chunk and BadChunkSize). A missing
//     x-amz-decoded-content-length is accepted (the length is then
//     unknown); a mismatch with the decoded data is IncompleteBody.
//   - A trailer that x-amz-trailer did not announce, or an announced one
//     that is missing, is MalformedTrailerError. A checksum header and a
//     trailer together, or two checksum headers, are InvalidRequest.
//   - A body that ends before its Content-Length is IncompleteBody;
//     other errors of the underlying body (a reset connection,
//     http.MaxBytesError) are returned as they are.
package sigv4
