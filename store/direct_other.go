//go:build !linux

package store

import "os"

// openBlobFile creates path for writing. Direct I/O is used on Linux
// only (direct_linux.go).
func openBlobFile(path string) (*os.File, bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	return f, false, err
}

// openBlobRead opens path for reading.
func openBlobRead(path string) (*os.File, bool, error) {
	f, err := os.Open(path)
	return f, false, err
}

func clearDirect(*os.File) error { return nil }
