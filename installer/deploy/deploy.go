// Package deploy owns deployment folders, which install several products
// on many seats: deployment.json (products, versions, target folder,
// licence and seat registration), its check against the publisher's
// signed catalog beside it, the per-OS install scripts and the IT README
// (New, Write), and Prepare, which checks on a seat everything an install
// of the folder needs before anything is installed. The installs
// themselves are the installer's.
//
// Callers: setup (deploy create, deploy install), and the cli and the ui
// for its types and errors.
package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/archive"
	"onramp.dev/onramp/installer/native"
	"onramp.dev/onramp/internal/atomicfile"
)

// Format names the deployment folder's format.
const Format = "onramp-deployment/v1"

// CatalogFile is the publisher's signed catalog in a deployment
// folder, byte for byte as the publisher signed it. deployment.json is
// written by IT and anyone who can write the folder can edit it; the
// signed catalog is what each seat checks every package against.
const CatalogFile = "catalog.signed.json"

// Errors callers branch on; both are integrity failures.
var (
	ErrDeploymentUnsigned = errors.New("the deployment folder has no signed catalog")
	ErrDeploymentChanged  = errors.New("deployment.json differs from the publisher's signed catalog")
)

// Error lists every problem found in a deployment before
// anything was installed, each with its product ("" for the whole
// deployment).
type Error struct {
	Problems []Problem
}

// Problem is one product's problem.
type Problem struct {
	Product string
	Err     error
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Err.Error()
		if p.Product != "" {
			lines[i] = p.Product + ": " + lines[i]
		}
	}
	return fmt.Sprintf("%d problem(s):\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// Unwrap lets errors.Is and errors.As see every problem's error.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p.Err
	}
	return errs
}

// Deployment is deployment.json: what IT pushes to many seats. The
// packages and the publisher's signed catalog lie beside it; on each seat
// every package is checked against the signed catalog and its SHA-256
// before anything is installed.
type Deployment struct {
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
	// Target is the folder products are installed under, one subfolder
	// each; "" means the machine-wide default of each OS.
	Target      string    `json:"target"`
	License     License   `json:"license"`
	AllowReboot bool      `json:"allow_reboot"`
	Products    []Product `json:"products"`
	// SeatRegistration, when present, lets each seat count itself with the
	// account service after installing.
	SeatRegistration *SeatRegistration `json:"seat_registration,omitempty"`
	// Publisher is the signed catalog's, once MatchCatalog found the
	// deployment to be what it signed (Windows lists it with each product).
	Publisher string `json:"-"`
	// Assistant is the Windows assistant the folder carries for its
	// Windows seats, which need nothing installed beforehand.
	Assistant *Assistant `json:"assistant,omitempty"`
}

// WindowsAssistantFile is the Windows assistant's name in a deployment
// folder: install-windows.cmd runs this one, never another.
const WindowsAssistantFile = "assistant.exe"

// Assistant is the assistant program a deployment folder
// carries. It is not in the publisher's catalog (no catalog lists the
// assistant): it is the publisher's Authenticode-signed release program,
// and its hash here lets IT and each seat see that the copy is whole.
type Assistant struct {
	File     string           `json:"file"` // relative to the folder, '/' separators
	Platform catalog.Platform `json:"platform"`
	SHA256   string           `json:"sha256"`
	Size     int64            `json:"size"`
}

// SeatRegistration names the account service and the deployment's seat
// key. The key is a narrow capability, not a user's credential: it can
// only register seats of this deployment's products, up to the contract's
// seat counts, until the contract ends, and the service keeps only its
// hash. An unattended install has no user to sign in, so the deployment
// must carry something; this is the least that works.
type SeatRegistration struct {
	Server string `json:"server"` // https URL of the account service (http only on loopback)
	Key    string `json:"key"`
}

// License says how seats get their licence.
type License struct {
	Mode   string `json:"mode"`             // "per-user" or "network"
	Server string `json:"server,omitempty"` // HOST:PORT of the licence server, for "network"
}

// Product is one product of a deployment.
type Product struct {
	ID       string                       `json:"id"`
	Name     string                       `json:"name"`
	Version  string                       `json:"version"`
	Packages map[catalog.Platform]Package `json:"packages"`
	// Requirements per platform, in the catalog's schema.
	Requirements json.RawMessage `json:"requirements,omitempty"`
}

