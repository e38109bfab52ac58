package syscheck

import (
	"slices"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
)

func byteSize(t *testing.T, s string) catalog.ByteSize {
	t.Helper()
	b, err := catalog.ParseByteSize(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A machine as a test describes it: linux/amd64, 8 logical cores, 16 GiB,
// one volume for target and cache with 100 GiB free.
func testFacts() *Facts {
	return &Facts{
		OS:      OSFacts{Name: "linux", Product: "debian 12", Version: "6.1.0", Build: "6.1.0-18-amd64", Arch: "amd64", Platform: "linux/amd64"},
		CPU:     CPUFacts{Model: "Test CPU", PhysicalCores: 4, LogicalCores: 8, ClockMHz: 3000, Features: []string{"avx", "avx2", "sse4_2"}},
		Memory:  MemoryFacts{Total: 16 << 30, Available: 8 << 30},
		Volumes: []Volume{{Roles: []string{"target", "cache"}, Path: "/opt/x", Existing: "/opt", Mountpoint: "/", FSType: "ext4", Free: 100 << 30, Total: 500 << 30}},
		GPUs: []GPU{
			{Vendor: "intel", Model: "Intel UHD Graphics 630", Integrated: true, Source: "test"},
			{Vendor: "nvidia", Model: "NVIDIA RTX A2000", VRAM: 6 << 30, VRAMSource: "nvidia-smi", Driver: "535.104.05", Source: "test"},
		},
		Display: &Display{Width: 1920, Height: 1080, Source: "test"},
		Unknown: map[string]string{},
	}
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		facts  func(*Facts)
		req    func(*catalog.Requirements)
		item   string
		status Status
		fix    string
		found  string
	}{
		{"cores-pass", nil, func(r *catalog.Requirements) { r.CPU.MinLogicalCores = 8 }, "cpu.cores", Pass, "", "8 logical"},
		{"cores-physical-unknown", func(f *Facts) { f.CPU.PhysicalCores = 0 }, func(r *catalog.Requirements) { r.CPU.MinLogicalCores = 8 }, "cpu.cores", Pass, "", "8 logical (physical unknown)"},
		{"gpu-vendor-unread", func(f *Facts) { f.GPUs = []GPU{{Model: "Wine Adapter", Source: "registry display class"}} },
			func(r *catalog.Requirements) { r.GPU.Vendors = []string{"nvidia", "amd"} }, "gpu", Unknown, "check-by-hand", "unknown"},
		{"gpu-vendor-other", func(f *Facts) { f.GPUs = f.GPUs[:1] },
			func(r *catalog.Requirements) { r.GPU.Vendors = []string{"nvidia", "amd"} }, "gpu", Fail, "gpu-vendor", "Intel UHD Graphics 630"},
		{"cores-fail", nil, func(r *catalog.Requirements) { r.CPU.MinLogicalCores = 16 }, "cpu.cores", Fail, "more-cores", ""},
		{"clock-unknown-on-arm", func(f *Facts) {
			f.CPU.ClockMHz = 0
			f.Unknown["cpu.clock"] = "the operating system reports no clock rate"
		}, func(r *catalog.Requirements) { r.CPU.MinClock = 2000 }, "cpu.clock", Unknown, "check-by-hand", "unknown"},
		{"features-missing", nil, func(r *catalog.Requirements) { r.CPU.Features = []string{"avx2", "avx512f"} }, "cpu.features", Fail, "cpu-features", "lacks avx512f"},
		{"ram-warn", nil, func(r *catalog.Requirements) {
			r.Memory.Min, r.Memory.Recommended = byteSize(t, "8 GiB"), byteSize(t, "32 GiB")
		}, "memory", Warn, "add-ram-recommended", "16 GiB"},
		{"ram-fail", nil, func(r *catalog.Requirements) { r.Memory.Min = byteSize(t, "32 GiB") }, "memory", Fail, "add-ram", ""},
		{"ram-unknown", func(f *Facts) { f.Memory.Total = 0; f.Unknown["memory"] = "broken" }, func(r *catalog.Requirements) { r.Memory.Min = 1 }, "memory", Unknown, "check-by-hand", ""},
		{"os-too-old", nil, func(r *catalog.Requirements) { r.OS.MinVersion = catalog.MustVersion("6.10") }, "os", Fail, "upgrade-os", ""},
		{"os-numeric-compare", nil, func(r *catalog.Requirements) { r.OS.MinVersion = catalog.MustVersion("5.15") }, "os", Pass, "", ""},
		// 60 + 30 + 20 = 110 GiB on one volume with 100 free: each part
		// would fit alone, together they do not.
		{"disk-counts-download-and-staging", nil, func(r *catalog.Requirements) {
			r.Disk = catalog.DiskRequirement{Install: byteSize(t, "60 GiB"), Download: byteSize(t, "30 GiB"), Staging: byteSize(t, "20 GiB")}
		}, "disk", Fail, "free-disk", "100 GiB free on /"},
		{"disk-separate-volumes", func(f *Facts) {
			f.Volumes = []Volume{
				{Roles: []string{"target"}, Mountpoint: "/", Free: 100 << 30},
				{Roles: []string{"cache"}, Mountpoint: "/var", Free: 40 << 30},
			}
		}, func(r *catalog.Requirements) {
			r.Disk = catalog.DiskRequirement{Install: byteSize(t, "60 GiB"), Download: byteSize(t, "30 GiB"), Staging: byteSize(t, "20 GiB")}
		}, "disk", Pass, "", ""},
		{"gpu-discrete-chosen", nil, func(r *catalog.Requirements) { r.GPU.MinVRAM = byteSize(t, "4 GiB") }, "gpu", Pass, "", "NVIDIA RTX A2000"},
		{"gpu-vram-warn", nil, func(r *catalog.Requirements) {
			r.GPU.MinVRAM, r.GPU.RecommendedVRAM = byteSize(t, "4 GiB"), byteSize(t, "8 GiB")
		}, "gpu.vram", Warn, "gpu-vram-recommended", "6 GiB"},
		{"gpu-vendor-fail", nil, func(r *catalog.Requirements) { r.GPU.Vendors = []string{"amd"} }, "gpu", Fail, "gpu-vendor", ""},
		{"gpu-none", func(f *Facts) { f.GPUs = nil }, func(r *catalog.Requirements) { r.GPU.MinVRAM = 1 }, "gpu", Fail, "gpu-none", "none"},
		{"gpu-probe-failed", func(f *Facts) { f.GPUs = nil; f.Unknown["gpu"] = "the probe timed out" }, func(r *catalog.Requirements) { r.GPU.MinVRAM = 1 }, "gpu", Unknown, "check-by-hand", ""},
		{"gpu-vram-unknown", func(f *Facts) { f.GPUs[1].VRAM = 0 }, func(r *catalog.Requirements) { r.GPU.MinVRAM = 1 }, "gpu.vram", Unknown, "check-by-hand", ""},
		{"gpu-driver-old", nil, func(r *catalog.Requirements) {
			r.GPU.MinDriver = map[string]catalog.Version{"nvidia": catalog.MustVersion("535.129")}
		}, "gpu.driver", Fail, "gpu-driver", "535.104.05"},
		{"gpu-uncertified", nil, func(r *catalog.Requirements) { r.GPU.CertifiedModels = []string{"RTX A4000"} }, "gpu", Warn, "gpu-uncertified", ""},
		{"apple-unified", func(f *Facts) {
			f.GPUs = []GPU{{Vendor: "apple", Model: "Apple M2 Pro", Unified: true, Integrated: true}}
		}, func(r *catalog.Requirements) { r.GPU.MinVRAM = byteSize(t, "8 GiB") }, "gpu.vram", Pass, "", "unified memory"},
		{"display-unknown-headless", func(f *Facts) { f.Display = nil; f.Unknown["display"] = "no display found" },
			func(r *catalog.Requirements) { r.Display.MinResolution = catalog.Resolution{Width: 1280, Height: 720} }, "display", Unknown, "check-by-hand", ""},
		{"display-too-small", nil, func(r *catalog.Requirements) { r.Display.MinResolution = catalog.Resolution{Width: 2560, Height: 1440} }, "display", Fail, "display-resolution", "1920x1080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFacts()
			if tt.facts != nil {
				tt.facts(f)
			}
			var req catalog.Requirements
			tt.req(&req)
			rep := Evaluate(f, map[catalog.Platform]catalog.Requirements{catalog.LinuxAMD64: req}, []catalog.Platform{catalog.LinuxAMD64})
			var it *Item
			for i := range rep.Items {
				if rep.Items[i].ID == tt.item {
					it = &rep.Items[i]
				}
			}
			if it == nil {
				t.Fatalf("no item %q in %+v", tt.item, rep.Items)
			}
			if it.Status != tt.status {
				t.Errorf("status %s, want %s: %+v", it.Status, tt.status, it)
			}
			if (it.Fix == nil) != (tt.fix == "") || (it.Fix != nil && it.Fix.Code != tt.fix) {
				t.Errorf("fix %+v, want %q", it.Fix, tt.fix)
			}
			if !strings.Contains(it.Found, tt.found) {
				t.Errorf("found %q, want it to contain %q", it.Found, tt.found)
			}
			if it.Evidence == "" {
				t.Error("no evidence")
			}
			if !slices.Contains(Sources, it.Source) {
				t.Errorf("source %q is not one of Sources", it.Source)
			}
			if it.Status != Unknown && (it.Unit == "bytes" || it.Unit == "cores" || it.Unit == "MHz") && it.Figure == 0 {
				t.Errorf("a figure in %s without its number: %+v", it.Unit, it)
			}
			if rep.Status.rank() < it.Status.rank() {
				t.Errorf("report status %s is better than item status %s", rep.Status, it.Status)
			}
		})
	}
}

