//go:build linux

package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// watchFileWrites starts watching dir and the directories below it with
// inotify, the kernel's notification of file changes, and returns a
// function that waits until a file there is written (created directories
// are watched as they appear). It is how a test waits for a server in
// another process to have written part of a body, without sleeping or
// polling. timeout bounds the wait.
func watchFileWrites(t *testing.T, dir string) (wait func(timeout time.Duration)) {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	f := os.NewFile(uintptr(fd), "inotify") // non-blocking: reads take deadlines
	t.Cleanup(func() { f.Close() })
	const mask = syscall.IN_CREATE | syscall.IN_MODIFY
	dirs := map[int32]string{}
	add := func(path string) {
		wd, err := syscall.InotifyAddWatch(fd, path, mask)
		if err != nil {
			t.Fatalf("inotify watch %s: %v", path, err)
		}
		dirs[int32(wd)] = path
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			add(path)
		}
		return nil
	})
	return func(timeout time.Duration) {
		t.Helper()
		f.SetReadDeadline(time.Now().Add(timeout))
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if err != nil {
				t.Fatalf("no file written under %s: %v", dir, err)
			}
			for off := 0; off+syscall.SizeofInotifyEvent <= n; {
				ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := buf[off+syscall.SizeofInotifyEvent : off+syscall.SizeofInotifyEvent+int(ev.Len)]
				off += syscall.SizeofInotifyEvent + int(ev.Len)
				switch {
				case ev.Mask&syscall.IN_MODIFY != 0 && ev.Mask&syscall.IN_ISDIR == 0:
					return
				case ev.Mask&syscall.IN_CREATE != 0 && ev.Mask&syscall.IN_ISDIR != 0:
					if end := indexNUL(name); end >= 0 {
						name = name[:end]
					}
					add(filepath.Join(dirs[ev.Wd], string(name)))
				}
			}
		}
	}
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}
