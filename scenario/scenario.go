package scenario

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/world"
)

// Scenario is one experiment, as read from its file.
type Scenario struct {
	Title string `yaml:"title"`
	// Source names the seed document the scenario reproduces.
	Source  string `yaml:"source"`
	Summary string `yaml:"summary"`
	// Client is the client version the seed's author ran, when it
	// matters for the calls (aws-v1, aws-v2, rclone, s5cmd).
	Client string `yaml:"client"`
	// Principal runs every step unless a step names another.
	Principal string      `yaml:"principal"`
	World     world.Model `yaml:"world"`
	Steps     []Step      `yaml:"steps"`
	// Replay is what running the steps' commands with the real clients
	// needs beyond the world (package replay).
	Replay ReplayData `yaml:"replay"`
	// Conclusion is the experiment's finding, printed at the end.
	Conclusion string `yaml:"conclusion"`

	file string
	data []byte
}

// ReplayData sizes the data the real clients move when the scenario is
// replayed on the emulator.
type ReplayData struct {
	// Objects replaces the content of seeded objects ("bucket/key") with
	// that many random bytes, e.g. to make a copy multipart.
	Objects map[string]Size `yaml:"objects"`
	// Local lists the files of the commands' working directory (path ->
	// size), e.g. rclone's ./dir.
	Local map[string]Size `yaml:"local"`
}

// Size is a byte count written as 1024, "4KiB", "1MiB" or "20MiB".
type Size int64

// UnmarshalYAML reads a plain number or a number with KiB, MiB or GiB.
func (sz *Size) UnmarshalYAML(n *yaml.Node) error {
	v := strings.TrimSpace(n.Value)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if rest, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	x, err := strconv.ParseInt(v, 10, 64)
	if err != nil || x < 0 {
		return fmt.Errorf("line %d: size %q must be a byte count such as 4096, 4KiB or 20MiB", n.Line, n.Value)
	}
	*sz = Size(x * mult)
	return nil
}

// Step is one attempt: the policies added before it and the calls made.
type Step struct {
	Title     string  `yaml:"title"`
	Command   string  `yaml:"command"`
	Principal string  `yaml:"principal"`
	Add       Changes `yaml:"add"`
	Calls     []Call  `yaml:"calls"`
	// Observed is what the seed's author saw, quoted.
	Observed string `yaml:"observed"`
}

// Changes are policies added to the world before a step; they stay for
// the following steps.
type Changes struct {
	// Identity adds inline policies (name -> document) to the step's
	// principal (a user, or the role of a role session).
	Identity world.NamedDocs `yaml:"identity"`
	// BucketPolicies sets bucket policies (bucket -> document).
	BucketPolicies map[string]world.Doc `yaml:"bucket_policies"`
	// KeyPolicies sets key policies (key ID -> document).
	KeyPolicies map[string]world.Doc `yaml:"key_policies"`
}

// Call is one API call the command makes, with the expected outcome.
type Call struct {
	Operation string `yaml:"operation"`
	Bucket    string `yaml:"bucket"`
	Key       string `yaml:"key"`
	// Source is the copy source, "bucket/key".
	Source string `yaml:"source"`
	// Expect is "allowed" or "denied".
	Expect string `yaml:"expect"`
	// DeniedAction is the action expected to fail, e.g. "kms:Decrypt".
	DeniedAction string `yaml:"denied_action"`
	// Prefix sets s3:prefix for list calls.
	Prefix *string `yaml:"prefix"`
}

// Load reads a scenario file.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(data, path)
}

// Is reports whether data looks like a scenario file rather than a world
// file: a mapping with steps at its top level. Commands that take either
// use it to report the errors of the one the file means to be.
func Is(data []byte) bool {
	var top map[string]yaml.Node
	if yaml.Unmarshal(data, &top) != nil {
		return false
	}
	_, ok := top["steps"]
	return ok
}

// Parse reads a scenario from data; name is used in messages.
func Parse(data []byte, name string) (*Scenario, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		kinds := world.Kinds().Add("the scenario", Scenario{}).Add("a step", Step{}).Add("a step's additions", Changes{}).Add("a call", Call{}).Add("the replay data", ReplayData{})
		return nil, kinds.Rewrite(err, name, data, "docs/seeds.md")
	}
	s.file, s.data = name, data
	if len(s.Steps) == 0 {
		return nil, fmt.Errorf("%s: a scenario needs steps", name)
	}
	for i, st := range s.Steps {
		for j, c := range st.Calls {
			if c.Expect != "allowed" && c.Expect != "denied" {
				return nil, fmt.Errorf("%s: steps[%d].calls[%d].expect: %q must be allowed or denied", name, i, j, c.Expect)
			}
		}
	}
	return &s, nil
}

// StepResult is the outcome of one step.
type StepResult struct {
	Step      *Step
	Principal string
	// World is the world the step ran against.
	World *world.World
	Calls []CallResult
}

