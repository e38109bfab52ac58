package profile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"onramp.dev/onramp/internal/atomicfile"
)

// Install checks the profile at src and makes it the machine-wide one
// (MachinePath): what Onramp.msi runs, as the installer service, for
// PROFILE=FILE. The file is written beside its final name and renamed,
// so that a reader never sees half of it; on Windows, Administrators are
// made its owner with permissions of its own (protect); it is then read
// back the way Load reads it, and removed again if that fails (a folder or file a
// non-administrator could change), so that an install never leaves a
// profile every program would refuse. It returns the path written.
func Install(src string) (string, error) {
	return install(src, MachinePath())
}

func install(src, machine string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	f.Close()
	if err != nil {
		return "", &Error{Source: src, Err: err}
	}
	if _, err := Parse(data, src); err != nil {
		return "", err
	}
	dir := filepath.Dir(machine)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install the profile %s: %w", machine, err)
	}
	// Every user reads the profile.
	if err := atomicfile.WriteFile(machine, data, 0o644); err != nil {
		return "", fmt.Errorf("install the profile %s: %w", machine, err)
	}
	if err := protect(machine); err != nil {
		os.Remove(machine)
		return "", fmt.Errorf("install the profile %s: %w", machine, err)
	}
	if _, err := readFile(machine, true); err != nil {
		os.Remove(machine)
		return "", fmt.Errorf("install the profile %s: installed, but the programs would refuse it, so it was removed again: %w", machine, err)
	}
	return machine, nil
}

// Remove deletes the machine-wide profile, if there is one: what
// Onramp.msi runs when Onramp is uninstalled. The folder goes too when
// nothing else is left in it.
func Remove() error {
	return remove(MachinePath())
}

func remove(machine string) error {
	if err := os.Remove(machine); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the profile %s: %w", machine, err)
	}
	// Only an empty folder is removed; anything else in it stays.
	os.Remove(filepath.Dir(machine))
	return nil
}
