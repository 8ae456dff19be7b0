package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// contextKey is one key of a request context with where its value came
// from, for eval --explain.
type contextKey struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
	Source string   `json:"source"`
}

// describeContext lists the keys of a request's context, each with its
// source: the user's --context, or the catalogue's description of how
// lockstep computes it.
func describeContext(req *authz.Request, overrides map[string][]string) []contextKey {
	given := map[string]bool{}
	for k := range overrides {
		given[strings.ToLower(k)] = true
	}
	var out []contextKey
	for _, k := range req.Context.Keys() {
		vals, _ := req.Context.Get(k)
		ck := contextKey{Key: canonicalKey(k), Values: vals}
		switch {
		case given[k]:
			ck.Source = "--context"
		default:
			ck.Source = authz.ContextSource(k)
			if ck.Source == "" {
				ck.Source = "the operation's request parameters"
			}
		}
		out = append(out, ck)
	}
	return out
}

// canonicalKey spells a lower-cased context key as the catalogue does
// (aws:sourceip -> aws:SourceIp; aws:principaltag/team ->
// aws:PrincipalTag/team).
func canonicalKey(lower string) string {
	info, ok := authz.LookupContextKey(lower)
	if !ok {
		return lower
	}
	if !info.Template() {
		return info.Key
	}
	prefix, _, _ := strings.Cut(info.Key, "${")
	return prefix + lower[len(prefix):]
}

// warnUnknownKey warns when a condition key given on the command line is
// neither in the context-key catalogue nor a condition key of the S3, KMS,
// STS or IAM actions: most likely a typo, which would silently never
// match.
func warnUnknownKey(w io.Writer, flag, key string) {
	if _, ok := authz.LookupContextKey(key); ok {
		return
	}
	if _, ok := s3ops.ConditionKeyType(key); ok {
		return
	}
	msg := fmt.Sprintf("lockstep: warning: %s %s: no AWS service lockstep knows defines this condition key", flag, key)
	if s := authz.SuggestContextKey(key); s != "" {
		msg += "; did you mean " + s + "?"
	}
	fmt.Fprintln(w, msg)
}

// keyIDRE matches a bare KMS key ID.
var keyIDRE = regexp.MustCompile(`^(mrk-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// kmsAliasARN turns the short names KMS accepts for a key (alias/NAME, a
// bare key ID) into ARNs in the caller's account, as KMS resolves them.
// Anything else is returned as given.
func kmsAliasARN(w *world.World, p *authz.Principal, action, resource string) string {
	if !strings.HasPrefix(strings.ToLower(action), "kms:") || p.Account == "" {
		return resource
	}
	prefix := "arn:aws:kms:" + w.Region + ":" + p.Account + ":"
	switch {
	case strings.HasPrefix(resource, "alias/"):
		return prefix + resource
	case keyIDRE.MatchString(resource):
		return prefix + "key/" + resource
	}
	return resource
}

// checkAction validates --action: a known action of a service lockstep
// catalogues is returned in its canonical spelling; an unknown one is an
// error; an action of another service is evaluated as written, with a
// warning.
func checkAction(action string, stderr io.Writer) (string, error) {
	svc, name, ok := strings.Cut(action, ":")
	if !ok || svc == "" || name == "" {
		return "", fmt.Errorf("--action %q: write service:Action, e.g. s3:GetObject", action)
	}
	if canonical, ok := s3ops.KnownAction(action); ok {
		return canonical, nil
	}
	if s3ops.KnowsService(svc) {
		hint := " (the Service Authorization Reference lists every action)"
		if s := s3ops.SuggestAction(action); s != "" {
			hint = "; did you mean " + s + "?"
		}
		return "", fmt.Errorf("--action %s: %s has no action %q%s", action, strings.ToLower(svc), name, hint)
	}
	fmt.Fprintf(stderr, "lockstep: warning: --action %s: lockstep has no catalogue of %s actions; evaluating it as written\n", action, svc)
	return action, nil
}
