package prove

import (
	"fmt"
	"path"
	"strings"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/transfer"
)

// filter is one --include or --exclude of a command, in command-line order.
type filter struct {
	include bool
	pattern string
}

// filters reads the --include and --exclude options of a command in the
// order they were given: the AWS CLI lets the last matching one decide,
// rclone the first.
func filters(c *plan.Command) []filter {
	var out []filter
	args := c.Args
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		if name != "--include" && name != "--exclude" {
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				break
			}
			i++
			val = args[i]
		}
		out = append(out, filter{include: name == "--include", pattern: val})
	}
	return out
}

// included reports whether the client copies a file of relative name
// under the command's filters:
//
//   - AWS CLI: every file is included unless a filter matches; the last
//     matching filter decides; "*" matches "/" too (fnmatch).
//   - rclone: the first matching filter decides; with any --include, a
//     file no filter matches is excluded; "*" stops at "/", "**" does not.
//   - s5cmd: an --exclude match excludes; with any --include, a file must
//     match one.
//   - lockstep: the AWS CLI's rules, decided by lockstep's own matcher
//     (package transfer).
func included(client plan.Client, fs []filter, name string) bool {
	switch client {
	case plan.Lockstep:
		var tf transfer.Filters
		for _, f := range fs {
			tf = append(tf, transfer.Filter{Exclude: !f.include, Pattern: f.pattern})
		}
		return tf.Included(name)
	case plan.AWSv1, plan.AWSv2:
		in := true
		for _, f := range fs {
			if globAll(f.pattern, name) {
				in = f.include
			}
		}
		return in
	case plan.Rclone:
		anyInclude := false
		for _, f := range fs {
			anyInclude = anyInclude || f.include
			if rcloneMatch(f.pattern, name) {
				return f.include
			}
		}
		return !anyInclude
	default:
		anyInclude, matchInclude := false, false
		for _, f := range fs {
			ok, _ := path.Match(f.pattern, name)
			if !f.include && ok {
				return false
			}
			if f.include {
				anyInclude = true
				matchInclude = matchInclude || ok
			}
		}
		return !anyInclude || matchInclude
	}
}

// globAll matches a pattern whose "*" matches any run of characters, "/"
// included, and "?" one character.
func globAll(pattern, name string) bool {
	if pattern == "" {
		return name == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(name); i++ {
			if globAll(pattern[1:], name[i:]) {
				return true
			}
		}
		return false
	case '?':
		return name != "" && globAll(pattern[1:], name[1:])
	}
	return name != "" && name[0] == pattern[0] && globAll(pattern[1:], name[1:])
}

// rcloneMatch matches rclone's filter glob: a pattern without "/" matches
// the last path element; "**" matches across "/".
func rcloneMatch(pattern, name string) bool {
	p := strings.TrimPrefix(pattern, "/")
	if !strings.Contains(p, "/") && !strings.HasPrefix(pattern, "/") {
		name = path.Base(name)
	}
	if strings.Contains(p, "**") {
		return globAll(strings.ReplaceAll(p, "**", "*"), name)
	}
	ok, _ := path.Match(p, name)
	return ok
}

// nameLike makes a file name a glob pattern matches: each "*" becomes
// stem, each "?" an "x", brackets their first character.
func nameLike(pattern, stem string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			b.WriteString(stem)
			for i+1 < len(pattern) && pattern[i+1] == '*' {
				i++
			}
		case '?':
			b.WriteByte('x')
		case '[':
			j := strings.IndexByte(pattern[i:], ']')
			if j < 2 {
				b.WriteByte(c)
				continue
			}
			class := strings.TrimPrefix(pattern[i+1:i+j], "!")
			b.WriteByte(class[0])
			i += j
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimPrefix(b.String(), "/")
}

// testNames chooses the names of the test objects: for each size a name
// the command's filters include (from its --include patterns, else
// lockstep-SIZE.bin), and names its --exclude patterns exclude, which must
// not reach the destination.
func testNames(c *plan.Command, sizes []int64) (names map[string]int64, excluded []string, err error) {
	fs := filters(c)
	names = map[string]int64{}
	for _, n := range sizes {
		stem := fmt.Sprintf("lockstep-%d", n)
		candidates := []string{stem + ".bin", stem + ".txt", stem + ".dat", stem}
		for _, f := range fs {
			if f.include {
				candidates = append([]string{nameLike(f.pattern, stem)}, candidates...)
			}
		}
		chosen := ""
		for _, cand := range candidates {
			if _, taken := names[cand]; !taken && cand != "" && included(c.Client, fs, cand) {
				chosen = cand
				break
			}
		}
		if chosen == "" {
			return nil, nil, fmt.Errorf("the command's --include and --exclude leave no name for a test object (tried %s)", strings.Join(candidates, ", "))
		}
		names[chosen] = n
	}
	for _, f := range fs {
		if f.include {
			continue
		}
		cand := nameLike(f.pattern, "lockstep-excluded")
		if cand != "" && !included(c.Client, fs, cand) {
			excluded = append(excluded, cand)
		}
	}
	return names, excluded, nil
}
