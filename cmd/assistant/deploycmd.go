package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/syscheck"
)

func deployCommand() *command {
	return &command{
		name:    "deploy",
		args:    "create|install|keys",
		summary: "build and install multi-seat deployments",
		sub:     []*command{deployCreateCommand(), deployInstallCommand(), deployKeysCommand()},
	}
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func deployCreateCommand() *command {
	var products, platforms multiFlag
	var out, licenseServer, target string
	var register bool
	var src catalogSource
	var tf transferFlags
	return &command{
		name:    "create",
		args:    "--product ID[@VER]... --out DIR [--license-server HOST:PORT] [--target DIR]",
		summary: "build a deployment folder for IT to push to many seats",
		help: `Downloads and verifies each product's packages (all platforms of the release,
or those named with --platform), and writes DIR/deployment.json, install
scripts for Windows, macOS and Linux that call 'assistant deploy install',
and README-IT.txt with the commands for deployment tools.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.Var(&products, "product", "product `ID` or ID@VERSION (repeatable)")
			fs.Var(&platforms, "platform", "only this `OS/ARCH` (repeatable; default: every platform of the release)")
			fs.StringVar(&out, "out", "", "new deployment `folder`; required")
			fs.StringVar(&licenseServer, "license-server", "", "network licence server `HOST:PORT` (default: per-user licences)")
			fs.StringVar(&target, "target", "", "install `folder` on the seats (default: each OS's machine-wide folder)")
			fs.BoolVar(&register, "register", false, "let the seats count themselves with your account service: asks it (you must be signed in as an admin) for a seat key that can only register seats of these products")
			src.register(fs, true)
			tf.register(fs)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(products) == 0 || out == "" {
				return usagef("--product ID and --out DIR are required")
			}
			var only []catalog.Platform
			for _, p := range platforms {
				plat, err := catalog.ParsePlatform(p)
				if err != nil {
					return usagef("--platform: %v", err)
				}
				only = append(only, plat)
			}
			if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
				return fmt.Errorf("%s is not empty: choose a new --out folder", out)
			}
			c, base, stop, err := src.packages(e)
			if err != nil {
				return err
			}
			defer stop()
			client, err := tf.client(e)
			if err != nil {
				return err
			}
			license := installer.License{Mode: "per-user"}
			if licenseServer != "" {
				license = installer.License{Mode: "network", Server: licenseServer}
			}
			d, files, err := installer.NewDeployment(c, products, only, target, license, time.Now())
			if err != nil {
				return err
			}
			for _, f := range files {
				u, err := resolvePackageURL(base, f.URL)
				if err != nil {
					return err
				}
				if _, err := client.Fetch(ctx, downloader.Request{URL: u, SHA256: f.SHA256, Size: f.Size, Dest: filepath.Join(out, filepath.FromSlash(f.File))}); err != nil {
					return err
				}
			}
			if register {
				c, err := e.signedInClient(ctx)
				if err != nil {
					return err
				}
				var ids []string
				for _, p := range d.Products {
					ids = append(ids, p.ID)
				}
				key, _, err := c.CreateSeatKey(ctx, ids)
				if err != nil {
					return fmt.Errorf("seat key: %w", err)
				}
				d.SeatRegistration = &installer.SeatRegistration{Server: c.Server(), Key: key}
			}
			if err := installer.WriteDeployment(out, d, src.signed, signedByDemoKey(e, src.signed)); err != nil {
				return err
			}
			if e.json {
				// The seat key stays in deployment.json, out of the logs
				// that capture this output.
				shown := *d
				if r := d.SeatRegistration; r != nil {
					shown.SeatRegistration = &installer.SeatRegistration{Server: r.Server, Key: "(in deployment.json)"}
				}
				writeJSON(e.stdout, map[string]any{"out": out, "deployment": &shown})
				return nil
			}
			fmt.Fprintf(e.stdout, "Deployment ready in %s:\n", out)
			for _, p := range d.Products {
				fmt.Fprintf(e.stdout, "  %s %s: %d package(s)\n", p.Name, p.Version, len(p.Packages))
			}
			fmt.Fprintf(e.stdout, "Push the folder to the seats and run its install script as administrator; README-IT.txt has the details.\n")
			return nil
		},
	}
}

// deployResult is what `deploy install` reports.
type deployResult struct {
	Products       []deployProduct `json:"products"`
	Log            string          `json:"log"`
	RebootNeeded   bool            `json:"reboot_needed"`
	SeatRegistered bool            `json:"seat_registered"`
	SeatMessage    string          `json:"seat_message"`
}

type deployProduct struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Status  string `json:"status"` // installed, requirements-not-met, integrity-failure, failed
	Detail  string `json:"detail,omitempty"`
	Target  string `json:"target,omitempty"`
}

// signedByDemoKey reports whether a catalog opened in demo mode is the
// demo key's: its deployment's scripts then pass --demo to the seats.
func signedByDemoKey(e *env, signed []byte) bool {
	env, err := catalog.ReadEnvelope(signed)
	if err != nil || !e.demo {
		return false
	}
	for _, s := range env.Signatures {
		if s.KeyID == catalog.KeyID(assets.DemoPublicKey()) {
			return true
		}
	}
	return false
}

func deployInstallCommand() *command {
	var silent bool
	var logFile string
	var keys keyFiles
	return &command{
		name:    "install",
		args:    "DIR [--silent] [--log FILE]",
		summary: "install a deployment folder on this seat, unattended",
		help: `Verifies the folder's signed catalog (catalog.signed.json) with the keys
this seat trusts (trusted_keys in the configuration, each --key file, the
demo key with --demo), checks deployment.json's products and every
package against it, checks this machine against every product's
requirements and every install folder (no file in the way, writable,
enough free space), then installs each product. Nothing is installed unless
every check passes. The catalog's expiry is not held against a
deployment: seats may install it long after it was built. Never opens a
window, never restarts the machine unless the deployment allows it.
Exit 0 installed, 3 requirements not met, 4 a package or the folder does
not match the publisher's signed catalog, 1 other failure.`,
		nargs: [2]int{1, 1},
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&silent, "silent", false, "print nothing but the result line (or the JSON result)")
			fs.StringVar(&logFile, "log", "", "log `FILE` (default: a new file in the system's temporary folder)")
			fs.Var(&keys, "key", "also trust the public key in `FILE` (repeatable)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			dir := args[0]
			if logFile == "" {
				logFile = filepath.Join(os.TempDir(), "onramp-deploy-"+time.Now().UTC().Format("20060102T150405Z")+".log")
			}
			lf, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return fmt.Errorf("log: %w", err)
			}
			defer lf.Close()
			var out io.Writer = lf
			if !silent && !e.json {
				out = io.MultiWriter(lf, e.stdout)
			}
			logf := func(format string, args ...any) {
				fmt.Fprintf(out, time.Now().UTC().Format(time.RFC3339)+" "+format+"\n", args...)
			}
			res, code := deployInstall(ctx, e, dir, keys, logf)
			res.Log = logFile
			if e.json {
				writeJSON(e.stdout, res)
			} else {
				fmt.Fprintf(e.stdout, "%s (log: %s)\n", summary(res, code), logFile)
				if code != exitOK {
					for _, p := range res.Products {
						if p.Detail != "" {
							fmt.Fprintf(e.stdout, "  %s: %s\n", p.ID, p.Detail)
						}
					}
				}
			}
			if code != exitOK {
				return &exitError{code, errReported}
			}
			return nil
		},
	}
}

