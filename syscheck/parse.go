package syscheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The parsers below read what each OS reports. They are plain functions of
// their input, tested on recorded outputs under testdata/, and every one of
// them runs on every OS: only the probes that call them are OS-specific.

// --- Linux: /sys/class/drm, the PCI ID database, nvidia-smi, xrandr ---

// parseDRM reads the GPUs and the connected displays from a tree laid out
// as /sys/class/drm (fsys is rooted there). pciNames names a vendor and
// device ID, and may be nil.
func parseDRM(fsys fs.FS, pciNames func(vendor, device string) string) ([]GPU, []Display, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, nil, err
	}
	var gpus []GPU
	var displays []Display
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "card") {
			continue
		}
		if strings.Contains(name, "-") { // a connector, "card0-eDP-1"
			if readTrim(fsys, name+"/status") != "connected" {
				continue
			}
			modes := readTrim(fsys, name+"/modes")
			first, _, _ := strings.Cut(modes, "\n")
			if w, h, ok := parseWxH(first); ok {
				displays = append(displays, Display{Width: w, Height: h, Source: "/sys/class/drm/" + name + "/modes"})
			}
			continue
		}
		dev := name + "/device"
		vendorID, deviceID := readTrim(fsys, dev+"/vendor"), readTrim(fsys, dev+"/device")
		if vendorID == "" {
			continue
		}
		uevent := parseKV(readTrim(fsys, dev+"/uevent"), "=")
		g := GPU{
			Vendor:     vendorFromPCI(vendorID),
			PCIAddress: strings.ToLower(uevent["PCI_SLOT_NAME"]),
			Source:     "/sys/class/drm/" + name + " (driver " + orUnknown(uevent["DRIVER"]) + ")",
		}
		if pciNames != nil {
			g.Model = pciNames(vendorID, deviceID)
		}
		if g.Model == "" {
			g.Model = fmt.Sprintf("PCI device %s:%s", strings.TrimPrefix(vendorID, "0x"), strings.TrimPrefix(deviceID, "0x"))
		}
		if v, err := strconv.ParseUint(readTrim(fsys, dev+"/mem_info_vram_total"), 10, 64); err == nil && v > 0 {
			g.VRAM, g.VRAMSource = v, "amdgpu mem_info_vram_total"
		}
		g.Integrated = isIntegrated(g)
		gpus = append(gpus, g)
	}
	return gpus, displays, nil
}

// isIntegrated: Intel graphics other than Arc, and any GPU on PCI bus 0
// (discrete cards sit behind a bridge, on a bus of their own).
func isIntegrated(g GPU) bool {
	switch {
	case g.Vendor == "nvidia":
		return false
	case g.Vendor == "apple":
		return true
	case g.Vendor == "intel" && !strings.Contains(strings.ToLower(g.Model), "arc"):
		return true
	}
	// "0000:00:02.0": domain, bus, device.function
	parts := strings.Split(g.PCIAddress, ":")
	return len(parts) == 3 && parts[1] == "00"
}

