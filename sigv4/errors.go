package sigv4

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is an authentication or payload-verification failure, shaped like
// the error response the service would send: Code, Message and HTTP Status
// are AWS's, and Fields are the extra elements AWS adds to the error body,
// in AWS's order (for example AWSAccessKeyId, StringToSign,
// SignatureProvided, StringToSignBytes, CanonicalRequest and
// CanonicalRequestBytes for SignatureDoesNotMatch). Rendering the response
// (S3 and IAM/STS XML, KMS JSON) is the caller's job.
type Error struct {
	Code    string
	Message string
	Status  int
	Fields  []Field
}

// Field is one extra element of an error response.
type Field struct{ Name, Value string }

func (e *Error) Error() string {
	return "sigv4: " + e.Code + ": " + e.Message
}

// Field returns the value of the named extra field and whether it is set.
func (e *Error) Field(name string) (string, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// protocol is the error dialect of a service: S3 REST, the query protocol
// of STS and IAM, or the JSON protocol of KMS. The same failure has a
// different code (and sometimes status) in each.
type protocol int

const (
	protoS3 protocol = iota
	protoQuery
	protoJSON
)

func protocolOf(service string) protocol {
	switch service {
	case "sts", "iam":
		return protoQuery
	case "kms":
		return protoJSON
	}
	return protoS3
}

const (
	msgSignatureS3    = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgSignatureOther = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidKeyS3   = "The AWS Access Key Id you provided does not exist in our records."
	msgInvalidToken   = "The security token included in the request is invalid."
	msgExpiredToken   = "The security token included in the request is expired"
	msgSkewed         = "The difference between the request time and the current time is too large."
	msgNoDate         = "AWS authentication requires a valid Date or x-amz-date header"
	msgIncompleteCL   = "You did not provide the number of bytes specified by the Content-Length HTTP header."
	msgIncompleteBody = "The request body terminated unexpectedly"
	msgMalformedTrail = "The request contained trailing data that was not well-formed or did not conform to our published schema."
)

// Time layouts.
const (
	amzDateLayout    = "20060102T150405Z"
	serverTimeLayout = "2006-01-02T15:04:05Z"
)

func newError(status int, code, msg string, fields ...Field) *Error {
	return &Error{Code: code, Message: msg, Status: status, Fields: fields}
}

// errInvalidAccessKey: the access key is unknown (or a temporary key came
// without its session token).
func errInvalidAccessKey(service, akid string) *Error {
	switch protocolOf(service) {
	case protoQuery:
		return newError(http.StatusForbidden, "InvalidClientTokenId", msgInvalidToken)
	case protoJSON:
		return newError(http.StatusBadRequest, "UnrecognizedClientException", msgInvalidToken)
	}
	return newError(http.StatusForbidden, "InvalidAccessKeyId", msgInvalidKeyS3, Field{"AWSAccessKeyId", akid})
}

// errInvalidToken: a session token that does not belong to the key.
func errInvalidToken(service, token string) *Error {
	switch protocolOf(service) {
	case protoQuery:
		return newError(http.StatusForbidden, "InvalidClientTokenId", msgInvalidToken)
	case protoJSON:
		return newError(http.StatusBadRequest, "UnrecognizedClientException", msgInvalidToken)
	}
	return newError(http.StatusBadRequest, "InvalidToken", "The provided token is malformed or otherwise invalid.", Field{"Token-0", token})
}

func errExpiredToken(service, token string) *Error {
	switch protocolOf(service) {
	case protoQuery:
		return newError(http.StatusForbidden, "ExpiredToken", msgExpiredToken)
	case protoJSON:
		return newError(http.StatusBadRequest, "ExpiredTokenException", msgExpiredToken)
	}
	return newError(http.StatusBadRequest, "ExpiredToken", "The provided token has expired.", Field{"Token-0", token})
}

// errSignature is a signature mismatch. For S3 it carries the diagnostic
// fields AWS sends; canonicalRequest is empty for chunk and SigV2
// signatures.
func errSignature(service, akid, stringToSign, provided, canonicalRequest string) *Error {
	switch protocolOf(service) {
	case protoQuery:
		return newError(http.StatusForbidden, "SignatureDoesNotMatch", msgSignatureOther)
	case protoJSON:
		return newError(http.StatusBadRequest, "InvalidSignatureException", msgSignatureOther)
	}
	f := make([]Field, 0, 6)
	f = append(f,
		Field{"AWSAccessKeyId", akid},
		Field{"StringToSign", stringToSign},
		Field{"SignatureProvided", provided},
		Field{"StringToSignBytes", spacedHex(stringToSign)},
	)
	if canonicalRequest != "" {
		f = append(f,
			Field{"CanonicalRequest", canonicalRequest},
			Field{"CanonicalRequestBytes", spacedHex(canonicalRequest)},
		)
	}
	return &Error{Code: "SignatureDoesNotMatch", Message: msgSignatureS3, Status: http.StatusForbidden, Fields: f}
}

// errSkewed: the request time is more than maxSkew away from now. S3
// answers RequestTimeTooSkewed; STS, IAM and KMS answer with a signature
// error whose message names the bound.
func errSkewed(service, rawTime string, reqTime, now time.Time, maxSkew time.Duration) *Error {
	if p := protocolOf(service); p != protoS3 {
		var msg string
		if reqTime.Before(now) {
			msg = fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s.)",
				reqTime.UTC().Format(amzDateLayout), now.Add(-maxSkew).UTC().Format(amzDateLayout),
				now.UTC().Format(amzDateLayout), skewText(maxSkew))
		} else {
			msg = fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s.)",
				reqTime.UTC().Format(amzDateLayout), now.Add(maxSkew).UTC().Format(amzDateLayout),
				now.UTC().Format(amzDateLayout), skewText(maxSkew))
		}
		if p == protoJSON {
			return newError(http.StatusBadRequest, "InvalidSignatureException", msg)
		}
		return newError(http.StatusForbidden, "SignatureDoesNotMatch", msg)
	}
	return newError(http.StatusForbidden, "RequestTimeTooSkewed", msgSkewed,
		Field{"RequestTime", rawTime},
		Field{"ServerTime", now.UTC().Format(serverTimeLayout)},
		Field{"MaxAllowedSkewMilliseconds", strconv.FormatInt(maxSkew.Milliseconds(), 10)},
	)
}

