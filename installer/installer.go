// Package installer owns installs: a plan shown before anything changes,
// extraction into a staging folder on the target's volume, an atomic swap
// into place, and a receipt (files with sizes, modes and SHA-256) that
// makes uninstall, verify, repair and rollback possible (lifecycle.go). A
// failure at any point, a killed process included, leaves the previous
// state: an interrupted swap is finished or undone from its journal on
// the next run (commit.go).
//
// Receipts are kept per scope, the user's or the machine's
// (receiptStore, scope.go): every entry point finds the store that holds
// the product, takes its lock and settles what an interrupted change
// left, then reads the receipt.
//
// Archives (zip, tar.gz) are read, and their content judged, by
// installer/archive: every path confined to the target, names the target
// can hold. They are unpacked here with the archive's modes and
// modification times. Native packages (msi, pkg, dmg) are run by the
// OS's installer (installer/native) under the product's lock, with a
// receipt naming them (nativeinstall.go). Deployment folders, which
// install several products on many seats, are installer/deploy's.
// installer never downloads: callers hand it verified files.
//
// Callers: setup (install, uninstall, verify, repair, rollback, deploy);
// the cli and the ui read its types and errors.
package installer

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer/archive"
)

// Package is a verified file to install.
type Package struct {
	Path    string
	SHA256  string
	Format  catalog.Format
	Product string
	Version string
	Recipe  catalog.Recipe
	// Name and Publisher are the catalog's, for the product's entry in
	// Windows' installed programs ("" for the product ID, and none).
	Name      string
	Publisher string
	// Platform the package is built for ("" for this machine's): names
	// its OS cannot hold are refused before anything is written.
	Platform catalog.Platform
	// ZipCodePage names the code page of a zip's names written without
	// the UTF-8 flag ("": Options.ZipCodePage, else the rule of zipNames).
	ZipCodePage string
}

// Options configure an Installer.
type Options struct {
	// StateDir holds receipts, journals and locks (default: the user's
	// config folder, Onramp/installs).
	StateDir string
	// Workers create an archive's files in parallel (default: twice the
	// number of CPUs) once it has more than poolAfter of them; a smaller
	// one gets one goroutine (a tar.gz, its reading ahead on another) or,
	// a zip of more than smallZip entries, two.
	Workers int
	// Progress receives throttled progress events; nil for none.
	Progress func(Progress)
	// MachineStateDir holds machine-wide receipts (default:
	// MachineStateDir(); StateDir/machine when StateDir is given, so that
	// an installer moved elsewhere keeps all its state there).
	MachineStateDir string
	// Scope chooses whose receipts an install keeps (see ScopeAuto).
	// Lookups (Receipt, Verify, Repair, Rollback, Uninstall, Receipts)
	// consult the per-user receipts, then the machine-wide ones.
	Scope Scope
	// AllowNonEmptyTarget lets Install put a product into a folder that
	// holds files but no install of it. Those files stay where they are,
	// through upgrades, repairs and uninstall: they are not Onramp's.
	AllowNonEmptyTarget bool
	// ZipCodePage is the code page of zip names written without the UTF-8
	// flag, for packages that name none ("": UTF-8 when the bytes are
	// UTF-8, else CP437, as unzip reads them). The receipt keeps it, so a
	// repair reads the names alike.
	ZipCodePage string
	// NativeLogDir receives the OS installers' logs (msiexec's), one per
	// product and version ("" for the state folder's logs).
	NativeLogDir string
	// Assistant is the assistant program that the uninstall commands of
	// Windows' entries run (default: this program when it is
	// assistant.exe, else the assistant.exe beside it).
	Assistant string
}

// Progress is one report about an install.
type Progress struct {
	Step  string `json:"step"` // plan, stage, commit, done
	Files int    `json:"files"`
	Total int    `json:"total"`
	Bytes int64  `json:"bytes"`
	Plan  *Plan  `json:"plan,omitempty"` // with step "plan"
}

// Installer installs packages for one user or machine.
type Installer struct {
	opt        Options
	machineDir string
	scoped     bool // works on one state folder only
	// failAt, set by tests only, fails (or ends the process) at a step of a commit.
	failAt func(step string) error
	// fakeNative, set by tests only, runs instead of the OS's installers.
	fakeNative *nativeRunner
	// entries is where Windows lists installed programs; nil where the
	// OS has no such list (tests set one of their own).
	entries entryStore
}

