package native

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/catalog"
)

// Real MSI packages, built with wixl from testdata/msi by .ci/windows-msi,
// installed and removed through msiexec: under Wine in CI, and on any
// Windows machine given ONRAMP_TEST_MSI_DIR (the packages change the
// machine: Program Files and the installed-products list).
func TestMSIRoundTrip(t *testing.T) {
	dir := os.Getenv("ONRAMP_TEST_MSI_DIR")
	if dir == "" {
		t.Skip("ONRAMP_TEST_MSI_DIR is not set: build the packages with .ci/windows-msi")
	}
	programFiles := os.Getenv("ProgramFiles")
	tests := []struct {
		name        string
		productCode string
		exitCode    int
		reboot      bool
		failed      bool // 1603: nothing installed
	}{
		{"ok", "{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B}", 0, false, false},
		{"reboot", "{8B3F4C5D-6E7F-4081-ACBD-2E3F4A5B6C7D}", 3010, true, false},
		{"fail", "{7A2E3B4C-5D6E-4F70-9BAC-1D2E3F4A5B6C}", 1603, false, true},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg := msiPackage(t, filepath.Join(dir, tt.name+".msi"))
			logs := tempDir(t)
			installed := filepath.Join(programFiles, "OnrampMsiTest-"+tt.name, "readme.txt")
			res, err := Install(ctx, pkg, logs)
			if res.ExitCode != tt.exitCode || res.RebootNeeded != tt.reboot || res.ProductCode != tt.productCode {
				t.Fatalf("install: %+v, %v; want exit %d, reboot %v, product %s", res, err, tt.exitCode, tt.reboot, tt.productCode)
			}
			if tt.failed {
				var ne *Error
				if !errors.As(err, &ne) || ne.Code != 1603 || ne.Log == "" {
					t.Fatalf("install error %v, want an Error 1603 naming the log", err)
				}
				if _, err := os.Stat(ne.Log); err != nil {
					t.Errorf("msiexec wrote no log: %v", err)
				}
				if _, err := os.Stat(installed); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a failed install left %s: %v", installed, err)
				}
				// Not installed: uninstall says so (1605).
				_, err = Uninstall(ctx, tt.productCode, logs)
				if !errors.As(err, &ne) || ne.Code != 1605 {
					t.Errorf("uninstall of a product never installed: %v, want Error 1605", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("install: %v", err)
			}
			if _, err := os.Stat(installed); err != nil {
				t.Fatalf("msiexec reported success but: %v", err)
			}
			res, err = Uninstall(ctx, res.ProductCode, logs)
			if err != nil || res.ExitCode != tt.exitCode || res.RebootNeeded != tt.reboot {
				t.Fatalf("uninstall: %+v, %v", res, err)
			}
			if _, err := os.Stat(installed); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("uninstall left %s: %v", installed, err)
			}
		})
	}
}

func msiPackage(t *testing.T, path string) Package {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return Package{Path: path, Format: catalog.FormatMSI, Product: "msi-test", Version: "1.0.0"}
}

// tempDir is t.TempDir without its failing cleanup under Wine 8, whose
// ntdll lacks the FileDispositionInformationEx that Go's os.RemoveAll
// uses on Windows ("Invalid function"); on Windows it removes as usual.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "onramp-msi-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("leaving %s: %v", dir, err)
		}
	})
	return dir
}