func summary(r *deployResult, code int) string {
	switch code {
	case exitOK:
		s := fmt.Sprintf("installed %d product(s)", len(r.Products))
		if r.RebootNeeded {
			s += "; a restart is needed to finish (not done: the deployment does not allow it)"
		}
		return s
	case exitRequirements:
		return "nothing installed: this machine does not meet the requirements"
	case exitIntegrity:
		return "nothing installed: the folder does not match the publisher's signed catalog"
	}
	if !slices.ContainsFunc(r.Products, func(p deployProduct) bool { return p.Status == "installed" }) {
		return "nothing installed: the deployment cannot be installed on this seat"
	}
	return "the deployment failed"
}

func deployInstall(ctx context.Context, e *env, dir string, keys []string, logf func(string, ...any)) (*deployResult, int) {
	res := &deployResult{Products: []deployProduct{}}
	d, err := installer.ReadDeployment(dir)
	if err != nil {
		logf("cannot read the deployment: %v", err)
		return res, exitFailed
	}
	plat := catalog.CurrentPlatform()
	root := d.Target
	if root == "" {
		root = installer.DefaultMachineTarget(runtime.GOOS)
	}
	logf("deployment of %d product(s) for %s, into %s", len(d.Products), plat, root)

	// 0. The publisher's signature over every product and package: a
	// folder changed by anyone else installs nothing.
	if err := verifyDeployment(e, dir, d, keys, logf); err != nil {
		var de *installer.DeploymentError
		for _, p := range d.Products {
			dp := deployProduct{ID: p.ID, Version: p.Version, Status: "integrity-failure", Detail: err.Error()}
			if errors.As(err, &de) {
				dp.Detail = ""
				for _, pr := range de.Problems {
					if pr.Product == p.ID {
						dp.Detail = strings.TrimSpace(dp.Detail + " " + pr.Err.Error())
					}
				}
				if dp.Detail == "" {
					dp.Status = "not-installed"
				}
			}
			res.Products = append(res.Products, dp)
		}
		logf("refused: %v", err)
		if catalog.IsIntegrity(err) || errors.Is(err, installer.ErrDeploymentChanged) || errors.Is(err, installer.ErrDeploymentUnsigned) {
			return res, exitIntegrity
		}
		return res, exitCode(err) // this seat's configuration or catalog history
	}

	// 1. Requirements, for every product before anything changes.
	facts, err := syscheck.Gather(ctx, syscheck.Options{Target: root, Cache: dir})
	if err != nil {
		logf("system check: %v", err)
		return res, exitCode(err)
	}
	code := exitOK
	for _, p := range d.Products {
		dp := deployProduct{ID: p.ID, Version: p.Version, Target: filepath.Join(root, p.ID)}
		reqs, _ := p.RequirementsFor()
		var platforms []catalog.Platform
		for pl := range p.Packages {
			platforms = append(platforms, pl)
		}
		rep := syscheck.Evaluate(facts, reqs, platforms)
		for _, it := range rep.Items {
			logf("%s: %s %s: required %s, found %s (%s)", p.ID, it.ID, it.Status, dash(it.Required), it.Found, it.Evidence)
		}
		if rep.Failed() {
			dp.Status, code = "requirements-not-met", exitRequirements
			for _, it := range rep.Items {
				if it.Status == syscheck.Fail {
					dp.Detail += it.ID + ": " + adviceText(it.Fix) + " "
				}
			}
			dp.Detail = strings.TrimSpace(dp.Detail)
		}
		res.Products = append(res.Products, dp)
	}
	if code != exitOK {
		return res, code
	}
	// 2. Every package and every install folder, before anything is
	// installed: a deployment installs whole or not at all.
	in, err := installer.New(installer.Options{})
	if err != nil {
		logf("installer: %v", err)
		return res, exitFailed
	}
	pkgs, err := in.PrepareDeployment(ctx, dir, d, plat, root)
	if err != nil {
		var de *installer.DeploymentError
		if !errors.As(err, &de) {
			logf("%v", err)
			return res, exitCode(err)
		}
		code = exitFailed
		for _, pr := range de.Problems {
			logf("%s: %v", pr.Product, pr.Err)
			i := slices.IndexFunc(res.Products, func(dp deployProduct) bool { return dp.ID == pr.Product })
			if i < 0 {
				continue
			}
			dp := &res.Products[i]
			dp.Detail = strings.TrimSpace(dp.Detail + " " + pr.Err.Error())
			var te *installer.TargetError
			var se *installer.SpaceError
			switch {
			case errors.Is(pr.Err, installer.ErrPackageHash) || isArchiveError(pr.Err):
				dp.Status, code = "integrity-failure", exitIntegrity
			case errors.As(pr.Err, &te) || errors.As(pr.Err, &se) || errors.Is(pr.Err, installer.ErrInTheWay) ||
				errors.Is(pr.Err, installer.ErrReadOnly) || errors.Is(pr.Err, installer.ErrNeedsElevated) ||
				errors.Is(pr.Err, installer.ErrTargetNotEmpty):
				dp.Status = "target-unusable"
			default:
				dp.Status = "failed"
			}
		}
		logf("nothing installed: %d problem(s) found before installing", len(de.Problems))
		return res, code
	}
	// 3. Install.
	for i, pkg := range pkgs {
		dp := &res.Products[i]
		if pkg.Format.IsArchive() {
			rec, err := in.Install(ctx, pkg, dp.Target)
			if err != nil {
				logf("%s: install failed: %v", pkg.Product, err)
				dp.Status, dp.Detail = "failed", err.Error()
				return res, exitCode(err)
			}
			logf("%s %s: installed in %s (%d files)", rec.Product, rec.Version, rec.Target, len(rec.Files))
		} else {
			nr, err := in.InstallNative(ctx, pkg, filepath.Dir(dp.Target))
			if err != nil {
				logf("%s: install failed: %v", pkg.Product, err)
				dp.Status, dp.Detail = "failed", err.Error()
				return res, exitCode(err)
			}
			res.RebootNeeded = res.RebootNeeded || nr.RebootNeeded
			logf("%s %s: installed by the %s installer (exit code %d)", pkg.Product, pkg.Version, pkg.Format, nr.ExitCode)
		}
		dp.Status = "installed"
	}
	if res.RebootNeeded && !d.AllowReboot {
		logf("a restart is needed to finish; not restarting: the deployment does not allow it")
	}
	res.SeatRegistered, res.SeatMessage = registerSeat(ctx, d)
	logf("seat registration: %s", res.SeatMessage)
	return res, exitOK
}

