package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"onramp.dev/onramp/catalog"
)

// Scope says whose receipts an install keeps: the user's, or the
// machine's (seen by every user and by a deployment run as root/SYSTEM).
type Scope string

const (
	// ScopeAuto: an upgrade stays where the product's receipt is; a new
	// install is machine-wide when its target is under the machine-wide
	// install folder (DefaultMachineTarget), or when the process runs
	// elevated (root, an elevated administrator) and the target is outside
	// the user's home; per-user otherwise.
	ScopeAuto    Scope = ""
	ScopeUser    Scope = "user"
	ScopeMachine Scope = "machine"
)

// MachineStateEnv overrides MachineStateDir (tests, portable setups).
const MachineStateEnv = "ONRAMP_MACHINE_STATE_DIR"

// MachineStateDir is where machine-wide receipts, journals and locks live:
// %ProgramData%\Onramp\installs on Windows, /Library/Application
// Support/Onramp/installs on macOS, /var/lib/onramp/installs elsewhere;
// $ONRAMP_MACHINE_STATE_DIR when set.
func MachineStateDir() string {
	if d := os.Getenv(MachineStateEnv); d != "" {
		return d
	}
	switch runtime.GOOS {
	case "windows":
		return filepath.Join(programData(), "Onramp", "installs")
	case "darwin":
		return "/Library/Application Support/Onramp/installs"
	}
	return "/var/lib/onramp/installs"
}

// MachineLogDirEnv overrides MachineLogDir (tests, and a machine that
// keeps its logs elsewhere).
const MachineLogDirEnv = "ONRAMP_LOG_DIR"

// MachineLogDir is where unattended runs (deployments, the OS installers
// they start) write their logs, for IT to find on any seat:
// %ProgramData%\Onramp\logs on Windows, /Library/Logs/Onramp on macOS,
// /var/log/onramp elsewhere; $ONRAMP_LOG_DIR when set.
func MachineLogDir() string {
	if d := os.Getenv(MachineLogDirEnv); d != "" {
		return d
	}
	switch runtime.GOOS {
	case "windows":
		return filepath.Join(programData(), "Onramp", "logs")
	case "darwin":
		return "/Library/Logs/Onramp"
	}
	return "/var/log/onramp"
}

// programData is Windows' folder for every account's application data.
func programData() string {
	if pd := os.Getenv("ProgramData"); pd != "" {
		return pd
	}
	return `C:\ProgramData`
}

// within reports whether p is root or inside it.
func within(p, root string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// defaultScope is ScopeAuto's choice for a new install.
func defaultScope(target string, elevated bool, machineRoot, home string) Scope {
	if within(target, machineRoot) {
		return ScopeMachine
	}
	if elevated && (home == "" || !within(target, home)) {
		return ScopeMachine
	}
	return ScopeUser
}

// machine returns the Installer working on machine-wide state, or nil
// when it is the same folder as the per-user one.
func (in *Installer) machine() *Installer {
	if in.scoped || in.machineDir == "" || in.machineDir == in.opt.StateDir {
		return nil
	}
	m := *in
	m.opt.StateDir, m.scoped = in.machineDir, true
	return &m
}

// storeOf returns the store whose state holds product: per-user first,
// then machine-wide; per-user when neither does.
func (in *Installer) storeOf(product string) *receiptStore {
	if m := in.machine(); m != nil && !in.holds(product) && m.holds(product) {
		return &receiptStore{Installer: m, product: product}
	}
	return &receiptStore{Installer: in, product: product}
}

func (in *Installer) holds(product string) bool {
	// An interrupted first install leaves only its staging note: the
	// store it was made in is the one that cleans up after it.
	return exists(in.receiptPath(product)) || exists(in.journalPath(product)) || exists(in.stagingNote(product))
}

// storeFor returns the store that keeps the receipt of an install of
// product into target.
func (in *Installer) storeFor(product, target string) (*receiptStore, error) {
	m := in.machine()
	if in.scoped || m == nil {
		return &receiptStore{Installer: in, product: product}, nil
	}
	scope := in.opt.Scope
	if scope == ScopeAuto {
		home, _ := os.UserHomeDir()
		scope = defaultScope(target, elevated(), DefaultMachineTarget(runtime.GOOS), home)
		for _, s := range []struct {
			in    *Installer
			scope Scope
		}{{in, ScopeUser}, {m, ScopeMachine}} {
			if r, err := s.in.receipt(product); err == nil && r.Target == target {
				scope = s.scope
				break
			}
		}
	}
	if scope != ScopeMachine {
		return &receiptStore{Installer: in, product: product}, nil
	}
	if err := os.MkdirAll(m.opt.StateDir, 0o755); err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, &ElevationError{Target: target}
		}
		return nil, fmt.Errorf("machine-wide installer state folder: %w", err)
	}
	return &receiptStore{Installer: m, product: product}, nil
}

