package transfer

import (
	"testing"
	"time"
)

// The AWS CLI's sync strategies (docs/sync.md "What is copied").
func TestShouldCopy(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	older, newer := t0.Add(-time.Second), t0.Add(time.Second)
	tests := []struct {
		name     string
		s        Strategy
		d        Direction
		srcSize  int64
		dstSize  int64
		dstTime  time.Time
		wantCopy bool
	}{
		{"upload: same size, destination newer", SizeAndTime, Upload, 5, 5, newer, false},
		{"upload: same size, same time", SizeAndTime, Upload, 5, 5, t0, false},
		{"upload: same size, destination older", SizeAndTime, Upload, 5, 5, older, true},
		{"upload: sizes differ", SizeAndTime, Upload, 5, 6, newer, true},
		{"copy: destination older", SizeAndTime, Copy, 5, 5, older, true},
		{"copy: destination newer", SizeAndTime, Copy, 5, 5, newer, false},
		{"download: local file older", SizeAndTime, Download, 5, 5, older, false},
		{"download: same time", SizeAndTime, Download, 5, 5, t0, false},
		{"download: local file newer", SizeAndTime, Download, 5, 5, newer, true},
		{"download: sizes differ", SizeAndTime, Download, 5, 4, t0, true},
		{"exact timestamps download: older", ExactTimestamps, Download, 5, 5, older, true},
		{"exact timestamps download: same", ExactTimestamps, Download, 5, 5, t0, false},
		{"exact timestamps upload: default rule", ExactTimestamps, Upload, 5, 5, newer, false},
		{"exact timestamps upload: older", ExactTimestamps, Upload, 5, 5, older, true},
		{"size only: same size, older", SizeOnly, Upload, 5, 5, older, false},
		{"size only: sizes differ", SizeOnly, Download, 5, 6, t0, true},
		{"always", Always, Upload, 5, 5, newer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.ShouldCopy(tt.d, tt.srcSize, tt.dstSize, t0, tt.dstTime); got != tt.wantCopy {
				t.Errorf("ShouldCopy = %v, want %v", got, tt.wantCopy)
			}
		})
	}
}
