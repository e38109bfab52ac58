package installer

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"onramp.dev/onramp/catalog"
)

// The operations a journal records.
const (
	opInstall  = "install" // an install or upgrade; "" in journals of older versions
	opRepair   = "repair"
	opRollback = "rollback"
)

// journal records a swap in progress, so a run that dies half-way is
// undone, or finished, by the next one. Each step is written before it is
// taken. Until "receipts" (install: "carrying") a failure is undone; from
// then on it is finished.
type journal struct {
	Op       string `json:"op,omitempty"`
	Target   string `json:"target"`
	Staging  string `json:"staging"`  // the tree moving in: a staging folder, or the kept version for a rollback
	Previous string `json:"previous"` // where the tree in place moves to
	HadOld   bool   `json:"had_old"`
	NewID    string `json:"new_id"` // the receipt being installed
	// KnownID names the receipt that lists what Onramp installed in the
	// tree in place; everything else there is the user's and is carried
	// into the new tree. "" when nothing there is Onramp's.
	KnownID string `json:"known_id,omitempty"`
	// InPlace: the target is a folder of the user's, taken with
	// Options.AllowNonEmptyTarget. It is never moved: Onramp's files move
	// out to Previous one by one, the new ones merge in from Staging, and
	// the user's files stay where they are.
	InPlace bool `json:"in_place,omitempty"`
	// Existed lists the new tree's folders the target had before the
	// merge (the user's, or the old version's): undoing keeps them.
	Existed []string `json:"existed,omitempty"`
	// Shortcut is the new version's Start-menu shortcut: undoing an
	// install removes it when the version put back has another.
	Shortcut string `json:"shortcut,omitempty"`
	// Step: "begin" (the installed tree may be moving aside), "swapping"
	// (the new tree may be moving in), "receipts" (receipts may be
	// changing), "carrying" (the user's files may be moving in).
	Step string `json:"step"`
}

