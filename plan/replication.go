package plan

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/replication"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// ReplicationBucket is one side of a replication setup.
type ReplicationBucket struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// KMSKey is the key ARN of the side's SSE-KMS: on the source, the key
	// of the objects to replicate; on the destination, the replicas' key
	// (ReplicaKmsKeyID). Empty: no SSE-KMS on that side.
	KMSKey string `json:"kmsKey,omitempty"`
	// BucketKey is whether the bucket uses an S3 Bucket Key with KMSKey.
	BucketKey bool `json:"bucketKey,omitempty"`
}

// ReplicationSetup is what `lockstep plan replication` plans.
type ReplicationSetup struct {
	Source, Destination ReplicationBucket
	// RoleName is the replication role's name, in the source's account.
	RoleName string
	// DeleteMarkers, OwnerOverride and Tags are the optional parts: delete
	// marker replication, the replica owner override, object tags.
	DeleteMarkers, OwnerOverride, Tags bool
}

// ReplicationPlan is the least-privilege setup of S3 Replication from
// one bucket to another (docs/scale.md "Replication policies").
type ReplicationPlan struct {
	Setup ReplicationSetup
	// Role is the replication role's ARN.
	Role string
	// Steps are the calls S3 makes as the role, from the replication
	// package's table.
	Steps []replication.Step
	// Configuration is the replication configuration to put on the
	// source bucket.
	Configuration *replication.Configuration
	// Trust is the role's trust policy; Permissions its identity policy.
	Trust, Permissions *Document
	// DestinationBucketPolicy is the destination bucket's policy when
	// another account owns it, else nil.
	DestinationBucketPolicy *Document
	// Keys are key policy statements for the keys of another account than
	// the role's, by key ARN.
	Keys map[string]*Document
	// Notes explain what the policies leave to the reader.
	Notes []string
}

// PlanReplication plans a setup: the steps it needs, the configuration,
// and the policies, each statement from a step.
func PlanReplication(s ReplicationSetup) (*ReplicationPlan, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	p := &ReplicationPlan{Setup: s, Role: "arn:aws:iam::" + s.Source.Account + ":role/" + s.RoleName, Keys: map[string]*Document{}}
	p.Configuration = s.configuration(p.Role)
	// The configuration must be one S3 accepts: Parse is S3's validation.
	doc, err := xml.Marshal(p.Configuration)
	if err != nil {
		return nil, err
	}
	if _, perr := replication.Parse(doc, s.Source.Name); perr != nil {
		return nil, fmt.Errorf("the planned replication configuration is refused: %w", perr)
	}
	p.Steps = replication.Required(replication.Features{
		Tags: s.Tags, DeleteMarkers: s.DeleteMarkers, OwnerOverride: s.OwnerOverride,
		SourceKMS: s.Source.KMSKey != "", ReplicaKMS: s.Destination.KMSKey != "", ReplicaBucketKey: s.Destination.BucketKey,
	})
	p.Trust = s.trustPolicy()
	p.policies()
	p.notes()
	return p, nil
}

// policies builds the role's permissions policy, the destination's bucket
// policy across accounts and the key statements from the plan's steps.
func (p *ReplicationPlan) policies() {
	s := p.Setup
	needs := p.needs()
	p.Permissions = documentOf(needs, "")
	p.DestinationBucketPolicy = nil
	if s.Destination.Account != s.Source.Account {
		var dst []Need
		for _, n := range needs {
			if n.Account == s.Destination.Account && !strings.HasPrefix(n.Action, "kms:") {
				dst = append(dst, n)
			}
		}
		p.DestinationBucketPolicy = documentOf(dst, p.Role)
	}
	p.Keys = map[string]*Document{}
	for _, key := range []string{s.Source.KMSKey, s.Destination.KMSKey} {
		if key == "" || arn.Account(key) == s.Source.Account || p.Keys[key] != nil {
			continue
		}
		var kn []Need
		for _, n := range needs {
			if n.Resource == key {
				kn = append(kn, n)
			}
		}
		d := documentOf(kn, p.Role)
		for i := range d.Statement {
			// A key policy names its own key as "*" (docs/authorization.md §3.4).
			d.Statement[i].Resource = []string{"*"}
		}
		p.Keys[key] = d
	}
}

