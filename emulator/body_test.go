package emulator

import (
	"errors"
	"github.com/lockstep-dev/lockstep/internal/checksum"
	"io"
	"strings"
	"testing"
)

// TestObjectBodyLimit: a body of unknown length (aws-chunked) that goes
// past S3's limit fails with EntityTooLarge, so that nothing of it is
// stored; one of exactly the limit is read whole.
func TestObjectBodyLimit(t *testing.T) {
	for _, tt := range []struct {
		body    string
		tooLong bool
	}{
		{"0123456789", false},
		{"", false},
		{"0123456789x", true},
		{strings.Repeat("y", 1000), true},
	} {
		got, err := io.ReadAll(newObjectBody(strings.NewReader(tt.body), 10, newBodyChecksum(nil, checksum.None, checksum.CRC64NVME)))
		var ae *apiError
		switch {
		case tt.tooLong && (!errors.As(err, &ae) || ae.Code != "EntityTooLarge" || ae.Status != 400):
			t.Errorf("%d bytes: %v, want EntityTooLarge", len(tt.body), err)
		case !tt.tooLong && (err != nil || string(got) != tt.body):
			t.Errorf("%d bytes: %q, %v", len(tt.body), got, err)
		}
	}
}
