package sigv4

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// presignV2 builds an S3 SigV2 query-string URL the way botocore's
// HmacV1QueryAuth does: the string to sign is given by the test case,
// written out from the AWS documentation.
func presignV2(secret, rawURL, stringToSign string, params url.Values) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	params.Set("Signature", base64.StdEncoding.EncodeToString(m.Sum(nil)))
	sep := "?"
	if u, _ := url.Parse(rawURL); u.RawQuery != "" {
		sep = "&"
	}
	return rawURL + sep + params.Encode()
}

func TestVerifyPresignV2(t *testing.T) {
	expires := testTime.Unix() + 3600
	exp := strconv.FormatInt(expires, 10)
	std := func(extra map[string]string) url.Values {
		v := url.Values{"AWSAccessKeyId": {testAKID}, "Expires": {exp}}
		for k, x := range extra {
			v.Set(k, x)
		}
		return v
	}
	cases := []struct {
		name, method, url, sts string
		secret                 string
		params                 url.Values
		header                 http.Header
		code                   string
		status                 int
		check                  func(*testing.T, *Error)
	}{
		{name: "GET", method: "GET", url: "http://127.0.0.1:9000/bkt/dir/a%20b.txt",
			sts: "GET\n\n\n" + exp + "\n/bkt/dir/a%20b.txt", params: std(nil)},
		{name: "subresources", method: "GET", url: "http://127.0.0.1:9000/bkt/k?versionId=v%2B1&response-content-type=text%2Fplain&list-type=2",
			sts: "GET\n\n\n" + exp + "\n/bkt/k?response-content-type=text/plain&versionId=v+1", params: std(nil)},
		{name: "hoisted headers and token", method: "PUT", url: "http://127.0.0.1:9000/bkt/k",
			sts:    "PUT\n\ntext/plain\n" + exp + "\nx-amz-acl:private\nx-amz-security-token:" + tempToken + "\n/bkt/k",
			params: url.Values{"AWSAccessKeyId": {tempAKID}, "Expires": {exp}, "content-type": {"text/plain"}, "x-amz-acl": {"private"}, "x-amz-security-token": {tempToken}},
			secret: tempSecret},
		{name: "headers sent", method: "PUT", url: "http://127.0.0.1:9000/bkt/k",
			sts:    "PUT\n" + md5B64(nil) + "\napplication/json\n" + exp + "\nx-amz-meta-a:1,2\n/bkt/k",
			header: http.Header{"Content-Type": {"application/json"}, "Content-Md5": {md5B64(nil)}, "X-Amz-Meta-A": {"1", "2"}},
			params: std(nil)},
		{name: "expired", method: "GET", url: "http://127.0.0.1:9000/bkt/k", sts: "GET\n\n\n1795000000\n/bkt/k",
			params: std(map[string]string{"Expires": "1795000000"}), code: "AccessDenied", status: 403,
			check: func(t *testing.T, e *Error) {
				if e.Message != "Request has expired" {
					t.Fatalf("message %q", e.Message)
				}
				wantField(t, e, "Expires", "2026-11-18T11:06:40Z")
				wantField(t, e, "ServerTime", "2026-11-22T12:30:45Z")
			}},
		{name: "wrong secret", method: "GET", url: "http://127.0.0.1:9000/bkt/k", sts: "GET\n\n\n" + exp + "\n/bkt/k",
			secret: "wrong", params: std(nil), code: "SignatureDoesNotMatch", status: 403,
			check: func(t *testing.T, e *Error) {
				wantField(t, e, "AWSAccessKeyId", testAKID)
				wantField(t, e, "StringToSign", "GET\n\n\n"+exp+"\n/bkt/k")
			}},
		{name: "signed for another key", method: "GET", url: "http://127.0.0.1:9000/bkt/k", sts: "GET\n\n\n" + exp + "\n/bkt/other",
			params: std(nil), code: "SignatureDoesNotMatch", status: 403},
		{name: "unknown key", method: "GET", url: "http://127.0.0.1:9000/bkt/k", sts: "GET\n\n\n" + exp + "\n/bkt/k",
			params: std(map[string]string{"AWSAccessKeyId": "AKIAUNKNOWN"}), code: "InvalidAccessKeyId", status: 403},
		{name: "missing Expires", method: "GET", url: "http://127.0.0.1:9000/bkt/k", sts: "GET\n\n\n\n/bkt/k",
			params: url.Values{"AWSAccessKeyId": {testAKID}}, code: "AccessDenied", status: 403},
		{name: "bad Expires", method: "GET", url: "http://127.0.0.1:9000/bkt/k", sts: "GET\n\n\nsoon\n/bkt/k",
			params: std(map[string]string{"Expires": "soon"}), code: "AccessDenied", status: 403},
		{name: "temporary key without token", method: "GET", url: "http://127.0.0.1:9000/bkt/k", sts: "GET\n\n\n" + exp + "\n/bkt/k",
			secret: tempSecret, params: std(map[string]string{"AWSAccessKeyId": tempAKID}), code: "InvalidAccessKeyId", status: 403},
	}
	v := testVerifier()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			secret := c.secret
			if secret == "" {
				secret = testSecret
			}
			u := presignV2(secret, c.url, c.sts, c.params)
			req := newReq(t, c.method, u, nil)
			for k, vs := range c.header {
				req.Header[k] = vs
			}
			a, err := v.Verify(serverSide(t, req))
			if c.code != "" {
				e := wantError(t, err, c.code, c.status)
				if c.check != nil {
					c.check(t, e)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify(%s): %v", u, err)
			}
			if !a.Presigned || a.Version != "AWS" || a.Service != "s3" || a.Mode != Unsigned || a.AccessKeyID != c.params.Get("AWSAccessKeyId") {
				t.Fatalf("Auth = %+v", a)
			}
		})
	}
}
