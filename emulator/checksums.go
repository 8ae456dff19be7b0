package emulator

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/checksum"
	"github.com/lockstep-dev/lockstep/sigv4"
	"github.com/lockstep-dev/lockstep/store"
)

// Object checksums as S3 keeps them (docs/emulator.md "Checksums"): every
// object and part has one additional checksum, the one its request
// declared (x-amz-checksum-* header or aws-chunked trailer, which the
// sigv4 body verifies) or, without one, the CRC64NVME S3 adds by default.
// The stored map has one entry, algorithm name to base64 value; the
// object's checksum type is kept in ObjectMeta.Extra.
const (
	extraChecksumType = "checksum-type"
	extraChecksumAlg  = "checksum-algorithm" // CreateMultipartUpload's x-amz-checksum-algorithm
)

// declaredChecksum is what the sigv4 body reports of the checksum a
// request declared, once it has verified it.
type declaredChecksum interface {
	VerifiedChecksum() (alg string, sum []byte, ok bool)
}

// requestChecksum returns the algorithm of the checksum the request
// declares: an x-amz-checksum-* header or the checksum x-amz-trailer
// announces (the sigv4 layer has already refused several or malformed
// ones), or None.
func requestChecksum(h http.Header) checksum.Algorithm {
	for _, a := range checksum.All {
		if h.Get(a.Header()) != "" {
			return a
		}
	}
	if t := h.Get("X-Amz-Trailer"); t != "" {
		if name, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(t)), "x-amz-checksum-"); ok {
			return checksum.Parse(name)
		}
	}
	return checksum.None
}

// bodyChecksum is the checksum of a request body: the one the request
// declared, taken from the verifying body, and (or) one hashed here with
// the algorithm S3 computes itself; Checksums implements
// store.ChecksummedBody.
type bodyChecksum struct {
	declared declaredChecksum // nil: the request declared none
	h        *checksum.Hasher // nil: nothing hashed here
}

// newBodyChecksum returns the checksum of a request body whose request
// declared the algorithm declared (None: none), to which the emulator
// adds its own of algorithm compute (None: none).
func newBodyChecksum(body io.Reader, declared, compute checksum.Algorithm) *bodyChecksum {
	c := &bodyChecksum{}
	if declared != checksum.None {
		d, ok := body.(declaredChecksum)
		if ok {
			c.declared = d
		} else if compute == checksum.None {
			compute = declared
		}
	}
	if compute != checksum.None {
		c.h = checksum.New(compute)
	}
	return c
}

func (c *bodyChecksum) update(p []byte) {
	if c.h != nil {
		c.h.Write(p)
	}
}

// Checksums returns the body's checksums, algorithm name to base64 value.
func (c *bodyChecksum) Checksums() map[string]string {
	sums := map[string]string{}
	if c.declared != nil {
		if alg, sum, ok := c.declared.VerifiedChecksum(); ok {
			sums[alg] = checksum.Encode(sum)
		}
	}
	if c.h != nil {
		sums[c.h.Algorithm().String()] = c.h.Base64()
	}
	return sums
}

// storedChecksum returns the object's (or part's) checksum: its
// algorithm, base64 value, and whether it has one. A part of an upload
// created without an algorithm may have two, the one its request declared
// and S3's default CRC64NVME: the declared one is the part's checksum.
func storedChecksum(sums map[string]string) (checksum.Algorithm, string, bool) {
	found := checksum.None
	for name := range sums {
		if a := checksum.Parse(name); a != checksum.None && (found == checksum.None || found == checksum.CRC64NVME) {
			found = a
		}
	}
	if found == checksum.None {
		return found, "", false
	}
	return found, sums[found.String()], true
}

// checksumModeEnabled reads x-amz-checksum-mode: GetObject and HeadObject
// return the object's checksum only with ENABLED (S3 API reference,
// GetObject: "To retrieve the checksum, this mode must be enabled.").
func checksumModeEnabled(h http.Header) bool {
	return strings.EqualFold(h.Get("X-Amz-Checksum-Mode"), "ENABLED")
}

