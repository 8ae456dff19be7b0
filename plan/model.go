package plan

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/scenario"
)

//go:embed models/*.yaml
var modelFiles embed.FS

// Model is the behaviour of one client: which calls each command makes,
// read from a data file in plan/models, each with where it comes from.
type Model struct {
	Client Client `yaml:"client"`
	Name   string `yaml:"name"`
	// Source says where the behaviour was read or observed.
	Source string `yaml:"source"`
	// MultipartThreshold is the object size from which the client uses a
	// multipart upload or copy.
	MultipartThreshold scenario.Size `yaml:"multipart_threshold"`
	// MultipartThresholdFlag names the flag of a command (as its parser
	// stores it: a byte count) that sets the multipart threshold; empty:
	// no flag does.
	MultipartThresholdFlag string `yaml:"multipart_threshold_flag"`
	// Thresholds are the client's other object size thresholds, by
	// name, such as the size from which a server-side copy is made in
	// parts; calls name theirs with size_threshold.
	Thresholds map[string]Threshold `yaml:"thresholds"`
	Flows      []Flow               `yaml:"flows"`
	// Notes are remarks for people on the client's behaviour, each in the
	// plan of the commands its condition holds for.
	Notes []ModelNote `yaml:"notes"`
	// Errors are the shapes of the client's error lines, tried in order
	// (package explain reads them).
	Errors []ErrorShape `yaml:"errors"`
}

// ErrorShape is one shape of a client's error lines: what the client was
// doing when it printed a line that matches.
type ErrorShape struct {
	// Match is a regular expression (RE2) found in the line. Its named
	// groups: command (a command line of the client without its name),
	// source and dest (the paths of the transfer, as the client writes
	// them), bucket and key (the S3 target), object (an object's path
	// under the command's source or destination).
	Match string `yaml:"match"`
	// Command is the client command the line reports, with {group}
	// replaced by the group's text: "aws s3 cp {source} {dest}". Its
	// plan gives the calls and their targets.
	Command string `yaml:"command"`
	// Ops are the operations the line can come from, in the order the
	// client makes them; none: any call of the command.
	Ops []string `yaml:"ops"`
	// Side limits the calls to the command's "source" or "destination".
	Side string `yaml:"side"`
	// Step says what the client was doing, for people.
	Step string `yaml:"step"`
	// Cause, for a line that reports no denied permission, is what
	// causes it and what to do instead.
	Cause string `yaml:"cause"`

	re *regexp.Regexp
}

// Find returns the named groups of the first match of the shape in
// text (empty strings for groups that did not take part), nil when the
// text does not match.
func (s *ErrorShape) Find(text string) map[string]string {
	m := s.re.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	out := map[string]string{}
	for i, name := range s.re.SubexpNames() {
		if name != "" {
			out[name] = m[i]
		}
	}
	return out
}

// Expand returns the command of a line, with the groups found in it.
func (s *ErrorShape) Expand(groups map[string]string) string {
	cmd := s.Command
	for name, v := range groups {
		cmd = strings.ReplaceAll(cmd, "{"+name+"}", v)
	}
	return cmd
}

// ModelNote is a remark on the client's behaviour, for the commands its
// condition holds for.
type ModelNote struct {
	When Condition `yaml:"when"`
	// DestKMS limits the note to a destination bucket whose default
	// encryption, as the world gives it, is SSE-KMS. Text may name the
	// bucket, {dest-bucket}, and its key ARN, {dest-key}.
	DestKMS bool   `yaml:"dest_kms"`
	Text    string `yaml:"text"`
}

// Threshold is an object size at which a client's calls change.
type Threshold struct {
	Size scenario.Size `yaml:"size"`
	// Flag names the flag of a command (a byte count) that sets it.
	Flag string `yaml:"flag"`
}

// threshold is the size of a threshold of the model ("": the multipart
// threshold) as the command's flags set it.
func (m *Model) threshold(name string, cmd *Command) (int64, error) {
	t := Threshold{Size: m.MultipartThreshold, Flag: m.MultipartThresholdFlag}
	if name != "" {
		var ok bool
		if t, ok = m.Thresholds[name]; !ok {
			return 0, fmt.Errorf("model %s has no threshold %q", m.Client, name)
		}
	}
	v, ok := cmd.Flags[t.Flag]
	if t.Flag == "" || !ok {
		return int64(t.Size), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q is not a byte count", t.Flag, v)
	}
	return n, nil
}

// Flow is a group of calls made when its condition holds.
type Flow struct {
	When  Condition   `yaml:"when"`
	Calls []ModelCall `yaml:"calls"`
}

// Condition selects the commands a flow applies to. Empty fields match
// everything.
type Condition struct {
	Verbs []string `yaml:"verbs"`
	// From and To are "s3" or "local".
	From string `yaml:"from"`
	To   string `yaml:"to"`
	// Recursive, when set, must equal the command's.
	Recursive *bool `yaml:"recursive"`
	// If are flag tests, all of which must hold: "name" (set), "!name"
	// (not set), "name=value", "name!=value" (also when not set), or
	// tests joined by "|", which holds when one of them does.
	If []string `yaml:"if"`
}

