package emulator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/world"
)

// savedWorldFile is where a data directory keeps the world it is served
// with, rewritten after every change made through the S3, IAM and KMS
// APIs, so that a restart without --world serves the same accounts.
const savedWorldFile = "world.yaml"

func savedWorldName(dir string) string {
	return filepath.Join(dir, savedWorldFile) + " (saved by lockstep serve)"
}

// loadSavedWorld reads the saved world of a data directory; nil when it
// has none.
func loadSavedWorld(dir string) (*world.Model, error) {
	path := filepath.Join(dir, savedWorldFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	m, err := world.Decode(data, path)
	if err != nil {
		return nil, fmt.Errorf("emulator: the saved world of the data directory: %w (start with --world FILE to replace it)", err)
	}
	return m, nil
}

// saveWorld writes the world atomically: temporary file, fsync, rename.
func saveWorld(dir string, m *world.Model) error {
	data, err := yaml.Marshal(m)
	if err != nil {
		return fmt.Errorf("save the world: %w", err)
	}
	header := []byte("# The world lockstep serve runs with, saved after every change made through\n# the APIs. It is read at start-up when no --world is given.\n")
	if err := writeFileAtomic(filepath.Join(dir, savedWorldFile), append(header, data...), 0o600); err != nil {
		return fmt.Errorf("save the world: %w", err)
	}
	return nil
}
