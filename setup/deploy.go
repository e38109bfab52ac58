package setup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/archive"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/syscheck"
)

// DeploymentRequest is a multi-seat deployment to build.
type DeploymentRequest struct {
	Products  []string           // ID or ID@VERSION
	Platforms []catalog.Platform // nil: every platform of each release
	Target    string             // install folder on the seats; "" for each OS's machine-wide one
	License   deploy.License
	Out       string // a new or empty folder
	// Register asks the account service (Account, else the source's) for
	// a seat key the seats count themselves with.
	Register bool
	Account  *account.Client
	// Demo marks a deployment of the demo catalog: its scripts pass --demo.
	Demo bool
	// Assistant is the Windows assistant (assistant.exe) to put in a
	// deployment with Windows packages; "" looks beside the running
	// program (see WindowsAssistant).
	Assistant string
}

// WindowsAssistant is the Windows x64 assistant a deployment carries:
// explicit when given, else assistant.exe beside the running program (the
// folder Onramp.msi installs holds both programs) or in the release's
// windows-amd64 folder beside the running program's folder (the layout of
// a release: linux-amd64/assistant, windows-amd64/assistant.exe). The
// file must be a Windows x64 program. None found is an
// installer.ErrNoWindowsAssistant that says what to pass.
func WindowsAssistant(explicit string) (string, error) {
	if explicit != "" {
		if err := deploy.CheckWindowsProgram(explicit); err != nil {
			return "", fmt.Errorf("the Windows assistant: %w", err)
		}
		return explicit, nil
	}
	var looked []string
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		dir := filepath.Dir(exe)
		for _, c := range []string{
			filepath.Join(dir, deploy.WindowsAssistantFile),
			filepath.Join(filepath.Dir(dir), "windows-amd64", deploy.WindowsAssistantFile),
		} {
			looked = append(looked, c)
			if _, err := os.Stat(c); err == nil && deploy.CheckWindowsProgram(c) == nil {
				return c, nil
			}
		}
	}
	return "", fmt.Errorf("%w: pass --assistant FILE, the release's windows-amd64/assistant.exe (looked for %s)",
		deploy.ErrNoWindowsAssistant, strings.Join(looked, ", "))
}

// CreateDeployment downloads and verifies every package of the request
// into Out and writes deployment.json, the signed catalog, the install
// scripts and the README for IT.
func (s *Setup) CreateDeployment(ctx context.Context, r DeploymentRequest) (*deploy.Deployment, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(r.Out); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("deployment folder %s: %w", r.Out, os.ErrExist)
	}
	d, files, err := deploy.New(cat, r.Products, r.Platforms, r.Target, r.License, time.Now())
	if err != nil {
		return nil, err
	}
	// Found before any download: a deployment for Windows seats carries
	// the assistant they run.
	var assistant string
	if d.HasPlatform(catalog.WindowsAMD64) {
		if assistant, err = WindowsAssistant(r.Assistant); err != nil {
			return nil, err
		}
	}
	// Rights before any download: each product's, and for the seat key
	// the install benefit, which the service asks of whoever makes one. A
	// registration that cannot happen (no session) is said before any
	// download too; the key itself is asked for once the packages are in.
	for _, p := range d.Products {
		if err := s.checkRights(ctx, p.ID, false); err != nil {
			return nil, err
		}
	}
	reg := cmpAccount(r.Account, s.src.Account())
	if r.Register {
		if reg == nil {
			return nil, fmt.Errorf("seat key: %w", ErrNotSignedIn)
		}
		if err := checkInstall(ctx, reg); err != nil {
			return nil, err
		}
	}
	for i, f := range files {
		s.emit(Event{Step: StepDownload, Done: int64(i), Total: int64(len(files)), Message: f.File})
		pkg := catalog.Package{URL: f.URL, SHA256: f.SHA256, Size: f.Size}
		if _, err := s.fetch(ctx, "", pkg, filepath.Join(r.Out, filepath.FromSlash(f.File))); err != nil {
			return nil, err
		}
	}
	if r.Register {
		c := reg
		var ids []string
		for _, p := range d.Products {
			ids = append(ids, p.ID)
		}
		key, _, err := c.CreateSeatKey(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("seat key: %w", err)
		}
		d.SeatRegistration = &deploy.SeatRegistration{Server: c.Server(), Key: key}
	}
	if assistant != "" {
		if d.Assistant, err = copyAssistant(assistant, r.Out); err != nil {
			return nil, err
		}
	}
	if err := deploy.Write(r.Out, d, s.src.Signed, r.Demo); err != nil {
		return nil, err
	}
	s.emit(Event{Step: StepDone, Done: int64(len(files)), Total: int64(len(files))})
	return d, nil
}

