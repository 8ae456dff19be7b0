package sigv4

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// param returns the first value of the query parameter name, decoded.
func param(q, name string) (string, bool) {
	for q != "" {
		var seg string
		seg, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(seg, "=")
		if k != name {
			continue
		}
		if u, err := url.QueryUnescape(v); err == nil {
			return u, true
		}
		return v, true
	}
	return "", false
}

// verifyPresignV4 authenticates a SigV4 presigned URL (X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Signature). The payload is UNSIGNED-PAYLOAD unless the URL has
// X-Amz-Content-Sha256.
func (v *Verifier) verifyPresignV4(r *http.Request) (*Auth, *Error) {
	q := r.URL.RawQuery
	alg, okA := param(q, "X-Amz-Algorithm")
	credStr, okC := param(q, "X-Amz-Credential")
	signature, okS := param(q, "X-Amz-Signature")
	amzDate, okD := param(q, "X-Amz-Date")
	signedHeaders, okH := param(q, "X-Amz-SignedHeaders")
	expStr, okE := param(q, "X-Amz-Expires")
	if !okA || !okC || !okS || !okD || !okH || !okE {
		return nil, errQueryParams("s3", "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	}
	if alg != algV4 {
		return nil, errQueryParams("s3", `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	cred, detail := parseCredential(credStr)
	if detail != "" {
		return nil, errQueryParams("s3", "Error parsing the X-Amz-Credential parameter; "+detail)
	}
	service := cred.service
	t, ok := parseAmzDate(amzDate)
	if !ok {
		return nil, errQueryParams(service, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	expires, err := strconv.ParseInt(expStr, 10, 64)
	switch {
	case err != nil:
		return nil, errQueryParams(service, "X-Amz-Expires should be a number")
	case expires < 0:
		return nil, errQueryParams(service, "X-Amz-Expires must be non-negative")
	case expires > maxPresignExpires:
		return nil, errQueryParams(service, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	if err := v.checkScope(cred, amzDate, true); err != nil {
		return nil, err
	}
	now := v.now()
	end := t.Add(time.Duration(expires) * time.Second)
	switch {
	case t.After(now.Add(v.maxSkew())):
		// AWS reports X-Amz-Date here in Unix milliseconds.
		return nil, newError(http.StatusForbidden, "AccessDenied", "Request is not yet valid",
			Field{"X-Amz-Date", strconv.FormatInt(t.UnixMilli(), 10)},
			Field{"Expires", end.UTC().Format(serverTimeLayout)},
			Field{"ServerTime", now.UTC().Format(serverTimeLayout)})
	case now.After(end):
		return nil, newError(http.StatusForbidden, "AccessDenied", "Request has expired",
			Field{"X-Amz-Expires", expStr},
			Field{"Expires", end.UTC().Format(serverTimeLayout)},
			Field{"ServerTime", now.UTC().Format(serverTimeLayout)})
	}

	secret, wantToken, ok := v.Lookup(cred.akid)
	if !ok {
		return nil, errInvalidAccessKey(service, cred.akid)
	}
	token, _ := param(q, "X-Amz-Security-Token")
	if err := v.checkToken(service, cred.akid, wantToken, token, now); err != nil {
		return nil, err
	}
	if err := checkSignedHeaders(r, service, signedHeaders); err != nil {
		return nil, err
	}
	payloadHash, ok := param(q, "X-Amz-Content-Sha256")
	if !ok {
		payloadHash = "UNSIGNED-PAYLOAD"
	}
	mode, perr := payloadMode(payloadHash)
	if perr != nil {
		return nil, perr
	}

	return v.finishV4(r, v4Request{cred: cred, secret: secret, token: token, amzDate: amzDate, t: t,
		signature: signature, signedHeaders: signedHeaders, payloadHash: payloadHash, presigned: true,
		spec: bodySpec{mode: mode, hexHash: payloadHash}})
}

// subresources are the query parameters a SigV2 signature covers (the
// list botocore signs).
var subresources = []string{
	"accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory",
	"lifecycle", "location", "logging", "metrics", "notification", "object-lock",
	"partNumber", "policy", "replication", "requestPayment", "response-cache-control",
	"response-content-disposition", "response-content-encoding", "response-content-language",
	"response-content-type", "response-expires", "restore", "select", "select-type",
	"storageClass", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning",
	"versions", "website",
}

// verifyPresignV2 authenticates an S3 SigV2 presigned URL
// (AWSAccessKeyId, Expires, Signature): HMAC-SHA1 over
//
//	METHOD \n Content-MD5 \n Content-Type \n Expires \n x-amz-headers resource
//
// Presigners move Content-MD5, Content-Type and x-amz-* headers into the
// query, so each is taken from the header or else from the query. The
// resource is the path as sent (path-style addressing only) and the
// subresources of the query.
func (v *Verifier) verifyPresignV2(r *http.Request) (*Auth, *Error) {
	q := r.URL.RawQuery
	akid, ok1 := param(q, "AWSAccessKeyId")
	signature, ok2 := param(q, "Signature")
	expStr, ok3 := param(q, "Expires")
	if !ok1 || !ok2 || !ok3 {
		return nil, newError(http.StatusForbidden, "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	}
	expires, err := strconv.ParseInt(expStr, 10, 64)
	if err != nil {
		return nil, newError(http.StatusForbidden, "AccessDenied", "Invalid date (should be seconds since epoch): "+expStr)
	}
	now := v.now()
	if now.Unix() > expires {
		return nil, newError(http.StatusForbidden, "AccessDenied", "Request has expired",
			Field{"Expires", time.Unix(expires, 0).UTC().Format(serverTimeLayout)},
			Field{"ServerTime", now.UTC().Format(serverTimeLayout)})
	}
	secret, wantToken, ok := v.Lookup(akid)
	if !ok {
		return nil, errInvalidAccessKey("s3", akid)
	}
	token := firstHeader(r.Header, "X-Amz-Security-Token")
	if token == "" {
		token, _ = param(q, "x-amz-security-token")
	}
	if err := v.checkToken("s3", akid, wantToken, token, now); err != nil {
		return nil, err
	}

	sts := stringToSignV2(r, expStr)
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(sts))
	want := mac.Sum(nil)
	// A '+' the presigner did not escape arrives as a space.
	got, derr := base64.StdEncoding.DecodeString(strings.ReplaceAll(signature, " ", "+"))
	if derr != nil || subtle.ConstantTimeCompare(got, want) != 1 {
		return nil, errSignature("s3", akid, sts, signature, "")
	}
	a := &Auth{
		AccessKeyID:  akid,
		SessionToken: token,
		Service:      "s3",
		Presigned:    true,
		Version:      "AWS",
		Mode:         Unsigned,
	}
	if err := prepareBody(r, a, bodySpec{mode: Unsigned}); err != nil {
		return nil, err
	}
	return a, nil
}

func stringToSignV2(r *http.Request, expires string) string {
	q := r.URL.RawQuery
	headerOrParam := func(h, p string) string {
		if v := firstHeader(r.Header, h); v != "" {
			return strings.TrimSpace(v)
		}
		v, _ := param(q, p)
		return strings.TrimSpace(v)
	}
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(headerOrParam("Content-Md5", "content-md5"))
	b.WriteByte('\n')
	b.WriteString(headerOrParam("Content-Type", "content-type"))
	b.WriteByte('\n')
	b.WriteString(expires)
	b.WriteByte('\n')

	// x-amz-* headers, then x-amz-* query parameters not also sent as
	// headers: lower-case names, sorted, values joined with commas.
	amz := map[string][]string{}
	for k, vs := range r.Header {
		if len(k) > 6 && strings.EqualFold(k[:6], "x-amz-") {
			lk := strings.ToLower(k)
			amz[lk] = append(amz[lk], vs...)
		}
	}
	if vals, err := url.ParseQuery(q); err == nil {
		for k, vs := range vals {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "x-amz-") {
				if _, ok := amz[lk]; !ok {
					amz[lk] = vs
				}
			}
		}
	}
	names := make([]string, 0, len(amz))
	for k := range amz {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(':')
		for i, v := range amz[k] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strings.TrimSpace(v))
		}
		b.WriteByte('\n')
	}

	b.WriteString(rawPath(r))
	var sub []string
	for seg := range strings.SplitSeq(q, "&") {
		k, val, hasVal := strings.Cut(seg, "=")
		if !slices.Contains(subresources, k) {
			continue
		}
		if hasVal {
			if u, err := url.QueryUnescape(val); err == nil {
				val = u
			}
			sub = append(sub, k+"="+val)
		} else {
			sub = append(sub, k)
		}
	}
	if len(sub) > 0 {
		slices.SortStableFunc(sub, func(a, b string) int {
			ka, _, _ := strings.Cut(a, "=")
			kb, _, _ := strings.Cut(b, "=")
			return strings.Compare(ka, kb)
		})
		b.WriteByte('?')
		b.WriteString(strings.Join(sub, "&"))
	}
	return b.String()
}
