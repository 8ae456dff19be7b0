package transfer

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Sizes S3 sets for multipart uploads
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html):
// parts of 5 MiB to 5 GiB, the last one smaller, at most 10,000 of them;
// CopyObject copies objects of up to 5 GiB.
const (
	MinPartSize      = 5 << 20
	MaxPartSize      = 5 << 30
	MaxParts         = 10000
	MaxCopyObject    = 5 << 30
	DefaultPartSize  = 8 << 20
	DefaultWorkers   = 32
	defaultThreshold = 8 << 20
)

// Options configure a transfer. The zero value is `aws s3 sync` without
// flags.
type Options struct {
	// Strategy decides which objects present on both sides are copied.
	Strategy Strategy
	// Filters are the --exclude/--include patterns.
	Filters Filters
	// Delete removes destination objects the source lacks (--delete).
	Delete bool
	// MaxDelete refuses every deletion when more than MaxDelete would run
	// (--max-delete); negative means no limit.
	MaxDelete int
	// DryRun reports what would be done and calls nothing but listings.
	DryRun bool
	// Workers is the number of objects transferred at once, and of parts
	// in flight (DefaultWorkers when zero).
	Workers int
	// PartSize is the multipart part size. Zero: DefaultPartSize, grown
	// for the uploads and server-side copies of large objects so that
	// their parts fill the Workers slots in one wave (writePartSize).
	PartSize int64
	// MultipartThreshold is the size from which uploads and S3 copies
	// are multipart (the AWS CLI's 8 MiB when zero). Copies of more than
	// 5 GiB are always multipart.
	MultipartThreshold int64
	// SSE ("AES256", "aws:kms", "aws:kms:dsse"), SSEKMSKeyID, ACL and
	// StorageClass are passed to every write, as the AWS CLI's --sse,
	// --sse-kms-key-id, --acl and --storage-class.
	SSE, SSEKMSKeyID, ACL, StorageClass string
	// Report receives one event per object decided (copied, deleted,
	// failed, or would be with DryRun). It is called from one goroutine
	// at a time.
	Report func(Event)
	// Progress, when set, is kept up to date while the job runs, for a
	// progress display (progress.go): the objects and bytes the
	// listings found to transfer so far, and those done, a multipart
	// object's part by part. Nothing is counted with DryRun.
	Progress *Progress
	// SourceClient, when set, reads the source (its listing, downloads,
	// streamed copies) with credentials of its own, --source-profile's;
	// the client given to Sync then lists and writes the destination.
	// Nil: one client does both (sides.go).
	SourceClient *s3.Client
	// Preflight proves the job's permissions with harmless probes before
	// anything is transferred (preflight.go); with DryRun, the read
	// probes only.
	Preflight bool
	// Notice receives the lines about the job as a whole: the copy path
	// chosen, what the preflight proved and what it cannot probe; and
	// warnings ("warning: ..."), such as --checksum comparing a key by
	// size alone.
	Notice func(string)
}

// Event is the outcome of one object.
type Event struct {
	// Op is "upload", "download", "copy" or "delete".
	Op string
	// Source and Dest name the object as output lines print them; Source
	// is empty for a delete.
	Source, Dest string
	Size         int64
	DryRun       bool
	// Err is the object's failure; nil on success.
	Err      error
	Duration time.Duration
}

// Summary counts the outcome of a transfer.
type Summary struct {
	Copied, Skipped, Deleted, Failed int
	Bytes                            int64
	// WouldCopy and WouldDelete count what a DryRun would have done.
	WouldCopy, WouldDelete int
	// DeletesRefused is the number of deletions not run, and DeleteRefusal
	// why (failures, --max-delete, an empty source).
	DeletesRefused int
	DeleteRefusal  string
	Duration       time.Duration
	// CopyPath is how an S3 → S3 job copies: CopyServerSide or
	// CopyStreamed; empty for uploads and downloads.
	CopyPath string
}

func (o Options) withDefaults() (Options, error) {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < MinPartSize || o.PartSize > MaxPartSize {
		return o, fmt.Errorf("part size %d: S3 takes parts of 5 MiB to 5 GiB", o.PartSize)
	}
	if o.MultipartThreshold <= 0 {
		o.MultipartThreshold = defaultThreshold
	}
	if o.SSEKMSKeyID != "" && o.SSE != "aws:kms" && o.SSE != "aws:kms:dsse" {
		return o, fmt.Errorf("--sse-kms-key-id needs --sse aws:kms (or aws:kms:dsse)")
	}
	if err := o.Filters.Validate(); err != nil {
		return o, err
	}
	if o.DryRun {
		o.Progress = nil
	}
	if o.Report == nil {
		o.Report = func(Event) {}
	}
	if o.Notice == nil {
		o.Notice = func(string) {}
	}
	return o, nil
}

// maxSpreadPartSize bounds the parts spreadPartSize makes: a part that
// fails is sent again whole.
const maxSpreadPartSize = 64 << 20

// writePartSize is the part size of an upload or a server-side copy of
// size bytes: spreadPartSize's when Options.PartSize was left zero, else
// the configured size (grown to fit MaxParts parts).
func (j *job) writePartSize(size int64) int64 {
	if j.adaptParts {
		return spreadPartSize(size, j.opts.PartSize, j.opts.Workers)
	}
	return partSizeFor(size, j.opts.PartSize)
}

// spreadPartSize is the part size of an upload or a server-side copy of
// size bytes, whose parts hold no buffer (an upload's part is read from
// its file, a copy's never passes through lockstep): the configured part
// size, grown so that the object's parts fill the workers' slots in one
// wave, up to 64 MiB (a 1 GiB object: 32 parts of 32 MiB with 32
// workers), rounded up to a MiB; then grown to fit MaxParts parts. Fewer,
// larger parts make fewer requests for the same parallelism. A streamed
// copy's parts are buffers of the pool: they keep partSizeFor's size.
func spreadPartSize(size, partSize int64, workers int) int64 {
	const mib = 1 << 20
	spread := (size + int64(workers) - 1) / int64(workers)
	spread = (spread + mib - 1) / mib * mib
	return partSizeFor(size, max(partSize, min(spread, maxSpreadPartSize)))
}

// partSizeFor is the part size for an object of size bytes: the configured
// size, grown so that the object fits in MaxParts parts.
func partSizeFor(size, partSize int64) int64 {
	if min := (size + MaxParts - 1) / MaxParts; partSize < min {
		return min
	}
	return partSize
}
