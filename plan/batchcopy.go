package plan

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// BatchCopyJob is an S3 Batch Operations S3PutObjectCopy job to plan
// (docs/plan.md "lockstep plan batch-copy").
type BatchCopyJob struct {
	// Role is the job's role ARN: the plan's principal.
	Role string
	// Manifest is the CSV manifest object.
	Manifest Location
	// Sources are the buckets the manifest lists objects of, each with
	// the key prefix they share ("" for any key).
	Sources []Location
	// Dest is the target bucket; its Key is the TargetKeyPrefix folder
	// ("" for none).
	Dest Location
	// Report is the completion report's bucket and prefix; Bucket "" for
	// no report.
	Report Location
	// KMSKey is SSEAwsKmsKeyId, the key the copies are encrypted with
	// (an ARN, or an alias or key ID the world resolves); "" for the
	// target bucket's default encryption.
	KMSKey string
	// VersionedManifest: the manifest's rows name object versions
	// (Fields Bucket,Key,VersionId); each task copies the version its
	// row names, which takes s3:GetObjectVersion on the source.
	VersionedManifest bool
	// ManifestVersion: the job names the manifest object's version
	// (Manifest.Location.ObjectVersionId); reading it takes
	// s3:GetObjectVersion.
	ManifestVersion bool
	// ReplaceTags: the job sets NewObjectTagging, whose tags,
	// NewObjectTagging in x-amz-tagging form (KEY=VALUE&...; "" for
	// none), the copies get instead of their sources' (docs/plan.md
	// "lockstep plan batch-copy").
	ReplaceTags      bool
	NewObjectTagging string
}

// BatchCopy plans the permissions of an S3PutObjectCopy job: the calls are
// the steps s3ops.BatchPutObjectCopySteps lists (the ones the emulator's
// job runner makes), made by the job's role, each through the operation
// catalogue as a command's calls are; the role's trust policy lets
// batchoperations.s3.amazonaws.com assume it.
func BatchCopy(job BatchCopyJob, ctx Context) (*Plan, error) {
	switch {
	case job.Role == "":
		return nil, fmt.Errorf("the job's role is required (--role arn:aws:iam::ACCOUNT:role/NAME)")
	case !isRoleARN(job.Role):
		// The emulator's CreateJob refuses the same (one rule:
		// internal/arn).
		return nil, fmt.Errorf("--role %q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME, a 12-digit account)", job.Role)
	case job.Manifest.Bucket == "" || job.Manifest.Key == "" || strings.HasSuffix(job.Manifest.Key, "/"):
		return nil, fmt.Errorf("--manifest %s is not an object: give s3://BUCKET/KEY", job.Manifest)
	case job.Dest.Bucket == "":
		return nil, fmt.Errorf("--dest is required: s3://BUCKET[/PREFIX]")
	case len(job.Sources) == 0:
		return nil, fmt.Errorf("the buckets the manifest lists are required (--source s3://BUCKET[/PREFIX], once per bucket)")
	}
	if _, err := ParseTagging(job.NewObjectTagging); err != nil {
		return nil, fmt.Errorf("--new-object-tagging: %w", err)
	}
	if err := job.checkInWorld(ctx); err != nil {
		return nil, err
	}
	if ctx.Region == "" {
		ctx.Region = "us-east-1"
	}
	ctx.Principal = job.Role
	p := &Plan{Context: ctx, Job: &job}
	if job.KMSKey != "" {
		var err error
		if p.SSEKMSKey, err = p.resolveKMSKey("--kms", job.KMSKey); err != nil {
			return nil, err
		}
	}
	for _, step := range s3ops.BatchPutObjectCopySteps {
		switch step.On {
		case s3ops.BatchManifest:
			// No KMS key: "S3 Batch Operations does not support CSV
			// manifest files that are AWS KMS-encrypted"
			// (docs/emulator.md "S3 Batch Operations"), so the
			// manifest is SSE-S3 whatever its bucket's default
			// (a note says so).
			p.batchCall(step, Call{Bucket: job.Manifest.Bucket, Key: job.Manifest.Key, Features: s3ops.Features{VersionID: job.ManifestVersion}, Why: batchVersionWhy(job.ManifestVersion, "the version Manifest.Location.ObjectVersionId names")},
				"", "")
		case s3ops.BatchTask:
			dstKey := p.Context.BucketKMSKey[job.Dest.Bucket]
			if job.KMSKey != "" {
				dstKey = firstOf(p.SSEKMSKey, job.KMSKey)
			}
			for _, src := range job.Sources {
				c := Call{Bucket: job.Dest.Bucket, Key: batchDestPattern(job.Dest.Key, src.Key), SourceBucket: src.Bucket, SourceKey: src.Key + "*",
					// The copy takes over the source's tags (the
					// job sends no NewObjectTagging): planned for
					// tagged sources (docs/decisions.md #56).
					Features: s3ops.Features{SourceVersionID: job.VersionedManifest, SourceTags: !job.ReplaceTags,
						Tagging: job.ReplaceTags && job.NewObjectTagging != ""}, Why: batchVersionWhy(job.VersionedManifest, "the version the manifest's row names")}
				p.batchCall(step, c, dstKey, p.Context.BucketKMSKey[src.Bucket])
			}
		case s3ops.BatchReport:
			if job.Report.Bucket == "" {
				continue
			}
			// The report is written with SSE-S3 ("Completion reports
			// are always encrypted with Amazon S3 managed keys"): no
			// KMS key, whatever the bucket's default.
			p.batchCall(step, Call{Bucket: job.Report.Bucket, Key: batchReportPrefix(job.Report.Key) + "job-*"}, "", "")
		}
	}
	p.Origin = fmt.Sprintf("S3 Batch Operations S3PutObjectCopy job: manifest %s, into %s", job.Manifest, job.Dest)
	p.foldCoveredNeeds()
	p.batchNotes()
	p.Policies = p.policies()
	return p, nil
}

