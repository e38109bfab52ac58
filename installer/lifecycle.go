package installer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"onramp.dev/onramp/catalog"
)

// The lifecycle of an install once it is in place: verify, repair,
// rollback and uninstall. Each works on the receipt of the scope that
// holds the product (receiptStore) and changes files through the same
// journaled commit as Install (commit.go).

// VerifyReport lists what differs from the receipt.
type VerifyReport struct {
	Product string   `json:"product"`
	Version string   `json:"version"`
	Target  string   `json:"target"`
	Files   int      `json:"files"`
	Missing []string `json:"missing"`
	Changed []string `json:"changed"` // "path: why"
}

// OK reports whether every file is as installed.
func (v *VerifyReport) OK() bool { return len(v.Missing) == 0 && len(v.Changed) == 0 }

// Verify checks every installed file against the receipt.
func (in *Installer) Verify(ctx context.Context, product string) (*VerifyReport, error) {
	rec, err := in.Receipt(product)
	if err != nil {
		return nil, err
	}
	if rec.Native() {
		return nil, fmt.Errorf("verify %s: %w", product, &NativeInstallError{Product: product, Format: rec.Format})
	}
	rep := &VerifyReport{Product: product, Version: rec.Version, Target: rec.Target, Files: rec.FileCount, Missing: []string{}, Changed: []string{}}
	for _, d := range rec.Dirs {
		st, err := os.Lstat(filepath.Join(rec.Target, filepath.FromSlash(d.Path)))
		switch {
		case err != nil:
			rep.Missing = append(rep.Missing, d.Path+"/")
		case !st.IsDir():
			rep.Changed = append(rep.Changed, d.Path+": no longer a folder")
		case !onWindows && uint32(st.Mode()&(fs.ModeDir|fs.ModePerm)) != d.Mode:
			rep.Changed = append(rep.Changed, fmt.Sprintf("%s: mode %v, installed %v", d.Path, st.Mode().Perm(), fs.FileMode(d.Mode).Perm()))
		}
	}
	for f, err := range rec.Files() {
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", product, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := filepath.Join(rec.Target, filepath.FromSlash(f.Path))
		st, err := os.Lstat(p)
		if err != nil {
			rep.Missing = append(rep.Missing, f.Path)
			continue
		}
		if f.Link != "" {
			if l, err := os.Readlink(p); err != nil || filepath.ToSlash(l) != f.Link {
				rep.Changed = append(rep.Changed, f.Path+": link changed")
			}
			continue
		}
		switch {
		case !st.Mode().IsRegular():
			rep.Changed = append(rep.Changed, f.Path+": no longer a file")
		case st.Size() != f.Size:
			rep.Changed = append(rep.Changed, fmt.Sprintf("%s: size %d, installed %d", f.Path, st.Size(), f.Size))
		case fileHash(p) != f.SHA256:
			rep.Changed = append(rep.Changed, f.Path+": content changed")
		case !onWindows && uint32(st.Mode().Perm()) != f.Mode:
			rep.Changed = append(rep.Changed, fmt.Sprintf("%s: mode %v, installed %v", f.Path, st.Mode().Perm(), fs.FileMode(f.Mode)))
		}
	}
	return rep, nil
}

// Repair reinstalls the installed version from its package, replacing
// Onramp's files at once; the files the user added stay (and are listed in
// Kept), and the version kept for rollback stays as it is.
func (in *Installer) Repair(ctx context.Context, product string) (*Receipt, error) {
	return in.RepairFrom(ctx, product, "")
}

// RepairFrom is Repair from another copy of the package (the cache's, a
// fresh download): it must have the receipt's SHA-256, and the receipt
// then names it for the next repair. "" is the package the receipt names.
func (in *Installer) RepairFrom(ctx context.Context, product, pkgPath string) (*Receipt, error) {
	s := in.storeOf(product)
	if err := s.hold(); err != nil {
		return nil, err
	}
	defer s.release()
	rec, err := s.current()
	if err != nil {
		return nil, err
	}
	return s.repair(ctx, product, rec, pkgPath)
}