// setChecksumHeaders writes an object's checksum and its type, as
// PutObject, CompleteMultipartUpload and a checksum-mode GET or HEAD of the
// whole object return them.
func setChecksumHeaders(h http.Header, m store.ObjectMeta) {
	alg, v, ok := storedChecksum(m.Checksums)
	if !ok {
		return
	}
	h.Set(alg.Header(), v)
	if t := m.Extra[extraChecksumType]; t != "" {
		h.Set("X-Amz-Checksum-Type", t)
	}
}

// withChecksumType returns extra with the object's checksum type set.
func withChecksumType(extra map[string]string, t string) map[string]string {
	if extra == nil {
		extra = map[string]string{}
	}
	extra[extraChecksumType] = t
	return extra
}

// uploadChecksum reads CreateMultipartUpload's x-amz-checksum-algorithm
// and x-amz-checksum-type: the algorithm of the parts' checksums (None:
// none requested, S3's default CRC64NVME then applies) and the object's
// checksum type. Without a type, CRC64NVME is FULL_OBJECT and the others
// COMPOSITE; SHA1 and SHA256 have no FULL_OBJECT type and CRC64NVME no
// COMPOSITE one (docs/emulator.md "Checksums").
func uploadChecksum(h http.Header) (checksum.Algorithm, string, error) {
	name, typ := h.Get("X-Amz-Checksum-Algorithm"), strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	alg := checksum.None
	if name != "" {
		if alg = checksum.Parse(name); alg == checksum.None {
			return alg, "", errInvalidArgument("x-amz-checksum-algorithm", name, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
	}
	switch typ {
	case "":
		typ = checksum.FullObject
		if alg != checksum.None && alg != checksum.CRC64NVME {
			typ = checksum.Composite
		}
	case checksum.FullObject, checksum.Composite:
		if alg == checksum.None {
			return alg, "", errorf(http.StatusBadRequest, "InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
	default:
		return alg, "", errInvalidArgument("x-amz-checksum-type", h.Get("X-Amz-Checksum-Type"), "Value for x-amz-checksum-type header is invalid.")
	}
	if typ == checksum.FullObject && !alg.IsCRC() && alg != checksum.None ||
		typ == checksum.Composite && alg == checksum.CRC64NVME {
		return alg, "", errorf(http.StatusBadRequest, "InvalidRequest", "The %s checksum algorithm does not support the %s checksum type.", alg, typ)
	}
	return alg, typ, nil
}

// partAlgorithm is the checksum algorithm of an upload's parts: the one
// CreateMultipartUpload named, else S3's default CRC64NVME.
func partAlgorithm(u store.Upload) checksum.Algorithm {
	if a := checksum.Parse(u.Meta.Extra[extraChecksumAlg]); a != checksum.None {
		return a
	}
	return checksum.CRC64NVME
}

// partChecksum returns the checksum of an UploadPart's body. In an upload
// created with an algorithm, a part declares a checksum of that algorithm
// or none (then the emulator computes it); a part of another algorithm is
// refused. In an upload created without one, a part may declare any
// (verified and returned), and the emulator adds the CRC64NVME the
// object's default checksum is combined from (docs/emulator.md
// "Checksums").
func partChecksum(u store.Upload, r *http.Request) (*bodyChecksum, error) {
	declared, alg := requestChecksum(r.Header), partAlgorithm(u)
	if u.Meta.Extra[extraChecksumAlg] != "" && declared != checksum.None && declared != alg {
		return nil, errPartChecksum(u, declared)
	}
	compute := alg
	if declared == alg {
		compute = checksum.None
	}
	return newBodyChecksum(r.Body, declared, compute), nil
}

// errPartChecksum refuses a part whose declared checksum is not of the
// upload's algorithm.
func errPartChecksum(u store.Upload, got checksum.Algorithm) error {
	return errorf(http.StatusBadRequest, "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", strings.ToLower(partAlgorithm(u).String()), strings.ToLower(got.String()))
}

// multipartChecksums computes a multipart object's checksum from its
// parts' checksums (docs/emulator.md "Checksums"): COMPOSITE is the
// checksum of the concatenated part checksums with "-N"; FULL_OBJECT the
// CRC of the whole data, combined from the parts' CRCs. A part whose
// checksum the request lists (listed: part number to checksums) must have
// that checksum, else the part is invalid, as a wrong ETag is. want is
// the object's checksum the request declared (its x-amz-checksum-*
// header), if any: another value fails with BadDigest.
func multipartChecksums(alg checksum.Algorithm, typ string, listed map[int]checksumXML, want string) store.ObjectChecksums {
	return func(parts []store.Part) (map[string]string, error) {
		raw := make([][]byte, len(parts))
		for i, p := range parts {
			for name, v := range listed[p.Number].values() {
				if p.Checksums[name] != v {
					return nil, fmt.Errorf("%w: part %d has another %s checksum than %s", store.ErrInvalidPart, p.Number, name, v)
				}
			}
			sum, ok := checksum.Decode(alg, p.Checksums[alg.String()])
			if !ok {
				return nil, fmt.Errorf("%w: part %d has no %s checksum", store.ErrInvalidPart, p.Number, alg)
			}
			raw[i] = sum
		}
		var sum string
		if typ == checksum.Composite {
			sum = checksum.CompositeSum(alg, raw)
		} else {
			total := raw[0]
			for i := 1; i < len(raw); i++ {
				var ok bool
				if total, ok = checksum.Combine(alg, total, raw[i], parts[i].Size); !ok {
					return nil, fmt.Errorf("combining the parts' %s: not a CRC", alg)
				}
			}
			sum = checksum.Encode(total)
		}
		// A composite value may be declared with or without its "-N".
		if want != "" && want != sum && want+"-"+strconv.Itoa(len(parts)) != sum {
			return nil, sigv4.ErrBadDigest(alg.String())
		}
		return map[string]string{alg.String(): sum}, nil
	}
}

// checksumXML is the checksum of an object or part in XML responses
// (CompleteMultipartUpload, ListParts, CopyObject, UploadPartCopy).
type checksumXML struct {
	ChecksumCRC32     string `xml:",omitempty"`
	ChecksumCRC32C    string `xml:",omitempty"`
	ChecksumCRC64NVME string `xml:",omitempty"`
	ChecksumSHA1      string `xml:",omitempty"`
	ChecksumSHA256    string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
}

// values returns the checksums x carries, algorithm name to value.
func (x checksumXML) values() map[string]string {
	out := map[string]string{}
	for _, kv := range [][2]string{{"CRC32", x.ChecksumCRC32}, {"CRC32C", x.ChecksumCRC32C}, {"CRC64NVME", x.ChecksumCRC64NVME}, {"SHA1", x.ChecksumSHA1}, {"SHA256", x.ChecksumSHA256}} {
		if kv[1] != "" {
			out[kv[0]] = kv[1]
		}
	}
	return out
}

func newChecksumXML(sums map[string]string, typ string) checksumXML {
	var x checksumXML
	alg, v, ok := storedChecksum(sums)
	if !ok {
		return x
	}
	switch alg {
	case checksum.CRC32:
		x.ChecksumCRC32 = v
	case checksum.CRC32C:
		x.ChecksumCRC32C = v
	case checksum.CRC64NVME:
		x.ChecksumCRC64NVME = v
	case checksum.SHA1:
		x.ChecksumSHA1 = v
	case checksum.SHA256:
		x.ChecksumSHA256 = v
	}
	x.ChecksumType = typ
	return x
}

// copiedBody is data copied from another object, hashed for the copy's
// checksum.
type copiedBody struct {
	io.Reader
	*bodyChecksum
}

func (b *copiedBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	b.update(p[:n])
	return n, err
}
