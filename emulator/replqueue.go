package emulator

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/lockstep-dev/lockstep/store"
)

// The replication queue (docs/emulator.md "Replication"): new versions
// of a bucket with a replication configuration are marked PENDING when
// written and replicated afterwards, one at a time, by a worker the
// Server owns. The queue is bounded: a write whose version finds it full
// waits for room (or for its request to end; the version then stays
// PENDING and is queued again when the server next opens the data
// directory). WaitReplication waits until nothing is queued or being
// replicated; Close stops the worker through its context.

// replicationQueueSize bounds the versions waiting for the worker.
const replicationQueueSize = 1024

// replicationMarkerOutcomes bounds the delete-marker outcomes the
// replicator keeps (docs/decisions.md #51): the oldest is forgotten
// first.
const replicationMarkerOutcomes = 4096

// replicationJob names one new version (or delete marker) of a source
// bucket.
type replicationJob struct {
	bucket, key, versionID string
	// marker is set for a delete marker, which has no replication status
	// of its own in the store (docs/decisions.md).
	marker bool
}

// replicator is the Server's replication worker and its queue.
type replicator struct {
	queue chan replicationJob

	mu sync.Mutex
	// pending counts the jobs queued or being replicated, and the scan of
	// PENDING versions at start-up while it runs; done is broadcast when
	// it drops to zero and when the worker stops.
	pending int
	done    *sync.Cond
	// markers holds the outcome of the last replicationMarkerOutcomes
	// replicated delete markers, by bucket, key and version ID
	// (ReplicationStatus); markerOrder is their order, oldest first.
	markers     map[replicationJob]string
	markerOrder []replicationJob
	// sessions are the role sessions the worker replicates as
	// (replsession.go).
	sessions map[replicationSessionKey]*serviceSession

	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
}

func newReplicator() *replicator {
	r := &replicator{queue: make(chan replicationJob, replicationQueueSize), markers: map[replicationJob]string{}, sessions: map[replicationSessionKey]*serviceSession{}}
	r.done = sync.NewCond(&r.mu)
	r.ctx, r.stop = context.WithCancel(context.Background())
	context.AfterFunc(r.ctx, r.broadcast)
	return r
}

func (r *replicator) broadcast() {
	r.mu.Lock()
	r.done.Broadcast()
	r.mu.Unlock()
}

// add counts n jobs more (negative: fewer).
func (r *replicator) add(n int) {
	r.mu.Lock()
	r.pending += n
	if r.pending == 0 {
		r.done.Broadcast()
	}
	r.mu.Unlock()
}

// start runs the worker: it first replicates the versions a previous run
// left PENDING, then the queue, until close.
func (s *Server) startReplication() {
	r := s.repl
	r.add(1) // the start-up scan
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		s.requeuePending(r.ctx)
		if r.ctx.Err() != nil {
			// Interrupted: the scan's versions stay PENDING.
			return
		}
		r.add(-1)
		for {
			select {
			case <-r.ctx.Done():
				return
			case job := <-r.queue:
				s.replicate(r.ctx, job)
				if r.ctx.Err() != nil {
					// Interrupted: the version stays PENDING, and
					// counted, so that WaitReplication says so.
					return
				}
				r.add(-1)
			}
		}
	}()
}

// close stops the worker and waits for it to return; a version being
// replicated when it stops stays PENDING.
func (r *replicator) close() {
	r.stop()
	r.wg.Wait()
}

// enqueue queues a job. It waits while the queue is full, until ctx (the
// request's) or the worker stops; the version then stays PENDING. A job
// the stopped worker will not replicate stays counted, so that
// WaitReplication reports it.
func (r *replicator) enqueue(ctx context.Context, job replicationJob) {
	r.add(1)
	if r.ctx.Err() != nil {
		return
	}
	select {
	case r.queue <- job:
	case <-ctx.Done():
		r.add(-1)
	case <-r.ctx.Done():
	}
}

// WaitReplication waits until every version queued for replication has
// been replicated (COMPLETED or FAILED), including the versions a
// previous run left PENDING. It returns early with ctx's error, or with
// errReplicationStopped when the server closes (or its worker stops)
// with versions still to replicate. Tests and proofs use it (through
// Idle) rather than polling the replication status on a timer.
func (s *Server) WaitReplication(ctx context.Context) error {
	r := s.repl
	stop := context.AfterFunc(ctx, r.broadcast)
	defer stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.pending > 0 && ctx.Err() == nil && r.ctx.Err() == nil {
		r.done.Wait()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.pending > 0 {
		return fmt.Errorf("%w with work left (%d queued versions or delete markers, or the start-up scan): those versions stay PENDING", errReplicationStopped, r.pending)
	}
	return nil
}

// errReplicationStopped: the replication worker stopped with work left.
var errReplicationStopped = errors.New("the server's replication worker has stopped")

// requeuePending replicates the versions of every bucket with a
// replication configuration that are still PENDING: those a previous run
// wrote but had not replicated when it stopped (docs/decisions.md
// "Replication: PENDING versions after a restart").
func (s *Server) requeuePending(ctx context.Context) {
	buckets, err := s.store.ListBuckets(ctx)
	if err != nil {
		return
	}
	for _, b := range buckets {
		if _, ok := b.Meta.Extra[settingReplication]; !ok {
			continue
		}
		opts := store.VersionListOptions{MaxKeys: 1000}
		for ctx.Err() == nil {
			page, err := s.store.ListVersions(ctx, b.Name, opts)
			if err != nil {
				break
			}
			for _, v := range page.Versions {
				if v.Extra[extraReplicationStatus] == replicationPending && ctx.Err() == nil {
					s.replicate(ctx, replicationJob{bucket: b.Name, key: v.Key, versionID: v.VersionID})
				}
			}
			if !page.IsTruncated {
				break
			}
			opts.KeyMarker, opts.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
		}
	}
}

// recordMarker keeps the outcome of a replicated delete marker,
// forgetting the oldest beyond replicationMarkerOutcomes.
func (r *replicator) recordMarker(job replicationJob, status string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.markers[job]; !ok {
		r.markerOrder = append(r.markerOrder, job)
	}
	r.markers[job] = status
	for len(r.markerOrder) > replicationMarkerOutcomes {
		delete(r.markers, r.markerOrder[0])
		r.markerOrder = r.markerOrder[1:]
	}
}

// ReplicationStatus is the replication status of a version of a source
// bucket (PENDING, COMPLETED, FAILED), of a replica (REPLICA), or ""
// when it has none; for a delete marker, the outcome of its replication
// this run. Proofs read it; clients see it as x-amz-replication-status.
func (s *Server) ReplicationStatus(ctx context.Context, bucket, key, versionID string) (string, error) {
	s.repl.mu.Lock()
	st, ok := s.repl.markers[replicationJob{bucket: bucket, key: key, versionID: versionID, marker: true}]
	s.repl.mu.Unlock()
	if ok {
		return st, nil
	}
	meta, err := s.store.HeadVersion(ctx, bucket, key, versionID)
	if err != nil {
		return "", err
	}
	return meta.Extra[extraReplicationStatus], nil
}
