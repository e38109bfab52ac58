package assets

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"onramp.dev/onramp/catalog"
)

// The demo: three products with several releases each, whose packages are
// real archives built here, byte for byte the same on every run, so the
// demo downloads, verifies and installs them for real on any machine.
//
// demo/catalog.json is generated from demoProducts by `go generate ./assets`
// (see gen.go) and checked against it by the tests, so it never drifts.

// demoTime is the timestamp of every file in every demo archive.
var demoTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// DemoPackagePath is where a demo package is served, relative to the
// catalog's address: "packages/NAME".
const DemoPackagePath = "packages/"

type demoRelease struct {
	version, date, notes string
	payloadKiB           int // size of the product's data file
	reqs                 catalog.Requirements
}

type demoProduct struct {
	id, name, description string
	releases              []demoRelease
}

func size(s string) catalog.ByteSize {
	b, err := catalog.ParseByteSize(s)
	if err != nil {
		panic(err)
	}
	return b
}

// demoProducts is made on first use (its sizes and versions are parsed):
// the command line links this package, and a value made at package
// initialisation costs every run.
var demoProducts = sync.OnceValue(func() []demoProduct {
	return []demoProduct{
		{
			id:          "atlas",
			name:        "Atlas CAD",
			description: "2D and 3D design for engineering teams.",
			releases: []demoRelease{
				{"2.10.0", "2026-09-15", "Faster file open; new sketch constraints.", 768, catalog.Requirements{
					OS:     catalog.OSRequirement{MinVersion: catalog.MustVersion("5.4")},
					CPU:    catalog.CPURequirement{MinLogicalCores: 2, Features: []string{"sse4_2"}},
					Memory: catalog.MemoryRequirement{Min: size("2 GiB"), Recommended: size("8 GiB")},
					Disk:   catalog.DiskRequirement{Install: size("20 MiB"), Download: size("2 MiB"), Staging: size("20 MiB")},
				}},
				{"2.9.1", "2026-06-02", "Fixes a crash when printing large drawings.", 640, catalog.Requirements{
					OS:     catalog.OSRequirement{MinVersion: catalog.MustVersion("5.4")},
					CPU:    catalog.CPURequirement{MinLogicalCores: 2},
					Memory: catalog.MemoryRequirement{Min: size("2 GiB"), Recommended: size("8 GiB")},
					Disk:   catalog.DiskRequirement{Install: size("20 MiB"), Download: size("2 MiB"), Staging: size("20 MiB")},
				}},
			},
		},
		{
			id:          "lumen",
			name:        "Lumen Render",
			description: "GPU path tracing for product visualisation.",
			releases: []demoRelease{
				{"1.5.0", "2026-10-01", "Denoiser on by default.", 1024, catalog.Requirements{
					CPU:     catalog.CPURequirement{MinLogicalCores: 4, MinClock: 2000, Features: []string{"avx2"}},
					Memory:  catalog.MemoryRequirement{Min: size("8 GiB"), Recommended: size("32 GiB")},
					Disk:    catalog.DiskRequirement{Install: size("50 MiB"), Download: size("2 MiB"), Staging: size("50 MiB")},
					GPU:     catalog.GPURequirement{MinVRAM: size("4 GiB"), RecommendedVRAM: size("8 GiB"), Vendors: []string{"nvidia", "amd", "apple"}, CertifiedModels: []string{"NVIDIA RTX A2000", "NVIDIA RTX 4000 Ada", "AMD Radeon PRO W7600", "Apple M2 Pro"}, MinDriver: map[string]catalog.Version{"nvidia": catalog.MustVersion("535.0")}},
					Display: catalog.DisplayRequirement{MinResolution: catalog.Resolution{Width: 1920, Height: 1080}},
				}},
				{"1.4.2", "2026-07-20", "Stability fixes.", 1024, catalog.Requirements{
					CPU:    catalog.CPURequirement{MinLogicalCores: 4, Features: []string{"avx2"}},
					Memory: catalog.MemoryRequirement{Min: size("8 GiB"), Recommended: size("16 GiB")},
					Disk:   catalog.DiskRequirement{Install: size("50 MiB"), Download: size("2 MiB"), Staging: size("50 MiB")},
					GPU:    catalog.GPURequirement{MinVRAM: size("2 GiB"), RecommendedVRAM: size("8 GiB")},
				}},
			},
		},
		{
			id:          "quill",
			name:        "Quill Notes",
			description: "Project notes and markups that sync with Atlas drawings.",
			releases: []demoRelease{
				{"3.1.0", "2026-08-11", "Markups on PDF exports.", 256, catalog.Requirements{
					Memory: catalog.MemoryRequirement{Min: size("1 GiB"), Recommended: size("4 GiB")},
					Disk:   catalog.DiskRequirement{Install: size("5 MiB"), Download: size("1 MiB"), Staging: size("5 MiB")},
				}},
				{"3.0.2", "2026-05-05", "First release of the 3.x line.", 256, catalog.Requirements{
					Memory: catalog.MemoryRequirement{Min: size("1 GiB")},
					Disk:   catalog.DiskRequirement{Install: size("5 MiB"), Download: size("1 MiB"), Staging: size("5 MiB")},
				}},
				{"3.0.0-rc.1", "2026-04-01", "Release candidate.", 256, catalog.Requirements{}},
			},
		},
	}
})

