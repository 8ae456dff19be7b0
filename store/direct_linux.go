package store

import (
	"errors"
	"os"
	"syscall"
)

// openBlobFile creates path for writing with O_DIRECT, or without it when
// the file system does not support direct I/O (tmpfs, for one, fails the
// open with EINVAL). direct says which.
func openBlobFile(path string) (f *os.File, direct bool, err error) {
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_DIRECT, filePerm)
	if err == nil {
		return f, true, nil
	}
	if !errors.Is(err, syscall.EINVAL) {
		return nil, false, err
	}
	// Some file systems create the file before refusing O_DIRECT; the
	// name is the caller's random ID, so opening it again is safe.
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, filePerm)
	return f, false, err
}

// openBlobRead opens path for reading with O_DIRECT, or without it when
// the file system does not support direct I/O. direct says which.
func openBlobRead(path string) (f *os.File, direct bool, err error) {
	f, err = os.OpenFile(path, os.O_RDONLY|syscall.O_DIRECT, 0)
	if err == nil {
		return f, true, nil
	}
	if !errors.Is(err, syscall.EINVAL) {
		return nil, false, err
	}
	f, err = os.Open(path)
	return f, false, err
}

// clearDirect turns O_DIRECT off for f's later writes.
func clearDirect(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		flags, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		if e != 0 {
			serr = e
			return
		}
		if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETFL, flags&^syscall.O_DIRECT); e != 0 {
			serr = e
		}
	})
	if err != nil {
		return err
	}
	return serr
}