// ModelCall is one API call of a flow.
type ModelCall struct {
	// Op is the operation name in the s3ops catalogue.
	Op string `yaml:"op"`
	// On is the resource: source-bucket, dest-bucket, source-object,
	// dest-object.
	On string `yaml:"on"`
	// Copy marks a call whose copy source is the source object.
	Copy bool `yaml:"copy"`
	// CopySelf marks a copy of the call's object onto itself (rclone
	// updates an object's modification time that way).
	CopySelf bool `yaml:"copy_self"`
	// Existing marks a call made only for an object the destination
	// already has (a comparison, an update in place).
	Existing bool `yaml:"existing"`
	// Size limits the call to objects below ("small") or at or above
	// ("large") the multipart threshold, or the model's threshold that
	// SizeThreshold names.
	Size          string `yaml:"size"`
	SizeThreshold string `yaml:"size_threshold"`
	// If are flag tests, as in Condition.
	If []string `yaml:"if"`
	// List is how a ListObjectsV2 call sends the prefix: "prefix" (the
	// path's prefix, no delimiter), "delimiter" (one call per
	// directory, Delimiter "/") or "parent" (the prefix of the directory
	// that holds the path's object, up to its last "/").
	List string `yaml:"list"`
	// Missing marks a read of an object that may not exist yet: the
	// client needs the 404 that only s3:ListBucket gives (docs/authorization.md §2.4).
	Missing bool `yaml:"missing"`
	// Optional marks a call the client makes but does without when it is
	// denied: it is planned, and needs no permission.
	Optional bool `yaml:"optional"`
	// TaggingIf, when set, are flag tests (as in If) under which the call
	// sends the source object's tags in x-amz-tagging, which needs
	// s3:PutObjectTagging besides the call's own permissions.
	TaggingIf []string `yaml:"tagging_if"`
	// TagsReplacedIf, when set, are flag tests under which a CopyObject
	// sends x-amz-tagging-directive REPLACE. Otherwise S3 copies the
	// source's tags, which needs s3:GetObjectTagging on the source and
	// s3:PutObjectTagging on the copy: a plan assumes the sources have
	// tags (docs/decisions.md #56).
	TagsReplacedIf []string `yaml:"tags_replaced_if"`
	// ACLFrom are flags, the first of them set holding the canned ACL
	// the call sends (an ACL other than private needs s3:PutObjectAcl on
	// an object, s3:PutBucketAcl on a bucket); empty: the command's acl
	// and grants.
	ACLFrom []string `yaml:"acl_from"`
	// MD5ETag marks a call made only for an object whose ETag is the MD5
	// of its data, which S3 gives no SSE-KMS object (docs/emulator.md,
	// Storage): rclone updates an object in place only when the hashes
	// match.
	MD5ETag bool `yaml:"md5_etag"`
	// ChecksumMode marks a read that asks for the object's checksum
	// (x-amz-checksum-mode: ENABLED, lockstep sync --checksum): on an
	// SSE-KMS object it needs kms:GenerateDataKey and kms:Decrypt on the
	// object's key (docs/authorization.md §3.1).
	ChecksumMode bool `yaml:"checksum_mode"`
	// Checksum marks a call of a multipart upload that carries an
	// additional checksum (x-amz-checksum-algorithm at its creation):
	// CompleteMultipartUpload of such an SSE-KMS upload needs
	// kms:Decrypt (docs/authorization.md §3.1).
	Checksum bool `yaml:"checksum"`
	// ProbeKey, on an object call, is the key the call is made on
	// instead of the command's objects: a name in the directory that
	// holds the path's objects, "*" standing for a random suffix
	// (lockstep's preflight upload, .lockstep-preflight-*).
	ProbeKey string `yaml:"probe_key"`
	// Once marks a call made once per run, not per object: on a probe
	// key below the path or on the first object listed (lockstep's
	// preflight). A proof needs it made once, not for every size.
	Once bool `yaml:"once"`
	// Signer, with two credential sets (lockstep's --source-profile and
	// --dest-profile), is whose credentials sign the call: "source" or
	// "destination"; empty: the side of On. lockstep's probe of the copy
	// path reads the source with the destination's credentials.
	Signer string `yaml:"signer"`
	// OncePerObject is informational: the call is made once per object.
	OncePerObject bool   `yaml:"once_per_object"`
	Why           string `yaml:"why"`
}

// Models returns the built-in behaviour models by client.
func Models() (map[Client]*Model, error) {
	entries, err := modelFiles.ReadDir("models")
	if err != nil {
		return nil, err
	}
	out := map[Client]*Model{}
	for _, e := range entries {
		name := "plan/models/" + e.Name()
		data, err := modelFiles.ReadFile("models/" + e.Name())
		if err != nil {
			return nil, err
		}
		m, err := parseModel(data, name)
		if err != nil {
			return nil, err
		}
		out[m.Client] = m
	}
	return out, nil
}

