package emulator

import (
	"crypto/md5"
	"io"
	"net/http"

	"github.com/lockstep-dev/lockstep/store"
)

// objectBody is the body of a PutObject or UploadPart as the store reads
// it: at most limit bytes of the request body (one more than S3 accepts,
// so that the store sees a body that is too long). When the verifying
// body of the sigv4 package checks a Content-MD5, objectBody passes that
// on (store.VerifiedBody), so that the store does not hash the payload a
// second time; it stops vouching for it if it cuts the body short.
type objectBody struct {
	r   io.Reader
	n   int64 // bytes left before the limit
	md5 store.VerifiedBody
	cut bool // the limit ended the body, not the body itself
}

func newObjectBody(r io.Reader, limit int64) io.Reader {
	if r == nil {
		r = http.NoBody
	}
	ob := &objectBody{r: r, n: limit}
	if vb, ok := r.(store.VerifiedBody); ok {
		ob.md5 = vb
		return &verifiedObjectBody{ob}
	}
	return ob
}

func (b *objectBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		b.cut = true
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
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
