package installer

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// An archive's folders keep their modes exactly, even those that forbid
// their owner to list them or to write in them (0500, 0142): tar -xpf and
// unzip give them so. The operations that work inside an installed tree
// (upgrade, repair, rollback, uninstall, the carrying of the user's files,
// the removal of a kept version) open those folders for their owner first
// and give them their modes back after: the receipts list each folder of
// the archive with its mode.

// restrictive says whether a folder's mode keeps its owner out.
func restrictive(mode uint32) bool { return mode&0o700 != 0o700 }

// openDirs gives the owner every right on the folders of dirs under root
// whose modes keep them out, outermost first (a folder is reached through
// its parents). Folders that are gone are passed over.
func openDirs(root string, dirs []FileRecord) {
	if root == "" {
		return
	}
	list := slices.Clone(dirs)
	slices.SortFunc(list, func(a, b FileRecord) int { return strings.Count(a.Path, "/") - strings.Count(b.Path, "/") })
	for _, d := range list {
		if restrictive(d.Mode) {
			os.Chmod(filepath.Join(root, filepath.FromSlash(d.Path)), fs.FileMode(d.Mode).Perm()|0o700)
		}
	}
}

// sealDirs gives the folders of dirs under root the modes recorded,
// innermost first.
func sealDirs(root string, dirs []FileRecord) {
	if root == "" {
		return
	}
	list := slices.Clone(dirs)
	slices.SortFunc(list, func(a, b FileRecord) int { return strings.Count(b.Path, "/") - strings.Count(a.Path, "/") })
	for _, d := range list {
		if restrictive(d.Mode) {
			p := filepath.Join(root, filepath.FromSlash(d.Path))
			if st, err := os.Lstat(p); err == nil && st.IsDir() {
				os.Chmod(p, fs.FileMode(d.Mode).Perm())
			}
		}
	}
}

// removeTree removes a tree Onramp made, opening on the way the folders
// whose modes keep their owner out (a staging folder, a kept version, a
// tree whose receipt is gone).
func removeTree(p string) error {
	err := removeAll(p)
	if err == nil {
		return nil
	}
	filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if info, ierr := d.Info(); ierr == nil && info.Mode().Perm()&0o700 != 0o700 {
				os.Chmod(q, info.Mode().Perm()|0o700) // before WalkDir reads it
			}
		}
		return nil
	})
	return removeAll(p)
}

// trees are the installed and the kept version of product with their
// receipts, where they are on disk.
func (in *Installer) trees(product string) (roots []string, dirs [][]FileRecord) {
	if r, err := in.receipt(product); err == nil && !r.Native() {
		roots, dirs = append(roots, r.Target), append(dirs, r.Dirs)
	}
	if r, err := readReceipt(in.previousReceiptPath(product), product); err == nil && !r.Native() {
		roots, dirs = append(roots, previousDir(r.Target, product)), append(dirs, r.Dirs)
	}
	return roots, dirs
}

// openTrees opens the restrictive folders of the installed and the kept
// version of product; sealTrees closes them again, by the receipts in
// force once the operation is over.
func (in *Installer) openTrees(product string) {
	roots, dirs := in.trees(product)
	for i := range roots {
		openDirs(roots[i], dirs[i])
	}
}

func (in *Installer) sealTrees(product string) {
	roots, dirs := in.trees(product)
	for i := range roots {
		sealDirs(roots[i], dirs[i])
	}
}
