package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// refList is the reference listing: a linear scan of the sorted keys,
// written from S3's documentation, independent of the B-tree walk.
func refList(keys []string, o ListOptions) (items []string, truncated bool) {
	max := o.MaxKeys
	if max < 0 {
		max = 1000
	}
	afterIsPrefix := false
	if o.Delimiter != "" && strings.HasPrefix(o.After, o.Prefix) {
		rest := o.After[len(o.Prefix):]
		i := strings.Index(rest, o.Delimiter)
		afterIsPrefix = i >= 0 && i+len(o.Delimiter) == len(rest)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, o.Prefix) || k <= o.After {
			continue
		}
		if afterIsPrefix && strings.HasPrefix(k, o.After) {
			continue
		}
		item := k
		if o.Delimiter != "" {
			if i := strings.Index(k[len(o.Prefix):], o.Delimiter); i >= 0 {
				item = "CP:" + k[:len(o.Prefix)+i+len(o.Delimiter)]
			}
		}
		if len(items) > 0 && items[len(items)-1] == item {
			continue
		}
		items = append(items, item)
	}
	if max == 0 {
		return nil, false // S3: max-keys=0 is an empty page, not truncated
	}
	if len(items) > max {
		return items[:max], true
	}
	return items, false
}

// flatten merges a page's keys and common prefixes in S3 order.
func flatten(res ListResult) []string {
	var out []string
	for _, o := range res.Objects {
		out = append(out, o.Key)
	}
	for _, p := range res.CommonPrefixes {
		out = append(out, "CP:"+p)
	}
	slices.SortFunc(out, func(a, b string) int {
		return strings.Compare(strings.TrimPrefix(a, "CP:"), strings.TrimPrefix(b, "CP:"))
	})
	return out
}

func TestListAgainstReference(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []string{"a", "b", "/", "-", "é", "ab", "\x00", "z"}
	set := map[string]bool{}
	for len(set) < 600 {
		var sb strings.Builder
		for range 1 + rng.IntN(7) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		set[sb.String()] = true
	}
	var keys []string
	for k := range set {
		keys = append(keys, k)
		mustPut(t, s, "b", k, nil, nil)
	}
	slices.Sort(keys)

	prefixes := []string{"", "a", "a/", "b-", "é", "ab", "zz", "/"}
	delims := []string{"", "/", "-", "ab", "é", "\x00"}
	afters := []string{"", "a", "a/", "b", "é/", "\U0010ffff"}
	for range 20 {
		afters = append(afters, keys[rng.IntN(len(keys))])
	}
	for _, prefix := range prefixes {
		for _, delim := range delims {
			for _, after := range afters {
				for _, max := range []int{-1, 0, 1, 2, 7, 1000} {
					o := ListOptions{Prefix: prefix, Delimiter: delim, After: after, MaxKeys: max}
					res, err := s.ListObjects(ctx, "b", o)
					if err != nil {
						t.Fatal(err)
					}
					want, trunc := refList(keys, o)
					got := flatten(res)
					if !slices.Equal(got, want) || res.IsTruncated != trunc {
						t.Fatalf("%+v:\n got %q truncated=%v\nwant %q truncated=%v", o, got, res.IsTruncated, want, trunc)
					}
					if trunc != (res.NextMarker != "") {
						t.Fatalf("%+v: NextMarker %q with truncated=%v", o, res.NextMarker, trunc)
					}
					if trunc && "CP:"+res.NextMarker != want[len(want)-1] && res.NextMarker != want[len(want)-1] {
						t.Fatalf("%+v: NextMarker %q is not the last item %q", o, res.NextMarker, want[len(want)-1])
					}
				}
			}
			// Paging through with NextMarker gives the whole listing, once.
			for _, page := range []int{1, 3, 50} {
				all, _ := refList(keys, ListOptions{Prefix: prefix, Delimiter: delim, MaxKeys: len(keys) + 1})
				var got []string
				after := ""
				for n := 0; ; n++ {
					res, err := s.ListObjects(ctx, "b", ListOptions{Prefix: prefix, Delimiter: delim, After: after, MaxKeys: page})
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, flatten(res)...)
					if !res.IsTruncated {
						break
					}
					after = res.NextMarker
					if n > len(keys) {
						t.Fatal("paging does not end")
					}
				}
				if !slices.Equal(got, all) {
					t.Fatalf("prefix %q delim %q page %d: paged listing\n got %q\nwant %q", prefix, delim, page, got, all)
				}
			}
		}
	}
}

// TestListS3Examples checks cases from S3's documentation and the
// compatibility suites' well-known examples.
func TestListS3Examples(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	for _, k := range []string{"asdf", "boo/bar", "boo/baz/xyzzy", "cquux/thud", "cquux/bla"} {
		mustPut(t, s, "b", k, nil, nil)
	}
	for _, tc := range []struct {
		o         ListOptions
		want      string
		truncated bool
	}{
		{ListOptions{Delimiter: "/", MaxKeys: -1}, "asdf CP:boo/ CP:cquux/", false},
		{ListOptions{Delimiter: "/", MaxKeys: 1}, "asdf", true},
		{ListOptions{Delimiter: "/", After: "asdf", MaxKeys: 1}, "CP:boo/", true},
		{ListOptions{Delimiter: "/", After: "boo/", MaxKeys: 1}, "CP:cquux/", false},
		{ListOptions{Delimiter: "/", Prefix: "boo/", MaxKeys: -1}, "boo/bar CP:boo/baz/", false},
		{ListOptions{Prefix: "boo/", MaxKeys: -1}, "boo/bar boo/baz/xyzzy", false},
		{ListOptions{MaxKeys: 0}, "", false},
		{ListOptions{After: "zzz", MaxKeys: -1}, "", false},
		{ListOptions{Delimiter: "a", MaxKeys: -1}, "CP:a CP:boo/ba CP:cquux/bla cquux/thud", false},
	} {
		res, err := s.ListObjects(ctx, "b", tc.o)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(flatten(res), " "); got != tc.want || res.IsTruncated != tc.truncated {
			t.Errorf("%+v = %q truncated=%v, want %q %v", tc.o, got, res.IsTruncated, tc.want, tc.truncated)
		}
	}
}

func TestList100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100k objects")
	}
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	const n = 100_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("dir%02d/obj-%07d", i%37, (i*7919)%n)
	}
	fillBucket(t, s, "b", keys)
	slices.Sort(keys)

	var got []string
	after := ""
	for {
		res, err := s.ListObjects(ctx, "b", ListOptions{After: after, MaxKeys: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Objects {
			got = append(got, o.Key)
		}
		if !res.IsTruncated {
			break
		}
		after = res.NextMarker
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("listed %d keys, want %d (or order differs)", len(got), len(keys))
	}
	res, _ := s.ListObjects(ctx, "b", ListOptions{Delimiter: "/", MaxKeys: -1})
	if len(res.CommonPrefixes) != 37 || len(res.Objects) != 0 {
		t.Fatalf("delimiter listing: %d prefixes, %d objects", len(res.CommonPrefixes), len(res.Objects))
	}
}

// fillBucket puts an empty object under every key, in parallel.
func fillBucket(t testing.TB, s *Store, bucket string, keys []string) {
	t.Helper()
	err := parallel(context.Background(), 8, func(w int) error {
		for i := w; i < len(keys); i += 8 {
			if _, err := s.Put(context.Background(), bucket, keys[i], strings.NewReader(""), ObjectMeta{}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
