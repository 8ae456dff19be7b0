package plan

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/internal/trail"
	"github.com/lockstep-dev/lockstep/replication"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// Generalisations of FromTrail: how far the object keys and listing
// prefixes a trail shows become patterns (docs/trail.md).
const (
	// GeneraliseNone keeps each key and prefix as the trail shows it.
	GeneraliseNone = "none"
	// GeneralisePrefixes takes, per bucket, the longest common directory
	// of the keys (and of the prefixes) seen: arn:aws:s3:::b/dir/*.
	GeneralisePrefixes = "prefixes"
	// GeneraliseKeys takes every key of the bucket: arn:aws:s3:::b/*.
	GeneraliseKeys = "keys"
)

// FromTrail plans the permissions of the calls one principal made, as
// a CloudTrail log shows them (package internal/trail): each S3 call
// through the operation catalogue, each KMS call S3 made for the
// principal as itself (key, kms:ViaService, the aws:s3:arn of its
// encryption context). Denied calls are planned too, and said: the job
// needed them. generalise is one of the Generalise constants.
func FromTrail(sel *trail.Selection, ctx Context, generalise string) (*Plan, error) {
	switch generalise {
	case "":
		generalise = GeneralisePrefixes
	case GeneraliseNone, GeneralisePrefixes, GeneraliseKeys:
	default:
		return nil, fmt.Errorf("--generalise %q: give none, prefixes or keys", generalise)
	}
	if ctx.Region == "" {
		ctx.Region = "us-east-1"
		if len(sel.Calls) > 0 && sel.Calls[0].Region != "" {
			ctx.Region = sel.Calls[0].Region
		}
	}
	if ctx.Principal == "" {
		ctx.Principal = sel.Principal
	}
	if ctx.BucketAccount == nil {
		ctx.BucketAccount = map[string]string{}
	}
	for _, c := range sel.Calls {
		if c.BucketAccount != "" && ctx.BucketAccount[c.Bucket] == "" {
			ctx.BucketAccount[c.Bucket] = c.BucketAccount
		}
	}
	p := &Plan{Context: ctx}
	g := newGeneraliser(sel.Calls, generalise)
	type callKey struct {
		service, op, bucket, key, src, srcKey, prefix, keyARN, s3arn, role string
		version, viaS3, tagging, acl                                       bool
	}
	index := map[callKey]int{}
	type seen struct {
		n, denied     int
		first, last   time.Time
		deniedActions []string
	}
	counts := map[int]*seen{}
	unknown := map[string]int{}
	for _, tc := range sel.Calls {
		k := callKey{service: tc.Service, op: tc.Operation, bucket: tc.Bucket, version: tc.VersionID, keyARN: tc.KeyARN, viaS3: tc.ViaS3, tagging: tc.Tagging, acl: tc.ACL, role: tc.Role}
		if tc.Key != "" {
			k.key = g.key(tc.Bucket, tc.Key)
		}
		if tc.SourceBucket != "" {
			k.src, k.srcKey = tc.SourceBucket, g.key(tc.SourceBucket, tc.SourceKey)
		}
		if tc.Prefix != nil {
			k.prefix = g.prefix(tc.Bucket, *tc.Prefix)
		}
		if tc.S3ARN != "" {
			k.s3arn = g.arn(tc.S3ARN)
		}
		i, ok := index[k]
		if !ok {
			c := Call{Operation: tc.Operation, Bucket: tc.Bucket, Key: k.key, SourceBucket: k.src, SourceKey: k.srcKey, Role: tc.Role}
			if tc.Service == "kms" {
				c.Operation = "kms:" + tc.Operation
				c.Bucket, c.Key = "", tc.KeyARN
			}
			if tc.Prefix != nil {
				prefix := k.prefix
				c.Prefix = &prefix
			}
			if tc.Service == "s3" {
				if _, found := s3ops.Lookup("s3", tc.Operation); !found && replicationStep(tc.Operation) == nil {
					unknown[tc.Operation]++
					continue
				}
			}
			p.Calls = append(p.Calls, c)
			i = len(p.Calls) - 1
			index[k] = i
			counts[i] = &seen{first: tc.Time}
			switch st := replicationStep(tc.Operation); {
			case tc.Service == "s3" && st != nil:
				p.need(i, p.replicationStepNeed(*st, c))
			case tc.Service == "s3":
				// CloudTrail does not say whether a copy's source
				// had tags: the plan assumes it had (docs/decisions.md #56).
				f := s3ops.Features{VersionID: tc.VersionID, Tagging: tc.Tagging, ACL: tc.ACL, SourceTags: tc.Operation == "CopyObject"}
				p.Calls[i].Features.SourceTags = f.SourceTags
				p.trailS3Needs(i, f)
			default:
				p.trailKMSNeed(i, tc.KeyARN, tc.ViaS3, k.s3arn)
			}
		}
		s := counts[i]
		s.n++
		s.last = tc.Time
		if tc.Denied {
			s.denied++
			if tc.DeniedAction != "" && !containsString(s.deniedActions, tc.DeniedAction) {
				s.deniedActions = append(s.deniedActions, tc.DeniedAction)
			}
		}
	}
	if len(p.Calls) == 0 {
		return nil, fmt.Errorf("none of the %d calls of %s is an S3 or KMS operation lockstep knows (%s)", len(sel.Calls), sel.Principal, strings.Join(slices.Sorted(maps.Keys(unknown)), ", "))
	}
	for i := range p.Calls {
		s := counts[i]
		c := &p.Calls[i]
		c.When = fmt.Sprintf("%d× from %s to %s", s.n, s.first.UTC().Format(time.RFC3339), s.last.UTC().Format(time.RFC3339))
		c.Why = "in the trail"
		if s.denied > 0 {
			c.When += fmt.Sprintf(", %d denied", s.denied)
			c.Why = "in the trail, DENIED: the job needed it and did not have it"
			if len(s.deniedActions) > 0 {
				c.Why += " (" + strings.Join(s.deniedActions, ", ") + ")"
			}
		}
	}
	p.trailSides()
	p.copiedTags()
	p.Origin = fmt.Sprintf("CloudTrail: %d calls of %s from %s to %s", len(sel.Calls), sel.Principal, sel.From.UTC().Format(time.RFC3339), sel.To.UTC().Format(time.RFC3339))
	p.Notes = append(p.Notes,
		fmt.Sprintf("from the trail: %d records read, %d of other principals, %d S3 and KMS calls of %s between %s and %s; the policies cover what the principal did then, no more", sel.Records, sel.OtherPrincipals, len(sel.Calls), sel.Principal, sel.From.UTC().Format(time.RFC3339), sel.To.UTC().Format(time.RFC3339)),
		"keys and prefixes generalised: "+generalise+" (--generalise none|prefixes|keys)",
		"CloudTrail need not record request headers: s3:PutObjectAcl (x-amz-acl, x-amz-grant-*) and s3:PutObjectTagging (x-amz-tagging) are planned where a record holds the header or a multipart copy of objects whose tags were read implies it; add them where the job sends those headers and the trail does not show it",
	)
	p.copiedTagsNote()
	var ignored []string
	for src, n := range sel.Ignored {
		ignored = append(ignored, fmt.Sprintf("%s %d", src, n))
	}
	sort.Strings(ignored)
	if len(ignored) > 0 {
		p.Notes = append(p.Notes, "ignored, neither S3 nor KMS: "+strings.Join(ignored, ", "))
	}
	if len(unknown) > 0 {
		var names []string
		for op, n := range unknown {
			if n > 1 {
				op += fmt.Sprintf(" ×%d", n)
			}
			names = append(names, op)
		}
		sort.Strings(names)
		p.Notes = append(p.Notes, "S3 events lockstep's operation catalogue does not know, not planned: "+strings.Join(names, ", "))
	}
	p.Policies = p.policies()
	return p, nil
}

