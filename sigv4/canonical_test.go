package sigv4

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzCanonicalComponent checks query-component canonicalization against
// the SDK signer's method: decode with url.QueryUnescape, encode with
// url.QueryEscape and write spaces as %20.
func FuzzCanonicalComponent(f *testing.F) {
	for _, s := range []string{"", "a", "a b", "a+b", "a%2Bb", "%2f", "%41%7e", "photos/2026", "€", "%", "%zz", "~-._", "a=b&c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := canonicalComponent(s)
		if !isCanonicalComponent(got) || canonicalComponent(got) != got {
			t.Fatalf("canonicalComponent(%q) = %q, not canonical", s, got)
		}
		u, err := url.QueryUnescape(s)
		if err != nil {
			return // the SDK would drop the parameter
		}
		if want := strings.ReplaceAll(url.QueryEscape(u), "+", "%20"); got != want {
			t.Fatalf("canonicalComponent(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzCanonicalPath checks that the canonical S3 URI is stable and
// decodes to the same bytes as the path sent.
func FuzzCanonicalPath(f *testing.F) {
	for _, s := range []string{"/", "/bkt/a b", "/bkt/a%20b", "/bkt/%2F/x", "/bkt/it's!(1)", "/%", "/%e2%82%ac"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(appendCanonicalPath(nil, s, false))
		if again := string(appendCanonicalPath(nil, got, false)); again != got {
			t.Fatalf("canonical path of %q = %q, then %q", s, got, again)
		}
		// Both decode to the same bytes when s is valid escaping.
		if u, err := url.PathUnescape(s); err == nil {
			if v, err := url.PathUnescape(got); err != nil || v != u {
				t.Fatalf("canonical path of %q = %q decodes to %q, want %q", s, got, v, u)
			}
		}
	})
}

// FuzzAWSChunked feeds arbitrary bodies to the aws-chunked decoder of an
// anonymous STREAMING-UNSIGNED-PAYLOAD-TRAILER request: it must not
// panic, must not decode more bytes than it read, and must decode well
// formed bodies exactly.
func FuzzAWSChunked(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"), true)
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), false)
	f.Add([]byte("2000\r\n"+strings.Repeat("a", 8192)+"\r\n1\r\nb\r\n0\r\n\r\n"), false)
	f.Add([]byte("ffffffffffffffff\r\n"), false)
	f.Fuzz(func(t *testing.T, wire []byte, trailer bool) {
		req, _ := http.NewRequest("PUT", "http://s3.local/bkt/k", bytes.NewReader(wire))
		req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
		if trailer {
			req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		}
		v := &Verifier{Lookup: testLookup}
		if _, err := v.Verify(req); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(req.Body)
		if len(got) > len(wire) {
			t.Fatalf("decoded %d bytes from %d", len(got), len(wire))
		}
		if err == nil && !trailer {
			// Re-encode in one chunk and decode again.
			var b bytes.Buffer
			if len(got) > 0 {
				b.WriteString(strconv.FormatInt(int64(len(got)), 16) + "\r\n")
				b.Write(got)
				b.WriteString("\r\n")
			}
			b.WriteString("0\r\n\r\n")
			req2, _ := http.NewRequest("PUT", "http://s3.local/bkt/k", &b)
			req2.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
			if _, err := v.Verify(req2); err != nil {
				t.Fatal(err)
			}
			if again, err := io.ReadAll(req2.Body); err != nil || !bytes.Equal(again, got) {
				t.Fatalf("re-decoding: %q, %v", again, err)
			}
		}
	})
}

func TestParseAmzDate(t *testing.T) {
	for s, ok := range map[string]bool{
		"20261122T123045Z": true, "20240229T000000Z": true, "20250229T000000Z": false, "20261122T243045Z": false,
		"20261122T123045": false, "2026-11-22T12:30:45Z": false, "20261322T123045Z": false, "2026112aT123045Z": false, "": false,
	} {
		got, gotOK := parseAmzDate(s)
		if gotOK != ok {
			t.Errorf("parseAmzDate(%q) ok = %v, want %v", s, gotOK, ok)
		}
		if ok {
			want, _ := time.Parse("20060102T150405Z", s)
			if !got.Equal(want) {
				t.Errorf("parseAmzDate(%q) = %v, want %v", s, got, want)
			}
		}
	}
}

func TestRawPath(t *testing.T) {
	for uri, want := range map[string]string{
		"/bkt/a%20b?x=1":              "/bkt/a%20b",
		"/":                           "/",
		"http://host:9000/bkt/k?x=1":  "/bkt/k",
		"http://host":                 "/",
		"*":                           "/",
		"/bkt/it's!(1)":               "/bkt/it's!(1)",
		"/bkt/key?X-Amz-Signature=ab": "/bkt/key",
	} {
		r := &http.Request{RequestURI: uri, URL: &url.URL{}}
		if got := rawPath(r); got != want {
			t.Errorf("rawPath(%q) = %q, want %q", uri, got, want)
		}
	}
}

// TestVerifyAllocations guards the allocation budget of a header-signed
// GET: the *Auth only.
func TestVerifyAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	v := testVerifier()
	req := newReq(t, "GET", "http://127.0.0.1:9000/bucket?list-type=2&prefix=dir%2F", nil)
	signReq(t, req, testCreds, sha256Hex(nil), "s3", "us-east-1", testTime)
	sr := serverSide(t, req)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := v.Verify(sr); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("Verify allocates %v times per GET, want 1", allocs)
	}
}
