package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lockstep-dev/lockstep/scenario"
	"github.com/lockstep-dev/lockstep/world"
)

// worldFile is a world read from a world file, or from a scenario file as
// of one of its steps (explain, check).
type worldFile struct {
	World *world.World
	// Scenario is set for a scenario file; Step is then the step's
	// 1-based number.
	Scenario *scenario.Scenario
	Step     int
	// Principal is the step's principal; empty for a world file.
	Principal string
}

// loadWorldFile reads a world file, or a scenario file's world as of step
// (1-based; 0: the first) with that step's principal.
func loadWorldFile(path string, step int) (*worldFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	w, werr := world.Parse(data, path)
	if werr == nil {
		if step != 0 {
			return nil, fmt.Errorf("--step applies to scenario files; %s is a world file", path)
		}
		return &worldFile{World: w}, nil
	}
	s, serr := scenario.Parse(data, path)
	if serr != nil {
		return nil, errors.Join(werr, fmt.Errorf("nor a scenario file: %w", serr))
	}
	worlds, err := s.StepWorlds()
	if err != nil {
		return nil, err
	}
	if step == 0 {
		step = 1
	}
	if step < 1 || step > len(worlds) {
		return nil, fmt.Errorf("--step %d: %s has steps 1 to %d", step, path, len(worlds))
	}
	w, err = world.Compile(worlds[step-1], path)
	if err != nil {
		return nil, err
	}
	p := s.Steps[step-1].Principal
	if p == "" {
		p = s.Principal
	}
	return &worldFile{World: w, Scenario: s, Step: step, Principal: p}, nil
}
