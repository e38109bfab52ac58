package syscheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// GPU is one graphics adapter.
type GPU struct {
	Vendor string `json:"vendor"` // "nvidia", "amd", "intel", "apple", or "" when unknown
	Model  string `json:"model"`
	// VRAM is the dedicated video memory in bytes; 0 when unknown. For
	// unified-memory GPUs (Apple Silicon) it is 0 and Unified is true.
	VRAM       uint64 `json:"vram"`
	VRAMSource string `json:"vram_source,omitempty"`
	Unified    bool   `json:"unified_memory,omitempty"`
	Driver     string `json:"driver,omitempty"` // version
	Integrated bool   `json:"integrated"`
	Source     string `json:"source"` // where the adapter was found
	PCIAddress string `json:"pci_address,omitempty"`
}

// vendorFromPCI names a PCI vendor ID ("0x10de" or "10DE").
func vendorFromPCI(id string) string {
	switch strings.ToLower(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(id)), "0x")) {
	case "10de":
		return "nvidia"
	case "1002", "1022":
		return "amd"
	case "8086":
		return "intel"
	case "106b":
		return "apple"
	case "5143":
		return "qualcomm"
	}
	return ""
}

// vendorFromName guesses a vendor from a marketing name.
func vendorFromName(s string) string {
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "nvidia") || strings.Contains(l, "geforce") || strings.Contains(l, "quadro") || strings.Contains(l, "rtx"):
		return "nvidia"
	case strings.Contains(l, "amd") || strings.Contains(l, "radeon") || strings.Contains(l, "ati "):
		return "amd"
	case strings.Contains(l, "intel"):
		return "intel"
	case strings.Contains(l, "apple"):
		return "apple"
	case strings.Contains(l, "qualcomm") || strings.Contains(l, "adreno"):
		return "qualcomm"
	}
	return ""
}

// ChooseGPU picks the adapter a product will run on, as the OS would for a
// demanding application: among those of an allowed vendor (any, when
// vendors is empty), a discrete GPU before an integrated one, then the most
// video memory. It says why, naming the adapters passed over: the classic
// mistake is judging a laptop by its integrated GPU.
func ChooseGPU(gpus []GPU, vendors []string) (GPU, string, bool) {
	var candidates []GPU
	for _, g := range gpus {
		if len(vendors) == 0 || slices.Contains(vendors, g.Vendor) {
			candidates = append(candidates, g)
		}
	}
	if len(candidates) == 0 {
		if len(gpus) == 0 {
			return GPU{}, "no GPU found", false
		}
		best := gpus[0]
		return best, fmt.Sprintf("no GPU of a supported vendor (%s); found %s", strings.Join(vendors, ", "), describeGPUs(gpus)), false
	}
	slices.SortStableFunc(candidates, func(a, b GPU) int {
		if a.Integrated != b.Integrated {
			if a.Integrated {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.VRAM, a.VRAM)
	})
	best := candidates[0]
	why := fmt.Sprintf("the only GPU: %s", describeGPU(best))
	if len(gpus) > 1 {
		var others []GPU
		for _, g := range gpus {
			if g != best {
				others = append(others, g)
			}
		}
		reason := "most video memory"
		if !best.Integrated && slices.ContainsFunc(others, func(g GPU) bool { return g.Integrated }) {
			reason = "discrete before integrated"
		}
		why = fmt.Sprintf("chose %s over %s (%s)", describeGPU(best), describeGPUs(others), reason)
	}
	return best, why, true
}

func describeGPU(g GPU) string {
	kind := "discrete"
	if g.Integrated {
		kind = "integrated"
	}
	return fmt.Sprintf("%s (%s)", cmp.Or(g.Model, "unknown model"), kind)
}

func describeGPUs(gs []GPU) string {
	s := make([]string, len(gs))
	for i, g := range gs {
		s[i] = describeGPU(g)
	}
	return strings.Join(s, ", ")
}

// ErrProbeMissing means the tool a probe needs is not installed.
var ErrProbeMissing = errors.New("probe tool not installed")

// runProbe runs an external command with the context's deadline, cutting
// off a command that hangs, also one whose children keep its pipes open.
func runProbe(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, ErrProbeMissing)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.WaitDelay = 500 * time.Millisecond
	ownProcessGroup(cmd)
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", name, ctx.Err())
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return nil, fmt.Errorf("%s: %v: %s", name, err, firstLine(string(ee.Stderr)))
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