// trailS3Needs adds the permissions of S3 call i through the catalogue,
// as a command's calls get theirs; a listing's s3:prefix is the trail's,
// exact or generalised.
func (p *Plan) trailS3Needs(i int, f s3ops.Features) {
	c := p.Calls[i]
	op, _ := s3ops.Lookup("s3", c.Operation)
	var listed map[string]map[string][]string
	if c.Prefix != nil && *c.Prefix != "" {
		listed = map[string]map[string][]string{matchOp(*c.Prefix): {"s3:prefix": {*c.Prefix}}}
	}
	for _, perm := range op.Required(f) {
		n := p.permissionNeed(perm, c, listed)
		if n.Resource == "" {
			// The record does not name the resource (a role passed):
			// no permission on nothing; the plan says what to add.
			note := fmt.Sprintf("%s of %s: the trail does not name its resource (the role the request passed), so it is not planned; grant it on that role", perm.Action, c.Operation)
			if cond := n.Conditions["StringEquals"]["iam:PassedToService"]; len(cond) > 0 {
				note += " with iam:PassedToService " + cond[0]
			}
			if !slices.Contains(p.Notes, note) {
				p.Notes = append(p.Notes, note)
			}
			continue
		}
		p.need(i, n)
	}
}

// replicationStep is the step of S3 Replication an event of the
// replication role's session is named by (lockstep serve audits each
// step as an event named by its action, docs/decisions.md "Replication in
// the audit log"), nil for any other event.
func replicationStep(operation string) *replication.Step {
	for _, st := range replication.Steps() {
		if st.Action == "s3:"+operation {
			return &st
		}
	}
	return nil
}

