package transfer

import "testing"

// The AWS CLI's documented examples
// (https://docs.aws.amazon.com/cli/latest/reference/s3/index.html#use-of-exclude-and-include-filters),
// on its example directory /tmp/foo holding .git/config, .git/description,
// foo.txt, bar.txt and baz.jpg, plus pattern-syntax cases.
func TestFiltersAWSCLIExamples(t *testing.T) {
	files := []string{".git/config", ".git/description", "bar.txt", "baz.jpg", "foo.txt"}
	ex := func(p string) Filter { return Filter{Exclude: true, Pattern: p} }
	in := func(p string) Filter { return Filter{Pattern: p} }
	tests := []struct {
		name    string
		filters Filters
		want    []string
	}{
		{"no filters include everything", nil, files},
		{"an include alone changes nothing", Filters{in("*.txt")}, files},
		{"exclude a directory", Filters{ex(".git/*")}, []string{"bar.txt", "baz.jpg", "foo.txt"}},
		{"exclude all, include txt", Filters{ex("*"), in("*.txt")}, []string{"bar.txt", "foo.txt"}},
		{"include txt, exclude all: the later wins", Filters{in("*.txt"), ex("*")}, nil},
		{"exclude all, include txt, exclude bar", Filters{ex("*"), in("*.txt"), ex("bar.txt")}, []string{"foo.txt"}},
		{"star crosses slashes", Filters{ex("*config")}, []string{".git/description", "bar.txt", "baz.jpg", "foo.txt"}},
		{"question mark", Filters{ex("ba?.*")}, []string{".git/config", ".git/description", "foo.txt"}},
		{"sequence", Filters{ex("[bf]a*")}, []string{".git/config", ".git/description", "foo.txt"}},
		{"negated sequence", Filters{ex("[!b]*.txt")}, []string{".git/config", ".git/description", "bar.txt", "baz.jpg"}},
		{"range", Filters{ex("*.[a-j]pg")}, []string{".git/config", ".git/description", "bar.txt", "foo.txt"}},
		{"patterns are anchored", Filters{ex("txt")}, files},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range files {
				if tt.filters.Included(f) {
					got = append(got, f)
				}
			}
			if !equalStrings(got, tt.want) {
				t.Errorf("included %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatchSyntax(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "", true},
		{"*", "a/b/c", true},
		{"a*b*c", "a-x-b-y-c", true},
		{"a*b*c", "a-x-b-y-d", false},
		{"*.txt", "dir/file.txt", true},
		{"?", "é", true}, // one character, two bytes
		{"[é]", "é", true},
		{"[]]", "]", true}, // "]" first in a class is a member
		{"[!]]", "a", true},
		{"[a", "[a", true}, // an unclosed "[" is literal
		{"[a", "a", false},
		{"a[-]b", "a-b", true},
		{"**", "x", true},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.name); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
