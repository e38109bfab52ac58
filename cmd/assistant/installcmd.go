package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
)

// newInstaller reports the plan (before anything changes) and progress.
func newInstaller(e *env, silent, allowNonEmpty bool, scope installer.Scope) (*installer.Installer, error) {
	return installer.New(installer.Options{AllowNonEmptyTarget: allowNonEmpty, Scope: scope, Progress: func(p installer.Progress) {
		switch {
		case e.json && p.Step == "plan":
			writeNDJSON(e.stdout, map[string]any{"event": "plan", "plan": p.Plan})
		case e.json:
			writeNDJSON(e.stdout, map[string]any{"event": p.Step, "files": p.Files, "total": p.Total, "bytes": p.Bytes})
		case p.Step == "plan" && !silent:
			printPlan(e, p.Plan)
		}
	}})
}

// fetchPackage downloads a release's package for this machine through the
// cache, as `download` does, and describes it for the installer.
func fetchPackage(ctx context.Context, e *env, tf *transferFlags, c *catalog.Catalog, ref string, plat catalog.Platform, base string) (installer.Package, error) {
	p, r, err := c.Find(ref)
	if err != nil {
		return installer.Package{}, err
	}
	pkg, ok := r.Packages[plat]
	if !ok {
		return installer.Package{}, fmt.Errorf("%s %s has no package for %s", p.Name, r.Version, plat)
	}
	u, err := resolvePackageURL(base, pkg.URL)
	if err != nil {
		return installer.Package{}, err
	}
	client, err := tf.client(e)
	if err != nil {
		return installer.Package{}, err
	}
	dest := filepath.Join(defaultCache(), filepath.Base(pkg.URL))
	res, err := client.Fetch(ctx, downloader.Request{URL: u, SHA256: pkg.SHA256, Size: pkg.Size, Dest: dest})
	if err != nil {
		return installer.Package{}, err
	}
	return installer.Package{Path: res.Path, SHA256: pkg.SHA256, Format: pkg.Format, Product: p.ID, Version: r.Version.String(), Recipe: pkg.Install, Platform: plat}, nil
}

