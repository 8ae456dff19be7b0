// Package editdist measures how far apart two strings are, for the
// "did you mean" suggestions of lockstep's commands (unknown actions,
// condition keys).
package editdist

// Bounded is the Levenshtein distance between a and b in bytes, or any
// value of at least bound once it is known to reach bound.
func Bounded(a, b string, bound int) int {
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

// Distance is the Levenshtein distance between a and b in bytes.
func Distance(a, b string) int { return Bounded(a, b, len(a)+len(b)+1) }
