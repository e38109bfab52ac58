// Package catalog owns Onramp's product catalog: products, their releases,
// the packages of each release per platform, the machine requirements of
// each release, and the benefits a contract can grant.
//
// Catalogs are parsed strictly (Parse reports every problem at once, each
// with its JSON path and line) and travel inside ed25519-signed envelopes
// (Open, Sign). Every other Onramp package reads products through this one;
// catalog imports nothing else of Onramp's.
package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

// SchemaVersion is the catalog format this package reads and writes.
const SchemaVersion = 1

// Catalog is what a publisher offers: products and their releases.
type Catalog struct {
	Publisher string    `json:"publisher"`
	Products  []Product `json:"products"`
}

// Product is one piece of software a contract can include.
type Product struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Releases    []Release `json:"releases"` // newest first
}

// Release is one version of a product.
type Release struct {
	Version      Version                   `json:"version"`
	Date         Date                      `json:"date"`
	Notes        string                    `json:"notes,omitempty"`
	Packages     map[Platform]Package      `json:"packages"`
	Requirements map[Platform]Requirements `json:"requirements,omitempty"`
}

// Date is a calendar day, written "2026-03-31".
type Date struct{ time.Time }

// MarshalJSON writes the day.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(time.DateOnly) + `"`), nil }

