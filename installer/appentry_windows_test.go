package installer

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// The registry's side of the entries, on Windows (and under Wine in CI,
// .ci/windows-entries): the values as written, replaced whole, removed.
func TestRegistryEntries(t *testing.T) {
	s := registryEntries{}
	key := "Onramp.onramp-ci-registry-test"
	path := uninstallKeyPath + `\` + key
	s.remove(ScopeUser, key)
	e := AppEntry{Scope: ScopeUser, Key: key, DisplayName: "Atlas Studio", DisplayVersion: "1.2.3", Publisher: "Northwind",
		InstallLocation: `C:\Apps\atlas`, DisplayIcon: `C:\Apps\atlas\atlas.exe`, InstallDate: "20261207",
		UninstallString: `"C:\x\assistant.exe" uninstall --product atlas`, QuietUninstallString: `"C:\x\assistant.exe" uninstall --product atlas`,
		EstimatedSizeKB: 42}
	if err := s.put(e); err != nil {
		t.Fatal(err)
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, path, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	strs, dwords := e.Values()
	for n, want := range strs {
		if got, _, err := k.GetStringValue(n); err != nil || got != want {
			t.Errorf("%s = %q %v, want %q", n, got, err, want)
		}
	}
	for n, want := range dwords {
		if got, _, err := k.GetIntegerValue(n); err != nil || got != uint64(want) {
			t.Errorf("%s = %d %v, want %d", n, got, err, want)
		}
	}
	k.Close()
	// Replaced whole: a value the new entry lacks is gone.
	e.DisplayIcon, e.DisplayVersion = "", "2.0.0"
	if err := s.put(e); err != nil {
		t.Fatal(err)
	}
	k, err = registry.OpenKey(registry.CURRENT_USER, path, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.GetStringValue("DisplayIcon"); !errors.Is(err, registry.ErrNotExist) {
		t.Errorf("DisplayIcon stayed: %v", err)
	}
	if v, _, _ := k.GetStringValue("DisplayVersion"); v != "2.0.0" {
		t.Errorf("DisplayVersion %q", v)
	}
	k.Close()
	if err := s.remove(ScopeUser, key); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.OpenKey(registry.CURRENT_USER, path, registry.QUERY_VALUE); err == nil {
		t.Error("the key outlived remove")
	}
	if err := s.remove(ScopeUser, key); err != nil {
		t.Errorf("removing it again: %v", err)
	}
	for _, scope := range []Scope{ScopeUser, ScopeMachine} {
		p, err := s.programsDir(scope)
		if err != nil || !filepath.IsAbs(p) || !strings.HasSuffix(p, "Programs") {
			t.Errorf("%s Programs folder: %q %v", scope, p, err)
		}
		d, err := s.dataDir(scope)
		if err != nil || !strings.HasSuffix(d, `\Onramp`) {
			t.Errorf("%s data folder: %q %v", scope, d, err)
		}
	}
	if d := s.installedDir(); !strings.HasSuffix(d, `\Onramp`) {
		t.Errorf("Program Files folder: %q", d)
	}
}
