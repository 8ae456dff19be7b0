package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go"

	"github.com/lockstep-dev/lockstep/explain"
	"github.com/lockstep-dev/lockstep/transfer"
)

// transferPrinter prints the events of sync and cp: the AWS CLI's lines
// ("upload: ./a to s3://b/a") or one JSON record a line.
type transferPrinter struct {
	out, errOut io.Writer
	json        *json.Encoder

	// tty is standard error when it is a terminal and progress is wanted:
	// a progress line is drawn there, and cleared before each line.
	tty io.Writer
	// progress is the job's (Options.Progress), which the line shows;
	// nil without a line.
	progress *transfer.Progress
	rates    rateWindow // used by tick only
	mu       sync.Mutex
	start    time.Time
	drawn    bool
	stopTick chan struct{}
	ticked   sync.WaitGroup
}

func newTransferPrinter(out, errOut io.Writer, format string, showProgress bool) *transferPrinter {
	p := &transferPrinter{out: out, errOut: errOut, start: time.Now()}
	if format == "json" {
		p.json = json.NewEncoder(out)
	} else if tty := progress(errOut); showProgress && tty != nil {
		p.startProgress(tty, 200*time.Millisecond)
	}
	return p
}

// startProgress draws the progress line on tty every interval, until
// summary; the job counts into p.progress (Options.Progress).
func (p *transferPrinter) startProgress(tty io.Writer, interval time.Duration) {
	p.tty = tty
	p.progress = &transfer.Progress{}
	p.rates = rateWindow{span: rateSpan}
	p.stopTick = make(chan struct{})
	p.ticked.Add(1)
	go p.tick(interval)
}

// tick redraws the progress line every interval until summary.
func (p *transferPrinter) tick(interval time.Duration) {
	defer p.ticked.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-p.stopTick:
			return
		case now := <-t.C:
			p.draw(now)
		}
	}
}

// draw redraws the progress line as of now; tick calls it, and only it.
func (p *transferPrinter) draw(now time.Time) {
	s := p.progress.Snapshot()
	p.rates.add(now, s.BytesDone)
	rate, known := p.rates.rate()
	line := progressLine(s, rate, known, now.Sub(p.start))
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.tty, "\r\033[K"+line)
	p.drawn = true
}

// clearProgress erases the progress line before a line is printed; p.mu
// is held.
func (p *transferPrinter) clearProgress() {
	if p.drawn {
		fmt.Fprint(p.tty, "\r\033[K")
		p.drawn = false
	}
}

// transferRecord is one line of --output json (docs/output.md).
type transferRecord struct {
	Op          string  `json:"op"`
	Source      string  `json:"source,omitempty"`
	Destination string  `json:"destination,omitempty"`
	Size        int64   `json:"size"`
	DryRun      bool    `json:"dryRun,omitempty"`
	Seconds     float64 `json:"seconds,omitempty"`
	Error       string  `json:"error,omitempty"`
	ErrorCode   string  `json:"errorCode,omitempty"`
	Permission  string  `json:"permission,omitempty"`
	Hint        string  `json:"hint,omitempty"`
}

// summaryRecord is the last line of --output json.
type summaryRecord struct {
	Op             string  `json:"op"`
	Copied         int     `json:"copied"`
	Skipped        int     `json:"skipped"`
	Deleted        int     `json:"deleted"`
	Failed         int     `json:"failed"`
	Bytes          int64   `json:"bytes"`
	DeletesRefused int     `json:"deletesRefused,omitempty"`
	WouldCopy      int     `json:"wouldCopy,omitempty"`
	WouldDelete    int     `json:"wouldDelete,omitempty"`
	Seconds        float64 `json:"seconds"`
	CopyPath       string  `json:"copyPath,omitempty"`
	Error          string  `json:"error,omitempty"`
}

