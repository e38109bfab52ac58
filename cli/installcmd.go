package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/archive"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/installer/native"
	"onramp.dev/onramp/setup"
)

// installFlags are what every command that installs shares.
type installFlags struct {
	scope         string
	allowNonEmpty bool
	silent        bool
	zipCodePage   string
}

func (f *installFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.silent, "silent", false, "print nothing but errors (and the result with --json)")
	fs.StringVar(&f.scope, "scope", "", "whose receipts keep the install: `user` or machine (default: machine-wide under the machine-wide install folder or when run as administrator/root outside your home, per-user otherwise; an upgrade stays where it is)")
	fs.BoolVar(&f.allowNonEmpty, "allow-nonempty-target", false, "install into a folder that already holds other files (they are left in place)")
	registerZipCodePage(fs, &f.zipCodePage)
}

func registerZipCodePage(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "zip-codepage", "", "read zip names written without the UTF-8 flag in code page `NAME` (Shift_JIS, GBK, windows-1252, IBM437...; default: UTF-8 when the bytes are UTF-8, else CP437)")
}

func (f *installFlags) options(tf *transferFlags) (setup.Options, error) {
	if f.scope != "" && f.scope != string(installer.ScopeUser) && f.scope != string(installer.ScopeMachine) {
		return setup.Options{}, usagef("--scope %q: want user or machine", f.scope)
	}
	if err := archive.CheckZipCodePage(f.zipCodePage); err != nil {
		return setup.Options{}, usagef("--zip-codepage: %v", err)
	}
	opt := setup.Options{Scope: installer.Scope(f.scope), AllowNonEmptyTarget: f.allowNonEmpty, ZipCodePage: f.zipCodePage}
	if tf != nil {
		rate, err := parseRate(tf.limitRate)
		if err != nil {
			return opt, usagef("--limit-rate: %v", err)
		}
		stall, err := tf.stallTimeout()
		if err != nil {
			return opt, err
		}
		opt.RateLimit, opt.CABundle, opt.CacheDir, opt.Durable, opt.StallTimeout = rate, tf.caBundle, tf.cacheDir, tf.sync, stall
	}
	return opt, nil
}

func downloadCommand() *command {
	var product, platform, out string
	var src sourceFlags
	var tf transferFlags
	return &command{
		name:    "download",
		args:    "--product ID[@VER] [--platform OS/ARCH]",
		summary: "download a product's package into the package cache",
		help: `Checks this machine against the release's requirements (exit 3 when one
fails), then takes the package's URL, size and SHA-256 from the signed
catalog and fetches it as 'fetch' does, into the package cache the window
uses too. Signed in, the catalog and the package come from the account
service; --catalog FILE (with --base for its relative URLs) or --demo
choose another source.`,
		nargs:  [2]int{0, 0},
		stream: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&product, "product", "", "product `ID` or ID@VERSION; required")
			fs.StringVar(&platform, "platform", string(catalog.CurrentPlatform()), "package for `OS/ARCH` (another platform's is not checked against this machine)")
			fs.StringVar(&out, "out", "", "download `folder` (default: the package cache, --cache)")
			src.register(fs, true)
			tf.register(fs)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if product == "" {
				return usagef("--product ID[@VER] is required")
			}
			plat, err := catalog.ParsePlatform(platform)
			if err != nil {
				return usagef("--platform: %v", err)
			}
			opt, err := (&installFlags{}).options(&tf)
			if err != nil {
				return err
			}
			opt.CacheDir = cmpOr(out, opt.CacheDir)
			s, closeSrc, err := src.core(ctx, e, opt, false)
			if err != nil {
				return err
			}
			defer closeSrc()
			d, err := s.Download(ctx, product, plat)
			if err != nil {
				return err
			}
			e.out.result(jsonout.DownloadResult{Event: jsonout.EventResult, Product: d.Product.ID, Version: d.Release.Version.String(), Platform: d.Platform, Result: d.Result}, func(w io.Writer) {
				fmt.Fprintf(w, "%s %s for %s: %s verified (%s)%s\n", termSafe(d.Product.Name), d.Release.Version, d.Platform, d.Path, catalog.ByteSize(d.Result.Size), describeResult(d.Result))
			})
			return nil
		},
	}
}