// replicationStepNeed is the permission of a replication step's event:
// its action on the bucket or the object (pattern) of the call.
func (p *Plan) replicationStepNeed(st replication.Step, c Call) Need {
	return p.permissionNeed(s3ops.Permission{Action: st.Action, On: st.On}, c, nil)
}

// trailSides names each call's side: the destination for calls on a
// bucket the principal writes to (its listings too), the source for the
// others; KMS calls are the destination's.
func (p *Plan) trailSides() {
	written := map[string]bool{}
	for _, c := range p.Calls {
		if !strings.HasPrefix(c.Operation, "kms:") && !s3ops.ReadOnly(c.Operation) {
			written[c.Bucket] = true
		}
	}
	for i := range p.Calls {
		c := &p.Calls[i]
		c.Side = "source"
		if written[c.Bucket] || strings.HasPrefix(c.Operation, "kms:") {
			c.Side = "destination"
		}
	}
}

// copiedTags adds s3:PutObjectTagging to each multipart upload the trail
// shows copying objects whose tags the principal read: a copy that reads
// its source's tags (GetObjectTagging) before a multipart copy
// (CreateMultipartUpload, UploadPartCopy from those objects) sends them in
// x-amz-tagging, as the AWS CLI does, and CloudTrail need not record
// that header (docs/trail.md "What a trail cannot tell"). The safer
// reading: the permission is planned, and said to be inferred.
func (p *Plan) copiedTags() {
	tagged := map[[2]string]bool{}
	for _, c := range p.Calls {
		if c.Operation == "GetObjectTagging" {
			tagged[[2]string{c.Bucket, c.Key}] = true
		}
	}
	for i, c := range p.Calls {
		if c.Operation != "CreateMultipartUpload" || p.callNeeds(i, "s3:PutObjectTagging") {
			continue
		}
		for _, pc := range p.Calls {
			if pc.Operation == "UploadPartCopy" && pc.Bucket == c.Bucket && pc.Key == c.Key && tagged[[2]string{pc.SourceBucket, pc.SourceKey}] {
				// The catalogue's permissions of the call with x-amz-tagging.
				p.trailS3Needs(i, s3ops.Features{Tagging: true})
				p.Calls[i].Why += "; with x-amz-tagging, inferred: the principal read the tags of the objects it copies (GetObjectTagging of s3://" + pc.SourceBucket + "/" + pc.SourceKey + "), and a multipart copy sends them in that header, which CloudTrail need not record"
				break
			}
		}
	}
}