// Package is one package file in the deployment folder.
type Package struct {
	File    string         `json:"file"` // relative to the folder, '/' separators
	SHA256  string         `json:"sha256"`
	Size    int64          `json:"size"`
	Format  catalog.Format `json:"format"`
	Install catalog.Recipe `json:"install"`
}

// hostPort is compiled when first used: a pattern compiled at package
// init costs every run of the assistant.
var hostPort = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.-]+:[0-9]{1,5}$`) })

// Validate checks a deployment's content, naming the field of each problem.
func (d *Deployment) Validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if d.Format != Format {
		bad("format: want %q, found %q", Format, d.Format)
	}
	switch d.License.Mode {
	case "per-user":
		if d.License.Server != "" {
			bad("license.server: only for mode \"network\"")
		}
	case "network":
		if !hostPort().MatchString(d.License.Server) {
			bad("license.server: want HOST:PORT, found %q", d.License.Server)
		}
	default:
		bad("license.mode: want \"per-user\" or \"network\", found %q", d.License.Mode)
	}
	if d.Target != "" && !filepath.IsAbs(d.Target) && !strings.HasPrefix(d.Target, "/") && !(len(d.Target) > 2 && d.Target[1] == ':') {
		bad("target: want an absolute folder, found %q", d.Target)
	}
	if len(d.Products) == 0 {
		bad("products: want at least one product")
	}
	if r := d.SeatRegistration; r != nil {
		if u, err := url.Parse(r.Server); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			bad("seat_registration.server: want the account service's https URL, found %q", r.Server)
		}
		if !strings.HasPrefix(r.Key, "onramp-seat-") || len(r.Key) < 40 {
			bad("seat_registration.key: want a seat key (onramp-seat-...) from 'deploy create --register'")
		}
	}
	for i, p := range d.Products {
		at := fmt.Sprintf("products[%d]", i)
		if !catalog.IsProductID(p.ID) {
			bad("%s.id: want lowercase letters, digits and '-', found %q", at, p.ID)
		}
		if _, err := catalog.ParseVersion(p.Version); err != nil {
			bad("%s.version: %v", at, err)
		}
		if len(p.Packages) == 0 {
			bad("%s.packages: want a package for at least one platform", at)
		}
		for plat, pkg := range p.Packages {
			pat := fmt.Sprintf("%s.packages[%q]", at, plat)
			if !slices.Contains(catalog.Platforms, plat) {
				bad("%s: unknown platform", pat)
			}
			if name, why := archive.CleanName(pkg.File); why != "" || name != pkg.File {
				bad("%s.file: want a clean relative path inside the folder, found %q", pat, pkg.File)
			}
			if len(pkg.SHA256) != 64 {
				bad("%s.sha256: want 64 hex digits", pat)
			}
			if !slices.Contains(catalog.Formats, pkg.Format) {
				bad("%s.format: unknown format %q", pat, pkg.Format)
			}
		}
		if len(p.Requirements) > 0 {
			if _, err := p.RequirementsFor(); err != nil {
				bad("%s.requirements: %v", at, err)
			}
		}
	}
	if a := d.Assistant; a != nil {
		if a.File != WindowsAssistantFile || a.Platform != catalog.WindowsAMD64 {
			bad("assistant: want %q for %s, found %q for %s", WindowsAssistantFile, catalog.WindowsAMD64, a.File, a.Platform)
		}
		if len(a.SHA256) != 64 {
			bad("assistant.sha256: want 64 hex digits")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("deployment.json: %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// RequirementsFor parses the product's requirements with the catalog's
// strict reader.
func (p *Product) RequirementsFor() (map[catalog.Platform]catalog.Requirements, error) {
	if len(p.Requirements) == 0 {
		return map[catalog.Platform]catalog.Requirements{}, nil
	}
	doc := append(append([]byte(`{"schema": 1, "requirements": `), p.Requirements...), '}')
	f, err := catalog.ParseRequirements(doc)
	if err != nil {
		return nil, err
	}
	return f.Requirements, nil
}

// Read reads dir/deployment.json strictly.
func Read(dir string) (*Deployment, error) {
	path := filepath.Join(dir, "deployment.json")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("deployment folder: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalog.MaxPayloadBytes+1))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Deployment
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &d, nil
}

// ReadCatalog reads the folder's signed catalog (not verified:
// the caller verifies it with the keys this seat trusts).
func ReadCatalog(dir string) ([]byte, error) {
	path := filepath.Join(dir, CatalogFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is missing (the folder was not built by 'deploy create', or was changed since)", ErrDeploymentUnsigned, path)
	}
	if err != nil {
		return nil, fmt.Errorf("deployment folder: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalog.MaxEnvelopeBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > catalog.MaxEnvelopeBytes {
		return nil, fmt.Errorf("%w: %s is larger than a signed catalog can be", catalog.ErrEnvelope, path)
	}
	return data, nil
}

// MatchCatalog checks every product of d against the publisher's catalog
// c: the release exists, and each package's file hash, size, format and
// install recipe and the release's requirements are the ones the
// publisher signed. Every difference is a *Error whose problems
// match ErrDeploymentChanged.
func (d *Deployment) MatchCatalog(c *catalog.Catalog) error {
	var problems []Problem
	bad := func(product, format string, args ...any) {
		problems = append(problems, Problem{product, fmt.Errorf("%w: "+format, append([]any{ErrDeploymentChanged}, args...)...)})
	}
	for _, p := range d.Products {
		cp, r, err := c.Find(p.ID + "@" + p.Version)
		if err != nil {
			bad(p.ID, "%s %s is not in the signed catalog", p.ID, p.Version)
			continue
		}
		if p.Name != cp.Name {
			bad(p.ID, "name %q, signed %q", p.Name, cp.Name)
		}
		plats := make([]catalog.Platform, 0, len(p.Packages))
		for plat := range p.Packages {
			plats = append(plats, plat)
		}
		slices.Sort(plats)
		signedReqs := map[catalog.Platform]catalog.Requirements{}
		for _, plat := range plats {
			pkg, want := p.Packages[plat], r.Packages[plat]
			switch {
			case want.SHA256 == "":
				bad(p.ID, "%s %s has no signed package for %s", p.ID, p.Version, plat)
				continue
			case !strings.EqualFold(pkg.SHA256, want.SHA256) || pkg.Size != want.Size:
				bad(p.ID, "the %s package is sha256 %s (%d bytes), signed %s (%d bytes)", plat, pkg.SHA256, pkg.Size, want.SHA256, want.Size)
			case pkg.Format != want.Format:
				bad(p.ID, "the %s package's format is %s, signed %s", plat, pkg.Format, want.Format)
			case !sameJSON(pkg.Install, want.Install):
				bad(p.ID, "the %s package's install recipe is not the signed one", plat)
			}
			if req, ok := r.Requirements[plat]; ok {
				signedReqs[plat] = req
			}
		}
		reqs, err := p.RequirementsFor()
		if err != nil || !sameJSON(reqs, signedReqs) {
			bad(p.ID, "the requirements are not the signed ones")
		}
	}
	if len(problems) > 0 {
		return &Error{Problems: problems}
	}
	d.Publisher = c.Publisher
	return nil
}

// sameJSON compares two values by their JSON form, the form that was signed.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// ErrNotAFolder means a file is where an install folder, or one of the
// folders above it, must be. It is one case of ErrInTheWay.
var ErrNotAFolder = fmt.Errorf("a file is where a folder must be: %w", installer.ErrInTheWay)

// TargetError says why a product's install folder cannot be used.
type TargetError struct {
	Target string // the install folder
	Path   string // what is in the way, or the folder that cannot be written
	Err    error  // ErrNotAFolder, or the error of a write test
}

func (e *TargetError) Error() string {
	switch {
	case errors.Is(e.Err, ErrNotAFolder):
		return fmt.Sprintf("install folder %s: %s is a file, not a folder: move it away, or build the deployment with another --target", e.Target, e.Path)
	case errors.Is(e.Err, fs.ErrPermission):
		return fmt.Sprintf("install folder %s: %s cannot be written (permission denied): run the deployment as administrator (root)", e.Target, e.Path)
	}
	return fmt.Sprintf("install folder %s: %s cannot be written: %v", e.Target, e.Path, e.Err)
}

func (e *TargetError) Unwrap() error { return e.Err }

// CheckTarget reports, as a *TargetError, whether target cannot take an
// install: it must be a folder or be creatable (no file at it or above
// it), and this process must be able to write where it is or will be.
// It writes nothing but a test file it removes at once.
func CheckTarget(target string) error {
	_, err := checkTarget(target)
	return err
}

// checkTarget is CheckTarget, returning as well the folder nearest target
// that exists (the one that tells its volume).
func checkTarget(target string) (string, error) {
	p := target
	for {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				return "", &TargetError{Target: target, Path: p, Err: ErrNotAFolder}
			}
			break
		}
		// A missing folder, or a file above it (ENOTDIR): look further up.
		parent := filepath.Dir(p)
		if parent == p {
			return "", &TargetError{Target: target, Path: p, Err: err}
		}
		p = parent
	}
	f, err := os.CreateTemp(p, ".onramp-write-test-*")
	if err != nil {
		return "", &TargetError{Target: target, Path: p, Err: err}
	}
	f.Close()
	os.Remove(f.Name())
	return p, nil
}

// Prepare checks, before anything is installed, everything the
// install of d on this seat needs and returns the packages to install, in
// d's order, to install with in; each goes to root/ID (their zip code page is in's). Every package must be
// present, match its SHA-256 (which MatchCatalog ties to the publisher's
// signature) and be a safe archive; every install folder must pass
// CheckTarget, and each volume must hold what the products on it unpack
// to. A native installer's folder is the OS installer's to choose; its
// log goes to root, which is checked instead. Every problem is reported,
// as one *Error.
func Prepare(ctx context.Context, in *installer.Installer, dir string, d *Deployment, plat catalog.Platform, root string) ([]installer.Package, error) {
	var problems []Problem
	pkgs := make([]installer.Package, len(d.Products))
	type volume struct {
		need, free uint64
		products   []string
		target     string
	}
	volumes := map[string]*volume{} // by the nearest existing folder
	for i, p := range d.Products {
		dp, ok := p.Packages[plat]
		if !ok {
			problems = append(problems, Problem{p.ID, fmt.Errorf("no package for %s in this deployment", plat)})
			continue
		}
		pkgs[i] = installer.Package{Path: d.PackagePath(dir, dp), SHA256: dp.SHA256, Format: dp.Format, Product: p.ID, Version: p.Version, Recipe: dp.Install,
			Name: p.Name, Publisher: d.Publisher, Platform: plat}
		target := filepath.Join(root, p.ID)
		plan, err := in.PlanInstall(ctx, pkgs[i], target)
		if err != nil {
			problems = append(problems, Problem{p.ID, err})
			continue
		}
		folder := target
		if plan.Native {
			folder = root
		}
		at, err := checkTarget(folder)
		if err != nil {
			problems = append(problems, Problem{p.ID, err})
			continue
		}
		if plan.Native || plan.FreeSpace == 0 { // 0: the free space could not be read
			continue
		}
		v := volumes[at]
		if v == nil {
			v = &volume{free: plan.FreeSpace, target: folder}
			volumes[at] = v
		}
		v.need += uint64(plan.DiskBytes) // in the volume's blocks
		v.products = append(v.products, p.ID)
	}
	for _, v := range volumes {
		if v.need > v.free {
			for _, id := range v.products {
				problems = append(problems, Problem{id, &installer.SpaceError{Target: v.target, Need: v.need, Free: v.free}})
			}
		}
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return pkgs, nil
}

// PackagePath is where a deployment's package lies.
func (d *Deployment) PackagePath(dir string, pkg Package) string {
	return filepath.Join(dir, filepath.FromSlash(pkg.File))
}

// Write writes deployment.json, the publisher's signed catalog
// (signed, byte for byte as the publisher served it, which d must agree
// with), the install scripts and the IT README into dir, which already
// holds the packages. It refuses a folder that has a deployment already.
// With demo, the scripts pass --demo, so that the seats trust the demo
// key (and then only for this folder's run).
func Write(dir string, d *Deployment, signed []byte, demo bool) error {
	if err := d.Validate(); err != nil {
		return err
	}
	// The signature is the seats' to check; here, that d is the catalog's.
	env, err := catalog.ReadEnvelope(signed)
	if err != nil {
		return fmt.Errorf("signed catalog: %w", err)
	}
	c, err := catalog.Parse(env.Payload)
	if err != nil {
		return fmt.Errorf("signed catalog: %w", err)
	}
	if err := d.MatchCatalog(c); err != nil {
		return err
	}
	for _, p := range d.Products {
		for _, pkg := range p.Packages {
			if err := installer.VerifyPackage(installer.Package{Path: d.PackagePath(dir, pkg), SHA256: pkg.SHA256}); err != nil {
				return err
			}
		}
	}
	windows := d.HasPlatform(catalog.WindowsAMD64)
	if windows && d.Assistant == nil {
		return ErrNoWindowsAssistant
	}
	if a := d.Assistant; a != nil {
		if err := installer.VerifyPackage(installer.Package{Path: filepath.Join(dir, filepath.FromSlash(a.File)), SHA256: a.SHA256}); err != nil {
			return fmt.Errorf("the Windows assistant: %w", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "deployment.json")); err == nil {
		return errors.New(filepath.Join(dir, "deployment.json") + " exists: choose an empty --out folder")
	}
	flags := ""
	if demo {
		flags = "--demo "
	}
	files := map[string]string{
		"install-macos.sh": strings.ReplaceAll(unixScript, "{{flags}}", flags),
		"install-linux.sh": strings.ReplaceAll(unixScript, "{{flags}}", flags),
		"README-IT.txt":    itReadme(d, readmeFactsOf(dir, d, env)),
		CatalogFile:        string(signed),
	}
	if windows {
		files["install-windows.cmd"] = strings.ReplaceAll(windowsScript, "{{flags}}", flags)
		files["uninstall-windows.cmd"] = windowsUninstallScript(d, flags)
	}
	for name, body := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if strings.HasSuffix(name, ".cmd") {
			body = strings.ReplaceAll(body, "\n", "\r\n")
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	// A seat key is a credential: only its owner reads deployment.json.
	mode := os.FileMode(0o644)
	if d.SeatRegistration != nil {
		mode = 0o600
	}
	return atomicfile.WriteFile(filepath.Join(dir, "deployment.json"), data, mode)
}

// LogName is the log's name for a deployment: its product IDs,
// sorted, joined with '+' (IDs are lowercase letters, digits and '-');
// past a length a file system takes, the first ID and a hash of them all.
func LogName(d *Deployment) string {
	ids := make([]string, len(d.Products))
	for i, p := range d.Products {
		ids[i] = p.ID
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	joined := strings.Join(ids, "+")
	if len(joined) > 100 {
		sum := sha256.Sum256([]byte(joined))
		joined = fmt.Sprintf("%s+%d-more-%x", ids[0], len(ids)-1, sum[:4])
	}
	return "deploy-" + joined + ".log"
}

// readmeFactsOf gathers what README-IT names: the signing keys, and the
// product code of each Windows MSI where this OS can read it.
func readmeFactsOf(dir string, d *Deployment, env *catalog.Envelope) readmeFacts {
	f := readmeFacts{productCodes: map[string]string{}}
	for _, s := range env.Signatures {
		f.keyIDs = append(f.keyIDs, s.KeyID)
	}
	for _, p := range d.Products {
		if pkg, ok := p.Packages[catalog.WindowsAMD64]; ok && pkg.Format == catalog.FormatMSI && runtime.GOOS == "windows" {
			if code, err := native.ProductCode(d.PackagePath(dir, pkg)); err == nil {
				f.productCodes[p.ID] = code
			}
		}
	}
	return f
}

// ErrNoWindowsAssistant: a deployment for Windows seats must carry the
// Windows assistant, and none was given or found.
var ErrNoWindowsAssistant = errors.New("a deployment for windows/amd64 carries the Windows assistant (assistant.exe), and none was found")

// NoPackageError: a product of a deployment has no package for any of the
// platforms asked for. The window names the product and the platforms in
// its own words; the command line prints Error.
type NoPackageError struct {
	Product, Version string
	Platforms        []catalog.Platform
}

func (e *NoPackageError) Error() string {
	var names []string
	for _, p := range e.Platforms {
		names = append(names, string(p))
	}
	return fmt.Sprintf("%s %s has no package for %s", e.Product, e.Version, strings.Join(names, ", "))
}

// HasPlatform reports whether any product of d has a package for plat.
func (d *Deployment) HasPlatform(plat catalog.Platform) bool {
	for _, p := range d.Products {
		if _, ok := p.Packages[plat]; ok {
			return true
		}
	}
	return false
}

// ErrNotWindowsProgram: the file given as the Windows assistant is not a
// 64-bit x86 Windows program.
var ErrNotWindowsProgram = errors.New("not a Windows x64 program")

// CheckWindowsProgram checks that path is a Windows x64 (PE, AMD64)
// program, so that a deployment never ships a Linux or macOS binary, or
// an ARM one, as assistant.exe.
func CheckWindowsProgram(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var head [0x40]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || head[0] != 'M' || head[1] != 'Z' {
		return fmt.Errorf("%s: %w (no MZ header)", path, ErrNotWindowsProgram)
	}
	off := int64(binary.LittleEndian.Uint32(head[0x3c:]))
	var pe [6]byte
	if _, err := f.ReadAt(pe[:], off); err != nil || string(pe[:4]) != "PE\x00\x00" {
		return fmt.Errorf("%s: %w (no PE header)", path, ErrNotWindowsProgram)
	}
	if m := binary.LittleEndian.Uint16(pe[4:]); m != 0x8664 {
		return fmt.Errorf("%s: %w (machine type %#x, not x64)", path, ErrNotWindowsProgram, m)
	}
	return nil
}

// The Windows scripts use the assistant beside them and no other: a seat
// needs nothing installed first, and an assistant found on PATH could be
// any version. Their exit codes are what Windows deployment tools act on
// (see README-IT); 9009 is cmd's own "program not found".
const windowsScript = `@echo off
rem Onramp deployment: installs every product of this folder, silently,
rem with the assistant this folder carries (assistant.exe beside this
rem script; no other is used). Run it as administrator or as SYSTEM.
rem Arguments are passed to the assistant, e.g. --allow-downgrade.
rem Exit codes: 0 installed (or installed already), 3010 installed and a
rem restart is needed, 1641 an installer started a restart, 1618 another
rem installation is in progress (retry), 1 failed, 3 requirements not met,
rem 4 the folder does not match the publisher's signed catalog or its key
rem is not trusted, 7 a newer version is installed, 9009 assistant.exe is
rem missing. Log: %ProgramData%\Onramp\logs. See README-IT.txt.
setlocal
if exist "%~dp0assistant.exe" goto run
echo Onramp deployment: assistant.exe is missing beside this script: copy the whole folder made by 'assistant deploy create'. 1>&2
exit /b 9009
:run
"%~dp0assistant.exe" {{flags}}deploy install "%~dp0." --silent --windows-exit-codes %*
exit /b %ERRORLEVEL%
`

// windowsUninstallScript removes every product of d with the folder's
// assistant; the assistant's 8 (another installation in progress) becomes
// Windows' 1618.
func windowsUninstallScript(d *Deployment, flags string) string {
	var b strings.Builder
	b.WriteString(`@echo off
rem Onramp deployment: removes every product of this folder, silently,
rem with the assistant this folder carries. Run it as administrator or as
rem SYSTEM. Exit codes: 0 removed, 1618 another installation is in
rem progress (retry), 1 failed (or a product was not installed), 9009
rem assistant.exe is missing.
setlocal
if exist "%~dp0assistant.exe" goto run
echo Onramp deployment: assistant.exe is missing beside this script: copy the whole folder made by 'assistant deploy create'. 1>&2
exit /b 9009
:run
`)
	for _, p := range d.Products {
		if _, ok := p.Packages[catalog.WindowsAMD64]; !ok {
			continue
		}
		// IDs are lowercase letters, digits and '-' (Validate): nothing
		// cmd reads as an operator.
		fmt.Fprintf(&b, "\"%%~dp0assistant.exe\" %suninstall --product %s\nif errorlevel 1 goto failed\n", flags, p.ID)
	}
	b.WriteString(`exit /b 0
:failed
if %ERRORLEVEL%==8 exit /b 1618
exit /b %ERRORLEVEL%
`)
	return b.String()
}

const unixScript = `#!/bin/sh
# Onramp deployment: installs every product of this folder, silently.
# Needs the Onramp assistant on the seat (or ONRAMP_ASSISTANT set to it)
# and root. Arguments are passed to the assistant (--allow-downgrade).
# The exit code is the assistant's: 0 installed (or installed already),
# 1 failed, 3 requirements not met, 4 the folder does not match the
# publisher's signed catalog or its key is not trusted, 7 a newer version
# is installed, 8 another installation is in progress (retry).
set -u
ASSISTANT=${ONRAMP_ASSISTANT:-assistant}
if ! command -v "$ASSISTANT" >/dev/null 2>&1; then
  echo "Onramp assistant not found: install it on this seat, or set ONRAMP_ASSISTANT to its path" >&2
  exit 1
fi
exec "$ASSISTANT" {{flags}}deploy install "$(cd "$(dirname "$0")" && pwd)" --silent "$@"
`

// readmeFacts are what README-IT says that deployment.json does not hold.
type readmeFacts struct {
	keyIDs       []string          // the keys that signed the folder's catalog
	productCodes map[string]string // an MSI product's ProductCode, by product ID, when it could be read
}

func itReadme(d *Deployment, facts readmeFacts) string {
	var b strings.Builder
	b.WriteString("Onramp deployment\n=================\n\n")
	fmt.Fprintf(&b, "Created %s. Products:\n", d.Created.Format(time.DateOnly))
	for _, p := range d.Products {
		var plats []string
		for plat := range p.Packages {
			plats = append(plats, string(plat))
		}
		slices.Sort(plats)
		fmt.Fprintf(&b, "  %s %s (%s) for %s\n", p.Name, p.Version, p.ID, strings.Join(plats, ", "))
	}
	target := d.Target
	if target == "" {
		target = "the machine-wide default (Windows: %ProgramFiles%\\Onramp, macOS: /Applications/Onramp, Linux: /opt/onramp)"
	}
	fmt.Fprintf(&b, "\nInstalled under: %s, one folder per product.\n", target)
	if d.License.Mode == "network" {
		fmt.Fprintf(&b, "Licence: network licence server %s.\n", d.License.Server)
	} else {
		b.WriteString("Licence: per user (each user signs in).\n")
	}
	if r := d.SeatRegistration; r != nil {
		fmt.Fprintf(&b, "Seats: each seat registers itself with %s after installing.\n"+
			"deployment.json holds a seat key: it can only count seats of these products,\n"+
			"up to the contract's seats; keep the folder where only IT can read it.\n", r.Server)
	} else {
		b.WriteString("Seats: not counted (the deployment was created without --register).\n")
	}
	if a := d.Assistant; a != nil {
		fmt.Fprintf(&b, "Assistant: %s (for %s), the publisher's signed Onramp assistant;\n"+
			"the Windows scripts run this one, nothing else. SHA-256:\n  %s\n", a.File, a.Platform, a.SHA256)
	}
	fmt.Fprintf(&b, `
On each seat, as administrator (root) or SYSTEM:

  Windows:  install-windows.cmd             (uses the assistant.exe of this folder)
  macOS:    sh install-macos.sh              (needs the assistant installed)
  Linux:    sh install-linux.sh              (needs the assistant installed)
  or:       assistant deploy install <this folder> --silent

Trust: the seat checks catalog.signed.json (the publisher's signed catalog,
signed by key %s) with the keys it trusts machine-wide: the
catalog_keys of the publisher profile, which Onramp.msi installs
(Windows: %%ProgramData%%\Onramp\profile.json, macOS: /Library/Application
Support/Onramp/profile.json, Linux: /etc/onramp/profile.json; owned by
administrators), or the key built into the release. A seat without that
key refuses the folder with exit 4 and says that the key is not trusted.

It checks every package and deployment.json's products against the
catalog, checks the machine against each product's requirements and every
install folder (writable, no file in the way, enough free space), and
installs each product (the previous version is kept for
'assistant rollback'). A product installed already at this version is
left as it is: running the deployment again changes nothing and keeps the
version kept for rollback. A newer version installed stops the deployment
with exit 7 before anything changes, unless you add --allow-downgrade
(install-windows.cmd --allow-downgrade). It never opens a window and
never restarts the machine. A folder changed by anyone but the publisher
(a package replaced, a hash edited, the catalog edited or removed) is
refused. The catalog's expiry is not held against the folder: seats may
install it long after it was built.

Logs, appended to one file per deployment whose name does not change:
  Windows:  %%ProgramData%%\Onramp\logs\%s
            (with each MSI's log beside it: PRODUCT-VERSION.log)
  macOS:    /Library/Logs/Onramp/%s
  Linux:    /var/log/onramp/%s
`, strings.Join(facts.keyIDs, ", "), LogName(d), LogName(d), LogName(d))
	if d.HasPlatform(catalog.WindowsAMD64) {
		b.WriteString(`
Microsoft Intune (Win32 app) or Configuration Manager
-----------------------------------------------------
Package the whole folder (IntuneWinAppUtil: source folder = this folder,
setup file = install-windows.cmd).
  install command:    install-windows.cmd
  uninstall command:  uninstall-windows.cmd
  install behavior:   System
  return codes:       0     success
                      3010  soft reboot (installed; a restart finishes it)
                      1641  hard reboot (an installer started a restart)
                      1618  retry (another installation is in progress)
                      any other code is a failure:
                      1     failed (the log says why)
                      3     the machine does not meet a product's requirements
                      4     a package or the folder does not match the
                            publisher's signed catalog, or the seat does not
                            trust the publisher's key
                      7     a newer version is installed (nothing changed)
                      9009  assistant.exe is missing from the folder
                      Intune and Configuration Manager list 0, 3010, 1641
                      and 1618 with these meanings by default.
  detection rules (one per product, all of them):
`)
		for _, p := range d.Products {
			pkg, ok := p.Packages[catalog.WindowsAMD64]
			if !ok {
				continue
			}
			if pkg.Format == catalog.FormatMSI {
				code := facts.productCodes[p.ID]
				if code == "" {
					code = "{PRODUCT-CODE of " + pkg.File + "}"
				}
				fmt.Fprintf(&b, "    %s %s (an MSI): rule type MSI, product code %s\n"+
					"      (or Registry: HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\%s,\n"+
					"      value DisplayVersion, the MSI's own ProductVersion)\n", p.ID, p.Version, code, code)
				continue
			}
			fmt.Fprintf(&b, "    %s %s: rule type Registry\n"+
				"      key path    HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Onramp.%s\n"+
				"      value name  DisplayVersion\n"+
				"      method      String comparison, operator Equals, value %s\n"+
				"      associated with a 32-bit app on 64-bit clients: No\n"+
				"      (Configuration Manager: a Registry setting of type String, equal to %s, 64-bit)\n",
				p.ID, p.Version, p.ID, p.Version, p.Version)
		}
	}
	b.WriteString(`
Other tools read the exit codes of the macOS and Linux scripts, which are
the assistant's: 0 installed (or installed already), 1 failed, 3
requirements not met, 4 the folder does not match the publisher's signed
catalog or its key is not trusted, 7 a newer version is installed, 8
another installation is in progress (retry), 130 interrupted.
Jamf Pro: upload the folder as a package payload and run
  sh "/path/to/folder/install-macos.sh" in a policy's script.
Munki: use install-macos.sh as the postinstall_script of a nopkg item.
`)
	return b.String()
}

// File is a package a new deployment needs: the caller downloads
// URL (the catalog's, maybe relative) to File inside the folder and
// verifies it against SHA256, then calls Write.
type File struct {
	URL    string
	File   string // relative to the folder, '/' separators
	SHA256 string
	Size   int64
}

// New plans a deployment of the products refs ("ID" or
// "ID@VERSION") for the platforms only (all of each release's when
// empty): the Deployment to write and the packages to fetch first.
func New(c *catalog.Catalog, refs []string, only []catalog.Platform, target string, license License, now time.Time) (*Deployment, []File, error) {
	d := &Deployment{Format: Format, Created: now.UTC().Truncate(time.Second), Target: target, License: license}
	var files []File
	for _, ref := range refs {
		p, r, err := c.Find(ref)
		if err != nil {
			return nil, nil, err
		}
		dp := Product{ID: p.ID, Name: p.Name, Version: r.Version.String(), Packages: map[catalog.Platform]Package{}}
		reqs := map[catalog.Platform]catalog.Requirements{}
		var plats []catalog.Platform
		for plat := range r.Packages {
			if len(only) == 0 || slices.Contains(only, plat) {
				plats = append(plats, plat)
			}
		}
		slices.Sort(plats)
		for _, plat := range plats {
			pkg := r.Packages[plat]
			rel := "packages/" + path.Base(pkg.URL)
			files = append(files, File{URL: pkg.URL, File: rel, SHA256: pkg.SHA256, Size: pkg.Size})
			dp.Packages[plat] = Package{File: rel, SHA256: pkg.SHA256, Size: pkg.Size, Format: pkg.Format, Install: pkg.Install}
			if req, ok := r.Requirements[plat]; ok {
				reqs[plat] = req
			}
		}
		if len(dp.Packages) == 0 {
			return nil, nil, &NoPackageError{Product: p.Name, Version: r.Version.String(), Platforms: only}
		}
		if dp.Requirements, err = json.Marshal(reqs); err != nil {
			return nil, nil, err
		}
		d.Products = append(d.Products, dp)
	}
	if err := d.Validate(); err != nil {
		return nil, nil, err
	}
	return d, files, nil
}
