package main

import (
	"os"
	"strings"
	"testing"
)

// TestProgress: progress goes to a terminal, not to a pipe, a file or a
// buffer (issue 11).
func TestProgress(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if progress(w) != nil {
		t.Error("progress to a pipe")
	}
	if progress(&strings.Builder{}) != nil {
		t.Error("progress to a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if progress(f) != nil {
		t.Error("progress to a file")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if progress(tty) == nil {
			t.Error("no progress to a terminal")
		}
	}
}
