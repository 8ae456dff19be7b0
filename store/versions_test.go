package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// setVersioning sets the bucket's versioning state; t may be nil (a
// crash test's child), which panics on failure.
func setVersioning(t testing.TB, s *Store, bucket, state string) {
	if _, err := s.UpdateBucket(context.Background(), bucket, func(m *BucketMeta) error {
		m.Versioning = state
		return nil
	}); err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
}

func getVersion(t testing.TB, s *Store, key, vid string) (ObjectMeta, string, error) {
	t.Helper()
	m, r, err := s.GetVersion(context.Background(), "b", key, vid, nil)
	if err != nil {
		return m, "", err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	return m, string(data), err
}

// listed renders ListVersions as "key@vid[*][M]" entries: * for latest,
// M for a delete marker; the null version is "null".
func listed(t testing.TB, s *Store, opts VersionListOptions) []string {
	t.Helper()
	res, err := s.ListVersions(context.Background(), "b", opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range res.Versions {
		e := v.Key + "@" + versionName(v.VersionID)
		if v.IsLatest {
			e += "*"
		}
		if v.DeleteMarker {
			e += "M"
		}
		out = append(out, e)
	}
	return append(out, res.CommonPrefixes...)
}

// TestVersionLifecycle walks a key through S3's versioning states:
// a null version from before versioning, versions while enabled, a
// delete marker, a null version and a null marker while suspended, and
// the permanent deletion of versions; after each step, and after a
// reopen, the versions list as S3 lists them.
func TestVersionLifecycle(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	put := func(body string) ObjectMeta {
		t.Helper()
		return mustPut(t, s, "b", "k", []byte(body), nil)
	}
	null := put("zero") // unversioned: the null version
	if null.VersionID != "" {
		t.Fatalf("unversioned put has version %q", null.VersionID)
	}
	setVersioning(t, s, "b", VersioningEnabled)
	v1 := put("one")
	v2 := put(strings.Repeat("two", 30000)) // a blob, not inline
	if !IsVersionID(v1.VersionID) || !IsVersionID(v2.VersionID) || v1.VersionID == v2.VersionID || v2.VersionID > v1.VersionID {
		t.Fatalf("version IDs %q, %q: want well-formed, distinct, newest first", v1.VersionID, v2.VersionID)
	}
	want := []string{"k@" + v2.VersionID + "*", "k@" + v1.VersionID, "k@null"}
	check := func(want []string) {
		t.Helper()
		if got := listed(t, s, VersionListOptions{MaxKeys: -1}); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("versions = %v, want %v", got, want)
		}
	}
	check(want)
	for vid, body := range map[string]string{"": strings.Repeat("two", 30000), v1.VersionID: "one", NullVersion: "zero"} {
		if _, got, err := getVersion(t, s, "k", vid); err != nil || got != body {
			t.Fatalf("get %q = %.10q, %v; want %.10q", vid, got, err, body)
		}
	}
	// A simple delete adds a marker; the object reads as deleted.
	del, err := s.DeleteObject(ctx, "b", "k", DeleteOptions{})
	if err != nil || !del.DeleteMarker || !IsVersionID(del.VersionID) || del.Removed {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	_, _, err = getVersion(t, s, "k", "")
	var dm *DeleteMarkerError
	if !errors.Is(err, ErrNoSuchKey) || !errors.As(err, &dm) || !dm.Current || dm.Meta.VersionID != del.VersionID {
		t.Fatalf("get after delete: %v", err)
	}
	if _, _, err := getVersion(t, s, "k", del.VersionID); !errors.Is(err, ErrDeleteMarker) || errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("get of the marker by ID: %v", err)
	}
	if res, _ := s.ListObjects(ctx, "b", ListOptions{MaxKeys: -1}); len(res.Objects) != 0 {
		t.Fatalf("ListObjects shows %v under a delete marker", res.Objects)
	}
	check(append([]string{"k@" + del.VersionID + "*M"}, "k@"+v2.VersionID, "k@"+v1.VersionID, "k@null"))
	// Deleting the marker brings v2 back.
	if res, err := s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: del.VersionID}); err != nil || !res.DeleteMarker || !res.Removed {
		t.Fatalf("delete marker = %+v, %v", res, err)
	}
	check(want)
	// Suspended: a put replaces the null version and becomes the latest.
	setVersioning(t, s, "b", VersioningSuspended)
	if m := put("null again"); m.VersionID != "" {
		t.Fatalf("suspended put has version %q", m.VersionID)
	}
	want = []string{"k@null*", "k@" + v2.VersionID, "k@" + v1.VersionID}
	check(want)
	s = reopen(t, s)
	check(want)
	if _, got, _ := getVersion(t, s, "k", v2.VersionID); got != strings.Repeat("two", 30000) {
		t.Fatalf("noncurrent version after reopen: %.10q", got)
	}
	// A simple delete while suspended replaces the null version with a
	// null marker.
	if res, err := s.DeleteObject(ctx, "b", "k", DeleteOptions{}); err != nil || res.VersionID != NullVersion || !res.DeleteMarker {
		t.Fatalf("suspended delete = %+v, %v", res, err)
	}
	check([]string{"k@null*M", "k@" + v2.VersionID, "k@" + v1.VersionID})
	// Permanent deletes; the bucket empties only with the last version.
	for _, vid := range []string{v2.VersionID, NullVersion, v1.VersionID} {
		if err := s.DeleteBucket(ctx, "b"); !errors.Is(err, ErrBucketNotEmpty) {
			t.Fatalf("DeleteBucket with versions left = %v", err)
		}
		if _, err := s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: vid}); err != nil {
			t.Fatal(err)
		}
	}
	if got := blobFiles(t, s, "b"); len(got) != 0 {
		t.Fatalf("blobs left: %v", got)
	}
	if err := s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateVersion: updating a noncurrent version's metadata (a
