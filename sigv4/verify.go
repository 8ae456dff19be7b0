package sigv4

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Lookup returns the secret access key of accessKeyID and, for temporary
// credentials, their session token ("" for long-term keys). ok is false
// for an unknown key.
type Lookup func(accessKeyID string) (secret, sessionToken string, ok bool)

// A Verifier authenticates requests. A Verifier with Lookup set is ready
// to use. It is safe for concurrent use as long as its fields are not
// changed, and must not be copied after first use: it caches the signing
// keys it derives.
type Verifier struct {
	// Lookup resolves access keys. It must be set.
	Lookup Lookup

	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// MaxSkew is the largest difference allowed between the request time
	// and Now; 0 means 15 minutes, AWS's bound.
	MaxSkew time.Duration

	// Region, when not empty, is the only region a credential scope may
	// name; IAM, a global service, may also name us-east-1. Empty accepts
	// any region.
	Region string

	// Services lists the credential-scope services accepted; nil means
	// s3, sts, iam and kms.
	Services []string

	// TokenExpiry, when not nil, returns the time the session token of a
	// temporary access key expires (the zero Time: never). Requests made
	// after it fail with ExpiredToken. When nil, tokens do not expire here;
	// Lookup should then stop returning expired credentials, which fail as
	// unknown keys.
	TokenExpiry func(accessKeyID string) time.Time

	keys keyCache
}

// PayloadMode says how the payload of an authenticated request is
// protected, from x-amz-content-sha256 (X-Amz-Content-Sha256 in a
// presigned URL).
type PayloadMode int

const (
	// None: no declaration (anonymous requests without
	// x-amz-content-sha256).
	None PayloadMode = iota
	// Unsigned: UNSIGNED-PAYLOAD; presigned URLs default to it.
	Unsigned
	// SignedHex: the hex SHA-256 of the payload is signed. Requests to
	// services other than S3 that omit x-amz-content-sha256 are hashed by
	// Verify and reported as SignedHex.
	SignedHex
	// StreamingSigned: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, aws-chunked
	// with a signature per chunk.
	StreamingSigned
	// StreamingSignedTrailer: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER,
	// signed chunks and a signed trailer.
	StreamingSignedTrailer
	// StreamingUnsignedTrailer: STREAMING-UNSIGNED-PAYLOAD-TRAILER,
	// aws-chunked without signatures, with a checksum trailer.
	StreamingUnsignedTrailer
)

var modeNames = [...]string{
	None:                     "None",
	Unsigned:                 "UNSIGNED-PAYLOAD",
	SignedHex:                "SignedHex",
	StreamingSigned:          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
	StreamingSignedTrailer:   "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
	StreamingUnsignedTrailer: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
}

func (m PayloadMode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "PayloadMode(" + strconv.Itoa(int(m)) + ")"
}

// Auth describes an authenticated request.
type Auth struct {
	// Anonymous: the request has no Authorization header and no presigned
	// query; it acts as the anonymous principal.
	Anonymous bool
	// AccessKeyID is the signing key.
	AccessKeyID string
	// SessionToken is the session token of a temporary key, as Lookup
	// returned it and the request carried it.
	SessionToken string
	// Service and Region are those of the credential scope: "s3", "sts",
	// "iam", "kms"; Service is "s3" and Region empty for SigV2.
	Service string
	Region  string
	// Time is the signing time (x-amz-date); zero for SigV2, which has
	// none.
	Time time.Time
	// Presigned: the signature came in the query string.
	Presigned bool
	// Version is "AWS4-HMAC-SHA256", or "AWS" for a SigV2 presigned URL;
	// empty for anonymous requests.
	Version string
	// Mode is how the payload is protected.
	Mode PayloadMode
	// DecodedLength is the payload length after aws-chunked decoding, -1
	// when unknown (HTTP chunked transfer without a declared length).
	DecodedLength int64
}

const (
	algV4             = "AWS4-HMAC-SHA256"
	maxPresignExpires = 604800 // seven days, in seconds
	// maxBufferedBody bounds the body Verify reads to hash a request to
	// STS, IAM, KMS or Organizations that does not send x-amz-content-sha256.
	maxBufferedBody = 8 << 20
)

var defaultServices = []string{"s3", "sts", "iam", "kms", "organizations"}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return 15 * time.Minute
}

