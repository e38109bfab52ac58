package setup

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/syscheck"
)

// RequirementsError is a machine check that failed before a download.
type RequirementsError struct {
	Product, Version string
	Report           *syscheck.Report
}

func (e *RequirementsError) Error() string {
	var failed []string
	for _, it := range e.Report.Items {
		if it.Status == syscheck.Fail {
			failed = append(failed, it.ID)
		}
	}
	return fmt.Sprintf("%s %s: %v (%s)", e.Product, e.Version, ErrRequirements, strings.Join(failed, ", "))
}

func (e *RequirementsError) Unwrap() error { return ErrRequirements }

// Release is one release's package for the platform, as the catalog lists it.
type Release struct {
	Product  *catalog.Product
	Release  *catalog.Release
	Platform catalog.Platform
	Package  catalog.Package
	// Publisher is the catalog's.
	Publisher string
}

// Find resolves "ID" (the newest release with a package here) or
// "ID@VERSION", with its package for the setup's platform (or plat, when
// given).
func (s *Setup) Find(ref string, plat catalog.Platform) (*Release, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	if plat == "" {
		plat = s.opt.Platform
	}
	p, r, err := cat.Find(ref)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(ref, "@") {
		if n := s.newestFor(p); n != nil {
			r = n
		}
	}
	pkg, ok := r.Packages[plat]
	if !ok {
		return nil, fmt.Errorf("%s %s for %s: %w", p.Name, r.Version, plat, ErrNoPackage)
	}
	return &Release{Product: p, Release: r, Platform: plat, Package: pkg, Publisher: cat.Publisher}, nil
}

// Check gathers this machine's facts (with the volume of target, "" for
// the product's default folder) and judges them against the release's
// requirements.
func (s *Setup) Check(ctx context.Context, ref, target string) (*Release, *syscheck.Report, error) {
	rel, err := s.find(ref)
	if err != nil {
		return nil, nil, err
	}
	rep, err := s.check(ctx, rel, target)
	return rel, rep, err
}

// find is Find for the setup's platform, where a missing package is for
// the check to report (wrong-platform) rather than an error.
func (s *Setup) find(ref string) (*Release, error) {
	rel, err := s.Find(ref, "")
	if errors.Is(err, ErrNoPackage) {
		cat, _ := s.Catalog()
		p, r, ferr := cat.Find(ref)
		if ferr != nil {
			return nil, ferr
		}
		return &Release{Product: p, Release: r, Platform: s.opt.Platform}, nil
	}
	return rel, err
}

func (s *Setup) check(ctx context.Context, rel *Release, target string) (*syscheck.Report, error) {
	if target == "" {
		target = s.DefaultTarget(rel.Product.ID)
	}
	s.emit(Event{Step: StepCheck, Product: rel.Product.ID})
	facts, err := syscheck.Gather(ctx, syscheck.Options{Target: target, Cache: s.opt.CacheDir})
	if err != nil {
		return nil, err
	}
	var plats []catalog.Platform
	for p := range rel.Release.Packages {
		plats = append(plats, p)
	}
	return syscheck.Evaluate(facts, rel.Release.Requirements, plats), nil
}

// Download is a package verified in the cache.
type Download struct {
	Product  *catalog.Product
	Release  *catalog.Release
	Platform catalog.Platform
	Path     string             `json:"path"`
	Result   *downloader.Result `json:"result"`
	// Report is the machine check that ran first (nil for another platform's package).
	Report *syscheck.Report `json:"-"`
}

// Download checks this machine against the release's requirements (for
// this machine's platform; a RequirementsError when one fails), then
// fetches its package into the cache, verified and resumable.
func (s *Setup) Download(ctx context.Context, ref string, plat catalog.Platform) (*Download, error) {
	rel, err := s.Find(ref, plat)
	if err != nil {
		return nil, err
	}
	if err := s.checkRights(ctx, rel.Product.ID, false); err != nil {
		return nil, err
	}
	return s.download(ctx, rel, "")
}

func (s *Setup) download(ctx context.Context, rel *Release, target string) (*Download, error) {
	d := &Download{Product: rel.Product, Release: rel.Release, Platform: rel.Platform}
	rep, err := s.gate(ctx, rel, target, false)
	if err != nil {
		return nil, err
	}
	d.Report = rep
	res, err := s.fetch(ctx, rel.Product.ID, rel.Package, s.cachePath(rel.Package))
	if err != nil {
		return nil, err
	}
	d.Path, d.Result = res.Path, res
	return d, nil
}

