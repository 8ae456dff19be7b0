package transfer_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/transfer"
)

// snapshotAt is an HTTP client that takes a snapshot of a job's Progress
// before sending the first request that when matches.
type snapshotAt struct {
	next     s3.HTTPClient
	when     func(*http.Request) bool
	progress *transfer.Progress

	mu    sync.Mutex
	taken *transfer.ProgressSnapshot
}

func (s *snapshotAt) Do(r *http.Request) (*http.Response, error) {
	if s.when(r) {
		s.mu.Lock()
		if s.taken == nil {
			snap := s.progress.Snapshot()
			s.taken = &snap
		}
		s.mu.Unlock()
	}
	return s.next.Do(r)
}

// TestSyncProgress: Options.Progress counts the objects and bytes found
// and done, a multipart object part by part as its parts complete
// (uploads, ranged downloads, server-side copies), and takes a failed
// object's bytes out of the totals.
func TestSyncProgress(t *testing.T) {
	ctx := context.Background()
	big := string(pattern(11<<20, 1)) // three parts of 5 MiB
	files := map[string]string{"a.txt": "abc", "big": big}
	total := int64(len(big) + 3)
	local := t.TempDir()
	writeTree(t, local, files)
	e := newEnv(t)
	put(t, e.client(t, syncer), "src", map[string][]byte{"p/a.txt": []byte("abc"), "p/big": []byte(big)})
	secondPart := func(r *http.Request) bool { return r.URL.Query().Get("partNumber") == "2" }
	secondRange := func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasPrefix(r.Header.Get("Range"), "bytes=5242880-")
	}
	for _, tt := range []struct {
		name, src, dst string
		when           func(*http.Request) bool
	}{
		{"upload", local, "s3://dst/up", secondPart},
		{"download", "s3://src/p", t.TempDir(), secondRange},
		{"server-side copy", "s3://src/p", "s3://dst/copy", secondPart},
	} {
		t.Run(tt.name, func(t *testing.T) {
			progress := &transfer.Progress{}
			spy := &snapshotAt{when: tt.when, progress: progress}
			c := e.client(t, syncer, func(o *s3.Options) { spy.next, o.HTTPClient = o.HTTPClient, spy })
			// One worker: a.txt, then big's parts one after the other.
			opts := transfer.Options{PartSize: transfer.MinPartSize, MultipartThreshold: transfer.MinPartSize, Workers: 1, Progress: progress}
			sum, err := transfer.Sync(ctx, c, loc(t, tt.src), loc(t, tt.dst), opts)
			if err != nil || sum.Copied != 2 {
				t.Fatalf("Sync = %+v, %v", sum, err)
			}
			if spy.taken == nil {
				t.Fatal("no request matched: the test tests nothing")
			}
			mid := *spy.taken
			if want := int64(3 + 5<<20); mid.BytesDone != want || mid.ObjectsDone != 1 || mid.Objects != 2 || mid.Bytes != total {
				t.Errorf("before big's second part: %+v; want 1/2 objects and %d/%d bytes (a.txt and big's first part)", mid, want, total)
			}
			want := transfer.ProgressSnapshot{Objects: 2, Bytes: total, ListingDone: true, ObjectsDone: 2, BytesDone: total}
			if got := progress.Snapshot(); got != want {
				t.Errorf("at the end: %+v, want %+v", got, want)
			}
		})
	}

	t.Run("failed and unchanged", func(t *testing.T) {
		progress := &transfer.Progress{}
		opts := transfer.Options{Progress: progress}
		if sum, err := transfer.Sync(ctx, e.client(t, reader), loc(t, local), loc(t, "s3://dst/denied"), opts); err != nil || sum.Failed != 2 {
			t.Fatalf("Sync = %+v, %v", sum, err)
		}
		want := transfer.ProgressSnapshot{Objects: 2, ListingDone: true, ObjectsDone: 2, Failed: 2}
		if got := progress.Snapshot(); got != want {
			t.Errorf("denied: %+v, want %+v (the failed objects' bytes out of the totals)", got, want)
		}
		// --checksum finds both unchanged: nothing left to transfer.
		progress = &transfer.Progress{}
		opts = transfer.Options{Progress: progress, Strategy: transfer.Checksum}
		if sum, err := transfer.Sync(ctx, e.client(t, syncer), loc(t, local), loc(t, "s3://dst/up"), opts); err != nil || sum.Skipped != 2 {
			t.Fatalf("Sync = %+v, %v", sum, err)
		}
		if got, want := progress.Snapshot(), (transfer.ProgressSnapshot{ListingDone: true}); got != want {
			t.Errorf("unchanged: %+v, want %+v", got, want)
		}
	})
}
