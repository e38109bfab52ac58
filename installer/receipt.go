package installer

import (
	"context"
	"crypto/rand"
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
	"strings"
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
}

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

// Receipt returns the installed version's receipt.
func (in *Installer) Receipt(product string) (*Receipt, error) {
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
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// journal records a swap in progress, so a run that dies half-way is
// undone by the next one. Each step is written before it is taken.
type journal struct {
	Target   string `json:"target"`
	Staging  string `json:"staging"`
	Previous string `json:"previous"`
	HadOld   bool   `json:"had_old"`
	NewID    string `json:"new_id"` // the receipt being installed
	// Step: "begin" (the installed tree may be moving aside), "swapping"
	// (the new tree may be moving in), "receipts" (receipts may be changing).
	Step string `json:"step"`
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// commit swaps the staged tree into place and records the receipts.
func (in *Installer) commit(product, staging, target string, rec *Receipt) error {
	prev := previousDir(target, product)
	if rec.ID == "" {
		var b [8]byte
		rand.Read(b[:])
		rec.ID = hex.EncodeToString(b[:])
	}
	j := journal{Target: target, Staging: staging, Previous: prev, Step: "begin", HadOld: exists(target), NewID: rec.ID}
	step := func(s string) error {
		j.Step = s
		if err := writeJSONAtomic(in.journalPath(product), j); err != nil {
			return fmt.Errorf("install journal: %w", err)
		}
		return nil
	}
	if err := step("begin"); err != nil {
		return err
	}
	undo := func(cause error) error {
		if err := in.recover(product); err != nil {
			return fmt.Errorf("%w; and restoring the previous state failed: %v", cause, err)
		}
		return cause
	}
	if err := in.at("begin"); err != nil {
		return undo(err)
	}
	if j.HadOld {
		// The older kept version goes only once the commit is done.
		os.RemoveAll(prev + ".old")
		if exists(prev) {
			if err := os.Rename(prev, prev+".old"); err != nil {
				return undo(fmt.Errorf("moving the older kept version aside: %w", err))
			}
		}
		if err := os.Rename(target, prev); err != nil {
			return undo(fmt.Errorf("moving the installed version aside: %w", err))
		}
	}
	if err := in.at("moved-old"); err != nil {
		return undo(err)
	}
	if err := step("swapping"); err != nil {
		return undo(err)
	}
	if err := os.Rename(staging, target); err != nil {
		return undo(fmt.Errorf("moving the new version into place: %w", err))
	}
	if err := in.at("moved-new"); err != nil {
		return undo(err)
	}
	if err := step("receipts"); err != nil {
		return undo(err)
	}
	if err := in.at("receipts"); err != nil {
		return undo(err)
	}
	if j.HadOld && exists(in.receiptPath(product)) {
		if exists(in.previousReceiptPath(product)) {
			if err := os.Rename(in.previousReceiptPath(product), in.previousReceiptPath(product)+".old"); err != nil {
				return undo(fmt.Errorf("moving the older receipt aside: %w", err))
			}
		}
		if err := os.Rename(in.receiptPath(product), in.previousReceiptPath(product)); err != nil {
			return undo(fmt.Errorf("keeping the previous receipt: %w", err))
		}
	}
	if err := writeJSONAtomic(in.receiptPath(product), rec); err != nil {
		return undo(fmt.Errorf("writing the receipt: %w", err))
	}
	if err := in.at("receipt"); err != nil {
		return undo(err)
	}
	if err := os.Remove(in.journalPath(product)); err != nil {
		return err
	}
	os.RemoveAll(prev + ".old")
	os.Remove(in.previousReceiptPath(product) + ".old")
	return nil
}

// recover undoes an unfinished commit: the previous version and its
// receipt are put back, whatever step was reached.
func (in *Installer) recover(product string) error {
	b, err := os.ReadFile(in.journalPath(product))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("install journal %s is damaged: %w", in.journalPath(product), err)
	}
	if j.Step == "receipts" {
		if j.HadOld {
			// Put the previous receipt back only if the current one was
			// already moved aside or replaced by the new one.
			if exists(in.previousReceiptPath(product)) {
				if r, err := readReceipt(in.receiptPath(product), product); err != nil || r.ID == j.NewID {
					if err := os.Rename(in.previousReceiptPath(product), in.receiptPath(product)); err != nil {
						return err
					}
				}
			}
		} else {
			os.Remove(in.receiptPath(product))
		}
		if older := in.previousReceiptPath(product) + ".old"; exists(older) {
			if err := os.Rename(older, in.previousReceiptPath(product)); err != nil {
				return err
			}
		}
	}
	if j.Step == "swapping" || j.Step == "receipts" {
		// The new tree may be in place: take it out.
		if exists(j.Target) && (j.HadOld && exists(j.Previous) || !j.HadOld) {
			if err := os.RemoveAll(j.Target); err != nil {
				return err
			}
		}
	}
	if j.HadOld && !exists(j.Target) && exists(j.Previous) {
		if err := os.Rename(j.Previous, j.Target); err != nil {
			return err
		}
	}
	if older := j.Previous + ".old"; exists(older) && !exists(j.Previous) {
		if err := os.Rename(older, j.Previous); err != nil {
			return err
		}
	}
	os.RemoveAll(j.Previous + ".old")
	os.RemoveAll(j.Staging)
	return os.Remove(in.journalPath(product))
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
	rec, err := in.Receipt(product)
	if err != nil {
		return nil, err
	}
	rep := &VerifyReport{Product: product, Version: rec.Version, Target: rec.Target, Files: len(rec.Files), Missing: []string{}, Changed: []string{}}
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

// Repair reinstalls the installed version from its package, replacing the
// whole tree at once; the version kept for rollback stays as it is.
func (in *Installer) Repair(ctx context.Context, product string) (*Receipt, error) {
	unlock, err := in.lock(product)
	if err != nil {
		return nil, err
	}
	rec, err := in.Receipt(product)
	if err != nil {
		unlock()
		return nil, err
	}
	pkg := Package{Path: rec.Package, SHA256: rec.PackageSHA256, Format: rec.Format, Product: product, Version: rec.Version,
		Recipe: catalog.Recipe{Launch: rec.Launch}}
	if err := verifyPackage(pkg); err != nil {
		unlock()
		return nil, fmt.Errorf("repair needs the package of %s %s: %w (download it again)", product, rec.Version, err)
	}
	staging, files, err := in.stage(ctx, pkg, rec.Target, len(rec.Files))
	if err != nil {
		unlock()
		return nil, err
	}
	defer unlock()
	damaged := rec.Target + ".onramp-damaged"
	os.RemoveAll(damaged)
	if exists(rec.Target) {
		if err := os.Rename(rec.Target, damaged); err != nil {
			os.RemoveAll(staging)
			return nil, err
		}
	}
	if err := os.Rename(staging, rec.Target); err != nil {
		os.Rename(damaged, rec.Target)
		os.RemoveAll(staging)
		return nil, err
	}
	os.RemoveAll(damaged)
	rec.Files, rec.Installed = files, time.Now().UTC().Truncate(time.Second)
	return rec, writeJSONAtomic(in.receiptPath(product), rec)
}

// Rollback puts back the version the last install replaced; the version
// rolled back from is kept in its place, so a second rollback undoes it.
func (in *Installer) Rollback(ctx context.Context, product string) (*Receipt, error) {
	unlock, err := in.lock(product)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cur, err := in.Receipt(product)
	if err != nil {
		return nil, err
	}
	old, err := readReceipt(in.previousReceiptPath(product), product)
	prev := previousDir(cur.Target, product)
	if err != nil || !exists(prev) || old.Target != cur.Target {
		return nil, fmt.Errorf("%s: %w", product, ErrNoPrevious)
	}
	swap := cur.Target + ".onramp-swap"
	os.RemoveAll(swap)
	if err := os.Rename(cur.Target, swap); err != nil {
		return nil, err
	}
	if err := os.Rename(prev, cur.Target); err != nil {
		os.Rename(swap, cur.Target)
		return nil, err
	}
	if err := os.Rename(swap, prev); err != nil {
		return nil, err
	}
	if err := writeJSONAtomic(in.previousReceiptPath(product), cur); err != nil {
		return nil, err
	}
	return old, writeJSONAtomic(in.receiptPath(product), old)
}

// Uninstall removes the installed files the receipt lists, the folders
// they leave empty, and the kept previous version. Files the user added are
// left, and listed.
func (in *Installer) Uninstall(ctx context.Context, product string) ([]string, error) {
	unlock, err := in.lock(product)
	if err != nil {
		return nil, err
	}
	defer unlock()
	rec, err := in.Receipt(product)
	if err != nil {
		return nil, err
	}
	for _, f := range rec.Files {
		p := filepath.Join(rec.Target, filepath.FromSlash(f.Path))
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("uninstall %s: %w", p, err)
		}
	}
	// Folders, deepest first; a folder that still holds something stays.
	var dirs []string
	filepath.WalkDir(rec.Target, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	for _, d := range dirs {
		os.Remove(d)
	}
	left := []string{}
	filepath.WalkDir(rec.Target, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, strings.TrimPrefix(p, rec.Target+string(filepath.Separator)))
		}
		return nil
	})
	os.RemoveAll(previousDir(rec.Target, product))
	os.Remove(in.previousReceiptPath(product))
	return left, os.Remove(in.receiptPath(product))
}

// at is a point where tests stop a commit, as a crash or a full disk would.
func (in *Installer) at(step string) error {
	if in.failAt != nil {
		return in.failAt(step)
	}
	return nil
}
