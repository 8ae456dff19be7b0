//go:build !linux

package e2e

import (
	"testing"
	"time"
)

// watchFileWrites needs inotify (fswatch_linux_test.go); elsewhere the
// test that needs it is skipped.
func watchFileWrites(t *testing.T, dir string) func(time.Duration) {
	t.Skip("waiting for a file write in another process needs Linux inotify")
	return nil
}
