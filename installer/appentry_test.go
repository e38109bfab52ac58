package installer

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
)

// testEntries keeps Windows' installed-programs list in memory, with the
// known folders under a temporary folder: the registry itself is
// exercised under Wine in CI (.ci/windows-entries). Paths become drive
// paths (C:\...) in links, as on Windows.
type testEntries struct {
	root    string
	entries map[string]AppEntry // "user|Onramp.atlas"
	fail    error               // put fails with it when set
}

func newTestEntries(t *testing.T) *testEntries {
	return &testEntries{root: t.TempDir(), entries: map[string]AppEntry{}}
}

func (s *testEntries) programsDir(scope Scope) (string, error) {
	return filepath.Join(s.root, string(scope), "Programs"), nil
}
func (s *testEntries) dataDir(scope Scope) (string, error) {
	return filepath.Join(s.root, string(scope), "Onramp"), nil
}
func (s *testEntries) installedDir() string { return filepath.Join(s.root, "ProgramFiles", "Onramp") }
func (s *testEntries) put(e AppEntry) error {
	if s.fail != nil {
		return s.fail
	}
	s.entries[string(e.Scope)+"|"+e.Key] = e
	return nil
}
func (s *testEntries) remove(scope Scope, key string) error {
	delete(s.entries, string(scope)+"|"+key)
	return nil
}
func (s *testEntries) linkPath(p string) (string, bool) {
	return `C:` + strings.ReplaceAll(p, "/", `\`), true
}

// entriesInstaller is an Installer whose entries go to s, with the
// assistant at a path of its own (copied to the scope's bin folder).
func entriesInstaller(t *testing.T, s *testEntries, scope Scope) *Installer {
	t.Helper()
	assistant := filepath.Join(t.TempDir(), "assistant.exe")
	if err := os.WriteFile(assistant, []byte("the assistant"), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := New(Options{StateDir: t.TempDir(), MachineStateDir: t.TempDir(), Scope: scope, Assistant: assistant})
	if err != nil {
		t.Fatal(err)
	}
	in.entries = s
	return in
}

var launchable = []file{
	{name: "bin/atlas.exe", body: strings.Repeat("x", 3000)},
	{name: "README.txt", body: "read me"},
}

func entryPackage(t *testing.T, version string, files []file) Package {
	pkg := writePackage(t, buildZip(t, files), catalog.FormatZip, version)
	pkg.Name, pkg.Publisher, pkg.Recipe = "Atlas Studio", "Northwind Tools", catalog.Recipe{Launch: "bin/atlas.exe"}
	return pkg
}

func readLink(t *testing.T, path string) shellLink {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("shortcut: %v", err)
	}
	l, err := parseShellLink(b)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// An installed product is listed where Windows lists programs, per user
// or per machine as installed, with a Start-menu shortcut to its entry
// point; an update changes both, a rollback puts back the older, and
// uninstall removes them.
func TestWindowsEntryFollowsReceipt(t *testing.T) {
	for _, scope := range []Scope{ScopeUser, ScopeMachine} {
		t.Run(string(scope), func(t *testing.T) {
			ctx := context.Background()
			s := newTestEntries(t)
			in := entriesInstaller(t, s, scope)
			target := filepath.Join(t.TempDir(), "atlas")
			rec, err := in.Install(ctx, entryPackage(t, "1.0.0", launchable), target)
			if err != nil {
				t.Fatal(err)
			}
			e, ok := s.entries[string(scope)+"|Onramp.atlas"]
			if !ok || len(s.entries) != 1 {
				t.Fatalf("entries after install: %v", slices.Collect(maps.Keys(s.entries)))
			}
			bin, _ := s.dataDir(scope)
			assistant := filepath.Join(bin, "bin", "assistant.exe")
			if b, err := os.ReadFile(assistant); err != nil || string(b) != "the assistant" {
				t.Fatalf("the assistant was not copied to %s: %v", assistant, err)
			}
			strs, dwords := e.Values()
			want := map[string]string{
				"DisplayName":          "Atlas Studio",
				"DisplayVersion":       "1.0.0",
				"Publisher":            "Northwind Tools",
				"InstallLocation":      target,
				"InstallDate":          rec.Installed.Format("20060102"),
				"DisplayIcon":          filepath.Join(target, "bin", "atlas.exe"),
				"UninstallString":      `"` + assistant + `" uninstall --product atlas`,
				"QuietUninstallString": `"` + assistant + `" uninstall --product atlas`,
			}
			if !maps.Equal(strs, want) {
				t.Errorf("entry values:\n got %v\nwant %v", strs, want)
			}
			if !maps.Equal(dwords, map[string]uint32{"NoModify": 1, "NoRepair": 1, "EstimatedSize": 3}) { // 3007 bytes: 2.9 KiB, rounded up
				t.Errorf("entry DWORDs: %v", dwords)
			}
			programs, _ := s.programsDir(scope)
			lnk := filepath.Join(programs, "Atlas Studio.lnk")
			if rec.WindowsEntry != "Onramp.atlas" || rec.Shortcut != lnk {
				t.Errorf("receipt records entry %q, shortcut %q", rec.WindowsEntry, rec.Shortcut)
			}
			wantTarget, _ := s.linkPath(filepath.Join(target, "bin", "atlas.exe"))
			wantDir, _ := s.linkPath(filepath.Join(target, "bin"))
			if l := readLink(t, lnk); l.Target != wantTarget || l.WorkingDir != wantDir || l.Description != "Atlas Studio" {
				t.Errorf("shortcut: %+v", l)
			}

			// An update, under another name: the version changes, the old
			// shortcut goes.
			v2 := entryPackage(t, "2.0.0", launchable)
			v2.Name = "Atlas Studio 2"
			if _, err := in.Install(ctx, v2, target); err != nil {
				t.Fatal(err)
			}
			if e := s.entries[string(scope)+"|Onramp.atlas"]; e.DisplayVersion != "2.0.0" || e.DisplayName != "Atlas Studio 2" {
				t.Errorf("after the update: %+v", e)
			}
			if exists(lnk) || !exists(filepath.Join(programs, "Atlas Studio 2.lnk")) {
				t.Error("the update did not replace the shortcut")
			}
			// Rollback: the older version is listed again, with its shortcut.
			if _, err := in.Rollback(ctx, "atlas"); err != nil {
				t.Fatal(err)
			}
			if e := s.entries[string(scope)+"|Onramp.atlas"]; e.DisplayVersion != "1.0.0" {
				t.Errorf("after the rollback: version %q", e.DisplayVersion)
			}
			if !exists(lnk) || exists(filepath.Join(programs, "Atlas Studio 2.lnk")) {
				t.Error("the rollback did not put back the older shortcut")
			}
			// Repair puts back a shortcut the user deleted.
			os.Remove(lnk)
			if _, err := in.Repair(ctx, "atlas"); err != nil {
				t.Fatal(err)
			}
			if !exists(lnk) {
				t.Error("repair did not put back the shortcut")
			}
			if _, err := in.Uninstall(ctx, "atlas"); err != nil {
				t.Fatal(err)
			}
			if len(s.entries) != 0 || exists(lnk) {
				t.Errorf("uninstall left entries %v or the shortcut", slices.Collect(maps.Keys(s.entries)))
			}
		})
	}
}

// A failed install leaves no entry and no shortcut; a failed update
// leaves the installed version's. A failure to write the entry undoes the
// install.
func TestWindowsEntryInsideTheUndo(t *testing.T) {
	ctx := context.Background()
	s := newTestEntries(t)
	in := entriesInstaller(t, s, ScopeUser)
	target := filepath.Join(t.TempDir(), "atlas")
	programs, _ := s.programsDir(ScopeUser)
	boom := errors.New("disk gone")
	in.failAt = func(step string) error {
		if step == "receipt" {
			return boom
		}
		return nil
	}
	if _, err := in.Install(ctx, entryPackage(t, "1.0.0", launchable), target); !errors.Is(err, boom) {
		t.Fatalf("install: %v, want the failure", err)
	}
	if len(s.entries) != 0 || exists(filepath.Join(programs, "Atlas Studio.lnk")) || exists(target) {
		t.Fatalf("a failed install left entries %v, a shortcut or files", slices.Collect(maps.Keys(s.entries)))
	}
	in.failAt = nil
	if _, err := in.Install(ctx, entryPackage(t, "1.0.0", launchable), target); err != nil {
		t.Fatal(err)
	}
	in.failAt = func(step string) error {
		if step == "receipt" {
			return boom
		}
		return nil
	}
	v2 := entryPackage(t, "2.0.0", launchable)
	v2.Name = "Atlas Next"
	if _, err := in.Install(ctx, v2, target); !errors.Is(err, boom) {
		t.Fatalf("update: %v, want the failure", err)
	}
	if e := s.entries["user|Onramp.atlas"]; e.DisplayVersion != "1.0.0" {
		t.Errorf("a failed update left version %q listed", e.DisplayVersion)
	}
	if !exists(filepath.Join(programs, "Atlas Studio.lnk")) || exists(filepath.Join(programs, "Atlas Next.lnk")) {
		t.Error("a failed update changed the shortcuts")
	}
	in.failAt = nil
	s.fail = errors.New("registry refused")
	if _, err := in.Install(ctx, v2, target); !errors.Is(err, s.fail) {
		t.Fatalf("update with the entry refused: %v", err)
	}
	if r, err := in.Receipt("atlas"); err != nil || r.Version != "1.0.0" {
		t.Fatalf("after a refused entry: %v %v, want 1.0.0 installed", r, err)
	}
	if b, err := os.ReadFile(filepath.Join(target, "README.txt")); err != nil || string(b) != "read me" {
		t.Errorf("the installed version's files changed: %v", err)
	}
}

// A process killed after the entry was written leaves a journal: the
// next command undoes the install and puts the entry and the shortcut
// back as the receipt that stays says.
func TestWindowsEntryRecovered(t *testing.T) {
	ctx := context.Background()
	s := newTestEntries(t)
	in := entriesInstaller(t, s, ScopeUser)
	target := filepath.Join(t.TempDir(), "atlas")
	programs, _ := s.programsDir(ScopeUser)
	if _, err := in.Install(ctx, entryPackage(t, "1.0.0", launchable), target); err != nil {
		t.Fatal(err)
	}
	type killed struct{}
	in.failAt = func(step string) error {
		if step == "receipt" {
			panic(killed{}) // nothing of the commit's own undo runs
		}
		return nil
	}
	v2 := entryPackage(t, "2.0.0", launchable)
	v2.Name = "Atlas Next"
	func() {
		defer func() {
			if r := recover(); r != (killed{}) {
				panic(r)
			}
		}()
		in.Install(ctx, v2, target)
	}()
	in.failAt = nil
	if e := s.entries["user|Onramp.atlas"]; e.DisplayVersion != "2.0.0" || !exists(filepath.Join(programs, "Atlas Next.lnk")) {
		t.Fatalf("the killed install had not listed 2.0.0 yet (%q): the test stops at the wrong point", e.DisplayVersion)
	}
	if r, err := in.Receipt("atlas"); err != nil || r.Version != "1.0.0" {
		t.Fatalf("after recovery: %v %v, want 1.0.0", r, err)
	}
	if e := s.entries["user|Onramp.atlas"]; e.DisplayVersion != "1.0.0" || e.DisplayName != "Atlas Studio" {
		t.Errorf("after recovery the list says %q %q", e.DisplayName, e.DisplayVersion)
	}
	if exists(filepath.Join(programs, "Atlas Next.lnk")) || !exists(filepath.Join(programs, "Atlas Studio.lnk")) {
		t.Error("after recovery the shortcuts are not the installed version's")
	}
}

// An MSI's entry is Windows Installer's: the receipt records its product
// code, and Onramp writes no entry and no shortcut of its own.
func TestWindowsEntryOfAnMSI(t *testing.T) {
	ctx := context.Background()
	s := newTestEntries(t)
	in := entriesInstaller(t, s, ScopeUser)
	f := &fakeMSI{}
	in.fakeNative = f.runner()
	pkg := fakeMSIPackage(t)
	pkg.Recipe.Launch = "atlas.exe"
	rec, err := in.Install(ctx, pkg, filepath.Join(t.TempDir(), "atlas"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.WindowsEntry != testProductCode || rec.Shortcut != "" || len(s.entries) != 0 {
		t.Fatalf("MSI: entry %q, shortcut %q, Onramp's entries %v", rec.WindowsEntry, rec.Shortcut, slices.Collect(maps.Keys(s.entries)))
	}
	if _, err := in.Uninstall(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
}

// The assistant that uninstall commands run is the installed one when
// Onramp.msi put it in Program Files, else a copy that outlives the
// folder it ran from.
func TestStableAssistant(t *testing.T) {
	s := newTestEntries(t)
	in := entriesInstaller(t, s, ScopeUser)
	installed := filepath.Join(s.installedDir(), "assistant.exe")
	in.opt.Assistant = installed
	if got, err := in.stableAssistant(ScopeMachine); err != nil || got != installed {
		t.Errorf("from Program Files: %q %v", got, err)
	}
	dir := t.TempDir()
	in.opt.Assistant = filepath.Join(dir, "assistant.exe")
	os.WriteFile(in.opt.Assistant, []byte("v1"), 0o755)
	data, _ := s.dataDir(ScopeMachine)
	want := filepath.Join(data, "bin", "assistant.exe")
	if got, err := in.stableAssistant(ScopeMachine); err != nil || got != want {
		t.Fatalf("from a deployment folder: %q %v, want %q", got, err, want)
	}
	os.WriteFile(in.opt.Assistant, []byte("v2, newer"), 0o755)
	if _, err := in.stableAssistant(ScopeMachine); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	if b, err := os.ReadFile(want); err != nil || string(b) != "v2, newer" {
		t.Errorf("the copy: %q %v, want the newer assistant, there once its folder is gone", b, err)
	}
}

func TestShortcutName(t *testing.T) {
	for name, want := range map[string]string{
		"Atlas Studio":    "Atlas Studio.lnk",
		`Atlas: A/B "x"?`: "Atlas AB x.lnk",
		"Atlas...":        "Atlas.lnk",
		"CON":             "atlas.lnk",
		"  ":              "atlas.lnk",
		"Éditeur d'atlas": "Éditeur d'atlas.lnk",
	} {
		if got := shortcutName(name, "atlas"); got != want {
			t.Errorf("shortcutName(%q) = %q, want %q", name, got, want)
		}
	}
}

func init() {
	// Installers made by this package's tests list nothing in the
	// machine's own installed programs; tests that want entries set
	// their own store (entriesInstaller).
	defaultEntries = func() entryStore { return nil }
}

// A product installed before entries were kept (its receipt names none)
// is listed, with its shortcut, by the next change to it.
func TestWindowsEntryOfAnOlderReceipt(t *testing.T) {
	ctx := context.Background()
	s := newTestEntries(t)
	in := entriesInstaller(t, s, ScopeMachine)
	in.entries = nil
	target := filepath.Join(t.TempDir(), "atlas")
	rec, err := in.Install(ctx, entryPackage(t, "1.0.0", launchable), target)
	if err != nil {
		t.Fatal(err)
	}
	if rec.WindowsEntry != "" || rec.Shortcut != "" {
		t.Fatalf("no store, yet the receipt names %q %q", rec.WindowsEntry, rec.Shortcut)
	}
	in.entries = s
	if _, err := in.Repair(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
	programs, _ := s.programsDir(ScopeMachine)
	if e, ok := s.entries["machine|Onramp.atlas"]; !ok || e.DisplayVersion != "1.0.0" || !exists(filepath.Join(programs, "Atlas Studio.lnk")) {
		t.Errorf("after repair: entries %v", slices.Collect(maps.Keys(s.entries)))
	}
	if _, err := in.Uninstall(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
	if len(s.entries) != 0 || exists(filepath.Join(programs, "Atlas Studio.lnk")) {
		t.Errorf("uninstall left entries %v or the shortcut", slices.Collect(maps.Keys(s.entries)))
	}
}
