package installer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"onramp.dev/onramp/catalog"
)

// Receipt records one installed version.
type Receipt struct {
	ID            string         `json:"id"` // random, one per install
	Product       string         `json:"product"`
	Version       string         `json:"version"`
	Target        string         `json:"target"`
	Package       string         `json:"package"` // the verified package, for repair
	PackageSHA256 string         `json:"package_sha256"`
	Format        catalog.Format `json:"format"`
	Launch        string         `json:"launch,omitempty"`
	Installed     time.Time      `json:"installed"`
	Files         []FileRecord   `json:"files"`
	// Dirs are the archive's folders (folders holding files are implied).
	Dirs []FileRecord `json:"dirs,omitempty"`
	// Adopted: the target held files of the user's before the first
	// install (allowed explicitly); uninstall leaves the folder itself.
	Adopted bool `json:"adopted,omitempty"`
	// Scope: whose receipts hold this one, the user's or the machine's.
	Scope Scope `json:"scope,omitempty"`
	// ProductCode names an MSI install to Windows Installer: uninstall
	// removes the product by it.
	ProductCode string `json:"product_code,omitempty"`
	// RebootNeeded: the native installer said a restart finishes the
	// install (MSI 3010, 1641).
	RebootNeeded bool `json:"reboot_needed,omitempty"`
	// Kept lists the files in the target that Onramp did not install and
	// left in place, by the operation that returned this receipt.
	Kept []string `json:"-"`
}

// Native reports whether the OS's installer (msiexec, installer, a disk
// image's copy) put the product in place: the files are its, not listed.
func (r *Receipt) Native() bool { return !r.Format.IsArchive() }

// FileRecord is one installed file.
type FileRecord struct {
	Path   string `json:"path"` // relative, '/' separators
	Size   int64  `json:"size"`
	Mode   uint32 `json:"mode"`
	SHA256 string `json:"sha256,omitempty"`
	Link   string `json:"link,omitempty"`
}

func (in *Installer) receiptPath(product string) string {
	return filepath.Join(in.opt.StateDir, product+".json")
}
func (in *Installer) previousReceiptPath(product string) string {
	return filepath.Join(in.opt.StateDir, product+".previous.json")
}
func (in *Installer) journalPath(product string) string {
	return filepath.Join(in.opt.StateDir, product+".journal.json")
}

// previousDir keeps the version an install replaced, beside the target so
// the swap is a rename on one volume.
func previousDir(target, product string) string {
	return filepath.Join(filepath.Dir(target), ".onramp-previous-"+product)
}

// Receipt returns the installed version's receipt, once an interrupted
// install of it is finished or undone.
func (in *Installer) Receipt(product string) (*Receipt, error) {
	if s := in.storeOf(product); s != in {
		return s.Receipt(product)
	}
	if err := in.settled(product); err != nil {
		return nil, err
	}
	return in.receipt(product)
}

func (in *Installer) receipt(product string) (*Receipt, error) {
	return readReceipt(in.receiptPath(product), product)
}

func readReceipt(path, product string) (*Receipt, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", product, ErrNotInstalled)
	}
	if err != nil {
		return nil, err
	}
	var r Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("receipt %s: %w", path, err)
	}
	return &r, nil
}