func installCommand() *command {
	var product, pkgFile, sum, target, format string
	var planOnly bool
	var src sourceFlags
	var tf transferFlags
	var inf installFlags
	return &command{
		name:    "install",
		args:    "(--product ID[@VER] | --package FILE --sha256 HEX) [--target DIR]",
		summary: "install a product on this machine",
		help: `Checks this machine, downloads the package (verified, cached), shows the
plan (files, size, target, what it replaces), then unpacks the package into
a staging folder beside the target and swaps it into place at once. The
version it replaces is kept for 'rollback'. Any failure, a killed process
included, leaves the previous state. A native package (Windows: msi) is
run by the operating system's installer, silently and without restarting
(msiexec /i FILE /qn /norestart, with a log beside the receipts); it
chooses the folder, and 'uninstall' removes the product by its product
code. When it asks for a restart (3010, 1641) the install succeeded: the
output says a restart is needed to finish ("reboot_needed" with --json).
A cancelled native install (1602) exits 130, as an interrupted one does;
a failed one (1603 and others) exits 1 naming its log. With --package, the product and version are the catalog's for the file's
SHA-256 (or give --product ID@VERSION).

A target folder that already holds files but no install of the product is
refused unless --allow-nonempty-target is given; then those files stay
where they are, through upgrades, repairs and uninstall. Files you add to
an install folder are kept the same way, and listed.

Machine-wide installs keep their receipts where every user's commands find
them (Windows: %ProgramData%\Onramp, macOS: /Library/Application
Support/Onramp, Linux: /var/lib/onramp); see --scope.`,
		nargs:  [2]int{0, 0},
		stream: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&product, "product", "", "product `ID` or ID@VERSION from the catalog")
			fs.StringVar(&pkgFile, "package", "", "package `FILE` to install")
			fs.StringVar(&sum, "sha256", "", "the package's SHA-256 (`HEX`), with --package")
			fs.StringVar(&format, "format", "", "the package's `format` (zip, tar.gz, msi, pkg, dmg), with --package (default: the catalog's, else from its name)")
			fs.StringVar(&target, "target", "", "install `folder` (default: where it is installed, else the per-user install folder/PRODUCT)")
			fs.BoolVar(&planOnly, "plan", false, "show the plan and change nothing")
			inf.register(fs)
			src.register(fs, true)
			tf.register(fs)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if product == "" && pkgFile == "" {
				return usagef("give one of --product ID[@VER] or --package FILE --sha256 HEX")
			}
			if pkgFile != "" && sum == "" {
				return usagef("--package needs --sha256 HEX")
			}
			opt, err := inf.options(&tf)
			if err != nil {
				return err
			}
			if target != "" {
				if target, err = filepath.Abs(target); err != nil {
					return err
				}
			}
			var s *setup.Setup
			if pkgFile != "" && src.file == "" && !e.demo && strings.Contains(product, "@") {
				// The file and --product ID@VERSION say it all: no catalog needed.
				opt.Progress = e.progress(!inf.silent)
				s = setup.New(nil, opt)
			} else {
				var closeSrc func()
				if s, closeSrc, err = src.core(ctx, e, opt, inf.silent); err != nil {
					return err
				}
				defer closeSrc()
			}
			var rec *installer.Receipt
			if pkgFile != "" {
				f, ferr := packageFormat(pkgFile, format)
				if ferr != nil && format != "" {
					return ferr
				}
				pkg, err := s.PackageFile(pkgFile, sum, f, product)
				if err != nil {
					return err
				}
				if pkg.Format == "" {
					return ferr
				}
				if planOnly {
					plan, err := s.PlanFile(ctx, pkg, target)
					return printPlanOnly(e, plan, err)
				}
				rec, err = s.InstallFile(ctx, pkg, target)
				if err != nil {
					return nonEmptyHint(err)
				}
			} else {
				if planOnly {
					plan, err := s.Plan(ctx, product, target)
					return printPlanOnly(e, plan, err)
				}
				if rec, err = s.Install(ctx, product, target); err != nil {
					return nonEmptyHint(err)
				}
			}
			doc := jsonout.InstallResult{Event: jsonout.EventResult, Product: rec.Product, Version: rec.Version, Target: rec.Target,
				Files: rec.FileCount, Launch: launchPath(rec), Kept: kept(rec), Native: rec.Native(), RebootNeeded: rec.RebootNeeded, ProductCode: rec.ProductCode}
			e.out.result(doc, unlessSilent(inf.silent, func(w io.Writer) {
				if rec.Native() {
					fmt.Fprintf(w, "Installed %s %s with the operating system's %s installer", termSafe(rec.Product), termSafe(rec.Version), rec.Format)
				} else {
					fmt.Fprintf(w, "Installed %s %s in %s (%d files)", termSafe(rec.Product), termSafe(rec.Version), termSafe(rec.Target), rec.FileCount)
				}
				if rec.RebootNeeded {
					fmt.Fprint(w, "; a restart is needed to finish")
				}
				fmt.Fprintln(w, ".")
				printKept(w, rec.Kept)
				if l := launchPath(rec); l != "" {
					fmt.Fprintf(w, "Start it: %s\n", termSafe(l))
				}
			}))
			return nil
		},
	}
}

