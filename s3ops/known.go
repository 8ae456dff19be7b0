package s3ops

import (
	"strings"

	"github.com/lockstep-dev/lockstep/internal/editdist"
)

// KnownAction reports whether action, "service:Name" in any case (IAM
// matches action names case-insensitively), is an action of the Service
// Authorization Reference table, and returns its canonical spelling:
// "kms:decrypt" is known as "kms:Decrypt". The table holds every action
// of s3, kms, sts, iam and organizations; an action of another service (ec2:RunInstances)
// is not known either, and KnowsService tells the two cases apart.
func KnownAction(action string) (canonical string, ok bool) {
	a, ok := LookupAction(action)
	if !ok {
		return "", false
	}
	return a.Name, true
}

// SuggestAction returns the action of the table nearest to action, an
// unknown "service:Name", when it is of the same service and a small edit
// away (case-insensitive Levenshtein distance of the names of at most 1,
// or 2 for names of 8 characters and more): "s3:GetObjekt" suggests
// "s3:GetObject". A known action suggests its canonical spelling. It
// returns "" when nothing is that close, when action holds a wildcard,
// and when the service is not in the table (KnowsService).
func SuggestAction(action string) string {
	svc, name, found := strings.Cut(action, ":")
	if !found || name == "" || !KnowsService(svc) || strings.ContainsAny(name, "*?") {
		return ""
	}
	if canonical, ok := KnownAction(action); ok {
		return canonical
	}
	name = strings.ToLower(name)
	limit := min(2, max(1, len(name)/4))
	best, bestDist := "", limit+1
	for _, a := range Actions(strings.ToLower(svc) + ":*") { // sorted: ties go to the first
		_, an, _ := strings.Cut(a, ":")
		if d := editdist.Bounded(name, strings.ToLower(an), bestDist); d < bestDist {
			best, bestDist = a, d
		}
	}
	return best
}
