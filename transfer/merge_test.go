package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func listingOf(keys ...string) Listing {
	return func(yield func(Entry, error) bool) {
		for _, k := range keys {
			if !yield(Entry{Key: k, Size: int64(len(k))}, nil) {
				return
			}
		}
	}
}

func TestMergeJoin(t *testing.T) {
	sameSizeIsSame := func(s, d Entry) bool { return s.Size != d.Size }
	tests := []struct {
		name     string
		src, dst Listing
		filters  Filters
		want     []string // action:key
		wantErr  string
	}{
		{
			name: "copy, skip, delete interleaved",
			src:  listingOf("a", "b", "d"),
			dst:  listingOf("b", "c", "e"),
			want: []string{"copy:a", "skip:b", "delete:c", "copy:d", "delete:e"},
		},
		{
			name: "byte order: a-b, a.b, a/b",
			src:  listingOf("a-b", "a.b", "a/b"),
			dst:  listingOf("a.b", "a/b", "a0"),
			want: []string{"copy:a-b", "skip:a.b", "skip:a/b", "delete:a0"},
		},
		{
			name: "empty source deletes every destination key",
			src:  listingOf(),
			dst:  listingOf("x", "y"),
			want: []string{"delete:x", "delete:y"},
		},
		{
			name:    "an excluded destination key is not deleted",
			src:     listingOf("a.txt"),
			dst:     listingOf("a.txt", "keep.log", "old.txt"),
			filters: Filters{{Exclude: true, Pattern: "*.log"}},
			want:    []string{"skip:a.txt", "delete:old.txt"},
		},
		{
			name:    "a listing out of order is an error",
			src:     listingOf("b", "a"),
			dst:     listingOf(),
			want:    []string{"copy:b"},
			wantErr: "out of order",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var gotErr error
			for d, err := range mergeJoin(tt.src, tt.dst, tt.filters, sameSizeIsSame) {
				if err != nil {
					gotErr = err
					break
				}
				key := d.Src.Key
				if d.Action == ActDelete {
					key = d.Dst.Key
				}
				got = append(got, []string{"copy", "skip", "delete"}[d.Action]+":"+key)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("decisions %q, want %q", got, tt.want)
			}
			if (gotErr == nil) != (tt.wantErr == "") || (gotErr != nil && !strings.Contains(gotErr.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", gotErr, tt.wantErr)
			}
		})
	}
}

// A local walk yields keys in S3's byte order, which a plain directory
// walk does not: "a/b" after "a.b" and "a-b", "a0" after "a/".
func TestListLocalByteOrder(t *testing.T) {
	dir := t.TempDir()
	files := []string{"a/b", "a/c/d", "a.b", "a-b", "a0", "B", "é", "z/y/x"}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for e, err := range listLocal(dir) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Size != int64(len(e.Key)) || e.ModTime.Before(time.Now().Add(-time.Hour)) {
			t.Errorf("%s: size %d, time %v", e.Key, e.Size, e.ModTime)
		}
		got = append(got, e.Key)
	}
	want := slices.Clone(files)
	slices.Sort(want) // Go's string order is byte order
	if !slices.Equal(got, want) {
		t.Errorf("walk order %q, want %q", got, want)
	}
}

func TestListLocalMissing(t *testing.T) {
	for _, err := range listLocal(filepath.Join(t.TempDir(), "nope")) {
		if !errors.Is(err, ErrSourceMissing) {
			t.Errorf("error %v, want ErrSourceMissing", err)
		}
		return
	}
	t.Error("a missing directory listed as empty")
}

// Symbolic links are followed, but a link back to a directory being walked
// is not (it would loop).
func TestListLocalLinks(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"d/f", "other/g"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"d/loop": "..", "d/self": ".", "d/to-other": "../other", "d/g-link": "../other/g"}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for e, err := range listLocal(filepath.Join(dir, "d")) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Key)
	}
	if want := []string{"f", "g-link", "loop/other/g", "to-other/g"}; !slices.Equal(got, want) {
		t.Errorf("listed %q, want %q", got, want)
	}
}
