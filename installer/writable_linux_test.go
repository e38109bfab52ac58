package installer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"onramp.dev/onramp/catalog"
)

// A read-only file system and a file in the way are not "administrator
// rights" problems: each has its own typed error, so the person is told
// the fix that works.
func TestUnwritableTargets(t *testing.T) {
	ro := t.TempDir()
	if err := syscall.Mount("tmpfs", ro, "tmpfs", syscall.MS_RDONLY, "size=64k"); err != nil {
		t.Skipf("a read-only mount needs root: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(ro, 0) })
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	pkg := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	tests := []struct {
		name   string
		target string
		is     error
		check  func(err error) bool
	}{
		{"read-only-mount", filepath.Join(ro, "apps", "atlas"), ErrReadOnly, func(err error) bool {
			var e *ReadOnlyError
			return errors.As(err, &e) && e.Path == ro
		}},
		{"parent-is-a-file", filepath.Join(file, "atlas"), ErrInTheWay, func(err error) bool {
			var e *FileInTheWayError
			return errors.As(err, &e) && e.Path == file
		}},
		{"target-is-a-file", file, ErrInTheWay, func(err error) bool {
			var e *FileInTheWayError
			return errors.As(err, &e) && e.Path == file
		}},
		// sysfs refuses new files even to root, as a machine-wide folder refuses a user.
		{"no-rights", "/sys/fs/onramp-test/atlas", ErrNeedsElevated, func(err error) bool {
			var e *ElevationError
			return errors.As(err, &e)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInstaller(t)
			_, err := in.Install(context.Background(), pkg, tt.target)
			if !errors.Is(err, tt.is) || !tt.check(err) {
				t.Fatalf("got %v, want %v", err, tt.is)
			}
			if tt.is != ErrNeedsElevated && errors.Is(err, ErrNeedsElevated) {
				t.Errorf("%v says administrator rights", err)
			}
			if _, err := in.PlanInstall(context.Background(), pkg, tt.target); !errors.Is(err, tt.is) && tt.is != ErrNeedsElevated {
				t.Errorf("plan: %v", err)
			}
		})
	}
}
