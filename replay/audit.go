package replay

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/lockstep-dev/lockstep/emulator"
)

// AuditLog collects the emulator's CloudTrail records (give it as
// emulator.Options.Audit); Take returns the records written since the
// last Take.
type AuditLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write receives JSON lines from the emulator.
func (a *AuditLog) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buf.Write(p)
}

// Take returns and forgets the records written so far. The emulator
// writes a request's record after the response: call the server's Idle
// first to have the last call of a client that just exited.
func (a *AuditLog) Take() []emulator.Record {
	a.mu.Lock()
	data := append([]byte(nil), a.buf.Bytes()...)
	a.buf.Reset()
	a.mu.Unlock()
	var out []emulator.Record
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r emulator.Record
		if json.Unmarshal(line, &r) == nil {
			out = append(out, r)
		}
	}
	return out
}
