package sigv4

import (
	"net/http"
	"strconv"
	"strings"
)

// This file builds the SigV4 canonical request from a server-side
// *http.Request:
//
//	METHOD \n URI \n QUERY \n (name:value\n)* \n SIGNED-HEADERS \n PAYLOAD-HASH
//
// The URI and the query are rebuilt from the bytes the client sent
// (RequestURI, URL.RawQuery): every component is percent-decoded and
// re-encoded the way the AWS SDKs encode it (RFC 3986 unreserved
// characters stay, everything else becomes %XX with upper-case hex). The
// headers are exactly those the client listed in SignedHeaders, in its
// order.

// unreserved reports whether c is an RFC 3986 unreserved character, the
// only bytes SigV4 leaves unescaped.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func ishex(c byte) bool {
	_, ok := unhex(c)
	return ok
}

const upperhex = "0123456789ABCDEF"

// appendEscaped appends c percent-encoded; double encodes the '%' again
// (%25XX), as the URI of services other than S3 is.
func appendEscaped(dst []byte, c byte, double bool) []byte {
	dst = append(dst, '%')
	if double {
		dst = append(dst, '2', '5')
	}
	return append(dst, upperhex[c>>4], upperhex[c&0xf])
}

// rawPath returns the path of r as the client sent it, without the query.
func rawPath(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" {
		// A request built in-process (not read by net/http's server).
		if r.URL.Opaque != "" {
			uri = r.URL.Opaque
		} else {
			p := r.URL.EscapedPath()
			if p == "" {
				return "/"
			}
			return p
		}
	}
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	if uri != "" && uri[0] != '/' {
		// Absolute form (http://host/path) or "*".
		if i := strings.Index(uri, "//"); i >= 0 {
			uri = uri[i+2:]
			if j := strings.IndexByte(uri, '/'); j >= 0 {
				uri = uri[j:]
			} else {
				uri = ""
			}
		}
	}
	if uri == "" || uri[0] != '/' {
		return "/"
	}
	return uri
}

// appendCanonicalPath appends the canonical URI of the raw path: literal
// '/' and unreserved bytes stay, escapes of unreserved bytes are decoded,
// everything else is %XX. For services other than S3 (double) every
// escape is encoded a second time, as the SDKs do.
func appendCanonicalPath(dst []byte, raw string, double bool) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%' && i+2 < len(raw) && ishex(raw[i+1]) && ishex(raw[i+2]):
			hi, _ := unhex(raw[i+1])
			lo, _ := unhex(raw[i+2])
			b := hi<<4 | lo
			i += 2
			if unreserved(b) {
				dst = append(dst, b)
			} else {
				dst = appendEscaped(dst, b, double)
			}
		case c == '/' || unreserved(c):
			dst = append(dst, c)
		default:
			dst = appendEscaped(dst, c, double)
		}
	}
	return dst
}

// canonicalComponent returns the canonical encoding of a raw query
// component: '+' and %XX decoded, then every byte that is not unreserved
// encoded as %XX. It returns s itself when s is already canonical, the
// common case, without allocating.
func canonicalComponent(s string) string {
	if isCanonicalComponent(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			hi, _ := unhex(s[i+1])
			lo, _ := unhex(s[i+2])
			c = hi<<4 | lo
			i += 2
		}
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = appendEscaped(b, c, false)
		}
	}
	return string(b)
}

func isCanonicalComponent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return false
		}
		hi, ok1 := unhexUpper(s[i+1])
		lo, ok2 := unhexUpper(s[i+2])
		if !ok1 || !ok2 || unreserved(hi<<4|lo) {
			return false
		}
		i += 2
	}
	return true
}

func unhexUpper(c byte) (byte, bool) {
	if 'a' <= c && c <= 'f' {
		return 0, false
	}
	return unhex(c)
}

type queryParam struct{ k, v string }