func (v *Verifier) serviceOK(s string) bool {
	if v.Services == nil {
		return slices.Contains(defaultServices, s)
	}
	return slices.Contains(v.Services, s)
}

// Verify authenticates r: SigV4 in the Authorization header, a SigV4
// presigned URL, a SigV2 presigned URL (S3 only), or no authentication at
// all (Auth.Anonymous). The error is an *Error, except when v has no
// Lookup.
//
// On success Verify replaces r.Body with a reader that yields the decoded
// payload (aws-chunked framing removed) and verifies it as it is read:
// the hex x-amz-content-sha256 (XAmzContentSHA256Mismatch), each chunk
// signature and the trailer signature (SignatureDoesNotMatch), the
// x-amz-checksum-* header or trailer (BadDigest), Content-MD5 (BadDigest)
// and the declared length (IncompleteBody). The reader returns the *Error
// from the Read that finds the failure (at the latest, the one that would
// have returned io.EOF). For aws-chunked bodies Verify sets
// r.ContentLength and the Content-Length header to the decoded length
// (-1 and no header when unknown) and removes aws-chunked from
// Content-Encoding. Malformed Content-MD5 or checksum headers, and the
// digests of an empty body, fail at once.
func (v *Verifier) Verify(r *http.Request) (*Auth, error) {
	if v.Lookup == nil {
		return nil, errors.New("sigv4: Verifier.Lookup is nil")
	}
	var authz string
	if vs := r.Header["Authorization"]; len(vs) > 0 {
		authz = vs[0]
	}
	q := r.URL.RawQuery
	v4q := q != "" && (hasParam(q, "X-Amz-Algorithm") || hasParam(q, "X-Amz-Credential") || hasParam(q, "X-Amz-Signature"))
	v2q := q != "" && !v4q && (hasParam(q, "AWSAccessKeyId") || hasParam(q, "Signature"))
	var (
		a   *Auth
		err *Error
	)
	switch {
	case authz != "" && (v4q || v2q):
		err = errInvalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
			"Authorization", authz)
	case authz != "":
		a, err = v.verifyHeader(r, authz)
	case v4q:
		a, err = v.verifyPresignV4(r)
	case v2q:
		a, err = v.verifyPresignV2(r)
	default:
		a, err = v.anonymous(r)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

// credential is a parsed credential scope,
// AKID/YYYYMMDD/REGION/SERVICE/aws4_request.
type credential struct {
	akid, date, region, service string
	scope                       string // date/region/service/aws4_request
}

const credentialFormat = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`

// parseCredential parses a credential; on failure it returns a message
// detail.
func parseCredential(s string) (credential, string) {
	var c credential
	akid, scope, ok := strings.Cut(s, "/")
	if !ok {
		return c, credentialFormat
	}
	parts := scope
	date, parts, ok1 := strings.Cut(parts, "/")
	region, parts, ok2 := strings.Cut(parts, "/")
	service, term, ok3 := strings.Cut(parts, "/")
	if !ok1 || !ok2 || !ok3 || strings.Contains(term, "/") {
		return c, credentialFormat
	}
	if akid == "" {
		return c, "a non-empty Access Key (AKID) must be provided in the credential."
	}
	if !isDate8(date) {
		return c, fmt.Sprintf("incorrect date format %q. This date in the credential must be in the format \"yyyyMMdd\".", date)
	}
	if term != "aws4_request" {
		return c, fmt.Sprintf("incorrect terminal %q. This endpoint uses \"aws4_request\".", term)
	}
	if region == "" || service == "" {
		return c, credentialFormat
	}
	return credential{akid: akid, date: date, region: region, service: service, scope: scope}, ""
}

func isDate8(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseAmzDate parses the ISO 8601 basic format of x-amz-date,
// 20060102T150405Z, without allocating.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' || !isDate8(s[:8]) {
		return time.Time{}, false
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	for i := 9; i < 15; i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	y, mo, d := num(s[0:4]), num(s[4:6]), num(s[6:8])
	h, mi, sec := num(s[9:11]), num(s[11:13]), num(s[13:15])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // February 30th and the like
	}
	return t, true
}

// checkScope checks the credential scope against the request date and
// the accepted services and region.
func (v *Verifier) checkScope(c credential, amzDate string, presigned bool) *Error {
	if !v.serviceOK(c.service) {
		detail := fmt.Sprintf("incorrect service %q. This endpoint belongs to %q.", c.service, strings.Join(v.services(), ", "))
		if presigned {
			return errQueryParams("s3", "Error parsing the X-Amz-Credential parameter; "+detail)
		}
		return errMalformed("s3", detail)
	}
	if c.date != amzDate[:8] {
		switch {
		case protocolOf(c.service) != protoS3:
			return errScope(c.service, presigned, fmt.Sprintf(
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
				c.date, amzDate[:8], amzDate))
		case presigned:
			return errQueryParams(c.service, fmt.Sprintf("Invalid credential date %q. This date is not the same as X-Amz-Date: %q.", c.date, amzDate[:8]))
		}
		return errMalformed(c.service, "Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if v.Region != "" && c.region != v.Region && !(c.service == "iam" && c.region == "us-east-1") {
		if protocolOf(c.service) != protoS3 {
			return errScope(c.service, presigned, "Credential should be scoped to a valid region. ")
		}
		return WrongRegion(c.region, v.Region, presigned)
	}
	return nil
}

func (v *Verifier) services() []string {
	if v.Services == nil {
		return defaultServices
	}
	return v.Services
}

// checkToken compares the session token the request carries with the
// key's. A temporary key without its token is unknown, as in S3; a wrong
// token, or a token with a long-term key, is InvalidToken.
func (v *Verifier) checkToken(service, akid, want, got string, now time.Time) *Error {
	switch {
	case want == "" && got == "":
		return nil
	case want == "":
		return errInvalidToken(service, got)
	case got == "":
		return errInvalidAccessKey(service, akid)
	case subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1:
		return errInvalidToken(service, got)
	}
	if v.TokenExpiry != nil {
		if exp := v.TokenExpiry(akid); !exp.IsZero() && !now.Before(exp) {
			return errExpiredToken(service, got)
		}
	}
	return nil
}

// payloadMode classifies an x-amz-content-sha256 value.
func payloadMode(h string) (PayloadMode, *Error) {
	switch h {
	case "UNSIGNED-PAYLOAD":
		return Unsigned, nil
	case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD":
		return StreamingSigned, nil
	case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
		return StreamingSignedTrailer, nil
	case "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
		return StreamingUnsignedTrailer, nil
	case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER":
		return None, newError(http.StatusNotImplemented, "NotImplemented",
			"A header you provided implies functionality that is not implemented",
			Field{"Header", "x-amz-content-sha256"})
	}
	if _, ok := decodeHex32(h); ok {
		return SignedHex, nil
	}
	return None, errInvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
		"x-amz-content-sha256", h)
}

func firstHeader(h http.Header, key string) string {
	if vs := h[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// checkSignedHeaders checks that host is signed and, for S3, that every
// x-amz-* header present is (x-amz-content-sha256 excepted, as S3 does).
func checkSignedHeaders(r *http.Request, service, signedHeaders string) *Error {
	if !containsHeader(signedHeaders, "host") {
		return newError(http.StatusForbidden, "AccessDenied", "Host header is not signed")
	}
	if protocolOf(service) != protoS3 {
		return nil
	}
	var missing []string
	for k := range r.Header {
		if len(k) > 6 && strings.EqualFold(k[:6], "x-amz-") &&
			!strings.EqualFold(k, "X-Amz-Content-Sha256") && !containsHeader(signedHeaders, k) {
			missing = append(missing, strings.ToLower(k))
		}
	}
	if missing == nil {
		return nil
	}
	slices.Sort(missing)
	return newError(http.StatusForbidden, "AccessDenied", "There were headers present in the request which were not signed",
		Field{"HeadersNotSigned", strings.Join(missing, ", ")})
}

// sigV4 holds what a SigV4 signature covers.
type sigV4 struct {
	cred      credential
	amzDate   string // as in the string to sign
	signature string // as provided
	creq      canonicalRequest
}

// check recomputes the signature with the signing key. It returns the
// signature, or SignatureDoesNotMatch. S3 URIs are first
// canonicalized by re-encoding the path, then, when that differs, taken
// exactly as sent, so both styles of client encoding verify.
func (s *sigV4) check(r *http.Request, key [sha256.Size]byte) (sig [sha256.Size]byte, err *Error) {
	var stack [2048]byte
	creq := s.creq.append(stack[:0], r)
	var stsBuf [256]byte
	sts := s.appendStringToSign(stsBuf[:0], creq)
	sig = hmacSHA256(key[:], sts)
	if sigEqual(s.signature, &sig) {
		return sig, nil
	}
	if !s.creq.double {
		var pathBuf [256]byte
		if canon := appendCanonicalPath(pathBuf[:0], s.creq.path, false); string(canon) != s.creq.path {
			raw := s.creq
			raw.rawURI = true
			var stack2 [2048]byte
			creq2 := raw.append(stack2[:0], r)
			var stsBuf2 [256]byte
			sts2 := s.appendStringToSign(stsBuf2[:0], creq2)
			sig = hmacSHA256(key[:], sts2)
			if sigEqual(s.signature, &sig) {
				return sig, nil
			}
		}
	}
	return sig, errSignature(s.cred.service, s.cred.akid, string(sts), s.signature, string(creq))
}

func (s *sigV4) appendStringToSign(dst, creq []byte) []byte {
	sum := sha256.Sum256(creq)
	dst = append(dst, algV4...)
	dst = append(dst, '\n')
	dst = append(dst, s.amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, s.cred.scope...)
	dst = append(dst, '\n')
	return appendHex(dst, sum[:])
}

// verifyHeader authenticates a request signed in its Authorization header.
func (v *Verifier) verifyHeader(r *http.Request, authz string) (*Auth, *Error) {
	alg, rest, _ := strings.Cut(strings.TrimLeft(authz, " "), " ")
	switch alg {
	case algV4:
	case "AWS":
		return nil, errInvalidRequest("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	case "AWS4-ECDSA-P256-SHA256":
		return nil, newError(http.StatusNotImplemented, "NotImplemented",
			"A header you provided implies functionality that is not implemented", Field{"Header", "Authorization"})
	default:
		return nil, errInvalidArgument("Unsupported Authorization Type", "Authorization", authz)
	}

	var credStr, signedHeaders, signature string
	var haveC, haveH, haveS bool
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, errMalformed("s3", fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'", part, authz))
		}
		switch strings.TrimSpace(k) {
		case "Credential":
			credStr, haveC = strings.TrimSpace(val), true
		case "SignedHeaders":
			signedHeaders, haveH = strings.TrimSpace(val), true
		case "Signature":
			signature, haveS = strings.TrimSpace(val), true
		}
	}
	if !haveC {
		return nil, errMalformed("s3", credentialFormat)
	}
	cred, detail := parseCredential(credStr)
	if detail != "" {
		return nil, errMalformed("s3", detail)
	}
	service := cred.service
	switch {
	case !haveH || signedHeaders == "":
		return nil, errMalformed(service, "Authorization header requires 'SignedHeaders' parameter.")
	case !haveS || signature == "":
		return nil, errMalformed(service, "Authorization header requires 'Signature' parameter.")
	}

	// The request time: x-amz-date, else Date.
	var t time.Time
	amzDate := firstHeader(r.Header, "X-Amz-Date")
	rawTime := amzDate
	if amzDate != "" {
		var ok bool
		if t, ok = parseAmzDate(amzDate); !ok {
			return nil, errNoDate(service)
		}
	} else {
		rawTime = firstHeader(r.Header, "Date")
		var err error
		if t, err = http.ParseTime(rawTime); rawTime == "" || err != nil {
			return nil, errNoDate(service)
		}
		amzDate = t.UTC().Format(amzDateLayout)
	}
	if err := v.checkScope(cred, amzDate, false); err != nil {
		return nil, err
	}
	now := v.now()
	if d := now.Sub(t); d > v.maxSkew() || d < -v.maxSkew() {
		return nil, errSkewed(service, rawTime, t, now, v.maxSkew())
	}

	secret, wantToken, ok := v.Lookup(cred.akid)
	if !ok {
		return nil, errInvalidAccessKey(service, cred.akid)
	}
	token := firstHeader(r.Header, "X-Amz-Security-Token")
	if err := v.checkToken(service, cred.akid, wantToken, token, now); err != nil {
		return nil, err
	}
	if err := checkSignedHeaders(r, service, signedHeaders); err != nil {
		return nil, err
	}

	spec := bodySpec{}
	payloadHash := firstHeader(r.Header, "X-Amz-Content-Sha256")
	if payloadHash == "" {
		if service == "s3" {
			return nil, errInvalidRequest("Missing required header for this request: x-amz-content-sha256")
		}
		// STS, IAM and KMS clients sign the hash without sending it.
		h, err := hashBody(r)
		if err != nil {
			return nil, err
		}
		payloadHash = h
		spec.mode, spec.hexVerified = SignedHex, true
	} else {
		m, err := payloadMode(payloadHash)
		if err != nil {
			return nil, err
		}
		spec.mode = m
		spec.hexHash = payloadHash
	}

	return v.finishV4(r, v4Request{cred: cred, secret: secret, token: token, amzDate: amzDate, t: t,
		signature: signature, signedHeaders: signedHeaders, payloadHash: payloadHash, spec: spec})
}

// v4Request is what a SigV4 request (header or presigned) gives to the
// last steps of its verification.
type v4Request struct {
	cred                     credential
	secret, token            string
	amzDate                  string
	t                        time.Time
	signature, signedHeaders string
	payloadHash              string
	// presigned requests leave X-Amz-Signature out of the canonical query.
	presigned bool
	spec      bodySpec
}

// finishV4 recomputes and compares the signature, then sets up the
// body's verification (chunk signatures chain from the request's).
func (v *Verifier) finishV4(r *http.Request, q v4Request) (*Auth, *Error) {
	service := q.cred.service
	s := sigV4{
		cred:      q.cred,
		amzDate:   q.amzDate,
		signature: q.signature,
		creq: canonicalRequest{
			path:          rawPath(r),
			double:        service != "s3",
			signedHeaders: q.signedHeaders,
			payloadHash:   q.payloadHash,
		},
	}
	if q.presigned {
		s.creq.skipQuery = "X-Amz-Signature"
	}
	key := v.keys.get(q.cred, q.secret)
	sig, err := s.check(r, key)
	if err != nil {
		return nil, err
	}
	a := &Auth{
		AccessKeyID:  q.cred.akid,
		SessionToken: q.token,
		Service:      service,
		Region:       q.cred.region,
		Time:         q.t,
		Presigned:    q.presigned,
		Version:      algV4,
		Mode:         q.spec.mode,
	}
	if q.spec.mode == StreamingSigned || q.spec.mode == StreamingSignedTrailer {
		q.spec.signer = &chunkSigner{key: key, prev: sig, amzDate: q.amzDate, scope: q.cred.scope, akid: q.cred.akid, service: service}
	}
	if err := prepareBody(r, a, q.spec); err != nil {
		return nil, err
	}
	return a, nil
}

// hashBody reads the whole (small) body of a request to STS, IAM or KMS,
// puts it back as r.Body, and returns its hex SHA-256.
func hashBody(r *http.Request) (string, *Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return emptySHA256, nil
	}
	tooLarge := newError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body is too large")
	if r.ContentLength > maxBufferedBody {
		return "", tooLarge
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, maxBufferedBody+1))
	if err != nil {
		return "", errIncomplete(msgIncompleteCL)
	}
	if len(buf) > maxBufferedBody {
		return "", tooLarge
	}
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(buf))
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), nil
}

// anonymous handles a request without authentication. Its payload is
// still checked: x-amz-content-sha256 when it is a hex hash or
// STREAMING-UNSIGNED-PAYLOAD-TRAILER, Content-MD5, checksums.
func (v *Verifier) anonymous(r *http.Request) (*Auth, *Error) {
	a := &Auth{Anonymous: true, DecodedLength: r.ContentLength}
	spec := bodySpec{}
	if h := firstHeader(r.Header, "X-Amz-Content-Sha256"); h != "" {
		m, err := payloadMode(h)
		if err != nil {
			return nil, err
		}
		if m == StreamingSigned || m == StreamingSignedTrailer {
			return nil, errInvalidRequest("An anonymous request cannot use " + h)
		}
		spec.mode, spec.hexHash = m, h
	}
	a.Mode = spec.mode
	if err := prepareBody(r, a, spec); err != nil {
		return nil, err
	}
	return a, nil
}

// hasParam reports whether the raw query has a parameter named name.
func hasParam(q, name string) bool {
	for q != "" {
		var seg string
		seg, q, _ = strings.Cut(q, "&")
		if k, _, _ := strings.Cut(seg, "="); k == name {
			return true
		}
	}
	return false
}
