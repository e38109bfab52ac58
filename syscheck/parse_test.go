package syscheck

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testPCINames(t *testing.T) func(v, d string) string {
	f, err := os.Open("testdata/pci.ids")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids, err := parsePCIIDs(f)
	if err != nil {
		t.Fatal(err)
	}
	return ids.name
}

func TestParseDRM(t *testing.T) {
	names := testPCINames(t)
	tests := []struct {
		name       string
		gpus       []GPU // compared on vendor, model, integrated, VRAM
		display    string
		chosen     string
		chosenWhy  string
		nvidiaSMI  string
		chosenVRAM uint64
	}{
		{name: "hybrid-laptop",
			gpus: []GPU{
				{Vendor: "intel", Model: "Intel UHD Graphics", Integrated: true},
				{Vendor: "nvidia", Model: "NVIDIA GeForce GTX 1650 Ti Mobile", Integrated: false},
			},
			display: "1920x1080", chosen: "NVIDIA GeForce GTX 1650 Ti", chosenWhy: "discrete before integrated",
			nvidiaSMI: "nvidia-smi-hybrid.csv", chosenVRAM: 4 << 30},
		{name: "amd-desktop",
			gpus:    []GPU{{Vendor: "amd", Model: "AMD Radeon RX 6600/6600 XT/6600M", VRAM: 8573157376}},
			display: "2560x1440", chosen: "AMD Radeon RX 6600/6600 XT/6600M", chosenWhy: "the only GPU", chosenVRAM: 8573157376},
		{name: "vm-no-gpu",
			gpus:    []GPU{{Vendor: "", Model: "Red Hat, Inc. Virtio 1.0 GPU", Integrated: true}},
			display: "1280x800", chosen: "Red Hat, Inc. Virtio 1.0 GPU", chosenWhy: "the only GPU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gpus, displays, err := parseDRM(os.DirFS("testdata/sysfs/"+tt.name), names)
			if err != nil {
				t.Fatal(err)
			}
			if len(gpus) != len(tt.gpus) {
				t.Fatalf("found %d GPUs, want %d: %+v", len(gpus), len(tt.gpus), gpus)
			}
			for i, want := range tt.gpus {
				g := gpus[i]
				if g.Vendor != want.Vendor || g.Model != want.Model || g.Integrated != want.Integrated || g.VRAM != want.VRAM {
					t.Errorf("GPU %d = %+v, want %+v", i, g, want)
				}
			}
			if len(displays) != 1 || displays[0].Width == 0 {
				t.Fatalf("displays = %+v, want one connected", displays)
			}
			if got := strings.Split(displays[0].Source, "/")[4]; !strings.HasPrefix(got, "card") {
				t.Errorf("display source %q", displays[0].Source)
			}
			if tt.nvidiaSMI != "" {
				smi, err := parseNvidiaSMI(fixture(t, tt.nvidiaSMI))
				if err != nil {
					t.Fatal(err)
				}
				gpus = mergeNvidia(gpus, smi)
				if len(gpus) != len(tt.gpus) {
					t.Fatalf("nvidia-smi's GPU was not matched by PCI address: %+v", gpus)
				}
			}
			g, why, ok := ChooseGPU(gpus, nil)
			if !ok || g.Model != tt.chosen || !strings.Contains(why, tt.chosenWhy) || g.VRAM != tt.chosenVRAM {
				t.Errorf("chose %+v because %q", g, why)
			}
		})
	}
}

