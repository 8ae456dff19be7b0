package authz

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

// computed are the presences whose keys lockstep computes for every
// request, so each such row needs a setter.
var computed = map[Presence]bool{
	PresenceAlways: true, PresenceSigned: true, PresenceIAMUser: true, PresenceTemporaryCredentials: true, PresenceMFA: true,
	PresencePrincipalInOrg: true, PresenceResourceInOrg: true, PresencePrincipalTag: true, PresenceViaService: true,
	PresenceTLS: true,
}

// TestContextKeyCatalogue keeps the catalogue and the code that computes
// it in step: every row lockstep computes has a setter, every setter has
// a row, every row cites AWS documentation.
func TestContextKeyCatalogue(t *testing.T) {
	c, err := parseKeyCatalogue(contextKeysYAML)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]KeyInfo{}
	for _, r := range c.rows {
		lk := strings.ToLower(r.Key)
		rows[lk] = r
		_, hasSetter := keySetters[lk]
		if computed[r.Presence] && !hasSetter {
			t.Errorf("%s: presence %s is computed, but no setter computes it (authz/context.go keySetters)", r.Key, r.Presence)
		}
		if r.Presence == PresenceNever && hasSetter {
			t.Errorf("%s: presence never, but a setter computes it", r.Key)
		}
		if r.Lockstep == "" {
			t.Errorf("%s: the row does not say how lockstep computes the key (or why it never does)", r.Key)
		}
		if !strings.HasPrefix(r.URL, "https://docs.aws.amazon.com/") {
			t.Errorf("%s: url %q is not an AWS documentation page", r.Key, r.URL)
		}
		switch r.Type {
		case "String", "ARN", "Bool", "Date", "Numeric", "IPAddress", "Binary":
		default:
			t.Errorf("%s: type %q is not String, ARN, Bool, Date, Numeric, IPAddress or Binary", r.Key, r.Type)
		}
	}
	for k := range keySetters {
		if _, ok := rows[k]; !ok {
			t.Errorf("setter %s has no catalogue row", k)
		}
	}
}

func TestLookupContextKey(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"aws:sourceip", "aws:SourceIp"},
		{"AWS:PrincipalTag/team", "aws:PrincipalTag/${TagKey}"},
		{"kms:ViaService", "kms:ViaService"},
	} {
		info, ok := LookupContextKey(tc.key)
		if !ok || info.Key != tc.want {
			t.Errorf("LookupContextKey(%q) = %q, %v; want %q", tc.key, info.Key, ok, tc.want)
		}
	}
	if _, ok := LookupContextKey("aws:SourceIP-typo"); ok {
		t.Error("a misspelt key was found")
	}
	if got := SuggestContextKey("aws:RequestRegion"); got != "aws:RequestedRegion" {
		t.Errorf("SuggestContextKey(aws:RequestRegion) = %q", got)
	}
}

var update = flag.Bool("update", false, "rewrite docs/context-keys.md from contextkeys.yaml")

// presenceText says in words when a key of each presence is in a request.
var presenceText = map[Presence]string{
	PresenceAlways:               "every request",
	PresenceSigned:               "every signed request",
	PresenceIAMUser:              "IAM users",
	PresenceTemporaryCredentials: "role and federated-user sessions",
	PresenceMFA:                  "sessions authenticated with MFA",
	PresencePrincipalInOrg:       "the principal's account is in an organization",
	PresenceResourceInOrg:        "the resource's account is in an organization",
	PresencePrincipalTag:         "the principal has the tag",
	PresenceResourceTag:          "the resource has the tag",
	PresenceRequestTag:           "the request sends the tag",
	PresenceViaService:           "calls a service makes for the caller",
	PresenceServicePrincipal:     "an AWS service principal calls",
	PresenceTLS:                  "requests over TLS (HTTPS)",
	PresenceOperation:            "the operation's parameters",
	PresenceNever:                "never set by lockstep",
}

// renderContextKeys renders docs/context-keys.md from the catalogue.
func renderContextKeys(rows []KeyInfo) string {
	var b strings.Builder
	b.WriteString(`# Request context keys

<!-- Generated from authz/contextkeys.yaml by
     go test ./authz -run TestContextKeysDoc -update
     Do not edit by hand. -->

Every request lockstep evaluates (` + "`lockstep eval`" + `, ` + "`lockstep check`" + `, the
emulator, the planner's proofs) gets its condition keys from this one
catalogue: AWS's global condition keys and the S3, KMS and STS keys lockstep
uses. For each key: its type, whether it is multivalued, when AWS puts it in
the request context, how lockstep computes its value (or why it never does),
and the AWS documentation it follows. A key that is absent is different from
a key present with an empty value (docs/authorization.md §1.6, §1.8).
` + "`lockstep eval --explain`" + ` prints each key of a request with where its value
came from; ` + "`--context KEY=VALUE`" + ` overrides one and ` + "`--unset KEY`" + ` removes one.

| key | type | present | how lockstep computes it | AWS documentation |
|---|---|---|---|---|
`)
	cell := func(s string) string {
		return strings.NewReplacer("|", `\|`, "\n", " ").Replace(strings.TrimSpace(s))
	}
	for _, r := range rows {
		typ := r.Type
		if r.Multi {
			typ = "multivalued " + typ
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | [\"%s\"](%s) |\n", r.Key, typ, presenceText[r.Presence], cell(r.Lockstep), cell(r.Sentence), r.URL)
	}
	return b.String()
}

// TestContextKeysDoc keeps docs/context-keys.md generated from the
// catalogue.
func TestContextKeysDoc(t *testing.T) {
	const path = "../docs/context-keys.md"
	want := renderContextKeys(contextKeys().rows)
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Errorf("%s is not generated from authz/contextkeys.yaml: run go test ./authz -run TestContextKeysDoc -update", path)
	}
}
