package emulator

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/lockstep-dev/lockstep/sigv4"
)

// checkS3Request makes the checks S3 makes of any request before its
// operation: the header section's size, the key, the signing region
// (docs/emulator.md "Write guarantees and request semantics").
func (s *Server) checkS3Request(c *call) error {
	if err := checkHeaderSize(c.r.Header); err != nil {
		return err
	}
	if err := checkObjectKey(c.key); err != nil {
		return err
	}
	return s.checkSigningRegion(c)
}

// maxHeaderSection is S3's limit on a request's header section: "The PUT
// request header is limited to 8 KB in size."
const maxHeaderSection = 8 << 10

// checkHeaderSize refuses a request whose header fields (name, ": ",
// value and CRLF each) exceed maxHeaderSection with S3's
// RequestHeaderSectionTooLarge.
func checkHeaderSize(h http.Header) error {
	n := 0
	for name, values := range h {
		for _, v := range values {
			n += len(name) + len(v) + 4
		}
	}
	if n > maxHeaderSection {
		return errorf(http.StatusBadRequest, "RequestHeaderSectionTooLarge", "Your request header section exceeds the maximum allowed size.").
			with("MaxSizeAllowed", strconv.Itoa(maxHeaderSection))
	}
	return nil
}

// checkSigningRegion refuses a request to a bucket signed for another
// region than the bucket's: S3 serves a bucket only in its own region and
// answers AuthorizationHeaderMalformed (AuthorizationQueryParametersError
// for a presigned URL) naming the region expected (docs/emulator.md
// "Write guarantees and request semantics"). GetBucketLocation is how a
// client learns a bucket's region: it is also answered when signed for
// us-east-1, the global endpoint's region. CreateBucket and ListBuckets
// name no existing bucket. A missing bucket is left to the handler's
// NoSuchBucket; SigV2 and unsigned requests name no region.
func (s *Server) checkSigningRegion(c *call) error {
	if c.auth == nil || c.auth.Region == "" || c.bucket == "" {
		return nil
	}
	switch c.operation {
	case "CreateBucket", "ListBuckets":
		return nil
	}
	b := s.state.world().Bucket(c.bucket)
	if b == nil || b.Region == c.auth.Region || c.operation == "GetBucketLocation" && c.auth.Region == "us-east-1" {
		return nil
	}
	return sigv4.WrongRegion(c.auth.Region, b.Region, c.auth.Presigned)
}

// checkObjectKey refuses a key S3 cannot store: longer than 1024 bytes
// (KeyTooLongError), or not UTF-8 (InvalidURI: S3 cannot read the URI),
// docs/emulator.md "Write guarantees and request semantics".
func checkObjectKey(key string) error {
	switch {
	case len(key) > 1024:
		return errorf(http.StatusBadRequest, "KeyTooLongError", "Your key is too long").with("Size", strconv.Itoa(len(key))).with("MaxSizeAllowed", "1024")
	case !utf8.ValidString(key):
		return errorf(http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI.")
	}
	return nil
}
