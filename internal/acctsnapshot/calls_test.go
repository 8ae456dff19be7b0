package acctsnapshot

import (
	"slices"
	"testing"

	"github.com/lockstep-dev/lockstep/s3ops"
)

// TestCallsHaveCatalogueRows: every call of the snapshot is a row of the
// operation catalogue, which lockstep serve authorizes it by, and
// Permissions lists each of their actions once: --plan's list is the
// catalogue's, not a second one.
func TestCallsHaveCatalogueRows(t *testing.T) {
	perms, err := Permissions()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(perms) || len(slices.Compact(slices.Clone(perms))) != len(perms) {
		t.Errorf("Permissions() = %v: not sorted or not unique", perms)
	}
	for _, c := range Calls {
		op, ok := s3ops.Lookup(c.Service, c.Operation)
		if !ok {
			t.Errorf("%s: no catalogue row %s %s", c.Command, c.Service, c.Operation)
			continue
		}
		for _, p := range op.Permissions {
			if !slices.Contains(perms, p.Action) {
				t.Errorf("%s: %s is not in Permissions()", c.Command, p.Action)
			}
		}
	}
	if len(perms) != 19 {
		t.Errorf("Permissions() = %d actions %v, want the 19 of the 20 calls (GetCallerIdentity needs none)", len(perms), perms)
	}
}
