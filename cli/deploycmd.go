package cli

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

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/archive"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/setup"
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
	var out, licenseServer, target, assistant string
	var register bool
	var src sourceFlags
	var tf transferFlags
	return &command{
		name:    "create",
		args:    "--product ID[@VER]... --out DIR [--license-server HOST:PORT] [--target DIR]",
		summary: "build a deployment folder for IT to push to many seats",
		help: `Downloads and verifies each product's packages (all platforms of the release,
or those named with --platform), and writes DIR/deployment.json, install
scripts for Windows, macOS and Linux that call 'assistant deploy install',
and README-IT.txt with the commands, detection rules and return codes for
deployment tools. A deployment with Windows packages carries the Windows
assistant, assistant.exe, which its install-windows.cmd and
uninstall-windows.cmd run: this program when it is the Windows one, else
--assistant FILE, else assistant.exe beside this program or in the
release's windows-amd64 folder; without one, nothing is downloaded and
the command fails saying so.`,
		nargs:  [2]int{0, 0},
		stream: true,
		flags: func(fs *flag.FlagSet) {
			fs.Var(&products, "product", "product `ID` or ID@VERSION (repeatable)")
			fs.Var(&platforms, "platform", "only this `OS/ARCH` (repeatable; default: every platform of the release)")
			fs.StringVar(&out, "out", "", "new deployment `folder`; required")
			fs.StringVar(&licenseServer, "license-server", "", "network licence server `HOST:PORT` (default: per-user licences)")
			fs.StringVar(&target, "target", "", "install `folder` on the seats (default: each OS's machine-wide folder)")
			fs.StringVar(&assistant, "assistant", "", "the Windows assistant `FILE` a deployment for windows/amd64 carries (default: this program when it is the Windows one, else assistant.exe beside it or in the release's windows-amd64 folder)")
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
			opt, err := (&installFlags{}).options(&tf)
			if err != nil {
				return err
			}
			s, closeSrc, err := src.core(ctx, e, opt, true)
			if err != nil {
				return err
			}
			defer closeSrc()
			req := setup.DeploymentRequest{Products: products, Platforms: only, Target: target, Out: out, Register: register,
				License: deploy.License{Mode: "per-user"}, Demo: signedByDemoKey(e, s.Source().Signed), Assistant: assistant}
			if req.Assistant == "" && runtime.GOOS == "windows" && runtime.GOARCH == "amd64" {
				// This program is the Windows assistant: the seats run it.
				if req.Assistant, err = os.Executable(); err != nil {
					return fmt.Errorf("the Windows assistant: %w", err)
				}
			}
			if licenseServer != "" {
				req.License = deploy.License{Mode: "network", Server: licenseServer}
			}
			if register && (e.demo || src.file != "") {
				// The catalog is a file or the demo's: the seat key comes
				// from the service the user is signed in to.
				if req.Account, err = e.signedInClient(ctx); err != nil {
					return err
				}
			}
			d, err := s.CreateDeployment(ctx, req)
			if err != nil {
				return err
			}
			// The seat key stays in deployment.json, out of the logs that
			// capture this output.
			shown := *d
			if r := d.SeatRegistration; r != nil {
				shown.SeatRegistration = &deploy.SeatRegistration{Server: r.Server, Key: "(in deployment.json)"}
			}
			e.out.result(jsonout.DeploymentCreated{Event: jsonout.EventResult, Out: out, Deployment: &shown}, func(w io.Writer) {
				fmt.Fprintf(w, "Deployment ready in %s:\n", out)
				for _, p := range d.Products {
					fmt.Fprintf(w, "  %s %s: %d package(s)\n", p.Name, p.Version, len(p.Packages))
				}
				fmt.Fprintf(w, "Push the folder to the seats and run its install script as administrator; README-IT.txt has the details.\n")
			})
			return nil
		},
	}
}