func readTrim(fsys fs.FS, name string) string {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func parseKV(s, sep string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, sep); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// Compiled when first used: a pattern compiled at package init costs
// every run of the assistant.
var wxh = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\d{2,5})\s*x\s*(\d{2,5})`) })

func parseWxH(s string) (int, int, bool) {
	m := wxh().FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	w, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	return w, h, w > 0 && h > 0
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// pciIDs is the PCI ID database (pci.ids) as a lookup.
type pciIDs map[string]string // "10de" and "10de:2504" to names

// parsePCIIDs reads the vendor and device lines of pci.ids.
func parsePCIIDs(r io.Reader) (pciIDs, error) {
	ids := pciIDs{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	vendor := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || line[0] == '#':
		case line[0] != '\t':
			if strings.HasPrefix(line, "C ") { // device classes follow: done
				return ids, nil
			}
			id, name, ok := strings.Cut(line, "  ")
			if ok && len(id) == 4 {
				vendor = strings.ToLower(id)
				ids[vendor] = strings.TrimSpace(name)
			}
		case len(line) > 1 && line[1] != '\t' && vendor != "":
			id, name, ok := strings.Cut(line[1:], "  ")
			if ok && len(id) == 4 {
				ids[vendor+":"+strings.ToLower(id)] = strings.TrimSpace(name)
			}
		}
	}
	return ids, sc.Err()
}

// name gives "NVIDIA Corporation GA106 [GeForce RTX 3060]" for IDs such as
// "0x10de" and "0x2504", or "" when the device is not listed.
func (p pciIDs) name(vendor, device string) string {
	v := strings.ToLower(strings.TrimPrefix(vendor, "0x"))
	d := strings.ToLower(strings.TrimPrefix(device, "0x"))
	dev, ok := p[v+":"+d]
	if !ok {
		return ""
	}
	// Prefer the marketing name in brackets: "GA106 [GeForce RTX 3060]".
	if i := strings.LastIndex(dev, "["); i >= 0 && strings.HasSuffix(dev, "]") {
		dev = dev[i+1 : len(dev)-1]
	}
	vendorName := p[v]
	switch vendorFromPCI(v) {
	case "nvidia":
		vendorName = "NVIDIA"
	case "amd":
		vendorName = "AMD"
	case "intel":
		vendorName = "Intel"
	}
	return strings.TrimSpace(vendorName + " " + dev)
}

// parseNvidiaSMI reads `nvidia-smi --query-gpu=name,memory.total,driver_version,pci.bus_id
// --format=csv,noheader,nounits`: one line per GPU, memory in MiB.
func parseNvidiaSMI(out []byte) ([]GPU, error) {
	var gpus []GPU
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 4 {
			return nil, fmt.Errorf("nvidia-smi line %d: want 4 comma-separated fields, found %d: %q", i+1, len(f), line)
		}
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		mib, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("nvidia-smi line %d: memory.total %q is not a number of MiB", i+1, f[1])
		}
		gpus = append(gpus, GPU{
			Vendor: "nvidia", Model: f[0], VRAM: mib << 20, VRAMSource: "nvidia-smi memory.total",
			Driver: f[2], PCIAddress: normalizePCI(f[3]), Source: "nvidia-smi",
		})
	}
	return gpus, nil
}

// normalizePCI turns nvidia-smi's "00000000:19:00.0" into sysfs's "0000:19:00.0".
func normalizePCI(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	parts := strings.Split(s, ":")
	if len(parts) == 3 && len(parts[0]) > 4 {
		parts[0] = parts[0][len(parts[0])-4:]
	}
	return strings.Join(parts, ":")
}

// mergeNvidia adds nvidia-smi's figures to the GPUs found in sysfs, matched
// by PCI address; GPUs only nvidia-smi sees (containers) are appended.
func mergeNvidia(gpus, smi []GPU) []GPU {
	for _, s := range smi {
		matched := false
		for i := range gpus {
			if gpus[i].PCIAddress != "" && gpus[i].PCIAddress == s.PCIAddress {
				gpus[i].Model, gpus[i].VRAM, gpus[i].VRAMSource, gpus[i].Driver = s.Model, s.VRAM, s.VRAMSource, s.Driver
				gpus[i].Source += " and nvidia-smi"
				matched = true
			}
		}
		if !matched {
			gpus = append(gpus, s)
		}
	}
	return gpus
}

// parseXrandr reads `xrandr --current`: the primary output's mode, else the
// screen's current size.
func parseXrandr(out []byte) (*Display, error) {
	var screen *Display
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.Contains(line, " connected primary "):
			if w, h, ok := parseWxH(strings.SplitN(line, " connected primary ", 2)[1]); ok {
				return &Display{Width: w, Height: h, Source: "xrandr (primary output)"}, nil
			}
		case strings.HasPrefix(line, "Screen ") && screen == nil:
			if _, cur, ok := strings.Cut(line, "current "); ok {
				if w, h, ok := parseWxH(cur); ok {
					screen = &Display{Width: w, Height: h, Source: "xrandr (screen size)"}
				}
			}
		}
	}
	if screen == nil {
		return nil, fmt.Errorf("xrandr: no screen size in its output")
	}
	return screen, nil
}

