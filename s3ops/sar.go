package s3ops

import (
	"sort"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
)

// LookupAction returns the Service Authorization Reference entry of an
// action such as "s3:GetObject" (case-insensitive), for services s3, kms,
// sts and iam.
func LookupAction(action string) (SARAction, bool) {
	a, ok := sarActions[strings.ToLower(action)]
	return a, ok
}

// KnowsService reports whether the SAR table covers the service prefix, so
// that an unknown action name of that service is a mistake.
func KnowsService(service string) bool {
	switch strings.ToLower(service) {
	case "s3", "kms", "sts", "iam", "organizations":
		return true
	}
	return false
}

// Actions returns the canonical names of the SAR actions matching a
// pattern such as "s3:Get*" (case-insensitive, * and ? wildcards).
func Actions(pattern string) []string {
	var out []string
	for _, a := range sarActions {
		if wildcardMatch(strings.ToLower(pattern), strings.ToLower(a.Name)) {
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return out
}

// IsGlobalKey reports whether key is a global aws: condition key of the
// context-key catalogue (docs/context-keys.md).
func IsGlobalKey(key string) bool {
	info, ok := authz.LookupContextKey(key)
	return ok && strings.HasPrefix(info.Key, "aws:")
}

// ActionSetsKey reports whether a request for action can carry the
// condition key: a global key, or one the SAR lists for the action
// (templates such as s3:ExistingObjectTag/${TagKey} match any tag key).
// Unknown actions report true: nothing is known against them.
func ActionSetsKey(action, key string) bool {
	if IsGlobalKey(key) {
		return true
	}
	a, ok := LookupAction(action)
	if !ok {
		return true
	}
	k := strings.ToLower(key)
	for _, ck := range a.ConditionKeys {
		if keyMatchesTemplate(k, strings.ToLower(ck)) {
			return true
		}
	}
	return false
}

// ConditionKeyType returns the SAR type of a service condition key
// ("String", "ArrayOfString", "Numeric", ...).
func ConditionKeyType(key string) (string, bool) {
	k := strings.ToLower(key)
	if t, ok := sarConditionKeyTypes[k]; ok {
		return t, true
	}
	for tmpl, t := range sarConditionKeyTypes {
		if strings.Contains(tmpl, "${") && keyMatchesTemplate(k, tmpl) {
			return t, true
		}
	}
	return "", false
}

// keyMatchesTemplate matches a lower-cased key against a lower-cased SAR key
// that may hold ${...} placeholders.
func keyMatchesTemplate(key, tmpl string) bool {
	if !strings.Contains(tmpl, "${") {
		return key == tmpl
	}
	var pat strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			pat.WriteString(tmpl)
			break
		}
		pat.WriteString(tmpl[:i])
		pat.WriteByte('*')
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		tmpl = tmpl[i+j+1:]
	}
	return wildcardMatch(pat.String(), key)
}

// wildcardMatch matches s against a pattern with * and ? wildcards.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