// callNeeds reports whether call i already needs action.
func (p *Plan) callNeeds(i int, action string) bool {
	for _, n := range p.Needs {
		if n.Action == action && slices.Contains(n.Calls, i) {
			return true
		}
	}
	return false
}

// trailKMSNeed adds the permission of KMS call i; one S3 made for the
// principal is scoped as plan scopes the KMS calls it derives (viaS3).
func (p *Plan) trailKMSNeed(i int, keyARN string, viaS3 bool, s3arn string) {
	if keyARN == "" {
		return // a KMS call whose key the record does not name
	}
	n := Need{Action: p.Calls[i].Operation, Resource: keyARN, Account: accountOfARN(keyARN)}
	if viaS3 {
		n.Via, n.Conditions = "s3", p.viaS3(matchOp(s3arn), s3arn)
	}
	p.need(i, n)
}

// matchOp is the condition operator of a value of a trail: StringLike
// for a generalised pattern, StringEquals for a value as seen.
func matchOp(v string) string {
	if strings.HasSuffix(v, "*") {
		return "StringLike"
	}
	return "StringEquals"
}

// generaliser turns the keys and prefixes a trail shows into patterns.
type generaliser struct {
	mode string
	// dir is the longest common directory of each bucket's keys, and
	// prefixDir of its listing prefixes.
	dir, prefixDir map[string]string
}

func newGeneraliser(calls []trail.Call, mode string) *generaliser {
	g := &generaliser{mode: mode, dir: map[string]string{}, prefixDir: map[string]string{}}
	keys := map[string][]string{}
	prefixes := map[string][]string{}
	for _, c := range calls {
		if c.Key != "" {
			keys[c.Bucket] = append(keys[c.Bucket], c.Key)
		}
		if c.SourceBucket != "" {
			keys[c.SourceBucket] = append(keys[c.SourceBucket], c.SourceKey)
		}
		if b, k, ok := strings.Cut(strings.TrimPrefix(c.S3ARN, "arn:aws:s3:::"), "/"); ok && c.S3ARN != "" {
			keys[b] = append(keys[b], k)
		}
		if c.Prefix != nil {
			prefixes[c.Bucket] = append(prefixes[c.Bucket], *c.Prefix)
		}
	}
	for b, ks := range keys {
		g.dir[b] = commonDir(ks)
	}
	for b, ps := range prefixes {
		g.prefixDir[b] = commonDir(ps)
	}
	return g
}

// key is the pattern of an object key.
func (g *generaliser) key(bucket, key string) string {
	switch g.mode {
	case GeneraliseKeys:
		return "*"
	case GeneralisePrefixes:
		return g.dir[bucket] + "*"
	}
	return key
}

// prefix is the s3:prefix of a listing: "" for none.
func (g *generaliser) prefix(bucket, prefix string) string {
	switch g.mode {
	case GeneraliseKeys:
		return ""
	case GeneralisePrefixes:
		if d := g.prefixDir[bucket]; d != "" {
			return d + "*"
		}
		return ""
	}
	return prefix
}

// arn generalises the aws:s3:arn of an encryption context: an object
// ARN by its key, a bucket ARN (S3 Bucket Keys) as it is.
func (g *generaliser) arn(a string) string {
	b, k, ok := strings.Cut(strings.TrimPrefix(a, "arn:aws:s3:::"), "/")
	if !ok {
		return a
	}
	return "arn:aws:s3:::" + b + "/" + g.key(b, k)
}

// commonDir is the longest common prefix of list that ends in "/" (""
// when there is none).
func commonDir(list []string) string {
	if len(list) == 0 {
		return ""
	}
	prefix := list[0]
	for _, s := range list[1:] {
		for !strings.HasPrefix(s, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	return prefix[:strings.LastIndex(prefix, "/")+1]
}
