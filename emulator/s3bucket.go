package emulator

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxConfigBody bounds the XML and JSON bodies of configuration calls.
const maxConfigBody = 1 << 20

func (s *Server) listBuckets(w http.ResponseWriter, c *call) error {
	if c.principal.Kind == authz.Anonymous {
		return errorf(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	if err := s.authorize(c, noObjectData, enforce.Call{}); err != nil {
		return err
	}
	c.resourceAccount = c.principal.Account
	type bucketXML struct {
		Name         string
		CreationDate string
	}
	type result struct {
		XMLName xml.Name    `xml:"ListAllMyBucketsResult"`
		NS      string      `xml:"xmlns,attr"`
		Owner   ownerXML    `xml:"Owner"`
		Buckets []bucketXML `xml:"Buckets>Bucket"`
	}
	out := result{NS: s3NS, Owner: owner(c.principal.Account)}
	infos, err := s.store.ListBuckets(c.r.Context())
	if err != nil {
		return errInternal(err)
	}
	wd := s.state.world()
	for _, bi := range infos {
		b := wd.Bucket(bi.Name)
		if b == nil || b.Account.ID != c.principal.Account {
			continue
		}
		out.Buckets = append(out.Buckets, bucketXML{Name: bi.Name, CreationDate: s3Time(bi.Meta.Created)})
	}
	return writeXML(w, http.StatusOK, out)
}

// authorizedBucket returns the call's bucket once the caller may perform
// the bucket operation: NoSuchBucket first, then the catalogue's checks.
func (s *Server) authorizedBucket(c *call) (*world.Bucket, error) {
	b, err := s.bucket(c)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, noObjectData, enforce.Call{}); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Server) createBucket(w http.ResponseWriter, c *call) error {
	if !world.ValidBucketName(c.bucket) {
		return errorf(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", c.bucket)
	}
	if c.principal.Kind == authz.Anonymous {
		// "Anonymous requests are never allowed to create buckets"
		// (docs/authorization.md §2.2 CreateBucket).
		return errorf(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	// The body is an optional CreateBucketConfiguration.
	var conf struct {
		LocationConstraint string
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxConfigBody))
	if err != nil {
		return storeError(err, c)
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := xml.Unmarshal(body, &conf); err != nil {
			return errMalformedXML()
		}
	}
	region := s.region
	keys := map[string][]string{}
	if conf.LocationConstraint != "" {
		keys["s3:locationconstraint"] = []string{conf.LocationConstraint}
		region = conf.LocationConstraint
	}
	// Authorization comes first: seed 002's CreateBucket on an existing
	// bucket was denied, not answered with BucketAlreadyOwnedByYou.
	f := features(c.r)
	if err := s.authorize(c, noObjectData, enforce.Call{Keys: keys, Features: f}); err != nil {
		return err
	}
	if f.BucketLock {
		// A bucket created with Object Lock would answer
		// GetObjectLockConfiguration as if it had none (docs/emulator.md
		// "Not served").
		return errNotImplemented("object lock (x-amz-bucket-object-lock-enabled)")
	}
	if region != s.region && !(region == "us-east-1" && conf.LocationConstraint == "") {
		return errorf(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", region)
	}
	ownership := c.r.Header.Get("X-Amz-Object-Ownership")
	switch ownership {
	case "", world.BucketOwnerEnforced, world.BucketOwnerPreferred, world.ObjectWriter:
	default:
		return errInvalidArgument("x-amz-object-ownership", ownership, "Invalid x-amz-object-ownership header: %s", ownership)
	}
	if (ownership == "" || ownership == world.BucketOwnerEnforced) && hasACLHeaders(c.r.Header) {
		acl := c.r.Header.Get("X-Amz-Acl")
		if hasGrantHeaders(c.r.Header) || (acl != "private" && acl != "bucket-owner-full-control") {
			return errorf(http.StatusBadRequest, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
		}
	}
	if b := s.state.world().Bucket(c.bucket); b != nil {
		c.resourceAccount = b.Account.ID
		if b.Account.ID == c.principal.Account {
			if s.region == "us-east-1" {
				// The us-east-1 legacy answer (docs/authorization.md §4.1 table).
				w.Header().Set("Location", "/"+c.bucket)
				w.WriteHeader(http.StatusOK)
				return nil
			}
			return errorf(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.").with("BucketName", c.bucket)
		}
		return errorf(http.StatusConflict, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").with("BucketName", c.bucket)
	}
	meta := store.BucketMeta{Owner: c.principal.Account, Region: region, Created: c.start, Ownership: ownership}
	if meta.Ownership == "" {
		meta.Ownership = world.BucketOwnerEnforced
	}
	if err := s.store.CreateBucket(c.r.Context(), c.bucket, meta); err != nil {
		if errors.Is(err, store.ErrBucketExists) {
			return errorf(http.StatusConflict, "OperationAborted", "A conflicting conditional operation is currently in progress against this resource. Please try again.")
		}
		return errInternal(err)
	}
	err = s.state.change(func(m *world.Model) error {
		a := findAccount(m, c.principal.Account)
		if a == nil {
			return fmt.Errorf("account %s is not in the world", c.principal.Account)
		}
		a.Buckets = append(a.Buckets, world.BucketModel{Name: c.bucket, Region: region, Ownership: meta.Ownership})
		return nil
	})
	if err != nil {
		s.store.DeleteBucket(c.r.Context(), c.bucket)
		return errInternal(err)
	}
	c.resourceAccount = c.principal.Account
	w.Header().Set("Location", "/"+c.bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

func findAccount(m *world.Model, id string) *world.AccountModel {
	for i := range m.Accounts {
		if m.Accounts[i].ID == id {
			return &m.Accounts[i]
		}
	}
	return nil
}

// modelAccount is findAccount for an account that must be in the model,
// the caller's: its absence is an internal error.
func modelAccount(m *world.Model, id string) (*world.AccountModel, error) {
	if a := findAccount(m, id); a != nil {
		return a, nil
	}
	return nil, errInternal(fmt.Errorf("account %s is not in the world", id))
}

// changeBucket edits the model of the call's bucket.
func (s *Server) changeBucket(c *call, fn func(bm *world.BucketModel) error) error {
	return s.state.change(func(m *world.Model) error {
		bm := m.FindBucket(c.bucket)
		if bm == nil {
			return errNoSuchBucket(c.bucket)
		}
		return fn(bm)
	})
}

func (s *Server) deleteBucket(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	if err := s.store.DeleteBucket(c.r.Context(), c.bucket); err != nil {
		return storeError(err, c)
	}
	err := s.state.change(func(m *world.Model) error {
		for i := range m.Accounts {
			a := &m.Accounts[i]
			for j := range a.Buckets {
				if a.Buckets[j].Name == c.bucket {
					a.Buckets = append(a.Buckets[:j:j], a.Buckets[j+1:]...)
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		return errInternal(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) headBucket(w http.ResponseWriter, c *call) error {
	b, err := s.bucket(c)
	if err != nil {
		return err
	}
	// HeadBucket returns the region "whether access to the bucket is
	// authorized or not" (docs/authorization.md §2.2).
	w.Header().Set("X-Amz-Bucket-Region", b.Region)
	if err := s.authorize(c, noObjectData, enforce.Call{}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) getBucketLocation(w http.ResponseWriter, c *call) error {
	b, err := s.authorizedBucket(c)
	if err != nil {
		return err
	}
	type result struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		NS      string   `xml:"xmlns,attr"`
		Region  string   `xml:",chardata"`
	}
	region := b.Region
	if region == "us-east-1" {
		region = "" // AWS answers an empty constraint for us-east-1
	}
	return writeXML(w, http.StatusOK, result{NS: s3NS, Region: region})
}

// ownerOnly refuses bucket-policy calls from other accounts: "If you're
// not using an identity that belongs to the bucket owner's account, Amazon
// S3 returns a 405 Method Not Allowed error" (S3 API reference,
// PutBucketPolicy/GetBucketPolicy/DeleteBucketPolicy).
func ownerOnly(c *call, b *world.Bucket) error {
	if c.principal.Account != b.Account.ID {
		return errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
			with("Method", c.r.Method).with("ResourceType", "BUCKETPOLICY")
	}
	return nil
}

func (s *Server) getBucketPolicy(w http.ResponseWriter, c *call) error {
	b, err := s.authorizedBucket(c)
	if err != nil {
		return err
	}
	if err := ownerOnly(c, b); err != nil {
		return err
	}
	bm := s.state.snapshot().FindBucket(c.bucket)
	if bm == nil || bm.Policy == nil {
		return errorf(http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist").with("BucketName", c.bucket)
	}
	text, err := bm.Policy.JSON()
	if err != nil {
		return errInternal(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(text)
	return nil
}

func (s *Server) putBucketPolicy(w http.ResponseWriter, c *call) error {
	b, err := s.authorizedBucket(c)
	if err != nil {
		return err
	}
	if err := ownerOnly(c, b); err != nil {
		return err
	}
	text, err := io.ReadAll(io.LimitReader(c.r.Body, 20<<10+1))
	if err != nil {
		return storeError(err, c)
	}
	if len(text) > 20<<10 {
		return errorf(http.StatusBadRequest, "PolicyTooLarge", "Policy exceeds the maximum allowed document size.")
	}
	p, err := policy.Parse(text, policy.Resource)
	if err != nil {
		return errMalformedPolicy("s3", text, err)
	}
	if errs := policy.CheckBucketResources(p, b.Name); errs != nil {
		return errMalformedPolicy("s3", text, errs)
	}
	err = s.changeBucket(c, func(bm *world.BucketModel) error {
		d := world.DocFromJSON(text)
		bm.Policy = &d
		return nil
	})
	if err != nil {
		return errorf(http.StatusBadRequest, "MalformedPolicy", "%s", policyErrorMessage(err))
	}
	if err := s.persistBucket(c); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// policyErrorMessage turns a policy parse error into a MalformedPolicy
// message that names the element and the problem.
func policyErrorMessage(err error) string {
	var list policy.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return list[0].Error()
	}
	return err.Error()
}

func (s *Server) deleteBucketPolicy(w http.ResponseWriter, c *call) error {
	b, err := s.authorizedBucket(c)
	if err != nil {
		return err
	}
	if err := ownerOnly(c, b); err != nil {
		return err
	}
	if err := s.changeBucket(c, func(bm *world.BucketModel) error { bm.Policy = nil; return nil }); err != nil {
		return errInternal(err)
	}
	if err := s.persistBucket(c); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type encryptionConfig struct {
	XMLName xml.Name `xml:"ServerSideEncryptionConfiguration"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		Default struct {
			SSEAlgorithm   string
			KMSMasterKeyID string `xml:",omitempty"`
		} `xml:"ApplyServerSideEncryptionByDefault"`
		BucketKeyEnabled bool
	} `xml:"Rule"`
}

func (s *Server) getBucketEncryption(w http.ResponseWriter, c *call) error {
	b, err := s.authorizedBucket(c)
	if err != nil {
		return err
	}
	out := encryptionConfig{NS: s3NS}
	out.Rules = make([]struct {
		Default struct {
			SSEAlgorithm   string
			KMSMasterKeyID string `xml:",omitempty"`
		} `xml:"ApplyServerSideEncryptionByDefault"`
		BucketKeyEnabled bool
	}, 1)
	// Every bucket has default encryption: SSE-S3 unless configured.
	out.Rules[0].Default.SSEAlgorithm = "AES256"
	if b.KMSKey != nil {
		out.Rules[0].Default.SSEAlgorithm = "aws:kms"
		// A default of the AWS managed key aws/s3 is configured without
		// a KMSMasterKeyID, and shown without one.
		if !b.KMSKey.Managed {
			out.Rules[0].Default.KMSMasterKeyID = b.KMSKey.ARN
		}
		out.Rules[0].BucketKeyEnabled = b.BucketKey
	}
	return writeXML(w, http.StatusOK, out)
}

func (s *Server) putBucketEncryption(w http.ResponseWriter, c *call) error {
	b, err := s.authorizedBucket(c)
	if err != nil {
		return err
	}
	var conf encryptionConfig
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxConfigBody))
	if err != nil {
		return storeError(err, c)
	}
	if xml.Unmarshal(body, &conf) != nil || len(conf.Rules) != 1 {
		return errMalformedXML()
	}
	rule := conf.Rules[0]
	var enc *world.EncryptionModel
	switch rule.Default.SSEAlgorithm {
	case "AES256":
		if rule.Default.KMSMasterKeyID != "" {
			return errInvalidArgument("ApplyServerSideEncryptionByDefault", "", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		}
	case "aws:kms", "aws:kms:dsse":
		var k *world.Key
		if rule.Default.KMSMasterKeyID == "" {
			// No key: the bucket owner's AWS managed key aws/s3
			// (docs/authorization.md §3.3; S3 API ServerSideEncryptionByDefault).
			k = s.state.world().S3Key(b.Account.ID)
		} else {
			k = s.resolveKMSKey(rule.Default.KMSMasterKeyID, b.Account.ID)
		}
		if k == nil {
			return errInvalidArgument("ApplyServerSideEncryptionByDefault", rule.Default.KMSMasterKeyID,
				"KMS key %s is not a key of the world: name a key ID, key ARN, alias or alias ARN of the world's keys", rule.Default.KMSMasterKeyID)
		}
		enc = &world.EncryptionModel{KMSKey: k.ARN, BucketKey: rule.BucketKeyEnabled}
	default:
		return errMalformedXML()
	}
	if err := s.changeBucket(c, func(bm *world.BucketModel) error { bm.Encryption = enc; return nil }); err != nil {
		return errInternal(err)
	}
	if err := s.persistBucket(c); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

type ownershipControls struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		ObjectOwnership string
	} `xml:"Rule"`
}

func (s *Server) getOwnershipControls(w http.ResponseWriter, c *call) error {
	b, err := s.authorizedBucket(c)
	if err != nil {
		return err
	}
	out := ownershipControls{NS: s3NS}
	out.Rules = append(out.Rules, struct{ ObjectOwnership string }{b.Ownership})
	return writeXML(w, http.StatusOK, out)
}

func (s *Server) putOwnershipControls(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	var conf ownershipControls
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxConfigBody))
	if err != nil {
		return storeError(err, c)
	}
	if xml.Unmarshal(body, &conf) != nil || len(conf.Rules) != 1 {
		return errMalformedXML()
	}
	o := conf.Rules[0].ObjectOwnership
	switch o {
	case world.BucketOwnerEnforced, world.BucketOwnerPreferred, world.ObjectWriter:
	default:
		return errMalformedXML()
	}
	if err := s.changeBucket(c, func(bm *world.BucketModel) error { bm.Ownership = o; return nil }); err != nil {
		return errInternal(err)
	}
	if err := s.persistBucket(c); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// resolveKMSKey finds a key by key ID, key ARN, alias name or alias ARN;
// IDs and alias names are looked up in account.
func (s *Server) resolveKMSKey(ref, account string) *world.Key {
	wd := s.state.world()
	if strings.HasPrefix(ref, "arn:") {
		return wd.Key(ref)
	}
	prefix := "arn:aws:kms:" + wd.Region + ":" + account + ":"
	if strings.HasPrefix(ref, "alias/") {
		return wd.Key(prefix + ref)
	}
	return wd.Key(prefix + "key/" + ref)
}

// persistBucket writes the bucket's configuration into the store, so that
// a restart with the same data directory keeps buckets created at run
// time with their policies.
func (s *Server) persistBucket(c *call) error {
	bm := s.state.snapshot().FindBucket(c.bucket)
	if bm == nil {
		return nil
	}
	_, err := s.store.UpdateBucket(c.r.Context(), c.bucket, func(meta *store.BucketMeta) error {
		return bucketConfigToMeta(bm, meta)
	})
	if err != nil {
		return errInternal(err)
	}
	return nil
}

type ownerXML struct {
	ID          string
	DisplayName string
}

// owner is the S3 owner element of an account: lockstep uses the account
// ID as the canonical user ID.
func owner(account string) ownerXML {
	return ownerXML{ID: canonicalID(account), DisplayName: account}
}

// canonicalID is a stable 64-hex-digit canonical user ID for an account.
func canonicalID(account string) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, 64)
	for i := range b {
		b[i] = hexdigits[(int(account[i%len(account)])*7+i*13)%16]
	}
	return string(b)
}

// writeXML writes an S3 XML response.
func writeXML(w http.ResponseWriter, status int, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return errInternal(err)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)+len(xml.Header)))
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	w.Write(b)
	return nil
}

// sortedKeys returns the keys of a map in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
