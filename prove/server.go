package prove

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/replay"
	"github.com/lockstep-dev/lockstep/world"
)

// proofServer is one run's emulator: a fresh data directory, the world
// of the run, an audit log the run reads its calls from.
type proofServer struct {
	*emulator.Server
	Audit *replay.AuditLog
	// Dir is the run's temporary directory; Close removes it.
	Dir string
}

// startProofServer serves m on 127.0.0.1 with a random port, from a new
// temporary directory named after what is proved ("batch", ...).
func startProofServer(ctx context.Context, m *world.Model, what string) (*proofServer, error) {
	tmp, err := os.MkdirTemp("", "lockstep-prove-"+what+"-")
	if err != nil {
		return nil, err
	}
	ps := &proofServer{Audit: &replay.AuditLog{}, Dir: tmp}
	ps.Server, err = emulator.New(ctx, emulator.Options{Addr: "127.0.0.1:0", DataDir: filepath.Join(tmp, "data"), World: m,
		WorldFile: "the world of the proof", Audit: ps.Audit, NoSync: true, ErrorLog: io.Discard})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := ps.Start(); err != nil {
		ps.Close()
		return nil, err
	}
	return ps, nil
}

// Close stops the emulator and removes the run's directory.
func (ps *proofServer) Close() error {
	err := ps.Server.Close()
	os.RemoveAll(ps.Dir)
	return err
}

// runCount counts a proof's runs for its progress lines.
type runCount struct {
	w           io.Writer
	done, total int
}

// line reports one finished run: run k/n, what was removed, what
// happened; nothing without a writer.
func (rc *runCount) line(what, verdict string) {
	rc.done++
	if rc.w != nil {
		fmt.Fprintf(rc.w, "lockstep prove: run %d/%d, %s: %s\n", rc.done, rc.total, what, verdict)
	}
}
