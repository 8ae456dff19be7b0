package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrUsage marks an error in what was asked (the locations, the options),
// found before any object was touched.
var ErrUsage = errors.New("usage")

// job is one Sync or CopyTree run.
type job struct {
	// client lists and writes the destination (and, for an upload or a
	// server-side copy, does all the writing); source lists and reads
	// the source. They are one client unless Options.SourceClient is set.
	client, source *s3.Client
	// streamed is set when S3 → S3 copies stream through lockstep
	// (stream.go) instead of copying server-side; buffers then holds
	// their part buffers.
	streamed bool
	buffers  *bufferPool
	opts     Options
	write    writeParams
	// partSlots bounds the part requests in flight across the job.
	partSlots chan struct{}
	// srcFirstPage and dstFirstPage are the first ListObjectsV2 pages of
	// the source and the destination when the preflight fetched them: the
	// job's listings go on from them, so that each side is listed once.
	srcFirstPage, dstFirstPage *s3.ListObjectsV2Output
	src, dst                   Location
	dir                        Direction
	// adaptParts is set when Options.PartSize was left zero: the parts of
	// uploads and server-side copies then adapt to the object's size
	// (writePartSize).
	adaptParts bool

	mu      sync.Mutex // guards summary and serializes Report
	summary Summary
}

func newJob(client *s3.Client, src, dst Location, opts Options) (*job, error) {
	adaptParts := opts.PartSize == 0
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	var dir Direction
	switch {
	case !src.IsS3() && dst.IsS3():
		dir = Upload
	case src.IsS3() && !dst.IsS3():
		dir = Download
	case src.IsS3() && dst.IsS3():
		dir = Copy
	default:
		return nil, fmt.Errorf("%w: %s and %s are both local paths: one side must be s3://bucket[/prefix]", ErrUsage, src, dst)
	}
	source := client
	if opts.SourceClient != nil {
		source = opts.SourceClient
	}
	return &job{
		client: client, source: source, opts: opts, write: newWriteParams(opts),
		partSlots: make(chan struct{}, opts.Workers),
		src:       src, dst: dst, dir: dir, adaptParts: adaptParts,
	}, nil
}

// Sync makes dst hold what src holds, as `aws s3 sync` does: every source
// object missing at the destination or different by opts.Strategy is
// copied, and with opts.Delete every destination object the source lacks
// is deleted once every copy succeeded. Per-object failures are reported
// and counted in Summary.Failed; the error is for the job as a whole (a
// listing that failed, deletions refused, a cancelled context).
func Sync(ctx context.Context, client *s3.Client, src, dst Location, opts Options) (Summary, error) {
	j, err := newJob(client, src, dst, opts)
	if err != nil {
		return Summary{}, err
	}
	start := time.Now()
	err = j.run(ctx)
	j.summary.Duration = time.Since(start)
	return j.summary, err
}

