package emulator

import (
	"context"
	"io"
	"net/http"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/replication"
	"github.com/lockstep-dev/lockstep/store"
)

// S3 Replication's configuration (docs/emulator.md "Replication
// configuration"): Put, Get and DeleteBucketReplication keep the bucket's
// ReplicationConfiguration, parsed and validated by package replication,
// in the bucket's store metadata. The replication engine reads it back
// with replicationConfiguration.

// settingReplication is the stored sub-resource of the configuration.
const settingReplication = "replication"

// putBucketReplication validates and stores a configuration, in the
// order S3 answers: the document and its Role, then the row's checks
// (s3:PutReplicationConfiguration on the bucket, iam:PassRole on the
// role), the source's versioning, the rules, and each destination's
// existence and versioning.
func (s *Server) putBucketReplication(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, replication.MaxBytes+1))
	if err != nil {
		return storeError(err, c)
	}
	role, perr := replication.RoleOf(body)
	if perr != nil {
		return replicationError(perr)
	}
	// CloudTrail records a bucket configuration's body in the request
	// parameters (the S3 User Guide's PutBucketAcl example holds its
	// AccessControlPolicy there): the Role, which plan --from-trail reads
	// to plan iam:PassRole (docs/trail.md).
	c.params["ReplicationConfiguration"] = map[string]any{"Role": role}
	if s.state.world().Account(accountOf(role)) == nil {
		// A role of an account the world does not hold cannot be passed
		// by anyone here: iam:PassRole passes roles of the caller's own
		// account (docs/decisions.md "Replication: the role and the
		// destinations at PutBucketReplication").
		return errorf(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	if err := s.authorize(c, noObjectData, enforce.Call{Resource: role}); err != nil {
		return err
	}
	if enabled, err := s.versioningEnabled(c.r.Context(), c.bucket); err != nil {
		return storeError(err, c)
	} else if !enabled {
		return errorf(http.StatusBadRequest, "InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply a replication configuration").with("BucketName", c.bucket)
	}
	cfg, perr := replication.Parse(body, c.bucket)
	if perr != nil {
		return replicationError(perr)
	}
	for i := range cfg.Rules {
		if err := s.checkDestination(c.r.Context(), cfg.Rules[i].DestinationBucket()); err != nil {
			return err
		}
	}
	if err := s.setBucketSetting(c, settingReplication, cfg); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkDestination answers S3's errors for a destination bucket that
// does not exist or is not versioned ("Both source and destination
// buckets must have versioning enabled", S3 User Guide,
// replication-requirements).
func (s *Server) checkDestination(ctx context.Context, bucket string) error {
	if s.state.world().Bucket(bucket) == nil {
		return errorf(http.StatusBadRequest, "InvalidRequest", "Destination bucket must exist.")
	}
	enabled, err := s.versioningEnabled(ctx, bucket)
	if err != nil {
		return errInternal(err)
	}
	if !enabled {
		return errorf(http.StatusBadRequest, "InvalidRequest", "Destination bucket must have versioning enabled.")
	}
	return nil
}

// getBucketReplication answers the stored configuration, or
// ReplicationConfigurationNotFoundError.
func (s *Server) getBucketReplication(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	cfg, err := s.replicationConfiguration(c.r.Context(), c.bucket)
	if err != nil {
		return storeError(err, c)
	}
	if cfg == nil {
		return errNotConfigured(c)
	}
	out := *cfg
	out.NS = s3NS
	return writeXML(w, http.StatusOK, out)
}

// deleteBucketReplication removes the configuration: 204 whether or not
// the bucket had one.
func (s *Server) deleteBucketReplication(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	if err := s.setBucketSetting(c, settingReplication, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// refuseVersioningChange answers 409 InvalidBucketState to a
// PutBucketVersioning that would leave a bucket with a replication
// configuration without versioning Enabled: "If you attempt to disable
// versioning on the source bucket, Amazon S3 returns an error. You must
// remove the replication configuration before you can disable versioning
// on the source bucket" (S3 User Guide, replication-and-other-bucket-configs;
// docs/emulator.md "Replication configuration").
func (s *Server) refuseVersioningChange(c *call, status string) error {
	if status == "Enabled" {
		return nil
	}
	cfg, err := s.replicationConfiguration(c.r.Context(), c.bucket)
	if err != nil {
		return storeError(err, c)
	}
	if cfg != nil {
		return errorf(http.StatusConflict, "InvalidBucketState", "A replication configuration is present on this bucket, so you cannot change the versioning state. To change the versioning state, first delete the replication configuration.").with("BucketName", c.bucket)
	}
	return nil
}

// replicationConfiguration is the bucket's stored configuration, nil when
// it has none: what the replication engine replicates by.
func (s *Server) replicationConfiguration(ctx context.Context, bucket string) (*replication.Configuration, error) {
	meta, err := s.store.GetBucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	doc, ok := meta.Extra[settingReplication]
	if !ok {
		return nil, nil
	}
	return replication.Decode([]byte(doc))
}

// versioningEnabled reports whether the bucket's versioning status is
// Enabled (the stored VersioningConfiguration).
func (s *Server) versioningEnabled(ctx context.Context, bucket string) (bool, error) {
	v, err := s.store.Versioning(ctx, bucket)
	return v == store.VersioningEnabled, err
}

// replicationError is S3's answer to a configuration package replication
// refuses.
func replicationError(e *replication.Error) *apiError {
	switch e.Code {
	case "MalformedXML":
		return errMalformedXML()
	case "InvalidArgument":
		return errInvalidArgument(e.Argument, e.Value, "%s", e.Message)
	case "NotImplemented":
		return errorf(http.StatusNotImplemented, e.Code, "%s", e.Message)
	}
	return errorf(http.StatusBadRequest, e.Code, "%s", e.Message)
}