// demoPackageName is the file name of one package.
func demoPackageName(id, version string, p catalog.Platform) string {
	ext := ".zip"
	if p.OS() == "linux" {
		ext = ".tar.gz"
	}
	return fmt.Sprintf("%s-%s-%s-%s%s", id, version, p.OS(), p.Arch(), ext)
}

type demoFile struct {
	name string
	mode fs.FileMode
	data []byte
}

// demoFiles lists one package's files, in archive order.
func demoFiles(p demoProduct, r demoRelease, plat catalog.Platform) []demoFile {
	launcher, script := "bin/"+p.id, fmt.Sprintf("#!/bin/sh\necho \"%s %s (Onramp demo) is running.\"\n", p.name, r.version)
	if plat.OS() == "windows" {
		launcher, script = "bin/"+p.id+".cmd", fmt.Sprintf("@echo off\r\necho %s %s (Onramp demo) is running.\r\n", p.name, r.version)
	}
	files := []demoFile{
		{"README.txt", 0o644, fmt.Appendf(nil, "%s %s for %s\n\n%s\n\nThis is demo software installed by Onramp. It does nothing but say hello.\n", p.name, r.version, plat, p.description)},
		{"LICENSE.txt", 0o644, []byte("Demo software. No rights reserved; no warranty.\n")},
		{launcher, 0o755, []byte(script)},
		{"share/" + p.id + "/data.bin", 0o644, demoBytes(p.id+"@"+r.version, r.payloadKiB<<10)},
	}
	for i := range 24 {
		files = append(files, demoFile{fmt.Sprintf("share/%s/templates/template-%02d.txt", p.id, i), 0o644,
			fmt.Appendf(nil, "%s template %d\n%s", p.name, i, strings.Repeat("lorem ipsum dolor sit amet\n", i+1))})
	}
	return files
}

// demoBytes is a deterministic, incompressible stream: SHA-256 in counter mode.
func demoBytes(seed string, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	var ctr [8]byte
	for i := uint64(0); len(out) < n; i++ {
		binary.BigEndian.PutUint64(ctr[:], i)
		sum := sha256.Sum256(append([]byte(seed), ctr[:]...))
		out = append(out, sum[:]...)
	}
	return out[:n]
}

func buildZip(files []demoFile) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, d := range demoDirs(files) {
		h := &zip.FileHeader{Name: d + "/", Method: zip.Store, Modified: demoTime}
		h.SetMode(fs.ModeDir | 0o755)
		if _, err := zw.CreateHeader(h); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Store, Modified: demoTime}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// buildTarGz stores its data uncompressed inside gzip: deflate's output may
