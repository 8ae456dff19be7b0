package emulator

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

// ACL grantee groups (docs/authorization.md §2.5, acl-overview).
const (
	allUsersGroup      = "http://acs.amazonaws.com/groups/global/AllUsers"
	authenticatedGroup = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

// ownedObject is an existing object an operation reads or whose ACL or
// tags it reads or changes, with its bucket: when another account than the
// bucket owner owns it, the object context of docs/authorization.md §2.5 applies to the
// checks on it (applyObjectContext).
type ownedObject struct {
	// target is the catalogue target of the checks on the object: Object,
	// or SourceObject for the source of a copy.
	target s3ops.Target
	bucket *world.Bucket
	meta   store.ObjectMeta
}

// copySource is the existing source object of a copy, for authorizeCopySource:
// it is read through its ACL when another account than its bucket's owner
// owns it (docs/authorization.md §2.5 object context). None when the source is missing.
func copySource(sb *world.Bucket, src store.ObjectMeta, missing bool) []ownedObject {
	if missing {
		return nil
	}
	return []ownedObject{{target: s3ops.SourceObject, bucket: sb, meta: src}}
}

// effectiveOwner is the account that owns an object: the bucket owner
// when ACLs are disabled (BucketOwnerEnforced: "bucket owner owns all
// objects, existing ones included", docs/authorization.md §2.5), else the owner recorded at
// write time.
func effectiveOwner(b *world.Bucket, meta store.ObjectMeta) string {
	if b.Ownership == world.BucketOwnerEnforced || meta.Owner == "" {
		return b.Account.ID
	}
	return meta.Owner
}

// applyObjectContext re-decides the checks on objects owned by another
// account than their bucket's owner, following docs/authorization.md §2.5 "How S3 combines
// contexts":
//
//   - bucket context: an explicit Deny in any policy, the bucket policy
//     included, still denies ("Deny statements in a bucket policy apply to
//     all objects regardless of object ownership"); the decision already
//     made says so;
//   - "Allow statements in a bucket policy apply only to objects that are
//     owned by the same bucket-owning account": the bucket policy's Allow
//     statements take no part;
//   - user context: an IAM principal (not root) needs its own account's
//     policies to allow: identity policies, boundary, session policies and
//     SCPs, decided by authz with the bucket policy reduced to its Deny
//     statements and the requester's account as the resource owner;
//   - object context: "access to the object can be granted only through
//     object access control lists (ACLs)": the requester's account (or a
//     group that includes it) must be granted the ACL permission of the
//     action (objectACLAllows).
//
// Other checks (the destination of a copy, KMS calls) are left as they are.
func applyObjectContext(checks []enforce.Check, objs []ownedObject) {
	for _, o := range objs {
		owner := effectiveOwner(o.bucket, o.meta)
		if owner == o.bucket.Account.ID {
			continue
		}
		var acl *aclXML
		for i := range checks {
			ch := &checks[i]
			if ch.KMS != nil || ch.Target != o.target || ch.Request == nil {
				continue
			}
			if acl == nil {
				acl = storedACL(o.meta, owner)
			}
			ch.ObjectOwner = owner
			ch.Decision = objectDecision(ch.Request, ch.Decision, owner, acl)
		}
	}
}

// objectDecision is the decision on a check of an object owned by owner,
// another account than the bucket owner; d is the ordinary decision.
func objectDecision(req *authz.Request, d authz.Decision, owner string, acl *aclXML) authz.Decision {
	if d.Effect == authz.ExplicitDeny {
		return d
	}
	out := d
	out.By, out.Also = authz.Grant{}, authz.Grant{}
	p := req.Principal
	switch p.Kind {
	case authz.User, authz.AssumedRole, authz.FederatedUser:
		// User context: the principal's own account must allow, without
		// the bucket policy's Allow statements.
		res := *req.Resource
		res.Policy = denyStatements(res.Policy)
		res.Account = p.Account
		u := *req
		u.Resource = &res
		du := authz.Decide(&u)
		if !du.Allowed() {
			out.Effect, out.Type, out.By = du.Effect, du.Type, du.By
			return out
		}
		out.By = du.By
	}
	// Object context: the object ACL.
	if !objectACLAllows(acl, p, owner, req.Action) {
		out.Effect, out.Type, out.By = authz.ImplicitDeny, authz.TypeResource, authz.Grant{}
		return out
	}
	out.Effect = authz.Allow
	if out.By.IsZero() {
		out.Type = authz.TypeResource
	} else {
		out.Type = out.By.Type
	}
	return out
}

// denyStatements returns p with only its Deny statements, nil when it has
// none.
func denyStatements(p *policy.Policy) *policy.Policy {
	if p == nil {
		return nil
	}
	var deny []*policy.Statement
	for _, st := range p.Statements {
		if st.Effect == policy.Deny {
			deny = append(deny, st)
		}
	}
	if len(deny) == 0 {
		return nil
	}
	q := *p
	q.Statements = deny
	return &q
}

// aclPermission is the object ACL permission that grants an action (spec
// §2.5 "ACL permission → policy action mapping"); "" for actions no ACL
// permission grants, such as the tagging actions, which only the object
// owner's account may then perform (docs/decisions.md).
func aclPermission(action string) string {
	switch strings.ToLower(action) {
	case "s3:getobject", "s3:getobjectversion":
		return "READ"
	case "s3:getobjectacl", "s3:getobjectversionacl":
		return "READ_ACP"
	case "s3:putobjectacl", "s3:putobjectversionacl":
		return "WRITE_ACP"
	}
	return ""
}

// objectACLAllows reports whether the object ACL grants the principal's
// account the permission of action. The owner's account has FULL_CONTROL
// whatever the ACL says; AllUsers covers every caller, anonymous included;
// AuthenticatedUsers every signed-in principal.
func objectACLAllows(acl *aclXML, p *authz.Principal, owner, action string) bool {
	signed := p.Kind != authz.Anonymous && p.Kind != authz.ServicePrincipal
	if signed && p.Account == owner {
		return true
	}
	perm := aclPermission(action)
	if perm == "" {
		return false
	}
	for _, g := range acl.Grants {
		if g.Permission != perm && g.Permission != "FULL_CONTROL" {
			continue
		}
		switch {
		case g.Grantee.URI == allUsersGroup:
			return true
		case g.Grantee.URI == authenticatedGroup && signed:
			return true
		case g.Grantee.ID != "" && signed && p.Account != "" && g.Grantee.ID == canonicalID(p.Account):
			return true
		}
	}
	return false
}

// storedACL reads the object's ACL; an object without one has the default
// ACL: FULL_CONTROL for its owner.
func storedACL(meta store.ObjectMeta, ownerAcct string) *aclXML {
	acl := &aclXML{Owner: owner(ownerAcct), Grants: []grantXML{fullControl(ownerAcct)}}
	if len(meta.ACL) > 0 {
		var stored aclXML
		if xml.Unmarshal(meta.ACL, &stored) == nil {
			acl.Grants = stored.Grants
		}
	}
	return acl
}

// writeACL is the ACL a write stores for a new object: the canned ACL of
// x-amz-acl or the grants of the x-amz-grant-* headers, nil for the
// default ACL or when ACLs are disabled.
func writeACL(h http.Header, b *world.Bucket, objectOwner string) ([]byte, error) {
	if b.Ownership == world.BucketOwnerEnforced || !hasACLHeaders(h) {
		return nil, nil
	}
	acl := headerACL(h, objectOwner, b.Account.ID)
	acl.NS = ""
	text, err := xml.Marshal(acl)
	if err != nil {
		return nil, errInternal(err)
	}
	return text, nil
}

// headerACL is the ACL the headers of a write or a PutObjectAcl without a
// body ask for: the x-amz-grant-* grants when there are any, else the
// canned ACL of x-amz-acl (private when absent).
func headerACL(h http.Header, objectOwner, bucketOwner string) aclXML {
	if !hasGrantHeaders(h) {
		return cannedACL(h.Get("X-Amz-Acl"), objectOwner, bucketOwner)
	}
	acl := aclXML{Owner: owner(objectOwner)}
	for _, gh := range []struct{ header, perm string }{
		{"X-Amz-Grant-Full-Control", "FULL_CONTROL"}, {"X-Amz-Grant-Read", "READ"},
		{"X-Amz-Grant-Read-Acp", "READ_ACP"}, {"X-Amz-Grant-Write", "WRITE"}, {"X-Amz-Grant-Write-Acp", "WRITE_ACP"},
	} {
		for _, item := range strings.Split(h.Get(gh.header), ",") {
			typ, val, ok := strings.Cut(strings.TrimSpace(item), "=")
			if !ok {
				continue
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			var g grantXML
			g.Grantee.XSI = "http://www.w3.org/2001/XMLSchema-instance"
			switch strings.ToLower(strings.TrimSpace(typ)) {
			case "id":
				g.Grantee.Type, g.Grantee.ID = "CanonicalUser", val
			case "uri":
				g.Grantee.Type, g.Grantee.URI = "Group", val
			default:
				// emailAddress grantees name no account lockstep can
				// resolve; they grant nothing.
				continue
			}
			g.Permission = gh.perm
			acl.Grants = append(acl.Grants, g)
		}
	}
	return acl
}
