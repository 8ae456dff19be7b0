package main

import (
	"io"
	"os"
)

// progress is where long work (plan --prove, demo) reports its steps:
// standard error when it is a terminal, nowhere when it is piped or
// redirected, so that logs and pipelines stay clean.
func progress(stderr io.Writer) io.Writer {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return f
}
