package emulator

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/lockstep-dev/lockstep/store"
)

// The bucket configurations the emulator stores (docs/emulator.md
// "Bucket sub-resources"): tags, public access block, CORS and the
// versioning status. They are kept and returned; none of them changes how
// a request is authorized or served.

// maxBucketTags is the number of tags a bucket may have ("A tag set can
// contain as many as 50 user-defined tags, or it can be empty", S3 User
// Guide, tagging; docs/emulator.md "Bucket sub-resources").
const maxBucketTags = 50

func (s *Server) getBucketTagging(w http.ResponseWriter, c *call) error {
	return writeStoredSetting[tagSet](s, w, c, settingTagging)
}

// putBucketTagging replaces the bucket's tags. An empty tag set removes
// them, as DeleteBucketTagging does.
func (s *Server) putBucketTagging(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	var in tagSet
	if err := readConfigBody(c, &in); err != nil {
		return err
	}
	if len(in.Tags) > maxBucketTags {
		return errorf(http.StatusBadRequest, "BadRequest", "Bucket tag count cannot be greater than %d", maxBucketTags)
	}
	tags := make([]store.Tag, 0, len(in.Tags))
	for _, t := range in.Tags {
		tags = append(tags, store.Tag{Key: t.Key, Value: t.Value})
	}
	if err := validateTagKeys(tags); err != nil {
		return err
	}
	var doc any
	if len(in.Tags) > 0 {
		in.NS = ""
		doc = in
	}
	if err := s.setBucketSetting(c, settingTagging, doc); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// publicAccessBlock is a PublicAccessBlockConfiguration; absent elements
// are false (S3 API reference PublicAccessBlockConfiguration).
type publicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	NS                    string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

func (s *Server) getPublicAccessBlock(w http.ResponseWriter, c *call) error {
	return writeStoredSetting[publicAccessBlock](s, w, c, settingPublicAccessBlock)
}

func (s *Server) putPublicAccessBlock(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	var in publicAccessBlock
	if err := readConfigBody(c, &in); err != nil {
		return err
	}
	in.NS = ""
	if err := s.setBucketSetting(c, settingPublicAccessBlock, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// corsConfiguration is a CORSConfiguration document.
type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	NS      string     `xml:"xmlns,attr,omitempty"`
	Rules   []corsRule `xml:"CORSRule"`
}

type corsRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds,omitempty"`
}

// maxCORSRules: "You can add up to 100 rules to the configuration" (S3
// API reference CORSConfiguration).
const maxCORSRules = 100

// validate checks a CORS configuration as S3 does (S3 API reference
// CORSRule: AllowedMethod and AllowedOrigin are required; "Valid values
// are GET, PUT, HEAD, POST, and DELETE").
func (cfg *corsConfiguration) validate() error {
	if len(cfg.Rules) == 0 || len(cfg.Rules) > maxCORSRules {
		return errMalformedXML()
	}
	for _, r := range cfg.Rules {
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			return errMalformedXML()
		}
		for _, m := range r.AllowedMethods {
			switch m {
			case http.MethodGet, http.MethodPut, http.MethodHead, http.MethodPost, http.MethodDelete:
			default:
				return errorf(http.StatusBadRequest, "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return errorf(http.StatusBadRequest, "InvalidRequest", "AllowedOrigin %q can not have more than one wildcard.", o)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return errorf(http.StatusBadRequest, "InvalidRequest", "AllowedHeader %q can not have more than one wildcard.", h)
			}
		}
	}
	return nil
}

func (s *Server) getBucketCORS(w http.ResponseWriter, c *call) error {
	return writeStoredSetting[corsConfiguration](s, w, c, settingCORS)
}

func (s *Server) putBucketCORS(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	var in corsConfiguration
	if err := readConfigBody(c, &in); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	in.NS = ""
	if err := s.setBucketSetting(c, settingCORS, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// versioningConfiguration is a VersioningConfiguration document.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	NS        string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MFADelete string   `xml:"MfaDelete,omitempty"`
}

// getBucketVersioning answers the bucket's versioning state: none for a
// bucket whose versioning was never set ("If the versioning state has
// never been set on a bucket, it has no versioning state; a
// GetBucketVersioning request does not return a versioning state value",
// S3 API reference PutBucketVersioning), else Enabled or Suspended.
func (s *Server) getBucketVersioning(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	out := versioningConfiguration{NS: s3NS}
	state, err := s.bucketVersioning(c, c.bucket)
	if err != nil {
		return err
	}
	out.Status = state
	if state == "" {
		// Before the store kept the state, Suspended was kept here.
		var legacy versioningConfiguration
		if _, err := s.bucketSetting(c, settingVersioning, &legacy); err != nil {
			return err
		}
		out.Status = legacy.Status
	}
	return writeXML(w, http.StatusOK, out)
}

// putBucketVersioning sets the bucket's versioning state, which the store
// acts on (docs/emulator.md "Versioning"): Enabled or Suspended; a bucket
// cannot return to unversioned ("After you version-enable a bucket, it
// can never return to an unversioned state", S3 User Guide, Versioning).
// MFA delete is not emulated: MfaDelete Enabled is refused as
// NotImplemented.
func (s *Server) putBucketVersioning(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	var in versioningConfiguration
	if err := readConfigBody(c, &in); err != nil {
		return err
	}
	switch in.MFADelete {
	case "", "Disabled":
	case "Enabled":
		return errorf(http.StatusNotImplemented, "NotImplemented", "MFA delete is not emulated: the lockstep emulator accepts MfaDelete Disabled only")
	default:
		return errMalformedXML()
	}
	switch in.Status {
	case store.VersioningEnabled, store.VersioningSuspended:
	default:
		return errMalformedXML()
	}
	if err := s.refuseVersioningChange(c, in.Status); err != nil {
		return err
	}
	_, err := s.store.UpdateBucket(c.r.Context(), c.bucket, func(m *store.BucketMeta) error {
		m.Versioning = in.Status
		delete(m.Extra, settingVersioning)
		return nil
	})
	if err != nil {
		return storeError(err, c)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// storedConfig is a bucket configuration kept as its XML document: its
// namespace is set when it is written out.
type storedConfig interface{ setNamespace(ns string) }

func (t *tagSet) setNamespace(ns string)            { t.NS = ns }
func (p *publicAccessBlock) setNamespace(ns string) { p.NS = ns }
func (c *corsConfiguration) setNamespace(ns string) { c.NS = ns }

// writeStoredSetting answers a Get of a stored bucket configuration: the
// document, or the operation's not-configured error (errNotConfigured).
func writeStoredSetting[T any, P interface {
	*T
	storedConfig
}](s *Server, w http.ResponseWriter, c *call, setting string) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	var out T
	found, err := s.bucketSetting(c, setting, &out)
	if err != nil {
		return err
	}
	if !found {
		return errNotConfigured(c)
	}
	P(&out).setNamespace(s3NS)
	return writeXML(w, http.StatusOK, out)
}
