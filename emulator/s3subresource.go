package emulator

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

// tagSet is the XML of object tags.
type tagSet struct {
	XMLName xml.Name `xml:"Tagging"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Tags    []struct {
		Key   string
		Value string
	} `xml:"TagSet>Tag"`
}

// subresourceObject is the object version an object sub-resource call
// (tagging, ACL) acts on.
type subresourceObject struct {
	b          *world.Bucket
	meta       store.ObjectMeta
	versionID  string // the request's versionId, "" for the current version
	versioning string // the bucket's versioning state
}

// objectForSubresource looks up and authorizes the object version of a
// tagging or ACL call, and sets x-amz-version-id for a versioned bucket.
func (s *Server) objectForSubresource(w http.ResponseWriter, c *call) (subresourceObject, error) {
	var so subresourceObject
	b, err := s.bucket(c)
	if err != nil {
		return so, err
	}
	if so.versionID, err = requestVersionID(c.r.URL.Query()); err != nil {
		return so, err
	}
	meta, err := s.store.HeadVersion(c.r.Context(), c.bucket, c.key, so.versionID)
	if errors.Is(err, store.ErrNoSuchKey) || errors.Is(err, store.ErrNoSuchVersion) || errors.Is(err, store.ErrDeleteMarker) {
		if err := s.authorize(c, noObjectData, enforce.Call{Features: features(c.r)}); err != nil {
			return so, err
		}
		return so, versionLookupError(w, c, err, so.versionID)
	}
	if err != nil {
		return so, storeError(err, c)
	}
	// ACL and tagging operations on an object owned by another account
	// than the bucket owner follow the object context (docs/authorization.md §2.5).
	obj := ownedObject{target: s3ops.Object, bucket: b, meta: meta}
	if err := s.authorize(c, storedEncryption(meta.SSE), enforce.Call{Features: features(c.r), Keys: existingTagKeys(c.operation, meta.Tags)}, obj); err != nil {
		return so, err
	}
	if so.versioning, err = s.bucketVersioning(c, c.bucket); err != nil {
		return so, err
	}
	setVersionHeader(w.Header(), so.versioning, meta)
	so.b, so.meta = b, meta
	return so, nil
}

// updateSubresource changes the metadata of the call's object version.
func (s *Server) updateSubresource(c *call, so subresourceObject, fn func(*store.ObjectMeta)) error {
	_, err := s.store.UpdateVersion(c.r.Context(), c.bucket, c.key, so.versionID, func(m *store.ObjectMeta) error {
		fn(m)
		return nil
	})
	return storeError(err, c)
}

func (s *Server) getObjectTagging(w http.ResponseWriter, c *call) error {
	so, err := s.objectForSubresource(w, c)
	if err != nil {
		return err
	}
	out := tagSet{NS: s3NS}
	for _, t := range so.meta.Tags {
		out.Tags = append(out.Tags, struct {
			Key   string
			Value string
		}{t.Key, t.Value})
	}
	return writeXML(w, http.StatusOK, out)
}

func (s *Server) putObjectTagging(w http.ResponseWriter, c *call) error {
	so, err := s.objectForSubresource(w, c)
	if err != nil {
		return err
	}
	var in tagSet
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxConfigBody))
	if err != nil {
		return storeError(err, c)
	}
	if xml.Unmarshal(body, &in) != nil {
		return errMalformedXML()
	}
	var tags []store.Tag
	for _, t := range in.Tags {
		tags = append(tags, store.Tag{Key: t.Key, Value: t.Value})
	}
	if err := validateTags(tags); err != nil {
		return err
	}
	if err := s.updateSubresource(c, so, func(m *store.ObjectMeta) { m.Tags = tags }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteObjectTagging(w http.ResponseWriter, c *call) error {
	so, err := s.objectForSubresource(w, c)
	if err != nil {
		return err
	}
	if err := s.updateSubresource(c, so, func(m *store.ObjectMeta) { m.Tags = nil }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// aclXML is an AccessControlPolicy document.
type aclXML struct {
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	NS      string     `xml:"xmlns,attr,omitempty"`
	Owner   ownerXML   `xml:"Owner"`
	Grants  []grantXML `xml:"AccessControlList>Grant"`
}

type grantXML struct {
	Grantee struct {
		XSI         string `xml:"xmlns:xsi,attr,omitempty"`
		Type        string `xml:"xsi:type,attr,omitempty"`
		ID          string `xml:",omitempty"`
		DisplayName string `xml:",omitempty"`
		URI         string `xml:",omitempty"`
	}
	Permission string
}

func fullControl(account string) grantXML {
	var g grantXML
	g.Grantee.XSI = "http://www.w3.org/2001/XMLSchema-instance"
	g.Grantee.Type = "CanonicalUser"
	g.Grantee.ID = canonicalID(account)
	g.Grantee.DisplayName = account
	g.Permission = "FULL_CONTROL"
	return g
}

func (s *Server) getObjectACL(w http.ResponseWriter, c *call) error {
	so, err := s.objectForSubresource(w, c)
	if err != nil {
		return err
	}
	b, meta := so.b, so.meta
	ownerAcct := effectiveOwner(b, meta)
	out := aclXML{NS: s3NS, Owner: owner(ownerAcct), Grants: []grantXML{fullControl(ownerAcct)}}
	if len(meta.ACL) > 0 && b.Ownership != world.BucketOwnerEnforced {
		var stored aclXML
		if xml.Unmarshal(meta.ACL, &stored) == nil {
			out.Grants = stored.Grants
		}
	}
	return writeXML(w, http.StatusOK, out)
}

func (s *Server) putObjectACL(w http.ResponseWriter, c *call) error {
	so, err := s.objectForSubresource(w, c)
	if err != nil {
		return err
	}
	b, meta := so.b, so.meta
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxConfigBody))
	if err != nil {
		return storeError(err, c)
	}
	ownerAcct := effectiveOwner(b, meta)
	var acl aclXML
	switch {
	case len(strings.TrimSpace(string(body))) > 0:
		if hasACLHeaders(c.r.Header) {
			return errorf(http.StatusBadRequest, "UnexpectedContent", "This request does not support content")
		}
		if xml.Unmarshal(body, &acl) != nil {
			return errMalformedXML()
		}
		if b.Ownership == world.BucketOwnerEnforced {
			if len(acl.Grants) != 1 || acl.Grants[0].Permission != "FULL_CONTROL" || acl.Grants[0].Grantee.ID != canonicalID(b.Account.ID) {
				return errorf(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs")
			}
		}
	default:
		if err := checkACLHeaders(c.r.Header, b); err != nil {
			return err
		}
		acl = headerACL(c.r.Header, ownerAcct, b.Account.ID)
	}
	acl.NS = ""
	text, err := xml.Marshal(acl)
	if err != nil {
		return errInternal(err)
	}
	if err := s.updateSubresource(c, so, func(m *store.ObjectMeta) { m.ACL = text }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// cannedACL expands a canned ACL into grants (docs/authorization.md §2.5 canned ACLs).
func cannedACL(name, objectOwner, bucketOwner string) aclXML {
	acl := aclXML{Owner: owner(objectOwner), Grants: []grantXML{fullControl(objectOwner)}}
	group := func(uri, perm string) grantXML {
		var g grantXML
		g.Grantee.XSI = "http://www.w3.org/2001/XMLSchema-instance"
		g.Grantee.Type = "Group"
		g.Grantee.URI = uri
		g.Permission = perm
		return g
	}
	const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"
	switch name {
	case "public-read":
		acl.Grants = append(acl.Grants, group(allUsers, "READ"))
	case "public-read-write":
		acl.Grants = append(acl.Grants, group(allUsers, "READ"), group(allUsers, "WRITE"))
	case "authenticated-read":
		acl.Grants = append(acl.Grants, group("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ"))
	case "bucket-owner-read":
		if bucketOwner != objectOwner {
			g := fullControl(bucketOwner)
			g.Permission = "READ"
			acl.Grants = append(acl.Grants, g)
		}
	case "bucket-owner-full-control":
		if bucketOwner != objectOwner {
			acl.Grants = append(acl.Grants, fullControl(bucketOwner))
		}
	}
	return acl
}