func (s *Setup) fetch(ctx context.Context, product string, pkg catalog.Package, dest string) (*downloader.Result, error) {
	req, err := s.src.request(ctx, pkg, dest)
	if err != nil {
		return nil, err
	}
	client, err := s.downloader(product)
	if err != nil {
		return nil, err
	}
	return client.Fetch(ctx, req)
}

// RemovePartial deletes the partial download of ref's package (a
// cancelled download; a paused one keeps it to resume).
func (s *Setup) RemovePartial(ref string) error {
	rel, err := s.Find(ref, "")
	if err != nil {
		return err
	}
	return downloader.RemovePartial(s.cachePath(rel.Package))
}

func (rel *Release) spec(path string) installer.Package {
	return installer.Package{Path: path, SHA256: rel.Package.SHA256, Format: rel.Package.Format, Product: rel.Product.ID,
		Version: rel.Release.Version.String(), Recipe: rel.Package.Install, Platform: rel.Platform, Name: rel.Product.Name, Publisher: rel.Publisher}
}

// Plan checks, downloads and shows what installing ref into target ("" for
// the default folder) would do, changing nothing.
func (s *Setup) Plan(ctx context.Context, ref, target string) (*installer.Plan, error) {
	rel, err := s.Find(ref, "")
	if err != nil {
		return nil, err
	}
	if err := s.checkRights(ctx, rel.Product.ID, true); err != nil {
		return nil, err
	}
	target = s.targetFor(rel.Product.ID, target)
	d, err := s.download(ctx, rel, target)
	if err != nil {
		return nil, err
	}
	in, err := s.installer(rel.Product.ID)
	if err != nil {
		return nil, err
	}
	return in.PlanInstall(ctx, rel.spec(d.Path), target)
}

// targetFor is the folder to install into: the one given, else where the
// product is installed now, else the default.
func (s *Setup) targetFor(product, target string) string {
	if target != "" {
		return target
	}
	if in, err := installer.New(installer.Options{StateDir: s.opt.StateDir}); err == nil {
		// A native install's folder is the OS installer's: none recorded.
		if rec, err := in.Receipt(product); err == nil && rec.Target != "" {
			return rec.Target
		}
	}
	return s.DefaultTarget(product)
}

// Install checks, downloads (verified, through the cache) and installs ref
// into target ("" for where it is installed, else the default folder).
// The version it replaces is kept for Rollback.
func (s *Setup) Install(ctx context.Context, ref, target string) (*installer.Receipt, error) {
	done, err := s.InstallWith(ctx, ref, InstallOptions{Target: target})
	if err != nil {
		return nil, err
	}
	return done.Receipt, nil
}

func (s *Setup) installFile(ctx context.Context, pkg installer.Package, target string) (*installer.Receipt, error) {
	in, err := s.installer(pkg.Product)
	if err != nil {
		return nil, err
	}
	return in.Install(ctx, pkg, target)
}

// PackageFile describes a package file given by hand (install --package):
// the product and version come from the catalog entry with its hash, or
// from ref ("ID@VERSION") when no catalog is open.
func (s *Setup) PackageFile(path, sum string, format catalog.Format, ref string) (installer.Package, error) {
	abs, err := filepath.Abs(path) // recorded for repair, which may run from another folder
	if err != nil {
		return installer.Package{}, err
	}
	sum = strings.ToLower(sum)
	pkg := installer.Package{Path: abs, SHA256: sum, Format: format}
	id, ver, _ := strings.Cut(ref, "@")
	if cat, err := s.Catalog(); err == nil {
		for _, p := range cat.Products {
			for _, r := range p.Releases {
				for plat, cp := range r.Packages {
					if cp.SHA256 == sum && (id == "" || id == p.ID) && (ver == "" || ver == r.Version.String()) {
						pkg.Product, pkg.Version, pkg.Format, pkg.Recipe, pkg.Platform = p.ID, r.Version.String(), cp.Format, cp.Install, plat
						pkg.Name, pkg.Publisher = p.Name, cat.Publisher
						return pkg, nil
					}
				}
			}
		}
		if id == "" || ver == "" {
			return installer.Package{}, fmt.Errorf("%s (sha256 %s): %w", path, sum, ErrNotInCatalog)
		}
	}
	if id == "" || ver == "" {
		return installer.Package{}, fmt.Errorf("%s: %w", path, ErrNotInCatalog)
	}
	if _, err := catalog.ParseVersion(ver); err != nil {
		return installer.Package{}, err
	}
	pkg.Product, pkg.Version = id, ver
	return pkg, nil
}