// --- Windows: WMI Win32_VideoController and the display-class registry ---

// wmiVideoController is one Win32_VideoController row as ConvertTo-Json writes it.
type wmiVideoController struct {
	Name                        string
	AdapterCompatibility        string
	DriverVersion               string
	PNPDeviceID                 string
	AdapterRAM                  *uint64 // capped at 4 GiB: a DWORD. Never trusted for VRAM.
	CurrentHorizontalResolution *int
	CurrentVerticalResolution   *int
}

// registryAdapter is one display-class registry key
// (HKLM\SYSTEM\CurrentControlSet\Control\Class\{4d36e968-...}\000N).
type registryAdapter struct {
	MatchingDeviceID string          `json:"MatchingDeviceId"`
	DriverDesc       string          `json:"DriverDesc"`
	DriverVersion    string          `json:"DriverVersion"`
	QwMemorySize     *uint64         `json:"HardwareInformation.qwMemorySize"`
	MemorySize       json.RawMessage `json:"HardwareInformation.MemorySize"`
}

// jsonRows reads what ConvertTo-Json writes: an array, or a lone object
// when there is one row.
func jsonRows[T any](out []byte) ([]T, error) {
	out = bytes.TrimSpace(bytes.TrimPrefix(out, []byte("\xef\xbb\xbf")))
	if len(out) == 0 {
		return nil, nil
	}
	if out[0] == '{' {
		var one T
		if err := json.Unmarshal(out, &one); err != nil {
			return nil, err
		}
		return []T{one}, nil
	}
	var rows []T
	err := json.Unmarshal(out, &rows)
	return rows, err
}

// ErrNothingListed means a probe ran but listed nothing at all, not even
// the fallback display adapter every Windows machine has: the probe did not
// see the machine (a stub, a policy), so the GPU is unknown, not absent.
var ErrNothingListed = errors.New("the probe listed no video controller")

// parseWindowsGPUs combines WMI's adapters with the registry's 64-bit
// memory size. WMI's AdapterRAM is a 32-bit value that caps at 4 GiB, so it
// is used only when the registry has nothing, and then labelled a lower bound.
func parseWindowsGPUs(wmiJSON, registryJSON []byte) ([]GPU, *Display, error) {
	ctrls, err := jsonRows[wmiVideoController](wmiJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("Win32_VideoController JSON: %w", err)
	}
	regs, err := jsonRows[registryAdapter](registryJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("display-class registry JSON: %w", err)
	}
	return windowsGPUs(ctrls, regs)
}