// New makes an Installer.
func New(opt Options) (*Installer, error) {
	machineDir := opt.MachineStateDir
	switch {
	case machineDir != "":
	case opt.StateDir != "":
		machineDir = filepath.Join(opt.StateDir, "machine")
	default:
		machineDir = MachineStateDir()
	}
	if opt.Scope != ScopeAuto && opt.Scope != ScopeUser && opt.Scope != ScopeMachine {
		return nil, fmt.Errorf("installer scope %q: want %q or %q", opt.Scope, ScopeUser, ScopeMachine)
	}
	if err := archive.CheckZipCodePage(opt.ZipCodePage); err != nil {
		return nil, err
	}
	if opt.StateDir == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil, fmt.Errorf("installer state folder: %w", err)
		}
		opt.StateDir = filepath.Join(dir, "Onramp", "installs")
	}
	if opt.Workers <= 0 {
		// Two per CPU: creating a file waits in the kernel (for the
		// folder's lock, for the disk), and another worker uses the core
		// meanwhile. 100,000 files on 2 cores: 1 worker 4.2 s, 2 workers
		// 2.8–3.4 s, 4 workers 2.2–2.9 s, 8 workers 2.8–3.1 s.
		opt.Workers = min(2*runtime.NumCPU(), 32)
	}
	if err := os.MkdirAll(opt.StateDir, 0o755); err != nil {
		return nil, fmt.Errorf("installer state folder: %w", err)
	}
	return &Installer{opt: opt, machineDir: machineDir, entries: defaultEntries()}, nil
}

// Plan is what an install will do, shown before anything changes.
type Plan struct {
	Product        string `json:"product"`
	Version        string `json:"version"`
	Target         string `json:"target"`
	Files          int    `json:"files"`
	Bytes          int64  `json:"bytes"`
	Replaces       string `json:"replaces,omitempty"` // the version installed now, kept for rollback
	NeedsElevation bool   `json:"needs_elevation"`
	MayReboot      bool   `json:"may_reboot"`
	Native         bool   `json:"native"` // run by the OS's installer
	FreeSpace      uint64 `json:"free_space"`
	// DiskBytes is the space the files take on the target's volume:
	// each rounded up to its blocks, each folder a block. Entries is
	// the files, folders and links it makes (each takes an inode).
	DiskBytes int64 `json:"disk_bytes"`
	Entries   int64 `json:"entries"`
	// FreeEntries is how many more files and folders the volume can
	// hold; 0 when it has no such limit or cannot tell.
	FreeEntries uint64 `json:"free_entries,omitempty"`

	vol     volume  // the target's volume before staging
	use     diskUse // what the files take there, once scanned
	planned bool    // made by PlanInstall: vol and use are set
}

// SpaceProblem is the SpaceError an install of this plan would meet
// (too few bytes, or file entries, free on the target's volume), or nil.
func (p *Plan) SpaceProblem() error {
	if p.Native {
		return nil
	}
	if !p.planned {
		// A plan not made by PlanInstall (read back from its JSON, or
		// built by a caller): its own figures are all there is.
		need := uint64(max(p.DiskBytes, p.Bytes, 0))
		if need > p.FreeSpace {
			return &SpaceError{Target: p.Target, Need: need, Free: p.FreeSpace}
		}
		return nil
	}
	return checkSpace(p.Target, p.vol, p.use)
}

// Errors callers branch on.
var (
	ErrLocked        = errors.New("another install of this product is running")
	ErrNotInstalled  = errors.New("not installed")
	ErrNoPrevious    = errors.New("no previous version kept to roll back to")
	ErrNeedsElevated = errors.New("needs administrator rights")
	ErrPackageHash   = errors.New("package does not match its checksum")
	// ErrTargetNotEmpty: the target holds files but no install of the
	// product; Options.AllowNonEmptyTarget installs there anyway.
	ErrTargetNotEmpty = errors.New("target folder is not empty")
)

// TargetNotEmptyError: the target holds files Onramp did not install.
type TargetNotEmptyError struct {
	Target  string
	Product string
	Files   int // files and folders found there
}

func (e *TargetNotEmptyError) Error() string {
	return fmt.Sprintf("%s already holds %d files or folders and no install of %s: choose an empty or new folder, or allow installing beside them (they would be left in place)",
		e.Target, e.Files, e.Product)
}

func (e *TargetNotEmptyError) Is(target error) bool { return target == ErrTargetNotEmpty }

// ElevationError says how to get the rights an install needs.
type ElevationError struct {
	Target string
	// Product is set when the change is to a machine-wide install of it
	// (its receipts are the machine's), rather than an install to Target.
	Product string
}

func (e *ElevationError) Error() string {
	how := "run it with sudo"
	if runtime.GOOS == "windows" {
		how = "run it from a command prompt started with \"Run as administrator\""
	}
	if e.Product != "" {
		return fmt.Sprintf("%s is installed for the whole machine (receipts in %s): changing it needs administrator rights: %s", e.Product, e.Target, how)
	}
	return fmt.Sprintf("installing to %s needs administrator rights: %s, or choose a folder of your own with --target", e.Target, how)
}