// printPlanOnly prints install --plan's result: the plan, as the plan
// event with --json.
func printPlanOnly(e *env, plan *installer.Plan, err error) error {
	if err != nil {
		return nonEmptyHint(err)
	}
	e.out.result(jsonout.PlanEvent{Event: jsonout.EventPlan, Plan: plan}, func(w io.Writer) { printPlan(w, plan) })
	return nil
}

func updateCommand() *command {
	var product string
	var all bool
	var src sourceFlags
	var tf transferFlags
	var inf installFlags
	return &command{
		name:    "update",
		args:    "(--product ID | --all)",
		summary: "install the newest release the catalog lists",
		help: `For an installed product whose catalog lists a newer release: checks this
machine, downloads the package and installs it where the product is; the
version it replaces is kept for 'rollback'. --all updates every installed
product of the subscription.`,
		nargs:  [2]int{0, 0},
		stream: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&product, "product", "", "installed product `ID`")
			fs.BoolVar(&all, "all", false, "every installed product")
			inf.register(fs)
			src.register(fs, true)
			tf.register(fs)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if (product == "") == !all {
				return usagef("give one of --product ID or --all")
			}
			opt, err := inf.options(&tf)
			if err != nil {
				return err
			}
			s, closeSrc, err := src.core(ctx, e, opt, true)
			if err != nil {
				return err
			}
			defer closeSrc()
			var updates []setup.Update
			if all {
				updates, err = s.UpdateAll(ctx)
			} else {
				var u *setup.Update
				if u, err = s.Update(ctx, product); err == nil {
					updates = []setup.Update{*u}
				}
			}
			if updates == nil {
				updates = []setup.Update{}
			}
			e.out.result(jsonout.UpdateResult{Event: jsonout.EventResult, Updates: updates}, unlessSilent(inf.silent, func(w io.Writer) {
				for _, u := range updates {
					if u.Updated {
						fmt.Fprintf(w, "Updated %s from %s to %s ('%s rollback --product %s' goes back).\n", termSafe(u.Product), termSafe(u.From), termSafe(u.To), toolName, termSafe(u.Product))
					} else {
						fmt.Fprintf(w, "%s %s is the newest release.\n", termSafe(u.Product), termSafe(u.From))
					}
				}
			}))
			return nonEmptyHint(err)
		},
	}
}

func productsCommand() *command {
	var src sourceFlags
	return &command{
		name: "products", summary: "your subscription's products and their state on this machine", nargs: [2]int{0, 0},
		help: `For each product: installed or not, which version, whether the catalog lists
a newer one, whether its newest package is already downloaded, and whether
its files are intact (damaged: run 'repair').`,
		flags: func(fs *flag.FlagSet) { src.register(fs, true) },
		run: func(ctx context.Context, e *env, _ []string) error {
			s, closeSrc, err := src.core(ctx, e, setup.Options{}, true)
			if err != nil {
				return err
			}
			defer closeSrc()
			states, err := s.Products(ctx)
			if err != nil {
				return err
			}
			var benefits []api.Benefit
			if c := s.Source().Account(); c != nil {
				me, err := c.WhoAmI(ctx)
				if err != nil {
					return err
				}
				benefits = me.User.Benefits
			}
			e.out.result(jsonout.Products{Products: states, Benefits: benefits}, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "PRODUCT\tNAME\tSTATE\tINSTALLED\tLATEST")
				for _, p := range states {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", termSafe(p.ID), termSafe(p.Name), strings.ReplaceAll(string(p.State), "_", " "), dash(termSafe(p.InstalledVersion)), termSafe(p.LatestVersion))
				}
				tw.Flush()
				if benefits != nil {
					fmt.Fprintf(w, "Your benefits: %s\n", strings.ReplaceAll(strings.Join(termSafeList(benefits), ", "), "_", " "))
				}
			})
			return nil
		},
	}
}

