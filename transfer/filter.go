package transfer

import (
	"fmt"
	"unicode/utf8"
)

// Filter is one --exclude or --include pattern.
type Filter struct {
	Exclude bool
	Pattern string
}

// Filters are the --exclude and --include patterns in command-line order.
// They follow the AWS CLI
// (https://docs.aws.amazon.com/cli/latest/reference/s3/index.html#use-of-exclude-and-include-filters):
// "When there are multiple filters, the rule is the filters that appear
// later in the command take precedence over filters that appear earlier in
// the command", and every object is included unless a filter excludes it.
// Patterns are matched against the key relative to the source (or, for
// deletions, the destination) directory: "*" matches everything, "/"
// included, "?" any single character, "[sequence]" any character in
// sequence and "[!sequence]" any character not in it.
type Filters []Filter

// Included reports whether the relative key rel passes the filters: the
// last pattern that matches decides, and no match includes it.
func (fs Filters) Included(rel string) bool {
	in := true
	for _, f := range fs {
		if match(f.Pattern, rel) {
			in = !f.Exclude
		}
	}
	return in
}

// Validate reports a pattern that is not valid UTF-8.
func (fs Filters) Validate() error {
	for _, f := range fs {
		if !utf8.ValidString(f.Pattern) {
			flag := "--include"
			if f.Exclude {
				flag = "--exclude"
			}
			return fmt.Errorf("%s %q: the pattern is not valid UTF-8", flag, f.Pattern)
		}
	}
	return nil
}

// match reports whether name matches pattern in the AWS CLI's (Python
// fnmatch's) syntax: "*" matches any run of characters, "/" included.
func match(pattern, name string) bool {
	// Backtracking over the last star: linear for patterns without
	// classes, as a star never needs to be revisited once a later star
	// matched.
	p, n := 0, 0
	starP, starN := -1, 0
	for n < len(name) {
		if p < len(pattern) {
			switch pattern[p] {
			case '*':
				starP, starN = p, n
				p++
				continue
			case '?':
				_, size := utf8.DecodeRuneInString(name[n:])
				p++
				n += size
				continue
			case '[':
				r, size := utf8.DecodeRuneInString(name[n:])
				if ok, width, valid := matchClass(pattern[p:], r); valid {
					if ok {
						p += width
						n += size
						continue
					}
					break
				}
				// An unclosed "[" is a literal.
				if name[n] == '[' {
					p++
					n++
					continue
				}
			default:
				if pattern[p] == name[n] {
					p++
					n++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, size := utf8.DecodeRuneInString(name[starN:])
		starN += size
		p, n = starP+1, starN
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchClass matches r against the class at the start of pattern
// ("[...]"). It returns whether r is in the class, the class's width, and
// whether the class is closed (an unclosed "[" is a literal).
func matchClass(pattern string, r rune) (in bool, width int, valid bool) {
	i := 1
	negate := false
	if i < len(pattern) && pattern[i] == '!' {
		negate = true
		i++
	}
	first := true
	for i < len(pattern) {
		c, size := utf8.DecodeRuneInString(pattern[i:])
		if c == ']' && !first {
			return in != negate, i + 1, true
		}
		first = false
		i += size
		lo, hi := c, c
		if i+1 < len(pattern) && pattern[i] == '-' && pattern[i+1] != ']' {
			h, hsize := utf8.DecodeRuneInString(pattern[i+1:])
			hi = h
			i += 1 + hsize
		}
		if lo <= r && r <= hi {
			in = true
		}
	}
	return false, 0, false
}
