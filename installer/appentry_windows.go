package installer

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// uninstallKeyPath is where Windows lists installed programs.
const uninstallKeyPath = `Software\Microsoft\Windows\CurrentVersion\Uninstall`

// registryEntries keeps entries in the registry's Uninstall key and finds
// the known folders through the shell.
type registryEntries struct{}

func osEntryStore() entryStore { return registryEntries{} }

func knownFolder(id *windows.KNOWNFOLDERID) (string, error) {
	return windows.KnownFolderPath(id, windows.KF_FLAG_DEFAULT)
}

func (registryEntries) programsDir(scope Scope) (string, error) {
	if scope == ScopeMachine {
		return knownFolder(windows.FOLDERID_CommonPrograms)
	}
	return knownFolder(windows.FOLDERID_Programs)
}

func (registryEntries) dataDir(scope Scope) (string, error) {
	id := windows.FOLDERID_LocalAppData
	if scope == ScopeMachine {
		id = windows.FOLDERID_ProgramData
	}
	d, err := knownFolder(id)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "Onramp"), nil
}

func (registryEntries) installedDir() string {
	d, err := knownFolder(windows.FOLDERID_ProgramFiles)
	if err != nil {
		return ""
	}
	return filepath.Join(d, "Onramp")
}

func (registryEntries) linkPath(p string) (string, bool) { return p, isDrivePath(p) }

func rootOf(scope Scope) (registry.Key, string) {
	if scope == ScopeMachine {
		return registry.LOCAL_MACHINE, "HKLM"
	}
	return registry.CURRENT_USER, "HKCU"
}

func (r registryEntries) put(e AppEntry) error {
	root, name := rootOf(e.Scope)
	path := uninstallKeyPath + `\` + e.Key
	// Replaced whole: no value of an older version's entry stays.
	if err := r.remove(e.Scope, e.Key); err != nil {
		return err
	}
	k, _, err := registry.CreateKey(root, path, registry.SET_VALUE)
	if err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			return &ElevationError{Target: name + `\` + path}
		}
		return fmt.Errorf(`%s\%s: %w`, name, path, err)
	}
	defer k.Close()
	strs, dwords := e.Values()
	for n, v := range strs {
		if err := k.SetStringValue(n, v); err != nil {
			return fmt.Errorf(`%s\%s: %s: %w`, name, path, n, err)
		}
	}
	for n, v := range dwords {
		if err := k.SetDWordValue(n, v); err != nil {
			return fmt.Errorf(`%s\%s: %s: %w`, name, path, n, err)
		}
	}
	return nil
}

func (registryEntries) remove(scope Scope, key string) error {
	root, name := rootOf(scope)
	path := uninstallKeyPath + `\` + key
	err := registry.DeleteKey(root, path)
	if err == nil || errors.Is(err, windows.ERROR_FILE_NOT_FOUND) || errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return &ElevationError{Target: name + `\` + path}
	}
	return fmt.Errorf(`%s\%s: %w`, name, path, err)
}