func TestEvaluateWrongPlatform(t *testing.T) {
	rep := Evaluate(testFacts(), nil, []catalog.Platform{catalog.WindowsAMD64, catalog.DarwinARM64})
	if !rep.Failed() || rep.Items[0].ID != "platform" || rep.Items[0].Fix.Code != "wrong-platform" {
		t.Fatalf("report = %+v", rep)
	}
}

func TestUnknownIsNeverPass(t *testing.T) {
	f := testFacts()
	f.Display, f.Unknown["display"] = nil, "no display"
	rep := Evaluate(f, map[catalog.Platform]catalog.Requirements{catalog.LinuxAMD64: {Display: catalog.DisplayRequirement{MinResolution: catalog.Resolution{Width: 800, Height: 600}}}}, nil)
	if rep.Status != Unknown || rep.Failed() {
		t.Fatalf("report status %s, want unknown (not pass, not fail)", rep.Status)
	}
}

// Each measured item carries its figures as numbers, with the unit, so
// that a window can word them in its language.
func TestItemsCarryFigures(t *testing.T) {
	req := catalog.Requirements{CPU: catalog.CPURequirement{MinLogicalCores: 4, MinClock: 2000}, Memory: catalog.MemoryRequirement{Min: 8 << 30},
		Disk: catalog.DiskRequirement{Install: 1 << 30}, Display: catalog.DisplayRequirement{MinResolution: catalog.Resolution{Width: 1280, Height: 720}}}
	rep := Evaluate(testFacts(), map[catalog.Platform]catalog.Requirements{catalog.LinuxAMD64: req}, []catalog.Platform{catalog.LinuxAMD64})
	want := map[string]struct {
		source        string
		figure, need  float64
		unit, subject string
	}{
		"cpu.cores": {"cpu-counts", 8, 4, "cores", "Test CPU"},
		"cpu.clock": {"cpu-info", 3000, 2000, "MHz", "Test CPU"},
		"memory":    {"memory-total", 16 << 30, 8 << 30, "bytes", ""},
		"disk":      {"disk-free", 100 << 30, 1 << 30, "bytes", "/"},
		"display":   {"display-probe", 1920, 0, "pixels", "test"},
	}
	for _, it := range rep.Items {
		w, ok := want[it.ID]
		if !ok {
			continue
		}
		delete(want, it.ID)
		if it.Source != w.source || it.Figure != w.figure || it.Need != w.need || it.Unit != w.unit || it.Subject != w.subject {
			t.Errorf("%s: source %q figure %v need %v unit %q subject %q; want %+v", it.ID, it.Source, it.Figure, it.Need, it.Unit, it.Subject, w)
		}
	}
	for id := range want {
		t.Errorf("no item %s", id)
	}
}
