package replay

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/scenario"
	"github.com/lockstep-dev/lockstep/world"
)

// Clients are the paths of the real clients; empty when not installed.
type Clients struct {
	// AWS is the AWS CLI v2 (/usr/bin/aws on Debian).
	AWS string
	// AWSv1 is the AWS CLI v1 (pip).
	AWSv1 string
	// Rclone is rclone.
	Rclone string
	// S5cmd is s5cmd (on PATH, or built by make clients into .tools/bin).
	S5cmd string
	// Lockstep is lockstep itself, for its own sync and cp: the running
	// program when it is lockstep, else lockstep on PATH.
	Lockstep string
}

// FindClients looks the clients up: the AWS CLI v2 at /usr/bin/aws (the
// `aws` first on PATH may be CLI v1), the AWS CLI v1 as the `aws` on PATH
// or in pyenv that reports aws-cli/1, rclone on PATH, s5cmd on PATH or in
// .tools/bin of the module.
func FindClients() Clients {
	var c Clients
	if fi, err := os.Stat("/usr/bin/aws"); err == nil && !fi.IsDir() {
		c.AWS = "/usr/bin/aws"
	}
	candidates, _ := filepath.Glob("/root/.pyenv/versions/*/bin/aws")
	if p, err := exec.LookPath("aws"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if p == "/usr/bin/aws" {
			continue
		}
		if out, err := exec.Command(p, "--version").CombinedOutput(); err == nil && strings.HasPrefix(string(out), "aws-cli/1.") {
			c.AWSv1 = p
			break
		}
	}
	if p, err := exec.LookPath("rclone"); err == nil {
		c.Rclone = p
	}
	if p, err := exec.LookPath("s5cmd"); err == nil {
		c.S5cmd = p
	} else if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		p := filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), ".tools", "bin", "s5cmd")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			c.S5cmd = p
		}
	}
	if p, err := os.Executable(); err == nil && strings.TrimSuffix(filepath.Base(p), ".exe") == "lockstep" {
		c.Lockstep = p
	} else if p, err := exec.LookPath("lockstep"); err == nil {
		c.Lockstep = p
	}
	return c
}

