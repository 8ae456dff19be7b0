//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f, failing at once if
// another process holds it. The kernel drops the lock when the process
// dies, so a killed emulator never leaves the directory locked.
func lockFile(f *os.File) error {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fmt.Errorf("data directory is in use by another process: %w", err)
	}
	return nil
}
