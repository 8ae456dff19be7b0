package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/transfer"
)

// rateSpan is how far back the progress line's rate looks: the ETA
// follows the recent rate, not the average since the start.
const rateSpan = 5 * time.Second

// rateWindow is the byte rate over a moving window of samples.
type rateWindow struct {
	span    time.Duration
	samples []rateSample // oldest first
}

type rateSample struct {
	at    time.Time
	bytes int64
}

// add records that bytes were done at the time at, and forgets the
// samples older than the window needs (it keeps the newest one at or
// before at-span, so that the window covers the whole span).
func (w *rateWindow) add(at time.Time, bytes int64) {
	w.samples = append(w.samples, rateSample{at: at, bytes: bytes})
	i := 0
	for i+1 < len(w.samples) && !w.samples[i+1].at.After(at.Add(-w.span)) {
		i++
	}
	w.samples = w.samples[i:]
}

// rate is the bytes a second across the window; false while it has
// fewer than two samples apart in time.
func (w *rateWindow) rate() (float64, bool) {
	if len(w.samples) < 2 {
		return 0, false
	}
	first, last := w.samples[0], w.samples[len(w.samples)-1]
	secs := last.at.Sub(first.at).Seconds()
	if secs <= 0 {
		return 0, false
	}
	return max(0, float64(last.bytes-first.bytes)/secs), true
}

// progressLine is the progress of a run: objects and bytes done of those
// found to transfer, the recent rate (when known), the ETA (once the
// listings are complete, while bytes are left and the rate is known and
// not zero; "listing…" before), the failures and deletions, and the time
// since the start.
func progressLine(s transfer.ProgressSnapshot, rate float64, rateKnown bool, elapsed time.Duration) string {
	parts := []string{
		fmt.Sprintf("%d/%d objects", s.ObjectsDone, s.Objects),
		humanBytes(s.BytesDone) + "/" + humanBytes(s.Bytes),
	}
	if rateKnown {
		parts = append(parts, humanBytes(int64(rate))+"/s")
	}
	left := s.Bytes - s.BytesDone
	switch {
	case !s.ListingDone:
		parts = append(parts, "listing…")
	case left > 0 && rateKnown && rate > 0:
		eta := time.Duration(float64(left) / rate * float64(time.Second))
		parts = append(parts, "ETA "+max(eta.Round(time.Second), time.Second).String())
	}
	parts = append(parts, fmt.Sprintf("%d failed", s.Failed))
	if s.Deleted > 0 {
		parts = append(parts, fmt.Sprintf("%d deleted", s.Deleted))
	}
	return strings.Join(parts, ", ") + " (" + elapsed.Round(time.Second).String() + ")"
}
