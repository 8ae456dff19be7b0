package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/world"
)

// A bucket policy and a key policy are each one document: putting one
// (PutBucketPolicy, PutKeyPolicy, Terraform's aws_s3_bucket_policy and
// aws_kms_key_policy) replaces the whole policy. The planned statements
// must therefore be merged with the resource's current policy, or its
// other statements are deleted.

// knownPolicies records the current bucket and key policies of a world.
func (ctx *Context) knownPolicies(w *world.World) {
	ctx.BucketPolicy, ctx.KeyPolicy = map[string]string{}, map[string]string{}
	for _, a := range w.Accounts {
		for _, b := range a.Buckets {
			ctx.BucketPolicy[b.Name] = ""
			if b.Policy != nil {
				ctx.BucketPolicy[b.Name] = string(b.Policy.Source)
			}
		}
		for _, k := range a.Keys {
			// A key of the world always has a policy: the default key
			// policy when the world gives none.
			ctx.KeyPolicy[k.ARN] = string(k.Policy.Source)
		}
	}
}

// Current says what is known of a resource's current policy.
type Current int

const (
	// CurrentUnknown: the plan has no world that holds the resource.
	CurrentUnknown Current = iota
	// CurrentNone: the resource has no policy.
	CurrentNone
	// CurrentKnown: the current policy is known; it is merged.
	CurrentKnown
)

// String returns "unknown", "none" or "known", the JSON output's values.
func (c Current) String() string {
	return [...]string{"unknown", "none", "known"}[c]
}

// currentPolicy returns what is known of the current policy of a bucket
// (kind "bucket") or key (kind "key"), and its source.
func (p *Plan) currentPolicy(kind, name string) (Current, string) {
	m := p.Context.BucketPolicy
	if kind == "key" {
		m = p.Context.KeyPolicy
	}
	src, ok := m[name]
	switch {
	case !ok:
		return CurrentUnknown, ""
	case src == "":
		return CurrentNone, ""
	}
	return CurrentKnown, src
}

// mergePolicy merges planned statements into a current policy as
// Terraform's aws_iam_policy_document does with source_policy_documents =
// [current] and override_policy_documents = [add]: a planned statement
// replaces the current statement of the same Sid (so that merging the
// output of an earlier plan again changes nothing); the others are
// appended. The current statements keep their text; Version is the later
// of the two, Id the current one. current is "" for no policy.
func mergePolicy(current string, add *Document) ([]byte, error) {
	var cur struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if current != "" {
		if err := json.Unmarshal([]byte(current), &cur); err != nil {
			return nil, fmt.Errorf("the current policy is not a JSON object: %w", err)
		}
	}
	stmts, err := rawStatements(cur.Statement)
	if err != nil {
		return nil, err
	}
	for _, st := range add.Statement {
		raw, _ := json.Marshal(st)
		replaced := false
		for i, old := range stmts {
			if st.Sid != "" && sidOf(old) == st.Sid {
				stmts[i], replaced = raw, true
				break
			}
		}
		if !replaced {
			stmts = append(stmts, raw)
		}
	}
	version := max(cur.Version, add.Version)
	var b bytes.Buffer
	b.WriteString("{\n  \"Version\": ")
	writeJSONString(&b, version)
	if cur.ID != "" {
		b.WriteString(",\n  \"Id\": ")
		writeJSONString(&b, cur.ID)
	}
	b.WriteString(",\n  \"Statement\": [")
	for i, st := range stmts {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
		if err := json.Indent(&b, st, "    ", "  "); err != nil {
			return nil, err
		}
	}
	b.WriteString("\n  ]\n}\n")
	return b.Bytes(), nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s)
	b.Write(q)
}

// rawStatements returns the statements of a Statement element: an array,
// or one statement object.
func rawStatements(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '{' {
		return []json.RawMessage{raw}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("the current policy's Statement is neither an array nor an object: %w", err)
	}
	return list, nil
}

func sidOf(stmt json.RawMessage) string {
	var s struct {
		Sid string `json:"Sid"`
	}
	json.Unmarshal(stmt, &s)
	return s.Sid
}

// terraformCannotMerge says why Terraform's aws_iam_policy_document would
// not carry a current policy through source_policy_documents unchanged,
// "" when it would. Its merge fails on repeated Sids, drops condition
// values that are numbers, and fails on lists holding anything but
// strings (terraform-provider-aws, internal/service/iam/policy_model.go);
// for those policies the outputs hold lockstep's own merge instead.
func terraformCannotMerge(current string) string {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(current), &doc); err != nil {
		return "it is not a JSON object"
	}
	stmts, err := rawStatements(doc.Statement)
	if err != nil {
		return err.Error()
	}
	sids := map[string]bool{}
	for i, raw := range stmts {
		var st struct {
			Sid          string                                `json:"Sid"`
			Principal    json.RawMessage                       `json:"Principal"`
			NotPrincipal json.RawMessage                       `json:"NotPrincipal"`
			Condition    map[string]map[string]json.RawMessage `json:"Condition"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Sprintf("Statement[%d] is not a statement object", i)
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return fmt.Sprintf("Sid %q is repeated", st.Sid)
			}
			sids[st.Sid] = true
		}
		for _, pr := range []json.RawMessage{st.Principal, st.NotPrincipal} {
			if why := terraformPrincipal(pr); why != "" {
				return fmt.Sprintf("Statement[%d]: %s", i, why)
			}
		}
		for op, kv := range st.Condition {
			for key, v := range kv {
				if !stringsOrBool(v) {
					return fmt.Sprintf("Statement[%d].Condition.%s.%s holds a value that is not a string or a boolean", i, op, key)
				}
			}
		}
	}
	return ""
}

// terraformPrincipal checks a Principal element: "*", or a map of
// strings and lists of strings.
func terraformPrincipal(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	json.Unmarshal(raw, &v)
	switch v := v.(type) {
	case string:
		if v != "*" {
			return fmt.Sprintf("the principal %q is neither \"*\" nor a map", v)
		}
		return ""
	case map[string]any:
		for typ, ids := range v {
			if _, ok := ids.(string); !ok && !stringList(ids) {
				return fmt.Sprintf("the %s principals are not strings", typ)
			}
		}
		return ""
	}
	return "a principal is neither \"*\" nor a map"
}

// stringsOrBool reports whether a condition value is a string, a boolean
// or a list of strings.
func stringsOrBool(raw json.RawMessage) bool {
	var v any
	json.Unmarshal(raw, &v)
	switch v.(type) {
	case string, bool:
		return true
	}
	return stringList(v)
}

func stringList(v any) bool {
	list, ok := v.([]any)
	for _, e := range list {
		if _, isString := e.(string); !isString {
			return false
		}
	}
	return ok
}

// keyID is the key ID at the end of a key ARN.
func keyID(arn string) string {
	return arn[strings.LastIndexAny(arn, "/:")+1:]
}