// change between Go releases, stored blocks do not, and the hashes in the
// catalog must stay the same.
func buildTarGz(files []demoFile) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, d := range demoDirs(files) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: demoTime, Format: tar.FormatUSTAR}); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		h := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: int64(f.mode), Size: int64(len(f.data)), ModTime: demoTime, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// demoDirs lists the folders the files need, parents first.
func demoDirs(files []demoFile) []string {
	var dirs []string
	for _, f := range files {
		for d := path.Dir(f.name); d != "."; d = path.Dir(d) {
			if !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
	}
	slices.Sort(dirs) // "a" sorts before "a/b"
	return dirs
}

type demoPackage struct {
	name     string
	product  demoProduct
	release  demoRelease
	platform catalog.Platform
}

func allDemoPackages() []demoPackage {
	var out []demoPackage
	for _, p := range demoProducts() {
		for _, r := range p.releases {
			for _, plat := range catalog.Platforms {
				out = append(out, demoPackage{demoPackageName(p.id, r.version, plat), p, r, plat})
			}
		}
	}
	return out
}

var (
	packageCache   = map[string][]byte{}
	packageCacheMu sync.Mutex
)

// DemoPackageSource serves the demo packages by name, as an account
// service's package store does (it fits portal.PackageSource).
func DemoPackageSource(name string) (io.ReadSeeker, time.Time, bool) {
	b, ok := DemoPackage(name)
	return bytes.NewReader(b), time.Time{}, ok
}

// DemoPackage builds the named demo package ("atlas-2.10.0-linux-amd64.tar.gz").
// The bytes are the same on every call and every machine; they are built on
// first use and kept.
func DemoPackage(name string) ([]byte, bool) {
	packageCacheMu.Lock()
	defer packageCacheMu.Unlock()
	if b, ok := packageCache[name]; ok {
		return b, true
	}
	for _, dp := range allDemoPackages() {
		if dp.name != name {
			continue
		}
		files := demoFiles(dp.product, dp.release, dp.platform)
		build := buildZip
		if dp.platform.OS() == "linux" {
			build = buildTarGz
		}
		b, err := build(files)
		if err != nil {
			// Writing to memory cannot fail; a failure here is a bug.
			panic(fmt.Sprintf("building demo package %s: %v", name, err))
		}
		packageCache[name] = b
		return b, true
	}
	return nil, false
}

// DemoPackageNames lists every demo package.
func DemoPackageNames() []string {
	var names []string
	for _, dp := range allDemoPackages() {
		names = append(names, dp.name)
	}
	return names
}

// demoCatalog is the demo catalog as data; gen.go writes it to demo/catalog.json.
func demoCatalog() *catalog.Catalog {
	c := &catalog.Catalog{Publisher: "Onramp demo publisher"}
	for _, p := range demoProducts() {
		prod := catalog.Product{ID: p.id, Name: p.name, Description: p.description}
		for _, r := range p.releases {
			date, err := time.Parse(time.DateOnly, r.date)
			if err != nil {
				panic(err)
			}
			rel := catalog.Release{Version: catalog.MustVersion(r.version), Date: catalog.Date{Time: date}, Notes: r.notes,
				Packages: map[catalog.Platform]catalog.Package{}, Requirements: map[catalog.Platform]catalog.Requirements{}}
			for _, plat := range catalog.Platforms {
				name := demoPackageName(p.id, r.version, plat)
				b, _ := DemoPackage(name)
				format, launch := catalog.FormatZip, "bin/"+p.id
				switch plat.OS() {
				case "linux":
					format = catalog.FormatTarGz
				case "windows":
					launch += ".cmd"
				}
				rel.Packages[plat] = catalog.Package{
					URL: DemoPackagePath + name, Size: int64(len(b)), SHA256: fmt.Sprintf("%x", sha256.Sum256(b)),
					Format: format, Install: catalog.Recipe{Launch: launch},
				}
				rel.Requirements[plat] = platformRequirements(r.reqs, plat)
			}
			prod.Releases = append(prod.Releases, rel)
		}
		c.Products = append(c.Products, prod)
	}
	return c
}

// platformRequirements adapts a release's requirements to a platform: the
// minimum OS version and CPU features differ between systems.
func platformRequirements(r catalog.Requirements, p catalog.Platform) catalog.Requirements {
	if !r.OS.MinVersion.IsZero() {
		switch p.OS() {
		case "windows":
			r.OS.MinVersion = catalog.MustVersion("10.0.19045")
		case "darwin":
			r.OS.MinVersion = catalog.MustVersion("13.0")
		}
	}
	if p.Arch() == "arm64" {
		r.CPU.Features = nil
		if len(r.GPU.Vendors) > 0 {
			r.GPU.Vendors = []string{"apple"}
		}
	}
	return r
}

// DemoSigningKey is the demo publisher's private key. It is public on
// purpose, so anyone can rebuild the demo: the assistant trusts the demo key
// only in demo mode, never for a real catalog.
func DemoSigningKey() ed25519.PrivateKey {
	k, err := catalog.ParsePrivateKey(demoSigningKeyPEM)
	if err != nil {
		panic(err)
	}
	return k
}

// DemoPublicKey is the key that signs the demo catalog.
func DemoPublicKey() ed25519.PublicKey { return DemoSigningKey().Public().(ed25519.PublicKey) }