// Marshal writes a catalog in the form Parse reads.
func Marshal(c *Catalog) ([]byte, error) {
	out, err := json.MarshalIndent(struct {
		Schema int `json:"schema"`
		*Catalog
	}{SchemaVersion, c}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Package is the file to download for one platform.
type Package struct {
	// URL is absolute (https, or http on a loopback host) or relative to the
	// address the catalog was fetched from.
	URL     string `json:"url"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"` // lowercase hex
	Format  Format `json:"format"`
	Install Recipe `json:"install,omitzero"`
}

// Recipe says how to install a package and read its result.
type Recipe struct {
	// SilentArgs are passed to a native installer (msi, pkg) for an
	// unattended install.
	SilentArgs []string `json:"silent_args,omitempty"`
	// SuccessCodes are the exit codes that mean "installed"; [0] if empty.
	SuccessCodes []int `json:"success_codes,omitempty"`
	// RebootCodes are exit codes that mean "installed, reboot needed".
	RebootCodes []int `json:"reboot_codes,omitempty"`
	// Launch is the program to start after install, relative to the
	// install folder.
	Launch string `json:"launch,omitempty"`
}

// Format is a package's file format.
type Format string

// The formats Onramp installs.
const (
	FormatZip   Format = "zip"
	FormatTarGz Format = "tar.gz"
	FormatMSI   Format = "msi"
	FormatPKG   Format = "pkg"
	FormatDMG   Format = "dmg"
)

// Formats lists every known format.
var Formats = []Format{FormatZip, FormatTarGz, FormatMSI, FormatPKG, FormatDMG}

// IsArchive reports whether Onramp unpacks the format itself.
func (f Format) IsArchive() bool { return f == FormatZip || f == FormatTarGz }

// Platform is an operating system and CPU architecture, as "os/arch".
type Platform string

// The platforms a catalog may list.
const (
	WindowsAMD64 Platform = "windows/amd64"
	DarwinARM64  Platform = "darwin/arm64"
	DarwinAMD64  Platform = "darwin/amd64"
	LinuxAMD64   Platform = "linux/amd64"
)

// Platforms lists every known platform.
var Platforms = []Platform{WindowsAMD64, DarwinARM64, DarwinAMD64, LinuxAMD64}

// CurrentPlatform is the platform this program was built for.
func CurrentPlatform() Platform { return Platform(runtime.GOOS + "/" + runtime.GOARCH) }

// ParsePlatform accepts "os/arch" (or "os-arch") for a known platform.
func ParsePlatform(s string) (Platform, error) {
	p := Platform(strings.Replace(strings.ToLower(strings.TrimSpace(s)), "-", "/", 1))
	if !slices.Contains(Platforms, p) {
		return "", fmt.Errorf("unknown platform %q (known: %s)", s, joinPlatforms())
	}
	return p, nil
}

// OS is the platform's operating system, e.g. "windows".
func (p Platform) OS() string { os, _, _ := strings.Cut(string(p), "/"); return os }

// Arch is the platform's CPU architecture, e.g. "amd64".
func (p Platform) Arch() string { _, arch, _ := strings.Cut(string(p), "/"); return arch }

func joinPlatforms() string {
	s := make([]string, len(Platforms))
	for i, p := range Platforms {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// Requirements are what a release needs of a machine on one platform. A
// zero field means "no requirement".
type Requirements struct {
	OS      OSRequirement      `json:"os,omitzero"`
	CPU     CPURequirement     `json:"cpu,omitzero"`
	Memory  MemoryRequirement  `json:"memory,omitzero"`
	Disk    DiskRequirement    `json:"disk,omitzero"`
	GPU     GPURequirement     `json:"gpu,omitzero"`
	Display DisplayRequirement `json:"display,omitzero"`
}

// OSRequirement is the oldest operating system version supported
// (Windows build "10.0.19045", macOS "13.0", kernel "5.15").
type OSRequirement struct {
	MinVersion Version `json:"min_version,omitzero"`
}

// CPURequirement covers the processor.
type CPURequirement struct {
	MinLogicalCores int       `json:"min_logical_cores,omitempty"`
	MinClock        Frequency `json:"min_clock,omitzero"`
	// Features are instruction-set extensions, lowercase: "avx2", "sse4_2", "neon".
	Features []string `json:"features,omitempty"`
}

// MemoryRequirement covers RAM.
type MemoryRequirement struct {
	Min         ByteSize `json:"min,omitempty"`
	Recommended ByteSize `json:"recommended,omitempty"`
}

// DiskRequirement is the free space needed on the target volume. The
// download and staging space are needed only during install, but all at
// once: the download is kept until the staged copy is committed.
type DiskRequirement struct {
	Install  ByteSize `json:"install,omitempty"`
	Download ByteSize `json:"download,omitempty"`
	Staging  ByteSize `json:"staging,omitempty"`
}

// Total is the peak free space an install needs on one volume.
func (d DiskRequirement) Total() ByteSize { return d.Install + d.Download + d.Staging }

// GPURequirement covers the graphics card.
type GPURequirement struct {
	MinVRAM         ByteSize `json:"min_vram,omitempty"`
	RecommendedVRAM ByteSize `json:"recommended_vram,omitempty"`
	// Vendors that are supported, lowercase: "nvidia", "amd", "intel", "apple".
	Vendors []string `json:"vendors,omitempty"`
	// CertifiedModels are model names tested by the publisher; a GPU that is
	// not among them gets a warning, not a failure.
	CertifiedModels []string `json:"certified_models,omitempty"`
	// MinDriver is the oldest driver version per vendor.
	MinDriver map[string]Version `json:"min_driver,omitempty"`
}

// DisplayRequirement covers the primary display.
type DisplayRequirement struct {
	MinResolution Resolution `json:"min_resolution,omitzero"`
}

// Benefit is something a contract grants a user.
type Benefit string

// The benefits a contract can grant.
const (
	BenefitDownload     Benefit = "download"
	BenefitInstall      Benefit = "install"
	BenefitWebSupport   Benefit = "web_support"
	BenefitPhoneSupport Benefit = "phone_support"
)

// Benefits lists every benefit.
var Benefits = []Benefit{BenefitDownload, BenefitInstall, BenefitWebSupport, BenefitPhoneSupport}

// ParseBenefit accepts a benefit's name.
func ParseBenefit(s string) (Benefit, error) {
	b := Benefit(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_"))
	if !slices.Contains(Benefits, b) {
		names := make([]string, len(Benefits))
		for i, b := range Benefits {
			names[i] = string(b)
		}
		return "", fmt.Errorf("unknown benefit %q (known: %s)", s, strings.Join(names, ", "))
	}
	return b, nil
}

// Product returns the product with the given ID.
func (c *Catalog) Product(id string) (*Product, bool) {
	for i := range c.Products {
		if c.Products[i].ID == id {
			return &c.Products[i], true
		}
	}
	return nil, false
}

// ErrNotFound is matched by errors.Is when a product or release is missing.
var ErrNotFound = errors.New("not in the catalog")

// Find resolves "ID" (the newest release) or "ID@VERSION".
func (c *Catalog) Find(ref string) (*Product, *Release, error) {
	id, ver, hasVer := strings.Cut(ref, "@")
	p, ok := c.Product(id)
	if !ok {
		return nil, nil, fmt.Errorf("product %q: %w", id, ErrNotFound)
	}
	if len(p.Releases) == 0 {
		return nil, nil, fmt.Errorf("product %q has no release: %w", id, ErrNotFound)
	}
	if !hasVer {
		return p, p.Latest(), nil
	}
	want, err := ParseVersion(ver)
	if err != nil {
		return nil, nil, fmt.Errorf("product %q: %w", ref, err)
	}
	for i := range p.Releases {
		if p.Releases[i].Version.Compare(want) == 0 {
			return p, &p.Releases[i], nil
		}
	}
	return nil, nil, fmt.Errorf("product %q has no release %s: %w", id, want, ErrNotFound)
}

// Latest is the release with the highest version.
func (p *Product) Latest() *Release {
	var best *Release
	for i := range p.Releases {
		if best == nil || p.Releases[i].Version.Compare(best.Version) > 0 {
			best = &p.Releases[i]
		}
	}
	return best
}
