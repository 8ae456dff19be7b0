package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/internal/acctimport"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/world"
)

// TestServeEnv: LOCKSTEP_* variables set the flags the command line did
// not give; the command line wins; an empty variable is ignored; a value
// the flag refuses names the variable.
func TestServeEnv(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    map[string]string // flag -> value after applyEnv
		wantErr string
	}{
		{name: "defaults", want: map[string]string{"addr": "127.0.0.1:9000", "audit": "-", "tls": "false", "tls-host": "[]"}},
		{name: "every variable",
			env: map[string]string{"LOCKSTEP_ADDR": "0.0.0.0:9100", "LOCKSTEP_WORLD": "w.yaml", "LOCKSTEP_DATA": "/d", "LOCKSTEP_AUDIT": "none",
				"LOCKSTEP_TLS": "true", "LOCKSTEP_TLS_CERT": "c.pem", "LOCKSTEP_TLS_KEY": "k.pem", "LOCKSTEP_TLS_CA_OUT": "ca.pem",
				"LOCKSTEP_TLS_HOSTS": "lockstep,10.0.0.5", "LOCKSTEP_NO_FSYNC": "1"},
			want: map[string]string{"addr": "0.0.0.0:9100", "world": "w.yaml", "data": "/d", "audit": "none", "tls": "true",
				"tls-cert": "c.pem", "tls-key": "k.pem", "tls-ca-out": "ca.pem", "tls-host": "[lockstep,10.0.0.5]", "no-fsync": "true"}},
		{name: "flags win", args: []string{"--addr", "127.0.0.1:9200", "--tls=false", "--tls-host", "a"},
			env:  map[string]string{"LOCKSTEP_ADDR": "0.0.0.0:9100", "LOCKSTEP_TLS": "true", "LOCKSTEP_TLS_HOSTS": "b,c"},
			want: map[string]string{"addr": "127.0.0.1:9200", "tls": "false", "tls-host": "[a]"}},
		{name: "empty variable ignored", env: map[string]string{"LOCKSTEP_ADDR": "", "LOCKSTEP_DATA": "  "},
			want: map[string]string{"addr": "127.0.0.1:9000", "data": ""}},
		{name: "bad boolean", env: map[string]string{"LOCKSTEP_TLS": "yes please"}, wantErr: `LOCKSTEP_TLS="yes please"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := newServeCommand()
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			err := applyEnv(cmd, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("applyEnv: %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for flag, want := range tc.want {
				if got := cmd.Flags().Lookup(flag).Value.String(); got != want {
					t.Errorf("--%s = %q, want %q", flag, got, want)
				}
			}
		})
	}
}

// TestServeEnvHelp: every variable names a flag of serve, and its help
// lists the variable.
func TestServeEnvHelp(t *testing.T) {
	cmd := newServeCommand()
	var help bytes.Buffer
	cmd.SetOut(&help)
	cmd.SetArgs([]string{"--help"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, b := range serveEnv {
		if cmd.Flags().Lookup(b.flag) == nil {
			t.Errorf("serveEnv names --%s, which serve does not have", b.flag)
		}
		if !strings.Contains(help.String(), "(env "+b.env+")") {
			t.Errorf("serve --help does not list %s", b.env)
		}
	}
	for _, want := range []string{"--addr 0.0.0.0:9000", "/_lockstep/health", "AWS_CA_BUNDLE", "--ca-cert"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("serve --help does not mention %s", want)
		}
	}
}

// TestServeTLSFlags: the TLS flags that make no sense together are
// refused with a message naming them.
func TestServeTLSFlags(t *testing.T) {
	tests := []struct {
		name           string
		tls            bool
		cert, key, out string
		hosts          []string
		wantTLS        bool
		wantErr        string
	}{
		{name: "plain HTTP"},
		{name: "generated", tls: true, wantTLS: true},
		{name: "generated, CA out and hosts", tls: true, out: "ca.pem", hosts: []string{"x"}, wantTLS: true},
		{name: "given certificate implies --tls", cert: "c", key: "k", wantTLS: true},
		{name: "cert without key", tls: true, cert: "c", wantErr: "--tls-cert and --tls-key must be given together"},
		{name: "key without cert", key: "k", wantErr: "--tls-cert and --tls-key must be given together"},
		{name: "CA out with a given cert", cert: "c", key: "k", out: "ca.pem", wantErr: "cannot be used with --tls-cert"},
		{name: "CA out without --tls", out: "ca.pem", wantErr: "need --tls"},
		{name: "hosts without --tls", hosts: []string{"x"}, wantErr: "need --tls"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := serveTLSOptions(tc.tls, tc.cert, tc.key, tc.out, tc.hosts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (o != nil) != tc.wantTLS {
				t.Errorf("TLS options = %+v, want TLS %v", o, tc.wantTLS)
			}
		})
	}
}

// TestServeBannerHTTPNote: over plain HTTP the banner says which buckets
// deny requests without TLS; over HTTPS it does not.
func TestServeBannerHTTPNote(t *testing.T) {
	m, err := world.Decode([]byte(`
region: us-east-1
accounts:
  - id: "111111111111"
    buckets:
      - name: open-bucket
      - name: tls-only-bucket
        policy: {Version: "2012-10-17", Statement: [{Sid: DenyInsecureTransport, Effect: Deny, Principal: "*", Action: "s3:*",
          Resource: ["arn:aws:s3:::tls-only-bucket", "arn:aws:s3:::tls-only-bucket/*"], Condition: {Bool: {aws:SecureTransport: "false"}}}]}
`), "note.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, secure := range []bool{false, true} {
		o := emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, NoSync: true, ErrorLog: io.Discard}
		if secure {
			o.TLS = &emulator.TLSOptions{}
		}
		srv, err := emulator.New(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		printBanner(&b, srv, o.DataDir, nil)
		srv.Close()
		note := "the policies of tls-only-bucket deny requests (aws:SecureTransport false)"
		if got := strings.Contains(b.String(), note); got == secure {
			t.Errorf("TLS %v: banner has the note %v, want %v:\n%s", secure, got, !secure, b.String())
		}
		if strings.Contains(b.String(), "open-bucket deny") {
			t.Errorf("the note names open-bucket:\n%s", b.String())
		}
	}
}

// TestServeBannerTLS: over HTTPS the banner names the CA file and gives
// ready-to-paste lines for the AWS CLI (AWS_CA_BUNDLE) and rclone
// (--ca-cert, without AWS_CA_BUNDLE); a listener on all interfaces is
// shown at 127.0.0.1, a name of the certificate.
func TestServeBannerTLS(t *testing.T) {
	m, err := emulator.DemoWorld()
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data dir")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(context.Background(), emulator.Options{Addr: "0.0.0.0:0", DataDir: data, World: m, NoSync: true, ErrorLog: io.Discard, TLS: &emulator.TLSOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var b bytes.Buffer
	printBanner(&b, srv, data, nil)
	ca := "'" + filepath.Join(data, "tls", "ca.pem") + "'"
	ep := clientEndpoint(srv.Endpoint())
	if !strings.HasPrefix(ep, "https://127.0.0.1:") {
		t.Fatalf("client endpoint of %s = %s, want https://127.0.0.1:PORT", srv.Endpoint(), ep)
	}
	for _, want := range []string{
		"signed by the CA in " + filepath.Join(data, "tls", "ca.pem"),
		"health: curl --cacert " + ca + " " + ep + "/_lockstep/health",
		"export AWS_CA_BUNDLE=" + ca + "\n",
		"aws --endpoint-url " + ep + " s3 ls",
		"env -u AWS_CA_BUNDLE rclone --ca-cert " + ca + " lsf \":s3,provider=Other,endpoint='" + ep + "',env_auth=true:",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, b.String())
		}
	}
}

// TestServeBannerAs: a world without access keys (imported from a real
// account) gets a hint to use --as; --as prints credentials for a user,
// made by the emulator, and for a role session, with its token.
func TestServeBannerAs(t *testing.T) {
	m, _, err := acctimport.Import([]string{"../../internal/acctimport/testdata/two-accounts"}, acctimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(context.Background(), emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, NoSync: true, ErrorLog: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var b bytes.Buffer
	printBanner(&b, srv, "", nil)
	if !strings.Contains(b.String(), "serve with --as ARN") {
		t.Errorf("no --as hint for a world without keys:\n%s", b.String())
	}
	var signers []signer
	for _, p := range []string{"arn:aws:iam::111111111111:user/ops", "arn:aws:iam::111111111111:role/deploy/DeployRole"} {
		c, err := srv.CredentialsFor(p, sessionTTL)
		if err != nil {
			t.Fatal(err)
		}
		signers = append(signers, signer{principal: p, creds: c})
	}
	b.Reset()
	printBanner(&b, srv, "", signers)
	out := b.String()
	for _, want := range []string{"# as arn:aws:iam::111111111111:user/ops\nexport AWS_ACCESS_KEY_ID=AKIA", "# as arn:aws:iam::111111111111:role/deploy/DeployRole (a session, valid until ", "AWS_SESSION_TOKEN="} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "serve with --as ARN") {
		t.Errorf("the --as hint shown with --as:\n%s", out)
	}
	// The user's key is the emulator's: asking again gives the same one.
	again, err := srv.CredentialsFor("arn:aws:iam::111111111111:user/ops", sessionTTL)
	if err != nil || again.AccessKeyID != signers[0].creds.AccessKeyID {
		t.Errorf("second key for ops: %+v, %v", again, err)
	}
	if _, err := srv.CredentialsFor("arn:aws:iam::111111111111:user/nobody", sessionTTL); err == nil || !strings.Contains(err.Error(), "neither a user nor a role of the world") {
		t.Errorf("unknown principal: %v", err)
	}
}
