package examples_test

import (
	"path"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/scenario"
)

// TestSeeds replays every seed experiment on the engine: at each step the
// call the seed's author saw fail must be denied on the permission the
// author added next, and the last step must succeed (issue 2 acceptance;
// docs/seeds.md).
func TestSeeds(t *testing.T) {
	seeds, err := examples.Seeds()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		t.Run(strings.TrimSuffix(path.Base(s.File()), ".yaml"), func(t *testing.T) {
			results, err := s.Run()
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range results {
				for _, c := range r.Calls {
					if c.Problem != "" {
						t.Errorf("step %d (%s): %s %s: %s", i+1, r.Step.Title, c.Call.Operation, c.Call.Bucket+"/"+c.Call.Key, c.Problem)
					}
				}
			}
			last := results[len(results)-1]
			for _, c := range last.Calls {
				if !c.Result.Allowed() {
					t.Errorf("the last step must succeed, but %s is denied", c.Call.Operation)
				}
			}
			// Running twice gives the same outcome: steps do not leak.
			again, err := s.Run()
			if err != nil {
				t.Fatal(err)
			}
			for i := range results {
				if len(again[i].Calls) != len(results[i].Calls) || again[i].OK() != results[i].OK() {
					t.Errorf("step %d differs between runs", i+1)
				}
			}
		})
	}
}

func TestRenderSeed000(t *testing.T) {
	s, err := examples.Seed("000")
	if err != nil {
		t.Fatal(err)
	}
	results, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	scenario.Render(&b, s, results)
	out := b.String()
	for _, want := range []string{
		"when calling the ListObjectsV2 operation: User: arn:aws:sts::111111111111:assumed-role/s3synctest/cli is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::kazue-sync-source\" because no identity-based policy allows the s3:ListBucket action",
		"when calling the GetObject operation",
		"when calling the CopyObject operation",
		"FAIL s3:PutObject on arn:aws:s3:::kazue-sync-dest/2020-2nd-q/2-1.md",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("walk-through lacks %q\n%s", want, out)
		}
	}
}