// Missing names the clients a scenario's commands need that are not
// installed, "" when none is missing.
func (c Clients) Missing(s *scenario.Scenario) string {
	var missing []string
	for _, st := range s.Steps {
		switch client(st.Command) {
		case "aws":
			if c.AWS == "" && !contains(missing, "AWS CLI v2 (/usr/bin/aws)") {
				missing = append(missing, "AWS CLI v2 (/usr/bin/aws)")
			}
		case "rclone":
			if c.Rclone == "" && !contains(missing, "rclone") {
				missing = append(missing, "rclone")
			}
		}
	}
	return strings.Join(missing, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func client(command string) string {
	if f := strings.Fields(command); len(f) > 0 {
		return f[0]
	}
	return ""
}

// VerifierUser is the administrator user Start adds to every account of
// the world, with whose credentials a test reads buckets as their owner.
const VerifierUser = "lockstep-replay-owner"

// Credentials are what a client signs with.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// VerifierCredentials are the access key of the verifier user of account.
func VerifierCredentials(account string) Credentials {
	return Credentials{AccessKeyID: "AKIAREPLAY" + account[2:] + "V", SecretAccessKey: "replay-owner-secret-" + account}
}

// Session is a scenario being replayed on an embedded emulator.
type Session struct {
	s       *scenario.Scenario
	file    string
	clients Clients
	models  []*world.Model
	srv     *emulator.Server
	audit   *AuditLog
	// Local is the working directory of the commands: "." of aws s3 sync
	// and ./dir of rclone's.
	Local string
	// Content is what each bucket held at the start: bucket -> key -> data.
	Content map[string]map[string][]byte
	// emptied are the buckets that start empty: each step starts with
	// them empty again, so that a sync transfers what its calls say.
	emptied []string
	tmp     string
}

// Start prepares the emulator for a scenario: the world of each step
// (with a verifier user per account and access keys for user principals
// that have none), the data of scenario.ReplayData, and the local files.
// Close removes everything.
func Start(ctx context.Context, s *scenario.Scenario, clients Clients) (*Session, error) {
	models, err := s.StepWorlds()
	if err != nil {
		return nil, err
	}
	var principals []string
	for i := range s.Steps {
		principals = append(principals, Principal(s, &s.Steps[i]))
	}
	for _, m := range models {
		prepare(m, principals)
	}
	tmp, err := os.MkdirTemp("", "lockstep-replay-")
	if err != nil {
		return nil, err
	}
	se := &Session{s: s, file: s.File(), clients: clients, models: models, audit: &AuditLog{}, tmp: tmp,
		Local: filepath.Join(tmp, "work"), Content: map[string]map[string][]byte{}}
	fail := func(err error) (*Session, error) {
		se.Close()
		return nil, err
	}
	se.srv, err = emulator.New(ctx, emulator.Options{Addr: "127.0.0.1:0", DataDir: filepath.Join(tmp, "data"),
		World: models[0], WorldFile: s.File(), Audit: se.audit, NoSync: true, ErrorLog: io.Discard})
	if err != nil {
		return fail(err)
	}
	if err := se.srv.Start(); err != nil {
		return fail(err)
	}
	for _, a := range models[0].Accounts {
		for _, b := range a.Buckets {
			if len(b.Objects) == 0 {
				se.emptied = append(se.emptied, b.Name)
			}
			se.Content[b.Name] = map[string][]byte{}
			for k, v := range b.Objects {
				se.Content[b.Name][k] = []byte(v)
			}
		}
	}
	sort.Strings(se.emptied)
	for _, name := range sortedKeys(s.Replay.Objects) {
		bucket, key, ok := strings.Cut(name, "/")
		if !ok || se.Content[bucket] == nil {
			return fail(fmt.Errorf("%s: replay.objects: %q is not bucket/key of a bucket of the world", s.File(), name))
		}
		data := make([]byte, s.Replay.Objects[name])
		rand.Read(data)
		if err := se.srv.PutObject(ctx, bucket, key, bytes.NewReader(data)); err != nil {
			return fail(err)
		}
		se.Content[bucket][key] = data
	}
	if err := os.MkdirAll(se.Local, 0o755); err != nil {
		return fail(err)
	}
	for _, name := range sortedKeys(s.Replay.Local) {
		p := filepath.Join(se.Local, filepath.FromSlash(name))
		if !strings.HasPrefix(p, se.Local+string(filepath.Separator)) {
			return fail(fmt.Errorf("%s: replay.local: %q leaves the working directory", s.File(), name))
		}
		data := make([]byte, s.Replay.Local[name])
		rand.Read(data)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fail(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fail(err)
		}
	}
	return se, nil
}

// Server is the running emulator.
func (se *Session) Server() *emulator.Server { return se.srv }

// World returns the world model of step i.
func (se *Session) World(i int) *world.Model { return se.models[i] }

// Close stops the emulator and removes the session's files.
func (se *Session) Close() error {
	var err error
	if se.srv != nil {
		err = se.srv.Close()
	}
	os.RemoveAll(se.tmp)
	return err
}

// Principal returns the principal that runs a step.
func Principal(s *scenario.Scenario, st *scenario.Step) string {
	if st.Principal != "" {
		return st.Principal
	}
	return s.Principal
}

// Result is the outcome of one step's command.
type Result struct {
	// Command is the command as run, with the endpoint; credentials are
	// passed in the environment and not shown.
	Command []string
	// Dir is the working directory it ran in.
	Dir    string
	Output string
	// Err is the exit error, nil when the command succeeded.
	Err error
	// Events are the CloudTrail records of the step's requests.
	Events []emulator.Record
}

// Run serves step i's world, empties the buckets that start empty, and
// runs the step's command as its principal.
func (se *Session) Run(ctx context.Context, i int) (*Result, error) {
	return se.RunCommand(ctx, i, se.s.Steps[i].Command)
}

// Profile is a named profile of the shared credentials file a command
// reads (lockstep's --source-profile and --dest-profile): Principal signs
// for it, with its session credentials for an assumed-role ARN.
type Profile struct {
	Name, Principal string
}

// RunCommand is Run with another command in step i's world, as the
// step's principal: lockstep's own sync or cp in place of the seed's
// client, for one. With profiles, the command gets a shared credentials
// file holding them, and no credentials in its environment: each profile
// it names signs as its principal.
func (se *Session) RunCommand(ctx context.Context, i int, command string, profiles ...Profile) (*Result, error) {
	st := &se.s.Steps[i]
	m := se.models[i]
	if err := se.srv.ReplaceWorld(ctx, m, se.file); err != nil {
		return nil, err
	}
	for _, b := range se.emptied {
		if err := se.empty(ctx, m, b); err != nil {
			return nil, fmt.Errorf("emptying %s before step %d: %w", b, i+1, err)
		}
	}
	se.audit.Take()
	c, err := se.credentials(m, Principal(se.s, st))
	if err != nil {
		return nil, err
	}
	if len(profiles) > 0 {
		if err := se.writeProfiles(m, profiles); err != nil {
			return nil, err
		}
		c = Credentials{}
	}
	argv, err := se.Translate(command, c)
	if err != nil {
		return nil, err
	}
	out, runErr := se.exec(ctx, c, argv)
	if err := se.srv.Idle(ctx); err != nil {
		return nil, err
	}
	return &Result{Command: argv, Dir: se.Local, Output: out, Err: runErr, Events: se.audit.Take()}, nil
}

// Translate turns a step's command as the seed's author typed it into the
// command to run on the emulator: the AWS CLI gets --endpoint-url and
// loses --profile (the step's principal signs); rclone's "s3-remote:"
// becomes a connection string for the emulator; lockstep sync and cp get
// --endpoint-url and --no-progress.
func (se *Session) Translate(command string, c Credentials) ([]string, error) {
	words := strings.Fields(command)
	if len(words) < 2 {
		return nil, fmt.Errorf("command %q names no client subcommand", command)
	}
	switch words[0] {
	case "aws":
		if se.clients.AWS == "" {
			return nil, errors.New("the AWS CLI v2 (/usr/bin/aws) is not installed; run make clients")
		}
		argv := []string{se.clients.AWS, "--endpoint-url", se.srv.Endpoint(), "--only-show-errors"}
		for j := 1; j < len(words); j++ {
			if words[j] == "--profile" {
				j++
				continue
			}
			argv = append(argv, words[j])
		}
		if len(words) > 3 && words[1] == "s3" && (words[2] == "cp" || words[2] == "mv") && strings.HasPrefix(words[3], "s3://") && !strings.Contains(command, "--copy-props") {
			// The seeds' CLI copied metadata only; CLI v2's default
			// --copy-props also reads the source's tags with
			// GetObjectTagging (plan/models/aws-v2.yaml).
			argv = append(argv, "--copy-props", "metadata-directive")
		}
		return argv, nil
	case "lockstep":
		if se.clients.Lockstep == "" {
			return nil, errors.New("no lockstep binary to run (build it with make build)")
		}
		argv := []string{se.clients.Lockstep}
		for j := 1; j < len(words); j++ {
			if words[j] == "--profile" {
				j++
				continue
			}
			argv = append(argv, words[j])
		}
		return append(argv, "--endpoint-url", se.srv.Endpoint(), "--no-progress"), nil
	case "rclone":
		if se.clients.Rclone == "" {
			return nil, errors.New("rclone is not installed; run make clients")
		}
		argv := []string{se.clients.Rclone}
		for _, w := range words[1:] {
			if rest, ok := strings.CutPrefix(w, "s3-remote:"); ok {
				w = RcloneRemote(se.srv.Endpoint(), c) + rest
			}
			argv = append(argv, w)
		}
		return argv, nil
	}
	return nil, fmt.Errorf("command %q: lockstep replays aws, rclone and lockstep commands", command)
}

// RcloneRemote is an rclone connection string for an endpoint. The
// endpoint is quoted, or rclone reads the host as "http"; provider Other
// keeps path-style addressing on 127.0.0.1, and list_version=2 makes
// rclone list with ListObjectsV2 as it does on AWS.
func RcloneRemote(endpoint string, c Credentials) string {
	s := ":s3,provider=Other,list_version=2,endpoint='" + endpoint + "',access_key_id=" + c.AccessKeyID + ",secret_access_key=" + c.SecretAccessKey
	if c.SessionToken != "" {
		s += ",session_token=" + c.SessionToken
	}
	return s + ":"
}

// Env is the environment of a client process: the machine's without
// AWS_* and RCLONE_* settings (AWS_CA_BUNDLE breaks rclone), with the
// credentials (none when c is empty: the command reads profiles) and a
// config directory of its own under dir.
func Env(c Credentials, region, dir string) ([]string, error) {
	config := filepath.Join(dir, "aws-config")
	text := "[default]\nregion = " + region + "\ns3 =\n    signature_version = s3v4\n"
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		return nil, err
	}
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "RCLONE_") {
			continue
		}
		out = append(out, kv)
	}
	if c.AccessKeyID != "" {
		out = append(out, "AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey)
	}
	out = append(out,
		"AWS_DEFAULT_REGION="+region, "AWS_REGION="+region, "AWS_CONFIG_FILE="+config,
		"AWS_SHARED_CREDENTIALS_FILE="+credentialsFile(dir),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "RCLONE_CONFIG="+filepath.Join(dir, "rclone.conf"))
	if c.SessionToken != "" {
		out = append(out, "AWS_SESSION_TOKEN="+c.SessionToken)
	}
	return out, nil
}

