package emulator

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

//go:embed demo-world.yaml
var demoWorld []byte

// DemoWorld returns the built-in demo world: two accounts with an
// administrator each, a least-privilege user, a role, and a bucket
// encrypted with a customer managed key.
func DemoWorld() (*world.Model, error) {
	return world.Decode(demoWorld, "built-in demo world")
}

// DemoWorldYAML returns the text of the built-in demo world.
func DemoWorldYAML() []byte { return bytes.Clone(demoWorld) }

// bucketConfig is the part of a bucket's world model that the store keeps
// across restarts for buckets created at run time.
type bucketConfig struct {
	KMSKey    string `json:"kms_key,omitempty"`
	BucketKey bool   `json:"bucket_key,omitempty"`
}

func bucketConfigToMeta(bm *world.BucketModel, meta *store.BucketMeta) error {
	meta.Policy = nil
	if bm.Policy != nil {
		text, err := bm.Policy.JSON()
		if err != nil {
			return err
		}
		meta.Policy = text
	}
	meta.Encryption = nil
	if e := bm.Encryption; e != nil && e.KMSKey != "" {
		text, err := json.Marshal(bucketConfig{KMSKey: e.KMSKey, BucketKey: e.BucketKey})
		if err != nil {
			return err
		}
		meta.Encryption = text
	}
	meta.Ownership = bm.Ownership
	if bm.Region != "" {
		meta.Region = bm.Region
	}
	return nil
}

// seedVersioning sets the store's versioning state of a bucket from the
// world's, when the world names one (docs/world.md buckets[].versioning):
// the world file wins, as for the bucket's policy and encryption; a world
// without it leaves the state the data directory has. A bucket with a
// replication configuration cannot be suspended, as PutBucketVersioning
// refuses it (refuseVersioningChange).
func seedVersioning(b *world.Bucket, meta *store.BucketMeta) error {
	if b.Versioning == "" || b.Versioning == meta.Versioning {
		return nil
	}
	if _, ok := meta.Extra[settingReplication]; ok && b.Versioning != world.VersioningEnabled {
		return fmt.Errorf("versioning %s: the bucket has a replication configuration, so its versioning state cannot change from Enabled", b.Versioning)
	}
	meta.Versioning = b.Versioning
	delete(meta.Extra, settingVersioning)
	return nil
}