// run is Sync; the job's summary holds the counts.
func (j *job) run(ctx context.Context) error {
	// A local source is checked before any S3 call: a missing directory
	// is an error, never an empty source.
	if !j.src.IsS3() {
		if _, err := os.Stat(j.src.Local); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the source %s %w: nothing copied, nothing deleted", j.src.Local, ErrSourceMissing)
		}
	}
	if err := j.prepare(ctx, nil, j.dst.dirPrefix()); err != nil {
		return err
	}
	srcList := j.listing(ctx, j.src, true)
	dstList := j.listing(ctx, j.dst, false)

	work := make(chan Decision)
	var wg sync.WaitGroup
	for range j.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				if j.unchanged(ctx, d) {
					continue
				}
				j.transfer(ctx, d.Src)
			}
		}()
	}
	deletes := newPendingDeletes(spillAfter)
	defer deletes.close()
	var listErr error
	sourceCount := 0
	for d, err := range mergeJoin(srcList, dstList, j.opts.Filters, j.decide) {
		if err != nil {
			listErr = err
			break
		}
		if d.Action != ActDelete {
			sourceCount++
		}
		switch d.Action {
		case ActSkip:
			j.mu.Lock()
			j.summary.Skipped++
			j.mu.Unlock()
		case ActDelete:
			if j.opts.Delete {
				if err := deletes.add(d.Dst); err != nil {
					listErr = err
				}
			}
		case ActCopy:
			if j.dir == Download && strings.HasSuffix(d.Src.Key, "/") {
				// A "folder" marker object: the directory is made by the
				// files below it.
				j.mu.Lock()
				j.summary.Skipped++
				j.mu.Unlock()
				continue
			}
			if j.opts.DryRun {
				if j.unchanged(ctx, d) {
					continue
				}
				j.report(Event{Op: string(j.dir), Source: j.src.display(d.Src.Key), Dest: j.dst.display(d.Src.Key), Size: d.Src.Size, DryRun: true})
				continue
			}
			j.opts.Progress.found(d.Src.Size)
			select {
			case work <- d:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil || listErr != nil {
			break
		}
	}
	if ctx.Err() == nil && listErr == nil {
		j.opts.Progress.listingDone()
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w (multipart uploads in flight were aborted; nothing deleted)", err)
	}
	if listErr != nil {
		j.refuseDeletes(deletes.len(), "a listing failed")
		return listErr
	}
	return j.deleteAll(ctx, deletes, sourceCount)
}

// listing lists one side. A destination that does not exist yet is empty;
// a source that does not exist is an error (ErrSourceMissing).
func (j *job) listing(ctx context.Context, l Location, source bool) Listing {
	if !source && j.opts.Strategy == Always {
		// cp --recursive copies everything: no destination listing (and
		// no s3:ListBucket on it), as the AWS CLI's cp.
		return func(func(Entry, error) bool) {}
	}
	if l.IsS3() {
		first := j.dstFirstPage
		if source {
			first = j.srcFirstPage
		}
		return listS3(ctx, j.clientFor(source), l.Bucket, l.dirPrefix(), first)
	}
	if !source {
		if _, err := os.Stat(l.Local); errors.Is(err, fs.ErrNotExist) {
			return func(func(Entry, error) bool) {}
		}
	}
	return listLocal(l.Local)
}

// decide is the strategy applied to a key both sides have.
func (j *job) decide(src, dst Entry) bool {
	return j.opts.Strategy.ShouldCopy(j.dir, src.Size, dst.Size, src.ModTime, dst.ModTime)
}

// transfer copies one source entry to the destination and reports it.
func (j *job) transfer(ctx context.Context, e Entry) {
	start := time.Now()
	from, to := j.src.join(e.Key), j.dst.join(e.Key)
	var n int64
	var err error
	if j.dir == Download && !filepath.IsLocal(filepath.FromSlash(e.Key)) {
		// A key such as "../../.bashrc" must not write outside DST.
		err = fmt.Errorf("the key %q would be written outside %s: not downloaded", e.Key, j.dst.Local)
		j.opts.Progress.objectDone(e.Size, 0, true)
	} else {
		n, err = j.copyEntry(ctx, from, to, e)
	}
	if ctx.Err() != nil && err != nil {
		// Interrupted: the job reports the interruption once.
		return
	}
	j.report(Event{Op: string(j.dir), Source: j.src.display(e.Key), Dest: j.dst.display(e.Key), Size: n, Err: err, Duration: time.Since(start)})
}

// copyEntry copies the entry e of from to to, the way the job's
// direction and copy path say, and counts it in the job's Progress (its
// parts as they complete, through the context's objectMeter). Sync and
// CopyOne share it.
func (j *job) copyEntry(ctx context.Context, from, to Location, e Entry) (int64, error) {
	meter := &objectMeter{progress: j.opts.Progress}
	ctx = withMeter(ctx, meter)
	var n int64
	var err error
	switch {
	case j.dir == Upload:
		n, err = j.upload(ctx, from.Local, to.Bucket, to.Key)
	case j.dir == Download:
		n, err = j.download(ctx, from.Bucket, from.Key, to.Local, e.Size, e.ModTime)
	case j.streamed:
		n, err = j.streamCopy(ctx, from.Bucket, from.Key, to.Bucket, to.Key, e.Size)
	default:
		n, err = j.copyObject(ctx, from.Bucket, from.Key, to.Bucket, to.Key, e.Size)
	}
	if ctx.Err() == nil || err == nil {
		j.opts.Progress.objectDone(e.Size, meter.total(), err != nil)
	}
	return n, err
}

// report counts an event and passes it on.
func (j *job) report(e Event) {
	if e.Op == "delete" && !e.DryRun {
		j.opts.Progress.deletion(e.Err != nil)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case e.Err != nil:
		j.summary.Failed++
	case e.DryRun && e.Op == "delete":
		j.summary.WouldDelete++
	case e.DryRun:
		j.summary.WouldCopy++
	case e.Op == "delete":
		j.summary.Deleted++
	default:
		j.summary.Copied++
		j.summary.Bytes += e.Size
	}
	j.opts.Report(e)
}

func (j *job) refuseDeletes(n int, why string) {
	if n > 0 {
		j.summary.DeletesRefused, j.summary.DeleteRefusal = n, why
	}
}