func deployInstallCommand() *command {
	var silent, allowDowngrade, windowsCodes bool
	var logFile, zipCodePage string
	var keys keyFiles
	return &command{
		name:    "install",
		args:    "DIR [--silent] [--log FILE] [--allow-downgrade] [--windows-exit-codes]",
		summary: "install a deployment folder on this seat, unattended",
		help: `Verifies the folder's signed catalog (catalog.signed.json) with the keys
this seat trusts (the publisher profile's catalog_keys, machine-wide;
trusted_keys in the configuration; each --key file; the demo key with
--demo), checks deployment.json's products and every package against it,
checks this machine against every product's requirements and every install
folder (no file in the way, writable, enough free space), then installs
each product. Nothing is installed unless every check passes. A product
installed already at the deployment's version is left as it is (a re-run
changes nothing and keeps the version kept for rollback); a newer version
installed stops the deployment unless --allow-downgrade. The catalog's
expiry is not held against a deployment: seats may install it long after
it was built. Never opens a window, never restarts the machine.
The log is appended to deploy-PRODUCTS.log in the machine's log folder
(Windows: %ProgramData%\Onramp\logs, macOS: /Library/Logs/Onramp, Linux:
/var/log/onramp), with the Windows Installer logs beside it.
Exit 0 installed (or nothing to do), 1 failed, 3 requirements not met,
4 a package or the folder does not match the publisher's signed catalog or
its key is not trusted, 7 a newer version is installed, 8 another
installation is in progress (retry). With --windows-exit-codes (which
install-windows.cmd passes), the codes Intune and Configuration Manager act
on: 3010 installed and a restart is needed, 1641 an installer started a
restart, 1618 (not 8) another installation is in progress.`,
		nargs: [2]int{1, 1},
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&silent, "silent", false, "print nothing but the result line (or the JSON result)")
			fs.StringVar(&logFile, "log", "", "log `FILE` (default: deploy-PRODUCTS.log in the machine's log folder, appended)")
			fs.Var(&keys, "key", "also trust the public key in `FILE` (repeatable)")
			fs.BoolVar(&allowDowngrade, "allow-downgrade", false, "replace a newer installed version by the deployment's")
			fs.BoolVar(&windowsCodes, "windows-exit-codes", false, "exit 3010 (restart needed), 1641 (restart started) and 1618 (another installation in progress) as Windows installers do")
			registerZipCodePage(fs, &zipCodePage)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			dir := args[0]
			if err := archive.CheckZipCodePage(zipCodePage); err != nil {
				return usagef("--zip-codepage: %v", err)
			}
			lf, path, err := openDeployLog(dir, logFile)
			if err != nil {
				return err
			}
			defer lf.Close()
			var out io.Writer = lf
			if !silent {
				out = io.MultiWriter(lf, e.out.echo())
			}
			logf := func(format string, args ...any) {
				fmt.Fprintf(out, time.Now().UTC().Format(time.RFC3339)+" "+format+"\n", args...)
			}
			logf("deploy install %s", dir)
			verify := func(signed []byte) (*catalog.Verified, error) { return e.openSigned(signed, keys, true) }
			res, err := setup.InstallDeploymentWith(ctx, dir, verify,
				setup.DeployOptions{LogDir: filepath.Dir(path), AllowDowngrade: allowDowngrade, ZipCodePage: zipCodePage}, logf)
			code := exitCode(err)
			res.Log = path
			for i, p := range res.Products {
				for _, it := range p.Unmet {
					res.Products[i].Detail = strings.TrimSpace(res.Products[i].Detail + " " + it.ID + ": " + adviceText(it.Fix))
				}
			}
			line := summary(res, code, err)
			logf("%s", line)
			if windowsCodes {
				code = windowsExitCode(res, code)
			}
			logf("exit code %d", code)
			e.out.result((*jsonout.DeploymentInstalled)(res), func(w io.Writer) {
				fmt.Fprintf(w, "%s (log: %s)\n", line, path)
				if code != exitOK {
					for _, p := range res.Products {
						if p.Detail != "" {
							fmt.Fprintf(w, "  %s: %s\n", p.ID, p.Detail)
						}
					}
				}
			})
			if code != exitOK {
				return &exitError{code, errReported}
			}
			return nil
		},
	}
}

