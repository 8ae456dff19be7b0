package store

import (
	"path/filepath"
	"sync"
)

// dirSyncer flushes one directory for many concurrent writers (group
// commit): a writer that made an entry (a rename, a new file) needs an
// fsync of the directory that starts after it made it; one fsync serves
// every writer that made its entry before the fsync started. While a sync
// runs, the writers that arrive wait and then share the next one.
type dirSyncer struct {
	mu       sync.Mutex
	cond     *sync.Cond // on mu; broadcast when a sync ends
	started  uint64     // number of syncs started
	done     uint64     // number of syncs ended (they run one at a time)
	running  bool
	failedAt uint64 // the number of the last sync that failed, 0 if none
	err      error  // its error
}

// sync makes the entries that the caller made in directory dir durable.
// It returns when a sync of dir that started after the call has ended,
// with that sync's error or that of a later one.
func (d *dirSyncer) sync(s *Store, dir string) error {
	if s.opts.NoSync {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cond == nil {
		d.cond = sync.NewCond(&d.mu)
	}
	// A sync running now may have started before the caller's entry was
	// made: the caller needs the next one.
	need := d.started + 1
	for d.done < need {
		if d.running {
			d.cond.Wait()
			continue
		}
		d.running = true
		d.started++
		n := d.started
		d.mu.Unlock()
		err := s.syncDir(dir)
		d.mu.Lock()
		d.running = false
		d.done = n
		if err != nil {
			d.failedAt, d.err = n, err
		}
		d.cond.Broadcast()
	}
	if d.failedAt >= need {
		return d.err
	}
	return nil
}

// syncSubdir makes durable the entries made in the fan-out subdirectory
// of kind that file name belongs in.
func (b *bucket) syncSubdir(kind int, name string) error {
	i := fanout(name)
	err := b.syncers[kind][i].sync(b.s, filepath.Join(b.dir, kindDir(kind), name[:2]))
	if err != nil {
		return b.fsError(err)
	}
	return nil
}
