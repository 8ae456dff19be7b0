package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// chunkOpts describes an aws-chunked request.
type chunkOpts struct {
	data      []byte
	chunkSize int
	mode      PayloadMode // StreamingSigned, StreamingSignedTrailer or StreamingUnsignedTrailer
	trailer   string      // trailer header name; "" none
	value     string      // trailer value; "" means the right checksum
	declared  int64       // x-amz-decoded-content-length; 0 means len(data), -1 omits it
	chunkedTE bool        // HTTP chunked transfer, no Content-Length
	header    http.Header // extra headers, signed
	creds     *aws.Credentials
	corrupt   func([]byte) []byte // edits the encoded body after signing
}

func checksumB64(name string, p []byte) string {
	switch name {
	case "x-amz-checksum-crc32":
		return crc32B64(p)
	case "x-amz-checksum-crc32c":
		return b64(binary.BigEndian.AppendUint32(nil, crc32.Checksum(p, crc32.MakeTable(crc32.Castagnoli))))
	case "x-amz-checksum-sha256":
		s := sha256.Sum256(p)
		return b64(s[:])
	case "x-amz-checksum-crc64nvme":
		// Bitwise CRC-64/NVME, independent of the package's tables.
		crc := ^uint64(0)
		for _, c := range p {
			crc ^= uint64(c)
			for range 8 {
				if crc&1 == 1 {
					crc = crc>>1 ^ 0x9a6c9329ac4bc9b5
				} else {
					crc >>= 1
				}
			}
		}
		return b64(binary.BigEndian.AppendUint64(nil, ^crc))
	}
	panic(name)
}

