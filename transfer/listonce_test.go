package transfer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lockstep-dev/lockstep/transfer"
)

// TestSyncListsEachSideOnce: a sync with nothing to copy lists each S3
// side once (its pages, the first of which the preflight fetched) and
// makes no request per object (issue 12). 1100 objects make two pages a
// side.
func TestSyncListsEachSideOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	files := map[string]string{}
	for i := range 1100 {
		files[fmt.Sprintf("f%04d", i)] = "x"
	}
	src := t.TempDir()
	writeTree(t, src, files)
	down := filepath.Join(t.TempDir(), "down")
	// The preflight's calls besides the listings: the probe read of a
	// source object, and the write probe of an S3 destination.
	read := []string{"GetObject"}
	write := []string{"AbortMultipartUpload", "AbortMultipartUpload", "CreateMultipartUpload"}
	steps := []struct {
		name     string
		from, to string
		// listings is the number of ListObjectsV2 requests: two pages per
		// S3 side.
		listings int
		probes   []string
	}{
		{"upload", src, "s3://src/data", 2, append(slices.Clone(write), "UploadPart")},
		{"download", "s3://src/data", down, 2, read},
		{"copy", "s3://src/data", "s3://dst/data", 4, append(slices.Concat(read, write), "UploadPartCopy")},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			opts := transfer.Options{Preflight: true}
			if sum, err := transfer.Sync(ctx, c, loc(t, st.from), loc(t, st.to), opts); err != nil || sum.Copied != len(files) {
				t.Fatalf("first sync: %+v, %v", sum, err)
			}
			e.calls(t)
			sum, err := transfer.Sync(ctx, c, loc(t, st.from), loc(t, st.to), opts)
			if err != nil || sum.Copied != 0 || sum.Skipped != len(files) {
				t.Fatalf("second sync: %+v, %v", sum, err)
			}
			var listings int
			var others []string
			for _, call := range e.calls(t) {
				if call == "ListObjectsV2" {
					listings++
				} else {
					others = append(others, call)
				}
			}
			slices.Sort(others)
			want := slices.Sorted(slices.Values(st.probes))
			if listings != st.listings || !slices.Equal(others, want) {
				t.Errorf("%d ListObjectsV2 requests and %q, want %d and %q", listings, others, st.listings, want)
			}
		})
	}
}