func (j *journal) op() string {
	if j.Op == "" {
		return opInstall
	}
	return j.Op
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// commit swaps j.Staging into place at j.Target, moving the tree in place
// to j.Previous, records the receipts (rec, for an install), and carries
// the user's files from the old tree into the new one; in place (an
// adopted folder) it moves Onramp's files instead of folders. incoming is
// the receipt of the tree moving in. It returns the user's files found in
// the target.
func (in *Installer) commit(product string, j *journal, rec, incoming *Receipt) ([]string, error) {
	in.openTrees(product)
	if incoming != nil {
		openDirs(j.Staging, incoming.Dirs)
	}
	defer in.sealTrees(product)
	if j.InPlace && j.op() == opInstall {
		// Recovery needs the new version's list to take it out again.
		if err := writeJSONAtomic(in.pendingPath(product), rec); err != nil {
			return nil, fmt.Errorf("install journal: %w", err)
		}
	}
	step := func(s string) error {
		j.Step = s
		if err := writeJSONAtomic(in.journalPath(product), j); err != nil {
			return fmt.Errorf("install journal: %w", err)
		}
		return nil
	}
	// A first install moves nothing aside: its journal starts at the
	// swap (whose recovery takes out a new tree not yet received), one
	// fsync fewer on the fixed cost of every first install.
	first := j.op() == opInstall && !j.HadOld && !j.InPlace
	if !first {
		if err := step("begin"); err != nil {
			return nil, err
		}
	}
	undo := func(cause error) error {
		if err := in.recover(product); err != nil {
			return fmt.Errorf("%w; and restoring the previous state failed: %v", cause, err)
		}
		return cause
	}
	if err := in.at("begin"); err != nil {
		return nil, undo(err)
	}
	if j.op() == opInstall {
		// The older kept version goes only once the commit is done.
		if err := removeTree(j.Previous + ".old"); err != nil {
			return nil, undo(err)
		}
		if j.HadOld && exists(j.Previous) {
			if err := os.Rename(j.Previous, j.Previous+".old"); err != nil {
				return nil, undo(fmt.Errorf("moving the older kept version aside: %w", err))
			}
		}
	} else if err := removeTree(j.Previous); err != nil { // a leftover of a run recovered before
		return nil, undo(err)
	}
	switch {
	case j.InPlace:
		if err := os.MkdirAll(j.Previous, 0o755); err != nil {
			return nil, undo(err)
		}
		if err := moveFiles(in.receiptWithID(product, j.KnownID), j.Target, j.Previous); err != nil {
			return nil, undo(fmt.Errorf("moving the installed version aside: %w", err))
		}
	case j.HadOld:
		if err := os.Rename(j.Target, j.Previous); err != nil {
			return nil, undo(fmt.Errorf("moving the installed version aside: %w", err))
		}
	}
	if err := in.at("moved-old"); err != nil {
		return nil, undo(err)
	}
	if j.InPlace {
		dirs, err := ownedDirs(incoming)
		if err != nil {
			return nil, undo(err)
		}
		for d := range dirs {
			if st, err := os.Lstat(filepath.Join(j.Target, filepath.FromSlash(d))); err == nil && st.IsDir() {
				j.Existed = append(j.Existed, d)
			}
		}
		slices.Sort(j.Existed)
	}
	if err := step("swapping"); err != nil {
		return nil, undo(err)
	}
	if j.InPlace {
		if err := merge(j.Staging, j.Target, "."); err != nil {
			return nil, undo(fmt.Errorf("moving the new version into place: %w", err))
		}
		if rec != nil {
			rec.Dirs = diskDirModes(j.Target, rec.Dirs)
		}
	} else if err := os.Rename(j.Staging, j.Target); err != nil {
		return nil, undo(fmt.Errorf("moving the new version into place: %w", err))
	}
	if err := in.at("moved-new"); err != nil {
		return nil, undo(err)
	}
	// A first install that replaces no receipt stays at "swapping" to the
	// end: undoing it is taking out the receipt of its new ID with its
	// tree (recoverJournal), what the "receipts" step would have led to,
	// and it carries nothing, so "carrying" would only mark the point of
	// no return. Its journal's removal marks it instead: a run stopped
	// before that finds the product not installed, one of the two
	// outcomes a first install promises. Two fsyncs fewer on the fixed
	// cost of every first install.
	fresh := first && !exists(in.receiptPath(product))
	if !fresh {
		if err := step("receipts"); err != nil {
			return nil, undo(err)
		}
	}
	if err := in.at("receipts"); err != nil {
		return nil, undo(err)
	}
	if j.op() == opInstall {
		replaced, _ := in.receipt(product)
		if err := in.writeReceipts(product, j, rec); err != nil {
			return nil, undo(err)
		}
		// Windows' list follows the receipt, inside the undo: a failed
		// install leaves the entry of the version it would have replaced.
		if err := in.syncEntry(product, rec, replaced); err != nil {
			return nil, undo(err)
		}
		if err := in.at("receipt"); err != nil {
			return nil, undo(err)
		}
		if !fresh {
			if err := step("carrying"); err != nil {
				return nil, undo(err)
			}
		}
	}
	// From here on the new version stays: a failure is finished later.
	return in.finish(product, j)
}

// writeReceipts keeps the installed version's receipt as the previous one
// and writes rec as the installed one.
func (in *Installer) writeReceipts(product string, j *journal, rec *Receipt) error {
	if j.HadOld && exists(in.receiptPath(product)) {
		if exists(in.previousReceiptPath(product)) {
			if err := os.Rename(in.previousReceiptPath(product), in.previousReceiptPath(product)+".old"); err != nil {
				return fmt.Errorf("moving the older receipt aside: %w", err)
			}
		}
		if err := os.Rename(in.receiptPath(product), in.previousReceiptPath(product)); err != nil {
			return fmt.Errorf("keeping the previous receipt: %w", err)
		}
	}
	if err := writeJSONAtomic(in.receiptPath(product), rec); err != nil {
		return fmt.Errorf("writing the receipt: %w", err)
	}
	return nil
}

// finish completes a commit whose new tree is in place; every step can be
// taken again, so recovery calls it too.
func (in *Installer) finish(product string, j *journal) ([]string, error) {
	if j.op() == opRollback {
		if err := in.swapReceipts(product, j.NewID); err != nil {
			return nil, fmt.Errorf("rollback receipts: %w", err)
		}
	}
	if j.InPlace {
		return in.finishInPlace(product, j)
	}
	var kept []string
	if j.HadOld && exists(j.Previous) {
		var known *Receipt
		if j.KnownID != "" {
			if known = in.receiptWithID(product, j.KnownID); known == nil {
				return nil, fmt.Errorf("%s: the receipt %s of the replaced version is gone: the user's files stay in %s", product, j.KnownID, j.Previous)
			}
		}
		var err error
		if kept, err = carry(j.Previous, j.Target, known); err != nil {
			return nil, fmt.Errorf("keeping the files you added: %w (they are in %s)", err, j.Previous)
		}
	}
	if err := in.at("carried"); err != nil {
		return nil, err
	}
	switch j.op() {
	case opInstall:
		if j.KnownID == "" && j.HadOld {
			// Nothing of Onramp's was there: nothing to keep for rollback.
			if err := removeIfNoFiles(j.Previous); err != nil {
				return nil, err
			}
		}
		removeTree(j.Previous + ".old")
		os.Remove(in.previousReceiptPath(product) + ".old")
	case opRepair:
		// Only Onramp's damaged copies are left there.
		if err := removeTree(j.Previous); err != nil {
			return nil, err
		}
	case opRollback:
		if exists(j.Previous) {
			if err := os.Rename(j.Previous, j.Staging); err != nil {
				return nil, err
			}
		}
	}
	if err := os.Remove(in.journalPath(product)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return kept, nil
}

// swapReceipts makes the previous receipt (id) the installed one and the
// installed one the previous, through a third name, so that it can be
// finished from any point.
func (in *Installer) swapReceipts(product, id string) error {
	cur, prev, tmp := in.receiptPath(product), in.previousReceiptPath(product), filepath.Join(in.opt.StateDir, product+".swap.json")
	if !exists(tmp) {
		if r, err := readReceipt(cur, product); err == nil && r.ID == id {
			return nil // done already
		}
		if err := os.Rename(cur, tmp); err != nil {
			return err
		}
	}
	if exists(prev) {
		if err := os.Rename(prev, cur); err != nil {
			return err
		}
	}
	return os.Rename(tmp, prev)
}

// receiptWithID returns the installed or the previous receipt with that id.
func (in *Installer) receiptWithID(product, id string) *Receipt {
	for _, p := range []string{in.receiptPath(product), in.previousReceiptPath(product)} {
		if r, err := readReceipt(p, product); err == nil && r.ID == id {
			return r
		}
	}
	return nil
}

// recover undoes an unfinished commit, or finishes one that got past its
// point of no return; Windows' list of installed programs then follows
// the receipt that stays.
func (in *Installer) recover(product string) error {
	var j journal
	b, err := os.ReadFile(in.journalPath(product))
	if err != nil || json.Unmarshal(b, &j) != nil {
		return in.recoverJournal(product)
	}
	if err := in.recoverJournal(product); err != nil {
		return err
	}
	cur, _ := in.receipt(product)
	var gone *Receipt
	if j.Shortcut != "" {
		gone = &Receipt{Product: product, Format: catalog.FormatZip, Shortcut: j.Shortcut}
	}
	return in.syncEntry(product, cur, gone)
}

func (in *Installer) recoverJournal(product string) error {
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
	in.openTrees(product)
	if inc := in.incoming(product, &j); inc != nil {
		openDirs(j.Target, inc.Dirs)
		openDirs(j.Staging, inc.Dirs)
	}
	defer in.sealTrees(product)
	if j.Step == "carrying" || (j.op() != opInstall && j.Step == "receipts") {
		_, err := in.finish(product, &j)
		return err
	}
	if j.InPlace {
		return in.undoInPlace(product, &j)
	}
	if j.op() == opInstall && j.Step == "receipts" {
		if err := in.undoReceipts(product, &j); err != nil {
			return err
		}
	}
	if j.op() == opInstall && j.Step == "swapping" && !j.HadOld {
		// A first install writes its receipt from this step (commit):
		// only a receipt of its new ID is its own.
		if r, err := readReceipt(in.receiptPath(product), product); err == nil && r.ID == j.NewID {
			if err := os.Remove(in.receiptPath(product)); err != nil {
				return err
			}
		}
	}
	if j.Step == "swapping" || j.Step == "receipts" {
		// The new tree may be in place: take it out.
		if exists(j.Target) && (j.HadOld && exists(j.Previous) || !j.HadOld) {
			if j.op() == opRollback {
				err = os.Rename(j.Target, j.Staging) // the kept version goes back where it was
			} else {
				err = removeTree(j.Target)
			}
			if err != nil {
				return err
			}
		}
	}
	if j.HadOld && !exists(j.Target) && exists(j.Previous) {
		if err := os.Rename(j.Previous, j.Target); err != nil {
			return err
		}
	}
	if j.op() == opInstall {
		if older := j.Previous + ".old"; exists(older) && !exists(j.Previous) {
			if err := os.Rename(older, j.Previous); err != nil {
				return err
			}
		}
		removeTree(j.Previous + ".old")
	}
	if j.op() != opRollback {
		removeTree(j.Staging)
	}
	return os.Remove(in.journalPath(product))
}

// undoReceipts puts back the receipts an install replaced.
func (in *Installer) undoReceipts(product string, j *journal) error {
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
	return nil
}

func (in *Installer) pendingPath(product string) string {
	return filepath.Join(in.opt.StateDir, product+".pending.json")
}

// incoming is the receipt of the tree an in-place commit moves in.
func (in *Installer) incoming(product string, j *journal) *Receipt {
	switch j.op() {
	case opInstall:
		r, _ := readReceipt(in.pendingPath(product), product)
		return r
	case opRepair:
		return in.receiptWithID(product, j.KnownID)
	}
	return in.receiptWithID(product, j.NewID)
}

// undoInPlace takes an unfinished in-place commit back: the new files go
// back to Staging, the folders the merge made go, and Onramp's files come
// back from Previous. The user's files were never moved.
func (in *Installer) undoInPlace(product string, j *journal) error {
	if j.op() == opInstall && j.Step == "receipts" {
		if err := in.undoReceipts(product, j); err != nil {
			return err
		}
	}
	if j.Step == "swapping" || j.Step == "receipts" {
		if inc := in.incoming(product, j); inc != nil {
			if err := moveFiles(inc, j.Target, j.Staging); err != nil {
				return err
			}
			dirs, err := ownedDirs(inc)
			if err != nil {
				return err
			}
			removeEmptyDirs(j.Target, dirs, j.Existed)
		}
	}
	if err := moveFiles(in.receiptWithID(product, j.KnownID), j.Previous, j.Target); err != nil {
		return err
	}
	if err := removeIfNoFiles(j.Previous); err != nil {
		return err
	}
	if j.op() == opInstall {
		// The older kept version comes back, unless something is still
		// in its place (then both stay, nothing is lost).
		if older := j.Previous + ".old"; exists(older) && !exists(j.Previous) {
			if err := os.Rename(older, j.Previous); err != nil {
				return err
			}
		}
		os.Remove(in.pendingPath(product))
	}
	if j.op() != opRollback {
		removeTree(j.Staging)
	}
	return os.Remove(in.journalPath(product))
}

// finishInPlace completes an in-place commit whose new files are in place.
func (in *Installer) finishInPlace(product string, j *journal) ([]string, error) {
	inc := in.receiptWithID(product, j.NewID)
	if j.op() == opRepair {
		inc = in.receiptWithID(product, j.KnownID)
	}
	if inc == nil {
		return nil, fmt.Errorf("%s: the receipt %s of the new version is gone", product, j.NewID)
	}
	// Onramp's folders that the new version does not have, once empty.
	drop := map[string]bool{}
	newDirs, err := ownedDirs(inc)
	if err != nil {
		return nil, err
	}
	oldDirs, err := ownedDirs(in.receiptWithID(product, j.KnownID))
	if err != nil {
		return nil, err
	}
	for d := range oldDirs {
		if !newDirs[d] {
			drop[d] = true
		}
	}
	removeEmptyDirs(j.Target, drop, nil)
	users, err := userEntries(j.Target, inc)
	if err != nil {
		return nil, err
	}
	if err := in.at("carried"); err != nil {
		return nil, err
	}
	switch j.op() {
	case opInstall:
		if err := removeIfNoFiles(j.Staging); err != nil {
			return nil, err
		}
		if j.KnownID == "" {
			if err := removeIfNoFiles(j.Previous); err != nil {
				return nil, err
			}
		}
		removeTree(j.Previous + ".old")
		os.Remove(in.previousReceiptPath(product) + ".old")
		os.Remove(in.pendingPath(product))
	case opRepair:
		if err := removeTree(j.Previous); err != nil {
			return nil, err
		}
		if err := removeIfNoFiles(j.Staging); err != nil {
			return nil, err
		}
	case opRollback:
		if err := removeIfNoFiles(j.Staging); err != nil {
			return nil, err
		}
		if exists(j.Previous) && !exists(j.Staging) {
			if err := os.Rename(j.Previous, j.Staging); err != nil {
				return nil, err
			}
		}
	}
	if err := os.Remove(in.journalPath(product)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return userFiles(users), nil
}

// moveFiles moves the files and links rec lists from one tree to the same
// place in another, where they are in the first and not in the second.
func moveFiles(rec *Receipt, from, to string) error {
	if rec == nil {
		return nil
	}
	for f, err := range rec.Files() {
		if err != nil {
			return err
		}
		src := filepath.Join(from, filepath.FromSlash(f.Path))
		dst := filepath.Join(to, filepath.FromSlash(f.Path))
		if !exists(src) || exists(dst) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Rename(src, dst); err != nil {
			return err
		}
	}
	return nil
}

// merge moves what from holds into to: entries to lacks move whole,
// folders both have are entered. Anything else is in the way (the checks
// before a commit refuse that).
func merge(from, to, rel string) error {
	es, err := os.ReadDir(filepath.Join(from, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	for _, e := range es {
		p := path.Join(rel, e.Name())
		src := filepath.Join(from, filepath.FromSlash(p))
		dst := filepath.Join(to, filepath.FromSlash(p))
		st, err := os.Lstat(dst)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Rename(src, dst); err != nil {
				return err
			}
		case err != nil:
			return err
		case e.IsDir() && st.IsDir():
			if err := merge(from, to, p); err != nil {
				return err
			}
		default:
			return &ConflictError{Target: to, Paths: []string{p}}
		}
	}
	return nil
}

// removeEmptyDirs removes the folders of dirs under root that are empty,
// deepest first, except those in keep.
func removeEmptyDirs(root string, dirs map[string]bool, keep []string) {
	var list []string
	for d := range dirs {
		if !slices.Contains(keep, d) {
			list = append(list, d)
		}
	}
	slices.SortFunc(list, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, d := range list {
		os.Remove(filepath.Join(root, filepath.FromSlash(d)))
	}
}

// diskDirModes records the folders' modes as they are on disk: a folder
// the user had keeps its own. A folder of the archive opened for the
// commit (openDirs) keeps the archive's.
func diskDirModes(root string, dirs []FileRecord) []FileRecord {
	out := slices.Clone(dirs)
	for i, d := range out {
		if st, err := os.Lstat(filepath.Join(root, filepath.FromSlash(d.Path))); err == nil && st.IsDir() {
			disk := uint32(st.Mode() & (fs.ModeDir | fs.ModePerm))
			if restrictive(d.Mode) && disk == d.Mode|0o700 {
				continue
			}
			out[i].Mode = disk
		}
	}
	return out
}

// ownership says which paths of a tree Onramp installed, by a receipt.
type ownership struct {
	files map[string]bool // files and links
	dirs  map[string]bool // folders holding them, and the archive's folders
}

func owned(rec *Receipt) (ownership, error) { return ownedBy(rec, true) }

// ownedDirs is owned's dirs alone: it holds a folder per folder, not a
// name per file.
func ownedDirs(rec *Receipt) (map[string]bool, error) {
	o, err := ownedBy(rec, false)
	return o.dirs, err
}

// ownedBy reads rec's files once; with files set it keeps their names too.
func ownedBy(rec *Receipt, files bool) (ownership, error) {
	o := ownership{dirs: map[string]bool{}}
	if files {
		o.files = map[string]bool{}
	}
	if rec == nil {
		return o, nil
	}
	for f, err := range rec.Files() {
		if err != nil {
			return ownership{}, err
		}
		if files {
			o.files[f.Path] = true
		}
		addParents(o.dirs, f.Path)
	}
	for _, d := range rec.Dirs {
		o.dirs[d.Path] = true
		addParents(o.dirs, d.Path)
	}
	return o, nil
}

func addParents(dirs map[string]bool, p string) {
	for d := path.Dir(p); d != "." && d != "/" && !dirs[d]; d = path.Dir(d) {
		dirs[d] = true
	}
}

// userEntry is something in a tree that Onramp did not install.
type userEntry struct {
	Path string // relative, '/' separators
	Dir  bool
}

// userEntries lists what root holds that rec does not list: the user's
// files, links and folders (each folder, and what it holds). A missing
// root holds nothing.
func userEntries(root string, rec *Receipt) ([]userEntry, error) {
	o, err := owned(rec)
	if err != nil {
		return nil, err
	}
	var out []userEntry
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
			if d != nil && d.IsDir() && o.dirs[rel] && errors.Is(err, fs.ErrPermission) {
				// A folder of the archive whose mode keeps its owner from
				// listing it: nobody put a file of theirs there without
				// changing it (the commit opens it, and carries what it holds).
				return nil
			}
			return err
		}
		if p == root {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		if o.files[rel] || (d.IsDir() && o.dirs[rel]) {
			return nil
		}
		out = append(out, userEntry{Path: rel, Dir: d.IsDir()})
		return nil
	})
	return out, err
}

// userFiles keeps the files and links of entries, sorted.
func userFiles(es []userEntry) []string {
	out := []string{}
	for _, e := range es {
		if !e.Dir {
			out = append(out, e.Path)
		}
	}
	slices.Sort(out)
	return out
}

// ErrInTheWay is matched when something not installed by Onramp stands
// where a package puts one of its own files.
var ErrInTheWay = errors.New("in the way")

// ConflictError lists the user's files or folders at the paths where the
// new version puts its own; nothing was changed.
type ConflictError struct {
	Target string
	Paths  []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s holds files that Onramp did not install where the new version puts its own: %s; move or rename them, then try again",
		e.Target, strings.Join(e.Paths, ", "))
}

func (e *ConflictError) Is(target error) bool { return target == ErrInTheWay }

// conflicts lists the user's entries the new tree (its files and links,
// and its folders) would replace: a user's file where the new tree has
// anything, or a user's folder where it has a file or link, or anything
// of the user's below one of its files or links.
func conflicts(users []userEntry, files, dirs map[string]bool) []string {
	var out []string
	for _, u := range users {
		bad := files[u.Path] || (!u.Dir && dirs[u.Path])
		for d := path.Dir(u.Path); !bad && d != "."; d = path.Dir(d) {
			bad = files[d]
		}
		if bad {
			out = append(out, u.Path)
		}
	}
	slices.Sort(out)
	return out
}

// carry moves what from holds that rec does not list into the same place
// under to, and returns the files moved. A folder of the user's moves
// whole; a folder of Onramp's is entered. Something in the way of a
// user's file (which the checks before a commit refuse) does not make it
// lost: it moves in beside, with ".onramp-user" added to its name.
func carry(from, to string, rec *Receipt) ([]string, error) {
	o, err := owned(rec)
	if err != nil {
		return nil, err
	}
	var kept []string
	var walk func(rel string) error
	walk = func(rel string) error {
		es, err := os.ReadDir(filepath.Join(from, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		for _, e := range es {
			p := path.Join(rel, e.Name())
			if o.files[p] {
				continue
			}
			src := filepath.Join(from, filepath.FromSlash(p))
			dst := filepath.Join(to, filepath.FromSlash(p))
			st, err := os.Lstat(dst)
			free := errors.Is(err, fs.ErrNotExist)
			if err != nil && !free {
				return err
			}
			switch {
			case e.IsDir() && (o.dirs[p] || (!free && st.IsDir())):
				if err := walk(p); err != nil {
					return err
				}
				continue
			case !free:
				dst = freeName(dst + ".onramp-user")
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.Rename(src, dst); err != nil {
				return err
			}
			rdst := filepath.ToSlash(strings.TrimPrefix(dst, to+string(filepath.Separator)))
			if !e.IsDir() {
				kept = append(kept, rdst)
				continue
			}
			filepath.WalkDir(dst, func(q string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					kept = append(kept, filepath.ToSlash(strings.TrimPrefix(q, to+string(filepath.Separator))))
				}
				return nil
			})
		}
		return nil
	}
	if err := walk("."); err != nil {
		return nil, err
	}
	slices.Sort(kept)
	return kept, nil
}

// freeName returns p, or p with a number added, whichever does not exist.
func freeName(p string) string {
	for i := 2; exists(p); i++ {
		p = strings.TrimSuffix(p, "-"+strconv.Itoa(i-1)) + "-" + strconv.Itoa(i)
	}
	return p
}

// removeIfNoFiles removes dir if it holds only folders.
func removeIfNoFiles(dir string) error {
	files := false
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = true
			return fs.SkipAll
		}
		return nil
	})
	if files {
		return nil
	}
	return removeTree(dir)
}

// stagingPrefix names the staging folders of a product; MkdirTemp adds digits.
func stagingPrefix(product string) string { return ".onramp-staging-" + product + "-" }

// spillPath is where staging lists the files it writes, until the
// receipt holds them.
func (in *Installer) spillPath(product string) string {
	return filepath.Join(in.opt.StateDir, product+".staged-files.json")
}

func (in *Installer) stagingNote(product string) string {
	return filepath.Join(in.opt.StateDir, product+".staging")
}

// settle brings a product to a finished state before anything reads or
// changes it: an interrupted commit is finished or undone, and staging
// folders left by a killed process are removed. It runs under the
// product's lock, so no living process is staging this product.
func (in *Installer) settle(product string, targets ...string) error {
	_, err := in.settleRemoved(product, targets...)
	return err
}

// settleRemoved is settle, returning the staging folders it removed.
func (in *Installer) settleRemoved(product string, targets ...string) (removed []string, err error) {
	if err := in.recover(product); err != nil {
		return nil, err
	}
	parents := map[string]bool{}
	for _, t := range targets {
		parents[filepath.Dir(t)] = true
	}
	if r, err := in.receipt(product); err == nil && !r.Native() {
		parents[filepath.Dir(r.Target)] = true
	}
	note, _ := os.ReadFile(in.stagingNote(product))
	for _, p := range strings.Split(string(note), "\n") {
		if p != "" {
			parents[p] = true
		}
	}
	for dir := range parents {
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			rest, ok := strings.CutPrefix(e.Name(), stagingPrefix(product))
			if ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
				p := filepath.Join(dir, e.Name())
				if err := removeTree(p); err != nil {
					return removed, fmt.Errorf("removing an interrupted install's staging folder: %w", err)
				}
				removed = append(removed, p)
			}
		}
	}
	if err := os.Remove(in.spillPath(product)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return removed, err
	}
	if err := os.Remove(in.stagingNote(product)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return removed, err
	}
	return removed, nil
}

