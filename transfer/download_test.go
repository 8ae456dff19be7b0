package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/lockstep-dev/lockstep/transfer"
)

// rangedGets is an HTTP client that records the Range of every GET and,
// before sending a ranged GET that does not start at byte 0 (a later
// range of a download), calls before once and waits until two such
// requests are in flight at once (once: later ones go straight on): a download whose later ranges were
// sent one after the other would wait for the second in vain, and is
// reported when the wait gives up.
type rangedGets struct {
	next   s3.HTTPClient
	before func(*http.Request)

	mu       sync.Mutex
	ranges   []string
	inFlight int
	maxLater int
	two      chan struct{} // closed once two later ranges were in flight
	paired   bool
	once     sync.Once
}

func newRangedGets(next s3.HTTPClient, before func(*http.Request)) *rangedGets {
	return &rangedGets{next: next, before: before, two: make(chan struct{})}
}

func (g *rangedGets) Do(r *http.Request) (*http.Response, error) {
	rg := r.Header.Get("Range")
	if r.Method != http.MethodGet || rg == "" {
		return g.next.Do(r)
	}
	later := !strings.HasPrefix(rg, "bytes=0-")
	g.mu.Lock()
	g.ranges = append(g.ranges, rg)
	if later {
		g.inFlight++
		g.maxLater = max(g.maxLater, g.inFlight)
		if g.inFlight == 2 && !g.paired {
			g.paired = true
			close(g.two)
		}
	}
	g.mu.Unlock()
	if !later {
		return g.next.Do(r)
	}
	defer func() {
		g.mu.Lock()
		g.inFlight--
		g.mu.Unlock()
	}()
	if g.before != nil {
		g.once.Do(func() { g.before(r) })
	}
	select {
	case <-g.two:
	case <-r.Context().Done():
	case <-time.After(10 * time.Second): // the ranges were not parallel; maxLater says so
	}
	return g.next.Do(r)
}

func (g *rangedGets) recorded() ([]string, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.ranges), g.maxLater
}

