package world

import (
	"strings"
	"testing"
)

// profiles maps AWS profile names to principals, each resolved in the
// world (issue 9: plan and check take the principal from --profile and
// AWS_PROFILE).
func TestProfiles(t *testing.T) {
	const accounts = "accounts:\n  - id: \"111111111111\"\n    users: [{name: alice}]\n    roles: [{name: Copy}]\n"
	tests := []struct {
		name, doc string
		want      map[string]string
		wantErr   string
	}{
		{name: "user, role and session",
			doc:  accounts + "profiles:\n  default: arn:aws:iam::111111111111:user/alice\n  copy: arn:aws:iam::111111111111:role/Copy\n  job: arn:aws:sts::111111111111:assumed-role/Copy/job-1\n",
			want: map[string]string{"default": "arn:aws:iam::111111111111:user/alice", "copy": "arn:aws:iam::111111111111:role/Copy", "job": "arn:aws:sts::111111111111:assumed-role/Copy/job-1"}},
		{name: "none", doc: accounts, want: map[string]string{}},
		{name: "unknown user", doc: accounts + "profiles:\n  ops: arn:aws:iam::111111111111:user/bob\n",
			wantErr: "w.yaml:6: profiles.ops: principal arn:aws:iam::111111111111:user/bob: no such user in account 111111111111 of w.yaml"},
		{name: "unknown account", doc: accounts + "profiles:\n  ops: arn:aws:iam::222222222222:user/bob\n",
			wantErr: "w.yaml:6: profiles.ops: principal arn:aws:iam::222222222222:user/bob: account 222222222222 is not in the world file"},
		{name: "not an ARN", doc: accounts + "profiles:\n  ops: alice\n", wantErr: `w.yaml:6: profiles.ops: principal "alice" is not a user, role, assumed-role or root ARN`},
		{name: "anonymous", doc: accounts + "profiles:\n  ops: anonymous\n", wantErr: `profiles.ops: a profile signs its requests`},
		{name: "bad name", doc: accounts + "profiles:\n  \"my profile\": arn:aws:iam::111111111111:user/alice\n", wantErr: `profiles: "my profile" is not an AWS profile name`},
		{name: "not a mapping", doc: accounts + "profiles: [a]\n", wantErr: "w.yaml: line 5: this must be a mapping of names to values, but it is a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Parse([]byte(tt.doc), "w.yaml")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := w.ProfileNames(); len(got) != len(tt.want) {
				t.Errorf("profiles %v, want %v", got, tt.want)
			}
			for name, arn := range tt.want {
				if got, ok := w.Profile(name); !ok || got != arn {
					t.Errorf("profile %s = %q (%v), want %q", name, got, ok, arn)
				}
			}
		})
	}
}

// Clone copies the profiles: changing the clone's leaves the original's.
func TestCloneProfiles(t *testing.T) {
	m := &Model{Profiles: map[string]string{"a": "x"}}
	c := m.Clone()
	c.Profiles["a"] = "y"
	if m.Profiles["a"] != "x" {
		t.Error("Clone shares the profiles map")
	}
}
