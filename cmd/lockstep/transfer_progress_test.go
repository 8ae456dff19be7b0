package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-dev/lockstep/transfer"
)

func TestProgressLine(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name      string
		s         transfer.ProgressSnapshot
		rate      float64
		rateKnown bool
		want      string
	}{
		{"listing: no ETA", transfer.ProgressSnapshot{Objects: 40, Bytes: 320 * mib, ObjectsDone: 12, BytesDone: 96 * mib}, 48 * mib, true,
			"12/40 objects, 96.0 MiB/320.0 MiB, 48.0 MiB/s, listing…, 0 failed (3s)"},
		{"listed: ETA from the rate", transfer.ProgressSnapshot{Objects: 40, Bytes: 320 * mib, ListingDone: true, ObjectsDone: 12, BytesDone: 96 * mib}, 32 * mib, true,
			"12/40 objects, 96.0 MiB/320.0 MiB, 32.0 MiB/s, ETA 7s, 0 failed (3s)"},
		{"rate unknown: no rate, no ETA", transfer.ProgressSnapshot{Objects: 1, Bytes: 1 << 30, ListingDone: true}, 0, false,
			"0/1 objects, 0 B/1.0 GiB, 0 failed (3s)"},
		{"stalled: no ETA", transfer.ProgressSnapshot{Objects: 1, Bytes: 1 << 30, ListingDone: true, BytesDone: 8 * mib}, 0, true,
			"0/1 objects, 8.0 MiB/1.0 GiB, 0 B/s, 0 failed (3s)"},
		{"nothing left: no ETA", transfer.ProgressSnapshot{Objects: 3, Bytes: 3 * mib, ListingDone: true, ObjectsDone: 3, BytesDone: 3 * mib, Failed: 2, Deleted: 1}, mib, true,
			"3/3 objects, 3.0 MiB/3.0 MiB, 1.0 MiB/s, 2 failed, 1 deleted (3s)"},
		{"long ETA, at least a second", transfer.ProgressSnapshot{Objects: 2, Bytes: 10 << 30, ListingDone: true, ObjectsDone: 1, BytesDone: 1 << 30}, mib, true,
			"1/2 objects, 1.0 GiB/10.0 GiB, 1.0 MiB/s, ETA 2h33m36s, 0 failed (3s)"},
		{"ETA below a second", transfer.ProgressSnapshot{Objects: 2, Bytes: 2 * mib, ListingDone: true, ObjectsDone: 1, BytesDone: mib}, 100 * mib, true,
			"1/2 objects, 1.0 MiB/2.0 MiB, 100.0 MiB/s, ETA 1s, 0 failed (3s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressLine(tt.s, tt.rate, tt.rateKnown, 3*time.Second); got != tt.want {
				t.Errorf("progressLine = %q, want %q", got, tt.want)
			}
		})
	}
}

// The rate is the recent one, over the window, not the average since the
// start.
func TestRateWindow(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := rateWindow{span: 5 * time.Second}
	if _, known := w.rate(); known {
		t.Error("a rate without samples")
	}
	w.add(start, 0)
	if _, known := w.rate(); known {
		t.Error("a rate from one sample")
	}
	// 100 MiB/s for 10 s, then 1 MiB/s for 10 s, sampled every second.
	var done int64
	for i := 1; i <= 20; i++ {
		if i <= 10 {
			done += 100 << 20
		} else {
			done += 1 << 20
		}
		w.add(start.Add(time.Duration(i)*time.Second), done)
		rate, known := w.rate()
		switch i {
		case 10, 20:
			if want := []float64{10: 100 << 20, 20: 1 << 20}[i]; !known || rate != want {
				t.Errorf("after %ds: rate %.0f (%v), want %.0f", i, rate, known, want)
			}
		}
	}
	if len(w.samples) != 6 {
		t.Errorf("the window keeps %d samples, want 6 (5 s at one a second)", len(w.samples))
	}
}

// TestTransferPrinterProgress: the progress line shows the totals a real
// sync counts into the printer's Progress, "listing…" before the
// listings are complete, and is cleared before the summary.
func TestTransferPrinterProgress(t *testing.T) {
	srv := startSyncServer(t)
	dir := siteDir(t)
	ctx := context.Background()
	client, err := loadSide(ctx, sideFlags{endpointURL: srv.URL}, 4)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut, tty strings.Builder
	p := newTransferPrinter(&out, &errOut, "text", false)
	// The ticker never fires here: the test draws.
	p.startProgress(&tty, time.Hour)
	start := time.Now()
	p.draw(start)
	dst, _ := transfer.ParseLocation("s3://site/progress")
	opts := transfer.Options{Report: p.event, Notice: p.notice, Progress: p.progress}
	sum, err := transfer.Sync(ctx, client, transfer.Location{Local: dir}, dst, opts)
	if err != nil || sum.Copied != 3 {
		t.Fatalf("Sync = %+v, %v", sum, err)
	}
	p.draw(start.Add(2 * time.Second))
	p.summary("sync", sum, nil)
	// index.html, css/a.css, img/logo.png: 10+9+12 bytes.
	want := []string{
		"\r\033[K0/0 objects, 0 B/0 B, listing…, 0 failed",
		"\r\033[K3/3 objects, 31 B/31 B, 15 B/s, 0 failed",
	}
	for _, w := range want {
		if !strings.Contains(tty.String(), w) {
			t.Errorf("the terminal lacks %q:\n%q", w, tty.String())
		}
	}
	if !strings.HasSuffix(tty.String(), "\r\033[K") {
		t.Errorf("the progress line is not cleared at the end: %q", tty.String())
	}
	if !strings.Contains(errOut.String(), "sync: 3 copied (31 B)") {
		t.Errorf("no summary: %q", errOut.String())
	}
}
