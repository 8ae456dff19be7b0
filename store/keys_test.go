package store

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestHostileKeys stores keys that would escape or break a naive
// key-to-path mapping and checks that they round-trip, list exactly, and
// leave only files of the store's own naming inside its directory.
func TestHostileKeys(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	dir := filepath.Join(parent, "data")
	s, err := Open(ctx, dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustBucket(t, s, "b")

	keys := []string{
		"../../../../etc/passwd",
		"..",
		".",
		"../",
		"a/../../b",
		"//double//slash//",
		"/leading",
		"trailing/",
		"/",
		`back\slash\..\..\x`,
		"nul\x00byte",
		"\x00",
		"tab\tnewline\ncr\r",
		"ünïcödé/日本語/🙂",
		"\u202eright-to-left",
		"space ",
		" ",
		"%2e%2e%2f",
		"CON", "aux.txt", "nul", // Windows device names
		"UPPER", "upper", // case-insensitive file systems
		strings.Repeat("a", MaxKeyLen),
		strings.Repeat("/", MaxKeyLen),
		strings.Repeat("é", MaxKeyLen/2),
		strings.Repeat("../", MaxKeyLen/3),
		strings.Repeat("x/", 300),
		"\uffff",
		"\U0010ffff",
	}
	for _, k := range keys {
		mustPut(t, s, "b", k, []byte("value of "+k), nil)
	}
	for _, k := range keys {
		if got := mustGet(t, s, "b", k, nil); string(got) != "value of "+k {
			t.Errorf("key %q reads %q", k, got)
		}
	}
	res, err := s.ListObjects(ctx, "b", ListOptions{MaxKeys: -1})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, o := range res.Objects {
		listed = append(listed, o.Key)
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("listed %q\nwant %q", listed, want)
	}

	// Nothing outside the data directory; inside it only the store's names.
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Fatalf("files appeared next to the data directory: %v", ents)
	}
	allowed := regexp.MustCompile(`^(FORMAT|LOCK|tmp|buckets|buckets/b|buckets/b/(bucket\.json|objects|data|uploads)|` +
		`buckets/b/objects/[0-9a-f]{2}(/[0-9a-f]{64})?|buckets/b/data/[0-9a-f]{2}(/[0-9a-f]{32})?)$`)
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, path)
		if rel != "." && !allowed.MatchString(filepath.ToSlash(rel)) {
			t.Errorf("unexpected file %s", rel)
		}
		return nil
	})

	s = reopen(t, s)
	for _, k := range keys {
		if got := mustGet(t, s, "b", k, nil); string(got) != "value of "+k {
			t.Errorf("after reopen key %q reads %q", k, got)
		}
	}
	for _, k := range keys {
		if existed, err := s.Delete(ctx, "b", k); !existed || err != nil {
			t.Errorf("Delete(%q) = %v, %v", k, existed, err)
		}
	}
}

func TestInvalidKeys(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	for name, k := range map[string]string{
		"empty":          "",
		"too long":       strings.Repeat("a", MaxKeyLen+1),
		"too long UTF-8": strings.Repeat("é", MaxKeyLen/2+1),
		"bad UTF-8":      "a\xffb",
		"lone surrogate": "\xed\xa0\x80",
		"truncated rune": "\xe6\x97",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Put(ctx, "b", k, strings.NewReader("x"), ObjectMeta{}, nil)
			isErr(t, err, ErrInvalidKey)
			_, _, err = s.Get(ctx, "b", k, nil)
			isErr(t, err, ErrInvalidKey)
			_, err = s.Delete(ctx, "b", k)
			isErr(t, err, ErrInvalidKey)
			_, err = s.CreateUpload(ctx, "b", k, ObjectMeta{}, "", nil)
			isErr(t, err, ErrInvalidKey)
			_, err = s.Copy(ctx, "b", "x", "b", k, ObjectMeta{}, nil, nil)
			isErr(t, err, ErrInvalidKey)
		})
	}
}
