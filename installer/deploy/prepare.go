package deploy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
)

// ErrNotAFolder means a file is where an install folder, or one of the
// folders above it, must be. It is one case of ErrInTheWay.
var ErrNotAFolder = fmt.Errorf("a file is where a folder must be: %w", installer.ErrInTheWay)

// TargetError says why a product's install folder cannot be used.
type TargetError struct {
	Target string // the install folder
	Path   string // what is in the way, or the folder that cannot be written
	Err    error  // ErrNotAFolder, or the error of a write test
}

func (e *TargetError) Error() string {
	switch {
	case errors.Is(e.Err, ErrNotAFolder):
		return fmt.Sprintf("install folder %s: %s is a file, not a folder: move it away, or build the deployment with another --target", e.Target, e.Path)
	case errors.Is(e.Err, fs.ErrPermission):
		return fmt.Sprintf("install folder %s: %s cannot be written (permission denied): run the deployment as administrator (root)", e.Target, e.Path)
	}
	return fmt.Sprintf("install folder %s: %s cannot be written: %v", e.Target, e.Path, e.Err)
}

func (e *TargetError) Unwrap() error { return e.Err }

// CheckTarget reports, as a *TargetError, whether target cannot take an
// install: it must be a folder or be creatable (no file at it or above
// it), and this process must be able to write where it is or will be.
// It writes nothing but a test file it removes at once.
func CheckTarget(target string) error {
	_, err := checkTarget(target)
	return err
}

// checkTarget is CheckTarget, returning as well the folder nearest target
// that exists (the one that tells its volume).
func checkTarget(target string) (string, error) {
	p := target
	for {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				return "", &TargetError{Target: target, Path: p, Err: ErrNotAFolder}
			}
			break
		}
		// A missing folder, or a file above it (ENOTDIR): look further up.
		parent := filepath.Dir(p)
		if parent == p {
			return "", &TargetError{Target: target, Path: p, Err: err}
		}
		p = parent
	}
	f, err := os.CreateTemp(p, ".onramp-write-test-*")
	if err != nil {
		return "", &TargetError{Target: target, Path: p, Err: err}
	}
	f.Close()
	os.Remove(f.Name())
	return p, nil
}

// Prepare checks, before anything is installed, everything the install
// of d on this seat needs, and returns the packages to install with in,
// in d's order; each goes to root/ID (in a zip, names are read in in's
// code page). Every package must be present, match its SHA-256 (which
// MatchCatalog ties to the publisher's signature) and be a safe archive;
// every install folder must pass CheckTarget, and each volume must hold
// what the products on it unpack to. A native installer's folder is the
// OS installer's to choose; its log goes to root, which is checked
// instead. Every problem is reported, as one *Error.
func Prepare(ctx context.Context, in *installer.Installer, dir string, d *Deployment, plat catalog.Platform, root string) ([]installer.Package, error) {
	var problems []Problem
	pkgs := make([]installer.Package, len(d.Products))
	type volume struct {
		need, free uint64
		products   []string
		target     string
	}
	volumes := map[string]*volume{} // by the nearest existing folder
	for i, p := range d.Products {
		dp, ok := p.Packages[plat]
		if !ok {
			problems = append(problems, Problem{p.ID, fmt.Errorf("no package for %s in this deployment", plat)})
			continue
		}
		pkgs[i] = installer.Package{Path: d.PackagePath(dir, dp), SHA256: dp.SHA256, Format: dp.Format, Product: p.ID, Version: p.Version, Recipe: dp.Install,
			Name: p.Name, Publisher: d.Publisher, Platform: plat}
		target := filepath.Join(root, p.ID)
		plan, err := in.PlanInstall(ctx, pkgs[i], target)
		if err != nil {
			problems = append(problems, Problem{p.ID, err})
			continue
		}
		folder := target
		if plan.Native {
			folder = root
		}
		at, err := checkTarget(folder)
		if err != nil {
			problems = append(problems, Problem{p.ID, err})
			continue
		}
		if plan.Native || plan.FreeSpace == 0 { // 0: the free space could not be read
			continue
		}
		v := volumes[at]
		if v == nil {
			v = &volume{free: plan.FreeSpace, target: folder}
			volumes[at] = v
		}
		v.need += uint64(plan.DiskBytes) // in the volume's blocks
		v.products = append(v.products, p.ID)
	}
	for _, v := range volumes {
		if v.need > v.free {
			for _, id := range v.products {
				problems = append(problems, Problem{id, &installer.SpaceError{Target: v.target, Need: v.need, Free: v.free}})
			}
		}
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return pkgs, nil
}
