package syscheck

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
)

var pciIDPaths = []string{"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"}

func loadPCINames() func(vendor, device string) string {
	for _, p := range pciIDPaths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		ids, err := parsePCIIDs(f)
		f.Close()
		if err == nil {
			return ids.name
		}
	}
	return nil
}

// probeGPUs reads /sys/class/drm, names the devices from the PCI ID
// database when installed, and asks nvidia-smi (when installed) for the
// model, VRAM and driver of NVIDIA cards.
func probeGPUs(ctx context.Context) ([]GPU, error) {
	gpus, _, err := parseDRM(os.DirFS("/sys/class/drm"), loadPCINames())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for i := range gpus {
		if gpus[i].Vendor == "nvidia" && gpus[i].Driver == "" {
			if b, err := os.ReadFile("/sys/module/nvidia/version"); err == nil {
				gpus[i].Driver = strings.TrimSpace(string(b))
			}
		}
	}
	out, err := runProbe(ctx, "nvidia-smi", "--query-gpu=name,memory.total,driver_version,pci.bus_id", "--format=csv,noheader,nounits")
	switch {
	case errors.Is(err, ErrProbeMissing):
		return gpus, nil
	case err != nil:
		if hasVendor(gpus, "nvidia") || ctx.Err() != nil {
			return gpus, err
		}
		return gpus, nil // nvidia-smi without an NVIDIA card says so and fails
	}
	smi, err := parseNvidiaSMI(out)
	if err != nil {
		return gpus, err
	}
	return mergeNvidia(gpus, smi), nil
}

func hasVendor(gpus []GPU, vendor string) bool {
	for _, g := range gpus {
		if g.Vendor == vendor {
			return true
		}
	}
	return false
}

// probeDisplay asks the X server when there is one (the live desktop's
// mode), else the kernel's connected connectors (their preferred mode).
func probeDisplay(ctx context.Context) (*Display, error) {
	var xerr error
	if os.Getenv("DISPLAY") != "" {
		out, err := runProbe(ctx, "xrandr", "--current")
		if err == nil {
			return parseXrandr(out)
		}
		xerr = err
	}
	_, displays, err := parseDRM(os.DirFS("/sys/class/drm"), nil)
	if err == nil && len(displays) > 0 {
		return &displays[0], nil
	}
	if xerr != nil && !errors.Is(xerr, ErrProbeMissing) {
		return nil, xerr
	}
	return nil, nil
}

func probeGraphics(ctx context.Context) graphics {
	gpus, gerr := probeGPUs(ctx)
	d, derr := probeDisplay(ctx)
	return graphics{gpus, gerr, d, derr}
}
