package s3ops

import "strings"

// KnownAction reports whether action, "service:Name" in any case (IAM
// matches action names case-insensitively), is an action of the Service
// Authorization Reference table, and returns its canonical spelling:
// "kms:decrypt" is known as "kms:Decrypt". The table holds every action
// of s3, kms, sts and iam; an action of another service (ec2:RunInstances)
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
		if d := editDistance(name, strings.ToLower(an), bestDist); d < bestDist {
			best, bestDist = a, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes, or
// any value of at least bound once it is known to reach bound.
func editDistance(a, b string, bound int) int {
	if d := len(a) - len(b); d >= bound || -d >= bound {
		return bound
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= bound {
			return bound
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