// appendCanonicalQuery appends the canonical query string of raw, leaving
// out the parameter named skip (X-Amz-Signature of a presigned URL).
// Parameters are sorted by encoded name, then by encoded value; a name
// without '=' gets an empty value ("uploads=").
func appendCanonicalQuery(dst []byte, raw, skip string) []byte {
	if raw == "" {
		return dst
	}
	var stack [16]queryParam
	ps := stack[:0]
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		k = canonicalComponent(k)
		if k == skip {
			continue
		}
		ps = append(ps, queryParam{k, canonicalComponent(v)})
	}
	// Insertion sort: queries are short, and this does not allocate.
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && paramLess(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.k...)
		dst = append(dst, '=')
		dst = append(dst, p.v...)
	}
	return dst
}

func paramLess(a, b queryParam) bool {
	if a.k != b.k {
		return a.k < b.k
	}
	return a.v < b.v
}

// headerValues returns the values of the header named lower (lower case)
// as the client sent them. net/http's server moves some headers out of
// Header: Host into Request.Host, Transfer-Encoding into
// Request.TransferEncoding, and Content-Length of a chunked request.
func headerValues(r *http.Request, lower string, scratch *[1]string) []string {
	switch lower {
	case "host":
		h := r.Host
		if h == "" && r.URL != nil {
			h = r.URL.Host
		}
		scratch[0] = h
		return scratch[:]
	case "content-length":
		if vs := r.Header["Content-Length"]; len(vs) > 0 {
			return vs
		}
		if r.ContentLength > 0 {
			scratch[0] = strconv.FormatInt(r.ContentLength, 10)
			return scratch[:]
		}
		return nil
	case "transfer-encoding":
		if vs := r.Header["Transfer-Encoding"]; len(vs) > 0 {
			return vs
		}
		return r.TransferEncoding
	}
	return lookupHeader(r.Header, lower)
}

// lookupHeader finds the header named lower without allocating: it builds
// the canonical MIME key in a stack buffer. A key net/http left
// uncanonicalized is found by a case-insensitive scan.
func lookupHeader(h http.Header, lower string) []string {
	var buf [64]byte
	if len(lower) <= len(buf) {
		b := buf[:len(lower)]
		upper := true
		for i := 0; i < len(lower); i++ {
			c := lower[i]
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			} else if !upper && 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
			upper = c == '-'
		}
		if vs, ok := h[string(b)]; ok {
			return vs
		}
	}
	for k, vs := range h {
		if strings.EqualFold(k, lower) {
			return vs
		}
	}
	return nil
}

// appendTrimmed appends v with leading and trailing spaces removed and
// runs of spaces collapsed to one (SigV4's Trimall).
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// appendCanonicalHeaders appends "name:value\n" for every name of the
// semicolon-separated signedHeaders; several values of one header are
// joined with commas.
func appendCanonicalHeaders(dst []byte, r *http.Request, signedHeaders string) []byte {
	var scratch [1]string
	for sh := signedHeaders; sh != ""; {
		var name string
		name, sh, _ = strings.Cut(sh, ";")
		dst = append(dst, name...)
		dst = append(dst, ':')
		for i, v := range headerValues(r, name, &scratch) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendTrimmed(dst, v)
		}
		dst = append(dst, '\n')
	}
	return dst
}

// canonicalRequest describes what is signed.
type canonicalRequest struct {
	path          string // raw path
	rawURI        bool   // use path as sent instead of re-encoding it
	double        bool   // double-encode the URI (services other than S3)
	skipQuery     string // query parameter left out (X-Amz-Signature)
	signedHeaders string
	payloadHash   string
}

func (c *canonicalRequest) append(dst []byte, r *http.Request) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, '\n')
	switch {
	case c.rawURI:
		dst = append(dst, c.path...)
	default:
		dst = appendCanonicalPath(dst, c.path, c.double)
	}
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, r.URL.RawQuery, c.skipQuery)
	dst = append(dst, '\n')
	dst = appendCanonicalHeaders(dst, r, c.signedHeaders)
	dst = append(dst, '\n')
	dst = append(dst, c.signedHeaders...)
	dst = append(dst, '\n')
	return append(dst, c.payloadHash...)
}

// containsHeader reports whether the semicolon-separated list has name,
// compared without regard to case.
func containsHeader(list, name string) bool {
	for list != "" {
		var h string
		h, list, _ = strings.Cut(list, ";")
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}
