package authz

// MissingObjectAction is the permission that turns S3's 403 for a missing
// object into a 404 (docs/authorization.md §2.4).
const MissingObjectAction = "s3:ListBucket"

// MissingObject decides what S3 returns for an authorized request on an
// object that does not exist (docs/authorization.md §2.4): 404 NoSuchKey when the principal
// may also s3:ListBucket the bucket, 403 AccessDenied otherwise. req is the
// object request (already allowed); bucket is the bucket it names.
//
// The ListBucket check uses the object request's context, which carries no
// s3:prefix, so a ListBucket grant that requires a prefix does not reveal
// existence: the safer reading of the unknown in docs/decisions.md #6, recorded in
// docs/decisions.md.
//
// listReq is the s3:ListBucket request that was decided, for explanations
// and audit records.
func MissingObject(req *Request, bucket *Resource) (notFound bool, list Decision, listReq *Request) {
	lr := &Request{Principal: req.Principal, Action: MissingObjectAction, Resource: bucket, Context: req.Context}
	list = Decide(lr)
	return list.Allowed(), list, lr
}
