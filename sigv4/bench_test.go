package sigv4

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// BenchmarkVerify measures Verify on a 4 KiB PUT signed in its
// Authorization header with a hex x-amz-content-sha256, as the AWS CLI
// and s5cmd send over plain HTTP, including reading the verified body;
// and on a GET without a body.
func BenchmarkVerify(b *testing.B) {
	v := testVerifier()
	body := bytes.Repeat([]byte("0123456789abcdef"), 256) // 4 KiB

	put := func(md5 bool) func(*testing.B) {
		return func(b *testing.B) {
			req := newReq(b, "PUT", "http://127.0.0.1:9000/bucket/dir/object.bin", body)
			req.Header.Set("Content-Type", "application/octet-stream")
			req.Header.Set("User-Agent", "aws-cli/2.9.19")
			if md5 {
				req.Header.Set("Content-Md5", md5B64(body))
			}
			signReq(b, req, testCreds, sha256Hex(body), "s3", "us-east-1", testTime)
			sr := serverSide(b, req)
			src := bytes.NewReader(body)
			rc := io.NopCloser(src)
			buf := make([]byte, 32<<10)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				src.Reset(body)
				sr.Body = rc
				if _, err := v.Verify(sr); err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, onlyReader{sr.Body}, buf); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("PUT4KiB", put(false))
	b.Run("PUT4KiB+MD5", put(true))

	b.Run("GET", func(b *testing.B) {
		req := newReq(b, "GET", "http://127.0.0.1:9000/bucket?list-type=2&prefix=dir%2F&delimiter=%2F", nil)
		signReq(b, req, testCreds, sha256Hex(nil), "s3", "us-east-1", testTime)
		sr := serverSide(b, req)
		b.ReportAllocs()
		for b.Loop() {
			sr.Body = http.NoBody
			if _, err := v.Verify(sr); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("Chunked1MiB", func(b *testing.B) {
		data := randomBytes(1 << 20)
		req := buildChunked(b, chunkOpts{data: data, mode: StreamingSignedTrailer, trailer: "x-amz-checksum-crc32"})
		sr := serverSide(b, req)
		wire, _ := io.ReadAll(sr.Body)
		header := sr.Header.Clone()
		src := bytes.NewReader(wire)
		buf := make([]byte, 32<<10)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			src.Reset(wire)
			sr.Body = io.NopCloser(src)
			sr.Header = header.Clone()
			sr.ContentLength = int64(len(wire))
			if _, err := v.Verify(sr); err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyBuffer(io.Discard, onlyReader{sr.Body}, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