// Tag is one object tag.
type Tag struct{ Key, Value string }

// ParseTagging reads tags in x-amz-tagging form, KEY=VALUE pairs
// URL-encoded and joined by "&", in their order; "" is no tag.
func ParseTagging(s string) ([]Tag, error) {
	var tags []Tag
	if s == "" {
		return nil, nil
	}
	for _, pair := range strings.Split(s, "&") {
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("tag %q is not URL-encoded: %w", pair, err)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("tag %q is not URL-encoded: %w", pair, err)
		}
		if key == "" {
			return nil, fmt.Errorf("tag %q has no key (KEY=VALUE&...)", pair)
		}
		tags = append(tags, Tag{key, value})
	}
	return tags, nil
}

// batchTrust is the trust policy of a Batch Operations job's role: the
// one of "Granting permissions for Batch Operations".
func batchTrust() *Document {
	return &Document{Version: "2012-10-17", Statement: []Statement{{
		Sid: "BatchOperationsAssumeRole", Effect: "Allow",
		Principal: map[string]string{"Service": s3ops.BatchOperationsPrincipal},
		Action:    []string{"sts:AssumeRole"},
	}}}
}

// batchCall adds one call of a step and its permissions from the
// catalogue: c.Features are the parts of the request that need
// permissions of their own (a versionId), dstKey is the key of the
// object the call writes or reads, srcKey the copy source's.
func (p *Plan) batchCall(step s3ops.BatchStep, c Call, dstKey, srcKey string) {
	op, _ := s3ops.Lookup("s3", step.Operation)
	c.Operation, c.Side, c.When, c.Why = step.Operation, step.On.String(), batchWhen[step.On], step.Why+c.Why
	p.Calls = append(p.Calls, c)
	i := len(p.Calls) - 1
	f := c.Features
	f.KMS, f.SourceKMS = dstKey != "", srcKey != ""
	for _, perm := range op.Required(f) {
		p.need(i, p.permissionNeed(perm, c, nil))
	}
	p.kmsNeeds(i, op, f, dstKey, srcKey)
}

// batchVersionWhy is what a call's Why adds when it reads a version.
func batchVersionWhy(versioned bool, which string) string {
	if !versioned {
		return ""
	}
	return " (" + which + ")"
}

var batchWhen = map[s3ops.BatchResource]string{
	s3ops.BatchManifest: "once, while the job is Preparing",
	s3ops.BatchTask:     "once per task (object of the manifest)",
	s3ops.BatchReport:   "once per results file and for manifest.json, when the job ends",
}

// batchDestPattern is the key pattern of the copies of objects under
// srcPrefix in the folder targetPrefix (docs/decisions.md "Batch
// Operations: TargetKeyPrefix").
func batchDestPattern(targetPrefix, srcPrefix string) string {
	if targetPrefix == "" {
		return srcPrefix + "*"
	}
	return strings.TrimSuffix(targetPrefix, "/") + "/" + srcPrefix + "*"
}

// batchReportPrefix is the report's prefix as the report's keys start
// with it: PREFIX/job-ID/...
func batchReportPrefix(prefix string) string {
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix == "" {
		return ""
	}
	return prefix + "/"
}