// replication status) makes no new version, keeps its data and place.
func TestUpdateVersion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	setVersioning(t, s, "b", VersioningEnabled)
	v1 := mustPut(t, s, "b", "k", []byte("one"), nil)
	v2 := mustPut(t, s, "b", "k", []byte("two"), nil)
	m, err := s.UpdateVersion(ctx, "b", "k", v1.VersionID, func(m *ObjectMeta) error {
		m.Extra = map[string]string{"replication": "COMPLETED"}
		return nil
	})
	if err != nil || m.VersionID != v1.VersionID {
		t.Fatalf("update = %+v, %v", m, err)
	}
	if _, err := s.UpdateVersion(ctx, "b", "k", v1.VersionID, func(m *ObjectMeta) error { m.VersionID = "x"; return nil }); err == nil {
		t.Fatal("an update changed the version ID")
	}
	s = reopen(t, s)
	if got := listed(t, s, VersionListOptions{MaxKeys: -1}); strings.Join(got, " ") != "k@"+v2.VersionID+"* k@"+v1.VersionID {
		t.Fatalf("versions = %v", got)
	}
	got, body, err := getVersion(t, s, "k", v1.VersionID)
	if err != nil || body != "one" || got.Extra["replication"] != "COMPLETED" {
		t.Fatalf("v1 = %+v %q %v", got, body, err)
	}
	if _, err := s.UpdateVersion(ctx, "b", "k", strings.Repeat("0", 32), func(*ObjectMeta) error { return nil }); !errors.Is(err, ErrNoSuchVersion) {
		t.Fatalf("update of a missing version: %v", err)
	}
}

// TestListVersionsPages: pages of every size cover the versions once, in
// order, resuming from NextKeyMarker/NextVersionIDMarker; delimiters roll
// keys up.
func TestListVersionsPages(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	mustPut(t, s, "b", "a", []byte("null"), nil)
	setVersioning(t, s, "b", VersioningEnabled)
	for _, k := range []string{"a", "a", "b", "d/x", "d/y", "c", "a"} {
		mustPut(t, s, "b", k, []byte(k), nil)
	}
	if _, err := s.DeleteObject(ctx, "b", "c", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	all := listed(t, s, VersionListOptions{MaxKeys: -1})
	if len(all) != 9 || !strings.HasPrefix(all[0], "a@") || all[3] != "a@null" || !strings.HasSuffix(all[5], "*M") {
		t.Fatalf("all versions = %v", all)
	}
	for size := 1; size <= 9; size++ {
		var got []string
		opts := VersionListOptions{MaxKeys: size}
		for {
			page := listed(t, s, opts)
			got = append(got, page...)
			res, _ := s.ListVersions(ctx, "b", opts)
			if !res.IsTruncated {
				break
			}
			opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
		}
		if strings.Join(got, " ") != strings.Join(all, " ") {
			t.Fatalf("pages of %d = %v, want %v", size, got, all)
		}
	}
	if got := listed(t, s, VersionListOptions{Delimiter: "/", MaxKeys: -1}); len(got) != 8 || got[7] != "d/" {
		t.Fatalf("with delimiter = %v", got)
	}
}

// TestUnversionedLayout: a bucket never versioned writes one record per
// key, named as before versioning existed.
func TestUnversionedLayout(t *testing.T) {
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	mustPut(t, s, "b", "k", []byte("one"), nil)
	mustPut(t, s, "b", "k", []byte("two"), nil)
	if !bytes.Equal(mustGet(t, s, "b", "k", nil), []byte("two")) {
		t.Fatal("wrong body")
	}
	if got := listed(t, s, VersionListOptions{MaxKeys: -1}); strings.Join(got, " ") != "k@null*" {
		t.Fatalf("versions = %v", got)
	}
	b, _ := s.bucket("b")
	name := keyName("k")
	if _, err := b.readInline(name, b.objectsHead("k").data); err != nil {
		t.Fatalf("the record is not at its unversioned name: %v", err)
	}
}

func (b *bucket) objectsHead(key string) *entry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	e, _ := b.objects.Get(key)
	return e
}

