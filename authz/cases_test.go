package authz_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/world"
)

// caseFile is one file of decision cases: a world and the cases evaluated
// against it. The format is documented in testdata/decisions/README.md.
type caseFile struct {
	World world.Model    `yaml:"world"`
	Cases []decisionCase `yaml:"cases"`
}

type decisionCase struct {
	Name      string               `yaml:"name"`
	Rule      string               `yaml:"rule"`
	Principal string               `yaml:"principal"`
	Action    string               `yaml:"action"`
	Resource  string               `yaml:"resource"`
	Context   map[string]yaml.Node `yaml:"context"`
	Unset     []string             `yaml:"unset"`
	// Region is the region of the endpoint (authz.Env.Region).
	Region string `yaml:"region"`
	// ViaService makes the request one a service makes on the caller's
	// behalf (authz.Env.ViaService), e.g. s3.us-east-1.amazonaws.com.
	ViaService string `yaml:"via_service"`
	// FederatedBy is the IAM user of a federated-user principal.
	FederatedBy string `yaml:"federated_by"`
	// MFAAge, when set, is how many seconds ago the session was
	// authenticated with MFA.
	MFAAge *int `yaml:"mfa_age"`

	Identity      *world.Doc  `yaml:"identity"`
	Boundary      *world.Doc  `yaml:"boundary"`
	SessionPolicy *world.Doc  `yaml:"session_policy"`
	BucketPolicy  *world.Doc  `yaml:"bucket_policy"`
	KeyPolicy     *world.Doc  `yaml:"key_policy"`
	Trust         *world.Doc  `yaml:"trust"`
	SCPs          []world.Doc `yaml:"scps"`

	Want      string `yaml:"want"`
	Type      string `yaml:"type"`
	Statement string `yaml:"statement"`
	Message   string `yaml:"message"`
	Summary   string `yaml:"summary"`
	// S3Message is what S3 sends in the error's <Message>: the detailed
	// message, or "Access Denied" (docs/decisions.md #11).
	S3Message string `yaml:"s3_message"`
}

// caseTime is the fixed time of every case (aws:CurrentTime).
var caseTime = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// TestDecisionCases runs every case under testdata/decisions. Each case
// names the rule of the specification (or AWS document) it checks.
func TestDecisionCases(t *testing.T) {
	files, err := filepath.Glob("testdata/decisions/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no decision case files: %v", err)
	}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cf caseFile
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&cf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		base := filepath.Base(f)
		seen := map[string]bool{}
		for _, c := range cf.Cases {
			c := c
			total++
			if seen[c.Name] {
				t.Errorf("%s: duplicate case name %q", base, c.Name)
			}
			seen[c.Name] = true
			t.Run(strings.TrimSuffix(base, ".yaml")+"/"+c.Name, func(t *testing.T) {
				// Each case gets its own copy of the world: overrides
				// change the model in place.
				var fresh caseFile
				if err := yaml.Unmarshal(data, &fresh); err != nil {
					t.Fatal(err)
				}
				runCase(t, f, fresh.World, c)
			})
		}
	}
	t.Logf("%d decision cases in %d files", total, len(files))
}