// windowsGPUs reads WMI's rows with the registry's; the WMI probe (COM)
// and the PowerShell fallback (JSON) both end here.
func windowsGPUs(ctrls []wmiVideoController, regs []registryAdapter) ([]GPU, *Display, error) {
	// Wine's WMI answers through COM with rows whose properties are all
	// missing: a row without a name has not been read.
	if !slices.ContainsFunc(ctrls, func(c wmiVideoController) bool { return c.Name != "" }) {
		return nil, nil, fmt.Errorf("Win32_VideoController: %w", ErrNothingListed)
	}
	var gpus []GPU
	var display *Display
	for _, c := range ctrls {
		if strings.Contains(strings.ToLower(c.Name), "remote display") || strings.Contains(strings.ToLower(c.Name), "basic display") {
			continue // RDP and the fallback driver are not GPUs
		}
		g := GPU{Model: c.Name, Source: "WMI Win32_VideoController", Driver: c.DriverVersion}
		g.Vendor = vendorFromPNP(c.PNPDeviceID)
		if g.Vendor == "" {
			g.Vendor = vendorFromName(c.AdapterCompatibility + " " + c.Name)
		}
		if g.Vendor == "nvidia" {
			g.Driver = nvidiaDriverFromWindows(c.DriverVersion)
		}
		for _, r := range regs {
			if r.MatchingDeviceID == "" || !strings.HasPrefix(strings.ToLower(c.PNPDeviceID), strings.ToLower(r.MatchingDeviceID)) {
				continue
			}
			if r.QwMemorySize != nil && *r.QwMemorySize > 0 {
				g.VRAM, g.VRAMSource = *r.QwMemorySize, "registry HardwareInformation.qwMemorySize"
			} else if v, ok := registryDWORD(r.MemorySize); ok && v > 0 {
				g.VRAM, g.VRAMSource = v, "registry HardwareInformation.MemorySize"
			}
		}
		if g.VRAM == 0 && c.AdapterRAM != nil && *c.AdapterRAM > 0 && *c.AdapterRAM < 4<<30-1<<20 {
			g.VRAM, g.VRAMSource = *c.AdapterRAM, "WMI AdapterRAM (32-bit; exact only below 4 GiB)"
		}
		g.Integrated = windowsIntegrated(g)
		gpus = append(gpus, g)
		if display == nil && c.CurrentHorizontalResolution != nil && c.CurrentVerticalResolution != nil && *c.CurrentHorizontalResolution > 0 {
			display = &Display{Width: *c.CurrentHorizontalResolution, Height: *c.CurrentVerticalResolution, Source: "WMI Win32_VideoController current resolution"}
		}
	}
	return gpus, display, nil
}

// registryGPUs reads the adapters from the display-class registry keys
// alone, for when WMI cannot be read: names, vendors, drivers and 64-bit
// memory sizes, but no resolution.
func registryGPUs(regs []registryAdapter) ([]GPU, error) {
	var gpus []GPU
	for _, r := range regs {
		name := strings.ToLower(r.DriverDesc)
		if r.DriverDesc == "" || strings.Contains(name, "remote display") || strings.Contains(name, "basic display") {
			continue
		}
		g := GPU{Model: r.DriverDesc, Source: "registry display class", Driver: r.DriverVersion}
		g.Vendor = vendorFromPNP(r.MatchingDeviceID)
		if g.Vendor == "" {
			g.Vendor = vendorFromName(r.DriverDesc)
		}
		if g.Vendor == "nvidia" {
			g.Driver = nvidiaDriverFromWindows(r.DriverVersion)
		}
		if r.QwMemorySize != nil && *r.QwMemorySize > 0 {
			g.VRAM, g.VRAMSource = *r.QwMemorySize, "registry HardwareInformation.qwMemorySize"
		} else if v, ok := registryDWORD(r.MemorySize); ok && v > 0 {
			g.VRAM, g.VRAMSource = v, "registry HardwareInformation.MemorySize"
		}
		g.Integrated = windowsIntegrated(g)
		gpus = append(gpus, g)
	}
	if len(gpus) == 0 {
		return nil, fmt.Errorf("display-class registry keys: %w", ErrNothingListed)
	}
	return gpus, nil
}

var pnpVendor = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)VEN_([0-9A-F]{4})`) })

func vendorFromPNP(id string) string {
	if m := pnpVendor().FindStringSubmatch(id); m != nil {
		return vendorFromPCI(m[1])
	}
	return ""
}

// registryDWORD reads HardwareInformation.MemorySize, which drivers write as
// a DWORD (a JSON number) or as REG_BINARY (a JSON array of bytes, little-endian).
func registryDWORD(raw json.RawMessage) (uint64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var n uint64
	if json.Unmarshal(raw, &n) == nil {
		return n, true
	}
	var b []uint64
	if json.Unmarshal(raw, &b) == nil && len(b) > 0 && len(b) <= 8 {
		for i := len(b) - 1; i >= 0; i-- {
			n = n<<8 | (b[i] & 0xff)
		}
		return n, true
	}
	return 0, false
}

// nvidiaDriverFromWindows turns Windows' driver version "31.0.15.3623" into
// NVIDIA's "536.23": the last five digits of the last two fields.
func nvidiaDriverFromWindows(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) != 4 {
		return v
	}
	digits := parts[2] + parts[3]
	if len(digits) < 5 {
		return v
	}
	digits = digits[len(digits)-5:]
	major := strings.TrimLeft(digits[:3], "0")
	return major + "." + digits[3:]
}

var amdIntegrated = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)radeon\(tm\) graphics|radeon graphics|vega \d+ graphics|radeon \d{3}m`)
})

