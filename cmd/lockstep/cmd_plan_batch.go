package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/prove"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// newPlanBatchCopyCommand is lockstep plan batch-copy: the policies of an
// S3 Batch Operations copy job (docs/plan.md "lockstep plan batch-copy").
func newPlanBatchCopyCommand() *cobra.Command {
	var (
		r       batchCopyRun
		sources []string
		output  *outputFlag
	)
	cmd := &cobra.Command{
		Use:   "batch-copy --manifest s3://BUCKET/KEY --dest s3://BUCKET[/PREFIX] [flags]",
		Short: "The least-privilege role, bucket and key policies of an S3 Batch Operations copy job",
		Long: `plan batch-copy plans an S3 Batch Operations S3PutObjectCopy job with a CSV
manifest: the calls the job makes as its role (read the manifest, one
CopyObject per object, write the completion report), the role's trust policy
(batchoperations.s3.amazonaws.com) and permissions policy, the bucket
policies of buckets in other accounts than the role's, and the key policy
statements of their KMS keys, in the outputs of lockstep plan.

--source names a bucket the manifest lists objects of (repeatable, with an
optional key prefix); with --world it defaults to the buckets of the
manifest when the world holds the manifest object. --role defaults to the
world's one role that trusts batchoperations.s3.amazonaws.com.

--prove creates the world on the emulator, writes objects (plain, SSE-S3,
SSE-KMS, tagged) and their manifest, runs the job through the S3 Control
API, checks the copies byte for byte and the completion report, then runs it
again without each permission in turn (and without the trust policy) to show
that each is necessary, with the denial in the audit log.`,
		Example: `  lockstep plan batch-copy --world examples/batch-copy.yaml \
      --manifest s3://batch-manifests/copy.csv --dest s3://batch-dst --report s3://batch-reports/reports`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			return r.run(cmd, sources, format)
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.manifest, "manifest", "", "the CSV manifest object, `s3://BUCKET/KEY` (Bucket,Key[,VersionId] rows)")
	f.StringVar(&r.dest, "dest", "", "the target bucket, `s3://BUCKET[/PREFIX]` (PREFIX: the TargetKeyPrefix folder)")
	f.StringVar(&r.report, "report", "", "the completion report's bucket and prefix, `s3://BUCKET[/PREFIX]` (default: no report)")
	f.StringArrayVar(&sources, "source", nil, "a bucket the manifest lists objects of, `s3://BUCKET[/PREFIX]` (repeatable)")
	f.StringVar(&r.role, "role", "", "the job's role `ARN` (default with --world: the role that trusts batchoperations.s3.amazonaws.com)")
	f.BoolVar(&r.versionedManifest, "versioned-manifest", false, "the manifest's rows name object versions (Bucket,Key,VersionId): each task copies that version, with s3:GetObjectVersion")
	f.BoolVar(&r.manifestVersion, "manifest-version", false, "the job names the manifest object's version (Manifest.Location.ObjectVersionId): it is read with s3:GetObjectVersion")
	f.StringVar(&r.newTags, "new-object-tagging", "", "NewObjectTagging: the `TAGS` (KEY=VALUE&..., URL-encoded; \"\" for none) the copies get instead of their sources' tags")
	f.StringVar(&r.kms, "kms", "", "SSEAwsKmsKeyId: the KMS key `ARN` (or, with --world, alias or key ID) the copies are encrypted with (default: the target bucket's default encryption)")
	f.StringVar(&r.worldFile, "world", "", "world `FILE` giving bucket owners, default encryption, keys and roles, or scenario file (its world as of --step)")
	f.IntVar(&r.step, "step", 0, "with a scenario file as --world: the step whose world to use (1-based; default: the last)")
	f.StringVar(&r.outDir, "out", "", "also write each policy document to `DIR`: identity.json, trust.json, bucket-<bucket>.json, key-<id>.json")
	f.BoolVar(&r.prove, "prove", false, "run the job on the emulator with the planned policies, then without each permission in turn, to show each is necessary (needs --world)")
	f.IntVar(&r.objects, "objects", 1, "with --prove: how many objects of each kind (plain, SSE-S3, tagged, SSE-KMS) the run with every permission copies from each source bucket")
	output = addOutputFlag(cmd, "terraform")
	return cmd
}

// batchCopyRun is plan batch-copy once its flags are read.
type batchCopyRun struct {
	manifest, dest, report, role, kms string
	worldFile, outDir                 string
	step, objects                     int
	prove                             bool
	// versionedManifest and manifestVersion are BatchCopyJob's
	// VersionedManifest and ManifestVersion.
	versionedManifest, manifestVersion bool
	// newTags is --new-object-tagging.
	newTags string
}

