package main

import (
	"fmt"
	"io"
	"os"

	"github.com/lockstep-dev/lockstep/lint"
	"github.com/lockstep-dev/lockstep/scenario"
	"github.com/lockstep-dev/lockstep/world"
)

// worldFile is the world a --world flag names: a world file, or a
// scenario file's world as of one of its steps. Every command that takes
// --world reads it with loadWorldFile.
type worldFile struct {
	// Model is the world as written (plan and serve need it); World is
	// the same compiled.
	Model *world.Model
	World *world.World
	// Scenario is set for a scenario file; Step is then the step's
	// 1-based number.
	Scenario *scenario.Scenario
	Step     int
	// Principal is the step's principal; empty for a world file.
	Principal string
}

// loadWorldFile reads a world file, or a scenario file's world as of step
// (1-based; 0: the last step) with that step's principal. For a scenario
// it says on stderr which step's world it read, and for either it prints
// on stderr the lint warnings of the world's policies (a policy that
// grants an object action on the bucket ARN, and the like). stderr may be
// nil (no messages).
func loadWorldFile(path string, step int, stderr io.Writer) (*worldFile, error) {
	if stderr == nil {
		stderr = io.Discard
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--world: %w", err)
	}
	wf := &worldFile{}
	if !scenario.Is(data) {
		m, err := world.Decode(data, path)
		if err != nil {
			return nil, err
		}
		if step != 0 {
			return nil, fmt.Errorf("--step applies to scenario files; %s is a world file", path)
		}
		wf.Model = m
	} else {
		s, err := scenario.Parse(data, path)
		if err != nil {
			return nil, err
		}
		worlds, err := s.StepWorlds()
		if err != nil {
			return nil, err
		}
		last := step == 0
		if last {
			step = len(worlds)
		}
		if step < 1 || step > len(worlds) {
			return nil, fmt.Errorf("--step %d: %s has steps 1 to %d", step, path, len(worlds))
		}
		wf.Model, wf.Scenario, wf.Step = worlds[step-1], s, step
		wf.Principal = firstNonEmpty(s.Steps[step-1].Principal, s.Principal)
		how := ""
		if last {
			how = " (the last; --step N for another)"
		}
		fmt.Fprintf(stderr, "lockstep: %s is a scenario: its world as of step %d of %d%s\n", path, step, len(worlds), how)
	}
	if wf.World, err = world.Compile(wf.Model.Clone(), path); err != nil {
		return nil, err
	}
	for _, f := range lint.World(path, wf.Model) {
		fmt.Fprintf(stderr, "lockstep: %s\n", f)
	}
	return wf, nil
}