// credentialsFile is the shared credentials file of the environment Env
// makes in dir.
func credentialsFile(dir string) string { return filepath.Join(dir, "aws-credentials") }

// WriteProfiles writes named profiles into the shared credentials file of
// the environment Env makes in dir, one section per profile, for a
// client told to sign with a profile (lockstep's --source-profile and
// --dest-profile).
func WriteProfiles(dir string, profiles map[string]Credentials) error {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(profiles)) {
		c := profiles[name]
		fmt.Fprintf(&b, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", name, c.AccessKeyID, c.SecretAccessKey)
		if c.SessionToken != "" {
			fmt.Fprintf(&b, "aws_session_token = %s\n", c.SessionToken)
		}
	}
	return os.WriteFile(credentialsFile(dir), []byte(b.String()), 0o600)
}

func (se *Session) exec(ctx context.Context, c Credentials, argv []string) (string, error) {
	env, err := Env(c, se.srv.Region(), se.tmp)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, se.Local
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return out.String(), err
}

// writeProfiles writes the shared credentials file of the session's
// commands (Env's AWS_SHARED_CREDENTIALS_FILE) with one section per
// profile.
func (se *Session) writeProfiles(m *world.Model, profiles []Profile) error {
	creds := map[string]Credentials{}
	for _, p := range profiles {
		c, err := se.credentials(m, p.Principal)
		if err != nil {
			return fmt.Errorf("profile %s: %w", p.Name, err)
		}
		creds[p.Name] = c
	}
	return WriteProfiles(se.tmp, creds)
}

