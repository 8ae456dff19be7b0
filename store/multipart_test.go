package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// compositeETag computes a multipart ETag independently.
func compositeETag(parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		s := md5.Sum(p)
		cat = append(cat, s[:]...)
	}
	s := md5.Sum(cat)
	return fmt.Sprintf("%s-%d", hex.EncodeToString(s[:]), len(parts))
}

func TestMultipartHappyPath(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	s := newStore(t, Options{MinPartSize: 1 << 10, Now: now})
	mustBucket(t, s, "b")
	rng := rand.New(rand.NewPCG(41, 42))

	meta := ObjectMeta{ContentType: "video/mp4", UserMeta: map[string]string{"a": "b"}, Tags: []Tag{{"t", "v"}}}
	id, err := s.CreateUpload(ctx, "b", "movie.mp4", meta, "arn:aws:iam::111122223333:user/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	initiated := clock
	p1, p2, p3 := randBytes(rng, 1<<10), randBytes(rng, 3000), randBytes(rng, 10)
	// Part 2 first uploaded wrong, then replaced.
	put := func(n int, data []byte) Part {
		t.Helper()
		p, err := s.PutPart(ctx, "b", "movie.mp4", id, n, bytes.NewReader(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Number != n || p.Size != int64(len(data)) || p.ETag != md5hex(data) {
			t.Fatalf("PutPart(%d) = %+v", n, p)
		}
		return p
	}
	put(2, randBytes(rng, 5000))
	put(1, p1)
	put(2, p2)
	put(3, p3)
	put(7, randBytes(rng, 2000)) // uploaded but left out of the object

	// The upload survives a restart.
	s = reopen(t, s)
	lp, err := s.ListParts(ctx, "b", "movie.mp4", id, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parts) != 4 || lp.Parts[1].ETag != md5hex(p2) || lp.IsTruncated {
		t.Fatalf("ListParts = %+v", lp)
	}
	u, err := s.GetUpload(ctx, "b", "movie.mp4", id)
	if err != nil || u.Meta.ContentType != "video/mp4" || u.Initiator != "arn:aws:iam::111122223333:user/me" || !u.Initiated.Equal(initiated) {
		t.Fatalf("GetUpload = %+v, %v", u, err)
	}

	m, err := s.Complete(ctx, "b", "movie.mp4", id, []CompletedPart{
		{1, `"` + md5hex(p1) + `"`}, {2, strings.ToUpper(md5hex(p2))}, {3, md5hex(p3)},
	})
	if err != nil {
		t.Fatal(err)
	}
	body := append(append(append([]byte{}, p1...), p2...), p3...)
	want := meta
	want.Key, want.Size, want.ETag = "movie.mp4", int64(len(body)), compositeETag(p1, p2, p3)
	want.LastModified, want.PartsCount, want.PartSizes = initiated, 3, []int64{1 << 10, 3000, 10}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("Complete = %+v\nwant %+v", m, want)
	}
	if got := mustGet(t, s, "b", "movie.mp4", nil); !bytes.Equal(got, body) {
		t.Fatal("object differs from its parts")
	}
	_, r, _ := s.Get(ctx, "b", "movie.mp4", nil)
	checkRanges(t, r, body, rng)
	r.Close()

	// The upload is gone, the unused part's file too.
	_, err = s.ListParts(ctx, "b", "movie.mp4", id, 0, -1)
	isErr(t, err, ErrNoSuchUpload)
	_, err = s.Complete(ctx, "b", "movie.mp4", id, []CompletedPart{{1, md5hex(p1)}})
	isErr(t, err, ErrNoSuchUpload)
	if n := len(blobFiles(t, s, "b")); n != 3 {
		t.Fatalf("%d data files, want 3", n)
	}
	s = reopen(t, s)
	if got := mustGet(t, s, "b", "movie.mp4", nil); !bytes.Equal(got, body) {
		t.Fatal("object differs after reopen")
	}
	if res, _ := s.ListUploads(ctx, "b", ListUploadsOptions{MaxUploads: -1}); len(res.Uploads) != 0 {
		t.Fatalf("uploads left: %+v", res.Uploads)
	}
	// Deleting the object deletes the part files it is made of.
	s.Delete(ctx, "b", "movie.mp4")
	if n := len(blobFiles(t, s, "b")); n != 0 {
		t.Fatalf("%d data files after delete", n)
	}
}

func TestMultipartErrors(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true, MinPartSize: 100})
	mustBucket(t, s, "b")
	big, small := bytes.Repeat([]byte("x"), 100), []byte("tiny")
	bigTag, smallTag := md5hex(big), md5hex(small)

	newUpload := func() string {
		t.Helper()
		id, err := s.CreateUpload(ctx, "b", "k", ObjectMeta{}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		for n, data := range map[int][]byte{1: big, 2: big, 3: small, 4: small} {
			if _, err := s.PutPart(ctx, "b", "k", id, n, bytes.NewReader(data), nil); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	id := newUpload()
	for _, tc := range []struct {
		name  string
		parts []CompletedPart
		want  error
	}{
		{"no parts", nil, ErrInvalidPart},
		{"missing part", []CompletedPart{{1, bigTag}, {5, smallTag}}, ErrInvalidPart},
		{"wrong etag", []CompletedPart{{1, bigTag}, {2, smallTag}}, ErrInvalidPart},
		{"descending", []CompletedPart{{2, bigTag}, {1, bigTag}}, ErrInvalidPartOrder},
		{"duplicate", []CompletedPart{{1, bigTag}, {1, bigTag}}, ErrInvalidPartOrder},
		{"small middle part", []CompletedPart{{1, bigTag}, {3, smallTag}, {4, smallTag}}, ErrEntityTooSmall},
		{"small first part", []CompletedPart{{3, smallTag}, {4, smallTag}}, ErrEntityTooSmall},
		{"part number zero", []CompletedPart{{0, bigTag}}, ErrInvalidPart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Complete(ctx, "b", "k", id, tc.parts)
			isErr(t, err, tc.want)
			// The upload is intact.
			if lp, err := s.ListParts(ctx, "b", "k", id, 0, -1); err != nil || len(lp.Parts) != 4 {
				t.Fatalf("upload damaged: %+v, %v", lp, err)
			}
		})
	}
	// A small last part is fine, and so is a single small part.
	if _, err := s.Complete(ctx, "b", "k", id, []CompletedPart{{1, bigTag}, {3, smallTag}}); err != nil {
		t.Fatal(err)
	}
	id = newUpload()
	if _, err := s.Complete(ctx, "b", "k", id, []CompletedPart{{4, smallTag}}); err != nil {
		t.Fatal(err)
	}

	// Unknown, malformed, other key's, aborted uploads.
	id = newUpload()
	for _, bad := range []string{"", "nope", "../../x", strings.Repeat("0", 48), id + "0"} {
		_, err := s.PutPart(ctx, "b", "k", bad, 1, bytes.NewReader(big), nil)
		isErr(t, err, ErrNoSuchUpload)
	}
	_, err := s.PutPart(ctx, "b", "other-key", id, 1, bytes.NewReader(big), nil)
	isErr(t, err, ErrNoSuchUpload)
	for _, n := range []int{0, -1, MaxPartNumber + 1} {
		_, err := s.PutPart(ctx, "b", "k", id, n, bytes.NewReader(big), nil)
		isErr(t, err, ErrInvalidPartNumber)
	}
	if _, err := s.PutPart(ctx, "b", "k", id, MaxPartNumber, bytes.NewReader(small), nil); err != nil {
		t.Fatal(err)
	}
	// A failing body does not replace the part.
	_, err = s.PutPart(ctx, "b", "k", id, 1, &errReader{r: bytes.NewReader(small), err: errBoom}, nil)
	isErr(t, err, errBoom)
	if lp, _ := s.ListParts(ctx, "b", "k", id, 0, 1); lp.Parts[0].ETag != bigTag {
		t.Fatal("failed PutPart replaced the part")
	}
	if err := s.Abort(ctx, "b", "k", id); err != nil {
		t.Fatal(err)
	}
	isErr(t, s.Abort(ctx, "b", "k", id), ErrNoSuchUpload)
	_, err = s.PutPart(ctx, "b", "k", id, 1, bytes.NewReader(big), nil)
	isErr(t, err, ErrNoSuchUpload)
	_, err = s.Complete(ctx, "b", "k", id, []CompletedPart{{1, bigTag}})
	isErr(t, err, ErrNoSuchUpload)

	// Only the file of the last object completed remains: the first
	// object (parts 1 and 3) was replaced by the second (part 4).
	if n := len(blobFiles(t, s, "b")); n != 1 {
		t.Fatalf("%d data files, want 1", n)
	}
	s = reopen(t, s)
	if n := len(blobFiles(t, s, "b")); n != 1 {
		t.Fatalf("%d data files after reopen, want 1", n)
	}
}

func TestListParts(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	id, _ := s.CreateUpload(ctx, "b", "k", ObjectMeta{}, "", nil)
	nums := []int{1, 2, 5, 9, 10, 11, 100, 10000}
	for _, n := range nums {
		if _, err := s.PutPart(ctx, "b", "k", id, n, strings.NewReader(fmt.Sprint(n)), nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		marker, max int
		want        string
		truncated   bool
		next        int
	}{
		{0, -1, "1 2 5 9 10 11 100 10000", false, 10000},
		{0, 3, "1 2 5", true, 5},
		{5, 3, "9 10 11", true, 11},
		{11, 3, "100 10000", false, 10000},
		{10000, 3, "", false, 0},
		{0, 0, "", false, 0},
		{3, 1, "5", true, 5},
	} {
		res, err := s.ListParts(ctx, "b", "k", id, tc.marker, tc.max)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range res.Parts {
			got = append(got, fmt.Sprint(p.Number))
		}
		if strings.Join(got, " ") != tc.want || res.IsTruncated != tc.truncated || res.NextPartNumberMarker != tc.next {
			t.Errorf("ListParts(marker %d, max %d) = %v truncated=%v next=%d", tc.marker, tc.max, got, res.IsTruncated, res.NextPartNumberMarker)
		}
	}
}

func TestListUploads(t *testing.T) {
	ctx := context.Background()
	// A clock that stands still: upload order must not depend on it.
	fixed := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newStore(t, Options{NoSync: true, Now: func() time.Time { return fixed }})
	mustBucket(t, s, "b")
	ids := map[string][]string{}
	for _, k := range []string{"b/2", "a", "b/1", "a", "c", "b/1", "a", "d/x/y"} {
		id, err := s.CreateUpload(ctx, "b", k, ObjectMeta{}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		ids[k] = append(ids[k], id)
	}
	s = reopen(t, s)
	// Uploads made after a restart still sort after the older ones.
	id, _ := s.CreateUpload(ctx, "b", "a", ObjectMeta{}, "", nil)
	ids["a"] = append(ids["a"], id)

	name := func(k string, i int) string { return fmt.Sprintf("%s#%d", k, i) }
	idName := map[string]string{}
	for k, list := range ids {
		for i, id := range list {
			idName[id] = name(k, i)
		}
	}
	list := func(o ListUploadsOptions) (string, ListUploadsResult) {
		t.Helper()
		res, err := s.ListUploads(ctx, "b", o)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range res.Uploads {
			got = append(got, idName[u.UploadID])
		}
		for _, p := range res.CommonPrefixes {
			got = append(got, "CP:"+p)
		}
		return strings.Join(got, " "), res
	}
	for _, tc := range []struct {
		o         ListUploadsOptions
		want      string
		truncated bool
	}{
		{ListUploadsOptions{MaxUploads: -1}, "a#0 a#1 a#2 a#3 b/1#0 b/1#1 b/2#0 c#0 d/x/y#0", false},
		{ListUploadsOptions{MaxUploads: 2}, "a#0 a#1", true},
		{ListUploadsOptions{MaxUploads: -1, KeyMarker: "a"}, "b/1#0 b/1#1 b/2#0 c#0 d/x/y#0", false},
		{ListUploadsOptions{MaxUploads: -1, KeyMarker: "a", UploadIDMarker: ids["a"][1]}, "a#2 a#3 b/1#0 b/1#1 b/2#0 c#0 d/x/y#0", false},
		{ListUploadsOptions{MaxUploads: -1, UploadIDMarker: ids["a"][1]}, "a#0 a#1 a#2 a#3 b/1#0 b/1#1 b/2#0 c#0 d/x/y#0", false},
		{ListUploadsOptions{MaxUploads: -1, Prefix: "b/"}, "b/1#0 b/1#1 b/2#0", false},
		{ListUploadsOptions{MaxUploads: -1, Delimiter: "/"}, "a#0 a#1 a#2 a#3 c#0 CP:b/ CP:d/", false},
		{ListUploadsOptions{MaxUploads: 5, Delimiter: "/"}, "a#0 a#1 a#2 a#3 CP:b/", true},
		{ListUploadsOptions{MaxUploads: -1, Delimiter: "/", KeyMarker: "b/"}, "c#0 CP:d/", false},
		{ListUploadsOptions{MaxUploads: 0}, "", false},
	} {
		got, res := list(tc.o)
		if got != tc.want || res.IsTruncated != tc.truncated {
			t.Errorf("%+v = %q truncated=%v, want %q %v", tc.o, got, res.IsTruncated, tc.want, tc.truncated)
		}
	}
	// Paging with the Next markers walks everything once.
	var walked []string
	o := ListUploadsOptions{MaxUploads: 2}
	for {
		got, res := list(o)
		walked = append(walked, got)
		if !res.IsTruncated {
			break
		}
		o.KeyMarker, o.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
	if got := strings.Join(walked, " "); got != "a#0 a#1 a#2 a#3 b/1#0 b/1#1 b/2#0 c#0 d/x/y#0" {
		t.Fatalf("paged: %q", got)
	}
}

// TestMultipartLarge uploads parts of the real minimum size, to exercise
// the default and the streaming of multi-chunk parts.
func TestMultipartLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 11 MiB")
	}
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	rng := rand.New(rand.NewPCG(51, 52))
	a, b := randBytes(rng, DefaultMinPartSize), randBytes(rng, DefaultMinPartSize+12345)
	id, _ := s.CreateUpload(ctx, "b", "k", ObjectMeta{}, "", nil)
	pa, _ := s.PutPart(ctx, "b", "k", id, 1, bytes.NewReader(a), nil)
	pb, _ := s.PutPart(ctx, "b", "k", id, 2, bytes.NewReader(b), nil)
	small, _ := s.PutPart(ctx, "b", "k", id, 3, bytes.NewReader(a[:DefaultMinPartSize-1]), nil)
	_, err := s.Complete(ctx, "b", "k", id, []CompletedPart{{1, pa.ETag}, {3, small.ETag}, {2, pb.ETag}})
	isErr(t, err, ErrInvalidPartOrder)
	_, err = s.Complete(ctx, "b", "k", id, []CompletedPart{{1, pa.ETag}, {2, pb.ETag}, {3, small.ETag}})
	if err != nil {
		t.Fatal(err)
	}
	_, r, _ := s.Get(ctx, "b", "k", nil)
	defer r.Close()
	got, _ := io.ReadAll(r)
	want := append(append(append([]byte{}, a...), b...), a[:DefaultMinPartSize-1]...)
	if !bytes.Equal(got, want) {
		t.Fatal("large multipart object differs")
	}
}
