package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/prove"
	"github.com/lockstep-dev/lockstep/world"
)

// replicationFlags are the flags of `lockstep plan replication`.
type replicationFlags struct {
	source, dest, worldFile, kmsSource, kmsDest, role    string
	sourceAccount, destAccount, sourceRegion, destRegion string
	step                                                 int
	deleteMarkers, ownerOverride, tags, prove            bool
	output                                               *outputFlag
}

func newPlanReplicationCommand() *cobra.Command {
	f := &replicationFlags{}
	cmd := &cobra.Command{
		Use:   "replication --source s3://SOURCE --dest s3://DEST [flags]",
		Short: "The least-privilege policies of S3 Replication from one bucket to another",
		Long: `plan replication prints what S3 Replication from --source to --dest needs:
the calls S3 makes as the replication role, the replication configuration to
put on the source bucket, the role's trust policy (s3.amazonaws.com, for the
source bucket only) and permissions policy, the destination's bucket policy
when another account owns it, and key policy statements for the KMS keys of
another account than the role's (docs/scale.md "Replication policies").

The buckets' accounts, regions, default encryption and S3 Bucket Keys come
from --world; without it, from --source-account, --dest-account,
--source-region and --dest-region. --kms-source is the key of the source
objects to replicate (default with --world: the source bucket's default
key); --kms-dest the replicas' key, ReplicaKmsKeyID (default: the
destination bucket's default key, when the source has one).

--prove (needs --world) then runs the plan on the emulator: the world with
the planned policies and versioning on both buckets, the configuration put,
test objects written (plain, SSE-S3, SSE-KMS under the source key, tagged
with --tags, a delete marker with --delete-markers); every version must
end COMPLETED and every replica be byte-exact. Then once without each
permission and once without the trust policy: each is necessary when a
version is FAILED (or a replica lacks its tags) and the audit log has the
denial (docs/plan.md "lockstep plan replication").`,
		Example: `  lockstep plan replication --source s3://src --dest s3://dst --source-account 111111111111
  lockstep plan replication --world examples/world.yaml --source s3://kazue-sync-source --dest s3://cp-dst \
      --delete-markers --owner-override --output terraform`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := f.output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			setup, model, err := f.setup(cmd)
			if err != nil {
				return badInput(err)
			}
			if f.prove && model == nil {
				return badInput(errors.New("--prove needs --world: the accounts, buckets and keys to replicate in"))
			}
			p, err := plan.PlanReplication(setup)
			if err != nil {
				return badInput(err)
			}
			if err := writeFormat(cmd.OutOrStdout(), p, format, nil); err != nil || !f.prove {
				return err
			}
			return proveReplication(cmd, p, model)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.source, "source", "", "the source bucket, `s3://BUCKET`")
	fl.StringVar(&f.dest, "dest", "", "the destination bucket, `s3://BUCKET`")
	fl.StringVar(&f.worldFile, "world", "", "world `FILE` giving the buckets' accounts, regions, default encryption and keys, or scenario file (its world as of --step)")
	fl.IntVar(&f.step, "step", 0, "with a scenario file as --world: the step whose world to use (1-based; default: the last)")
	fl.StringVar(&f.kmsSource, "kms-source", "", "`KEY-ARN` of the SSE-KMS source objects to replicate")
	fl.StringVar(&f.kmsDest, "kms-dest", "", "`KEY-ARN` the replicas are encrypted with (ReplicaKmsKeyID)")
	fl.BoolVar(&f.deleteMarkers, "delete-markers", false, "replicate delete markers (s3:ReplicateDelete)")
	fl.BoolVar(&f.ownerOverride, "owner-override", false, "make the destination's account the replicas' owner (s3:ObjectOwnerOverrideToBucketOwner)")
	fl.BoolVar(&f.tags, "tags", false, "replicate object tags (s3:GetObjectVersionTagging, s3:ReplicateTags)")
	fl.BoolVar(&f.prove, "prove", false, "run the plan on the emulator, then without each permission in turn, to show each is necessary (needs --world)")
	fl.StringVar(&f.role, "role", "", "the replication role's `NAME` (default: s3-replication-SOURCE)")
	fl.StringVar(&f.sourceAccount, "source-account", "", "without --world: the source bucket's `ACCOUNT`")
	fl.StringVar(&f.destAccount, "dest-account", "", "without --world: the destination bucket's `ACCOUNT` (default: the source's)")
	fl.StringVar(&f.sourceRegion, "source-region", "us-east-1", "without --world: the source bucket's `REGION`")
	fl.StringVar(&f.destRegion, "dest-region", "", "without --world: the destination bucket's `REGION` (default: the source's)")
	f.output = addOutputFlag(cmd, "terraform")
	return cmd
}

