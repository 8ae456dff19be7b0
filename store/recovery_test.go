package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenSweepsGarbage plants what interrupted writes leave behind and
// checks that Open deletes it and nothing else.
func TestOpenSweepsGarbage(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	mustPut(t, s, "b", "keep", []byte("kept"), nil)
	dir := s.Dir()
	s.Close()

	bdir := filepath.Join(dir, bucketsDir, "b")
	orphan := filepath.Join(bdir, dataDir, "ab", strings.Repeat("ab", 16))
	planted := map[string]bool{
		orphan: false, // an unreferenced blob: deleted
		filepath.Join(dir, tmpDirName, "half-written-record"): false,
		filepath.Join(dir, tmpDirName, "dir", "x"):            false,
		filepath.Join(bdir, objectsDir, "zz", "notes.txt"):    true, // not ours: left alone
		filepath.Join(bdir, dataDir, "ab", "README"):          true,
	}
	for p := range planted {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for p, survives := range planted {
		_, err := os.Stat(p)
		if (err == nil) != survives {
			t.Errorf("%s: exists=%v, want %v", p, err == nil, survives)
		}
	}
	if got := mustGet(t, s, "b", "keep", nil); string(got) != "kept" {
		t.Fatalf("object damaged: %q", got)
	}
}

// TestOpenReportsCorruption checks that damage no crash can cause makes
// Open fail instead of silently dropping objects.
func TestOpenReportsCorruption(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, s *Store)
		want   string
	}{
		{"corrupt record", func(t *testing.T, s *Store) {
			writeFile(recordFile(t, s), "{not json")
		}, "corrupt object record"},
		{"record under another key's name", func(t *testing.T, s *Store) {
			objects := filepath.Dir(filepath.Dir(recordFile(t, s)))
			os.MkdirAll(filepath.Join(objects, "00"), 0o700)
			os.Rename(recordFile(t, s), filepath.Join(objects, "00", strings.Repeat("0", 64)))
		}, "which is not its name"},
		{"missing data file", func(t *testing.T, s *Store) {
			for _, f := range blobFiles(t, s, "b") {
				os.Remove(f)
			}
		}, "is missing"},
		{"unknown format", func(t *testing.T, s *Store) {
			writeFile(filepath.Join(s.Dir(), formatFile), "lockstep-store 99\n")
		}, "unknown format"},
		{"corrupt bucket", func(t *testing.T, s *Store) {
			writeFile(filepath.Join(s.Dir(), bucketsDir, "b", bucketFile), "")
		}, "corrupt bucket.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, Options{NoSync: true})
			s.inlineMax = 0 // a data file, for "missing data file"
			mustBucket(t, s, "b")
			mustPut(t, s, "b", "k", []byte("data"), nil)
			s.Close()
			tc.damage(t, s)
			_, err := Open(ctx, s.Dir(), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// recordFile returns the path of the record of key "k" in bucket "b".
func recordFile(t *testing.T, s *Store) string {
	t.Helper()
	name := keyName("k")
	return filepath.Join(s.Dir(), bucketsDir, "b", objectsDir, name[:2], name)
}