// localFiles lists every file below dir, hidden ones (a temporary
// download) included.
func localFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestDownloadRanged: an object above the multipart threshold is
// downloaded as ranged GetObjects of the part size, the later ones in
// parallel, into a file byte-exact, with the object's time; a re-sync,
// by times and by checksum, finds it unchanged.
func TestDownloadRanged(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	admin := e.client(t, syncer)
	big := pattern(21<<20, 7) // 5 parts of 5 MiB: 5, 5, 5, 5, 1
	put(t, admin, "src", map[string][]byte{"data/big.bin": big, "data/small.txt": []byte("small")})
	gets := newRangedGets(nil, nil)
	c := e.client(t, syncer, func(o *s3.Options) {
		gets.next = o.HTTPClient
		o.HTTPClient = gets
	})
	dir := t.TempDir()
	e.calls(t)
	opts := transfer.Options{PartSize: transfer.MinPartSize}
	sum, err := transfer.Sync(ctx, c, loc(t, "s3://src/data"), loc(t, dir), opts)
	if err != nil || sum.Copied != 2 || sum.Bytes != int64(len(big))+5 {
		t.Fatalf("Sync = %+v, %v", sum, err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "big.bin"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("big.bin: %d bytes, equal %v, %v", len(got), bytes.Equal(got, big), err)
	}
	if files := localFiles(t, dir); !slices.Equal(files, []string{"big.bin", "small.txt"}) {
		t.Errorf("the directory holds %q", files)
	}
	const mib = 1 << 20
	var want []string
	for first := 0; first < len(big); first += 5 * mib {
		want = append(want, fmt.Sprintf("bytes=%d-%d", first, min(first+5*mib, len(big))-1))
	}
	ranges, parallel := gets.recorded()
	slices.Sort(ranges)
	slices.Sort(want)
	if !slices.Equal(ranges, want) {
		t.Errorf("ranged GETs %q, want %q", ranges, want)
	}
	if parallel < 2 {
		t.Errorf("at most %d later ranges in flight at once, want them in parallel", parallel)
	}
	// The audit log: one GetObject a range, one for the small object.
	if n := count(e.calls(t), "GetObject"); n != len(want)+1 {
		t.Errorf("%d GetObject in the audit log, want %d", n, len(want)+1)
	}
	head, err := admin.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String("data/big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, "big.bin")); err != nil || !info.ModTime().Equal(aws.ToTime(head.LastModified)) {
		t.Errorf("big.bin's time %v, want the object's %v (%v)", info.ModTime(), head.LastModified, err)
	}
	for _, strategy := range []transfer.Strategy{transfer.SizeAndTime, transfer.Checksum} {
		again := transfer.Options{PartSize: transfer.MinPartSize, Strategy: strategy}
		if sum, err := transfer.Sync(ctx, c, loc(t, "s3://src/data"), loc(t, dir), again); err != nil || sum.Copied != 0 || sum.Skipped != 2 {
			t.Errorf("re-sync (strategy %v): %+v, %v; want both unchanged", strategy, sum, err)
		}
	}
}

// TestDownloadRangedFailures: an object replaced during its download
// fails (the later ranges carry If-Match with the first one's ETag)
// instead of mixing two versions; a range whose body breaks off is read
// again; a cancelled download leaves no file, temporary or final.
func TestDownloadRangedFailures(t *testing.T) {
	ctx := context.Background()
	big := pattern(11<<20, 5) // 3 parts of 5 MiB
	opts := transfer.Options{PartSize: transfer.MinPartSize}

	t.Run("replaced", func(t *testing.T) {
		e := newEnv(t)
		admin := e.client(t, syncer)
		put(t, admin, "src", map[string][]byte{"d/big.bin": big})
		// The object is replaced once the first range was answered,
		// before a later range is sent.
		var replaceErr error
		replace := func(r *http.Request) {
			_, replaceErr = admin.PutObject(r.Context(), &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("d/big.bin"), Body: bytes.NewReader(pattern(11<<20, 6))})
		}
		gets := newRangedGets(nil, replace)
		c := e.client(t, syncer, func(o *s3.Options) { gets.next, o.HTTPClient = o.HTTPClient, gets })
		dir := t.TempDir()
		var rec recorder
		o := opts
		o.Report = rec.report
		sum, err := transfer.Sync(ctx, c, loc(t, "s3://src/d"), loc(t, dir), o)
		if replaceErr != nil {
			t.Fatalf("replacing the object: %v", replaceErr)
		}
		if err != nil || sum.Failed != 1 || len(rec.events) != 1 {
			t.Fatalf("Sync = %+v, %v; want one failed object", sum, err)
		}
		var api smithy.APIError
		if err := rec.events[0].Err; !errors.As(err, &api) || api.ErrorCode() != "PreconditionFailed" || !strings.Contains(err.Error(), "s3://src/d/big.bin changed during the sync (its ETag is no longer ") {
			t.Errorf("error %v, want PreconditionFailed saying that the object changed", err)
		}
		if files := localFiles(t, dir); len(files) != 0 {
			t.Errorf("the failed download left %q", files)
		}
	})

	t.Run("resized", func(t *testing.T) {
		e := newEnv(t)
		admin := e.client(t, syncer)
		put(t, admin, "src", map[string][]byte{"d/big.bin": big})
		// Replaced by a larger object after the listing, before the first
		// range.
		grow := &onFirstRange{do: func(r *http.Request) error {
			_, err := admin.PutObject(r.Context(), &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("d/big.bin"), Body: bytes.NewReader(pattern(12<<20, 6))})
			return err
		}}
		c := e.client(t, syncer, func(o *s3.Options) { grow.next, o.HTTPClient = o.HTTPClient, grow })
		dir := t.TempDir()
		var rec recorder
		o := opts
		o.Report = rec.report
		sum, err := transfer.Sync(ctx, c, loc(t, "s3://src/d"), loc(t, dir), o)
		if grow.err != nil {
			t.Fatalf("replacing the object: %v", grow.err)
		}
		if err != nil || sum.Failed != 1 || len(rec.events) != 1 {
			t.Fatalf("Sync = %+v, %v; want one failed object", sum, err)
		}
		if want := fmt.Sprintf("changed during the sync (listed %d bytes, now %d)", 11<<20, 12<<20); !strings.Contains(rec.events[0].Err.Error(), want) {
			t.Errorf("error %v, want %q", rec.events[0].Err, want)
		}
		if files := localFiles(t, dir); len(files) != 0 {
			t.Errorf("the failed download left %q", files)
		}
	})

	t.Run("broken range", func(t *testing.T) {
		e := newEnv(t)
		put(t, e.client(t, syncer), "src", map[string][]byte{"d/big.bin": big})
		flaky := &cutOnce{from: fmt.Sprint(5 << 20)}
		c := e.client(t, syncer, func(o *s3.Options) { flaky.inner, o.HTTPClient = o.HTTPClient, flaky })
		dir := t.TempDir()
		e.calls(t)
		if sum, err := transfer.Sync(ctx, c, loc(t, "s3://src/d"), loc(t, dir), opts); err != nil || sum.Copied != 1 {
			t.Fatalf("Sync = %+v, %v", sum, err)
		}
		if !flaky.cut {
			t.Fatal("no read was cut off: the test tests nothing")
		}
		if n := count(e.calls(t), "GetObject"); n != 3+1 {
			t.Errorf("%d GetObject, want 4 (three ranges, one read again)", n)
		}
		if got, err := os.ReadFile(filepath.Join(dir, "big.bin")); err != nil || !bytes.Equal(got, big) {
			t.Errorf("big.bin differs (%d bytes, %v)", len(got), err)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		e := newEnv(t)
		put(t, e.client(t, syncer), "src", map[string][]byte{"d/big.bin": big})
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// Ctrl-C once the first range was answered.
		gets := newRangedGets(nil, func(*http.Request) { cancel() })
		c := e.client(t, syncer, func(o *s3.Options) { gets.next, o.HTTPClient = o.HTTPClient, gets })
		dir := t.TempDir()
		if _, err := transfer.Sync(cctx, c, loc(t, "s3://src/d"), loc(t, dir), opts); !errors.Is(err, context.Canceled) {
			t.Fatalf("Sync: %v, want the cancellation", err)
		}
		if files := localFiles(t, dir); len(files) != 0 {
			t.Errorf("the cancelled download left %q", files)
		}
	})
}

// onFirstRange is an HTTP client that runs do once, before sending the
// first ranged GET that starts at byte 0.
type onFirstRange struct {
	next s3.HTTPClient
	do   func(*http.Request) error
	once sync.Once
	err  error
}

func (f *onFirstRange) Do(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasPrefix(r.Header.Get("Range"), "bytes=0-") {
		f.once.Do(func() { f.err = f.do(r) })
	}
	return f.next.Do(r)
}
