package lint

import (
	"slices"
	"strconv"
	"strings"

	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// arnKind is what S3 resources a Resource entry can match.
type arnKind uint8

const (
	// otherARN matches no S3 bucket or object (another service's ARN).
	otherARN arnKind = iota
	// bucketARN matches buckets only: arn:aws:s3:::NAME.
	bucketARN
	// objectARN matches objects only: arn:aws:s3:::NAME/KEY.
	objectARN
	// anyARN may match both, or lint cannot tell: "*",
	// arn:aws:s3:::b*, access point ARNs.
	anyARN
)

// s3Kind classifies a Resource entry (docs/authorization.md §2.1 Resource ARNs).
func s3Kind(r string) arnKind {
	parts := strings.SplitN(r, ":", 6)
	if len(parts) < 6 || !strings.EqualFold(parts[0], "arn") {
		return anyARN
	}
	service := parts[2]
	switch {
	case strings.ContainsAny(service, "*?"):
		return anyARN
	case !strings.EqualFold(service, "s3"):
		return otherARN
	case parts[3] != "" || parts[4] != "":
		return anyARN // access points, S3 on Outposts, ...
	case strings.Contains(parts[5], "/"):
		// A literal '/' can only match the '/' of an object ARN.
		return objectARN
	case strings.ContainsAny(parts[5], "*?"):
		return anyARN // b* matches b/key too
	}
	return bucketARN
}

// resources warns when an Allow statement grants S3 object actions only on
// bucket ARNs, or bucket actions only on object ARNs: the request then
// never matches the statement (docs/authorization.md §2.1, seed 000).
func (l *linter) resources(st *policy.Statement, acts actionSet) {
	res, not := st.Resources()
	if st.Effect != policy.Allow || not || len(acts.known) == 0 {
		return
	}
	var buckets, objects []string
	for _, r := range res {
		switch s3Kind(r) {
		case anyARN:
			return
		case bucketARN:
			buckets = append(buckets, r)
		case objectARN:
			objects = append(objects, r)
		}
	}
	at := l.statement(st).member("Resource")
	switch {
	case len(buckets) > 0 && len(objects) == 0:
		if offenders := actingOn(acts, "object", "bucket"); len(offenders) > 0 {
			l.warn(at, "object-action-on-bucket-arn", "%s on objects, but Resource names only the %s %s: add %s",
				describe(offenders), plural("bucket", len(buckets)), quoteAll(buckets), quoteAll(suffixAll(buckets, "/*")))
		}
	case len(objects) > 0 && len(buckets) == 0:
		if offenders := actingOn(acts, "bucket", "object"); len(offenders) > 0 {
			var fix []string
			for _, o := range objects {
				b, _, _ := strings.Cut(o, "/")
				if !slices.Contains(fix, b) {
					fix = append(fix, b)
				}
			}
			l.warn(at, "bucket-action-on-object-arn", "%s on the bucket, but Resource names only objects (%s): add %s",
				describe(offenders), quoteAll(objects), quoteAll(fix))
		}
	}
}

// offender is an Action entry that acts on the wrong resource type, with
// an SAR action it matches that does.
type offender struct {
	pattern actionPattern
	example string
}

// actingOn returns the Action entries that match an S3 action whose SAR
// resource types include want but not other.
func actingOn(acts actionSet, want, other string) []offender {
	var out []offender
	for _, p := range acts.known {
		example := ""
		for _, a := range p.actions {
			sa, ok := s3ops.LookupAction(a)
			if !ok || !strings.HasPrefix(sa.Name, "s3:") ||
				!slices.Contains(sa.ResourceTypes, want) || slices.Contains(sa.ResourceTypes, other) {
				continue
			}
			if example == "" || !slices.Contains(familiar, example) && slices.Contains(familiar, sa.Name) {
				example = sa.Name
			}
		}
		if example != "" {
			out = append(out, offender{p, example})
		}
	}
	return out
}

// familiar are the actions named first when a wildcard such as s3:* is at
// fault, because people recognise them.
var familiar = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}

// describe says which actions are at fault: "s3:GetObject acts",
// "s3:Get* (s3:GetObject, ...) acts", "s3:GetObject and s3:PutObject act".
func describe(offenders []offender) string {
	var names []string
	for _, o := range offenders {
		n := o.pattern.text
		if o.pattern.wildcard() {
			n += " (which includes " + o.example + ")"
		}
		names = append(names, n)
	}
	if len(names) == 1 {
		return names[0] + " acts"
	}
	return joinAnd(names) + " act"
}

func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return joinAnd(q)
}

func suffixAll(list []string, suffix string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s + suffix
	}
	return out
}
