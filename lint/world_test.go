package lint_test

import (
	"os"
	"testing"

	"github.com/lockstep-dev/lockstep/lint"
	"github.com/lockstep-dev/lockstep/world"
)

// TestWorld: every policy of a world is linted as the type it is, and
// each finding names the line where its document starts and what it
// belongs to (issue 11).
func TestWorld(t *testing.T) {
	const name = "testdata/world-mistakes.yaml"
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := world.Decode(data, name)
	if err != nil {
		t.Fatal(err)
	}
	want := []lint.Finding{
		{File: name, Line: 9, Owner: `user alice of account 111111111111, policy "read"`, Path: "Statement[0].Resource", Code: "object-action-on-bucket-arn"},
		{File: name, Line: 15, Owner: "bucket data of account 111111111111, bucket policy", Path: "Statement[0].Resource", Code: "bucket-action-on-object-arn"},
	}
	got := lint.World(name, m)
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d:\n%v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.File != w.File || g.Line != w.Line || g.Col != 0 || g.Owner != w.Owner || g.Path != w.Path || g.Code != w.Code {
			t.Errorf("finding %d = %+v, want %+v", i, g, w)
		}
	}
}
