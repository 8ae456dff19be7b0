package prove

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/plan"
)

// sourceObjectOptions are the tag and user metadata of every test object
// in an S3 source.
var sourceObjectOptions = emulator.ObjectOptions{
	Tags:     map[string]string{"lockstep-proof": "tagged"},
	Metadata: map[string]string{"lockstep-proof": "metadata"},
}

// testData is what the seed put in place: the source objects by relative
// name, and the destination-only names that a delete must remove.
type testData struct {
	files map[string][]byte
	extra []string
	// single is the size of the one object of a single-object command,
	// -1 for a directory command.
	single int64
	// stream is what the client wrote to standard output, for a download
	// to "-".
	stream []byte
	// excluded are source files the command's --exclude filters keep
	// out: they must not reach the destination.
	excluded []string
	// existing are the test objects the destination had from the start.
	existing []string
}

// isExisting reports whether a key names a test object the destination
// had from the start.
func (d *testData) isExisting(key string) bool {
	if d.single >= 0 {
		return len(d.existing) > 0
	}
	for _, name := range d.existing {
		if key == name || strings.HasSuffix(key, "/"+name) {
			return true
		}
	}
	return false
}

// sizeOf returns the size of the test object a key names.
func (d *testData) sizeOf(key string) (int64, bool) {
	if d.single >= 0 {
		return d.single, true
	}
	for name, b := range d.files {
		if key == name || strings.HasSuffix(key, "/"+name) {
			return int64(len(b)), true
		}
	}
	return 0, false
}