// copyAssistant copies the Windows assistant into the deployment folder
// out, hashing it on the way.
func copyAssistant(src, out string) (*deploy.Assistant, error) {
	in, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("the Windows assistant: %w", err)
	}
	defer in.Close()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	dst := filepath.Join(out, deploy.WindowsAssistantFile)
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return nil, fmt.Errorf("the Windows assistant: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), in)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return nil, fmt.Errorf("the Windows assistant: copying %s: %w", src, err)
	}
	return &deploy.Assistant{File: deploy.WindowsAssistantFile, Platform: catalog.WindowsAMD64,
		SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// Status of a product in a deployment's install.
const (
	DeployInstalled    = "installed"
	DeployRequirements = "requirements-not-met"
	DeployIntegrity    = "integrity-failure"
	DeployTarget       = "target-unusable"
	DeployFailed       = "failed"
	DeployNotInstalled = "not-installed"
	// DeployUnchanged: this version is installed already, in the
	// deployment's folder; a re-run leaves it, and the version kept for
	// rollback, as they are.
	DeployUnchanged = "unchanged"
	// DeployNewerInstalled: a newer version is installed; a deployment
	// does not downgrade it unless DeployOptions.AllowDowngrade.
	DeployNewerInstalled = "newer-installed"
)

// ErrNewerInstalled: a deployment would replace a newer installed version.
var ErrNewerInstalled = errors.New("a newer version is installed")

// NewerInstalledError names the products a deployment would downgrade.
type NewerInstalledError struct {
	Products []NewerInstalled
}

// NewerInstalled is one product a deployment would downgrade.
type NewerInstalled struct {
	Product, Installed, Deployed string
}

func (e *NewerInstalledError) Error() string {
	parts := make([]string, len(e.Products))
	for i, p := range e.Products {
		parts[i] = fmt.Sprintf("%s %s is installed, newer than the deployment's %s", p.Product, p.Installed, p.Deployed)
	}
	return strings.Join(parts, "; ") + ": nothing installed (allow the downgrade with --allow-downgrade)"
}

func (e *NewerInstalledError) Is(target error) bool { return target == ErrNewerInstalled }

// DeployOptions are how a deployment is installed on a seat.
type DeployOptions struct {
	// StateDir is the installer's state folder ("" for the default).
	StateDir string
	// LogDir receives the OS installers' logs (msiexec's), one per
	// product and version; "" for installer.MachineLogDir().
	LogDir string
	// AllowDowngrade installs a version older than the one installed.
	AllowDowngrade bool
	// ZipCodePage names the code page of zip names without the UTF-8 flag
	// ("" for the usual rule: UTF-8 when valid, else CP437).
	ZipCodePage string
}

// DeploymentResult is what installing a deployment on this seat did.
type DeploymentResult struct {
	Products     []DeployedProduct `json:"products"`
	Log          string            `json:"log"`
	RebootNeeded bool              `json:"reboot_needed"`
	// RestartStarted: an OS installer started a restart itself (MSI 1641).
	RestartStarted bool   `json:"restart_started,omitempty"`
	SeatRegistered bool   `json:"seat_registered"`
	SeatMessage    string `json:"seat_message"`
}

// DeployedProduct is one product of a deployment's install.
type DeployedProduct struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Status  string `json:"status"`
	Detail  string `json:"detail,omitempty"`
	Target  string `json:"target,omitempty"`
	// Unmet are the failed requirements, for the front end to word.
	Unmet []syscheck.Item `json:"-"`
}

// VerifyFunc verifies a deployment folder's signed catalog with the keys
// this seat trusts, without holding its age against it (it is pinned).
type VerifyFunc func(signed []byte) (*catalog.Verified, error)

// InstallDeployment installs a deployment folder on this seat, unattended:
// the publisher's signature over the folder, then every product's
// requirements, then every package and install folder, and only then the
// installs; nothing is installed unless every check passes. logf gets
// the log lines. The error says why it stopped (a RequirementsError, an
// integrity error, a *installer.DeploymentError, ...); the result says
// which product had which problem.
func InstallDeployment(ctx context.Context, dir string, verify VerifyFunc, stateDir string, logf func(format string, args ...any)) (*DeploymentResult, error) {
	return InstallDeploymentWith(ctx, dir, verify, DeployOptions{StateDir: stateDir}, logf)
}