// PlanFile and InstallFile are Plan and Install for a package file.
func (s *Setup) PlanFile(ctx context.Context, pkg installer.Package, target string) (*installer.Plan, error) {
	in, err := s.installer(pkg.Product)
	if err != nil {
		return nil, err
	}
	return in.PlanInstall(ctx, pkg, s.targetFor(pkg.Product, target))
}

// InstallFile installs a package file described by PackageFile.
func (s *Setup) InstallFile(ctx context.Context, pkg installer.Package, target string) (*installer.Receipt, error) {
	if err := s.checkRights(ctx, pkg.Product, true); err != nil {
		return nil, err
	}
	return s.installFile(ctx, pkg, s.targetFor(pkg.Product, target))
}

// Update is what an update did.
type Update struct {
	Product string             `json:"product"`
	From    string             `json:"from"`
	To      string             `json:"to"`
	Updated bool               `json:"updated"` // false: already the newest
	Receipt *installer.Receipt `json:"-"`
}

// Update installs the newest release the catalog lists for an installed
// product, where it is installed; the old version is kept for Rollback.
func (s *Setup) Update(ctx context.Context, id string) (*Update, error) {
	st, err := s.State(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.InstalledVersion == "" {
		return nil, fmt.Errorf("update %s: %w", id, installer.ErrNotInstalled)
	}
	if _, err := s.Catalog(); err != nil {
		return nil, err
	}
	u := &Update{Product: id, From: st.InstalledVersion, To: st.InstalledVersion}
	if !st.UpdateAvailable {
		return u, nil
	}
	rec, err := s.Install(ctx, id, st.Target)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", id, err)
	}
	u.To, u.Updated, u.Receipt = rec.Version, true, rec
	return u, nil
}

// UpdateAll updates every installed product of the subscription that has
// a newer release; it stops at the first failure.
func (s *Setup) UpdateAll(ctx context.Context) ([]Update, error) {
	states, err := s.Products(ctx)
	if err != nil {
		return nil, err
	}
	out := []Update{}
	for _, st := range states {
		if st.InstalledVersion == "" {
			continue
		}
		u, err := s.Update(ctx, st.ID)
		if err != nil {
			return out, err
		}
		out = append(out, *u)
	}
	return out, nil
}

// Uninstall removes an installed product; it returns the files it left in
// place (not installed by Onramp).
func (s *Setup) Uninstall(ctx context.Context, id string) ([]string, error) {
	in, err := s.installer(id)
	if err != nil {
		return nil, err
	}
	return in.Uninstall(ctx, id)
}

// UserFiles lists the files in an installed product's folder that Onramp
// did not install (what an uninstall leaves in place), for a confirmation.
func (s *Setup) UserFiles(ctx context.Context, id string) ([]string, error) {
	in, err := s.installer(id)
	if err != nil {
		return nil, err
	}
	rec, err := in.Receipt(id)
	if err != nil {
		return nil, err
	}
	return userFiles(rec)
}

// Verify checks an installed product's files against its receipt.
func (s *Setup) Verify(ctx context.Context, id string) (*installer.VerifyReport, error) {
	in, err := s.installer(id)
	if err != nil {
		return nil, err
	}
	return in.Verify(ctx, id)
}

// Repair puts back the installed product's files from a verified copy of
// its package: the one the receipt names (a deployment folder's, the
// cache's), the package cache's, or, with a source open, a fresh download
// into the cache. Every copy must have the receipt's SHA-256.
func (s *Setup) Repair(ctx context.Context, id string) (*installer.Receipt, error) {
	in, err := s.installer(id)
	if err != nil {
		return nil, err
	}
	rec, err := in.Receipt(id)
	if err != nil {
		return nil, err
	}
	if rec.Native() {
		return in.Repair(ctx, id) // the OS installer's files: it says so
	}
	sum := strings.ToLower(rec.PackageSHA256)
	looked := []string{}
	try := func(p string) bool {
		if p == "" || slices.Contains(looked, p) {
			return false
		}
		looked = append(looked, p)
		return fileHasHash(p, sum)
	}
	if try(rec.Package) {
		return in.Repair(ctx, id)
	}
	var pkg *catalog.Package
	if cat, err := s.Catalog(); err == nil {
		if p, r, err := cat.Find(id + "@" + rec.Version); err == nil && p.ID == id {
			for _, cp := range r.Packages {
				if strings.EqualFold(cp.SHA256, sum) {
					pkg = &cp
					break
				}
			}
		}
	}
	candidates := []string{filepath.Join(s.opt.CacheDir, filepath.Base(rec.Package)), filepath.Join(s.opt.CacheDir, sum)}
	if pkg != nil {
		candidates = append([]string{s.cachePath(*pkg)}, candidates...)
	}
	for _, p := range candidates {
		if try(p) {
			return in.RepairFrom(ctx, id, p)
		}
	}
	if pkg == nil {
		return nil, &NoCopyError{Product: id, Version: rec.Version, Looked: looked, Source: s.src != nil}
	}
	res, err := s.fetch(ctx, id, *pkg, s.cachePath(*pkg))
	if err != nil {
		return nil, fmt.Errorf("repair %s %s: downloading its package again: %w", id, rec.Version, err)
	}
	return in.RepairFrom(ctx, id, res.Path)
}

