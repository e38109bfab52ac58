package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"onramp.dev/onramp/catalog"
	"os"
	"slices"
	"strings"
)

// Stamp summarises the receipts, per-user and machine-wide, from their
// folders' listings: each receipt's name, size and modification time (no
// file is opened). It changes when any process (the window, the command
// line, a deployment) installs, updates, uninstalls or rolls back a
// product, so that a front end can compute the products' states again only
// then: states verify every installed file, a stamp costs a folder read.
// Journals, staging notes, locks and temporary files are left out: they
// come and go while an install runs, and its receipt changes at the end.
func (in *Installer) Stamp() (string, error) {
	var b strings.Builder
	for _, s := range []*Installer{in, in.machine()} {
		if s == nil {
			continue
		}
		es, err := os.ReadDir(s.opt.StateDir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		fmt.Fprintf(&b, "%s\n", s.opt.StateDir)
		var lines []string
		for _, e := range es {
			name := e.Name()
			var product string
			switch {
			case strings.HasSuffix(name, ".journal.json"):
				continue
			case strings.HasSuffix(name, ".previous.json"):
				product = strings.TrimSuffix(name, ".previous.json")
			case strings.HasSuffix(name, ".json"):
				product = strings.TrimSuffix(name, ".json")
			}
			if !catalog.IsProductID(product) {
				continue
			}
			info, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since the listing
			}
			if err != nil {
				return "", err
			}
			lines = append(lines, fmt.Sprintf("%s %d %d", name, info.Size(), info.ModTime().UnixNano()))
		}
		slices.Sort(lines)
		b.WriteString(strings.Join(lines, "\n"))
		b.WriteString("\n")
	}
	return b.String(), nil
}
