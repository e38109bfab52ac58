package installer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"onramp.dev/onramp/installer/archive"
	"onramp.dev/onramp/internal/atomicfile"
)

// Products Onramp unpacks are seen by Windows as any installed program
// is: an entry in Settings > Apps (the Uninstall key, per user under
// HKCU or per machine under HKLM, as the receipt's scope), which is also
// what IT's detection rules read (DisplayVersion), and a Start-menu
// shortcut to the product's entry point (the catalog's install.launch).
// The entry's uninstall command runs the assistant from a path that
// outlives any deployment folder. An MSI's entry is Windows Installer's:
// it is recorded in the receipt, never written.
//
// The entry follows the receipt: it is written when a receipt is
// (install, update, repair, rollback), inside the install's undo, and
// removed with it (uninstall). On other OSes there is no store and none
// of this runs.

// defaultEntries is the OS's store of entries; the package's tests keep
// out of the machine's own list (the registry's side has its own test).
var defaultEntries = osEntryStore

// entryKey names a product's entry under the Uninstall key.
func entryKey(product string) string { return "Onramp." + product }

// AppEntry is a product's entry in Settings > Apps.
type AppEntry struct {
	Scope                Scope // user: HKCU; machine: HKLM
	Key                  string
	DisplayName          string
	DisplayVersion       string
	Publisher            string
	InstallLocation      string
	DisplayIcon          string
	InstallDate          string // YYYYMMDD
	UninstallString      string
	QuietUninstallString string
	EstimatedSizeKB      uint32
	Shortcut             string // the .lnk file; "" for none
}

// Values are the entry's registry values: strings and DWORDs.
func (e AppEntry) Values() (map[string]string, map[string]uint32) {
	s := map[string]string{
		"DisplayName":          e.DisplayName,
		"DisplayVersion":       e.DisplayVersion,
		"Publisher":            e.Publisher,
		"InstallLocation":      e.InstallLocation,
		"InstallDate":          e.InstallDate,
		"UninstallString":      e.UninstallString,
		"QuietUninstallString": e.QuietUninstallString,
	}
	if e.DisplayIcon != "" {
		s["DisplayIcon"] = e.DisplayIcon
	}
	if e.Publisher == "" {
		delete(s, "Publisher")
	}
	// Changing or repairing goes through Onramp, not through Settings:
	// it has no modify or repair command to offer there.
	d := map[string]uint32{"NoModify": 1, "NoRepair": 1, "EstimatedSize": e.EstimatedSizeKB}
	return s, d
}

// entryStore is the OS's side: the Uninstall key and the known folders.
type entryStore interface {
	// programsDir is the Start menu's Programs folder, the user's or
	// every user's.
	programsDir(scope Scope) (string, error)
	// dataDir is the scope's Onramp data folder (%LOCALAPPDATA%\Onramp,
	// %ProgramData%\Onramp).
	dataDir(scope Scope) (string, error)
	// installedDir is where Onramp.msi puts the assistant.
	installedDir() string
	// put replaces the entry's key with its values.
	put(e AppEntry) error
	// remove deletes an entry's key; one already gone is no error.
	remove(scope Scope, key string) error
	// linkPath is how a shortcut names a file: false when a local link
	// cannot name it (a network path).
	linkPath(p string) (string, bool)
}

// shortcutName is a file name for the shortcut from the product's name:
// what Windows cannot hold in a name is left out.
func shortcutName(name, product string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"/\|?*`, r) {
			continue
		}
		b.WriteRune(r)
	}
	s := strings.TrimRight(strings.TrimSpace(b.String()), ". ")
	base, _, _ := strings.Cut(s, ".")
	if s == "" || archive.WindowsDevice(strings.ToUpper(strings.TrimSpace(base))) || len(s) > 200 {
		s = product
	}
	return s + ".lnk"
}

// planEntry records in rec (before it is written) the entry and the
// shortcut that follow it: Windows Installer's own entry for an MSI, or
// Onramp's, with a shortcut when the product names its entry point.
func (in *Installer) planEntry(rec *Receipt) error {
	rec.WindowsEntry, rec.Shortcut = "", ""
	if rec.Native() {
		if rec.ProductCode != "" {
			rec.WindowsEntry = rec.ProductCode // Windows Installer's, under its product code
		}
		return nil
	}
	if in.entries == nil {
		return nil
	}
	rec.WindowsEntry = entryKey(rec.Product)
	if _, ok := in.entries.linkPath(rec.Target); rec.Launch == "" || !ok {
		return nil // no entry point, or one a local link cannot name
	}
	dir, err := in.entries.programsDir(rec.Scope)
	if err != nil {
		return fmt.Errorf("the Start menu's Programs folder: %w", err)
	}
	rec.Shortcut = filepath.Join(dir, shortcutName(rec.displayName(), rec.Product))
	return nil
}

func (r *Receipt) displayName() string {
	if r.Name != "" {
		return r.Name
	}
	return r.Product
}

// appEntry is the entry for an installed product's receipt.
func (in *Installer) appEntry(rec *Receipt) (AppEntry, error) {
	assistant, err := in.stableAssistant(rec.Scope)
	if err != nil {
		return AppEntry{}, err
	}
	var size int64
	for f, err := range rec.Files() {
		if err != nil {
			return AppEntry{}, err
		}
		size += f.Size
	}
	uninstall := fmt.Sprintf(`"%s" uninstall --product %s`, assistant, rec.Product)
	e := AppEntry{Scope: rec.Scope, Key: rec.WindowsEntry, DisplayName: rec.displayName(), DisplayVersion: rec.Version, Publisher: rec.Publisher,
		InstallLocation: rec.Target, InstallDate: rec.Installed.Format("20060102"), UninstallString: uninstall,
		// Uninstall asks nothing: it is quiet as it is.
		QuietUninstallString: uninstall, EstimatedSizeKB: uint32(min((size+1023)/1024, 1<<32-1)), Shortcut: rec.Shortcut}
	if e.Key == "" {
		e.Key = entryKey(rec.Product)
	}
	if rec.Launch != "" {
		e.DisplayIcon = filepath.Join(rec.Target, filepath.FromSlash(rec.Launch))
	}
	return e, nil
}

