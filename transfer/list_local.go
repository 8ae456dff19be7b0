package transfer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrSourceMissing is the error of a source that does not exist: never
// taken as an empty source, so --delete cannot empty the destination
// because of a mistyped path (AWS CLI #1564).
var ErrSourceMissing = errors.New("does not exist")

// listLocal walks the directory root and yields its files in S3 key order
// (UTF-8 byte order of the relative path with "/" separators). A plain
// directory walk visits "a/b" before "a.b", which sorts first in byte order
// ('.' is 0x2E, '/' 0x2F); listLocal sorts each directory's entries by
// their name, with "/" appended to directories, which orders every key
// below a directory correctly against its siblings. Symbolic links are
// followed, as the AWS CLI follows them by default. Memory is one
// directory's entries per level.
func listLocal(root string) Listing {
	return func(yield func(Entry, error) bool) {
		info, err := os.Stat(root)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("%s: %w", root, ErrSourceMissing)
			}
			yield(Entry{}, err)
			return
		}
		if !info.IsDir() {
			yield(Entry{}, fmt.Errorf("%s is a file, not a directory", root))
			return
		}
		walkSorted(root, "", []fs.FileInfo{info}, yield)
	}
}

// walkSorted yields the files below dir (whose key prefix is prefix) in
// byte order; it returns false when yield asked to stop. ancestors are the
// directories from the root down to dir: a link back to one of them is
// skipped, or a link loop would be walked until the path grew too long.
func walkSorted(dir, prefix string, ancestors []fs.FileInfo, yield func(Entry, error) bool) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return yield(Entry{}, fmt.Errorf("listing %s: %w", dir, err))
	}
	type item struct {
		sortKey string
		name    string
		info    fs.FileInfo
	}
	items := make([]item, 0, len(entries))
	for _, e := range entries {
		info, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed during the walk, or a dangling link
			}
			return yield(Entry{}, fmt.Errorf("reading %s: %w", filepath.Join(dir, e.Name()), err))
		}
		it := item{sortKey: e.Name(), name: e.Name(), info: info}
		if info.IsDir() {
			it.sortKey += "/"
		} else if !info.Mode().IsRegular() {
			continue // sockets, devices, pipes: not files to copy
		}
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.sortKey, b.sortKey) })
	for _, it := range items {
		if it.info.IsDir() {
			if slices.ContainsFunc(ancestors, func(a fs.FileInfo) bool { return os.SameFile(a, it.info) }) {
				continue
			}
			if !walkSorted(filepath.Join(dir, it.name), prefix+it.name+"/", append(ancestors, it.info), yield) {
				return false
			}
			continue
		}
		if !yield(Entry{Key: prefix + it.name, Size: it.info.Size(), ModTime: it.info.ModTime()}, nil) {
			return false
		}
	}
	return true
}