func TestParseNvidiaSMI(t *testing.T) {
	gpus, err := parseNvidiaSMI(fixture(t, "nvidia-smi-two.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gpus) != 2 || gpus[0].VRAM != 49140<<20 || gpus[1].PCIAddress != "0000:b3:00.0" || gpus[0].Driver != "550.54.15" {
		t.Errorf("parsed %+v", gpus)
	}
	if _, err := parseNvidiaSMI(fixture(t, "nvidia-smi-garbage.csv")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("garbage: %v", err)
	}
}

func TestParseXrandr(t *testing.T) {
	d, err := parseXrandr(fixture(t, "xrandr-primary.txt"))
	if err != nil || d.Width != 1920 || d.Height != 1080 || !strings.Contains(d.Source, "primary") {
		t.Errorf("primary: %+v %v", d, err)
	}
	d, err = parseXrandr(fixture(t, "xrandr-xvfb.txt"))
	if err != nil || d.Width != 1280 || d.Height != 800 {
		t.Errorf("xvfb: %+v %v", d, err)
	}
	if _, err := parseXrandr([]byte("Can't open display")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestParseWindows(t *testing.T) {
	gpus, display, err := parseWindowsGPUs(fixture(t, "windows-wmi-hybrid.json"), fixture(t, "windows-registry-hybrid.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gpus) != 2 {
		t.Fatalf("want the remote display adapter skipped, got %+v", gpus)
	}
	intel, nv := gpus[0], gpus[1]
	if intel.Vendor != "intel" || !intel.Integrated || intel.VRAM != 1<<30 || !strings.Contains(intel.VRAMSource, "MemorySize") {
		t.Errorf("intel = %+v", intel)
	}
	// AdapterRAM says 4293918720 (capped); the registry's 64-bit value wins.
	if nv.Vendor != "nvidia" || nv.Integrated || nv.VRAM != 16<<30 || !strings.Contains(nv.VRAMSource, "qwMemorySize") {
		t.Errorf("nvidia = %+v", nv)
	}
	if nv.Driver != "536.23" {
		t.Errorf("NVIDIA driver %q, want 536.23 (from 31.0.15.3623)", nv.Driver)
	}
	if display == nil || display.Width != 2560 {
		t.Errorf("display = %+v", display)
	}
	g, why, _ := ChooseGPU(gpus, []string{"nvidia", "amd"})
	if g.Vendor != "nvidia" || !strings.Contains(why, "RTX 3080") {
		t.Errorf("chose %+v: %s", g, why)
	}

	// One adapter (a JSON object), no registry: AdapterRAM at its cap is
	// not trusted as the card's memory.
	gpus, display, err = parseWindowsGPUs(fixture(t, "windows-wmi-single.json"), fixture(t, "windows-registry-empty.json"))
	if err != nil || len(gpus) != 1 {
		t.Fatalf("single: %+v %v", gpus, err)
	}
	if gpus[0].Vendor != "amd" || gpus[0].Integrated || gpus[0].VRAM != 0 || display.Width != 3840 {
		t.Errorf("single = %+v, display %+v", gpus[0], display)
	}
	if _, _, err := parseWindowsGPUs([]byte("[{"), nil); err == nil {
		t.Error("truncated JSON accepted")
	}
}

func TestParseSystemProfiler(t *testing.T) {
	gpus, d, err := parseSystemProfiler(fixture(t, "macos-apple-silicon.json"))
	if err != nil || len(gpus) != 1 {
		t.Fatalf("%+v %v", gpus, err)
	}
	if g := gpus[0]; g.Vendor != "apple" || !g.Unified || g.VRAM != 0 || g.Model != "Apple M2 Pro" {
		t.Errorf("apple = %+v", g)
	}
	if d == nil || d.Width != 3456 || d.Scale != 2 {
		t.Errorf("display = %+v", d)
	}
	gpus, d, err = parseSystemProfiler(fixture(t, "macos-intel.json"))
	if err != nil || len(gpus) != 2 {
		t.Fatalf("%+v %v", gpus, err)
	}
	if gpus[0].Vendor != "intel" || !gpus[0].Integrated || gpus[0].VRAM != 1536<<20 {
		t.Errorf("intel = %+v", gpus[0])
	}
	if gpus[1].Vendor != "amd" || gpus[1].Integrated || gpus[1].VRAM != 8<<30 {
		t.Errorf("amd = %+v", gpus[1])
	}
	if g, _, _ := ChooseGPU(gpus, nil); g.Vendor != "amd" {
		t.Errorf("chose %+v", g)
	}
	if d == nil || d.Width != 3072 || d.Scale != 2 {
		t.Errorf("display = %+v", d)
	}
	if _, _, err := parseSystemProfiler(fixture(t, "macos-truncated.json")); err == nil {
		t.Error("truncated accepted")
	}
}

func TestNvidiaDriverFromWindows(t *testing.T) {
	for in, want := range map[string]string{"31.0.15.3623": "536.23", "30.0.14.7212": "472.12", "27.21.14.5671": "456.71", "garbage": "garbage"} {
		if got := nvidiaDriverFromWindows(in); got != want {
			t.Errorf("%s = %s, want %s", in, got, want)
		}
	}
}

// A probe that answers with nothing (Wine's PowerShell stub, a policy that
// blocks the query) has not seen the machine: the GPU is unknown, not
// absent, so the report never says "fail: no graphics adapter" for it.
func TestParseWindowsNothingListed(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"powershell-stub", "windows-wmi-stub.txt"},
		{"empty-array", "windows-wmi-none.json"},
		{"wine-com-rows-without-properties", "windows-wmi-wine.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gpus, _, err := parseWindowsGPUs(fixture(t, tc.file), nil)
			if !errors.Is(err, ErrNothingListed) {
				t.Fatalf("got %+v, %v; want ErrNothingListed", gpus, err)
			}
		})
	}
}

// When WMI cannot be read, the display-class registry keys alone name the
// adapters, with their 64-bit memory sizes.
func TestRegistryGPUs(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    []GPU
		wantErr error
	}{
		{"hybrid-laptop", "windows-registry-hybrid.json", []GPU{
			{Vendor: "intel", Model: "Intel(R) UHD Graphics 630", Integrated: true, VRAM: 1 << 30, VRAMSource: "registry HardwareInformation.MemorySize", Source: "registry display class"},
			{Vendor: "nvidia", Model: "NVIDIA GeForce RTX 3080 Laptop GPU", VRAM: 16 << 30, VRAMSource: "registry HardwareInformation.qwMemorySize", Source: "registry display class"},
		}, nil},
		{"wine", "windows-registry-wine.json", []GPU{{Model: "Wine Adapter", Source: "registry display class"}}, nil},
		{"nothing", "windows-registry-empty.json", nil, ErrNothingListed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			regs, err := jsonRows[registryAdapter](fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := registryGPUs(regs)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
