package prove

import (
	"slices"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
)

func TestFilters(t *testing.T) {
	tests := []struct {
		client plan.Client
		args   string
		in     []string // included names
		out    []string // excluded names
	}{
		// AWS CLI: the last matching filter decides; "*" crosses "/".
		{plan.AWSv2, "aws s3 sync ./up s3://b/p/ --exclude * --include *.txt", []string{"a.txt", "d/a.txt"}, []string{"a.bin"}},
		{plan.AWSv2, "aws s3 sync ./up s3://b/p/ --include *.txt --exclude *", nil, []string{"a.txt", "a.bin"}},
		{plan.AWSv1, "aws s3 sync ./up s3://b/p/ --exclude=*.log", []string{"a.txt"}, []string{"a.log", "d/a.log"}},
		// rclone: the first match decides, an --include excludes the rest,
		// a pattern without "/" matches the base name.
		{plan.Rclone, "rclone copy ./dir r:b/p --include *.txt", []string{"a.txt", "d/a.txt"}, []string{"a.bin"}},
		{plan.Rclone, "rclone copy ./dir r:b/p --exclude *.log --include *", []string{"a.txt"}, []string{"a.log"}},
		// s5cmd: an --exclude match excludes.
		{plan.S5cmd, "s5cmd sync --exclude *.log ./dir/ s3://b/p/", []string{"a.txt"}, []string{"a.log"}},
	}
	for _, tt := range tests {
		c := &plan.Command{Client: tt.client, Args: strings.Fields(tt.args)}
		fs := filters(c)
		for _, n := range tt.in {
			if !included(tt.client, fs, n) {
				t.Errorf("%s: %s is excluded, want included", tt.args, n)
			}
		}
		for _, n := range tt.out {
			if included(tt.client, fs, n) {
				t.Errorf("%s: %s is included, want excluded", tt.args, n)
			}
		}
	}
}

func TestTestNames(t *testing.T) {
	c := &plan.Command{Client: plan.AWSv2, Args: strings.Fields("aws s3 sync ./up s3://b/p/ --exclude * --include data/*.csv")}
	names, excluded, err := testNames(c, []int64{1024, 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for name := range names {
		if !strings.HasPrefix(name, "data/lockstep-") || !strings.HasSuffix(name, ".csv") {
			t.Errorf("test name %q does not match the --include", name)
		}
	}
	if len(names) != 2 || !slices.Equal(excluded, []string{"lockstep-excluded"}) {
		t.Errorf("names %v, excluded %v", names, excluded)
	}
	// Filters that exclude everything leave no test object: an error.
	c = &plan.Command{Client: plan.AWSv2, Args: strings.Fields("aws s3 sync ./up s3://b/p/ --exclude *")}
	if _, _, err := testNames(c, []int64{1024}); err == nil {
		t.Error("filters that exclude every name gave test names")
	}
}