func skewText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
	}
	return d.String()
}

// errMalformed is a malformed Authorization header (detail completes
// "The authorization header is malformed; ").
func errMalformed(service, detail string, fields ...Field) *Error {
	switch protocolOf(service) {
	case protoQuery:
		return newError(http.StatusBadRequest, "IncompleteSignature", detail)
	case protoJSON:
		return newError(http.StatusBadRequest, "IncompleteSignatureException", detail)
	}
	return newError(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; "+detail, fields...)
}

// errQueryParams is a malformed presigned URL.
func errQueryParams(service, msg string, fields ...Field) *Error {
	switch protocolOf(service) {
	case protoQuery:
		return newError(http.StatusBadRequest, "IncompleteSignature", msg)
	case protoJSON:
		return newError(http.StatusBadRequest, "IncompleteSignatureException", msg)
	}
	return newError(http.StatusBadRequest, "AuthorizationQueryParametersError", msg, fields...)
}

// WrongRegion is S3's answer to a request whose credential scope names
// region where the resource (an S3 bucket) is in expected: the error the
// Verifier's Region check gives, for a caller that knows the expected
// region only once it has found the bucket.
func WrongRegion(region, expected string, presigned bool) *Error {
	return errScope("s3", presigned, fmt.Sprintf("the region '%s' is wrong; expecting '%s'", region, expected),
		Field{"Region", expected})
}

// errScope is a credential scope that names the wrong region or service,
// or a date other than the request's.
func errScope(service string, presigned bool, detail string, fields ...Field) *Error {
	switch protocolOf(service) {
	case protoQuery:
		return newError(http.StatusForbidden, "SignatureDoesNotMatch", detail)
	case protoJSON:
		return newError(http.StatusBadRequest, "InvalidSignatureException", detail)
	}
	if presigned {
		return newError(http.StatusBadRequest, "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; "+detail, fields...)
	}
	return newError(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; "+detail, fields...)
}

func errNoDate(service string) *Error {
	if protocolOf(service) == protoS3 {
		return newError(http.StatusForbidden, "AccessDenied", msgNoDate)
	}
	return errMalformed(service, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

func errIncomplete(msg string) *Error {
	return newError(http.StatusBadRequest, "IncompleteBody", msg)
}

// ErrBadDigest is S3's BadDigest for a checksum of algorithm ("CRC32",
// "CRC64NVME", ...) that does not match the data.
func ErrBadDigest(algorithm string) *Error { return errBadDigest(algorithm) }

func errBadDigest(algorithm string) *Error {
	return newError(http.StatusBadRequest, "BadDigest", "The "+algorithm+" you specified did not match the calculated checksum.")
}

func errInvalidRequest(msg string) *Error {
	return newError(http.StatusBadRequest, "InvalidRequest", msg)
}

func errInvalidArgument(msg, name, value string) *Error {
	return newError(http.StatusBadRequest, "InvalidArgument", msg,
		Field{"ArgumentName", name}, Field{"ArgumentValue", value})
}

// spacedHex renders s as AWS renders StringToSignBytes: two lower-case hex
// digits per byte, separated by spaces.
func spacedHex(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s) * 3)
	var d [2]byte
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		hex.Encode(d[:], []byte{s[i]})
		b.Write(d[:])
	}
	return b.String()
}