// repair is RepairFrom in the store that holds product, held.
func (in *Installer) repair(ctx context.Context, product string, rec *Receipt, pkgPath string) (*Receipt, error) {
	var err error
	if rec.Native() {
		return nil, fmt.Errorf("repair %s: %w", product, &NativeInstallError{Product: product, Format: rec.Format})
	}
	if pkgPath != "" {
		if pkgPath, err = filepath.Abs(pkgPath); err != nil {
			return nil, err
		}
		rec.Package = pkgPath
	}
	pkg := Package{Path: rec.Package, SHA256: rec.PackageSHA256, Format: rec.Format, Product: product, Version: rec.Version,
		Recipe: catalog.Recipe{Launch: rec.Launch}, ZipCodePage: rec.ZipCodePage}
	if err := VerifyPackage(pkg); err != nil {
		return nil, fmt.Errorf("repair needs the package of %s %s: %w (download it again)", product, rec.Version, err)
	}
	staging, st, err := in.stage(ctx, pkg, rec.Target, rec.FileCount, nil)
	if err != nil {
		return nil, stagingError(rec.Target, 0, err)
	}
	defer st.done()
	j := &journal{Op: opRepair, Target: rec.Target, Staging: staging, Previous: rec.Target + ".onramp-damaged",
		HadOld: exists(rec.Target), NewID: rec.ID, KnownID: rec.ID, InPlace: rec.Adopted}
	kept, err := in.commit(product, j, nil, rec)
	if err != nil {
		return nil, err
	}
	os.Remove(in.stagingNote(product))
	st.receiptFiles(rec)
	rec.Dirs, rec.Installed = st.dirs, time.Now().UTC().Truncate(time.Second)
	if rec.Adopted {
		rec.Dirs = diskDirModes(rec.Target, st.dirs) // the user's folders keep their modes
	}
	if err := writeJSONAtomic(in.receiptPath(product), rec); err != nil {
		return nil, err
	}
	if err := listIn(rec, in.receiptPath(product)); err != nil {
		return nil, err
	}
	rec.Kept = kept
	if err := in.syncEntry(product, rec, nil); err != nil {
		return rec, fmt.Errorf("%s is repaired, but %w", product, err)
	}
	return rec, nil
}

// Rollback puts back the version the last install replaced; the version
// rolled back from is kept in its place, so a second rollback undoes it.
// The files the user added stay in place (and are listed in Kept).
func (in *Installer) Rollback(ctx context.Context, product string) (*Receipt, error) {
	s := in.storeOf(product)
	if err := s.hold(); err != nil {
		return nil, err
	}
	defer s.release()
	cur, err := s.current()
	if err != nil {
		return nil, err
	}
	return s.rollback(ctx, product, cur)
}

// rollback is Rollback in the store that holds product, held.
func (in *Installer) rollback(ctx context.Context, product string, cur *Receipt) (*Receipt, error) {
	old, err := in.previous(product, cur)
	if err != nil {
		return nil, err
	}
	prev := previousDir(cur.Target, product)
	users, err := userEntries(cur.Target, cur)
	if err != nil {
		return nil, err
	}
	o, err := owned(old)
	if err != nil {
		return nil, err
	}
	if c := conflicts(users, o.files, o.dirs); len(c) > 0 {
		return nil, &ConflictError{Target: cur.Target, Paths: c}
	}
	j := &journal{Op: opRollback, Target: cur.Target, Staging: prev, Previous: cur.Target + ".onramp-swap",
		HadOld: exists(cur.Target), NewID: old.ID, KnownID: cur.ID, InPlace: cur.Adopted}
	kept, err := in.commit(product, j, nil, old)
	if err != nil {
		return nil, err
	}
	if err := listIn(old, in.receiptPath(product)); err != nil {
		return nil, err
	}
	old.Kept = kept
	if err := in.syncEntry(product, old, cur); err != nil {
		return old, fmt.Errorf("%s is rolled back, but %w", product, err)
	}
	return old, nil
}

// Previous is the receipt of the version kept for Rollback: ErrNoPrevious
// when none is kept, ErrNotInstalled when nothing is installed.
func (in *Installer) Previous(product string) (*Receipt, error) {
	s := in.storeOf(product)
	if err := s.settleForReading(); err != nil {
		return nil, err
	}
	cur, err := s.current()
	if err != nil {
		return nil, err
	}
	return s.previous(product, cur)
}

// previous is the kept version Rollback can put back in place of cur.
func (in *Installer) previous(product string, cur *Receipt) (*Receipt, error) {
	if cur.Native() {
		return nil, fmt.Errorf("rollback %s: %w", product, &NativeInstallError{Product: product, Format: cur.Format})
	}
	old, err := readReceipt(in.previousReceiptPath(product), product)
	if err != nil || !exists(previousDir(cur.Target, product)) || old.Target != cur.Target {
		return nil, fmt.Errorf("%s: %w", product, ErrNoPrevious)
	}
	return old, nil
}

