package setup

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"

	"onramp.dev/onramp/installer"
)

// userFiles lists the files in the receipt's folder that it does not list:
// the user's, which uninstall leaves in place.
func userFiles(rec *installer.Receipt) ([]string, error) {
	if rec.Native() {
		return []string{}, nil // the OS installer's folder: its uninstaller decides
	}
	ours := map[string]bool{}
	for f, err := range rec.Files() {
		if err != nil {
			return nil, err
		}
		ours[f.Path] = true
	}
	out := []string{}
	filepath.WalkDir(rec.Target, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return nil // an unreadable folder: the uninstall itself will say
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(rec.Target, p)
		if err == nil && !ours[filepath.ToSlash(rel)] {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out, nil
}