// NoCopyError: repair found no verified copy of the package to take the
// files from.
type NoCopyError struct {
	Product, Version string
	Looked           []string
	// Source: a catalog was open, but it does not list this version's
	// package (a withdrawn release).
	Source bool
}

func (e *NoCopyError) Error() string {
	s := fmt.Sprintf("repair needs the package of %s %s: no copy with its checksum in %s", e.Product, e.Version, strings.Join(e.Looked, ", "))
	if e.Source {
		return s + ", and the catalog no longer lists it"
	}
	return s + "; sign in or pass a signed catalog (--catalog) to download it again"
}

func (e *NoCopyError) Unwrap() error { return ErrNoVerifiedCopy }

// Rollback goes back to the version the last install replaced.
func (s *Setup) Rollback(ctx context.Context, id string) (*installer.Receipt, error) {
	in, err := s.installer(id)
	if err != nil {
		return nil, err
	}
	return in.Rollback(ctx, id)
}

// Open starts an installed product's program (the catalog's entry point,
// as the receipt recorded it) and returns without waiting for it.
func (s *Setup) Open(ctx context.Context, id string) error {
	in, err := s.installer(id)
	if err != nil {
		return err
	}
	rec, err := in.Receipt(id)
	if err != nil {
		return err
	}
	if rec.Launch == "" {
		return fmt.Errorf("%s: %w", id, ErrNoLaunch)
	}
	cmd := exec.Command(filepath.Join(rec.Target, filepath.FromSlash(rec.Launch)))
	cmd.Dir = rec.Target
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", id, err)
	}
	go cmd.Wait() // reap it; the program outlives nothing of ours
	return nil
}

// WithProgress is the same setup reporting to f: each screen of a window
// follows its own operations.
func (s *Setup) WithProgress(f func(Event)) *Setup {
	c := *s
	c.opt.Progress = f
	return &c
}

// publisher is the open catalog's publisher, "" when none is open.
func (s *Setup) publisher() string {
	if c, err := s.Catalog(); err == nil {
		return c.Publisher
	}
	return ""
}

// PackagePath is where the cache keeps a release's package.
func (s *Setup) PackagePath(rel *Release) string { return s.cachePath(rel.Package) }

// PlanDownload shows what installing a verified download into target ("" for
// where it is installed, else the default folder) would do.
func (s *Setup) PlanDownload(ctx context.Context, d *Download, target string) (*installer.Plan, error) {
	rel := &Release{Product: d.Product, Release: d.Release, Platform: d.Platform, Package: d.Release.Packages[d.Platform], Publisher: s.publisher()}
	return s.PlanFile(ctx, rel.spec(d.Path), target)
}

// InstallDownload installs a verified download, as Install does.
func (s *Setup) InstallDownload(ctx context.Context, d *Download, target string) (*installer.Receipt, error) {
	rel := &Release{Product: d.Product, Release: d.Release, Platform: d.Platform, Package: d.Release.Packages[d.Platform], Publisher: s.publisher()}
	return s.InstallFile(ctx, rel.spec(d.Path), target)
}

// Downloaded is the release's package when it is already verified in the
// cache (a download that finished while no one watched), nil otherwise.
func (s *Setup) Downloaded(ref string) *Download {
	rel, err := s.Find(ref, "")
	if err != nil {
		return nil
	}
	p := s.cachePath(rel.Package)
	if !fileHasHash(p, rel.Package.SHA256) {
		return nil
	}
	return &Download{Product: rel.Product, Release: rel.Release, Platform: rel.Platform, Path: p,
		Result: &downloader.Result{Path: p, Size: rel.Package.Size, SHA256: rel.Package.SHA256}}
}