// WithoutStep returns a copy of the plan whose policies grant every step
// but step i (an index into Steps), in each document that granted it: the
// role's permissions policy, the destination's bucket policy and the key
// statements. The copy's Steps still list every step; a proof runs it to
// show step i necessary.
func (p *ReplicationPlan) WithoutStep(i int) *ReplicationPlan {
	q := *p
	q.Steps = append(append([]replication.Step(nil), p.Steps[:i]...), p.Steps[i+1:]...)
	q.policies()
	q.Steps = p.Steps
	return &q
}

// validate checks a setup has what a plan needs.
func (s *ReplicationSetup) validate() error {
	switch {
	case s.Source.Name == "" || s.Destination.Name == "":
		return fmt.Errorf("give the source and destination buckets")
	case s.Source.Name == s.Destination.Name:
		return fmt.Errorf("the destination bucket is the source bucket: S3 replicates to another bucket")
	case !arn.IsAccountID(s.Source.Account) || !arn.IsAccountID(s.Destination.Account):
		return fmt.Errorf("the buckets' accounts are unknown: give --world, or --source-account (and --dest-account when another account owns the destination)")
	case s.Source.Region == "" || s.Destination.Region == "":
		return fmt.Errorf("the buckets' regions are unknown")
	case s.RoleName == "":
		return fmt.Errorf("give the replication role's name")
	case s.Destination.KMSKey != "" && s.Source.KMSKey == "":
		// S3 API reference PutBucketReplication: ReplicaKmsKeyID goes
		// with SseKmsEncryptedObjects, which selects SSE-KMS sources.
		return fmt.Errorf("--kms-dest is the replicas' key (ReplicaKmsKeyID), which S3 uses only for SSE-KMS source objects: give --kms-source too")
	case s.Source.KMSKey != "" && s.Destination.KMSKey == "":
		return fmt.Errorf("the source objects are under SSE-KMS (%s): S3 replicates them only with a replica key, ReplicaKmsKeyID; give --kms-dest", s.Source.KMSKey)
	case s.OwnerOverride && s.Destination.Account == s.Source.Account:
		return fmt.Errorf("--owner-override changes the replica owner to the destination's account, which is the source's: \"Add the owner override option only when the source and destination buckets are owned by different AWS accounts\" (S3 User Guide, replication-change-owner)")
	}
	for _, side := range []ReplicationBucket{s.Source, s.Destination} {
		k := side.KMSKey
		if k == "" {
			continue
		}
		if !isKeyARN(k) {
			return fmt.Errorf("KMS key %q: want a key ARN, arn:aws:kms:REGION:ACCOUNT:key/ID", k)
		}
		// "The KMS key must have been created in the same AWS Region as
		// the destination buckets" (S3 User Guide,
		// replication-config-for-kms-objects); SSE-KMS keys are in their
		// bucket's region.
		if arn.Region(k) != side.Region {
			return fmt.Errorf("KMS key %s is in %s, bucket %s in %s: S3 uses a key of the bucket's region", k, arn.Region(k), side.Name, side.Region)
		}
	}
	return nil
}

