package transfer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrDeleteRefused is the error of a sync whose deletions did not run:
// some copies failed, more than --max-delete were due, or the source
// listed nothing.
var ErrDeleteRefused = errors.New("deletions refused")

// deleteAll deletes the destination entries the source lacks, after every
// copy: never when a copy failed, when the source listed no object at all
// (an empty or unmounted source is far more often a mistake than a wish
// to empty the destination: docs/sync.md "Safety"), or when there are
// more than MaxDelete of them.
func (j *job) deleteAll(ctx context.Context, deletes *pendingDeletes, sourceCount int) error {
	n := deletes.len()
	if n == 0 {
		return nil
	}
	switch {
	case j.summary.Failed > 0:
		j.refuseDeletes(n, "some copies failed")
		return fmt.Errorf("%w: %d objects failed to copy, so the %d deletions --delete asked for did not run; rerun once the failures are fixed", ErrDeleteRefused, j.summary.Failed, n)
	case sourceCount == 0:
		j.refuseDeletes(n, "the source is empty")
		return fmt.Errorf("%w: the source %s lists no object (after filters), so --delete would delete all %d objects of the destination; lockstep refuses (docs/sync.md, Safety)", ErrDeleteRefused, j.src, n)
	case j.opts.MaxDelete >= 0 && n > j.opts.MaxDelete:
		j.refuseDeletes(n, "more than --max-delete")
		return fmt.Errorf("%w: --delete would delete %d objects, more than --max-delete %d; nothing deleted", ErrDeleteRefused, n, j.opts.MaxDelete)
	}
	if j.opts.DryRun {
		for e, err := range deletes.all() {
			if err != nil {
				return err
			}
			j.report(Event{Op: "delete", Dest: j.dst.display(e.Key), Size: e.Size, DryRun: true})
		}
		return nil
	}
	work := make(chan Entry)
	var wg sync.WaitGroup
	for range min(j.opts.Workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				j.report(Event{Op: "delete", Dest: j.dst.display(e.Key), Size: e.Size, Err: j.deleteOne(ctx, e.Key)})
			}
		}()
	}
	var readErr error
	for e, err := range deletes.all() {
		if err != nil {
			readErr = err
			break
		}
		select {
		case work <- e:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if readErr != nil {
		return readErr
	}
	return ctx.Err()
}

// deleteOne deletes one destination object, with one DeleteObject call as
// the AWS CLI's sync does.
func (j *job) deleteOne(ctx context.Context, rel string) error {
	l := j.dst.join(rel)
	if !l.IsS3() {
		return os.Remove(l.Local)
	}
	_, err := j.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key)})
	return err
}