// TestConcurrentVersions: concurrent writes of one key in an enabled
// bucket keep every version ("if Amazon S3 receives multiple write
// requests for the same object simultaneously, it stores all of those
// objects"), with distinct IDs in commit order.
func TestConcurrentVersions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	setVersioning(t, s, "b", VersioningEnabled)
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.Put(ctx, "b", "k", strings.NewReader(strings.Repeat("x", i)), ObjectMeta{}, nil)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.ListVersions(ctx, "b", VersionListOptions{MaxKeys: -1})
	if err != nil || len(res.Versions) != n {
		t.Fatalf("ListVersions = %d versions, %v; want %d", len(res.Versions), err, n)
	}
	head, err := s.Head(ctx, "b", "k")
	if err != nil || head.VersionID != res.Versions[0].VersionID || !res.Versions[0].IsLatest {
		t.Fatalf("Head = %q, %v; listed first %q", head.VersionID, err, res.Versions[0].VersionID)
	}
	for i := 1; i < n; i++ {
		if res.Versions[i].VersionID <= res.Versions[i-1].VersionID || res.Versions[i].IsLatest {
			t.Fatalf("versions out of order at %d: %v", i, res.Versions)
		}
	}
}

// TestPutVersion: a replica keeps its source's version ID and takes its
// place by it among the key's versions; a replicated delete marker too.
func TestPutVersion(t *testing.T) {
	ctx := context.Background()
	src, dst := newStore(t, Options{}), newStore(t, Options{})
	for _, s := range []*Store{src, dst} {
		mustBucket(t, s, "b")
		setVersioning(t, s, "b", VersioningEnabled)
	}
	old := mustPut(t, src, "b", "k", []byte("old"), nil)
	newer := mustPut(t, dst, "b", "k", []byte("written at the destination later"), nil)
	m, err := dst.PutVersion(ctx, "b", "k", old.VersionID, strings.NewReader("old"), ObjectMeta{}, nil)
	if err != nil || m.VersionID != old.VersionID {
		t.Fatalf("PutVersion = %+v, %v", m, err)
	}
	want := "k@" + newer.VersionID + "* k@" + old.VersionID
	if got := strings.Join(listed(t, dst, VersionListOptions{MaxKeys: -1}), " "); got != want {
		t.Fatalf("versions = %s, want %s", got, want)
	}
	marker, err := src.DeleteObject(ctx, "b", "k", DeleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.DeleteObject(ctx, "b", "k", DeleteOptions{MarkerVersionID: marker.VersionID}); err != nil {
		t.Fatal(err)
	}
	want = "k@" + marker.VersionID + "*M k@" + newer.VersionID + " k@" + old.VersionID
	if got := strings.Join(listed(t, dst, VersionListOptions{MaxKeys: -1}), " "); got != want {
		t.Fatalf("versions = %s, want %s", got, want)
	}
	for _, vid := range []string{NullVersion, "not-an-id"} {
		if _, err := dst.PutVersion(ctx, "b", "k", vid, strings.NewReader("x"), ObjectMeta{}, nil); !errors.Is(err, ErrInvalidVersionID) {
			t.Errorf("PutVersion %q: %v", vid, err)
		}
	}
	setVersioning(t, dst, "b", VersioningSuspended)
	if _, err := dst.PutVersion(ctx, "b", "k", old.VersionID, strings.NewReader("x"), ObjectMeta{}, nil); !errors.Is(err, ErrInvalidVersionID) {
		t.Errorf("PutVersion into a suspended bucket: %v", err)
	}
	if got := blobFiles(t, dst, "b"); len(got) != 0 {
		t.Errorf("refused writes left data files: %v", got)
	}
}
