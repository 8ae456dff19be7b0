package examples_test

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/world"
)

// TestWorlds: every example that is not a seed scenario is a world file
// (docs/world.md) that loads, and opens with a comment saying what it
// shows.
func TestWorlds(t *testing.T) {
	names, err := fs.Glob(examples.Files, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range names {
		if strings.HasPrefix(name, "seed") {
			continue
		}
		n++
		data, err := fs.ReadFile(examples.Files, name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("# ")) {
			t.Errorf("examples/%s: the file does not open with a comment saying what it shows", name)
		}
		if _, err := world.Parse(data, "examples/"+name); err != nil {
			t.Errorf("examples/%s: %v", name, err)
		}
	}
	if n < 2 {
		t.Errorf("found %d world examples, want at least world.yaml and org-perimeter.yaml", n)
	}
}