// InstallDeploymentWith is InstallDeployment with options. A product
// whose version is installed already in the deployment's folder is left
// as it is (DeployUnchanged), so a re-run changes nothing and keeps the
// version kept for rollback; a product with a newer version installed
// stops the deployment before anything is installed (a
// *NewerInstalledError), unless opt.AllowDowngrade.
func InstallDeploymentWith(ctx context.Context, dir string, verify VerifyFunc, opt DeployOptions, logf func(format string, args ...any)) (*DeploymentResult, error) {
	res := &DeploymentResult{Products: []DeployedProduct{}}
	d, err := deploy.Read(dir)
	if err != nil {
		logf("cannot read the deployment: %v", err)
		return res, err
	}
	plat := catalog.CurrentPlatform()
	root := d.Target
	if root == "" {
		root = installer.DefaultMachineTarget(runtime.GOOS)
	}
	logf("deployment of %d product(s) for %s, into %s", len(d.Products), plat, root)

	// 0. The publisher's signature over every product and package: a
	// folder changed by anyone else installs nothing.
	if err := verifyDeployment(dir, d, verify, logf); err != nil {
		res.Products = integrityResults(d, err)
		logf("refused: %v", err)
		return res, err
	}

	for _, p := range d.Products {
		res.Products = append(res.Products, DeployedProduct{ID: p.ID, Version: p.Version, Target: filepath.Join(root, p.ID)})
	}
	logDir := opt.LogDir
	if logDir == "" {
		logDir = installer.MachineLogDir()
	}
	in, err := installer.New(installer.Options{StateDir: opt.StateDir, ZipCodePage: opt.ZipCodePage, NativeLogDir: logDir})
	if err != nil {
		logf("installer: %v", err)
		return res, err
	}

	// 1. What is installed: the same version is left alone, a newer one
	// is not downgraded unless asked.
	if err := installedVersions(in, d, res, opt.AllowDowngrade, logf); err != nil {
		logf("refused: %v", err)
		return res, err
	}
	var todo []deploy.Product
	for i, p := range d.Products {
		if res.Products[i].Status != DeployUnchanged {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		logf("every product is installed at the deployment's version already: nothing to do")
		res.SeatRegistered, res.SeatMessage = RegisterSeat(ctx, d)
		logf("seat registration: %s", res.SeatMessage)
		return res, nil
	}

	// 2. Requirements, for every product before anything changes.
	if err := checkRequirements(ctx, d, res, syscheck.Options{Target: root, Cache: dir}, logf); err != nil {
		return res, err
	}
	// 3. Every package and every install folder, before anything is
	// installed: a deployment installs whole or not at all.
	sub := *d
	sub.Products = todo
	pkgs, err := deploy.Prepare(ctx, in, dir, &sub, plat, root)
	if err != nil {
		return res, prepareProblems(res, err, logf)
	}
	// 4. Install.
	if err := installPackages(ctx, in, pkgs, res, logf); err != nil {
		return res, err
	}
	if res.RebootNeeded && !d.AllowReboot {
		logf("a restart is needed to finish; not restarting: the deployment does not allow it")
	}
	res.SeatRegistered, res.SeatMessage = RegisterSeat(ctx, d)
	logf("seat registration: %s", res.SeatMessage)
	return res, nil
}

// integrityResults is each product's result when the deployment's
// signature check failed (err): the problems a *deploy.Error names for it
// (DeployIntegrity), none (DeployNotInstalled); any other error is every
// product's.
func integrityResults(d *deploy.Deployment, err error) []DeployedProduct {
	var de *deploy.Error
	isDeployErr := errors.As(err, &de)
	out := make([]DeployedProduct, 0, len(d.Products))
	for _, p := range d.Products {
		dp := DeployedProduct{ID: p.ID, Version: p.Version, Status: DeployIntegrity, Detail: err.Error()}
		if isDeployErr {
			dp.Detail = ""
			for _, pr := range de.Problems {
				if pr.Product == p.ID {
					dp.Detail = strings.TrimSpace(dp.Detail + " " + pr.Err.Error())
				}
			}
			if dp.Detail == "" {
				dp.Status = DeployNotInstalled
			}
		}
		out = append(out, dp)
	}
	return out
}

// checkRequirements evaluates the requirements of every product of d not
// installed already against this machine, marking in res those unmet
// (DeployRequirements); the first is the *RequirementsError returned.
func checkRequirements(ctx context.Context, d *deploy.Deployment, res *DeploymentResult, sopt syscheck.Options, logf func(string, ...any)) error {
	facts, err := syscheck.Gather(ctx, sopt)
	if err != nil {
		logf("system check: %v", err)
		return err
	}
	var unmet error
	for i, p := range d.Products {
		dp := &res.Products[i]
		if dp.Status == DeployUnchanged {
			continue
		}
		reqs, _ := p.RequirementsFor()
		var platforms []catalog.Platform
		for pl := range p.Packages {
			platforms = append(platforms, pl)
		}
		rep := syscheck.Evaluate(facts, reqs, platforms)
		for _, it := range rep.Items {
			logf("%s: %s %s: required %s, found %s (%s)", p.ID, it.ID, it.Status, dash(it.Required), it.Found, it.Evidence)
		}
		if !rep.Failed() {
			continue
		}
		dp.Status = DeployRequirements
		for _, it := range rep.Items {
			if it.Status == syscheck.Fail {
				dp.Unmet = append(dp.Unmet, it)
			}
		}
		if unmet == nil {
			unmet = &RequirementsError{Product: p.ID, Version: p.Version, Report: rep}
		}
	}
	return unmet
}

// prepareProblems marks in res the problems deploy.Prepare found (err)
// with their product's status, and returns err.
func prepareProblems(res *DeploymentResult, err error, logf func(string, ...any)) error {
	var de *deploy.Error
	if !errors.As(err, &de) {
		logf("%v", err)
		return err
	}
	for _, pr := range de.Problems {
		logf("%s: %v", pr.Product, pr.Err)
		i := slices.IndexFunc(res.Products, func(dp DeployedProduct) bool { return dp.ID == pr.Product })
		if i < 0 {
			continue
		}
		dp := &res.Products[i]
		dp.Detail = strings.TrimSpace(dp.Detail + " " + pr.Err.Error())
		dp.Status = prepareStatus(pr.Err)
	}
	logf("nothing installed: %d problem(s) found before installing", len(de.Problems))
	return err
}

// prepareStatus is the status of a product whose package or install
// folder failed a check before installing.
func prepareStatus(err error) string {
	var te *deploy.TargetError
	var se *installer.SpaceError
	var ae *archive.Error
	switch {
	case errors.Is(err, installer.ErrPackageHash) || errors.As(err, &ae):
		return DeployIntegrity
	case errors.As(err, &te) || errors.As(err, &se) || errors.Is(err, installer.ErrInTheWay) || errors.Is(err, installer.ErrReadOnly) ||
		errors.Is(err, installer.ErrNeedsElevated) || errors.Is(err, installer.ErrTargetNotEmpty):
		return DeployTarget
	}
	return DeployFailed
}

// installPackages installs the packages checked, in order, each through
// Install as a single-seat install (under the product's lock, with the
// receipt that products, verify and uninstall read: for a native
// installer, its product code); the first failure stops.
func installPackages(ctx context.Context, in *installer.Installer, pkgs []installer.Package, res *DeploymentResult, logf func(string, ...any)) error {
	for _, pkg := range pkgs {
		dp := &res.Products[slices.IndexFunc(res.Products, func(dp DeployedProduct) bool { return dp.ID == pkg.Product })]
		rec, err := in.Install(ctx, pkg, dp.Target)
		if err != nil {
			logf("%s: install failed: %v", pkg.Product, err)
			dp.Status, dp.Detail = DeployFailed, err.Error()
			return err
		}
		if pkg.Format.IsArchive() {
			logf("%s %s: installed in %s (%d files)", rec.Product, rec.Version, rec.Target, rec.FileCount)
		} else {
			res.RebootNeeded = res.RebootNeeded || rec.RebootNeeded
			res.RestartStarted = res.RestartStarted || rec.ExitCode == 1641
			logf("%s %s: installed by the %s installer (exit code %d)", pkg.Product, pkg.Version, pkg.Format, rec.ExitCode)
		}
		dp.Status = DeployInstalled
	}
	return nil
}

// installedVersions marks in res each product of d installed already at
// the deployment's version in the deployment's folder (DeployUnchanged),
// and returns a *NewerInstalledError for the products a newer version of
// which is installed, unless allowDowngrade.
func installedVersions(in *installer.Installer, d *deploy.Deployment, res *DeploymentResult, allowDowngrade bool, logf func(string, ...any)) error {
	var newer []NewerInstalled
	for i, p := range d.Products {
		dp := &res.Products[i]
		rec, err := in.Receipt(p.ID)
		if errors.Is(err, installer.ErrNotInstalled) {
			logf("%s: not installed: installing %s", p.ID, p.Version)
			continue
		}
		if err != nil {
			dp.Status, dp.Detail = DeployFailed, err.Error()
			return err
		}
		have, err1 := catalog.ParseVersion(rec.Version)
		want, err2 := catalog.ParseVersion(p.Version)
		if err1 != nil || err2 != nil {
			logf("%s: installed version %q cannot be compared: installing %s", p.ID, rec.Version, p.Version)
			continue
		}
		// An archive installed elsewhere is not this deployment's: it is
		// installed again where the deployment says.
		sameFolder := rec.Native() || sameFile(rec.Target, dp.Target)
		switch c := have.Compare(want); {
		case c == 0 && sameFolder:
			dp.Status = DeployUnchanged
			logf("%s %s: installed already: left as it is", p.ID, p.Version)
		case c > 0 && !allowDowngrade:
			dp.Status = DeployNewerInstalled
			dp.Detail = fmt.Sprintf("%s is installed, newer than %s", rec.Version, p.Version)
			newer = append(newer, NewerInstalled{Product: p.ID, Installed: rec.Version, Deployed: p.Version})
		case c > 0:
			logf("%s: %s is installed: downgrading to %s (allowed)", p.ID, rec.Version, p.Version)
		default:
			logf("%s: %s is installed: installing %s", p.ID, rec.Version, p.Version)
		}
	}
	if len(newer) > 0 {
		for i := range res.Products {
			if res.Products[i].Status == "" {
				res.Products[i].Status = DeployNotInstalled
			}
		}
		return &NewerInstalledError{Products: newer}
	}
	return nil
}

// sameFile reports whether two paths name one folder, as the OS compares
// names (case folded on Windows and macOS).
func sameFile(a, b string) bool {
	a, b = filepath.Clean(a), filepath.Clean(b)
	if a == b {
		return true
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return strings.EqualFold(a, b)
	}
	return false
}

// verifyDeployment checks the folder's signed catalog and deployment.json
// against it.
func verifyDeployment(dir string, d *deploy.Deployment, verify VerifyFunc, logf func(string, ...any)) error {
	signed, err := deploy.ReadCatalog(dir)
	if err != nil {
		return err
	}
	v, err := verify(signed)
	if err != nil {
		return err
	}
	c, err := catalog.Parse(v.Payload)
	if err != nil {
		return fmt.Errorf("%s: %w", deploy.CatalogFile, err)
	}
	logf("catalog of %q signed by key %s, issued %s", c.Publisher, v.KeyID, v.Issued.Format(time.RFC3339))
	if !time.Now().Before(v.Expires) {
		logf("the catalog expired on %s: accepted, a deployment's catalog is pinned (its signature counts, not its age)", v.Expires.Format(time.RFC3339))
	}
	return d.MatchCatalog(c)
}

// RegisterSeat counts this machine for each product of the deployment. An
// unreachable or refusing service does not fail the install (the seat is
// installed and works); the message says what happened, for the log.
func RegisterSeat(ctx context.Context, d *deploy.Deployment) (bool, string) {
	r := d.SeatRegistration
	if r == nil {
		return false, "not registered: the deployment was created without --register"
	}
	id, err := syscheck.MachineID(ctx)
	if err != nil {
		return false, "not registered: " + err.Error()
	}
	hostname, _ := os.Hostname()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var counts []string
	for _, p := range d.Products {
		used, seats, err := account.RegisterSeatWithKey(ctx, r.Server, r.Key, id, hostname, p.ID)
		if err != nil {
			return false, fmt.Sprintf("not registered with %s: %s: %v (the install itself succeeded; run the deployment again to retry)", r.Server, p.ID, err)
		}
		counts = append(counts, fmt.Sprintf("%s %d of %d seats", p.ID, used, seats))
	}
	return true, "registered with " + r.Server + ": " + strings.Join(counts, ", ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