func windowsIntegrated(g GPU) bool {
	switch g.Vendor {
	case "intel":
		return !strings.Contains(strings.ToLower(g.Model), "arc")
	case "amd":
		return amdIntegrated().MatchString(g.Model)
	case "qualcomm":
		return true
	}
	return false
}

// --- macOS: system_profiler SPDisplaysDataType -json ---

type spDisplays struct {
	SPDisplaysDataType []struct {
		Name       string `json:"_name"`
		Model      string `json:"sppci_model"`
		Vendor     string `json:"spdisplays_vendor"`
		Bus        string `json:"sppci_bus"`
		VRAM       string `json:"spdisplays_vram"`
		VRAMShared string `json:"spdisplays_vram_shared"`
		Displays   []struct {
			Name       string `json:"_name"`
			Pixels     string `json:"_spdisplays_pixels"`
			Resolution string `json:"_spdisplays_resolution"`
			Main       string `json:"spdisplays_main"`
		} `json:"spdisplays_ndrvs"`
	} `json:"SPDisplaysDataType"`
}

// parseSystemProfiler reads the GPUs and the main display. Apple Silicon
// GPUs have no VRAM of their own: they share the machine's memory, which is
// reported as Unified so the evaluation can say so.
func parseSystemProfiler(out []byte) ([]GPU, *Display, error) {
	var sp spDisplays
	if err := json.Unmarshal(out, &sp); err != nil {
		return nil, nil, fmt.Errorf("system_profiler JSON: %w", err)
	}
	var gpus []GPU
	var display *Display
	for _, a := range sp.SPDisplaysDataType {
		model := a.Model
		if model == "" {
			model = a.Name
		}
		g := GPU{Model: model, Source: "system_profiler SPDisplaysDataType"}
		g.Vendor = vendorFromName(strings.TrimPrefix(a.Vendor, "sppci_vendor_") + " " + model)
		if g.Vendor == "" {
			g.Vendor = strings.ToLower(strings.TrimPrefix(a.Vendor, "sppci_vendor_"))
		}
		g.Integrated = a.Bus == "spdisplays_builtin"
		switch {
		case g.Vendor == "apple":
			g.Unified, g.Integrated = true, true
			g.VRAMSource = "unified memory (shared with the CPU)"
		case a.VRAM != "":
			g.VRAM, g.VRAMSource = parseMacVRAM(a.VRAM), "system_profiler spdisplays_vram"
		case a.VRAMShared != "":
			g.VRAM, g.VRAMSource = parseMacVRAM(a.VRAMShared), "system_profiler spdisplays_vram_shared (shared with the CPU)"
		}
		gpus = append(gpus, g)
		for _, d := range a.Displays {
			w, h, ok := parseWxH(d.Pixels)
			if !ok {
				w, h, ok = parseWxH(d.Resolution)
			}
			if !ok || (display != nil && d.Main != "spdisplays_yes") {
				continue
			}
			disp := &Display{Width: w, Height: h, Source: "system_profiler (" + d.Name + ")"}
			if lw, _, ok := parseWxH(d.Resolution); ok && lw > 0 {
				disp.Scale = float64(w) / float64(lw)
			}
			display = disp
		}
	}
	return gpus, display, nil
}

// parseMacVRAM reads "8 GB" or "1536 MB"; macOS means binary units here.
func parseMacVRAM(s string) uint64 {
	num, unit, _ := strings.Cut(strings.TrimSpace(s), " ")
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0
	}
	switch strings.ToUpper(unit) {
	case "GB":
		return n << 30
	case "MB":
		return n << 20
	}
	return 0
}