// configuration is the one-rule configuration of the setup: every object,
// priority 1.
func (s *ReplicationSetup) configuration(role string) *replication.Configuration {
	priority := 1
	empty := ""
	status := replication.Disabled
	if s.DeleteMarkers {
		status = replication.Enabled
	}
	r := replication.Rule{
		ID:                      "lockstep-" + s.Destination.Name,
		Priority:                &priority,
		Status:                  replication.Enabled,
		Filter:                  &replication.Filter{Prefix: &empty},
		DeleteMarkerReplication: &replication.StatusElement{Status: status},
		Destination:             &replication.Destination{Bucket: "arn:aws:s3:::" + s.Destination.Name},
	}
	if s.Destination.Account != s.Source.Account {
		r.Destination.Account = s.Destination.Account
	}
	if s.OwnerOverride {
		r.Destination.AccessControlTranslation = &replication.AccessControlTranslation{Owner: "Destination"}
	}
	if s.Source.KMSKey != "" {
		r.SourceSelectionCriteria = &replication.SourceSelectionCriteria{SseKmsEncryptedObjects: &replication.StatusElement{Status: replication.Enabled}}
		r.Destination.EncryptionConfiguration = &replication.EncryptionConfiguration{ReplicaKmsKeyID: s.Destination.KMSKey}
	}
	return &replication.Configuration{Role: role, Rules: []replication.Rule{r}}
}

// trustPolicy lets S3 assume the role for the source bucket only: "a
// trust policy used for replication, where you identify Amazon S3 as the
// service principal who can assume the role, the account owning the
// source bucket, and the ARN of the replication source bucket" (S3 User
// Guide, setting-repl-config-perm-overview).
func (s *ReplicationSetup) trustPolicy() *Document {
	return &Document{Version: "2012-10-17", Statement: []Statement{{
		Sid:       "S3AssumesForReplication",
		Effect:    "Allow",
		Principal: map[string]string{"Service": "s3.amazonaws.com"},
		Action:    []string{"sts:AssumeRole"},
		Resource:  nil,
		Condition: map[string]map[string][]string{"StringEquals": {
			"aws:SourceAccount": {s.Source.Account},
			"aws:SourceArn":     {"arn:aws:s3:::" + s.Source.Name},
		}},
	}}}
}

// side returns the bucket a step is on.
func (s *ReplicationSetup) side(sd replication.Side) ReplicationBucket {
	if sd == replication.OnDestination {
		return s.Destination
	}
	return s.Source
}

// needs are the permissions of the steps: each on its bucket, the
// bucket's objects, or its side's key with the conditions of a call S3
// makes (kms:ViaService of the side's region, the encryption context of
// the side's objects, or of the bucket with an S3 Bucket Key;
// docs/authorization.md §3.2, §3.5).
func (p *ReplicationPlan) needs() []Need {
	var out []Need
	for _, st := range p.Steps {
		b := p.Setup.side(st.Side)
		n := Need{Action: st.Action, Account: b.Account, Why: st.Why}
		switch st.On {
		case s3ops.Bucket:
			n.Resource = "arn:aws:s3:::" + b.Name
		case s3ops.Object:
			n.Resource = "arn:aws:s3:::" + b.Name + "/*"
		case s3ops.KMSKey:
			n.Resource, n.Account, n.Via = b.KMSKey, arn.Account(b.KMSKey), "s3"
			op := "StringLike"
			if b.BucketKey {
				op = "StringEquals"
			}
			n.Conditions = viaS3In(b.Region, op, s3ops.EncryptionContext(b.Name, "*", b.BucketKey))
		}
		out = append(out, n)
	}
	return out
}

// notes say what the reader must still do.
func (p *ReplicationPlan) notes() {
	s := p.Setup
	p.Notes = append(p.Notes, "Versioning must be Enabled on both buckets before PutBucketReplication (S3 answers InvalidRequest otherwise).")
	p.Notes = append(p.Notes, "Whoever puts the configuration needs s3:PutReplicationConfiguration on "+s.Source.Name+" and iam:PassRole on "+p.Role+" (S3 API reference PutBucketReplication).")
	for _, key := range []string{s.Source.KMSKey, s.Destination.KMSKey} {
		if key != "" && p.Keys[key] == nil {
			p.Notes = append(p.Notes, "Key "+key+" is in the role's account: its key policy must let IAM policies grant its use (the default key policy does).")
		}
	}
	if s.Destination.Account != s.Source.Account && !s.OwnerOverride {
		p.Notes = append(p.Notes, "Replicas keep the source object's owner; with --owner-override the destination's account owns them (or set Object Ownership to bucket owner enforced on "+s.Destination.Name+").")
	}
}
