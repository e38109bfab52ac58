package syscheck

import (
	"fmt"
	"slices"
	"strings"

	"onramp.dev/onramp/catalog"
)

// Status is the verdict on one requirement.
type Status string

// Statuses, from best to worst. Unknown is never a pass: it means the
// figure could not be read, and the report says why.
const (
	Pass    Status = "pass"
	Warn    Status = "warn" // meets the minimum, below the recommendation
	Unknown Status = "unknown"
	Fail    Status = "fail"
)

func (s Status) rank() int { return slices.Index([]Status{Pass, Warn, Unknown, Fail}, s) }

// Item is one requirement checked against the machine.
type Item struct {
	// ID names the requirement: os, platform, cpu.cores, cpu.clock,
	// cpu.features, memory, disk, gpu, gpu.vram, gpu.driver, display.
	ID          string `json:"id"`
	Required    string `json:"required,omitempty"`
	Recommended string `json:"recommended,omitempty"`
	Found       string `json:"found"`
	Status      Status `json:"status"`
	// Evidence says where the figure came from, and which GPU or volume
	// was judged and why.
	Evidence string `json:"evidence"`
	// Fix says what to do, as a code with arguments that the CLI and the
	// UI put into words; nil when there is nothing to do.
	Fix *Fix `json:"fix,omitempty"`

	// The same facts in a form a front end words in its own language
	// (Found and Evidence are English, for logs and --json): where the
	// figure was read, as a stable code (see Sources); the figure found and
	// the one required, as numbers in Unit ("bytes", "MHz", "cores",
	// "pixels"; for pixels, Figure is the width and Figure2 the height);
	// and Subject, a name shown as it is (a volume, a graphics card, a tool).
	Source  string  `json:"source,omitempty"`
	Figure  float64 `json:"figure,omitempty"`
	Figure2 float64 `json:"figure2,omitempty"`
	Need    float64 `json:"need,omitempty"`
	Unit    string  `json:"unit,omitempty"`
	Subject string  `json:"subject,omitempty"`
}

// Sources lists every Item.Source code, so front ends can check they have
// words for each.
var Sources = []string{"platform", "os-info", "cpu-counts", "cpu-info", "cpuid", "memory-total", "disk-free", "gpu-probe",
	"gpu-vram", "gpu-unified", "gpu-driver", "display-probe", "not-measured"}

// Fix is advice in a form the UI translates.
type Fix struct {
	Code string            `json:"code"`
	Args map[string]string `json:"args,omitempty"`
}

// FixCodes lists every Fix.Code the evaluation produces, so the CLI and
// the UI can check they have words for each.
var FixCodes = []string{"wrong-platform", "upgrade-os", "more-cores", "faster-cpu", "cpu-features", "add-ram",
	"add-ram-recommended", "free-disk", "gpu-none", "gpu-vendor", "gpu-vram", "gpu-vram-recommended", "gpu-driver",
	"gpu-uncertified", "display-resolution", "check-by-hand"}

func fix(code string, kv ...string) *Fix {
	if !slices.Contains(FixCodes, code) {
		panic("syscheck: fix code missing from FixCodes: " + code)
	}
	f := &Fix{Code: code, Args: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Args[kv[i]] = kv[i+1]
	}
	return f
}

// Report is a machine judged against one release's requirements.
type Report struct {
	Platform string `json:"platform"`
	Status   Status `json:"status"` // the worst item's status
	Items    []Item `json:"items"`
	Facts    *Facts `json:"facts"`
}

// Failed reports whether any requirement is not met.
func (r *Report) Failed() bool { return r.Status == Fail }

// Evaluate judges facts against requirements per platform. platforms lists
// the platforms that have a package; nil means any platform that has
// requirements (an IT requirements file).
func Evaluate(f *Facts, reqs map[catalog.Platform]catalog.Requirements, platforms []catalog.Platform) *Report {
	r := &Report{Platform: f.OS.Platform, Facts: f}
	plat := f.Platform()
	if platforms == nil {
		for p := range reqs {
			platforms = append(platforms, p)
		}
	}
	slices.Sort(platforms)
	if !slices.Contains(platforms, plat) {
		names := make([]string, len(platforms))
		for i, p := range platforms {
			names[i] = string(p)
		}
		r.add(Item{ID: "platform", Required: strings.Join(names, ", "), Found: string(plat), Status: Fail,
			Evidence: "operating system and architecture of this machine", Source: "platform",
			Fix: fix("wrong-platform", "found", string(plat), "available", strings.Join(names, ", "))})
		r.finish()
		return r
	}
	r.add(Item{ID: "platform", Required: string(plat), Found: string(plat), Status: Pass, Evidence: "operating system and architecture of this machine", Source: "platform"})
	req := reqs[plat]
	r.os(f, req.OS)
	r.cpu(f, req.CPU)
	r.memory(f, req.Memory)
	r.disk(f, req.Disk)
	r.gpu(f, req.GPU)
	r.display(f, req.Display)
	r.finish()
	return r
}

