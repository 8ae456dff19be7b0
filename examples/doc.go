// Package examples holds the seed experiments as scenario files
// (seed000-s3-sync.yaml, ...), each reproducing one document of
// docs/seeds.md step by step, and embeds them so that `lockstep demo`
// runs with no files at hand. The other files are world files
// (docs/world.md): world.yaml, and org-perimeter.yaml, an organisation with
// a region-guard SCP and a data-perimeter RCP (e2e/perimeter_test.go).
package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/lockstep-dev/lockstep/scenario"
	"github.com/lockstep-dev/lockstep/world"
)

// Files holds every scenario file of this directory.
//
//go:embed *.yaml
var Files embed.FS

// Seeds returns the seed scenarios, parsed, in file order. Each is named
// examples/<file> in messages (Scenario.File).
func Seeds() ([]*scenario.Scenario, error) {
	names, err := fs.Glob(Files, "seed*.yaml")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("examples: no seed scenarios are embedded")
	}
	var out []*scenario.Scenario
	for _, name := range names {
		data, err := fs.ReadFile(Files, name)
		if err != nil {
			return nil, err
		}
		s, err := scenario.Parse(data, "examples/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Seed returns the seed scenario with the given number ("000" .. "003").
func Seed(id string) (*scenario.Scenario, error) {
	seeds, err := Seeds()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range seeds {
		name := path.Base(s.File())
		if strings.HasPrefix(name, "seed"+id) {
			return s, nil
		}
		names = append(names, name)
	}
	return nil, fmt.Errorf("no seed scenario %q; built in: %s", id, strings.Join(names, ", "))
}

// World returns the embedded world file name (e.g. "batch-copy.yaml") as
// its model, named examples/<name> in messages, and compiled.
func World(name string) (*world.Model, *world.World, error) {
	data, err := fs.ReadFile(Files, name)
	if err != nil {
		return nil, nil, fmt.Errorf("examples: %w", err)
	}
	m, err := world.Decode(data, "examples/"+name)
	if err != nil {
		return nil, nil, err
	}
	w, err := world.Compile(m, "examples/"+name)
	if err != nil {
		return nil, nil, err
	}
	return m, w, nil
}