func (r *batchCopyRun) run(cmd *cobra.Command, sourceURLs []string, format string) error {
	job := plan.BatchCopyJob{Role: r.role, KMSKey: r.kms, VersionedManifest: r.versionedManifest, ManifestVersion: r.manifestVersion,
		ReplaceTags: cmd.Flags().Changed("new-object-tagging"), NewObjectTagging: r.newTags}
	var err error
	if job.Manifest, err = s3URL("--manifest", r.manifest); err != nil {
		return badInput(err)
	}
	if job.Dest, err = s3URL("--dest", r.dest); err != nil {
		return badInput(err)
	}
	if r.report != "" {
		if job.Report, err = s3URL("--report", r.report); err != nil {
			return badInput(err)
		}
	}
	for _, u := range sourceURLs {
		l, err := s3URL("--source", u)
		if err != nil {
			return badInput(err)
		}
		job.Sources = append(job.Sources, l)
	}
	ctx := plan.Context{BucketAccount: map[string]string{}, BucketKMSKey: map[string]string{}}
	var model *world.Model
	if r.worldFile != "" {
		wf, err := loadWorldFile(r.worldFile, r.step, cmd.ErrOrStderr())
		if err != nil {
			return badInput(err)
		}
		model = wf.Model
		if job.Role == "" {
			if job.Role, err = batchRole(wf.World, r.worldFile); err != nil {
				return badInput(err)
			}
		}
		if len(job.Sources) == 0 {
			job.Sources = manifestSources(wf.Model, job.Manifest)
		}
		ctx = plan.ContextFromWorld(wf.World, job.Role)
	}
	if r.prove && model == nil {
		return badInput(errors.New("--prove needs --world: the accounts, buckets, keys and role to run the job in"))
	}
	if r.objects < 1 {
		return badInput(fmt.Errorf("--objects %d: give how many objects of each kind the proof copies, at least 1", r.objects))
	}
	p, err := plan.BatchCopy(job, ctx)
	if err != nil {
		return badInput(err)
	}
	if err := writePlan(cmd, p, format, r.outDir, nil); err != nil || !r.prove {
		return err
	}
	return proveBatchCopy(cmd, p, model, r.objects)
}

// s3URL reads an s3://BUCKET[/KEY] flag value.
func s3URL(flag, v string) (plan.Location, error) {
	rest, ok := strings.CutPrefix(v, "s3://")
	bucket, key, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return plan.Location{}, fmt.Errorf("%s %q: give s3://BUCKET[/KEY]", flag, v)
	}
	return plan.Location{Bucket: bucket, Key: key}, nil
}

// batchRole is the world's one role whose trust policy lets the Batch
// Operations service principal assume it, as the engine decides it.
func batchRole(w *world.World, file string) (string, error) {
	sp := &authz.Principal{Principal: policy.Principal{Service: s3ops.BatchOperationsPrincipal}, Kind: authz.ServicePrincipal}
	var found []string
	for _, a := range w.Accounts {
		for _, r := range a.Roles {
			res, err := enforce.Authorize(w, sp, enforce.Call{Operation: "AssumeRole", Service: "sts", Resource: r.ARN})
			if err == nil && res.Allowed() {
				found = append(found, r.ARN)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("give the job's role with --role arn:aws:iam::ACCOUNT:role/NAME: no role of the world file %s trusts %s (--prove creates the role you name in its account)", file, s3ops.BatchOperationsPrincipal)
	case 1:
	default:
		return "", fmt.Errorf("give the job's role with --role: %d roles of the world file %s trust %s: %s", len(found), file, s3ops.BatchOperationsPrincipal, strings.Join(found, ", "))
	}
	return found[0], nil
}

// manifestSources are the buckets of the manifest object when the world
// holds it; nil otherwise.
func manifestSources(m *world.Model, manifest plan.Location) []plan.Location {
	b := m.FindBucket(manifest.Bucket)
	if b == nil {
		return nil
	}
	text, ok := b.Objects[manifest.Key]
	if !ok {
		return nil
	}
	rd := csv.NewReader(strings.NewReader(text))
	rd.FieldsPerRecord = -1
	seen := map[string]bool{}
	var out []plan.Location
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) || err != nil {
			break
		}
		if len(rec) >= 2 && rec[0] != "" && !seen[rec[0]] {
			seen[rec[0]] = true
			out = append(out, plan.Location{Bucket: rec[0]})
		}
	}
	return out
}

// proveBatchCopy is --prove: prove.BatchCopy, its result after the plan;
// exit status 1 when the plan is not proved sufficient or a permission
// is not needed.
func proveBatchCopy(cmd *cobra.Command, p *plan.Plan, m *world.Model, objects int) error {
	proof, err := prove.BatchCopy(cmd.Context(), p, m, prove.BatchOptions{Objects: objects, Progress: progress(cmd.ErrOrStderr())})
	if err != nil {
		return err
	}
	return writeProof(cmd, proof)
}