// receiptStore is one scope's state folder (per-user or machine-wide: an
// Installer working on it) as an entry point meets it for one product.
// Every entry point finds the store (storeOf, or storeFor an install),
// then takes it: hold for a change, settleForReading for a reader; and
// reads the product's receipt with current.
type receiptStore struct {
	*Installer
	product string
	removed []string // an interrupted first install's staging folders that settling removed
	unlock  func()   // while held
}

// hold takes the product's lock and settles it: an interrupted change is
// finished or undone, and what a killed staging left (beside targets too)
// is removed. release gives the lock back.
func (s *receiptStore) hold(targets ...string) error {
	unlock, err := s.lock(s.product)
	if err != nil {
		return err
	}
	s.unlock = unlock
	if s.removed, err = s.settleRemoved(s.product, targets...); err != nil {
		s.release()
		return err
	}
	return nil
}

// release gives back the lock hold took.
func (s *receiptStore) release() {
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
}

// settleForReading settles the product for a reader (see settledRemoved):
// it waits for no install.
func (s *receiptStore) settleForReading() error {
	var err error
	s.removed, err = s.settledRemoved(s.product)
	return err
}

// current is the product's receipt once settled; when there is none, the
// error says nothing is installed (a *NotInstalledError when settling
// removed an interrupted first install).
func (s *receiptStore) current() (*Receipt, error) {
	rec, err := s.receipt(s.product)
	if err != nil {
		return nil, notInstalled(s.product, s.removed, err)
	}
	return rec, nil
}

// Receipts lists the receipts of every installed product, per-user and
// machine-wide, each once its interrupted install is finished or undone.
func (in *Installer) Receipts() ([]*Receipt, error) {
	var out []*Receipt
	seen := map[string]bool{}
	for _, s := range []*Installer{in, in.machine()} {
		if s == nil {
			continue
		}
		es, err := os.ReadDir(s.opt.StateDir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		var products []string
		for _, e := range es {
			name := e.Name()
			// A product with only a staging note was being installed
			// for the first time: reading it settles (removes) that.
			for _, suffix := range []string{".journal.json", ".json", ".staging"} {
				if p, ok := strings.CutSuffix(name, suffix); ok && catalog.IsProductID(p) && !seen[p] {
					products = append(products, p)
					seen[p] = true
					break
				}
			}
		}
		slices.Sort(products)
		for _, p := range products {
			r, err := s.Receipt(p)
			if errors.Is(err, ErrNotInstalled) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// DefaultUserTarget is the per-user install folder of this OS: no
// administrator rights needed.
func DefaultUserTarget() string {
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "Programs", "Onramp")
		}
	case "darwin":
		return filepath.Join(home, "Applications", "Onramp")
	}
	return filepath.Join(home, ".local", "opt", "onramp")
}

// DefaultMachineTarget is the machine-wide install folder of an OS.
func DefaultMachineTarget(goos string) string {
	switch goos {
	case "windows":
		pf := os.Getenv("ProgramFiles")
		if pf == "" {
			pf = `C:\Program Files`
		}
		return filepath.Join(pf, "Onramp")
	case "darwin":
		return "/Applications/Onramp"
	}
	return "/opt/onramp"
}
