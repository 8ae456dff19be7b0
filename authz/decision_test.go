package authz

import "testing"

// Summary never prints an empty "allowed by ": an Allow no statement
// decided is the root user in its own account, or an object ACL grant
// (the emulator's objects owned by another account, docs/decisions.md).
func TestSummaryWithoutStatement(t *testing.T) {
	tests := []struct {
		d    Decision
		want string
	}{
		{Decision{Effect: Allow, Type: TypeIdentity, Principal: "arn:aws:iam::111111111111:root", root: true},
			"allowed: the root user has full access in its own account and needs no policy"},
		{Decision{Effect: Allow, Type: TypeResource, Principal: "anonymous"},
			"allowed by the object's access control list (no policy statement)"},
	}
	for _, tt := range tests {
		if got := tt.d.Summary(); got != tt.want {
			t.Errorf("Summary() = %q, want %q", got, tt.want)
		}
	}
}