func parseModel(data []byte, name string) (*Model, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if m.Client == "" || m.Source == "" || m.MultipartThreshold <= 0 {
		return nil, fmt.Errorf("%s: client, source and multipart_threshold are required", name)
	}
	for n, t := range m.Thresholds {
		if n == "" || t.Size <= 0 {
			return nil, fmt.Errorf("%s: threshold %q needs a name and a size", name, n)
		}
	}
	for i, f := range m.Flows {
		for j, c := range f.Calls {
			at := fmt.Sprintf("%s: flows[%d].calls[%d]", name, i, j)
			if _, ok := s3ops.Lookup("s3", c.Op); !ok {
				return nil, fmt.Errorf("%s: op %q is not an S3 operation of the catalogue", at, c.Op)
			}
			switch c.On {
			case "source-bucket", "dest-bucket", "source-object", "dest-object", "source-root", "dest-root":
			default:
				return nil, fmt.Errorf("%s: on %q must be source-bucket, dest-bucket, source-object, dest-object, source-root or dest-root", at, c.On)
			}
			switch c.Size {
			case "", "small", "large":
			default:
				return nil, fmt.Errorf("%s: size %q must be small or large", at, c.Size)
			}
			if _, ok := m.Thresholds[c.SizeThreshold]; c.SizeThreshold != "" && (!ok || c.Size == "") {
				return nil, fmt.Errorf("%s: size_threshold %q must name one of the model's thresholds, for a call with a size", at, c.SizeThreshold)
			}
			if c.Why == "" {
				return nil, fmt.Errorf("%s: every call says why", at)
			}
			if c.Signer != "" && c.Signer != "source" && c.Signer != "destination" {
				return nil, fmt.Errorf("%s: signer %q must be source or destination", at, c.Signer)
			}
		}
	}
	for i, n := range m.Notes {
		if n.Text == "" {
			return nil, fmt.Errorf("%s: notes[%d]: a note needs its text", name, i)
		}
	}
	for i := range m.Errors {
		if err := m.Errors[i].compile(); err != nil {
			return nil, fmt.Errorf("%s: errors[%d]: %w", name, i, err)
		}
	}
	return &m, nil
}

// reGroupRef is a {group} of ErrorShape.Command.
var reGroupRef = regexp.MustCompile(`\{(\w+)\}`)

func (s *ErrorShape) compile() error {
	re, err := regexp.Compile(s.Match)
	if err != nil {
		return err
	}
	s.re = re
	if s.Step == "" {
		return fmt.Errorf("every error shape says its step")
	}
	for _, op := range s.Ops {
		if _, ok := s3ops.Lookup("s3", op); !ok {
			return fmt.Errorf("op %q is not an S3 operation of the catalogue", op)
		}
	}
	switch s.Side {
	case "", "source", "destination":
	default:
		return fmt.Errorf("side %q must be source or destination", s.Side)
	}
	groups := map[string]bool{}
	for _, g := range re.SubexpNames() {
		switch g {
		case "", "command", "source", "dest", "bucket", "key", "object":
			groups[g] = true
		default:
			return fmt.Errorf("group %q: the groups are command, source, dest, bucket, key and object", g)
		}
	}
	for _, ref := range reGroupRef.FindAllStringSubmatch(s.Command, -1) {
		if !groups[ref[1]] {
			return fmt.Errorf("command %q uses {%s}, which match has no group for", s.Command, ref[1])
		}
	}
	return nil
}

// applies reports whether the condition holds for the command.
func (c Condition) applies(cmd *Command) bool {
	if len(c.Verbs) > 0 && !containsString(c.Verbs, cmd.Verb) {
		return false
	}
	if c.From != "" && c.From != side(cmd.Source) {
		return false
	}
	if c.To != "" && (cmd.Dest == Location{} || c.To != side(cmd.Dest)) {
		return false
	}
	if c.Recursive != nil && *c.Recursive != cmd.Recursive {
		return false
	}
	return flagsHold(c.If, cmd)
}

func side(l Location) string {
	if l.IsS3() {
		return "s3"
	}
	return "local"
}

// flagsHold evaluates flag tests against the command's flags.
func flagsHold(tests []string, cmd *Command) bool {
	for _, t := range tests {
		if !flagHolds(t, cmd) {
			return false
		}
	}
	return true
}

// flagHolds evaluates one flag test.
func flagHolds(t string, cmd *Command) bool {
	if alts := strings.Split(t, "|"); len(alts) > 1 {
		for _, a := range alts {
			if flagHolds(a, cmd) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.HasPrefix(t, "!"):
		return !cmd.Has(t[1:])
	case strings.Contains(t, "!="):
		k, v, _ := strings.Cut(t, "!=")
		return cmd.Flags[k] != v
	case strings.Contains(t, "="):
		k, v, _ := strings.Cut(t, "=")
		got, ok := cmd.Flags[k]
		return ok && got == v
	}
	return cmd.Has(t)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