// syncBuckets makes the store and the world agree at start-up. Buckets of
// the world file are created in the store when missing and seeded with
// their objects (an object already stored is kept: the data directory
// wins over the seed); the world file's policy, encryption and ownership
// win over what the store remembers. Buckets that the store holds but the
// world does not (created through the API in an earlier run) are added to
// the world with the configuration the store kept, when their owner
// account is still in the world.
func (s *Server) syncBuckets(ctx context.Context) error {
	stored, err := s.store.ListBuckets(ctx)
	if err != nil {
		return err
	}
	inStore := map[string]store.BucketMeta{}
	for _, b := range stored {
		inStore[b.Name] = b.Meta
	}
	wd := s.state.world()
	snap := s.state.snapshot()
	for _, a := range wd.Accounts {
		for _, b := range a.Buckets {
			if _, ok := inStore[b.Name]; !ok {
				meta := store.BucketMeta{Owner: a.ID, Region: b.Region, Created: s.now(), Ownership: b.Ownership}
				if err := s.store.CreateBucket(ctx, b.Name, meta); err != nil && !errors.Is(err, store.ErrBucketExists) {
					return fmt.Errorf("bucket %s: %w", b.Name, err)
				}
			}
			bm := snap.FindBucket(b.Name)
			if _, err := s.store.UpdateBucket(ctx, b.Name, func(meta *store.BucketMeta) error {
				meta.Owner = a.ID
				if err := seedVersioning(b, meta); err != nil {
					return err
				}
				return bucketConfigToMeta(bm, meta)
			}); err != nil {
				return fmt.Errorf("bucket %s: %w", b.Name, err)
			}
			for _, o := range b.Objects {
				if _, err := s.store.Head(ctx, b.Name, o.Key); err == nil {
					continue
				}
				if err := s.seedObject(ctx, b, o.Key, bytes.NewReader(o.Data)); err != nil {
					return fmt.Errorf("bucket %s: seed %q: %w", b.Name, o.Key, err)
				}
			}
		}
	}
	var extra []store.Bucket
	for _, b := range stored {
		if wd.Bucket(b.Name) == nil {
			extra = append(extra, b)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	return s.state.change(func(m *world.Model) error {
		for _, b := range extra {
			a := findAccount(m, b.Meta.Owner)
			if a == nil {
				fmt.Fprintf(s.errorLog(), "lockstep serve: bucket %s in the data directory belongs to account %s, which the world does not have; it is not served\n", b.Name, b.Meta.Owner)
				continue
			}
			bm := world.BucketModel{Name: b.Name, Region: b.Meta.Region, Ownership: b.Meta.Ownership}
			if len(b.Meta.Policy) > 0 {
				d := world.DocFromJSON(b.Meta.Policy)
				bm.Policy = &d
			}
			if len(b.Meta.Encryption) > 0 {
				var bc bucketConfig
				if err := json.Unmarshal(b.Meta.Encryption, &bc); err == nil && bc.KMSKey != "" {
					bm.Encryption = &world.EncryptionModel{KMSKey: bc.KMSKey, BucketKey: bc.BucketKey}
				}
			}
			a.Buckets = append(a.Buckets, bm)
		}
		return nil
	})
}

// seedObject stores one object of the world file, encrypted with the
// bucket's default key when it has one.
func (s *Server) seedObject(ctx context.Context, b *world.Bucket, key string, r io.Reader, opts ...ObjectOptions) error {
	meta := store.ObjectMeta{Owner: b.Account.ID, LastModified: s.now()}
	sses3 := false
	for _, o := range opts {
		sses3 = sses3 || o.SSES3
		if len(o.Metadata) > 0 {
			meta.UserMeta = maps.Clone(o.Metadata)
		}
		for _, k := range slices.Sorted(maps.Keys(o.Tags)) {
			meta.Tags = append(meta.Tags, store.Tag{Key: k, Value: o.Tags[k]})
		}
	}
	var cipher *store.Cipher
	if sses3 {
		meta.SSE = store.SSE{Algorithm: "AES256"}
	} else if b.KMSKey != nil {
		var err error
		if meta.SSE, cipher, err = s.newKMSDataKey(store.SSE{Algorithm: "aws:kms", BucketKey: b.BucketKey}, b.KMSKey, b, key); err != nil {
			return err
		}
	}
	_, err := s.store.Put(ctx, b.Name, key, r, meta, cipher)
	return err
}

// guessOperation names the operation of a request that failed before it
// was routed (a bad signature), for the audit log.
func (s *Server) guessOperation(c *call) string {
	if c.service != "s3" {
		return "Unknown"
	}
	bucket, key := s.bucketAndKey(c.r)
	c.bucket, c.key = bucket, key
	op, _ := s3Operation(c.r, bucket, key)
	if op == "" {
		op = c.r.Method
	}
	return op
}

// ObjectOptions are the parts of an object PutObject can set besides its
// data.
type ObjectOptions struct {
	// Tags are the object's tags; Metadata its user metadata
	// (x-amz-meta-NAME, names in lower case).
	Tags, Metadata map[string]string
	// SSES3 stores the object with SSE-S3 (AES256), as a PutObject with
	// x-amz-server-side-encryption: AES256 does whatever the bucket's
	// default: its ETag is then the MD5 of its data.
	SSES3 bool
}

// PutObject stores an object directly, as the bucket's owner would, with
// the bucket's default encryption: for tests and proofs that need data of
// a given size in place before a client runs. It bypasses authorization.
func (s *Server) PutObject(ctx context.Context, bucket, key string, r io.Reader, opts ...ObjectOptions) error {
	b := s.state.world().Bucket(bucket)
	if b == nil {
		return fmt.Errorf("no bucket %q in the world", bucket)
	}
	return s.seedObject(ctx, b, key, r, opts...)
}

// ListKeys returns every key of a bucket, in order, bypassing
// authorization: for tests and replays that inspect what a client wrote.
func (s *Server) ListKeys(ctx context.Context, bucket string) ([]string, error) {
	var keys []string
	opts := store.ListOptions{MaxKeys: 1000}
	for {
		res, err := s.store.ListObjects(ctx, bucket, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range res.Objects {
			keys = append(keys, o.Key)
		}
		if !res.IsTruncated {
			return keys, nil
		}
		opts.After = res.NextMarker
	}
}

// GetObject returns the content of an object, decrypted, bypassing
// authorization (tests and replays).
func (s *Server) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	meta, err := s.store.Head(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	var cipher *store.Cipher
	if len(meta.SSE.WrappedKey) > 0 {
		dk, err := s.keys.unwrap(meta.SSE.KMSKeyID, meta.SSE.WrappedKey, meta.SSE.Context)
		if err != nil {
			return nil, err
		}
		cipher = &store.Cipher{Key: dk}
	}
	_, rc, err := s.store.Get(ctx, bucket, key, cipher)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// DeleteObject removes an object, bypassing authorization (tests and
// replays).
func (s *Server) DeleteObject(ctx context.Context, bucket, key string) error {
	_, err := s.store.Delete(ctx, bucket, key)
	return err
}
