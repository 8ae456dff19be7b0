package emulator

import (
	"crypto/md5"
	"io"
	"net/http"

	"github.com/lockstep-dev/lockstep/store"
)

// objectBody is the body of a PutObject or UploadPart as the store reads
// it: the request body, which fails with S3's EntityTooLarge once it goes
// past limit bytes (a body of unknown length, aws-chunked, is only known
// too long there), so that the store keeps nothing of it. When the
// verifying body of the sigv4 package checks a Content-MD5, objectBody
// passes that on (store.VerifiedBody), so that the store does not hash
// the payload a second time. It also carries the body's checksum
// (store.ChecksummedBody), hashed in the same pass.
type objectBody struct {
	*bodyChecksum
	r     io.Reader
	n     int64 // bytes left before the limit
	limit int64
	md5   store.VerifiedBody
	cut   bool // the body went past the limit
}

func newObjectBody(r io.Reader, limit int64, sum *bodyChecksum) io.Reader {
	if r == nil {
		r = http.NoBody
	}
	ob := &objectBody{bodyChecksum: sum, r: r, n: limit, limit: limit}
	if vb, ok := r.(store.VerifiedBody); ok {
		ob.md5 = vb
		return &verifiedObjectBody{ob}
	}
	return ob
}

func (b *objectBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		// At the limit: one more byte makes the body too long.
		var one [1]byte
		n, err := io.ReadFull(b.r, one[:])
		if n > 0 {
			b.cut = true
			return 0, errEntityTooLarge(b.limit)
		}
		if err == io.ErrUnexpectedEOF || err == nil {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	b.update(p[:n])
	return n, err
}

// verifiedObjectBody is an objectBody over a store.VerifiedBody.
type verifiedObjectBody struct{ *objectBody }

func (b *verifiedObjectBody) VerifiedMD5() ([md5.Size]byte, bool) {
	if b.cut {
		return [md5.Size]byte{}, false
	}
	return b.md5.VerifiedMD5()
}
