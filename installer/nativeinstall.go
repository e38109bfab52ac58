package installer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer/native"
)

// A native package (msi, pkg, dmg) is installed by the OS's installer:
// Onramp runs it under the product's lock and keeps a receipt naming it
// (for an MSI, its product code), without a file list.

// ErrNativeInstall: the product was put in place by the OS's installer,
// which owns its files; Onramp does not list, check or restore them.
var ErrNativeInstall = errors.New("installed by the operating system's installer")

// NativeInstallError says which product and installer own the files.
type NativeInstallError struct {
	Product string
	Format  catalog.Format
}

func (e *NativeInstallError) Error() string {
	return fmt.Sprintf("%s was installed by the operating system's %s installer, which owns its files: check or repair it there (Windows: Settings > Apps)", e.Product, e.Format)
}

func (e *NativeInstallError) Is(target error) bool { return target == ErrNativeInstall }

// nativeLogDir holds the OS installers' logs: the folder the options
// name (a deployment's machine log folder), else beside the receipts.
func (in *Installer) nativeLogDir() (string, error) {
	dir := in.opt.NativeLogDir
	if dir == "" {
		dir = filepath.Join(in.opt.StateDir, "logs")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("installer log folder: %w", err)
	}
	return dir, nil
}

// nativeTarget is where the OS's installer puts a format's product: an
// MSI chooses its own folder (not recorded), a disk image's app goes to
// /Applications, a pkg installs on the start volume.
func nativeTarget(f catalog.Format) string {
	switch f {
	case catalog.FormatDMG:
		return "/Applications"
	case catalog.FormatPKG:
		return "/"
	}
	return ""
}

// installNative runs a native package under the product's lock and writes
// its receipt. A reboot code is a success (RebootNeeded in the receipt);
// a failure leaves the receipts as they were.
func (in *Installer) installNative(ctx context.Context, pkg Package, target string) (*Receipt, error) {
	s, err := in.storeFor(pkg.Product, target)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(pkg.Path)
	if err != nil {
		return nil, err
	}
	pkg.Path = abs
	if err := s.hold(); err != nil {
		return nil, err
	}
	defer s.release()
	return s.runNative(ctx, pkg)
}

// runNative is installNative in the store that keeps the receipt, held.
func (in *Installer) runNative(ctx context.Context, pkg Package) (*Receipt, error) {
	if err := VerifyPackage(pkg); err != nil {
		return nil, err
	}
	if old, err := in.receipt(pkg.Product); err == nil && !old.Native() {
		// Its files would be left behind with no receipt listing them.
		return nil, fmt.Errorf("%s is installed from an archive in %s: uninstall it before installing its %s package", pkg.Product, old.Target, pkg.Format)
	}
	logDir, err := in.nativeLogDir()
	if err != nil {
		return nil, err
	}
	in.report(Progress{Step: "plan", Plan: &Plan{Product: pkg.Product, Version: pkg.Version, Target: nativeTarget(pkg.Format),
		MayReboot: pkg.Format == catalog.FormatMSI || len(pkg.Recipe.RebootCodes) > 0, Native: true}})
	run := in.InstallNative
	if in.fakeNative != nil {
		run = in.fakeNative.install
	}
	nr, err := run(ctx, pkg, logDir)
	if err != nil {
		return nil, fmt.Errorf("install %s %s: %w", pkg.Product, pkg.Version, err)
	}
	rec := &Receipt{ID: newID(), Product: pkg.Product, Version: pkg.Version, Target: nativeTarget(pkg.Format), Package: pkg.Path,
		PackageSHA256: pkg.SHA256, Format: pkg.Format, Launch: pkg.Recipe.Launch, Installed: time.Now().UTC().Truncate(time.Second),
		Scope: ScopeUser, ProductCode: nr.ProductCode, RebootNeeded: nr.RebootNeeded, Name: pkg.Name, Publisher: pkg.Publisher, ExitCode: nr.ExitCode}
	if in.scoped {
		rec.Scope = ScopeMachine
	}
	if err := in.planEntry(rec); err != nil {
		return nil, err
	}
	if err := writeJSONAtomic(in.receiptPath(pkg.Product), rec); err != nil {
		return nil, fmt.Errorf("%s is installed, but writing its receipt failed: %w", pkg.Product, err)
	}
	in.report(Progress{Step: "done"})
	return rec, nil
}

// uninstallNative removes an MSI product by the product code its receipt
// recorded, then the receipt; msiexec's "not installed" (1605) means it is
// gone already. The receipt stays when msiexec fails. Other native formats
// have no uninstaller to run.
func (in *Installer) uninstallNative(ctx context.Context, rec *Receipt) error {
	if rec.Format != catalog.FormatMSI {
		return fmt.Errorf("uninstall %s: %w", rec.Product, &NativeInstallError{Product: rec.Product, Format: rec.Format})
	}
	logDir, err := in.nativeLogDir()
	if err != nil {
		return err
	}
	run := in.UninstallNative
	if in.fakeNative != nil {
		run = in.fakeNative.uninstall
	}
	_, err = run(ctx, rec.ProductCode, logDir)
	var ne *native.Error
	if errors.As(err, &ne) && ne.Code == native.MSINotInstalled {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("uninstall %s: %w", rec.Product, err)
	}
	if err := os.Remove(in.receiptPath(rec.Product)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// InstallNative verifies a native package and runs it silently (see
// native.Install); logDir receives the installer's log.
func (in *Installer) InstallNative(ctx context.Context, pkg Package, logDir string) (native.Result, error) {
	if err := VerifyPackage(pkg); err != nil {
		return native.Result{}, err
	}
	return native.Install(ctx, native.Package{Path: pkg.Path, Format: pkg.Format, Recipe: pkg.Recipe, Product: pkg.Product, Version: pkg.Version}, logDir)
}

// UninstallNative removes an MSI product by its product code (see
// native.Uninstall); logDir receives the log.
func (in *Installer) UninstallNative(ctx context.Context, productCode, logDir string) (native.Result, error) {
	return native.Uninstall(ctx, productCode, logDir)
}

// nativeRunner stands in for the OS's installers in tests on an OS that
// has none of them (msiexec runs under Wine in CI instead).
type nativeRunner struct {
	install   func(ctx context.Context, pkg Package, logDir string) (native.Result, error)
	uninstall func(ctx context.Context, productCode, logDir string) (native.Result, error)
}
