package policy

import (
	"strconv"
	"strings"
)

// Check names a validation that AWS itself performs when a policy is
// stored (docs/authorization.md §1.10), so that a caller emulating an AWS
// API can answer with that service's own error code and text. Errors of
// lockstep's other checks have CheckNone.
type Check uint8

const (
	// CheckNone: the error is one of lockstep's own parse errors.
	CheckNone Check = iota
	// CheckPrincipal: a Principal or NotPrincipal names an IAM group,
	// which is no principal ("You cannot identify a user group as a
	// principal in a policy", IAM User Guide, Principal element).
	CheckPrincipal
	// CheckSidUnique: two statements have the same Sid.
	CheckSidUnique
	// CheckSidChars: a Sid holds characters other than A-Z, a-z, 0-9 in
	// a policy type that IAM or AWS Organizations validates.
	CheckSidChars
	// CheckBucketResource: a bucket policy names a resource that is not
	// its bucket or one of its objects (CheckBucketResources).
	CheckBucketResource
)

// Check returns the AWS validation the first error of the list failed,
// with that error; CheckNone and the first error when it is one of
// lockstep's own checks. AWS stops at the first problem it finds, so the
// first error in document order is the one AWS reports.
func (l ErrorList) Check() (Check, *Error) {
	if len(l) == 0 {
		return CheckNone, nil
	}
	return l[0].Check, l[0]
}

// sidAlphanumeric reports whether the policy type is one whose Sid values
// AWS restricts to the letters A-Z and a-z and the digits 0-9: the
// policies IAM stores (identity-based policies, permissions boundaries,
// role trust policies), session policies and Organizations policies
// (docs/authorization.md §1.10; docs/decisions.md for session, SCP and
// RCP). S3 bucket policies and KMS key policies accept other characters
// (the KMS default key policy's Sid is "Enable IAM User Permissions").
func (t Type) sidAlphanumeric() bool {
	switch t {
	case Identity, Boundary, Trust, Session, SCP, RCP:
		return true
	}
	return false
}

// sidUnique reports whether the policy type requires unique Sid values:
// every type but S3 bucket policies, which S3 stores with repeated Sids
// (docs/authorization.md §1.10; docs/decisions.md).
func (t Type) sidUnique() bool { return t != Resource }

// phrase names the policy type in messages: "an identity-based policy".
func (t Type) phrase() string {
	switch t {
	case Identity:
		return "an identity-based policy"
	case Resource:
		return "a bucket policy"
	case KeyPolicy:
		return "a key policy"
	case Trust:
		return "a role trust policy"
	case Boundary:
		return "a permissions boundary"
	case Session:
		return "a session policy"
	case SCP:
		return "a service control policy"
	case RCP:
		return "a resource control policy"
	}
	return "a policy"
}

func isAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// checkSid validates a statement's Sid against the policy type's rules
// and the Sids of the statements before it.
func (p *parser) checkSid(path string, v *node) {
	sid := v.str
	if sid == "" {
		return
	}
	if p.typ.sidAlphanumeric() && !isAlphanumeric(sid) {
		p.failCheck(CheckSidChars, path+".Sid", v, "%q: the Sid of %s may hold only the letters A-Z and a-z and the digits 0-9 (AWS rejects the policy: \"Statement IDs (SID) must be alpha-numeric\"); write e.g. %q",
			sid, p.typ.phrase(), alphanumericOnly(sid))
		return
	}
	if p.typ.sidUnique() {
		if first, ok := p.sids[sid]; ok {
			p.failCheck(CheckSidUnique, path+".Sid", v, "%q is also the Sid of %s: Sids must be unique within a policy (AWS rejects the policy: \"Statement IDs (SID) in a single policy must be unique.\"); rename one", sid, first)
			return
		}
		if p.sids == nil {
			p.sids = map[string]string{}
		}
		p.sids[sid] = path
	}
}

// alphanumericOnly drops every character but A-Z, a-z and 0-9, upper-casing
// the letter after a dropped run: "allow reads" becomes "allowReads".
func alphanumericOnly(s string) string {
	var b strings.Builder
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper && b.Len() > 0 {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
			upper = false
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b.WriteByte(c)
			upper = false
		default:
			upper = true
		}
	}
	if b.Len() == 0 {
		return "Statement1"
	}
	return b.String()
}

// CheckBucketResources checks S3's rule for the policy of bucket: every
// Resource and NotResource entry must be the bucket's ARN or the ARN of
// objects in it, arn:aws:s3:::BUCKET or arn:aws:s3:::BUCKET/KEY, where
// the bucket name may be written with the wildcards * and ? (so
// arn:aws:s3:::* names every bucket, this one included). "*", another
// bucket and other services' ARNs are refused; S3 answers PutBucketPolicy
// with MalformedPolicy "Policy has invalid resource" (docs/authorization.md
// §1.10). The world compiler and the emulator's PutBucketPolicy both call
// it. It returns nil when the resources are valid.
func CheckBucketResources(p *Policy, bucket string) ErrorList {
	var errs ErrorList
	for _, st := range p.Statements {
		el := "Resource"
		if st.notResource {
			el = "NotResource"
		}
		for i := range st.resources {
			r := &st.resources[i]
			if namesBucket(r.text, bucket) {
				continue
			}
			errs = append(errs, &Error{Path: st.path + "." + el, Offset: r.offset, Check: CheckBucketResource,
				Msg: strconv.Quote(r.text) + " is not bucket " + bucket + " or an object in it: a bucket policy can only name its own bucket, arn:aws:s3:::" + bucket +
					" and arn:aws:s3:::" + bucket + "/KEY (S3 rejects the policy: \"Policy has invalid resource\")"})
		}
	}
	return errs
}

// namesBucket reports whether a resource entry of a bucket policy is the
// bucket or objects in it.
func namesBucket(resource, bucket string) bool {
	rest, ok := strings.CutPrefix(resource, "arn:aws:s3:::")
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, "/")
	pat := compilePattern(name, true, false)
	matched, _ := pat.match(bucket, nil, false)
	return matched
}
