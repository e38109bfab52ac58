// Package native runs the operating systems' own installers (MSI on
// Windows, PKG and DMG on macOS) silently: never a window, never a
// reboot unless the recipe allows it. Their command lines and exit codes
// are plain functions, tested on every OS; they are executed only on
// their own OS. It reads an MSI's product code, which uninstall needs.
//
// Callers: the installer, which runs a native package under the
// product's lock and keeps its receipt, and deployments, whose IT README
// names each MSI's product code.
package native

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"onramp.dev/onramp/catalog"
)

// command is one program to run.
type command struct {
	Path string
	Args []string
}

// msiCommand installs an MSI silently, without restarting, with a verbose log.
func msiCommand(pkg, logFile string, extra []string) command {
	args := []string{"/i", pkg, "/qn", "/norestart", "/l*v", logFile}
	for _, a := range extra {
		if !slices.Contains(args, a) {
			args = append(args, a)
		}
	}
	return command{Path: "msiexec.exe", Args: args}
}

// msiUninstallCommand removes an installed MSI product by its product code,
// silently, without restarting, with a verbose log.
func msiUninstallCommand(productCode, logFile string) command {
	return command{Path: "msiexec.exe", Args: []string{"/x", productCode, "/qn", "/norestart", "/l*v", logFile}}
}