func (p *transferPrinter) event(e transfer.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearProgress()
	rec := transferRecord{Op: e.Op, Source: e.Source, Destination: e.Dest, Size: e.Size, DryRun: e.DryRun, Seconds: e.Duration.Seconds()}
	if e.Err != nil {
		rec.Error = describeError(e.Err)
		rec.ErrorCode, rec.Permission, rec.Hint = denial(e.Err)
	}
	if p.json != nil {
		_ = p.json.Encode(rec)
		return
	}
	line := e.Op + ": "
	if e.Source != "" {
		line += e.Source + " to "
	}
	line += e.Dest
	switch {
	case e.Err != nil:
		msg := e.Op + " failed: " + strings.TrimPrefix(line, e.Op+": ") + " " + rec.Error
		if rec.Permission != "" && rec.Hint != "" {
			msg += "\n  needs " + rec.Permission + ": " + rec.Hint
		} else if likely := likelyDenial(e.Err); likely != "" {
			msg += "\n  " + likely
		}
		fmt.Fprintln(p.errOut, msg)
	case e.DryRun:
		fmt.Fprintln(p.out, "(dryrun) "+line)
	default:
		fmt.Fprintln(p.out, line)
	}
}

// summary ends the run: a JSON record, or a line on standard error.
func (p *transferPrinter) summary(verb string, s transfer.Summary, err error) {
	if p.stopTick != nil {
		close(p.stopTick)
		p.ticked.Wait()
		p.clearProgress()
	}
	if p.json != nil {
		rec := summaryRecord{Op: "summary", Copied: s.Copied, Skipped: s.Skipped, Deleted: s.Deleted, Failed: s.Failed, Bytes: s.Bytes, DeletesRefused: s.DeletesRefused, WouldCopy: s.WouldCopy, WouldDelete: s.WouldDelete, Seconds: s.Duration.Seconds(), CopyPath: s.CopyPath}
		if err != nil {
			rec.Error = describeError(err)
		}
		_ = p.json.Encode(rec)
		return
	}
	if err != nil && s.Copied+s.Skipped+s.Failed == 0 {
		return // the error says it all
	}
	line := fmt.Sprintf("%s: %d copied (%s), %d unchanged, %d deleted, %d failed in %.1fs", verb, s.Copied, humanBytes(s.Bytes), s.Skipped, s.Deleted, s.Failed, s.Duration.Seconds())
	if s.WouldCopy+s.WouldDelete > 0 {
		line += fmt.Sprintf("; --dryrun: %d would be copied, %d deleted", s.WouldCopy, s.WouldDelete)
	}
	if s.DeletesRefused > 0 {
		line += fmt.Sprintf("; %d deletions not run (%s)", s.DeletesRefused, s.DeleteRefusal)
	}
	fmt.Fprintln(p.errOut, line)
}

// describeError rewrites the SDK's error of a call in the AWS CLI's words,
// "An error occurred (AccessDenied) when calling the PutObject operation:
// MESSAGE", keeping the context around it.
func describeError(err error) string {
	var op *smithy.OperationError
	var api smithy.APIError
	if !errors.As(err, &op) || !errors.As(err, &api) {
		return err.Error()
	}
	cli := fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", api.ErrorCode(), op.OperationName, api.ErrorMessage())
	return strings.Replace(err.Error(), op.Error(), cli, 1)
}

// denial returns, for a denied call, the error code, the permission AWS's
// message names and how to grant it (package explain).
func denial(err error) (code, permission, hint string) {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return "", "", ""
	}
	code = api.ErrorCode()
	if !strings.Contains(code, "AccessDenied") {
		return code, "", ""
	}
	x, xerr := explain.Explain(describeError(err), explain.Options{})
	if xerr != nil {
		return code, "", ""
	}
	for _, c := range x.Candidates {
		if c.Exact {
			return code, c.Action + " on " + c.Resource, c.Hint
		}
	}
	return code, "", ""
}

// likelyDenial is, for a denial whose message names no permission (a
// bare "Access Denied", as across accounts), the most likely one and how
// to grant it, as explain ranks them; "" otherwise.
func likelyDenial(err error) string {
	var api smithy.APIError
	if !errors.As(err, &api) || !strings.Contains(api.ErrorCode(), "AccessDenied") {
		return ""
	}
	x, xerr := explain.Explain(describeError(err), explain.Options{})
	if xerr != nil || len(x.Candidates) == 0 || x.Candidates[0].Exact {
		return ""
	}
	c := x.Candidates[0]
	return "most likely needs " + c.Action + " on " + c.Resource + " (AWS's message names no permission; lockstep explain ranks the other causes): " + c.Hint
}

// humanBytes is n in B, KiB, MiB or GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n), []string{"KiB", "MiB", "GiB", "TiB"}
	i := -1
	for v >= unit && i < len(suffix)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, suffix[i])
}