// nonEmptyHint names the flag that installs into a folder with other files.
func nonEmptyHint(err error) error {
	if errors.Is(err, installer.ErrTargetNotEmpty) {
		return fmt.Errorf("%w; to install there anyway, leaving those files in place, pass --allow-nonempty-target", err)
	}
	return err
}

// kept lists the files Onramp left in place, never nil (for JSON).
func kept(rec *installer.Receipt) []string {
	if rec.Kept == nil {
		return []string{}
	}
	return rec.Kept
}

func printKept(w io.Writer, files []string) {
	if len(files) > 0 {
		fmt.Fprintf(w, "Left in place (not installed by Onramp): %s\n", strings.Join(termSafeList(files), ", "))
	}
}

func launchPath(rec *installer.Receipt) string {
	if rec.Launch == "" || rec.Target == "" {
		return ""
	}
	return filepath.Join(rec.Target, filepath.FromSlash(rec.Launch))
}

func packageFormat(file, flagValue string) (catalog.Format, error) {
	if flagValue != "" {
		for _, f := range catalog.Formats {
			if string(f) == flagValue {
				return f, nil
			}
		}
		return "", usagef("--format %q: want zip, tar.gz, msi, pkg or dmg", flagValue)
	}
	lower := strings.ToLower(file)
	for _, f := range []catalog.Format{catalog.FormatTarGz, catalog.FormatZip, catalog.FormatMSI, catalog.FormatPKG, catalog.FormatDMG} {
		if strings.HasSuffix(lower, "."+string(f)) {
			return f, nil
		}
	}
	if strings.HasSuffix(lower, ".tgz") {
		return catalog.FormatTarGz, nil
	}
	return "", usagef("cannot tell the format of %s from its name: pass --format", file)
}

func printPlan(w io.Writer, p *installer.Plan) {
	if p.Target == "" {
		fmt.Fprintf(w, "Plan: install %s %s where its installer chooses\n", p.Product, p.Version)
	} else {
		fmt.Fprintf(w, "Plan: install %s %s into %s\n", p.Product, p.Version, p.Target)
	}
	if p.Native {
		fmt.Fprintln(w, "  with the operating system's installer")
	} else {
		fmt.Fprintf(w, "  %d files, %s (%s on disk); %s free on that volume\n", p.Files, catalog.ByteSize(p.Bytes), catalog.ByteSize(p.DiskBytes), catalog.ByteSize(p.FreeSpace))
	}
	if p.Replaces != "" {
		fmt.Fprintf(w, "  replaces version %s, which is kept for 'rollback'\n", p.Replaces)
	}
	if p.NeedsElevation {
		fmt.Fprintln(w, "  needs administrator rights")
	}
	if p.MayReboot {
		fmt.Fprintln(w, "  may ask for a restart (never done without your consent)")
	}
}

// productCommand builds uninstall, verify, repair and rollback: each takes
// --product ID and acts on this machine's install.
func productCommand(name, summary string, act func(ctx context.Context, e *env, in *setup.Setup, product string) error) *command {
	var product string
	return &command{
		name:    name,
		args:    "--product ID",
		summary: summary,
		nargs:   [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&product, "product", "", "installed product `ID`; required")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if product == "" {
				return usagef("--product ID is required")
			}
			return act(ctx, e, setup.New(nil, setup.Options{}), product)
		},
	}
}

func uninstallCommand() *command {
	return productCommand("uninstall", "remove an installed product", func(ctx context.Context, e *env, in *setup.Setup, product string) error {
		left, err := in.Uninstall(ctx, product)
		if err != nil {
			return err
		}
		if left == nil {
			left = []string{}
		}
		e.out.result(jsonout.Uninstalled{Product: product, Uninstalled: true, Left: left}, func(w io.Writer) {
			fmt.Fprintf(w, "Uninstalled %s.\n", product)
			printKept(w, left)
		})
		return nil
	})
}