// verifyDeployment checks the folder's signed catalog with the keys this
// seat trusts (a pinned catalog: see openSigned) and deployment.json
// against it.
func verifyDeployment(e *env, dir string, d *installer.Deployment, keys []string, logf func(string, ...any)) error {
	signed, err := installer.ReadDeploymentCatalog(dir)
	if err != nil {
		return err
	}
	v, err := e.openSigned(signed, keys, true)
	if err != nil {
		return err
	}
	c, err := catalog.Parse(v.Payload)
	if err != nil {
		return fmt.Errorf("%s: %w", installer.DeploymentCatalogFile, err)
	}
	logf("catalog of %q signed by key %s, issued %s", c.Publisher, v.KeyID, v.Issued.Format(time.RFC3339))
	if !time.Now().Before(v.Expires) {
		logf("the catalog expired on %s: accepted, a deployment's catalog is pinned (its signature counts, not its age)", v.Expires.Format(time.RFC3339))
	}
	return d.MatchCatalog(c)
}

// registerSeat counts this machine for each product of the deployment. An
// unreachable or refusing service does not fail the install (the seat is
// installed and works); the message says what happened, for the log.
func registerSeat(ctx context.Context, d *installer.Deployment) (bool, string) {
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

func isArchiveError(err error) bool {
	var ae *installer.ArchiveError
	return errors.As(err, &ae)
}