func (r *Report) add(it Item) { r.Items = append(r.Items, it) }

func (r *Report) finish() {
	r.Status = Pass
	for _, it := range r.Items {
		if it.Status.rank() > r.Status.rank() {
			r.Status = it.Status
		}
	}
}

func unknownItem(id, required, reason string) Item {
	return Item{ID: id, Required: required, Found: "unknown", Status: Unknown, Evidence: reason, Source: "not-measured",
		Fix: fix("check-by-hand", "reason", reason)}
}

func (r *Report) os(f *Facts, req catalog.OSRequirement) {
	if req.MinVersion.IsZero() {
		return
	}
	need := req.MinVersion.String()
	if reason, ok := f.Unknown["os"]; ok || f.OS.Version == "" {
		r.add(unknownItem("os", need, reason))
		return
	}
	v, err := catalog.ParseVersion(f.OS.Version)
	if err != nil {
		r.add(unknownItem("os", need, fmt.Sprintf("cannot read the OS version %q", f.OS.Version)))
		return
	}
	it := Item{ID: "os", Required: need, Found: strings.TrimSpace(f.OS.Product + " " + f.OS.Version), Status: Pass,
		Evidence: "gopsutil host info: " + f.OS.Build, Source: "os-info", Subject: strings.TrimSpace(f.OS.Product + " " + f.OS.Version)}
	if v.Compare(req.MinVersion) < 0 {
		it.Status, it.Fix = Fail, fix("upgrade-os", "need", need, "found", f.OS.Version)
	}
	r.add(it)
}

func (r *Report) cpu(f *Facts, req catalog.CPURequirement) {
	if req.MinLogicalCores > 0 {
		physical := "physical unknown" // Wine, and some virtual machines, do not say
		if f.CPU.PhysicalCores > 0 {
			physical = fmt.Sprintf("%d physical", f.CPU.PhysicalCores)
		}
		it := Item{ID: "cpu.cores", Required: fmt.Sprint(req.MinLogicalCores), Status: Pass,
			Found:    fmt.Sprintf("%d logical (%s)", f.CPU.LogicalCores, physical),
			Evidence: "gopsutil cpu counts: " + f.CPU.Model,
			Source:   "cpu-counts", Figure: float64(f.CPU.LogicalCores), Figure2: float64(f.CPU.PhysicalCores), Need: float64(req.MinLogicalCores), Unit: "cores", Subject: f.CPU.Model}
		if f.CPU.LogicalCores < req.MinLogicalCores {
			it.Status, it.Fix = Fail, fix("more-cores", "need", fmt.Sprint(req.MinLogicalCores))
		}
		r.add(it)
	}
	if req.MinClock > 0 {
		need := req.MinClock.String()
		if f.CPU.ClockMHz == 0 {
			r.add(unknownItem("cpu.clock", need, f.Unknown["cpu.clock"]))
		} else {
			it := Item{ID: "cpu.clock", Required: need, Found: catalog.Frequency(f.CPU.ClockMHz).String(), Status: Pass,
				Evidence: "gopsutil cpu info (highest clock reported): " + f.CPU.Model,
				Source:   "cpu-info", Figure: float64(f.CPU.ClockMHz), Need: float64(req.MinClock), Unit: "MHz", Subject: f.CPU.Model}
			if f.CPU.ClockMHz < int(req.MinClock) {
				it.Status, it.Fix = Fail, fix("faster-cpu", "need", need)
			}
			r.add(it)
		}
	}
	if len(req.Features) > 0 {
		var missing []string
		for _, feat := range req.Features {
			if !slices.Contains(f.CPU.Features, feat) {
				missing = append(missing, feat)
			}
		}
		it := Item{ID: "cpu.features", Required: strings.Join(req.Features, ", "), Status: Pass,
			Found:    "has " + strings.Join(slices.DeleteFunc(slices.Clone(req.Features), func(s string) bool { return slices.Contains(missing, s) }), ", "),
			Evidence: "CPUID via golang.org/x/sys/cpu, and the OS's CPU flags", Source: "cpuid"}
		if len(missing) > 0 {
			it.Found = "lacks " + strings.Join(missing, ", ")
			it.Status, it.Fix = Fail, fix("cpu-features", "missing", strings.Join(missing, ", "))
		}
		r.add(it)
	}
}

