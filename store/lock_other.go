//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import "os"

// lockFile is a no-op where flock(2) is unavailable: the caller must make
// sure only one process opens a data directory.
func lockFile(*os.File) error { return nil }