func verifyCommand() *command {
	return productCommand("verify", "check an installed product's files against its receipt", func(ctx context.Context, e *env, in *setup.Setup, product string) error {
		rep, err := in.Verify(ctx, product)
		if err != nil {
			return err
		}
		e.out.result(jsonout.Verified{Report: rep, OK: rep.OK()}, func(w io.Writer) {
			if rep.OK() {
				fmt.Fprintf(w, "%s %s: all %d files as installed.\n", rep.Product, rep.Version, rep.Files)
				return
			}
			fmt.Fprintf(w, "%s %s in %s: %d missing, %d changed\n", rep.Product, rep.Version, rep.Target, len(rep.Missing), len(rep.Changed))
			for _, m := range rep.Missing {
				fmt.Fprintf(w, "  missing: %s\n", termSafe(m))
			}
			for _, c := range rep.Changed {
				fmt.Fprintf(w, "  changed: %s\n", termSafe(c))
			}
			fmt.Fprintf(w, "Run '%s repair --product %s' to restore them.\n", toolName, product)
		})
		if !rep.OK() {
			return &exitError{exitIntegrity, errReported}
		}
		return nil
	})
}

func repairCommand() *command {
	var product string
	var src sourceFlags
	return &command{
		name:    "repair",
		args:    "--product ID",
		summary: "reinstall an installed product's files from its package",
		help: `Takes the files from a copy of the installed version's package with the
SHA-256 its receipt recorded: the one it was installed from (a deployment
folder's, say), else the package cache's, else a fresh download into the
cache from the signed-in account service or --catalog FILE (with --base).`,
		nargs:  [2]int{0, 0},
		stream: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&product, "product", "", "installed product `ID`; required")
			src.register(fs, true)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if product == "" {
				return usagef("--product ID is required")
			}
			rec, err := setup.New(nil, setup.Options{}).Repair(ctx, product)
			if errors.Is(err, setup.ErrNoVerifiedCopy) {
				// No copy here: download one, from the source named or the
				// session there is. With neither, the first error says so.
				s, closeFn, oerr := src.core(ctx, e, setup.Options{}, false)
				if oerr != nil && src.file == "" && !e.demo {
					return err
				}
				if oerr != nil {
					return oerr
				}
				defer closeFn()
				rec, err = s.Repair(ctx, product)
			}
			return printRepair(e, rec, err)
		},
	}
}

func printRepair(e *env, rec *installer.Receipt, err error) error {
	if err != nil {
		return err
	}
	e.out.result(jsonout.RepairResult{Event: jsonout.EventResult, Product: rec.Product, Version: rec.Version, Repaired: true, Kept: kept(rec)}, func(w io.Writer) {
		fmt.Fprintf(w, "Repaired %s %s in %s.\n", rec.Product, rec.Version, rec.Target)
		printKept(w, rec.Kept)
	})
	return nil
}

func rollbackCommand() *command {
	return productCommand("rollback", "go back to the version the last install replaced", func(ctx context.Context, e *env, in *setup.Setup, product string) error {
		rec, err := in.Rollback(ctx, product)
		if err != nil {
			return err
		}
		e.out.result(jsonout.RolledBack{Product: rec.Product, Version: rec.Version, RolledBack: true, Kept: kept(rec)}, func(w io.Writer) {
			fmt.Fprintf(w, "Rolled %s back to %s (run rollback again to undo).\n", rec.Product, rec.Version)
			printKept(w, rec.Kept)
		})
		return nil
	})
}

// installErrorCode maps installer errors to the contract's exit codes.
func installErrorCode(err error) (int, bool) {
	var ae *archive.Error
	switch {
	case errors.Is(err, installer.ErrPackageHash), errors.As(err, &ae),
		errors.Is(err, deploy.ErrDeploymentChanged), errors.Is(err, deploy.ErrDeploymentUnsigned):
		return exitIntegrity, true
	case errors.Is(err, native.ErrCancelled):
		// A native installer cancelled (MSI 1602): stopped before the end
		// with nothing changed, as an interrupt leaves it.
		return exitInterrupted, true
	case errors.Is(err, native.ErrAnotherInstall), errors.Is(err, installer.ErrLocked):
		return exitBusy, true
	}
	return 0, false
}