// credentials returns what a principal signs with: a session of the role
// for an assumed-role ARN (as an EC2 instance profile hands out), the
// user's access key for a user.
func (se *Session) credentials(m *world.Model, principal string) (Credentials, error) {
	if rest, ok := strings.CutPrefix(principal, "arn:aws:sts::"); ok {
		account, path, _ := strings.Cut(rest, ":")
		parts := strings.Split(path, "/")
		if len(parts) != 3 || parts[0] != "assumed-role" {
			return Credentials{}, fmt.Errorf("principal %s is not an assumed-role ARN", principal)
		}
		key, secret, token, err := se.srv.SessionCredentials("arn:aws:iam::"+account+":role/"+parts[1], parts[2], time.Hour)
		return Credentials{key, secret, token}, err
	}
	u, _ := m.FindPrincipal(principal)
	if u == nil || len(u.AccessKeys) == 0 {
		return Credentials{}, fmt.Errorf("principal %s: no IAM user with an access key in the world", principal)
	}
	return Credentials{AccessKeyID: u.AccessKeys[0].ID, SecretAccessKey: u.AccessKeys[0].Secret}, nil
}

// empty deletes every object of a bucket, as its owner.
func (se *Session) empty(ctx context.Context, m *world.Model, bucket string) error {
	keys, err := se.srv.ListKeys(ctx, bucket)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := se.srv.DeleteObject(ctx, bucket, k); err != nil {
			return err
		}
	}
	return nil
}

// prepare adds what replaying needs to a step's world, leaving the
// scenario's file alone: an administrator user in every account (to read
// buckets as their owner) and an access key for each IAM user principal
// that has none.
func prepare(m *world.Model, principals []string) {
	for i := range m.Accounts {
		a := &m.Accounts[i]
		k := VerifierCredentials(a.ID)
		u := world.UserModel{Name: VerifierUser, AccessKeys: []world.AccessKeyModel{{ID: k.AccessKeyID, Secret: k.SecretAccessKey}}}
		u.Policies.Set("administrator", world.DocFromJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)))
		a.Users = append(a.Users, u)
	}
	for n, p := range principals {
		if u, _ := m.FindPrincipal(p); u != nil && len(u.AccessKeys) == 0 {
			u.AccessKeys = append(u.AccessKeys, world.AccessKeyModel{ID: fmt.Sprintf("AKIAREPLAYUSER%06d", n), Secret: "replay-user-secret"})
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
