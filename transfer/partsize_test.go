package transfer

import "testing"

// TestSpreadPartSize: an upload's or a server-side copy's parts grow to
// fill the workers' slots in one wave, from the configured size up to 64
// MiB, and always fit in MaxParts parts.
func TestSpreadPartSize(t *testing.T) {
	const mib, gib = 1 << 20, 1 << 30
	tests := []struct {
		name     string
		size     int64
		partSize int64
		workers  int
		want     int64
	}{
		{"below workers × part size: the configured size", 100 * mib, DefaultPartSize, 32, DefaultPartSize},
		{"1 GiB over 32 workers: 32 parts of 32 MiB", gib, DefaultPartSize, 32, 32 * mib},
		{"1 GiB over 8 workers: capped at 64 MiB", gib, DefaultPartSize, 8, 64 * mib},
		{"rounded up to a MiB", 1000*mib + 1, DefaultPartSize, 32, 32 * mib},
		{"a larger configured size wins", gib, 100 * mib, 32, 100 * mib},
		{"1 TiB: grown to fit 10,000 parts", 1 << 40, DefaultPartSize, 32, (1<<40 + MaxParts - 1) / MaxParts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spreadPartSize(tt.size, tt.partSize, tt.workers)
			if got != tt.want {
				t.Errorf("spreadPartSize(%d, %d, %d) = %d, want %d", tt.size, tt.partSize, tt.workers, got, tt.want)
			}
			if parts := (tt.size + got - 1) / got; parts > MaxParts {
				t.Errorf("%d parts, more than %d", parts, MaxParts)
			}
		})
	}
}
