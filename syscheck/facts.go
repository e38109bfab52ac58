// Package syscheck owns what Onramp knows about the machine it runs on:
// facts gathered with gopsutil and a GPU and display probe per OS, and
// their evaluation against a release's catalog.Requirements into a Report
// with evidence for every figure.
//
// Every probe is bounded by a timeout; a probe that fails, hangs or returns
// garbage makes its facts unknown, with the reason, and unknown is never a
// pass. syscheck never talks to the network. Callers: cli's
// `check`, the ui's system check screen, and the installer's pre-flight.
package syscheck

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/disk"
	"github.com/shirou/gopsutil/v3/host"
	"github.com/shirou/gopsutil/v3/mem"

	"onramp.dev/onramp/catalog"
)

// Facts are what was found on the machine. A fact that could not be found
// is zero and has an entry in Unknown saying why.
type Facts struct {
	OS      OSFacts     `json:"os"`
	CPU     CPUFacts    `json:"cpu"`
	Memory  MemoryFacts `json:"memory"`
	Volumes []Volume    `json:"volumes"`
	GPUs    []GPU       `json:"gpus"`
	Display *Display    `json:"display,omitempty"`
	// Unknown maps a fact ("os", "cpu.clock", "gpu", "display", ...) to why
	// it could not be found.
	Unknown map[string]string `json:"unknown,omitempty"`
}

// OSFacts describe the operating system.
type OSFacts struct {
	Name     string `json:"name"`     // "windows", "darwin", "linux"
	Product  string `json:"product"`  // "Microsoft Windows 11 Pro", "debian", "macOS"
	Version  string `json:"version"`  // what requirements compare: Windows "10.0.22631", macOS "14.2.1", Linux kernel "6.1.0"
	Build    string `json:"build"`    // full build or kernel string
	Arch     string `json:"arch"`     // the machine's architecture, "amd64" or "arm64", even under emulation
	Platform string `json:"platform"` // Name/Arch, the catalog platform to install
}

// CPUFacts describe the processor.
type CPUFacts struct {
	Model         string   `json:"model"`
	PhysicalCores int      `json:"physical_cores"`
	LogicalCores  int      `json:"logical_cores"`
	ClockMHz      int      `json:"clock_mhz"` // 0 when unknown (common on ARM)
	Features      []string `json:"features"`  // lowercase: "avx2", "sse4_2", "neon"
}

// MemoryFacts describe RAM, in bytes.
type MemoryFacts struct {
	Total     uint64 `json:"total"`
	Available uint64 `json:"available"`
}

// Volume is the file system holding a folder the install needs.
type Volume struct {
	Roles      []string `json:"roles"` // "target", "cache"
	Path       string   `json:"path"`  // the folder asked about
	Existing   string   `json:"existing"`
	Mountpoint string   `json:"mountpoint"`
	FSType     string   `json:"fs_type"`
	Free       uint64   `json:"free"` // available to this user
	Total      uint64   `json:"total"`
}

// Display is the primary display.
type Display struct {
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Scale  float64 `json:"scale,omitempty"` // 0 when unknown
	Source string  `json:"source"`
}

// Options say what to gather.
type Options struct {
	// Target is the install folder; it need not exist yet.
	Target string
	// Cache is the download cache folder; it need not exist yet.
	Cache string
	// ProbeTimeout bounds each external command (default 5 s).
	ProbeTimeout time.Duration
}

const defaultProbeTimeout = 5 * time.Second

// graphics is what a GPU and display probe found, each part with its error.
type graphics struct {
	gpus    []GPU
	gpuErr  error
	display *Display
	dispErr error
}

// Gather collects the machine's facts. It returns an error only when ctx is
// done; every other failure becomes an entry in Facts.Unknown.
func Gather(ctx context.Context, opt Options) (*Facts, error) {
	if opt.ProbeTimeout <= 0 {
		opt.ProbeTimeout = defaultProbeTimeout
	}
	f := &Facts{Unknown: map[string]string{}}
	// The GPU and display probes may run external commands: run them while
	// gopsutil reads the rest.
	done := make(chan graphics, 1)
	go func() {
		pctx, cancel := context.WithTimeout(ctx, opt.ProbeTimeout)
		defer cancel()
		done <- probeGraphics(pctx)
	}()

	gatherOS(ctx, f)
	gatherCPU(ctx, f)
	gatherMemory(ctx, f)
	gatherVolumes(ctx, f, opt)

	r := <-done
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.GPUs = r.gpus
	if r.gpuErr != nil {
		f.Unknown["gpu"] = probeReason(r.gpuErr)
	}
	f.Display = r.display
	if r.dispErr != nil {
		f.Unknown["display"] = probeReason(r.dispErr)
	}
	if f.Display == nil && f.Unknown["display"] == "" {
		f.Unknown["display"] = "no display found"
	}
	return f, nil
}

func probeReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "the probe timed out: " + err.Error()
	}
	return err.Error()
}

func gatherOS(ctx context.Context, f *Facts) {
	f.OS.Name = runtime.GOOS
	f.OS.Arch = normalizeArch(runtime.GOARCH)
	info, err := host.InfoWithContext(ctx)
	if err != nil && info == nil {
		f.Unknown["os"] = "gopsutil host info: " + err.Error()
	}
	if info != nil {
		if a := normalizeArch(info.KernelArch); a != "" {
			f.OS.Arch = a
		}
		f.OS.Product = info.Platform
		switch runtime.GOOS {
		case "linux":
			f.OS.Version = leadingVersion(info.KernelVersion)
			f.OS.Build = info.KernelVersion
			if info.PlatformVersion != "" {
				f.OS.Product = strings.TrimSpace(info.Platform + " " + info.PlatformVersion)
			}
		default:
			// Windows: "10.0.22631 Build 22631"; macOS: "14.2.1".
			f.OS.Version = leadingVersion(info.PlatformVersion)
			f.OS.Build = info.PlatformVersion
			if runtime.GOOS == "darwin" {
				f.OS.Product = "macOS"
			}
		}
		if f.OS.Version == "" {
			f.Unknown["os"] = fmt.Sprintf("no version in %q", f.OS.Build)
		}
	}
	f.OS.Platform = f.OS.Name + "/" + f.OS.Arch
}

// normalizeArch turns uname and GOARCH spellings into the catalog's.
func normalizeArch(a string) string {
	switch strings.ToLower(a) {
	case "x86_64", "amd64", "x64":
		return "amd64"
	case "aarch64", "arm64", "armv8":
		return "arm64"
	}
	return strings.ToLower(a)
}

// leadingVersion takes the dotted number a version string starts with:
// "6.1.0-18-amd64" gives "6.1.0", "10.0.22631 Build 22631" gives "10.0.22631".
func leadingVersion(s string) string {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.') {
		end++
	}
	return strings.Trim(s[:end], ".")
}

func gatherCPU(ctx context.Context, f *Facts) {
	if n, err := cpu.CountsWithContext(ctx, true); err == nil && n > 0 {
		f.CPU.LogicalCores = n
	} else {
		f.CPU.LogicalCores = runtime.NumCPU()
	}
	if n, err := cpu.CountsWithContext(ctx, false); err == nil && n > 0 {
		f.CPU.PhysicalCores = n
	} else {
		f.Unknown["cpu.physical_cores"] = fmt.Sprintf("gopsutil: %v", err)
	}
	infos, err := cpu.InfoWithContext(ctx)
	if err != nil || len(infos) == 0 {
		f.Unknown["cpu.model"] = fmt.Sprintf("gopsutil cpu info: %v", err)
		f.Unknown["cpu.clock"] = f.Unknown["cpu.model"]
	} else {
		f.CPU.Model = strings.TrimSpace(infos[0].ModelName)
		for _, in := range infos {
			f.CPU.ClockMHz = max(f.CPU.ClockMHz, int(in.Mhz+0.5))
		}
		f.CPU.Features = append(f.CPU.Features, infos[0].Flags...)
	}
	if f.CPU.Model == "" || f.CPU.ClockMHz == 0 {
		if model, mhz := cpuFromOS(); model != "" || mhz > 0 {
			if f.CPU.Model == "" && model != "" {
				f.CPU.Model = model
				delete(f.Unknown, "cpu.model")
			}
			if f.CPU.ClockMHz == 0 && mhz > 0 {
				f.CPU.ClockMHz = mhz
				delete(f.Unknown, "cpu.clock")
			}
		}
	}
	if f.CPU.ClockMHz == 0 && f.Unknown["cpu.clock"] == "" {
		f.Unknown["cpu.clock"] = "the operating system reports no clock rate for this processor (common on ARM)"
	}
	f.CPU.Features = normalizeFeatures(append(f.CPU.Features, runtimeFeatures()...))
}