// Windows installers' exit codes, which Intune and Configuration Manager
// act on: success with a restart to come (soft), a restart started
// (hard), and "retry later".
const (
	winRebootNeeded   = 3010
	winRestartStarted = 1641
	winRetry          = 1618
)

// windowsExitCode maps the contract's code of a deployment's install to
// what a Windows deployment tool acts on. Failures keep the contract's
// codes, which those tools count as failures.
func windowsExitCode(res *setup.DeploymentResult, code int) int {
	switch {
	case code == exitOK && res.RestartStarted:
		return winRestartStarted
	case code == exitOK && res.RebootNeeded:
		return winRebootNeeded
	case code == exitBusy:
		return winRetry
	}
	return code
}

// maxDeployLog bounds a deployment's log: past it, the log is renamed
// NAME.old (replacing the one before) and a new one starts, so a seat that
// runs the deployment every day keeps its recent runs and never fills
// the disk.
const maxDeployLog = 4 << 20

// openDeployLog opens the log of the deployment in dir: file when given,
// else deploy-PRODUCTS.log in the machine's log folder, appended (IT finds
// it by a name that does not change from run to run). A seat where this
// account cannot write the machine's folder logs to the user's cache
// folder instead.
func openDeployLog(dir, file string) (*os.File, string, error) {
	if file == "" {
		name := "deploy.log"
		if d, err := deploy.Read(dir); err == nil {
			name = deploy.LogName(d)
		}
		file = filepath.Join(installer.MachineLogDir(), name)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			cache, cerr := os.UserCacheDir()
			if cerr != nil {
				return nil, "", fmt.Errorf("log folder: %w", err)
			}
			file = filepath.Join(cache, "Onramp", "logs", name)
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return nil, "", fmt.Errorf("log folder: %w", err)
			}
		}
	}
	if st, err := os.Stat(file); err == nil && st.Size() > maxDeployLog {
		if err := os.Rename(file, file+".old"); err != nil {
			return nil, "", fmt.Errorf("log: %w", err)
		}
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", fmt.Errorf("log: %w", err)
	}
	return f, file, nil
}

func summary(r *setup.DeploymentResult, code int, err error) string {
	count := func(status string) int {
		n := 0
		for _, p := range r.Products {
			if p.Status == status {
				n++
			}
		}
		return n
	}
	switch code {
	case exitOK:
		installed, unchanged := count(setup.DeployInstalled), count(setup.DeployUnchanged)
		var s string
		switch {
		case installed == 0:
			s = fmt.Sprintf("nothing to do: %d product(s) installed already at the deployment's version, unchanged", unchanged)
		case unchanged > 0:
			s = fmt.Sprintf("installed %d product(s); %d installed already at the deployment's version, unchanged", installed, unchanged)
		default:
			s = fmt.Sprintf("installed %d product(s)", installed)
		}
		if r.RestartStarted {
			s += "; an installer started a restart of the machine"
		} else if r.RebootNeeded {
			s += "; a restart is needed to finish (not done: deploy install never restarts the machine; the deployment tool or the user restarts it)"
		}
		return s
	case exitRequirements:
		return "nothing installed: this machine does not meet the requirements"
	case exitIntegrity:
		if errors.Is(err, catalog.ErrUntrustedKey) {
			return "nothing installed: the folder's catalog is signed by a key this seat does not trust: " + err.Error()
		}
		return "nothing installed: the folder does not match the publisher's signed catalog"
	case exitNewerInstalled:
		return err.Error()
	case exitBusy:
		return "another installation is in progress: run the deployment again once it ends"
	}
	if !slices.ContainsFunc(r.Products, func(p setup.DeployedProduct) bool { return p.Status == setup.DeployInstalled }) {
		return "nothing installed: the deployment cannot be installed on this seat"
	}
	return "the deployment failed"
}