func (e *ElevationError) Is(target error) bool { return target == ErrNeedsElevated }

// ErrReadOnly: the target is on a read-only file system.
var ErrReadOnly = errors.New("read-only file system")

// ReadOnlyError: the folder that would hold the target is on a file
// system mounted read-only; administrator rights do not change that.
type ReadOnlyError struct {
	Path, Target string
	Err          error
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("cannot install to %s: %s is on a read-only file system; choose a folder on a writable disk with --target", e.Target, e.Path)
}

func (e *ReadOnlyError) Is(target error) bool { return target == ErrReadOnly }
func (e *ReadOnlyError) Unwrap() error        { return e.Err }

// FileInTheWayError: a file stands where the target, or a folder above
// it, must be.
type FileInTheWayError struct {
	Path, Target string
	Err          error
}

func (e *FileInTheWayError) Error() string {
	return fmt.Sprintf("cannot install to %s: %s is a file, not a folder; move it or choose another folder with --target", e.Target, e.Path)
}

func (e *FileInTheWayError) Is(target error) bool { return target == ErrInTheWay }
func (e *FileInTheWayError) Unwrap() error        { return e.Err }

func checkPackage(pkg Package, target string) error {
	if !catalog.IsProductID(pkg.Product) {
		return fmt.Errorf("product id %q: want lowercase letters, digits and '-'", pkg.Product)
	}
	if target == "" || !filepath.IsAbs(target) {
		return fmt.Errorf("target %q: want an absolute folder", target)
	}
	return nil
}

// PlanInstall reads the package (without writing anything) and the target.
func (in *Installer) PlanInstall(ctx context.Context, pkg Package, target string) (*Plan, error) {
	if err := checkPackage(pkg, target); err != nil {
		return nil, err
	}
	target, err := resolveTarget(target)
	if err != nil {
		return nil, err
	}
	s, err := in.storeFor(pkg.Product, target)
	if err != nil {
		return nil, err
	}
	if err := s.settleForReading(); err != nil {
		return nil, err
	}
	pl, err := s.planInstall(ctx, pkg, target, true)
	if err != nil {
		return nil, err
	}
	return pl.plan, nil
}

// planned is what planInstall found.
type planned struct {
	plan  *Plan
	old   *Receipt    // the product's receipt when it is installed in target
	users []userEntry // what target holds that old does not list
}

// planInstall checks the package and the target; with scan it also reads
// the archive for the plan's counts (planned.scan), which Install may
// instead run beside the staging.
func (in *Installer) planInstall(ctx context.Context, pkg Package, target string, scan bool) (*planned, error) {
	if err := checkPackage(pkg, target); err != nil {
		return nil, err
	}
	pkg.ZipCodePage = cmp.Or(pkg.ZipCodePage, in.opt.ZipCodePage)
	p := &Plan{Product: pkg.Product, Version: pkg.Version, Target: target, MayReboot: len(pkg.Recipe.RebootCodes) > 0}
	if r, err := in.receipt(pkg.Product); err == nil {
		p.Replaces = r.Version
	}
	switch err := checkWritable(target); {
	case errors.Is(err, ErrNeedsElevated):
		p.NeedsElevation = true
	case err != nil:
		return nil, err // elevating would not help: say what is wrong
	}
	// Only verified bytes are read: a plan describes what will be installed.
	if err := VerifyPackage(pkg); err != nil {
		return nil, err
	}
	if !pkg.Format.IsArchive() {
		p.Native = true
		return &planned{plan: p}, nil
	}
	// What the target holds that no receipt of this product lists is the
	// user's: it must not be in the way, and a folder full of it is taken
	// only when the caller says so.
	old, _ := in.receipt(pkg.Product)
	if old != nil && old.Target != target {
		old = nil
	}
	users, err := userEntries(target, old)
	if err != nil {
		return nil, fmt.Errorf("reading the target folder: %w", err)
	}
	if old == nil && len(users) > 0 && !in.opt.AllowNonEmptyTarget {
		return nil, &TargetNotEmptyError{Target: target, Product: pkg.Product, Files: len(users)}
	}
	pl := &planned{plan: p, old: old, users: users}
	// Measured before staging takes any: the staged copy and the one in
	// place coexist until the swap.
	p.vol = volumeOf(existingParent(target))
	p.FreeSpace = p.vol.Free
	if p.vol.InodesKnown {
		p.FreeEntries = p.vol.FreeInodes
	}
	if !scan {
		return pl, nil
	}
	if err := pl.scan(ctx, pkg); err != nil {
		return nil, err
	}
	return pl, nil
}

