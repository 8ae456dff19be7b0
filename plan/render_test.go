package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenPlans are the plans whose outputs are kept in testdata/: a
// change to the output that is not meant fails the test; one that is
// meant is accepted with go test ./plan -run Golden -update, and shows in
// the diff of testdata/.
func goldenPlans(t *testing.T) map[string]*Plan {
	unknown := planFor(t, AWSv2, "aws s3 sync ./up s3://dst-a/p/ --delete", Context{MaxObjectSize: 1 << 20})
	kms := worldContext(t, "arn:aws:sts::111111111111:assumed-role/CopyRole/s")
	kms.MaxObjectSize = 20 << 20
	return map[string]*Plan{
		// Seed 003 in examples/world.yaml: a cross-account copy into a
		// bucket encrypted with the other account's key, whose current
		// bucket and key policies are merged.
		"cross-account-kms": planFor(t, AWSv1, "aws s3 cp s3://kazue-sync-source/big.dat s3://cp-dst/", kms),
		// No principal, no world.
		"no-principal": unknown,
		// Current policies that are not known.
		"unknown-current": planFor(t, AWSv2, "aws s3 sync s3://src-a/p/ s3://dst-b/q/", Context{Principal: testRole,
			BucketAccount: map[string]string{"dst-b": "222222222222"}, BucketKMSKey: map[string]string{"dst-b": testKey}, MaxObjectSize: 1 << 20}),
	}
}

func TestGolden(t *testing.T) {
	for name, p := range goldenPlans(t) {
		for _, f := range []struct {
			ext   string
			write func(*bytes.Buffer) error
		}{
			{".txt", func(b *bytes.Buffer) error { return p.WriteTable(b) }},
			{".json", func(b *bytes.Buffer) error { return p.WriteJSON(b) }},
			{".tf", func(b *bytes.Buffer) error { return p.WriteTerraform(b) }},
		} {
			t.Run(name+f.ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := f.write(&b); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", name+f.ext), b.Bytes())
			})
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./plan -run Golden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := line(gl, i), line(wl, i)
			if g != w {
				t.Fatalf("%s differs from the output at line %d:\n  file:   %q\n  output: %q\nIf the change is meant: go test ./plan -run Golden -update, and review the diff of testdata/",
					path, i+1, w, g)
			}
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}

// TestJSONFields: the JSON output has the documented fields, each in
// every plan (empty lists included), in the documented order.
func TestJSONFields(t *testing.T) {
	want := []string{"formatVersion", "command", "origin", "client", "model", "modelSource", "principal", "region",
		"calls", "permissions", "identityPolicy", "principals", "bucketPolicies", "keyPolicies", "notes"}
	for name, p := range goldenPlans(t) {
		var b bytes.Buffer
		if err := p.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(&b)
		dec.Token() // {
		var keys []string
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if string(v) == "null" {
				t.Errorf("%s: %s is null", name, k)
			}
		}
		if strings.Join(keys, " ") != strings.Join(want, " ") {
			t.Errorf("%s: fields\n  %s\nwant\n  %s", name, strings.Join(keys, " "), strings.Join(want, " "))
		}
	}
}

func TestWriteFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *Plan
		want []string
	}{
		{"cross-account-kms", goldenPlans(t)["cross-account-kms"],
			[]string{"identity.json", "bucket-cp-dst.json", "key-1234abcd-12ab-34cd-56ef-1234567890ab.json"}},
		{"unknown-current", goldenPlans(t)["unknown-current"],
			[]string{"identity.json", "bucket-dst-b.statements.json", "key-1234abcd-12ab-34cd-56ef-1234567890ab.statements.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := tc.p.WriteFiles(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, filepath.Base(f))
				data, _ := os.ReadFile(f)
				if !json.Valid(data) {
					t.Errorf("%s is not JSON", f)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("wrote %q, want %q", got, tc.want)
			}
		})
	}
	// The bucket file of a known current policy is the whole policy: the
	// current statement is kept.
	dir := t.TempDir()
	if _, err := goldenPlans(t)["cross-account-kms"].WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "bucket-cp-dst.json"))
	if !strings.Contains(string(data), `"CopyFromSource"`) || !strings.Contains(string(data), `"ObjectsCpDst"`) {
		t.Errorf("bucket-cp-dst.json is not the merged policy:\n%s", data)
	}
}
