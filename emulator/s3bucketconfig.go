package emulator

import (
	"encoding/xml"
	"io"
	"net/http"

	"github.com/lockstep-dev/lockstep/store"
)

// Bucket sub-resources (docs/emulator.md "Bucket sub-resources"): the
// configurations a Terraform aws_s3_bucket refresh reads. Those the
// emulator keeps (tags, public access block, CORS, versioning status) are
// stored in the bucket's store metadata; the others are answered as S3
// answers for a bucket that has never been configured.

// bucketConfigHandlers are the handlers of the bucket sub-resource
// operations, looked up after s3Handlers (s3HandlerOf). Their routes are
// their catalogue rows' (docs/emulator.md "Routing").
var bucketConfigHandlers = map[string]s3Handler{
	"GetBucketAcl":                     (*Server).getBucketACL,
	"GetBucketCors":                    (*Server).getBucketCORS,
	"PutBucketCors":                    (*Server).putBucketCORS,
	"DeleteBucketCors":                 (*Server).deleteBucketSetting,
	"GetBucketWebsite":                 (*Server).notConfigured,
	"GetBucketLogging":                 (*Server).getBucketLogging,
	"GetBucketLifecycleConfiguration":  (*Server).notConfigured,
	"GetBucketReplication":             (*Server).getBucketReplication,
	"PutBucketReplication":             (*Server).putBucketReplication,
	"DeleteBucketReplication":          (*Server).deleteBucketReplication,
	"GetBucketTagging":                 (*Server).getBucketTagging,
	"PutBucketTagging":                 (*Server).putBucketTagging,
	"DeleteBucketTagging":              (*Server).deleteBucketSetting,
	"GetBucketAccelerateConfiguration": (*Server).getBucketAccelerate,
	"GetBucketRequestPayment":          (*Server).getBucketRequestPayment,
	"GetPublicAccessBlock":             (*Server).getPublicAccessBlock,
	"PutPublicAccessBlock":             (*Server).putPublicAccessBlock,
	"DeletePublicAccessBlock":          (*Server).deleteBucketSetting,
	"GetObjectLockConfiguration":       (*Server).notConfigured,
	"GetBucketVersioning":              (*Server).getBucketVersioning,
	"PutBucketVersioning":              (*Server).putBucketVersioning,
}

// notConfiguredErrors are S3's answers to reading a configuration the
// bucket does not have, by operation, with AWS's wire messages
// (docs/emulator.md "Bucket sub-resources" cites each).
var notConfiguredErrors = map[string]struct{ code, message string }{
	"GetBucketCors":                   {"NoSuchCORSConfiguration", "The CORS configuration does not exist"},
	"GetBucketWebsite":                {"NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"},
	"GetBucketLifecycleConfiguration": {"NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"},
	"GetBucketReplication":            {"ReplicationConfigurationNotFoundError", "The replication configuration was not found"},
	"GetBucketTagging":                {"NoSuchTagSet", "The TagSet does not exist"},
	"GetPublicAccessBlock":            {"NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"},
	"GetObjectLockConfiguration":      {"ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"},
}

// errNotConfigured is the 404 S3 answers when the call's bucket has no
// configuration of the operation's kind.
func errNotConfigured(c *call) *apiError {
	e := notConfiguredErrors[c.operation]
	return errorf(http.StatusNotFound, e.code, "%s", e.message).with("BucketName", c.bucket)
}

// notConfigured serves the reads of configurations the emulator never
// has (website, lifecycle, object lock).
func (s *Server) notConfigured(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	return errNotConfigured(c)
}

// getBucketACL answers the ACL of a bucket: the emulator keeps no bucket
// ACL (PutBucketAcl is not served), so every bucket has the default ACL,
// FULL_CONTROL for its owner ("When you create a bucket or an object,
// Amazon S3 creates a default ACL that grants the resource owner full
// control over the resource", acl-overview).
func (s *Server) getBucketACL(w http.ResponseWriter, c *call) error {
	b, err := s.authorizedBucket(c)
	if err != nil {
		return err
	}
	out := aclXML{NS: s3NS, Owner: owner(b.Account.ID), Grants: []grantXML{fullControl(b.Account.ID)}}
	return writeXML(w, http.StatusOK, out)
}

