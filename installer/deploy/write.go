package deploy

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/native"
	"onramp.dev/onramp/internal/atomicfile"
)

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