// bucketOf reads an s3://BUCKET flag.
func bucketOf(flag, v string) (string, error) {
	name, ok := strings.CutPrefix(v, "s3://")
	name = strings.TrimSuffix(name, "/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", fmt.Errorf("--%s %q: want s3://BUCKET", flag, v)
	}
	return name, nil
}

// setup reads the flags, and the world when --world is given (returned
// as its model; nil without --world).
func (f *replicationFlags) setup(cmd *cobra.Command) (plan.ReplicationSetup, *world.Model, error) {
	s, wf, err := f.readSetup(cmd)
	if wf == nil || err != nil {
		return s, nil, err
	}
	return s, wf.Model, nil
}

// readSetup is setup, with the world file read.
func (f *replicationFlags) readSetup(cmd *cobra.Command) (plan.ReplicationSetup, *worldFile, error) {
	var s plan.ReplicationSetup
	var err error
	if s.Source.Name, err = bucketOf("source", f.source); err != nil {
		return s, nil, err
	}
	if s.Destination.Name, err = bucketOf("dest", f.dest); err != nil {
		return s, nil, err
	}
	s.RoleName = f.role
	if s.RoleName == "" {
		s.RoleName = "s3-replication-" + s.Source.Name
		if len(s.RoleName) > 64 {
			// "Maximum length of 64" (IAM API reference CreateRole, RoleName).
			s.RoleName = s.RoleName[:64]
		}
	}
	s.DeleteMarkers, s.OwnerOverride, s.Tags = f.deleteMarkers, f.ownerOverride, f.tags
	if f.worldFile == "" {
		s.Source.Account, s.Destination.Account = f.sourceAccount, firstNonEmpty(f.destAccount, f.sourceAccount)
		s.Source.Region, s.Destination.Region = f.sourceRegion, firstNonEmpty(f.destRegion, f.sourceRegion)
		s.Source.KMSKey, s.Destination.KMSKey = f.kmsSource, f.kmsDest
		return s, nil, nil
	}
	for _, name := range []string{"source-account", "dest-account", "source-region", "dest-region"} {
		if cmd.Flags().Changed(name) {
			return s, nil, fmt.Errorf("--%s: with --world the world says where the buckets are", name)
		}
	}
	wf, err := loadWorldFile(f.worldFile, f.step, cmd.ErrOrStderr())
	if err != nil {
		return s, nil, err
	}
	if err := fromWorld(wf.World, &s.Source, f.kmsSource); err != nil {
		return s, wf, err
	}
	destDefault := f.kmsDest
	if destDefault == "" && s.Source.KMSKey == "" {
		destDefault = "-" // an SSE-S3 source: the destination's default key is not a replica key
	}
	if err := fromWorld(wf.World, &s.Destination, destDefault); err != nil {
		return s, wf, err
	}
	if k := wf.World.Key(s.Destination.KMSKey); k != nil && k.Managed {
		return s, wf, fmt.Errorf("the replicas' key %s is an AWS managed key: ReplicaKmsKeyID must be a customer managed key (S3 API reference EncryptionConfiguration); give --kms-dest", k.ARN)
	}
	return s, wf, nil
}

// fromWorld fills a side from its bucket in the world; key is the key
// flag: "" takes the bucket's default key, "-" none.
func fromWorld(w *world.World, side *plan.ReplicationBucket, key string) error {
	b := w.Bucket(side.Name)
	if b == nil {
		return fmt.Errorf("bucket %q is not in the world file", side.Name)
	}
	side.Account, side.Region = b.Account.ID, b.Region
	switch {
	case key == "-":
	case key != "":
		k := w.Key(key)
		if k == nil {
			return fmt.Errorf("KMS key %q is not in the world file", key)
		}
		side.KMSKey = k.ARN
		side.BucketKey = b.BucketKey && b.KMSKey == k
	case b.KMSKey != nil:
		side.KMSKey, side.BucketKey = b.KMSKey.ARN, b.BucketKey
	}
	return nil
}

// proveReplication is --prove: prove.Replication, its result after the
// plan; exit status 1 when the plan is not proved sufficient or a
// permission is not shown necessary.
func proveReplication(cmd *cobra.Command, p *plan.ReplicationPlan, m *world.Model) error {
	proof, err := prove.Replication(cmd.Context(), p, m, prove.ReplicationOptions{Progress: progress(cmd.ErrOrStderr())})
	if err != nil {
		return err
	}
	return writeProof(cmd, proof)
}
