package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
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
	var out, licenseServer, target string
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
				License: installer.License{Mode: "per-user"}, Demo: signedByDemoKey(e, s.Source().Signed)}
			if licenseServer != "" {
				req.License = installer.License{Mode: "network", Server: licenseServer}
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

func deployInstallCommand() *command {
	var silent bool
	var logFile, zipCodePage string
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
			registerZipCodePage(fs, &zipCodePage)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			dir := args[0]
			if err := installer.CheckZipCodePage(zipCodePage); err != nil {
				return usagef("--zip-codepage: %v", err)
			}
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
			verify := func(signed []byte) (*catalog.Verified, error) { return e.openSigned(signed, keys, true) }
			res, err := setup.InstallDeploymentWith(ctx, dir, verify, installer.Options{ZipCodePage: zipCodePage}, logf)
			code := exitCode(err)
			res.Log = logFile
			for i, p := range res.Products {
				for _, it := range p.Unmet {
					res.Products[i].Detail = strings.TrimSpace(res.Products[i].Detail + " " + it.ID + ": " + adviceText(it.Fix))
				}
			}
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

func summary(r *setup.DeploymentResult, code int) string {
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
	if !slices.ContainsFunc(r.Products, func(p setup.DeployedProduct) bool { return p.Status == setup.DeployInstalled }) {
		return "nothing installed: the deployment cannot be installed on this seat"
	}
	return "the deployment failed"
}