// batchNotes adds the remarks of a batch-copy plan.
func (p *Plan) batchNotes() {
	job := p.Job
	p.Notes = append(p.Notes,
		fmt.Sprintf("the principal that creates the job needs s3:CreateJob on \"*\" and iam:PassRole on %s (docs/authorization.md §2.2 CreateJob); the job runs in the role's account", job.Role),
		"the role's trust policy lets batchoperations.s3.amazonaws.com assume it; a role that does not trust it fails the job",
		"source objects are taken to be encrypted as their bucket's default says: an object under another KMS key needs kms:Decrypt on that key too",
	)
	manifestNote := fmt.Sprintf("the manifest %s must not be SSE-KMS (\"S3 Batch Operations does not support CSV manifest files that are AWS KMS-encrypted\"): the role gets no KMS permission for it", job.Manifest)
	if k := p.Context.BucketKMSKey[job.Manifest.Bucket]; k != "" {
		manifestNote += fmt.Sprintf("; bucket %s encrypts with %s by default, so write the manifest with SSE-S3 (aws s3 cp --sse AES256, x-amz-server-side-encryption: AES256)", job.Manifest.Bucket, k)
	}
	p.Notes = append(p.Notes, manifestNote)
	if job.VersionedManifest || job.ManifestVersion {
		p.Notes = append(p.Notes, "a version named by ID is read with s3:GetObjectVersion, not s3:GetObject: \"Version-specific permissions such as s3:GetObjectVersion are only required when you are specifying the version ID of the objects\" (Granting permissions for Batch Operations)")
	}
	p.copiedTagsNote()
	if job.Report.Bucket == "" {
		p.Notes = append(p.Notes, "no completion report (--report s3://BUCKET/PREFIX): the role needs no permission on a report bucket")
	}
	if job.KMSKey != "" && p.SSEKMSKey == "" {
		p.Notes = append(p.Notes, fmt.Sprintf("--kms %s is not a key ARN, and lockstep cannot resolve it without --world: the policies leave out the KMS permissions on it", job.KMSKey))
	}
	if p.Context.World == nil {
		p.Notes = append(p.Notes, "no --world: every bucket is taken to be in the role's account, unencrypted by default, so no bucket or key policy is planned")
	}
}

// checkInWorld: with a world, every bucket the job names is one of the
// world's, and so is the role's account (a role the world lacks is
// created by the proof, plan.Apply).
func (job *BatchCopyJob) checkInWorld(ctx Context) error {
	w := ctx.World
	if w == nil {
		return nil
	}
	buckets := []struct {
		flag string
		l    Location
	}{{"--manifest", job.Manifest}, {"--dest", job.Dest}, {"--report", job.Report}}
	for _, src := range job.Sources {
		buckets = append(buckets, struct {
			flag string
			l    Location
		}{"--source", src})
	}
	for _, b := range buckets {
		if b.l.Bucket != "" && ctx.BucketAccount[b.l.Bucket] == "" {
			return fmt.Errorf("%s %s: the world file %s has no bucket %s: add it under accounts[].buckets, or name one of the world's", b.flag, b.l, w.File, b.l.Bucket)
		}
	}
	account, _, _ := arn.Role(job.Role)
	for _, a := range w.Accounts {
		if a.ID == account {
			return nil
		}
	}
	return fmt.Errorf("--role %s: the world file %s has no account %s: add it under accounts[]", job.Role, w.File, account)
}

// isRoleARN reports whether s is an IAM role ARN.
func isRoleARN(s string) bool {
	_, _, ok := arn.Role(s)
	return ok
}

// foldCoveredNeeds folds a need into another that grants the same action
// under the same conditions on a key prefix its resource lies under (a
// report written under the target bucket the copies are granted on as
// BUCKET/*): its calls become the broader need's, and no statement grants
// what another already does.
func (p *Plan) foldCoveredNeeds() {
	var kept []Need
	for i, n := range p.Needs {
		into := -1
		for j, o := range p.Needs {
			prefix, ok := strings.CutSuffix(o.Resource, "*")
			if j == i || !ok || strings.ContainsAny(prefix, "*?") || !strings.HasPrefix(n.Resource, prefix) || n.Resource == o.Resource ||
				o.Action != n.Action || o.Signer != n.Signer || !sameConditions(o.Conditions, n.Conditions) {
				continue
			}
			into = j
			break
		}
		if into < 0 {
			kept = append(kept, n)
			continue
		}
		for _, c := range n.Calls {
			if !containsInt(p.Needs[into].Calls, c) {
				p.Needs[into].Calls = append(p.Needs[into].Calls, c)
			}
		}
	}
	p.Needs = kept
}