// settledRemoved runs settle for a reader (verify, plan, receipts): with
// the lock when it is free; when an install holds it, a journal means the
// product is changing now. It returns the staging folders it removed.
func (in *Installer) settledRemoved(product string) ([]string, error) {
	if !exists(in.journalPath(product)) && !exists(in.stagingNote(product)) {
		return nil, nil // nothing to finish: no need to hold up an install
	}
	unlock, err := in.lock(product)
	if errors.Is(err, ErrLocked) {
		if exists(in.journalPath(product)) {
			return nil, err
		}
		return nil, nil
	}
	if err != nil {
		// A state folder this user cannot write (a machine-wide one):
		// read what is there.
		return nil, nil
	}
	defer unlock()
	return in.settleRemoved(product)
}

// NotInstalledError: nothing of product is installed, and what an
// interrupted first install left (its staging folders, Removed) was
// removed on the way. errors.Is(err, ErrNotInstalled) holds.
type NotInstalledError struct {
	Product string
	Removed []string
}

func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("%s: not installed; an interrupted install had left its unfinished files in %s: removed", e.Product, strings.Join(e.Removed, ", "))
}

// Is lets errors.Is match ErrNotInstalled.
func (e *NotInstalledError) Is(target error) bool { return target == ErrNotInstalled }

// notInstalled is err, or a NotInstalledError naming removed when err
// says the product is not installed and staging folders were removed.
func notInstalled(product string, removed []string, err error) error {
	if len(removed) > 0 && errors.Is(err, ErrNotInstalled) {
		return &NotInstalledError{Product: product, Removed: removed}
	}
	return err
}

// removeAll is os.RemoveAll, finished entry by entry, deepest first, when
// it fails on Windows: Go's asks for a file disposition that Wine's ntdll
// lacks ("Invalid function"), where deleting one file or folder at a
// time works.
func removeAll(p string) error {
	err := os.RemoveAll(p)
	if err == nil || !onWindows {
		return err
	}
	var paths []string
	if werr := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, q)
		return nil
	}); werr != nil {
		if errors.Is(werr, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for i := len(paths) - 1; i >= 0; i-- {
		if rerr := os.Remove(paths[i]); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
