package prove

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/plan"
)

// verify checks that the destination holds the source's data byte for
// byte, that deleted names are gone, and that a move removed the source.
func (pr *prover) verify(ctx context.Context, srv *emulator.Server, work string, d *testData) string {
	c := pr.p.Command
	dryrun := c.Has("dryrun")
	if c.Source.IsS3() && (deletes(c) || dryrun || lists(c)) {
		// rm removes the source objects; a dry run and a listing leave
		// them.
		keep := dryrun || lists(c)
		for name := range d.files {
			key := c.Source.Key + name
			if !c.Recursive {
				key = c.Source.Key
			}
			_, err := srv.GetObject(ctx, c.Source.Bucket, key)
			switch {
			case keep && err != nil:
				return "the command removed s3://" + c.Source.Bucket + "/" + key
			case !keep && err == nil:
				return "s3://" + c.Source.Bucket + "/" + key + " is still there"
			}
		}
		if deletes(c) {
			return ""
		}
	}
	if lists(c) {
		// The listing names every object.
		var problems []string
		for name := range d.files {
			if !strings.Contains(string(d.stream), name) {
				problems = append(problems, "the listing does not name "+name)
			}
		}
		sort.Strings(problems)
		return strings.Join(problems, "; ")
	}
	got := map[string][]byte{}
	if c.Dest.IsS3() {
		keys, err := srv.ListKeys(ctx, c.Dest.Bucket)
		if err != nil {
			return err.Error()
		}
		for _, k := range keys {
			rel, ok := strings.CutPrefix(k, c.Dest.Key)
			if !c.Recursive {
				// The one object, whatever the source's name ("-").
				ok = k == c.Dest.Key
				for name := range d.files {
					rel = name
				}
			}
			if !ok {
				continue
			}
			b, err := srv.GetObject(ctx, c.Dest.Bucket, k)
			if err != nil {
				return err.Error()
			}
			got[rel] = b
		}
	} else if c.Dest.Local == "-" {
		for name := range d.files {
			got[name] = d.stream
		}
	} else {
		root := filepath.Join(work, localPath(c.Dest.Local))
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			b, _ := os.ReadFile(p)
			got[filepath.ToSlash(rel)] = b
			return nil
		})
		if !c.Recursive {
			if b, err := os.ReadFile(root); err == nil {
				got = map[string][]byte{filepath.Base(c.Source.Key): b}
			}
		}
	}
	var problems []string
	if isMove(c.Verb) && !dryrun {
		// A move removes what it moved from the source.
		for name := range d.files {
			if c.Source.IsS3() {
				key := c.Source.Key + name
				if !c.Recursive {
					key = c.Source.Key
				}
				if _, err := srv.GetObject(ctx, c.Source.Bucket, key); err == nil {
					problems = append(problems, "the move left s3://"+c.Source.Bucket+"/"+key)
				}
				continue
			}
			p := filepath.Join(work, localPath(localRoot(c.Source.Local)))
			if c.Recursive {
				p = filepath.Join(p, name)
			}
			if _, err := os.Stat(p); err == nil {
				problems = append(problems, "the move left "+name+" in the source directory")
			}
		}
	}
	if dryrun {
		// A dry run changes nothing: nothing was copied, nothing deleted.
		for name := range d.files {
			if _, ok := got[name]; ok && !slices.Contains(d.existing, name) {
				problems = append(problems, "a dry run wrote "+name)
			}
		}
		for _, name := range d.extra {
			if _, ok := got[name]; !ok {
				problems = append(problems, "a dry run deleted "+name)
			}
		}
		sort.Strings(problems)
		return strings.Join(problems, "; ")
	}
	for name, want := range d.files {
		b, ok := got[name]
		switch {
		case !ok:
			problems = append(problems, name+" is missing from the destination")
		case !bytes.Equal(b, want):
			problems = append(problems, fmt.Sprintf("%s differs (%d bytes, want %d)", name, len(b), len(want)))
		}
	}
	for _, name := range d.extra {
		if _, ok := got[name]; ok {
			problems = append(problems, name+" (destination only) was not deleted")
		}
	}
	for _, name := range d.excluded {
		if _, ok := got[name]; ok {
			problems = append(problems, name+" is excluded by the command's filters, but was copied")
		}
	}
	sort.Strings(problems)
	return strings.Join(problems, "; ")
}

// deletes reports whether a command removes its source objects and has
// no destination (aws and s5cmd rm, rclone delete).
func deletes(c *plan.Command) bool { return c.Verb == "rm" || c.Verb == "delete" }

// lists reports whether a command only lists its source (rclone lsf): no
// destination, nothing deleted; its standard output names the objects.
func lists(c *plan.Command) bool { return c.Dest == (plan.Location{}) && !deletes(c) }

// isMove reports whether a verb moves: the source goes once copied.
func isMove(verb string) bool {
	return verb == "mv" || verb == "move" || verb == "moveto"
}
