// Package inputfiles lists the files a command reads from the paths it
// is given, each a file or a directory read recursively: the AWS CLI
// outputs of lockstep world import, the CloudTrail logs of plan
// --from-trail.
package inputfiles

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// List returns each path that is a file, and the files below each path
// that is a directory whose name match accepts, sorted.
func List(paths []string, match func(name string) bool) ([]string, error) {
	var names []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			names = append(names, p)
			continue
		}
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && match(d.Name()) {
				names = append(names, q)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(names)
	return names, nil
}