// CallResult is the outcome of one call and whether it is as expected.
type CallResult struct {
	Call   *Call
	Result *enforce.Result
	// Problem is empty when the outcome is the expected one.
	Problem string
}

// OK reports whether every call of the step had its expected outcome.
func (r *StepResult) OK() bool {
	for _, c := range r.Calls {
		if c.Problem != "" {
			return false
		}
	}
	return true
}

// scenarioTime is the fixed time steps run at.
var scenarioTime = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// Run replays every step, adding each step's policies to the world first.
// The error is for a scenario that cannot run (bad world, unknown
// principal); unexpected outcomes are reported in the results.
func (s *Scenario) Run() ([]StepResult, error) {
	// Each run starts from the world as written: decode it afresh, since
	// steps change the model in place.
	fresh, err := Parse(s.data, s.file)
	if err != nil {
		return nil, err
	}
	m := fresh.World
	var out []StepResult
	for i := range s.Steps {
		st := &s.Steps[i]
		principal := st.Principal
		if principal == "" {
			principal = s.Principal
		}
		if err := apply(&m, principal, st.Add); err != nil {
			return nil, fmt.Errorf("%s: step %d: %w", s.file, i+1, err)
		}
		w, err := world.Compile(&m, s.file)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i+1, err)
		}
		p, err := w.Principal(principal)
		if err != nil {
			return nil, fmt.Errorf("%s: step %d: %w", s.file, i+1, err)
		}
		sr := StepResult{Step: st, Principal: principal, World: w}
		for j := range st.Calls {
			c := &st.Calls[j]
			call := enforce.Call{Operation: c.Operation, Bucket: c.Bucket, Key: c.Key,
				Env: authz.Env{Time: scenarioTime, SecureTransport: true, SourceIP: "203.0.113.10"}}
			if c.Source != "" {
				call.SourceBucket, call.SourceKey, _ = strings.Cut(c.Source, "/")
			}
			if c.Prefix != nil {
				call.Keys = map[string][]string{"s3:prefix": {*c.Prefix}}
			}
			res, err := enforce.Authorize(w, p, call)
			if err != nil {
				return nil, fmt.Errorf("%s: step %d call %d: %w", s.file, i+1, j+1, err)
			}
			sr.Calls = append(sr.Calls, CallResult{Call: c, Result: res, Problem: check(c, res)})
		}
		out = append(out, sr)
	}
	return out, nil
}

func check(c *Call, r *enforce.Result) string {
	d := r.Denied()
	switch {
	case c.Expect == "allowed" && d != nil:
		return fmt.Sprintf("expected allowed, but %s on %s was denied: %s", d.Action, d.Resource, d.Decision.Summary())
	case c.Expect == "denied" && d == nil:
		return "expected denied, but every check was allowed"
	case c.Expect == "denied" && c.DeniedAction != "" && !strings.EqualFold(d.Action, c.DeniedAction):
		return fmt.Sprintf("expected %s to be the denied action, but %s was denied first", c.DeniedAction, d.Action)
	}
	return ""
}

// apply adds a step's changes to the model.
func apply(m *world.Model, principal string, ch Changes) error {
	if len(ch.Identity.Names) > 0 {
		u, r := m.FindPrincipal(principal)
		switch {
		case u != nil:
			for i, n := range ch.Identity.Names {
				u.Policies.Set(n, ch.Identity.Docs[i])
			}
		case r != nil:
			for i, n := range ch.Identity.Names {
				r.Policies.Set(n, ch.Identity.Docs[i])
			}
		default:
			return fmt.Errorf("add.identity: principal %s is not a user or role of the world", principal)
		}
	}
	for name, d := range ch.BucketPolicies {
		b := m.FindBucket(name)
		if b == nil {
			return fmt.Errorf("add.bucket_policies: no bucket %q in the world", name)
		}
		d := d
		b.Policy = &d
	}
	for id, d := range ch.KeyPolicies {
		k := m.FindKey(id)
		if k == nil {
			return fmt.Errorf("add.key_policies: no key %q in the world", id)
		}
		d := d
		k.Policy = &d
	}
	return nil
}

// File returns the file the scenario was read from.
func (s *Scenario) File() string { return s.file }

// StepWorlds returns the world model each step runs against: the world as
// written with the changes of that step and every earlier one. The
// emulator's end-to-end tests serve them to the real clients.
func (s *Scenario) StepWorlds() ([]*world.Model, error) {
	fresh, err := Parse(s.data, s.file)
	if err != nil {
		return nil, err
	}
	m := &fresh.World
	var out []*world.Model
	for i := range s.Steps {
		st := &s.Steps[i]
		principal := st.Principal
		if principal == "" {
			principal = s.Principal
		}
		if err := apply(m, principal, st.Add); err != nil {
			return nil, fmt.Errorf("%s: step %d: %w", s.file, i+1, err)
		}
		out = append(out, m.Clone())
	}
	return out, nil
}
