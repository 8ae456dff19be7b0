package emulator

import (
	"context"
	"encoding/xml"

	"github.com/lockstep-dev/lockstep/store"
)

// EnableVersioningForTest stores versioning Status Enabled on a bucket, as
// PutBucketVersioning will once object versions are emulated: the tests of
// the replication configuration need versioned buckets.
func (s *Server) EnableVersioningForTest(ctx context.Context, bucket string) error {
	doc, err := xml.Marshal(versioningConfiguration{Status: "Enabled"})
	if err != nil {
		return err
	}
	_, err = s.store.UpdateBucket(ctx, bucket, func(m *store.BucketMeta) error {
		if m.Extra == nil {
			m.Extra = map[string]string{}
		}
		m.Extra[settingVersioning] = string(doc)
		return nil
	})
	return err
}
