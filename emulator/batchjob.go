package emulator

import (
	"context"
	"sort"
	"sync"
	"time"
)

// S3 Batch Operations job statuses (docs/emulator.md "S3 Batch
// Operations": the statuses of "Tracking job status and completion
// reports").
const (
	jobNew        = "New"
	jobPreparing  = "Preparing"
	jobSuspended  = "Suspended"
	jobReady      = "Ready"
	jobActive     = "Active"
	jobCancelling = "Cancelling"
	jobCancelled  = "Cancelled"
	jobFailing    = "Failing"
	jobFailed     = "Failed"
	jobCompleting = "Completing"
	jobComplete   = "Complete"
)

// terminalJobStatus reports whether a job in status s has finished.
func terminalJobStatus(s string) bool {
	return s == jobComplete || s == jobFailed || s == jobCancelled
}

// batchJob is one S3 Batch Operations job. Its spec is fixed at
// CreateJob; the rest is guarded by batchJobs.mu.
type batchJob struct {
	id, arn, account string
	token, bodyHash  string
	req              createJobXML
	copy             putObjectCopyXML
	created          time.Time

	priority                  int
	status, statusReason      string
	failures                  []jobFailureXML
	total, succeeded, failed  int64
	terminated, suspendedDate time.Time
	activeSince               time.Time
	activeElapsed             time.Duration
	// cancel is set by UpdateJobStatus Cancelled; the runner stops
	// before its next task.
	cancel bool
}

// batchJobs holds the jobs of every account and runs them. Jobs live as
// long as the server: they are not kept in the data directory.
type batchJobs struct {
	mu      sync.Mutex
	changed *sync.Cond // broadcast on every status change and on stop
	byID    map[string]*batchJob
	byToken map[string]*batchJob // account + "/" + ClientRequestToken

	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	// taskGate, when set (by tests, before any job is created), is
	// called by a job's runner before each task with the task's index:
	// a test holds the runner there to act on an Active job.
	taskGate func(jobID string, task int)
}

func newBatchJobs() *batchJobs {
	j := &batchJobs{byID: map[string]*batchJob{}, byToken: map[string]*batchJob{}}
	j.changed = sync.NewCond(&j.mu)
	j.ctx, j.stop = context.WithCancel(context.Background())
	context.AfterFunc(j.ctx, func() {
		j.mu.Lock()
		j.changed.Broadcast()
		j.mu.Unlock()
	})
	return j
}

// close stops every job and waits for their runners to return.
func (j *batchJobs) close() {
	// Stopped under j.mu: CreateJob checks j.ctx and adds its runner to
	// j.wg under j.mu, so no runner is added once Wait may have begun.
	j.mu.Lock()
	j.stop()
	j.mu.Unlock()
	j.wg.Wait()
}

// setStatus moves a job to status; callers hold j.mu.
func (j *batchJobs) setStatus(job *batchJob, status string, now time.Time) {
	if job.status == jobActive && status != jobActive {
		job.activeElapsed += now.Sub(job.activeSince)
	}
	job.status = status
	switch {
	case status == jobActive:
		job.activeSince = now
	case status == jobSuspended:
		job.suspendedDate = now
	case terminalJobStatus(status):
		job.terminated = now
	}
	j.changed.Broadcast()
}

// accountJobs returns an account's jobs, newest first.
func (j *batchJobs) accountJobs(account string) []*batchJob {
	var out []*batchJob
	for _, job := range j.byID {
		if job.account == account {
			out = append(out, job)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].created.Equal(out[b].created) {
			return out[a].created.After(out[b].created)
		}
		return out[a].id < out[b].id
	})
	return out
}

// WaitJob waits until the S3 Batch Operations job id of account is in a
// terminal status (Complete, Failed, Cancelled) or, with status set, in
// that status, and returns its status. It returns early with ctx's error.
// Tests and proofs use it rather than polling DescribeJob on a timer.
func (s *Server) WaitJob(ctx context.Context, account, id, status string) (string, error) {
	j := s.jobs
	stop := context.AfterFunc(ctx, func() {
		j.mu.Lock()
		j.changed.Broadcast()
		j.mu.Unlock()
	})
	defer stop()
	j.mu.Lock()
	defer j.mu.Unlock()
	for {
		job := j.byID[id]
		switch {
		case job == nil || job.account != account:
			return "", errNoSuchJob(id)
		case status == "" && terminalJobStatus(job.status), status != "" && job.status == status:
			return job.status, nil
		case ctx.Err() != nil:
			return job.status, ctx.Err()
		case j.ctx.Err() != nil:
			return job.status, j.ctx.Err()
		}
		j.changed.Wait()
	}
}
