package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/lockstep-dev/lockstep/internal/auditview"
)

// callLog is serve's --log: a writer of the emulator's audit records (one
// JSON record a line) that prints each as a line for people
// (internal/auditview), all of them or the denied ones, and passes the
// records on to the audit file, if any.
type callLog struct {
	mu     sync.Mutex
	audit  io.Writer // nil: no audit file
	out    io.Writer
	denied bool // print denied calls only
	buf    []byte
}

// newCallLog returns the audit writer for serve: audit alone for --log
// none, else a callLog printing on out.
func newCallLog(mode string, audit, out io.Writer) (io.Writer, error) {
	switch mode {
	case "none":
		return audit, nil
	case "denied", "all":
		return &callLog{audit: audit, out: out, denied: mode == "denied"}, nil
	}
	return nil, fmt.Errorf("--log %q: want denied, all or none", mode)
}

func (l *callLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.audit != nil {
		if _, err := l.audit.Write(p); err != nil {
			return 0, err
		}
	}
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := l.buf[:i]
		if e, err := auditview.Parse(line); err == nil && (!l.denied || e.Denied || e.Error != "") {
			fmt.Fprintln(l.out, e.Line())
		}
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}