// getBucketLogging answers an empty BucketLoggingStatus: logging is not
// enabled (S3 API reference GetBucketLogging: LoggingEnabled is absent).
func (s *Server) getBucketLogging(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	type result struct {
		XMLName xml.Name `xml:"BucketLoggingStatus"`
		NS      string   `xml:"xmlns,attr"`
	}
	return writeXML(w, http.StatusOK, result{NS: s3NS})
}

// getBucketAccelerate answers a configuration without a Status: "A GET
// accelerate request does not return a state value for a bucket that has
// no transfer acceleration state" (S3 API reference
// GetBucketAccelerateConfiguration).
func (s *Server) getBucketAccelerate(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	type result struct {
		XMLName xml.Name `xml:"AccelerateConfiguration"`
		NS      string   `xml:"xmlns,attr"`
	}
	return writeXML(w, http.StatusOK, result{NS: s3NS})
}

// getBucketRequestPayment answers BucketOwner: the emulator's buckets are
// never Requester Pays, and the bucket owner pays by default (S3 API
// reference GetBucketRequestPayment, Payer).
func (s *Server) getBucketRequestPayment(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	type result struct {
		XMLName xml.Name `xml:"RequestPaymentConfiguration"`
		NS      string   `xml:"xmlns,attr"`
		Payer   string
	}
	return writeXML(w, http.StatusOK, result{NS: s3NS, Payer: "BucketOwner"})
}

// Names of the stored sub-resources in store.BucketMeta.Extra, by the
// operation that deletes each.
const (
	settingCORS              = "cors"
	settingTagging           = "tagging"
	settingPublicAccessBlock = "publicAccessBlock"
	settingVersioning        = "versioning"
)

var deletedSetting = map[string]string{
	"DeleteBucketCors":        settingCORS,
	"DeleteBucketTagging":     settingTagging,
	"DeletePublicAccessBlock": settingPublicAccessBlock,
}

// bucketSetting reads the stored document of a sub-resource into v; it
// reports false when the bucket has none.
func (s *Server) bucketSetting(c *call, name string, v any) (bool, error) {
	meta, err := s.store.GetBucket(c.r.Context(), c.bucket)
	if err != nil {
		return false, storeError(err, c)
	}
	doc, ok := meta.Extra[name]
	if !ok {
		return false, nil
	}
	if err := xml.Unmarshal([]byte(doc), v); err != nil {
		return false, errInternal(err)
	}
	return true, nil
}

// setBucketSetting stores the document of a sub-resource (v), or removes
// it when v is nil.
func (s *Server) setBucketSetting(c *call, name string, v any) error {
	var doc string
	if v != nil {
		b, err := xml.Marshal(v)
		if err != nil {
			return errInternal(err)
		}
		doc = string(b)
	}
	_, err := s.store.UpdateBucket(c.r.Context(), c.bucket, func(m *store.BucketMeta) error {
		if v == nil {
			delete(m.Extra, name)
			return nil
		}
		if m.Extra == nil {
			m.Extra = map[string]string{}
		}
		m.Extra[name] = doc
		return nil
	})
	return storeError(err, c)
}

// deleteBucketSetting serves DeleteBucketCors, DeleteBucketTagging and
// DeletePublicAccessBlock: 204 whether or not the bucket had one.
func (s *Server) deleteBucketSetting(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	if err := s.setBucketSetting(c, deletedSetting[c.operation], nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readConfigBody reads the XML body of a Put call into v: MalformedXML
// when it is missing or not the document v describes.
func readConfigBody(c *call, v any) error {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxConfigBody))
	if err != nil {
		return storeError(err, c)
	}
	if xml.Unmarshal(body, v) != nil {
		return errMalformedXML()
	}
	return nil
}