// scan reads the archive for the plan: how many files and bytes, and
// which of them the user's files in the target are in the way of.
func (pl *planned) scan(ctx context.Context, pkg Package) error {
	a, err := archive.Open(pkg.Path, pkg.Format, archive.RulesFor(pkg.Platform), pkg.ZipCodePage)
	if err != nil {
		return err
	}
	defer a.Close()
	c := newPlanCount(pl.plan.vol.Block, len(pl.users) > 0)
	err = a.Scan(func(e archive.Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.add(e)
		return nil
	})
	if err != nil {
		return err
	}
	return c.settle(pl)
}

// planCount counts an archive's entries for the plan as they pass, not
// kept: memory does not grow with their number. Folders are counted once
// each, named or implied by a file's path: their names are kept (far
// fewer than the files). Only a target holding files of the user's needs
// the names (names set), to find those in the way.
type planCount struct {
	files       int
	bytes       int64
	use         diskUse
	folders     map[string]bool
	names, dirs map[string]bool
}

func newPlanCount(block uint64, names bool) *planCount {
	c := &planCount{use: diskUse{block: block}, folders: map[string]bool{}}
	c.use.dir() // the staging folder
	if names {
		c.names, c.dirs = map[string]bool{}, map[string]bool{}
	}
	return c
}

func (c *planCount) folder(name string) {
	for d := name; d != "." && d != "/" && !c.folders[d]; d = path.Dir(d) {
		c.folders[d] = true
		c.use.dir()
	}
}

func (c *planCount) add(e archive.Entry) {
	switch e.Kind {
	case archive.File, archive.Hardlink:
		c.files++
		c.bytes += e.Size
		c.use.file(e.Size) // a hard link may be staged as a copy
		c.folder(path.Dir(e.Name))
	case archive.Dir:
		c.folder(path.Clean(e.Name))
	default:
		c.use.link()
		c.folder(path.Dir(e.Name))
	}
	if c.names == nil {
		return
	}
	if e.Kind == archive.Dir {
		c.dirs[e.Name] = true
	} else {
		c.names[e.Name] = true
	}
	for d := path.Dir(e.Name); d != "."; d = path.Dir(d) {
		c.dirs[d] = true
	}
}

// settle gives the plan the counts of the whole archive, and names the
// user's files in the way.
func (c *planCount) settle(pl *planned) error {
	p := pl.plan
	p.Files, p.Bytes = c.files, c.bytes
	p.DiskBytes, p.Entries, p.use, p.planned = int64(c.use.bytes), int64(c.use.inodes), c.use, true
	if cs := conflicts(pl.users, c.names, c.dirs); len(cs) > 0 {
		return &ConflictError{Target: p.Target, Paths: cs}
	}
	return nil
}

// checkWritable says whether this user can create files where target
// will be, and if not, why: rights (ElevationError), a read-only file
// system (ReadOnlyError), or a file where a folder must be
// (FileInTheWayError).
func checkWritable(target string) error {
	dir := existingParent(target)
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return &FileInTheWayError{Path: dir, Target: target}
	}
	f, err := os.CreateTemp(dir, ".onramp-write-test-*")
	if err == nil {
		f.Close()
		os.Remove(f.Name())
		return nil
	}
	return classifyWriteError(target, dir, err)
}

