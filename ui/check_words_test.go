package ui

import (
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/syscheck"
)

// The check's report, worded by the window from the items' figures:
// nothing in English in French (no tool's sentence, no English decimal
// point or unit), and the fix's figures in French too.
func TestCheckWordedInFrench(t *testing.T) {
	test := func(language string) []string {
		setLanguage(language)
		facts := &syscheck.Facts{
			OS:      syscheck.OSFacts{Name: "linux", Product: "debian 12", Version: "6.1.0", Build: "6.1.0-18-amd64", Arch: "amd64", Platform: "linux/amd64"},
			CPU:     syscheck.CPUFacts{Model: "Test CPU", PhysicalCores: 4, LogicalCores: 8, ClockMHz: 2500, Features: []string{"avx"}},
			Memory:  syscheck.MemoryFacts{Total: 12<<30 + 512<<20},
			Volumes: []syscheck.Volume{{Roles: []string{"target", "cache"}, Path: "/opt/x", Existing: "/opt", Mountpoint: "/", FSType: "ext4", Free: 5<<30 + 256<<20}},
			Display: &syscheck.Display{Width: 1920, Height: 1080, Source: "xrandr"},
			Unknown: map[string]string{},
		}
		req := catalog.Requirements{CPU: catalog.CPURequirement{MinLogicalCores: 16, MinClock: 3200, Features: []string{"avx", "avx2"}},
			Memory: catalog.MemoryRequirement{Min: 16 << 30}, Disk: catalog.DiskRequirement{Install: 10<<30 + 512<<20},
			Display: catalog.DisplayRequirement{MinResolution: catalog.Resolution{Width: 2560, Height: 1440}}}
		rep := syscheck.Evaluate(facts, map[catalog.Platform]catalog.Requirements{catalog.LinuxAMD64: req}, []catalog.Platform{catalog.LinuxAMD64})
		var out []string
		for _, it := range rep.Items {
			out = append(out, itemName(it.ID), foundText(it), requiredText(it), evidenceText(it), fixText(localFix(it)))
		}
		return out
	}
	en := strings.Join(test("en"), "\n")
	fr := strings.Join(test("fr"), "\n")
	setLanguage("en")
	for _, want := range []string{"12.5 GiB installed", "5.3 GiB free on /", "10.5 GiB", "2.5 GHz"} {
		if !strings.Contains(en, want) {
			t.Errorf("English lacks %q:\n%s", want, en)
		}
	}
	for _, want := range []string{"12,5 Gio", "5,3 Gio", "10,5 Gio", "2,5 GHz", "Libérez 5,3 Gio"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French lacks %q:\n%s", want, fr)
		}
	}
	for _, english := range []string{"gopsutil", "CPUID via", "free on", "installed", "GiB", "logical", "measured at", "Linux (x64)"} {
		if strings.Contains(fr, english) {
			t.Errorf("French holds %q:\n%s", english, fr)
		}
	}
}
