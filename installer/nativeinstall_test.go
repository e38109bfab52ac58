package installer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer/native"
)

const testProductCode = "{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B}"

// fakeMSI stands in for msiexec, which runs only on Windows (and under
// Wine in CI, .ci/windows-msi): it answers the given exit codes through
// the real mapping, and records the product codes it was asked to remove.
type fakeMSI struct {
	installCode, uninstallCode int
	removed                    []string
}

func (f *fakeMSI) runner() *nativeRunner {
	return &nativeRunner{
		install: func(ctx context.Context, pkg Package, logDir string) (native.Result, error) {
			res, err := native.MapExitCode(pkg.Format, f.installCode, pkg.Recipe)
			if ne := (*native.Error)(nil); errors.As(err, &ne) {
				ne.Log = filepath.Join(logDir, pkg.Product+"-"+pkg.Version+".log")
			}
			if err == nil {
				res.ProductCode = testProductCode
			}
			return res, err
		},
		uninstall: func(ctx context.Context, code, logDir string) (native.Result, error) {
			f.removed = append(f.removed, code)
			return native.MapExitCode(catalog.FormatMSI, f.uninstallCode, catalog.Recipe{})
		},
	}
}

func fakeMSIPackage(t *testing.T) Package {
	t.Helper()
	p := filepath.Join(t.TempDir(), "atlas.msi")
	data := []byte("not really an msi: the fake installer does not read it")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return Package{Path: p, SHA256: hex.EncodeToString(sum[:]), Format: catalog.FormatMSI, Product: "atlas", Version: "1.0.0"}
}

// An MSI installs through Install with a receipt naming its product code
// (no files: Windows Installer owns them), and uninstalls by that code.
func TestInstallNativeReceipt(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name          string
		installCode   int
		uninstallCode int
		wantErr       error // from Install
		reboot        bool
		uninstallErr  bool // the receipt stays
	}{
		{name: "ok", installCode: 0},
		{name: "reboot-3010", installCode: 3010, reboot: true},
		{name: "reboot-1641", installCode: 1641, reboot: true},
		{name: "cancelled-1602", installCode: 1602, wantErr: native.ErrCancelled},
		{name: "failed-1603", installCode: 1603, wantErr: &native.Error{}},
		{name: "removed-by-hand-1605", installCode: 0, uninstallCode: 1605},
		{name: "uninstall-fails-1603", installCode: 0, uninstallCode: 1603, uninstallErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInstaller(t)
			f := &fakeMSI{installCode: tt.installCode, uninstallCode: tt.uninstallCode}
			in.fakeNative = f.runner()
			rec, err := in.Install(ctx, fakeMSIPackage(t), filepath.Join(t.TempDir(), "atlas"))
			if tt.wantErr != nil {
				var ne *native.Error
				switch {
				case tt.wantErr == native.ErrCancelled && !errors.Is(err, native.ErrCancelled):
					t.Fatalf("Install: %v, want ErrCancelled", err)
				case !errors.As(err, &ne) || ne.Code != tt.installCode:
					t.Fatalf("Install: %v, want a NativeError with code %d", err, tt.installCode)
				case tt.installCode == 1603 && (ne.Log == "" || errors.Is(err, native.ErrCancelled)):
					t.Errorf("Install: %v, want the log and not cancelled", err)
				}
				if _, err := in.Receipt("atlas"); !errors.Is(err, ErrNotInstalled) {
					t.Errorf("a failed install left a receipt: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Install: %v", err)
			}
			if rec.ProductCode != testProductCode || !rec.Native() || rec.FileCount != 0 || rec.RebootNeeded != tt.reboot || rec.Target != "" {
				t.Errorf("receipt: code %q native %v files %d reboot %v target %q", rec.ProductCode, rec.Native(), rec.FileCount, rec.RebootNeeded, rec.Target)
			}
			got, err := in.Receipt("atlas")
			if err != nil || got.ProductCode != testProductCode {
				t.Fatalf("stored receipt: %+v, %v", got, err)
			}
			for name, op := range map[string]func() error{
				"verify":   func() error { _, err := in.Verify(ctx, "atlas"); return err },
				"repair":   func() error { _, err := in.Repair(ctx, "atlas"); return err },
				"rollback": func() error { _, err := in.Rollback(ctx, "atlas"); return err },
			} {
				if err := op(); !errors.Is(err, ErrNativeInstall) {
					t.Errorf("%s: %v, want ErrNativeInstall", name, err)
				}
			}
			_, err = in.Uninstall(ctx, "atlas")
			if len(f.removed) != 1 || f.removed[0] != testProductCode {
				t.Errorf("msiexec /x asked for %q, want the recorded product code", f.removed)
			}
			_, rerr := in.Receipt("atlas")
			if tt.uninstallErr {
				var ne *native.Error
				if !errors.As(err, &ne) || rerr != nil {
					t.Errorf("failed uninstall: %v, receipt: %v; want a NativeError and the receipt kept", err, rerr)
				}
				return
			}
			if err != nil || !errors.Is(rerr, ErrNotInstalled) {
				t.Errorf("uninstall: %v, receipt afterwards: %v", err, rerr)
			}
		})
	}
}

// A package whose bytes do not match runs no installer.
func TestInstallNativeChecksHash(t *testing.T) {
	in := newInstaller(t)
	f := &fakeMSI{}
	ran := false
	in.fakeNative = f.runner()
	inner := in.fakeNative.install
	in.fakeNative.install = func(ctx context.Context, pkg Package, logDir string) (native.Result, error) {
		ran = true
		return inner(ctx, pkg, logDir)
	}
	pkg := fakeMSIPackage(t)
	pkg.SHA256 = hex.EncodeToString(make([]byte, 32))
	if _, err := in.Install(context.Background(), pkg, filepath.Join(t.TempDir(), "atlas")); !errors.Is(err, ErrPackageHash) || ran {
		t.Errorf("Install: %v (installer ran: %v), want ErrPackageHash and no run", err, ran)
	}
}