func installCommand() *command {
	var product, pkgFile, sum, target, format, scope string
	var silent, planOnly, allowNonEmpty bool
	var src catalogSource
	var tf transferFlags
	return &command{
		name:    "install",
		args:    "(--product ID[@VER] | --package FILE --sha256 HEX) [--target DIR]",
		summary: "install a product on this machine",
		help: `Shows the plan (files, size, target, what it replaces), then unpacks the
package into a staging folder beside the target and swaps it into place at
once. The version it replaces is kept for 'rollback'. Any failure, a killed
process included, leaves the previous state. Archives only for now (zip,
tar.gz); with --product, the package is downloaded (verified, cached) first.

A target folder that already holds files but no install of the product is
refused unless --allow-nonempty-target is given; then those files stay
where they are, through upgrades, repairs and uninstall. Files you add to
an install folder are kept the same way, and listed.

Machine-wide installs keep their receipts where every user's commands find
them (Windows: %ProgramData%\Onramp, macOS: /Library/Application
Support/Onramp, Linux: /var/lib/onramp); see --scope.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&product, "product", "", "product `ID` or ID@VERSION from the catalog")
			fs.StringVar(&pkgFile, "package", "", "package `FILE` to install")
			fs.StringVar(&sum, "sha256", "", "the package's SHA-256 (`HEX`), with --package")
			fs.StringVar(&format, "format", "", "the package's `format` (zip, tar.gz), with --package (default: from its name)")
			fs.StringVar(&target, "target", "", "install `folder` (default: the per-user install folder/PRODUCT)")
			fs.BoolVar(&silent, "silent", false, "print nothing but errors (and the result with --json)")
			fs.BoolVar(&planOnly, "plan", false, "show the plan and change nothing")
			fs.StringVar(&scope, "scope", "", "whose receipts keep the install: `user` or machine (default: machine-wide under the machine-wide install folder or when run as administrator/root outside your home, per-user otherwise; an upgrade stays where it is)")
			fs.BoolVar(&allowNonEmpty, "allow-nonempty-target", false, "install into a folder that already holds other files (they are left in place)")
			src.register(fs, true)
			tf.register(fs)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			var pkg installer.Package
			switch {
			case (product == "") == (pkgFile == ""):
				return usagef("give one of --product ID[@VER] or --package FILE --sha256 HEX")
			case pkgFile != "":
				if sum == "" {
					return usagef("--package needs --sha256 HEX")
				}
				f, err := packageFormat(pkgFile, format)
				if err != nil {
					return err
				}
				name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(pkgFile), "."+string(f)), filepath.Ext(pkgFile))
				id, ver, _ := strings.Cut(name, "-")
				abs, err := filepath.Abs(pkgFile) // recorded for repair, which may run from another folder
				if err != nil {
					return err
				}
				pkg = installer.Package{Path: abs, SHA256: sum, Format: f, Product: strings.ToLower(id), Version: ver}
			default:
				c, base, stop, err := src.packages(e)
				if err != nil {
					return err
				}
				defer stop()
				if pkg, err = fetchPackage(ctx, e, &tf, c, product, catalog.CurrentPlatform(), base); err != nil {
					return err
				}
			}
			if target == "" {
				target = filepath.Join(defaultTarget(), pkg.Product)
			}
			target, err := filepath.Abs(target)
			if err != nil {
				return err
			}
			if scope != "" && scope != string(installer.ScopeUser) && scope != string(installer.ScopeMachine) {
				return usagef("--scope %q: want user or machine", scope)
			}
			in, err := newInstaller(e, silent, allowNonEmpty, installer.Scope(scope))
			if err != nil {
				return err
			}
			if planOnly {
				plan, err := in.PlanInstall(ctx, pkg, target)
				if err != nil {
					return nonEmptyHint(err)
				}
				if e.json {
					writeNDJSON(e.stdout, map[string]any{"event": "plan", "plan": plan})
				} else {
					printPlan(e, plan)
				}
				return nil
			}
			rec, err := in.Install(ctx, pkg, target)
			if err != nil {
				return nonEmptyHint(err)
			}
			if e.json {
				writeNDJSON(e.stdout, map[string]any{"event": "result", "product": rec.Product, "version": rec.Version,
					"target": rec.Target, "files": len(rec.Files), "launch": launchPath(rec), "kept": kept(rec)})
			} else if !silent {
				fmt.Fprintf(e.stdout, "Installed %s %s in %s (%d files).\n", termSafe(rec.Product), termSafe(rec.Version), termSafe(rec.Target), len(rec.Files))
				printKept(e, rec.Kept)
				if l := launchPath(rec); l != "" {
					fmt.Fprintf(e.stdout, "Start it: %s\n", termSafe(l))
				}
			}
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

func printKept(e *env, files []string) {
	if len(files) > 0 {
		fmt.Fprintf(e.stdout, "Left in place (not installed by Onramp): %s\n", strings.Join(termSafeList(files), ", "))
	}
}

func launchPath(rec *installer.Receipt) string {
	if rec.Launch == "" {
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

func printPlan(e *env, p *installer.Plan) {
	fmt.Fprintf(e.stdout, "Plan: install %s %s into %s\n", p.Product, p.Version, p.Target)
	if p.Native {
		fmt.Fprintln(e.stdout, "  with the operating system's installer")
	} else {
		fmt.Fprintf(e.stdout, "  %d files, %s; %s free on that volume\n", p.Files, catalog.ByteSize(p.Bytes), catalog.ByteSize(p.FreeSpace))
	}
	if p.Replaces != "" {
		fmt.Fprintf(e.stdout, "  replaces version %s, which is kept for 'rollback'\n", p.Replaces)
	}
	if p.NeedsElevation {
		fmt.Fprintln(e.stdout, "  needs administrator rights")
	}
	if p.MayReboot {
		fmt.Fprintln(e.stdout, "  may ask for a restart (never done without your consent)")
	}
}

// productCommand builds uninstall, verify, repair and rollback: each takes
// --product ID and acts on this machine's install.
func productCommand(name, summary string, act func(ctx context.Context, e *env, in *installer.Installer, product string) error) *command {
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
			in, err := installer.New(installer.Options{})
			if err != nil {
				return err
			}
			return act(ctx, e, in, product)
		},
	}
}

func uninstallCommand() *command {
	return productCommand("uninstall", "remove an installed product", func(ctx context.Context, e *env, in *installer.Installer, product string) error {
		left, err := in.Uninstall(ctx, product)
		if err != nil {
			return err
		}
		if e.json {
			writeJSON(e.stdout, map[string]any{"product": product, "uninstalled": true, "left": left})
			return nil
		}
		fmt.Fprintf(e.stdout, "Uninstalled %s.\n", product)
		printKept(e, left)
		return nil
	})
}

func verifyCommand() *command {
	return productCommand("verify", "check an installed product's files against its receipt", func(ctx context.Context, e *env, in *installer.Installer, product string) error {
		rep, err := in.Verify(ctx, product)
		if err != nil {
			return err
		}
		if e.json {
			writeJSON(e.stdout, map[string]any{"report": rep, "ok": rep.OK()})
		} else if rep.OK() {
			fmt.Fprintf(e.stdout, "%s %s: all %d files as installed.\n", rep.Product, rep.Version, rep.Files)
		} else {
			fmt.Fprintf(e.stdout, "%s %s in %s: %d missing, %d changed\n", rep.Product, rep.Version, rep.Target, len(rep.Missing), len(rep.Changed))
			for _, m := range rep.Missing {
				fmt.Fprintf(e.stdout, "  missing: %s\n", termSafe(m))
			}
			for _, c := range rep.Changed {
				fmt.Fprintf(e.stdout, "  changed: %s\n", termSafe(c))
			}
			fmt.Fprintf(e.stdout, "Run '%s repair --product %s' to restore them.\n", toolName, product)
		}
		if !rep.OK() {
			return &exitError{exitIntegrity, errReported}
		}
		return nil
	})
}

func repairCommand() *command {
	return productCommand("repair", "reinstall an installed product's files from its package", func(ctx context.Context, e *env, in *installer.Installer, product string) error {
		rec, err := in.Repair(ctx, product)
		if err != nil {
			return err
		}
		if e.json {
			writeJSON(e.stdout, map[string]any{"product": rec.Product, "version": rec.Version, "repaired": true, "kept": kept(rec)})
			return nil
		}
		fmt.Fprintf(e.stdout, "Repaired %s %s in %s.\n", rec.Product, rec.Version, rec.Target)
		printKept(e, rec.Kept)
		return nil
	})
}

func rollbackCommand() *command {
	return productCommand("rollback", "go back to the version the last install replaced", func(ctx context.Context, e *env, in *installer.Installer, product string) error {
		rec, err := in.Rollback(ctx, product)
		if err != nil {
			return err
		}
		if e.json {
			writeJSON(e.stdout, map[string]any{"product": rec.Product, "version": rec.Version, "rolled_back": true, "kept": kept(rec)})
			return nil
		}
		fmt.Fprintf(e.stdout, "Rolled %s back to %s (run rollback again to undo).\n", rec.Product, rec.Version)
		printKept(e, rec.Kept)
		return nil
	})
}

// installErrorCode maps installer errors to the contract's exit codes.
func installErrorCode(err error) (int, bool) {
	var ae *installer.ArchiveError
	switch {
	case errors.Is(err, installer.ErrPackageHash), errors.As(err, &ae):
		return exitIntegrity, true
	}
	return 0, false
}