// Uninstall removes the installed files the receipt lists, the folders
// they leave empty, and the kept previous version. Files the user added are
// left, and listed.
func (in *Installer) Uninstall(ctx context.Context, product string) ([]string, error) {
	s := in.storeOf(product)
	if err := s.hold(); err != nil {
		return nil, err
	}
	defer s.release()
	rec, err := s.current()
	if err != nil {
		return nil, err
	}
	return s.uninstall(ctx, product, rec)
}

// uninstall is Uninstall in the store that holds product, held.
func (in *Installer) uninstall(ctx context.Context, product string, rec *Receipt) ([]string, error) {
	if rec.Native() {
		return nil, in.uninstallNative(ctx, rec)
	}
	// A folder that cannot be changed (a read-only disk, no rights) is
	// found before anything is removed.
	if err := removable(product, rec.Target); err != nil {
		return nil, err
	}
	in.openTrees(product)
	// Onramp's folders are gathered on the way (one name per folder).
	owns := map[string]bool{}
	for f, err := range rec.Files() {
		if err != nil {
			return nil, fmt.Errorf("uninstall %s: %w", product, err)
		}
		p := filepath.Join(rec.Target, filepath.FromSlash(f.Path))
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, uninstallError(product, filepath.Dir(p), err)
		}
		addParents(owns, f.Path)
	}
	for _, d := range rec.Dirs {
		owns[d.Path] = true
		addParents(owns, d.Path)
	}
	// Onramp's folders, deepest first; a folder that still holds something
	// stays. Folders of the user's stay, empty or not.
	var dirs []string
	for d := range owns {
		dirs = append(dirs, d)
	}
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	for _, d := range dirs {
		os.Remove(filepath.Join(rec.Target, filepath.FromSlash(d)))
	}
	// A kept version from before files were carried over may hold the
	// user's files: they join the others.
	prev := previousDir(rec.Target, product)
	if exists(prev) {
		old, _ := readReceipt(in.previousReceiptPath(product), product)
		if old != nil && old.Target == rec.Target {
			if _, err := carry(prev, rec.Target, old); err != nil {
				return nil, fmt.Errorf("keeping your files from %s: %w", prev, err)
			}
		}
	}
	users, err := userEntries(rec.Target, nil)
	if err != nil {
		return nil, err
	}
	if !rec.Adopted {
		os.Remove(rec.Target) // only if empty
	}
	if err := removeTree(prev); err != nil {
		return nil, err
	}
	os.Remove(in.previousReceiptPath(product))
	if err := os.Remove(in.receiptPath(product)); err != nil {
		return userFiles(users), err
	}
	return userFiles(users), in.syncEntry(product, nil, rec)
}

// UninstallError: files of an install could not be removed from Folder
// (a read-only disk, no rights to change it). The receipt is kept, so
// uninstall can be run again once the folder can be changed.
type UninstallError struct {
	Product, Folder string
	Err             error
}

func (e *UninstallError) Error() string {
	switch {
	case isReadOnlyFS(e.Err):
		return fmt.Sprintf("cannot uninstall %s: %s is on a read-only file system; make it writable (remount it, or ask IT), then run uninstall again", e.Product, e.Folder)
	case errors.Is(e.Err, fs.ErrPermission):
		return fmt.Sprintf("cannot uninstall %s: no permission to remove files in %s; make the folder writable (or run as administrator for an install made by one), then run uninstall again", e.Product, e.Folder)
	}
	return fmt.Sprintf("cannot uninstall %s: removing files in %s: %v; run uninstall again once it can be changed", e.Product, e.Folder, e.Err)
}

func (e *UninstallError) Unwrap() error { return e.Err }

// Is lets errors.Is match ErrReadOnly and ErrNeedsElevated.
func (e *UninstallError) Is(target error) bool {
	return (target == ErrReadOnly && isReadOnlyFS(e.Err)) || (target == ErrNeedsElevated && errors.Is(e.Err, fs.ErrPermission) && !isReadOnlyFS(e.Err))
}

func uninstallError(product, folder string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the folder is named once, by the error itself
	}
	return &UninstallError{Product: product, Folder: folder, Err: err}
}

// removable checks that names can be removed from target, by making and
// removing one there. A target that is gone is not checked: uninstall
// then only forgets it.
func removable(product, target string) error {
	if !exists(target) {
		return nil
	}
	f, err := os.CreateTemp(target, ".onramp-write-test-*")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return uninstallError(product, target, err)
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return uninstallError(product, target, err)
	}
	return nil
}