// sizes are the object sizes of the test data: 1 KiB, one byte below each
// threshold of the model (the multipart threshold, a copy's cutoff, as the
// command sets them) and the threshold itself, so that both sides of each
// are taken whatever the plan claims, and the smallest and largest sizes
// the command is planned for (Context.MinObjectSize and MaxObjectSize),
// never outside them.
func (pr *prover) sizes() []int64 {
	lo, hi := pr.p.Context.MinObjectSize, pr.p.Context.MaxObjectSize
	var out []int64
	add := func(n int64) {
		if n > 0 && n >= lo && (hi == 0 || n <= hi) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	add(1024)
	for _, t := range pr.p.Thresholds() {
		add(t - 1)
		add(t)
	}
	add(lo)
	add(hi)
	slices.Sort(out)
	return out
}

// seed writes the test data: into the source prefix or directory, and a
// destination-only object when the command deletes.
func (pr *prover) seed(ctx context.Context, srv *emulator.Server, work string, v variant) (*testData, error) {
	c := pr.p.Command
	d := &testData{files: map[string][]byte{}, single: -1}
	sizes, excluded, err := testNames(c, pr.sizes())
	if err != nil {
		return nil, err
	}
	if !c.Recursive {
		excluded = nil
		d.single = v.size
		// One object, with its own name.
		size := v.size
		name := c.Source.Key
		if !c.Source.IsS3() {
			name = c.Source.Local
		}
		sizes = map[string]int64{filepath.Base(name): size}
	}
	for _, name := range excluded {
		// Files the filters exclude: in the source, never copied.
		sizes[name] = 100
	}
	d.excluded = excluded
	for name, size := range sizes {
		b := make([]byte, size)
		rand.Read(b)
		if !slices.Contains(excluded, name) {
			d.files[name] = b
		}
		if c.Source.IsS3() {
			key := c.Source.Key + name
			if !c.Recursive {
				key = c.Source.Key
			}
			// Source objects carry a tag and user metadata, so that a
			// client that copies them (AWS CLI v2's --copy-props) takes
			// that path too.
			if err := srv.PutObject(ctx, c.Source.Bucket, key, bytes.NewReader(b), sourceObjectOptions); err != nil {
				return nil, fmt.Errorf("test data s3://%s/%s: %w", c.Source.Bucket, key, err)
			}
			continue
		}
		p := filepath.Join(work, localPath(localRoot(c.Source.Local)))
		if c.Recursive {
			p = filepath.Join(p, name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
	}
	if c.Has("delete") {
		const extra = "lockstep-destination-only.txt"
		d.extra = append(d.extra, extra)
		if c.Dest.IsS3() {
			if err := srv.PutObject(ctx, c.Dest.Bucket, c.Dest.Key+extra, strings.NewReader("only in the destination")); err != nil {
				return nil, err
			}
		} else {
			p := filepath.Join(work, localPath(c.Dest.Local), extra)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte("only in the destination"), 0o644); err != nil {
				return nil, err
			}
		}
	}
	hasDest := c.Dest != (plan.Location{})
	switch {
	case hasDest && c.Verb == "check":
		// A command that compares and copies nothing: the destination has
		// every object already.
		if err := pr.seedExisting(ctx, srv, work, d, slices.Sorted(maps.Keys(d.files))); err != nil {
			return nil, err
		}
	case hasDest && !c.Recursive && v.existing:
		// The destination has the one object already.
		if err := pr.seedExisting(ctx, srv, work, d, slices.Collect(maps.Keys(d.files))); err != nil {
			return nil, err
		}
	case hasDest && c.Recursive && (c.Verb == "sync" || c.Client == plan.Rclone || comparing(c)):
		// One object is in the destination already, the same as in the
		// source, so that the path where the client compares and skips
		// is taken too; the others are copied.
		if err := pr.seedExisting(ctx, srv, work, d, pr.existingNames(d)); err != nil {
			return nil, err
		}
	}
	if !c.Source.IsS3() || c.Dest.IsS3() {
		return d, nil
	}
	return d, os.MkdirAll(filepath.Join(work, localPath(c.Dest.Local)), 0o755)
}

// comparing reports whether the command compares with the destination
// before it copies (sizes, checksums, times, no-clobber).
func comparing(c *plan.Command) bool {
	for _, f := range []string{"size-only", "checksum", "no-clobber", "if-size-differ", "if-source-newer", "exact-timestamps", "update"} {
		if c.Has(f) {
			return true
		}
	}
	return false
}

// existingNames are the test objects a command's destination has from
// the start: the smallest, and the largest too when the plan has a call
// for large objects the destination has (an update in place in parts)
// and another large object is left to be copied.
func (pr *prover) existingNames(d *testData) []string {
	names := slices.Sorted(maps.Keys(d.files))
	if len(names) == 0 {
		return nil
	}
	slices.SortStableFunc(names, func(a, b string) int { return len(d.files[a]) - len(d.files[b]) })
	out := names[:1]
	for _, c := range pr.p.Calls {
		large := 0
		for _, n := range names {
			if int64(len(d.files[n])) >= c.Threshold {
				large++
			}
		}
		if c.Existing && c.Size == "large" && large > 1 {
			return append(out, names[len(names)-1])
		}
	}
	return out
}

// existingObjectOptions are those of a test object in an S3 destination
// from the start: an old modification time in rclone's metadata
// (X-Amz-Meta-Mtime; the other clients compare LastModified), so that a
// client comparing times sees them differ whichever second the data was
// seeded in, and takes the same path every run. They carry a tag, as the
// source objects do, so that a client that copies them onto themselves
// (rclone's modification-time update) takes over tags, which needs the
// tag permissions (docs/decisions.md #56).
var existingObjectOptions = emulator.ObjectOptions{Metadata: map[string]string{"mtime": "1000000000"}, Tags: sourceObjectOptions.Tags}

// seedExisting puts copies of test objects in the destination.
func (pr *prover) seedExisting(ctx context.Context, srv *emulator.Server, work string, d *testData, names []string) error {
	c := pr.p.Command
	if c.Dest.Local == "-" {
		return nil
	}
	for _, name := range names {
		d.existing = append(d.existing, name)
		key, p := c.Dest.Key+name, filepath.Join(work, localPath(c.Dest.Local), name)
		if !c.Recursive {
			// A single object: the destination names it.
			key, p = c.Dest.Key, filepath.Join(work, localPath(c.Dest.Local))
		}
		if c.Dest.IsS3() {
			opts := existingObjectOptions
			// A call made only for objects whose ETag is their MD5 needs
			// one that is not SSE-KMS, whatever the bucket's default.
			opts.SSES3 = slices.ContainsFunc(pr.p.Calls, func(c plan.Call) bool { return c.Existing && c.MD5ETag })
			if err := srv.PutObject(ctx, c.Dest.Bucket, key, bytes.NewReader(d.files[name]), opts); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, d.files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// localRoot is the directory a local source names: the path itself, or,
// for a wildcard pattern (s5cmd's dir/*), the directory before the first
// wildcard.
func localRoot(p string) string {
	i := strings.IndexAny(p, "*?[")
	if i < 0 {
		return p
	}
	return p[:strings.LastIndexByte(p[:i], '/')+1]
}

// localPath maps a local path of the command into the proof's working
// directory: absolute paths are re-rooted there, so that a proof never
// reads or writes the user's files.
func localPath(p string) string {
	return strings.TrimPrefix(filepath.Clean("/"+p), "/")
}