// syncEntry makes Windows' view follow the receipts: cur's entry and
// shortcut written (nil: the product's entry removed), and the shortcut
// of gone (a version replaced, rolled back or uninstalled) removed unless
// cur has the same one. Products installed by an MSI are Windows
// Installer's to list.
func (in *Installer) syncEntry(product string, cur, gone *Receipt) error {
	if in.entries == nil {
		return nil
	}
	scope := ScopeUser
	if in.scoped {
		scope = ScopeMachine
	}
	if cur != nil && cur.Native() {
		cur = nil
	}
	if gone != nil && !gone.Native() && gone.WindowsEntry == "" && gone.Shortcut == "" {
		// A receipt from before entries were kept: its shortcut is where
		// a later change put it.
		g := *gone
		g.Scope = scope
		if err := in.planEntry(&g); err != nil {
			return err
		}
		gone = &g
	}
	if gone != nil && gone.Shortcut != "" && (cur == nil || !strings.EqualFold(cur.Shortcut, gone.Shortcut)) {
		if err := os.Remove(gone.Shortcut); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the shortcut %s: %w", gone.Shortcut, err)
		}
	}
	if cur == nil {
		if gone != nil && gone.Native() {
			return nil
		}
		key := entryKey(product)
		if gone != nil && gone.WindowsEntry != "" {
			key = gone.WindowsEntry
		}
		if err := in.entries.remove(scope, key); err != nil {
			return fmt.Errorf("removing %s from the installed programs: %w", product, err)
		}
		return nil
	}
	if cur.WindowsEntry == "" || cur.Scope != scope { // a receipt from before entries were kept
		c := *cur
		c.Scope = scope // the store holding the receipt says whose it is
		if err := in.planEntry(&c); err != nil {
			return err
		}
		cur = &c
	}
	e, err := in.appEntry(cur)
	if err != nil {
		return fmt.Errorf("listing %s in the installed programs: %w", product, err)
	}
	if err := in.entries.put(e); err != nil {
		return fmt.Errorf("listing %s in the installed programs: %w", product, err)
	}
	if e.Shortcut != "" {
		if err := in.writeShortcut(e.Shortcut, cur); err != nil {
			return err
		}
	}
	return nil
}

// writeShortcut writes the Start-menu shortcut to rec's entry point.
func (in *Installer) writeShortcut(path string, rec *Receipt) error {
	target, _ := in.entries.linkPath(filepath.Join(rec.Target, filepath.FromSlash(rec.Launch)))
	dir, _ := in.entries.linkPath(rec.Target)
	if d := filepath.Dir(filepath.FromSlash(rec.Launch)); d != "." {
		dir, _ = in.entries.linkPath(filepath.Join(rec.Target, d))
	}
	b, err := shellLink{Target: target, WorkingDir: dir, Description: rec.displayName()}.bytes()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("the shortcut's folder: %w", err)
	}
	if err := atomicfile.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("writing the shortcut %s: %w", path, err)
	}
	return nil
}

// stableAssistant is the assistant an entry's uninstall command runs: the
// running one when Onramp.msi installed it, otherwise a copy in the
// scope's Onramp data folder (bin\assistant.exe), which stays when the
// folder it ran from (a deployment's, a download's) is gone.
func (in *Installer) stableAssistant(scope Scope) (string, error) {
	src := in.opt.Assistant
	if src == "" {
		src = defaultAssistant()
	}
	if src == "" {
		return "", errors.New("cannot tell where the assistant program is")
	}
	if d := in.entries.installedDir(); d != "" && within(src, d) {
		return src, nil
	}
	dir, err := in.entries.dataDir(scope)
	if err != nil {
		return "", fmt.Errorf("the Onramp data folder: %w", err)
	}
	dst := filepath.Join(dir, "bin", "assistant.exe")
	if sameFileBytes(src, dst) {
		return dst, nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("copying the assistant for uninstall commands: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("copying the assistant for uninstall commands: %w", classifyWriteError(dst, filepath.Dir(dst), err))
	}
	if err := atomicfile.WriteFile(dst, b, 0o755); err != nil {
		if exists(dst) {
			// Running now (Windows does not replace a running program):
			// the copy there uninstalls as well.
			return dst, nil
		}
		return "", fmt.Errorf("copying the assistant for uninstall commands: %w", err)
	}
	return dst, nil
}

// defaultAssistant is this program when it is the assistant, else the
// assistant beside it (the window, Onramp.exe, ships beside it).
func defaultAssistant() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if strings.EqualFold(filepath.Base(exe), "assistant.exe") {
		return exe
	}
	if beside := filepath.Join(filepath.Dir(exe), "assistant.exe"); exists(beside) {
		return beside
	}
	return exe
}

// sameFileBytes reports whether two files hold the same bytes.
func sameFileBytes(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 != nil || err2 != nil || sa.Size() != sb.Size() {
		return false
	}
	fa, err := os.Open(a)
	if err != nil {
		return false
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false
	}
	defer fb.Close()
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, _ := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		if ea != nil {
			return true
		}
	}
}