func writeJSONAtomic(path string, v any) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	if rec, ok := v.(*Receipt); ok {
		err = writeReceipt(w, rec)
	} else {
		var b []byte
		if b, err = json.MarshalIndent(v, "", "  "); err == nil {
			_, err = w.Write(b)
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// writeReceipt writes a receipt's files one by one: marshalled whole, a
// receipt of 100,000 files took 40 MB of buffers (the JSON, then its
// indented copy, each grown by doubling).
func writeReceipt(w io.Writer, rec *Receipt) error {
	head := *rec
	head.Files = nil
	b, err := json.Marshal(&head)
	if err != nil {
		return err
	}
	// Keys are written unescaped and values escaped, so the key is the
	// only place this text can appear.
	const key = `"files":null`
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return fmt.Errorf("receipt: no files key in %s", b)
	}
	if _, err := fmt.Fprintf(w, "%s\"files\": [", b[:i]); err != nil {
		return err
	}
	for n, f := range rec.Files {
		fb, err := json.Marshal(f)
		if err != nil {
			return err
		}
		sep := ",\n  "
		if n == 0 {
			sep = "\n  "
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if _, err := w.Write(fb); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(w, "\n]%s\n", b[i+len(key):])
	return err
}

// VerifyReport lists what differs from the receipt.
type VerifyReport struct {
	Product string   `json:"product"`
	Version string   `json:"version"`
	Target  string   `json:"target"`
	Files   int      `json:"files"`
	Missing []string `json:"missing"`
	Changed []string `json:"changed"` // "path: why"
}

// OK reports whether every file is as installed.
func (v *VerifyReport) OK() bool { return len(v.Missing) == 0 && len(v.Changed) == 0 }

// Verify checks every installed file against the receipt.
func (in *Installer) Verify(ctx context.Context, product string) (*VerifyReport, error) {
	if s := in.storeOf(product); s != in {
		return s.Verify(ctx, product)
	}
	rec, err := in.Receipt(product)
	if err != nil {
		return nil, err
	}
	if rec.Native() {
		return nil, fmt.Errorf("verify %s: %w", product, &NativeInstallError{Product: product, Format: rec.Format})
	}
	rep := &VerifyReport{Product: product, Version: rec.Version, Target: rec.Target, Files: len(rec.Files), Missing: []string{}, Changed: []string{}}
	for _, d := range rec.Dirs {
		st, err := os.Lstat(filepath.Join(rec.Target, filepath.FromSlash(d.Path)))
		switch {
		case err != nil:
			rep.Missing = append(rep.Missing, d.Path+"/")
		case !st.IsDir():
			rep.Changed = append(rep.Changed, d.Path+": no longer a folder")
		case !onWindows && uint32(st.Mode()&(fs.ModeDir|fs.ModePerm)) != d.Mode:
			rep.Changed = append(rep.Changed, fmt.Sprintf("%s: mode %v, installed %v", d.Path, st.Mode().Perm(), fs.FileMode(d.Mode).Perm()))
		}
	}
	for _, f := range rec.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := filepath.Join(rec.Target, filepath.FromSlash(f.Path))
		st, err := os.Lstat(p)
		if err != nil {
			rep.Missing = append(rep.Missing, f.Path)
			continue
		}
		if f.Link != "" {
			if l, err := os.Readlink(p); err != nil || filepath.ToSlash(l) != f.Link {
				rep.Changed = append(rep.Changed, f.Path+": link changed")
			}
			continue
		}
		switch {
		case !st.Mode().IsRegular():
			rep.Changed = append(rep.Changed, f.Path+": no longer a file")
		case st.Size() != f.Size:
			rep.Changed = append(rep.Changed, fmt.Sprintf("%s: size %d, installed %d", f.Path, st.Size(), f.Size))
		case fileHash(p) != f.SHA256:
			rep.Changed = append(rep.Changed, f.Path+": content changed")
		case !onWindows && uint32(st.Mode().Perm()) != f.Mode:
			rep.Changed = append(rep.Changed, fmt.Sprintf("%s: mode %v, installed %v", f.Path, st.Mode().Perm(), fs.FileMode(f.Mode)))
		}
	}
	return rep, nil
}

func fileHash(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Repair reinstalls the installed version from its package, replacing
// Onramp's files at once; the files the user added stay (and are listed in
// Kept), and the version kept for rollback stays as it is.
func (in *Installer) Repair(ctx context.Context, product string) (*Receipt, error) {
	if s := in.storeOf(product); s != in {
		return s.Repair(ctx, product)
	}
	unlock, err := in.lock(product)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := in.settle(product); err != nil {
		return nil, err
	}
	rec, err := in.receipt(product)
	if err != nil {
		return nil, err
	}
	if rec.Native() {
		return nil, fmt.Errorf("repair %s: %w", product, &NativeInstallError{Product: product, Format: rec.Format})
	}
	pkg := Package{Path: rec.Package, SHA256: rec.PackageSHA256, Format: rec.Format, Product: product, Version: rec.Version,
		Recipe: catalog.Recipe{Launch: rec.Launch}}
	if err := verifyPackage(pkg); err != nil {
		return nil, fmt.Errorf("repair needs the package of %s %s: %w (download it again)", product, rec.Version, err)
	}
	staging, st, err := in.stage(ctx, pkg, rec.Target, len(rec.Files))
	if err != nil {
		return nil, err
	}
	j := &journal{Op: opRepair, Target: rec.Target, Staging: staging, Previous: rec.Target + ".onramp-damaged",
		HadOld: exists(rec.Target), NewID: rec.ID, KnownID: rec.ID, InPlace: rec.Adopted}
	kept, err := in.commit(product, j, nil, rec)
	if err != nil {
		return nil, err
	}
	os.Remove(in.stagingNote(product))
	rec.Files, rec.Dirs, rec.Installed = st.files, st.dirs, time.Now().UTC().Truncate(time.Second)
	if rec.Adopted {
		rec.Dirs = diskDirModes(rec.Target, st.dirs) // the user's folders keep their modes
	}
	if err := writeJSONAtomic(in.receiptPath(product), rec); err != nil {
		return nil, err
	}
	rec.Kept = kept
	return rec, nil
}

// Rollback puts back the version the last install replaced; the version
// rolled back from is kept in its place, so a second rollback undoes it.
// The files the user added stay in place (and are listed in Kept).
func (in *Installer) Rollback(ctx context.Context, product string) (*Receipt, error) {
	if s := in.storeOf(product); s != in {
		return s.Rollback(ctx, product)
	}
	unlock, err := in.lock(product)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := in.settle(product); err != nil {
		return nil, err
	}
	cur, err := in.receipt(product)
	if err != nil {
		return nil, err
	}
	old, err := in.previous(product, cur)
	if err != nil {
		return nil, err
	}
	prev := previousDir(cur.Target, product)
	users, err := userEntries(cur.Target, cur)
	if err != nil {
		return nil, err
	}
	o := owned(old)
	if c := conflicts(users, o.files, o.dirs); len(c) > 0 {
		return nil, &ConflictError{Target: cur.Target, Paths: c}
	}
	j := &journal{Op: opRollback, Target: cur.Target, Staging: prev, Previous: cur.Target + ".onramp-swap",
		HadOld: exists(cur.Target), NewID: old.ID, KnownID: cur.ID, InPlace: cur.Adopted}
	kept, err := in.commit(product, j, nil, old)
	if err != nil {
		return nil, err
	}
	old.Kept = kept
	return old, nil
}

// Previous is the receipt of the version kept for Rollback: ErrNoPrevious
// when none is kept, ErrNotInstalled when nothing is installed.
func (in *Installer) Previous(product string) (*Receipt, error) {
	if s := in.storeOf(product); s != in {
		return s.Previous(product)
	}
	if err := in.settled(product); err != nil {
		return nil, err
	}
	cur, err := in.receipt(product)
	if err != nil {
		return nil, err
	}
	return in.previous(product, cur)
}

// previous is the kept version Rollback can put back in place of cur.
func (in *Installer) previous(product string, cur *Receipt) (*Receipt, error) {
	if cur.Native() {
		return nil, fmt.Errorf("rollback %s: %w", product, &NativeInstallError{Product: product, Format: cur.Format})
	}
	old, err := readReceipt(in.previousReceiptPath(product), product)
	if err != nil || !exists(previousDir(cur.Target, product)) || old.Target != cur.Target {
		return nil, fmt.Errorf("%s: %w", product, ErrNoPrevious)
	}
	return old, nil
}

// Uninstall removes the installed files the receipt lists, the folders
// they leave empty, and the kept previous version. Files the user added are
// left, and listed.
func (in *Installer) Uninstall(ctx context.Context, product string) ([]string, error) {
	if s := in.storeOf(product); s != in {
		return s.Uninstall(ctx, product)
	}
	unlock, err := in.lock(product)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := in.settle(product); err != nil {
		return nil, err
	}
	rec, err := in.receipt(product)
	if err != nil {
		return nil, err
	}
	if rec.Native() {
		return nil, in.uninstallNative(ctx, rec)
	}
	for _, f := range rec.Files {
		p := filepath.Join(rec.Target, filepath.FromSlash(f.Path))
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("uninstall %s: %w", p, err)
		}
	}
	// Onramp's folders, deepest first; a folder that still holds something
	// stays. Folders of the user's stay, empty or not.
	var dirs []string
	for d := range owned(rec).dirs {
		dirs = append(dirs, d)
	}
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	for _, d := range dirs {
		os.Remove(filepath.Join(rec.Target, filepath.FromSlash(d)))
	}
	// A kept version from before files were carried over may hold the
	// user's files: they join the others.
	prev := previousDir(rec.Target, product)
	if exists(prev) {
		old, _ := readReceipt(in.previousReceiptPath(product), product)
		if old != nil && old.Target == rec.Target {
			if _, err := carry(prev, rec.Target, old); err != nil {
				return nil, fmt.Errorf("keeping your files from %s: %w", prev, err)
			}
		}
	}
	users, err := userEntries(rec.Target, nil)
	if err != nil {
		return nil, err
	}
	if !rec.Adopted {
		os.Remove(rec.Target) // only if empty
	}
	if err := os.RemoveAll(prev); err != nil {
		return nil, err
	}
	os.Remove(in.previousReceiptPath(product))
	return userFiles(users), os.Remove(in.receiptPath(product))
}

// at is a point where tests stop a commit, as a crash or a full disk would.
func (in *Installer) at(step string) error {
	if in.failAt != nil {
		return in.failAt(step)
	}
	return nil
}
