// Package transfer copies objects between a local directory and S3, or
// between two S3 locations, as `aws s3 sync` and `aws s3 cp` do: it is the
// engine behind `lockstep sync` and `lockstep cp` (docs/sync.md).
//
// Both sides are listed as streams in S3's key order (UTF-8 byte order):
// S3 with ListObjectsV2 pages, a local directory with a walk that yields
// its files in that same order ("a.b" before "a/b"). A merge-join of the two
// sorted streams decides per key whether to copy, skip or delete, with the
// AWS CLI's comparison rules (Strategy) and its --exclude/--include filters
// (Filters). Copies run in a bounded pool of workers while the listings go
// on. Memory does not grow with the object count or size: a listing holds
// one page, an upload's parts are read from the file as they are sent, a
// download streams to its file (a large one in parallel ranges, each
// written at its offset), and the keys to delete wait for the copies in
// memory up to 100,000 of them, then in a temporary file.
//
// Progress (Options.Progress) counts what the listings found to transfer
// and what is done, multipart objects part by part, for a progress line.
//
// Two credential sets (Options.SourceClient): the source is listed and
// read with its own client, the destination with the one given to Sync.
// A probe decides once whether S3 → S3 copies are server-side (the
// destination's credentials can read the source) or streamed through a
// pool of Workers part buffers (sides.go, stream.go). The preflight
// (Options.Preflight, preflight.go) proves the job's permissions before
// anything is transferred, with probes that leave nothing behind.
//
// Safety: a source that is missing or cannot be listed is an error, never
// an empty source; deletions run only after every copy succeeded, and never
// more than Options.MaxDelete of them. A cancelled context aborts the
// multipart uploads in flight before Sync returns, including one whose
// creation it interrupted (startMultipart).
package transfer
