package setup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/syscheck"
)

// ErrAdvice: the machine check found every requirement met, but a
// recommendation is not, or a requirement could not be measured here
// (AdviceError carries the report). Only an install that asked to stop on
// advice returns it; the person may then go on.
var ErrAdvice = errors.New("this machine meets the requirements, with reservations")

// AdviceError is a check whose worst finding is a recommendation not met
// (syscheck.Warn) or a figure that could not be read (syscheck.Unknown):
// the install can go on if the person says so, unlike a RequirementsError.
type AdviceError struct {
	Product, Version string
	Report           *syscheck.Report
}

func (e *AdviceError) Error() string {
	var items []string
	for _, it := range e.Report.Items {
		if it.Status == syscheck.Warn || it.Status == syscheck.Unknown {
			items = append(items, it.ID+" "+string(it.Status))
		}
	}
	return fmt.Sprintf("%s %s: %v (%s)", e.Product, e.Version, ErrAdvice, strings.Join(items, ", "))
}

func (e *AdviceError) Unwrap() error { return ErrAdvice }

// InstallOptions tune InstallWith.
type InstallOptions struct {
	// Target is the folder ("" for where the product is installed, else
	// its default folder).
	Target string
	// StopOnAdvice stops after the check, before any byte is downloaded,
	// with an *AdviceError when the machine meets the requirements only
	// with reservations (a recommendation not met, a figure unknown): the
	// window asks before going on. Without it, only a requirement not met
	// stops (the command line's install).
	StopOnAdvice bool
}

// Installation is what InstallWith did, step by step: the release chosen,
// the check's report (nil for another platform's package), the verified
// download, and the receipt. Each is set once its step is done, also when
// a later step fails.
type Installation struct {
	Release  *Release
	Target   string
	Report   *syscheck.Report
	Download *Download
	Receipt  *installer.Receipt
}

// InstallWith is one action from nothing (or an older version) to an
// installed product: it checks this machine against the release's
// requirements, downloads the package into the cache (verified; resuming
// what an interrupted download kept), and installs it, reporting each step
// as Events (check, download, plan, stage, commit, done) to one progress
// callback. A requirement not met stops before the download with a
// *RequirementsError; cancelling ctx stops any step, keeping what was
// downloaded for a resume (RemovePartial throws it away).
func (s *Setup) InstallWith(ctx context.Context, ref string, opt InstallOptions) (*Installation, error) {
	rel, err := s.Find(ref, "")
	if err != nil {
		return nil, err
	}
	out := &Installation{Release: rel, Target: s.targetFor(rel.Product.ID, opt.Target)}
	// Whether this person may install it at all, before looking at the
	// machine or downloading a byte.
	if err := s.checkRights(ctx, rel.Product.ID, true); err != nil {
		return out, err
	}
	if out.Report, err = s.gate(ctx, rel, out.Target, opt.StopOnAdvice); err != nil {
		return out, err
	}
	res, err := s.fetch(ctx, rel.Product.ID, rel.Package, s.cachePath(rel.Package))
	if err != nil {
		return out, err
	}
	out.Download = &Download{Product: rel.Product, Release: rel.Release, Platform: rel.Platform, Path: res.Path, Result: res, Report: out.Report}
	if out.Receipt, err = s.installFile(ctx, rel.spec(res.Path), out.Target); err != nil {
		return out, err
	}
	return out, nil
}

// gate checks this machine for a package of its own platform (another
// platform's is for another machine: nothing to judge here) and says
// whether to go on.
func (s *Setup) gate(ctx context.Context, rel *Release, target string, stopOnAdvice bool) (*syscheck.Report, error) {
	if rel.Platform != catalog.CurrentPlatform() {
		return nil, nil
	}
	rep, err := s.check(ctx, rel, target)
	if err != nil {
		return nil, err
	}
	switch {
	case rep.Failed():
		return rep, &RequirementsError{Product: rel.Product.ID, Version: rel.Release.Version.String(), Report: rep}
	case stopOnAdvice && rep.Status != syscheck.Pass:
		return rep, &AdviceError{Product: rel.Product.ID, Version: rel.Release.Version.String(), Report: rep}
	}
	return rep, nil
}

// Partial is what an interrupted download of a package kept for resuming:
// Bytes of Total.
type Partial struct {
	Bytes int64 `json:"bytes"`
	Total int64 `json:"total"`
}

// Partial is what an interrupted download of the release's package kept
// in the cache (after a pause, a failure, a crash, a restart), nil when
// nothing is kept or the package is already there, verified.
func (s *Setup) Partial(rel *Release) *Partial {
	if n := downloader.Kept(s.cachePath(rel.Package), rel.Package.SHA256); n > 0 {
		return &Partial{Bytes: n, Total: rel.Package.Size}
	}
	return nil
}

// Stamp summarises what the products' states here are computed from, at
// the cost of folder listings: the receipts (per-user and machine-wide)
// and the verified packages of the newest releases in the cache. It
// changes when a product is installed, updated, rolled back, uninstalled
// or downloaded, here or by another process (the command line), so a
// front end computes the states again only then. Partial downloads are
// left out: they grow while a download runs.
func (s *Setup) Stamp() (string, error) {
	in, err := installer.New(installer.Options{StateDir: s.opt.StateDir, Scope: s.opt.Scope})
	if err != nil {
		return "", err
	}
	stamp, err := in.Stamp()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(stamp)
	if cat, err := s.Catalog(); err == nil {
		for i := range cat.Products {
			r := s.newestFor(&cat.Products[i])
			if r == nil {
				continue
			}
			pkg, ok := r.Packages[s.opt.Platform]
			if !ok {
				continue
			}
			if st, err := os.Stat(s.cachePath(pkg)); err == nil {
				fmt.Fprintf(&b, "%s %d %d\n", st.Name(), st.Size(), st.ModTime().UnixNano())
			}
		}
	}
	return b.String(), nil
}
