package world

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads and compiles a world file (YAML or JSON).
func Load(path string) (*World, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	return Parse(data, path)
}

// LoadModel reads a world file (YAML or JSON) into its Model, for code
// that changes it or hands it to the emulator.
func LoadModel(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	return Decode(data, path)
}

// Parse reads and compiles a world file; name is used in messages.
func Parse(data []byte, name string) (*World, error) {
	m, err := Decode(data, name)
	if err != nil {
		return nil, err
	}
	return Compile(m, name)
}

// Decode reads a world file into its Model without validating it.
func Decode(data []byte, name string) (*Model, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Kinds().Rewrite(err, name, data, "docs/world.md")
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: the world file is empty; see docs/world.md for its shape", name)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m Model
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the world file is empty; see docs/world.md for its shape", name)
		}
		return nil, Kinds().Rewrite(err, name, data, "docs/world.md")
	}
	m.root = root.Content[0]
	return &m, nil
}

// Error is a problem in a world file, with the line it is on.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Errors is every problem found in a world file.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}