// productCodeRE is an MSI product code: a braced GUID, nothing else (it
// goes on msiexec's command line). Compiled when first used, not at
// package init, which every run of the assistant pays.
var productCodeRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$`)
})

// ErrBadProductCode: what should name an installed MSI product is not a
// braced GUID.
var ErrBadProductCode = errors.New("not an MSI product code ({GUID})")

// pkgCommand installs a macOS package for the machine ("/") or, where the
// package allows it, for the user ("CurrentUserHomeDirectory").
func pkgCommand(pkg string, perUser bool, extra []string) command {
	target := "/"
	if perUser {
		target = "CurrentUserHomeDirectory"
	}
	return command{Path: "/usr/sbin/installer", Args: append([]string{"-pkg", pkg, "-target", target}, extra...)}
}

// dmgCommands attach a disk image without showing it, copy its app to
// the target, and detach it.
func dmgCommands(image, mountpoint, app, target string) []command {
	return []command{
		{Path: "/usr/bin/hdiutil", Args: []string{"attach", "-nobrowse", "-readonly", "-noautoopen", "-mountpoint", mountpoint, image}},
		{Path: "/usr/bin/ditto", Args: []string{filepath.Join(mountpoint, app), filepath.Join(target, app)}},
		{Path: "/usr/bin/hdiutil", Args: []string{"detach", mountpoint, "-force"}},
	}
}

// Result is what a native installer's exit code means.
type Result struct {
	ExitCode     int  `json:"exit_code"`
	RebootNeeded bool `json:"reboot_needed"`
	// ProductCode is an MSI's product code, which uninstall needs.
	ProductCode string `json:"product_code,omitempty"`
}

// Error is a native installer's failure, with its exit code.
type Error struct {
	Format  catalog.Format
	Code    int
	Meaning string
	Log     string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s installer failed with exit code %d", e.Format, e.Code)
	if e.Meaning != "" {
		s += ": " + e.Meaning
	}
	if e.Log != "" {
		s += " (log: " + e.Log + ")"
	}
	return s
}

// ErrCancelled: the native installer says the install was cancelled (MSI
// 1602); nothing was installed.
var ErrCancelled = errors.New("the install was cancelled")

// ErrAnotherInstall: another installation holds the OS installer (MSI
// 1618); nothing was installed, and the same command may succeed later.
var ErrAnotherInstall = errors.New("another installation is in progress")

// Is makes MSI's 1602 an ErrCancelled and 1618 an ErrAnotherInstall for
// callers that branch on them.
func (e *Error) Is(target error) bool {
	if e.Format != catalog.FormatMSI {
		return false
	}
	return (target == ErrCancelled && e.Code == 1602) || (target == ErrAnotherInstall && e.Code == 1618)
}

// MSINotInstalled is msiexec /x's answer for a product that is not
// installed (removed by hand, say): the uninstall has nothing left to do.
const MSINotInstalled = 1605

// Windows Installer's documented exit codes.
var msiMeanings = map[int]string{
	1602: "the install was cancelled",
	1603: "a fatal error during installation",
	1605: "the product is not installed",
	1618: "another installation is already in progress; try again when it ends",
	1619: "the package could not be opened",
	1625: "the install is forbidden by system policy",
	1633: "the package is not for this platform",
	1638: "another version of this product is already installed",
	1639: "invalid command line",
}

// MapExitCode reads an installer's exit code with the recipe's lists.
// MSI's 3010 and 1641 mean "installed, reboot needed" unless the recipe
// says otherwise.
func MapExitCode(format catalog.Format, code int, r catalog.Recipe) (Result, error) {
	success := r.SuccessCodes
	if len(success) == 0 {
		success = []int{0}
	}
	reboot := r.RebootCodes
	if len(reboot) == 0 && format == catalog.FormatMSI {
		reboot = []int{3010, 1641}
	}
	switch {
	case slices.Contains(success, code):
		return Result{ExitCode: code}, nil
	case slices.Contains(reboot, code):
		return Result{ExitCode: code, RebootNeeded: true}, nil
	}
	e := &Error{Format: format, Code: code}
	if format == catalog.FormatMSI {
		e.Meaning = msiMeanings[code]
	}
	return Result{ExitCode: code}, e
}

// ErrWrongOS: a native package is for another operating system.
var ErrWrongOS = errors.New("this package installs on another operating system")

// Package is a native package to run: a verified file.
type Package struct {
	Path    string
	Format  catalog.Format
	Recipe  catalog.Recipe
	Product string // with Version, names the log
	Version string
}

// Install runs a native package silently and maps its exit code. logDir
// receives the installer's log. The caller has verified the package.
func Install(ctx context.Context, pkg Package, logDir string) (Result, error) {
	var cmds []command
	var productCode string
	logFile := filepath.Join(logDir, pkg.Product+"-"+pkg.Version+".log")
	switch {
	case pkg.Format == catalog.FormatMSI && runtime.GOOS == "windows":
		// Read before installing: a product Onramp cannot name, it
		// cannot remove.
		code, err := ProductCode(pkg.Path)
		if err != nil {
			return Result{}, err
		}
		productCode = code
		cmds = []command{msiCommand(pkg.Path, logFile, pkg.Recipe.SilentArgs)}
	case pkg.Format == catalog.FormatPKG && runtime.GOOS == "darwin":
		cmds = []command{pkgCommand(pkg.Path, false, pkg.Recipe.SilentArgs)}
	case pkg.Format == catalog.FormatDMG && runtime.GOOS == "darwin":
		mnt, err := os.MkdirTemp("", "onramp-dmg-")
		if err != nil {
			return Result{}, err
		}
		defer os.Remove(mnt)
		app := pkg.Recipe.Launch
		if app == "" {
			return Result{}, fmt.Errorf("%s: a dmg package needs install.launch naming the app to copy", pkg.Path)
		}
		cmds = dmgCommands(pkg.Path, mnt, app, "/Applications")
	default:
		return Result{}, fmt.Errorf("%s (%s on %s): %w", pkg.Path, pkg.Format, runtime.GOOS, ErrWrongOS)
	}
	res, err := run(ctx, pkg.Format, pkg.Recipe, cmds, logFile)
	res.ProductCode = productCode
	return res, err
}

// Uninstall removes an MSI product by its product code (from the
// install's Result), silently, and maps msiexec's exit code. logDir
// receives the log.
func Uninstall(ctx context.Context, productCode, logDir string) (Result, error) {
	if !productCodeRE().MatchString(productCode) {
		return Result{}, fmt.Errorf("uninstall %q: %w", productCode, ErrBadProductCode)
	}
	if runtime.GOOS != "windows" {
		return Result{}, fmt.Errorf("uninstall %s (msi on %s): %w", productCode, runtime.GOOS, ErrWrongOS)
	}
	logFile := filepath.Join(logDir, "uninstall-"+strings.Trim(productCode, "{}")+".log")
	res, err := run(ctx, catalog.FormatMSI, catalog.Recipe{}, []command{msiUninstallCommand(productCode, logFile)}, logFile)
	res.ProductCode = productCode
	return res, err
}

// run runs a native installer's commands in order and maps each
// exit code; the first failure stops them.
func run(ctx context.Context, format catalog.Format, recipe catalog.Recipe, cmds []command, logFile string) (Result, error) {
	var res Result
	for _, c := range cmds {
		cmd := exec.CommandContext(ctx, c.Path, c.Args...)
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			code = ee.ExitCode()
		case err != nil:
			return res, fmt.Errorf("%s: %w", c.Path, err)
		}
		r, err := MapExitCode(format, code, recipe)
		if ne := (*Error)(nil); errors.As(err, &ne) && format == catalog.FormatMSI {
			ne.Log = logFile
		}
		if err != nil {
			return r, err
		}
		res.ExitCode, res.RebootNeeded = r.ExitCode, res.RebootNeeded || r.RebootNeeded
	}
	return res, nil
}
