package emulator

import "github.com/lockstep-dev/lockstep/sigv4"

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