// classifyWriteError turns an error of creating something under dir into
// one that says what to do.
func classifyWriteError(target, dir string, err error) error {
	switch {
	case isReadOnlyFS(err):
		return &ReadOnlyError{Path: dir, Target: target, Err: err}
	case isNotDir(err):
		return &FileInTheWayError{Path: dir, Target: target, Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &ElevationError{Target: target}
	}
	return fmt.Errorf("cannot write in %s: %w", dir, err)
}

func existingParent(p string) string {
	for {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		p = parent
	}
}

// Install puts an archive package in place at target, atomically. A
// native package (msi, pkg, dmg) is run by the OS's installer, which
// chooses where its files go; target then only picks whose receipts keep
// it (see Scope).
func (in *Installer) Install(ctx context.Context, pkg Package, target string) (*Receipt, error) {
	if err := checkPackage(pkg, target); err != nil {
		return nil, err
	}
	if !pkg.Format.IsArchive() {
		return in.installNative(ctx, pkg, target)
	}
	target, err := resolveTarget(target)
	if err != nil {
		return nil, err
	}
	s, err := in.storeFor(pkg.Product, target)
	if err != nil {
		return nil, err
	}
	// Repair reads the package again, maybe from another folder.
	abs, err := filepath.Abs(pkg.Path)
	if err != nil {
		return nil, err
	}
	pkg.Path = abs
	pkg.ZipCodePage = cmp.Or(pkg.ZipCodePage, in.opt.ZipCodePage)
	if err := s.hold(target); err != nil {
		return nil, err
	}
	defer s.release()
	return s.install(ctx, pkg, target)
}

// install is Install of an archive in the store that keeps its receipt,
// held.
func (in *Installer) install(ctx context.Context, pkg Package, target string) (*Receipt, error) {
	pl, err := in.planInstall(ctx, pkg, target, false) // verifies the package, checks the target
	if err != nil {
		return nil, err
	}
	plan, old, users := pl.plan, pl.old, pl.users
	if plan.NeedsElevation {
		return nil, &ElevationError{Target: target}
	}
	// The plan's pass over the archive runs beside the staging instead of
	// before it (a tar.gz is inflated and parsed whole for its counts).
	g := in.planBeside(ctx, pl, pkg)
	staging, st, err := in.stage(ctx, pkg, target, 0, g)
	// The plan's refusal comes first (the staging stopped for it, or would
	// have: a disk that filled is named as too little space); the
	// staging's own error otherwise. The plan is not cut short for that
	// error, only by ctx: it reads the archive faster than staging writes.
	if perr := g.wait(); perr != nil && (err == nil || !errors.Is(perr, context.Canceled)) {
		if err == nil {
			st.done()
			removeTree(staging)
		}
		os.Remove(in.stagingNote(pkg.Product)) // refused: nothing is staging
		return nil, perr
	}
	if err != nil {
		return nil, stagingError(target, pl.plan.DiskBytes, err)
	}
	g.announce()
	rec := &Receipt{ID: newID(), Product: pkg.Product, Version: pkg.Version, Target: target, Package: pkg.Path, PackageSHA256: pkg.SHA256,
		Format: pkg.Format, ZipCodePage: pkg.ZipCodePage, Launch: pkg.Recipe.Launch, Installed: time.Now().UTC().Truncate(time.Second), Dirs: st.dirs,
		Adopted: (old == nil && len(users) > 0) || (old != nil && old.Adopted), Scope: ScopeUser, Name: pkg.Name, Publisher: pkg.Publisher}
	st.receiptFiles(rec)
	defer st.done()
	if in.scoped {
		rec.Scope = ScopeMachine
	}
	if err := in.planEntry(rec); err != nil {
		removeTree(staging)
		os.Remove(in.stagingNote(pkg.Product)) // refused: nothing is staging
		return nil, err
	}
	j := &journal{Op: opInstall, Target: target, Staging: staging, Previous: previousDir(target, pkg.Product), HadOld: exists(target), NewID: rec.ID,
		InPlace: rec.Adopted, Shortcut: rec.Shortcut}
	if old != nil {
		j.KnownID = old.ID
	}
	kept, err := in.commit(pkg.Product, j, rec, rec)
	if err != nil {
		removeTree(staging)
		return nil, err
	}
	if err := listIn(rec, in.receiptPath(pkg.Product)); err != nil {
		return nil, fmt.Errorf("%s is installed, but reading its receipt back failed: %w", pkg.Product, err)
	}
	rec.Kept = kept
	os.Remove(in.stagingNote(pkg.Product))
	in.report(Progress{Step: "done", Files: plan.Files, Total: plan.Files, Bytes: plan.Bytes})
	return rec, nil
}

// resolveTarget follows a target that is a link (a user's ~/apps/atlas ->
// /data/atlas) to the folder it names: the swap moves folders, and must
// not replace the user's link with one.
func resolveTarget(target string) (string, error) {
	st, err := os.Lstat(target)
	if err != nil || st.Mode()&fs.ModeSymlink == 0 {
		return target, nil
	}
	real, err := filepath.EvalSymlinks(target)
	if err != nil {
		return "", fmt.Errorf("target %s is a link: %w", target, err)
	}
	return real, nil
}

// VerifyPackage re-hashes the package: installs start from bytes that
// match the catalog, whoever fetched them.
func VerifyPackage(pkg Package) error {
	if pkg.SHA256 == "" {
		return fmt.Errorf("%s: no checksum given", pkg.Path)
	}
	f, err := os.Open(pkg.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("%s: %w", pkg.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, pkg.SHA256) {
		return fmt.Errorf("%s: %w: want sha256 %s, got %s", pkg.Path, ErrPackageHash, strings.ToLower(pkg.SHA256), got)
	}
	return nil
}

// staged is what stage wrote, for the receipt: the list of its files is
// in a file (spill) until the receipt is written.
type staged struct {
	files fileList
	count int
	dirs  []FileRecord
	spill *fileSpill
}

// receiptFiles gives rec the staged files.
func (st staged) receiptFiles(rec *Receipt) {
	rec.files, rec.FileCount = st.files, st.count
}

// done removes the list of the staged files: the receipt holds it, or
// the staging failed.
func (st staged) done() {
	if st.spill != nil {
		st.spill.remove()
	}
}

// stage unpacks the archive into a new folder beside target (so the final
// rename stays on one volume), hashing every file as it is written.
// With gate set, the plan is not known yet: the stager keeps within the
// gate's budget and reports once the plan has been announced.
func (in *Installer) stage(ctx context.Context, pkg Package, target string, total int, gate *planGate) (string, staged, error) {
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", staged{}, classifyWriteError(target, parent, err)
	}
	// Noted first, so that a process killed while staging leaves a folder
	// the next command finds.
	if err := os.WriteFile(in.stagingNote(pkg.Product), []byte(parent+"\n"), 0o644); err != nil {
		return "", staged{}, fmt.Errorf("installer state folder: %w", err)
	}
	staging, err := os.MkdirTemp(parent, stagingPrefix(pkg.Product))
	if err != nil {
		return "", staged{}, classifyWriteError(target, parent, err)
	}
	if err := os.Chmod(staging, 0o755); err != nil { // MkdirTemp makes it 0700
		removeTree(staging)
		return "", staged{}, err
	}
	a, err := archive.Open(pkg.Path, pkg.Format, archive.RulesFor(pkg.Platform), pkg.ZipCodePage)
	if err != nil {
		removeTree(staging)
		return "", staged{}, err
	}
	defer a.Close()
	// The records go to a file as they are made: memory does not grow
	// with the number of files.
	spill, err := createSpill(in.spillPath(pkg.Product))
	if err != nil {
		removeTree(staging)
		return "", staged{}, fmt.Errorf("installer state folder: %w", err)
	}
	w := &stager{root: staging, ctx: ctx, in: in, total: total, gate: gate, dirs: map[string]dirMeta{}, spill: spill, umask: processUmask()}
	var watch *archive.Watch
	if gate != nil {
		// The plan is counted from this pass over the archive (a zip's
		// entries are read from its index at once, a tar's as they pass).
		watch = &archive.Watch{Seen: gate.seen, Walked: gate.walked}
	}
	err = a.Extract(w.write, archive.Pool{Workers: in.opt.Workers, After: poolAfter, SmallZip: smallZip}, watch)
	if err == nil {
		// Cancelled while the last files were written: stop before the commit.
		err = ctx.Err()
	}
	if err == nil && gate != nil {
		gate.walked() // every entry passed the archive's checks (the Watch said so already)
		if gate.announce() {
			// The staging's count once the plan is out: a plan decided
			// only now had every stage event before it held back.
			in.report(Progress{Step: "stage", Files: w.n, Total: gate.plan.Files, Bytes: w.bytes})
		}
	}
	var dirs []FileRecord
	if err == nil {
		dirs, err = w.setDirModes()
	}
	var list fileList
	if err == nil {
		list, err = spill.close()
	}
	if err == nil {
		err = in.at("staged")
	}
	if err != nil {
		spill.remove()
		removeTree(staging)
		return "", staged{}, err
	}
	return staging, staged{files: list, count: w.n, dirs: dirs, spill: spill}, nil
}

// stager writes entries under root.
type stager struct {
	root  string
	ctx   context.Context
	in    *Installer
	total int
	gate  *planGate // nil when the plan is known
	umask int       // the process's, for createWhole; -1 when unknown

	mu    sync.Mutex
	spill *fileSpill
	n     int                // files and links written
	dirs  map[string]dirMeta // the archive's folders
	bytes int64
	last  time.Time
	made  sync.Map // folders known to exist
}

// mkdirAll creates a file's folder once, however many files it holds.
func (s *stager) mkdirAll(dir string, mode fs.FileMode) error {
	if _, ok := s.made.Load(dir); ok {
		return nil
	}
	if err := os.MkdirAll(dir, mode); err != nil {
		return err
	}
	s.made.Store(dir, true)
	return nil
}

func (s *stager) write(e archive.Entry, r io.Reader) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	dst := filepath.Join(s.root, filepath.FromSlash(e.Name))
	switch e.Kind {
	case archive.Dir:
		if err := s.mkdirAll(dst, 0o755|e.Mode); err != nil {
			return err
		}
		s.mu.Lock()
		s.dirs[e.Name] = dirMeta{mode: e.Mode, modTime: e.ModTime}
		s.mu.Unlock()
		return nil
	case archive.Symlink:
		if err := s.mkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(filepath.FromSlash(e.Link), dst); err != nil {
			return err
		}
		s.add(FileRecord{Path: e.Name, Link: e.Link, Mode: uint32(fs.ModeSymlink | 0o777)}, 0)
		return nil
	case archive.Hardlink:
		return s.hardlink(e, dst)
	}
	if s.gate != nil {
		if err := s.gate.admit(s.ctx, e.Size); err != nil {
			return err
		}
	}
	if err := s.mkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if wholeFiles && !e.Sparse {
		if done, err := s.writeWhole(e, dst, r); done || err != nil {
			return err
		}
	}
	f, err := createNew(dst, e.Mode|0o200)
	if err != nil {
		return fmt.Errorf("staging %s: %w", e.Name, err)
	}
	var n int64
	var sum []byte
	var out io.Writer = f
	var holes *holeWriter
	if e.Sparse {
		holes = &holeWriter{f: f}
		out = holes
	}
	if body, ok := r.(*archive.Hashed); ok { // read and hashed ahead (tar.gz)
		if len(body.Data) > 0 {
			var w int
			w, err = out.Write(body.Data)
			n = int64(w)
		}
		sum = body.Sum[:]
	} else {
		h := sha256.New()
		buf := copyBuffers.Get().(*[]byte)
		n, err = io.CopyBuffer(io.MultiWriter(out, h), readerOnly{r}, *buf)
		copyBuffers.Put(buf)
		sum = h.Sum(nil)
	}
	if err == nil && holes != nil {
		err = f.Truncate(holes.off) // a hole at the end too
	}
	// The archive's bits exactly, as tar -xpf gives them: a chmod is not
	// cut by the umask. The receipt records what is on disk. Through the
	// handle: a path lookup per call costs on trees of 100,000 files.
	var st fs.FileInfo
	if err == nil {
		st, err = f.Stat()
	}
	if err == nil && st.Mode().Perm() != e.Mode {
		if err = f.Chmod(e.Mode); err == nil {
			st, err = f.Stat()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && !e.ModTime.IsZero() {
		err = os.Chtimes(dst, time.Time{}, e.ModTime) // once closed: no write comes after
	}
	if err != nil {
		return fmt.Errorf("staging %s: %w", e.Name, err)
	}
	s.add(FileRecord{Path: e.Name, Size: n, Mode: uint32(st.Mode().Perm()), SHA256: hex.EncodeToString(sum)}, n)
	return nil
}

// poolAfter is how many files an archive's extraction creates in order
// on one goroutine before it starts its workers: a small archive is done
// before they would have paid for their start and their hand-offs (one
// writer beat four on 2,000 files), a large one gains from them (100,000
// files on 2 cores: 1 writer 4.2 s, 4 writers 2.2–2.9 s). A variable for
// the tests.
var poolAfter = 4096

// smallZip is the most entries a zip has that is unpacked on one
// goroutine. A variable for the tests.
var smallZip = 64

// wholeBuffers hold a small zip entry's bytes while it is written.
var wholeBuffers = sync.Pool{New: func() any { b := make([]byte, archive.SmallFile); return &b }}

// copyBuffers are the buffers files are copied through: one per file
// would cost a 32 KiB allocation each (io.Copy's), 3 GiB of garbage for
// 100,000 files.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// readerOnly hides a reader's WriteTo, so io.CopyBuffer uses the buffer.
type readerOnly struct{ io.Reader }

// writeWhole writes a small file whose bytes are all in memory (read
// ahead and hashed from a tar.gz, or read here from a zip) with
// createWhole, the archive's mode exactly: done is false for a file it
// leaves to the general path (a large one).
func (s *stager) writeWhole(e archive.Entry, dst string, r io.Reader) (done bool, err error) {
	var data []byte
	var sum [sha256.Size]byte
	if body, ok := r.(*archive.Hashed); ok {
		data, sum = body.Data, body.Sum
	} else {
		if r == nil || e.Size > archive.SmallFile {
			return false, nil
		}
		buf := wholeBuffers.Get().(*[]byte)
		defer wholeBuffers.Put(buf)
		data = (*buf)[:e.Size]
		if _, err := io.ReadFull(r, data); err != nil {
			return true, fmt.Errorf("staging %s: %w", e.Name, err)
		}
		// The end of the entry: a byte more is a lie about its size, and
		// only there does a zip check its CRC.
		var one [1]byte
		if n, err := r.Read(one[:]); n > 0 || err != io.EOF {
			if err == nil || err == io.EOF {
				err = &archive.Error{Entry: e.Name, Reason: "holds more bytes than it declares"}
			}
			return true, fmt.Errorf("staging %s: %w", e.Name, err)
		}
		sum = sha256.Sum256(data)
	}
	if err := createWhole(dst, data, e.Mode, e.ModTime, s.umask); err != nil {
		return true, fmt.Errorf("staging %s: %w", e.Name, err)
	}
	n := int64(len(data))
	s.add(FileRecord{Path: e.Name, Size: n, Mode: uint32(e.Mode.Perm()), SHA256: hex.EncodeToString(sum[:])}, n)
	return true, nil
}

// dirMeta is what a folder of the archive gets once its content is written.
type dirMeta struct {
	mode    fs.FileMode
	modTime time.Time
}

// setDirModes gives the archive's folders their modes and times once
// their files are written, deepest first: a folder may forbid writing
// into it, and each entry made in a folder changes its time. The modes
// are the archive's exactly, as tar -xpf and unzip give them (0142 stays
// 0142); uninstall, repair and upgrades open such folders for their owner
// while they work in them (openDirs).
func (s *stager) setDirModes() ([]FileRecord, error) {
	names := slices.Collect(maps.Keys(s.dirs))
	slices.SortFunc(names, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	var out []FileRecord
	for _, name := range names {
		p := filepath.Join(s.root, filepath.FromSlash(name))
		d := s.dirs[name]
		if err := os.Chmod(p, d.mode); err != nil {
			return nil, fmt.Errorf("staging %s: %w", name, err)
		}
		if !d.modTime.IsZero() {
			if err := os.Chtimes(p, time.Time{}, d.modTime); err != nil {
				return nil, fmt.Errorf("staging %s: %w", name, err)
			}
		}
		st, err := os.Lstat(p)
		if err != nil {
			return nil, fmt.Errorf("staging %s: %w", name, err)
		}
		out = append(out, FileRecord{Path: name, Mode: uint32(st.Mode() & (fs.ModeDir | fs.ModePerm))})
	}
	slices.SortFunc(out, func(a, b FileRecord) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// holeWriter writes a sparse file's data, seeking over each block of
// zeros instead of writing it: the file keeps its holes on disk, as tar
// --sparse and bsdtar leave them.
type holeWriter struct {
	f   *os.File
	off int64
}

const holeBlock = 4096

var zeroBlock [holeBlock]byte

func (w *holeWriter) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		k := min(holeBlock-int(w.off%holeBlock), len(p)) // up to the next block's start
		if bytes.Equal(p[:k], zeroBlock[:k]) {
			w.off += int64(k)
			p = p[k:]
			continue
		}
		n := k // the run of blocks holding data, written at once
		for n < len(p) {
			m := min(holeBlock, len(p)-n)
			if bytes.Equal(p[n:n+m], zeroBlock[:m]) {
				break
			}
			n += m
		}
		if _, err := w.f.WriteAt(p[:n], w.off); err != nil {
			return total - len(p), err
		}
		w.off += int64(n)
		p = p[n:]
	}
	return total, nil
}

// hardlink gives an earlier file of the archive a second name: a hard
// link in staging (a copy where the file system has none). The receipt
// lists it as a file of its own.
func (s *stager) hardlink(e archive.Entry, dst string) error {
	if err := s.mkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	// The archive checked that e.Link is an earlier regular file; its
	// record is on disk, so it is read back from the staged file: hard
	// links are few, records many.
	src := filepath.Join(s.root, filepath.FromSlash(e.Link))
	orig, err := stagedRecord(src)
	if err != nil {
		return fmt.Errorf("staging %s: hard link to %s, which is not staged: %w", e.Name, e.Link, err)
	}
	if err := os.Link(src, dst); err != nil {
		if err := copyFile(src, dst, fs.FileMode(orig.Mode)); err != nil {
			return fmt.Errorf("staging %s: %w", e.Name, err)
		}
	}
	orig.Path = e.Name
	s.add(orig, 0)
	return nil
}

// stagedRecord makes the record of a regular file staged earlier.
func stagedRecord(p string) (FileRecord, error) {
	st, err := os.Stat(p)
	if err != nil {
		return FileRecord{}, err
	}
	if !st.Mode().IsRegular() {
		return FileRecord{}, fmt.Errorf("%s is not a file", p)
	}
	sum := fileHash(p)
	if sum == "" {
		return FileRecord{}, fmt.Errorf("%s cannot be read", p)
	}
	return FileRecord{Size: st.Size(), Mode: uint32(st.Mode().Perm()), SHA256: sum}, nil
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, mode)
}

func (s *stager) add(rec FileRecord, n int64) {
	var buf [256]byte
	b, err := rec.appendJSON(buf[:0]) // outside the lock: workers run beside each other
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil && s.spill.err == nil {
		s.spill.err = err
	}
	s.spill.add(b)
	s.n++
	s.bytes += n
	if now := time.Now(); now.Sub(s.last) >= 200*time.Millisecond {
		total := s.total
		if s.gate != nil {
			if !s.gate.announce() {
				return // the plan comes first
			}
			total = s.gate.plan.Files
		}
		s.last = now
		s.in.report(Progress{Step: "stage", Files: s.n, Total: total, Bytes: s.bytes})
	}
}

func (in *Installer) report(p Progress) {
	if in.opt.Progress != nil {
		in.opt.Progress(p)
	}
}