func (r *Report) memory(f *Facts, req catalog.MemoryRequirement) {
	if req.Min == 0 && req.Recommended == 0 {
		return
	}
	it := Item{ID: "memory", Found: size(f.Memory.Total) + " installed", Status: Pass, Evidence: "gopsutil virtual memory total",
		Source: "memory-total", Figure: float64(f.Memory.Total), Need: float64(req.Min), Unit: "bytes"}
	if req.Min > 0 {
		it.Required = req.Min.String()
	}
	if req.Recommended > 0 {
		it.Recommended = req.Recommended.String()
	}
	if reason, ok := f.Unknown["memory"]; ok || f.Memory.Total == 0 {
		r.add(unknownItem("memory", it.Required, reason))
		return
	}
	switch {
	case f.Memory.Total < uint64(req.Min):
		it.Status, it.Fix = Fail, fix("add-ram", "need", req.Min.String())
	case req.Recommended > 0 && f.Memory.Total < uint64(req.Recommended):
		it.Status, it.Fix = Warn, fix("add-ram-recommended", "recommended", req.Recommended.String())
	}
	r.add(it)
}

// disk counts every need against the volume it lands on: the install and
// its staging copy on the target's volume, the download on the cache's.
// When both are one volume, one item adds all three.
func (r *Report) disk(f *Facts, req catalog.DiskRequirement) {
	if req.Total() == 0 {
		return
	}
	for _, role := range []string{"target", "cache"} {
		if reason, ok := f.Unknown["disk."+role]; ok {
			r.add(unknownItem("disk", "", reason))
		}
	}
	for _, v := range f.Volumes {
		var need catalog.ByteSize
		var parts []string
		if slices.Contains(v.Roles, "target") {
			need += req.Install + req.Staging
			parts = append(parts, fmt.Sprintf("install %s + staging %s", req.Install, req.Staging))
		}
		if slices.Contains(v.Roles, "cache") {
			need += req.Download
			parts = append(parts, fmt.Sprintf("download %s", req.Download))
		}
		if need == 0 {
			continue
		}
		it := Item{ID: "disk", Required: need.String(), Status: Pass,
			Found: fmt.Sprintf("%s free on %s (%s)", size(v.Free), orUnknown(v.Mountpoint), orUnknown(v.FSType)),
			Evidence: fmt.Sprintf("%s for %s (%s), measured at %s", strings.Join(parts, " + "),
				strings.Join(v.Roles, " and "), v.Path, v.Existing),
			Source: "disk-free", Figure: float64(v.Free), Need: float64(need), Unit: "bytes", Subject: orUnknown(v.Mountpoint)}
		if v.Free < uint64(need) {
			it.Status = Fail
			it.Fix = fix("free-disk", "need", need.String(), "short", size(uint64(need)-v.Free), "volume", orUnknown(v.Mountpoint), "folder", v.Path)
		}
		r.add(it)
	}
}