func normalizeFeatures(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		switch s {
		case "sse4.2":
			s = "sse4_2"
		case "sse4.1":
			s = "sse4_1"
		case "asimd":
			s = "neon"
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func gatherMemory(ctx context.Context, f *Facts) {
	vm, err := mem.VirtualMemoryWithContext(ctx)
	if err != nil {
		f.Unknown["memory"] = "gopsutil memory: " + err.Error()
		return
	}
	f.Memory = MemoryFacts{Total: vm.Total, Available: vm.Available}
}

// gatherVolumes finds the volume of the target and of the cache; when both
// are on one volume it is listed once with both roles, so the evaluation
// counts both needs against the same free space.
func gatherVolumes(ctx context.Context, f *Facts, opt Options) {
	parts, _ := disk.PartitionsWithContext(ctx, true)
	for _, q := range []struct{ role, path string }{{"target", opt.Target}, {"cache", opt.Cache}} {
		if q.path == "" {
			continue
		}
		v, err := volumeOf(ctx, q.path, parts)
		if err != nil {
			f.Unknown["disk."+q.role] = err.Error()
			continue
		}
		merged := false
		for i := range f.Volumes {
			if f.Volumes[i].Mountpoint == v.Mountpoint && f.Volumes[i].Total == v.Total {
				f.Volumes[i].Roles = append(f.Volumes[i].Roles, q.role)
				merged = true
			}
		}
		if !merged {
			v.Roles = []string{q.role}
			f.Volumes = append(f.Volumes, v)
		}
	}
}

// volumeOf measures the volume that holds path, or would hold it: the
// nearest existing parent decides.
func volumeOf(ctx context.Context, path string, parts []disk.PartitionStat) (Volume, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Volume{}, fmt.Errorf("folder %s: %w", path, err)
	}
	existing := abs
	for {
		if _, err := os.Stat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return Volume{}, fmt.Errorf("folder %s: no existing parent folder", path)
		}
		existing = parent
	}
	if real, err := filepath.EvalSymlinks(existing); err == nil {
		existing = real
	}
	u, err := disk.UsageWithContext(ctx, existing)
	if err != nil {
		return Volume{}, fmt.Errorf("free space of %s: %w", existing, err)
	}
	v := Volume{Path: abs, Existing: existing, FSType: u.Fstype, Free: u.Free, Total: u.Total}
	if p, ok := mountOf(existing, parts); ok {
		v.Mountpoint = p.Mountpoint
		if p.Fstype != "" {
			v.FSType = p.Fstype
		}
	}
	return v, nil
}

// mountOf is the partition whose mount point is the longest prefix of path.
func mountOf(path string, parts []disk.PartitionStat) (disk.PartitionStat, bool) {
	fold := runtime.GOOS == "windows" || runtime.GOOS == "darwin"
	norm := func(s string) string {
		if v := filepath.VolumeName(s); v != "" && v == s {
			s += string(filepath.Separator)
		}
		s = filepath.Clean(s)
		if fold {
			s = strings.ToLower(s)
		}
		return s
	}
	p := norm(path)
	var best disk.PartitionStat
	found := false
	for _, part := range parts {
		m := norm(part.Mountpoint)
		if m == "" {
			continue
		}
		inside := p == m || strings.HasPrefix(p, strings.TrimSuffix(m, string(filepath.Separator))+string(filepath.Separator))
		if inside && (!found || len(m) > len(norm(best.Mountpoint))) {
			best, found = part, true
		}
	}
	return best, found
}

// Platform is the catalog platform of this machine.
func (f *Facts) Platform() catalog.Platform { return catalog.Platform(f.OS.Platform) }

// MachineID identifies this machine to the account service's seat count:
// the OS's machine ID (gopsutil's host ID), hashed with a fixed label so
// the raw ID never leaves the machine.
func MachineID(ctx context.Context) (string, error) {
	id, err := host.HostIDWithContext(ctx)
	if err != nil {
		return "", fmt.Errorf("machine ID: %w", err)
	}
	if strings.TrimSpace(id) == "" {
		return "", errors.New("machine ID: the OS reports none")
	}
	sum := sha256.Sum256([]byte("onramp seat\x00" + strings.ToLower(strings.TrimSpace(id))))
	return hex.EncodeToString(sum[:16]), nil
}
