package store

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The crash tests run a child process (this test binary, re-executed with
// -test.run=^TestCrashChild$) that starts a write and reports when it is
// in the middle of it; the parent then kills it with SIGKILL, reopens the
// store and checks what survived.

const (
	crashEnv   = "LOCKSTEP_STORE_CRASH"
	crashDir   = "LOCKSTEP_STORE_CRASH_DIR"
	crashID    = "LOCKSTEP_STORE_CRASH_UPLOAD"
	crashReady = "CRASH-READY"
)

func crashV1() []byte     { return bytes.Repeat([]byte("version one "), 30_000) } // 360 kB, several chunks
func crashV2() []byte     { return bytes.Repeat([]byte("version two! "), 40_000) }
func crashSmall1() []byte { return bytes.Repeat([]byte("small one "), 400) } // inline
func crashSmall2() []byte { return bytes.Repeat([]byte("small two! "), 500) }
func crashPart(n int) []byte {
	return bytes.Repeat([]byte{byte('0' + n)}, 1000*n)
}

// slowReader produces an endless body; once it has produced enough for
// several chunks to be on disk, it announces it and waits for the kill:
// it reads its standard input, which the parent holds open and never
// writes to. Should the parent go first, the read ends and the body fails.
type slowReader struct {
	n     int
	ready bool
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.n >= 3*copyBufSize && !r.ready {
		r.ready = true
		fmt.Println(crashReady)
		var b [1]byte
		os.Stdin.Read(b[:])
		return 0, errors.New("the parent went away before killing the child")
	}
	p = p[:min(len(p), 64<<10)]
	for i := range p {
		p[i] = 'Z'
	}
	r.n += len(p)
	return len(p), nil
}

type crashCase struct {
	name string
	hook string // crash at this hook point; "" for a slow body
	// garbage: the crash leaves files that Open must delete.
	garbage bool
	run     func(s *Store, uploadID string) error
	// check runs on the reopened store.
	check func(t *testing.T, s *Store, uploadID string)
}

func crashCases() []crashCase {
	ctx := context.Background()
	completeAll := func(s *Store, id string) error {
		_, err := s.Complete(ctx, "b", "mp", id, []CompletedPart{{1, md5hex(crashPart(1))}, {2, md5hex(crashPart(2))}})
		return err
	}
	oldObject := func(t *testing.T, s *Store, _ string) {
		t.Helper()
		if got := mustGet(t, s, "b", "k", nil); !bytes.Equal(got, crashV1()) {
			t.Fatalf("committed object damaged: %d bytes", len(got))
		}
	}
	uploadIntact := func(t *testing.T, s *Store, id string) {
		t.Helper()
		lp, err := s.ListParts(ctx, "b", "mp", id, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		if len(lp.Parts) != 2 || lp.Parts[0].ETag != md5hex(crashPart(1)) || lp.Parts[1].ETag != md5hex(crashPart(2)) {
			t.Fatalf("upload damaged: %+v", lp.Parts)
		}
		_, err = s.Head(ctx, "b", "mp")
		isErr(t, err, ErrNoSuchKey)
	}
	return []crashCase{
		{
			name:    "slow Put over a committed object",
			garbage: true,
			run: func(s *Store, _ string) error {
				_, err := s.Put(ctx, "b", "k", &slowReader{}, ObjectMeta{}, nil)
				return err
			},
			check: oldObject,
		},
		{
			name:    "slow encrypted Put of a new key",
			garbage: true,
			run: func(s *Store, _ string) error {
				_, err := s.Put(ctx, "b", "new", &slowReader{}, ObjectMeta{}, testCipher(1))
				return err
			},
			check: func(t *testing.T, s *Store, id string) {
				oldObject(t, s, id)
				_, err := s.Head(ctx, "b", "new")
				isErr(t, err, ErrNoSuchKey)
			},
		},
		{
			name:    "slow PutPart replacing a part",
			garbage: true,
			run: func(s *Store, id string) error {
				_, err := s.PutPart(ctx, "b", "mp", id, 1, &slowReader{}, nil)
				return err
			},
			check: uploadIntact,
		},
		{
			name:    "Put killed with the record written, not renamed",
			garbage: true,
			hook:    "record-written",
			run: func(s *Store, _ string) error {
				_, err := s.Put(ctx, "b", "k", bytes.NewReader(crashV2()), ObjectMeta{}, nil)
				return err
			},
			check: oldObject,
		},
		{
			name:    "Put killed right after the commit",
			garbage: true,
			hook:    "record-renamed",
			run: func(s *Store, _ string) error {
				_, err := s.Put(ctx, "b", "k", bytes.NewReader(crashV2()), ObjectMeta{}, nil)
				return err
			},
			check: func(t *testing.T, s *Store, _ string) {
				if got := mustGet(t, s, "b", "k", nil); !bytes.Equal(got, crashV2()) {
					t.Fatalf("committed object lost: %d bytes", len(got))
				}
			},
		},
		{
			name:    "inline Put killed with the record written, not renamed",
			garbage: true,
			hook:    "record-written",
			run: func(s *Store, _ string) error {
				_, err := s.Put(ctx, "b", "small", bytes.NewReader(crashSmall2()), ObjectMeta{}, testCipher(1))
				return err
			},
			check: func(t *testing.T, s *Store, id string) {
				oldObject(t, s, id)
				if got := mustGet(t, s, "b", "small", nil); !bytes.Equal(got, crashSmall1()) {
					t.Fatalf("committed inline object damaged: %d bytes", len(got))
				}
			},
		},
		{
			name: "inline Put killed right after the commit",
			hook: "record-renamed",
			run: func(s *Store, _ string) error {
				_, err := s.Put(ctx, "b", "small", bytes.NewReader(crashSmall2()), ObjectMeta{}, testCipher(1))
				return err
			},
			check: func(t *testing.T, s *Store, id string) {
				oldObject(t, s, id)
				if got := mustGet(t, s, "b", "small", testCipher(1)); !bytes.Equal(got, crashSmall2()) {
					t.Fatalf("committed inline object lost: %d bytes", len(got))
				}
			},
		},
		{
			name:    "inline Put over a data file killed right after the commit",
			garbage: true, // the old version's data file
			hook:    "record-renamed",
			run: func(s *Store, _ string) error {
				_, err := s.Put(ctx, "b", "k", bytes.NewReader(crashSmall2()), ObjectMeta{}, nil)
				return err
			},
			check: func(t *testing.T, s *Store, _ string) {
				if got := mustGet(t, s, "b", "k", nil); !bytes.Equal(got, crashSmall2()) {
					t.Fatalf("committed object lost: %d bytes", len(got))
				}
			},
		},
		{
			name:    "inline UpdateObject killed with the record written, not renamed",
			garbage: true,
			hook:    "record-written",
			run: func(s *Store, _ string) error {
				_, err := s.UpdateObject(ctx, "b", "small", func(m *ObjectMeta) error { m.ContentType = "new/type"; return nil })
				return err
			},
			check: func(t *testing.T, s *Store, id string) {
				oldObject(t, s, id)
				m, err := s.Head(ctx, "b", "small")
				if err != nil || m.ContentType != "" {
					t.Fatalf("Head = %+v, %v", m, err)
				}
				if got := mustGet(t, s, "b", "small", nil); !bytes.Equal(got, crashSmall1()) {
					t.Fatalf("committed inline object damaged: %d bytes", len(got))
				}
			},
		},
		{
			name:    "versioned Put killed with the record written, not renamed",
			garbage: true,
			hook:    "record-written",
			run: func(s *Store, _ string) error {
				setVersioning(nil, s, "b", VersioningEnabled)
				_, err := s.Put(ctx, "b", "k", bytes.NewReader(crashV2()), ObjectMeta{}, nil)
				return err
			},
			check: func(t *testing.T, s *Store, id string) {
				oldObject(t, s, id)
				if got := listed(t, s, VersionListOptions{Prefix: "k", MaxKeys: -1}); strings.Join(got, " ") != "k@null*" {
					t.Fatalf("versions = %v, want the null version alone", got)
				}
			},
		},
		{
			name: "versioned Put killed right after the commit",
			hook: "record-renamed",
			run: func(s *Store, _ string) error {
				setVersioning(nil, s, "b", VersioningEnabled)
				_, err := s.Put(ctx, "b", "k", bytes.NewReader(crashV2()), ObjectMeta{}, nil)
				return err
			},
			check: func(t *testing.T, s *Store, _ string) {
				if got := mustGet(t, s, "b", "k", nil); !bytes.Equal(got, crashV2()) {
					t.Fatalf("committed version lost: %d bytes", len(got))
				}
				if _, got, err := getVersion(t, s, "k", NullVersion); err != nil || got != string(crashV1()) {
					t.Fatalf("the null version: %d bytes, %v", len(got), err)
				}
				if v, _ := s.Versioning(ctx, "b"); v != VersioningEnabled {
					t.Fatalf("versioning = %q", v)
				}
			},
		},
		{
			name: "delete marker killed right after the commit",
			hook: "record-renamed",
			run: func(s *Store, _ string) error {
				setVersioning(nil, s, "b", VersioningEnabled)
				_, err := s.DeleteObject(ctx, "b", "k", DeleteOptions{})
				return err
			},
			check: func(t *testing.T, s *Store, _ string) {
				_, err := s.Head(ctx, "b", "k")
				isErr(t, err, ErrDeleteMarker)
				if _, got, err := getVersion(t, s, "k", NullVersion); err != nil || got != string(crashV1()) {
					t.Fatalf("the null version: %d bytes, %v", len(got), err)
				}
			},
		},
		{
			name: "Complete killed before the commit",
			hook: "complete-before-commit",
			run:  completeAll,
			check: func(t *testing.T, s *Store, id string) {
				oldObject(t, s, id)
				uploadIntact(t, s, id)
				// And it can still be completed.
				if err := completeAll(s, id); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:    "Complete killed after the commit",
			garbage: true,
			hook:    "complete-committed",
			run:     completeAll,
			check: func(t *testing.T, s *Store, id string) {
				oldObject(t, s, id)
				want := append(crashPart(1), crashPart(2)...)
				if got := mustGet(t, s, "b", "mp", nil); !bytes.Equal(got, want) {
					t.Fatalf("completed object = %d bytes", len(got))
				}
				_, err := s.ListParts(ctx, "b", "mp", id, 0, -1)
				isErr(t, err, ErrNoSuchUpload)
			},
		},
	}
}

// TestCrashChild is the child side; it does nothing unless run by
// TestCrash.
func TestCrashChild(t *testing.T) {
	name := os.Getenv(crashEnv)
	if name == "" {
		t.Skip("run by TestCrash")
	}
	i := slices.IndexFunc(crashCases(), func(c crashCase) bool { return c.name == name })
	if i < 0 {
		t.Fatalf("unknown crash case %q", name)
	}
	c := crashCases()[i]
	s, err := Open(context.Background(), os.Getenv(crashDir), Options{MinPartSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.hook != "" {
		s.hook = func(point string) {
			if point == c.hook {
				fmt.Println(crashReady)
				select {} // wait for SIGKILL
			}
		}
	}
	err = c.run(s, os.Getenv(crashID))
	t.Fatalf("the operation finished (%v) instead of being killed", err)
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for _, c := range crashCases() {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "data")
			s, err := Open(ctx, dir, Options{MinPartSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			mustBucket(t, s, "b")
			mustPut(t, s, "b", "k", crashV1(), nil)
			mustPut(t, s, "b", "small", crashSmall1(), nil)
			id, err := s.CreateUpload(ctx, "b", "mp", ObjectMeta{}, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			for n := 1; n <= 2; n++ {
				if _, err := s.PutPart(ctx, "b", "mp", id, n, bytes.NewReader(crashPart(n)), nil); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()

			before := countFiles(t, dir)
			runAndKill(t, c.name, dir, id)
			crashed := countFiles(t, dir)

			s, err = Open(ctx, dir, Options{MinPartSize: 1})
			if err != nil {
				t.Fatalf("reopen after the crash: %v", err)
			}
			defer s.Close()
			checkNoGarbage(t, s)
			if after := countFiles(t, dir); c.garbage && after >= crashed {
				t.Fatalf("the crash left no garbage to clean (%d files before, %d after the crash, %d after Open)", before, crashed, after)
			}
			c.check(t, s, id)
		})
	}
}

// runAndKill runs the child for case name and SIGKILLs it once it reports
// being in the middle of its write.
func runAndKill(t *testing.T, name, dir, uploadID string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+name, crashDir+"="+dir, crashID+"="+uploadID)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// The child's standard input stays open until it is killed: a slow
	// body waits on it (slowReader).
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	var lines []string
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == crashReady {
				ready <- true
				return
			}
			lines = append(lines, sc.Text())
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatalf("child ended without reaching the crash point:\n%s\n%s", strings.Join(lines, "\n"), stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("child did not reach the crash point")
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
		t.Fatal(err)
	}
	cmd.Wait()
}

// checkNoGarbage checks that the reopened store's files are exactly those
// its objects and uploads refer to, and that the temporary directory is
// empty.
func checkNoGarbage(t *testing.T, s *Store) {
	t.Helper()
	if tmp := tmpFiles(t, s); len(tmp) != 0 {
		t.Fatalf("temporary files survived Open: %v", tmp)
	}
	for name, b := range s.buckets {
		var want []string
		b.objects.Ascend("", func(_ string, head *entry) bool {
			for _, e := range versionsOf(head) {
				for _, seg := range e.data.segs {
					if seg.Blob != "" {
						want = append(want, b.blobPath(seg.Blob))
					}
				}
			}
			return true
		})
		for _, u := range b.uploads {
			for _, p := range u.parts {
				if p.Blob != "" {
					want = append(want, b.blobPath(p.Blob))
				}
			}
		}
		got := blobFiles(t, s, name)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("bucket %s: data files\n%v\nwant\n%v", name, got, want)
		}
	}
}

// countFiles counts the files (not directories) under dir.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