func runCase(t *testing.T, file string, m world.Model, c decisionCase) {
	t.Helper()
	if c.Rule == "" {
		t.Fatalf("case %q names no rule: every case must cite the spec section or AWS doc it checks", c.Name)
	}
	if err := applyOverrides(&m, c); err != nil {
		t.Fatal(err)
	}
	w, err := world.Compile(&m, file)
	if err != nil {
		t.Fatalf("world: %v", err)
	}
	var session []*policy.Policy
	if c.SessionPolicy != nil {
		js, err := world.ToJSON(c.SessionPolicy.Node)
		if err != nil {
			t.Fatal(err)
		}
		sp, err := policy.Parse(js, policy.Session)
		if err != nil {
			t.Fatalf("session_policy: %v", err)
		}
		sp.Name = "session"
		session = append(session, sp)
	}
	var p *authz.Principal
	if c.FederatedBy != "" {
		p, err = w.FederatedPrincipal(c.Principal, c.FederatedBy, session...)
	} else {
		p, err = w.Principal(c.Principal, session...)
	}
	if err != nil {
		t.Fatal(err)
	}
	if c.MFAAge != nil {
		p.MFAAuthTime = caseTime.Add(-time.Duration(*c.MFAAge) * time.Second)
	}
	keys := map[string][]string{}
	for k, n := range c.Context {
		var vals []string
		if n.Kind == yaml.SequenceNode {
			for _, it := range n.Content {
				vals = append(vals, it.Value)
			}
		} else {
			vals = []string{n.Value}
		}
		keys[k] = vals
	}
	env := authz.Env{Time: caseTime, SecureTransport: true, SourceIP: "203.0.113.10", UserAgent: "aws-cli/2.9.19",
		Region: c.Region, ViaService: c.ViaService}
	req, err := w.Request(p, c.Action, c.Resource, env, keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range c.Unset {
		req.Context.Delete(k)
	}
	d, tr := authz.Explain(req)
	if plain := authz.Decide(req); plain != d {
		t.Errorf("Decide and Explain disagree: %+v vs %+v", plain, d)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("[%s] "+format+"\ntrace:\n%s", append([]any{c.Rule}, append(args, tr)...)...)
	}
	if d.Effect.String() != c.Want {
		fail("decision = %s (%s), want %s", d.Effect, d.Summary(), c.Want)
		return
	}
	if c.Type != "" && d.Type.String() != c.Type {
		fail("policy type = %s, want %s", d.Type, c.Type)
	}
	if c.Statement != "" {
		got := ""
		if d.By.Statement != nil {
			got = d.By.Statement.Label()
		}
		if got != c.Statement {
			fail("deciding statement = %q, want %q", got, c.Statement)
		}
	}
	if c.Message != "" && d.Message() != c.Message {
		fail("message:\n got %s\nwant %s", d.Message(), c.Message)
	}
	if c.S3Message != "" && d.S3Message() != c.S3Message {
		fail("S3 message:\n got %s\nwant %s", d.S3Message(), c.S3Message)
	}
	if c.Summary != "" && d.Summary() != c.Summary {
		fail("summary:\n got %s\nwant %s", d.Summary(), c.Summary)
	}
}

// applyOverrides replaces policies in the world model as the case asks.
func applyOverrides(m *world.Model, c decisionCase) error {
	acct, kind, name := principalParts(c.Principal)
	for i := range m.Accounts {
		a := &m.Accounts[i]
		if a.ID == acct {
			if c.SCPs != nil {
				a.SCPs = c.SCPs
			}
			for j := range a.Users {
				u := &a.Users[j]
				if kind == "user" && u.Name == name {
					if c.Identity != nil {
						u.Policies = world.NamedDocs{}
						u.Policies.Set("case", *c.Identity)
					}
					if c.Boundary != nil {
						u.Boundary = c.Boundary
					}
				}
			}
			for j := range a.Roles {
				r := &a.Roles[j]
				if kind == "role" && r.Name == name {
					if c.Identity != nil {
						r.Policies = world.NamedDocs{}
						r.Policies.Set("case", *c.Identity)
					}
					if c.Boundary != nil {
						r.Boundary = c.Boundary
					}
				}
			}
		}
		for j := range a.Buckets {
			b := &a.Buckets[j]
			if c.BucketPolicy != nil && strings.HasPrefix(c.Resource, "arn:aws:s3:::"+b.Name) &&
				(len(c.Resource) == len("arn:aws:s3:::"+b.Name) || c.Resource[len("arn:aws:s3:::"+b.Name)] == '/') {
				b.Policy = c.BucketPolicy
			}
		}
		for j := range a.Keys {
			k := &a.Keys[j]
			if c.KeyPolicy != nil && strings.HasSuffix(c.Resource, ":"+a.ID+":key/"+k.ID) {
				k.Policy = c.KeyPolicy
			}
		}
		for j := range a.Roles {
			r := &a.Roles[j]
			if c.Trust != nil && strings.HasSuffix(c.Resource, ":"+a.ID+":role/"+r.Name) {
				r.Trust = c.Trust
			}
		}
	}
	return nil
}

// principalParts splits a principal ARN into account, kind (user or role)
// and name; an assumed-role session ARN yields its role.
func principalParts(arn string) (acct, kind, name string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return "", "", ""
	}
	res := parts[5]
	switch {
	case strings.HasPrefix(res, "user/"):
		return parts[4], "user", res[strings.LastIndexByte(res, '/')+1:]
	case strings.HasPrefix(res, "role/"):
		return parts[4], "role", res[strings.LastIndexByte(res, '/')+1:]
	case strings.HasPrefix(res, "assumed-role/"):
		rest := strings.TrimPrefix(res, "assumed-role/")
		role, _, _ := strings.Cut(rest, "/")
		return parts[4], "role", role
	}
	return parts[4], "", ""
}