// buildChunked returns a signed aws-chunked PUT. Chunk signatures come from
// the SDK's v4.StreamSigner, seeded with the request signature. The
// trailer signature, which the SDK does not implement, is computed here
// with crypto/hmac from the AWS documentation's definition.
func buildChunked(t testing.TB, o chunkOpts) *http.Request {
	t.Helper()
	creds := testCreds
	if o.creds != nil {
		creds = *o.creds
	}
	if o.chunkSize == 0 {
		o.chunkSize = 64 << 10
	}
	var chunks [][]byte
	for d := o.data; len(d) > 0; {
		n := min(o.chunkSize, len(d))
		chunks = append(chunks, d[:n])
		d = d[n:]
	}
	signed := o.mode != StreamingUnsignedTrailer
	trailerLine := ""
	if o.trailer != "" {
		v := o.value
		if v == "" {
			v = checksumB64(o.trailer, o.data)
		}
		trailerLine = o.trailer + ":" + v
	}
	encode := func(sigs []string, trailerSig string) []byte {
		var b bytes.Buffer
		for i, c := range chunks {
			fmt.Fprintf(&b, "%x", len(c))
			if signed {
				b.WriteString(";chunk-signature=" + sigs[i])
			}
			b.WriteString("\r\n")
			b.Write(c)
			b.WriteString("\r\n")
		}
		b.WriteString("0")
		if signed {
			b.WriteString(";chunk-signature=" + sigs[len(chunks)])
		}
		b.WriteString("\r\n")
		if trailerLine != "" {
			b.WriteString(trailerLine + "\r\n")
		}
		if o.mode == StreamingSignedTrailer {
			b.WriteString("x-amz-trailer-signature:" + trailerSig + "\r\n")
		}
		b.WriteString("\r\n")
		return b.Bytes()
	}
	zero := strings.Repeat("0", 64)
	zeros := make([]string, len(chunks)+1)
	for i := range zeros {
		zeros[i] = zero
	}
	req := newReq(t, "PUT", "http://s3.local/bkt/obj", encode(zeros, zero))
	req.Header.Set("Content-Encoding", "aws-chunked")
	switch {
	case o.declared == 0:
		req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(o.data)))
	case o.declared > 0:
		req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(o.declared))
	}
	if o.trailer != "" {
		req.Header.Set("X-Amz-Trailer", o.trailer)
	}
	for k, vs := range o.header {
		req.Header[k] = vs
	}
	if o.chunkedTE {
		req.ContentLength = -1
	}
	signReq(t, req, creds, o.mode.String(), "s3", "us-east-1", testTime)

	sigs := zeros
	trailerSig := zero
	if signed {
		authz := req.Header.Get("Authorization")
		seed, err := hex.DecodeString(authz[strings.LastIndex(authz, "=")+1:])
		if err != nil {
			t.Fatal(err)
		}
		ss := v4.NewStreamSigner(creds, "s3", "us-east-1", seed)
		sigs = nil
		var last []byte
		for _, c := range append(chunks, nil) {
			sig, err := ss.GetSignature(context.Background(), nil, c, testTime)
			if err != nil {
				t.Fatal(err)
			}
			sigs = append(sigs, hex.EncodeToString(sig))
			last = sig
		}
		if o.mode == StreamingSignedTrailer {
			canon := ""
			if trailerLine != "" {
				canon = trailerLine + "\n"
			}
			sum := sha256.Sum256([]byte(canon))
			sts := "AWS4-HMAC-SHA256-TRAILER\n20261122T123045Z\n20261122/us-east-1/s3/aws4_request\n" +
				hex.EncodeToString(last) + "\n" + hex.EncodeToString(sum[:])
			key := stdHMAC([]byte("AWS4"+creds.SecretAccessKey), "20261122")
			for _, m := range []string{"us-east-1", "s3", "aws4_request", sts} {
				key = stdHMAC(key, m)
			}
			trailerSig = hex.EncodeToString(key)
		}
	}
	body := encode(sigs, trailerSig)
	if o.corrupt != nil {
		body = o.corrupt(body)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	if !o.chunkedTE {
		req.ContentLength = int64(len(body))
	}
	return req
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// replaceNth replaces the n-th (0-based) occurrence of old in b.
func replaceNth(b []byte, old, new string, n int) []byte {
	i := -1
	for range n + 1 {
		j := bytes.Index(b[i+1:], []byte(old))
		if j < 0 {
			panic("replaceNth: not found: " + old)
		}
		i += 1 + j
	}
	return append(append(append([]byte(nil), b[:i]...), new...), b[i+len(old):]...)
}

// flipSig changes a hex digit of the n-th chunk signature.
func flipSig(n int) func([]byte) []byte {
	return func(b []byte) []byte {
		i := -1
		for range n + 1 {
			i += 1 + bytes.Index(b[i+1:], []byte("chunk-signature="))
		}
		i += len("chunk-signature=")
		out := bytes.Clone(b)
		out[i] = "01"[out[i]&1]
		if out[i] == b[i] {
			out[i] = 'f'
		}
		return out
	}
}

func TestVerifyChunked(t *testing.T) {
	data := randomBytes(150_000)    // three 64 KiB chunks
	small := []byte("hello, chunk") // one short chunk
	cases := []struct {
		name     string
		o        chunkOpts
		verify   string // code from Verify
		read     string // code from reading the body
		status   int
		want     []byte // decoded body; nil means o.data
		wantCE   string // Content-Encoding left after Verify
		oneByte  bool   // read one byte at a time
		checkErr func(t *testing.T, e *Error)
	}{
		{name: "signed", o: chunkOpts{data: data, mode: StreamingSigned}},
		{name: "signed, one short chunk", o: chunkOpts{data: small, mode: StreamingSigned}},
		{name: "signed, empty", o: chunkOpts{data: nil, mode: StreamingSigned}, want: []byte{}},
		{name: "signed, 8 KiB chunks read a byte at a time", o: chunkOpts{data: data[:40_000], chunkSize: 8192, mode: StreamingSigned}, oneByte: true},
		{name: "signed, checksum header", o: chunkOpts{data: data, mode: StreamingSigned,
			header: http.Header{"X-Amz-Checksum-Crc32": {crc32B64(data)}}}},
		{name: "signed, wrong checksum header", o: chunkOpts{data: data, mode: StreamingSigned,
			header: http.Header{"X-Amz-Checksum-Crc32": {crc32B64(small)}}}, read: "BadDigest", status: 400},
		{name: "signed, Content-MD5", o: chunkOpts{data: data, mode: StreamingSigned,
			header: http.Header{"Content-Md5": {md5B64(data)}}}},
		{name: "signed, other content coding kept", o: chunkOpts{data: data, mode: StreamingSigned,
			header: http.Header{"Content-Encoding": {"aws-chunked,gzip"}}}, wantCE: "gzip"},
		{name: "signed trailer crc32", o: chunkOpts{data: data, mode: StreamingSignedTrailer, trailer: "x-amz-checksum-crc32"}},
		{name: "signed trailer crc64nvme, byte at a time", o: chunkOpts{data: data[:20_000], chunkSize: 8192, mode: StreamingSignedTrailer, trailer: "x-amz-checksum-crc64nvme"}, oneByte: true},
		{name: "unsigned trailer crc32", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-crc32"}},
		{name: "unsigned trailer crc32c", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-crc32c"}},
		{name: "unsigned trailer sha256", o: chunkOpts{data: small, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-sha256"}},
		{name: "unsigned trailer crc64nvme", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-crc64nvme"}},
		{name: "unsigned trailer over HTTP chunked transfer", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer,
			trailer: "x-amz-checksum-crc32", chunkedTE: true}},
		{name: "unsigned trailer, no decoded length", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer,
			trailer: "x-amz-checksum-crc32", declared: -1}},
		{name: "unsigned, no trailer", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer}},

		// Failures.
		{name: "bad signature, chunk 2", o: chunkOpts{data: data, mode: StreamingSigned, corrupt: flipSig(1)},
			read: "SignatureDoesNotMatch", status: 403,
			checkErr: func(t *testing.T, e *Error) {
				sts, _ := e.Field("StringToSign")
				if !strings.HasPrefix(sts, "AWS4-HMAC-SHA256-PAYLOAD\n20261122T123045Z\n20261122/us-east-1/s3/aws4_request\n") {
					t.Fatalf("StringToSign %q", sts)
				}
			}},
		{name: "bad signature, final chunk", o: chunkOpts{data: data, mode: StreamingSigned, corrupt: flipSig(3)},
			read: "SignatureDoesNotMatch", status: 403},
		{name: "bad trailer signature", o: chunkOpts{data: data, mode: StreamingSignedTrailer, trailer: "x-amz-checksum-crc32",
			corrupt: func(b []byte) []byte {
				i := bytes.Index(b, []byte("x-amz-trailer-signature:")) + len("x-amz-trailer-signature:")
				b = bytes.Clone(b)
				b[i] ^= 1
				return b
			}}, read: "SignatureDoesNotMatch", status: 403},
		{name: "trailer changed under its signature", o: chunkOpts{data: data, mode: StreamingSignedTrailer, trailer: "x-amz-checksum-crc32",
			corrupt: func(b []byte) []byte {
				return replaceNth(b, "x-amz-checksum-crc32:"+crc32B64(data), "x-amz-checksum-crc32:"+crc32B64(small), 0)
			}}, read: "SignatureDoesNotMatch", status: 403},
		{name: "data changed", o: chunkOpts{data: data, mode: StreamingSigned, corrupt: func(b []byte) []byte {
			b = bytes.Clone(b)
			b[70_000] ^= 0x20
			return b
		}}, read: "SignatureDoesNotMatch", status: 403},
		{name: "wrong secret", o: chunkOpts{data: data, mode: StreamingSigned,
			creds: &aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "wrong"}}, verify: "SignatureDoesNotMatch", status: 403},
		{name: "bad trailer checksum", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-crc32",
			value: crc32B64(small)}, read: "BadDigest", status: 400},
		{name: "bad signed trailer checksum", o: chunkOpts{data: data, mode: StreamingSignedTrailer, trailer: "x-amz-checksum-sha256",
			value: checksumB64("x-amz-checksum-sha256", small)}, read: "BadDigest", status: 400},
		{name: "malformed trailer checksum", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-crc32",
			value: "not-base64"}, read: "InvalidRequest", status: 400},
		{name: "undeclared trailer", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-crc32",
			header: http.Header{"X-Amz-Trailer": {"x-amz-checksum-crc32c"}}}, read: "MalformedTrailerError", status: 400},
		{name: "declared trailer missing", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer,
			header: http.Header{"X-Amz-Trailer": {"x-amz-checksum-crc32"}}}, read: "MalformedTrailerError", status: 400},
		{name: "unsupported trailer", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer,
			header: http.Header{"X-Amz-Trailer": {"x-amz-checksum-md5"}}}, verify: "InvalidRequest", status: 400},
		{name: "trailer and checksum header", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-crc32",
			header: http.Header{"X-Amz-Checksum-Crc32": {crc32B64(data)}}}, verify: "InvalidRequest", status: 400},
		{name: "truncated in chunk data", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, trailer: "x-amz-checksum-crc32",
			chunkedTE: true, corrupt: func(b []byte) []byte { return b[:100_000] }}, read: "IncompleteBody", status: 400},
		{name: "truncated before trailer", o: chunkOpts{data: data, mode: StreamingSigned,
			chunkedTE: true, corrupt: func(b []byte) []byte { return b[:bytes.LastIndex(b, []byte("0;chunk-signature"))] }},
			read: "IncompleteBody", status: 400},
		{name: "truncated, Content-Length short", o: chunkOpts{data: data, mode: StreamingSigned}, read: "IncompleteBody", status: 400},
		{name: "chunk size larger than data", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, chunkedTE: true,
			corrupt: func(b []byte) []byte { return replaceNth(b, "10000\r\n", "10010\r\n", 1) }}, read: "IncompleteBody", status: 400},
		{name: "chunk size smaller than data", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, chunkedTE: true,
			corrupt: func(b []byte) []byte { return replaceNth(b, "10000\r\n", "fff0\r\n", 0) }}, read: "IncompleteBody", status: 400},
		{name: "chunk size lie, signed", o: chunkOpts{data: data, mode: StreamingSigned, chunkedTE: true,
			corrupt: func(b []byte) []byte { return replaceNth(b, "10000;", "10001;", 0) }}, read: "IncompleteBody", status: 400},
		{name: "chunk size not hex", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, chunkedTE: true,
			corrupt: func(b []byte) []byte { return replaceNth(b, "10000\r\n", "1000g\r\n", 0) }}, read: "IncompleteBody", status: 400},
		{name: "chunk signature missing", o: chunkOpts{data: data, mode: StreamingSigned, chunkedTE: true,
			corrupt: func(b []byte) []byte { return replaceNth(b, ";chunk-signature=", ";x=", 0) }}, read: "IncompleteBody", status: 400},
		{name: "small chunk before the last", o: chunkOpts{data: data[:3000], chunkSize: 1000, mode: StreamingUnsignedTrailer},
			read: "InvalidChunkSizeError", status: 400,
			checkErr: func(t *testing.T, e *Error) {
				wantField(t, e, "Chunk", "2")
				wantField(t, e, "BadChunkSize", "1000")
			}},
		{name: "more data than declared", o: chunkOpts{data: data, mode: StreamingSigned, declared: 100_000}, read: "IncompleteBody", status: 400},
		{name: "less data than declared", o: chunkOpts{data: data, mode: StreamingSigned, declared: 200_000}, read: "IncompleteBody", status: 400},
		{name: "data after the end", o: chunkOpts{data: data, mode: StreamingUnsignedTrailer, chunkedTE: true,
			corrupt: func(b []byte) []byte { return append(bytes.Clone(b), "0\r\n\r\n"...) }}, read: "IncompleteBody", status: 400},
		{name: "bad decoded length", o: chunkOpts{data: data, mode: StreamingSigned, declared: -1,
			header: http.Header{"X-Amz-Decoded-Content-Length": {"-5"}}}, verify: "InvalidArgument", status: 400},
	}
	v := testVerifier()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := buildChunked(t, c.o)
			var sr *http.Request
			if c.name == "truncated, Content-Length short" {
				// The connection ends 10 bytes early.
				sr = serverSide(t, req)
				full, _ := io.ReadAll(sr.Body)
				sr.Body = io.NopCloser(io.MultiReader(bytes.NewReader(full[:len(full)-10]), errReader{io.ErrUnexpectedEOF}))
			} else {
				sr = serverSide(t, req)
			}
			a, err := v.Verify(sr)
			if c.verify != "" {
				wantError(t, err, c.verify, c.status)
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if a.Mode != c.o.mode {
				t.Fatalf("Mode = %v, want %v", a.Mode, c.o.mode)
			}
			var body io.Reader = sr.Body
			if c.oneByte {
				body = iotest.OneByteReader(body)
			}
			got, err := io.ReadAll(body)
			if c.read != "" {
				e := wantError(t, err, c.read, c.status)
				if c.checkErr != nil {
					c.checkErr(t, e)
				}
				// The failure is sticky.
				if _, err2 := sr.Body.Read(make([]byte, 10)); err2 != err {
					t.Fatalf("second Read error %v, want %v", err2, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("reading body: %v", err)
			}
			want := c.want
			if want == nil {
				want = c.o.data
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(want))
			}
			wantLen := int64(len(want))
			if c.o.declared < 0 {
				wantLen = -1
			}
			if a.DecodedLength != wantLen || sr.ContentLength != wantLen {
				t.Fatalf("DecodedLength %d, ContentLength %d, want %d", a.DecodedLength, sr.ContentLength, wantLen)
			}
			if ce := sr.Header.Get("Content-Encoding"); ce != c.wantCE {
				t.Fatalf("Content-Encoding %q, want %q", ce, c.wantCE)
			}
		})
	}
}

// TestChunkedLarge streams 24 MiB of signed chunks through small reads,
// checking the decoder neither buffers the body nor loses bytes.
func TestChunkedLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large body")
	}
	data := randomBytes(24 << 20)
	req := buildChunked(t, chunkOpts{data: data, mode: StreamingSignedTrailer, trailer: "x-amz-checksum-crc32c", chunkSize: 1 << 20})
	sr := serverSide(t, req)
	if _, err := testVerifier().Verify(sr); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(h, sr.Body, make([]byte, 1000))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("copied %d, %v", n, err)
	}
	if want := sha256.Sum256(data); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("decoded payload differs")
	}
}