func (r *Report) gpu(f *Facts, req catalog.GPURequirement) {
	if req.MinVRAM == 0 && req.RecommendedVRAM == 0 && len(req.Vendors) == 0 && len(req.CertifiedModels) == 0 && len(req.MinDriver) == 0 {
		return
	}
	if reason, ok := f.Unknown["gpu"]; ok && len(f.GPUs) == 0 {
		r.add(unknownItem("gpu", strings.Join(req.Vendors, ", "), reason))
		return
	}
	g, why, ok := ChooseGPU(f.GPUs, req.Vendors)
	it := Item{ID: "gpu", Required: strings.Join(req.Vendors, ", "), Found: g.Model, Status: Pass, Evidence: why + "; " + g.Source,
		Source: "gpu-probe", Subject: g.Source}
	switch {
	case !ok && len(f.GPUs) == 0:
		it.Found, it.Status, it.Evidence = "none", Fail, "the operating system shows no graphics adapter"
		it.Fix = fix("gpu-none")
		r.add(it)
		return
	case !ok && slices.ContainsFunc(f.GPUs, func(g GPU) bool { return g.Vendor == "" }):
		// An adapter whose vendor could not be read (no PCI ID, a name
		// that names no vendor: Wine's) may be one of those wanted.
		r.add(unknownItem("gpu", it.Required, "could not tell the vendor of "+describeGPUs(f.GPUs)))
		return
	case !ok:
		it.Status, it.Fix = Fail, fix("gpu-vendor", "vendors", strings.Join(req.Vendors, ", "))
		r.add(it)
		return
	case len(req.CertifiedModels) > 0 && !certified(g.Model, req.CertifiedModels):
		it.Status, it.Fix = Warn, fix("gpu-uncertified", "models", strings.Join(req.CertifiedModels, ", "))
		it.Recommended = "certified: " + strings.Join(req.CertifiedModels, ", ")
	}
	r.add(it)

	if req.MinVRAM > 0 || req.RecommendedVRAM > 0 {
		v := Item{ID: "gpu.vram", Status: Pass, Evidence: g.VRAMSource, Source: "gpu-vram", Subject: g.VRAMSource, Need: float64(req.MinVRAM), Unit: "bytes"}
		if req.MinVRAM > 0 {
			v.Required = req.MinVRAM.String()
		}
		if req.RecommendedVRAM > 0 {
			v.Recommended = req.RecommendedVRAM.String()
		}
		vram := g.VRAM
		switch {
		case g.Unified:
			// Apple Silicon: the GPU shares RAM with the CPU, up to about
			// three quarters of it by default.
			vram = f.Memory.Total * 3 / 4
			v.Found = fmt.Sprintf("unified memory: up to about %s of %s RAM", size(vram), size(f.Memory.Total))
			v.Evidence = "Apple Silicon GPUs have no memory of their own; they share the machine's RAM"
			v.Source, v.Figure, v.Figure2 = "gpu-unified", float64(vram), float64(f.Memory.Total)
		case vram == 0:
			r.add(unknownItem("gpu.vram", v.Required, "the "+g.Model+" driver does not report its video memory"))
			vram = 0
		default:
			v.Found, v.Figure = size(vram), float64(vram)
		}
		if vram > 0 {
			switch {
			case vram < uint64(req.MinVRAM):
				v.Status, v.Fix = Fail, fix("gpu-vram", "need", req.MinVRAM.String())
			case req.RecommendedVRAM > 0 && vram < uint64(req.RecommendedVRAM):
				v.Status, v.Fix = Warn, fix("gpu-vram-recommended", "recommended", req.RecommendedVRAM.String())
			}
			r.add(v)
		}
	}
	if need, ok := req.MinDriver[g.Vendor]; ok {
		d := Item{ID: "gpu.driver", Required: need.String(), Found: g.Driver, Status: Pass, Evidence: g.Source, Source: "gpu-driver", Subject: g.Source}
		have, err := catalog.ParseVersion(leadingVersion(g.Driver))
		switch {
		case g.Driver == "" || err != nil:
			r.add(unknownItem("gpu.driver", need.String(), "no driver version reported for "+g.Model))
			return
		case have.Compare(need) < 0:
			d.Status, d.Fix = Fail, fix("gpu-driver", "vendor", g.Vendor, "need", need.String())
		}
		r.add(d)
	}
}

func certified(model string, list []string) bool {
	for _, m := range list {
		if strings.Contains(strings.ToLower(model), strings.ToLower(m)) {
			return true
		}
	}
	return false
}

func (r *Report) display(f *Facts, req catalog.DisplayRequirement) {
	if req.MinResolution.IsZero() {
		return
	}
	need := req.MinResolution.String()
	if f.Display == nil {
		r.add(unknownItem("display", need, f.Unknown["display"]))
		return
	}
	it := Item{ID: "display", Required: need, Found: fmt.Sprintf("%dx%d", f.Display.Width, f.Display.Height), Status: Pass, Evidence: f.Display.Source,
		Source: "display-probe", Figure: float64(f.Display.Width), Figure2: float64(f.Display.Height), Unit: "pixels", Subject: f.Display.Source}
	if f.Display.Scale > 0 {
		it.Found += fmt.Sprintf(" at %gx scale", f.Display.Scale)
	}
	if f.Display.Width < req.MinResolution.Width || f.Display.Height < req.MinResolution.Height {
		it.Status, it.Fix = Fail, fix("display-resolution", "need", need)
	}
	r.add(it)
}

func size(b uint64) string { return catalog.ByteSize(b).String() }
