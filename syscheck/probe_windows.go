package syscheck

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/yusufpapurcu/wmi"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// The Windows probes ask WMI through COM and read the registry directly:
// no PowerShell, which companies often block by policy and which Wine only
// stubs. PowerShell remains a fallback for when COM fails.

const (
	wmiVideoQuery = `SELECT Name, AdapterCompatibility, DriverVersion, PNPDeviceID, AdapterRAM, CurrentHorizontalResolution, CurrentVerticalResolution FROM Win32_VideoController`
	// The display-class key holds the 64-bit memory size that WMI's
	// 32-bit AdapterRAM cannot.
	displayClassKey = `SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}`

	psVideoQuery = `Get-CimInstance Win32_VideoController | Select-Object Name,AdapterCompatibility,DriverVersion,PNPDeviceID,AdapterRAM,CurrentHorizontalResolution,CurrentVerticalResolution | ConvertTo-Json -Compress`
	psRegistry   = `Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}\0*' -ErrorAction SilentlyContinue | Select-Object MatchingDeviceId,DriverDesc,'HardwareInformation.qwMemorySize','HardwareInformation.MemorySize' | ConvertTo-Json -Compress`
)

// win32VideoController is the COM row; WMI types AdapterRAM as uint32
// and the resolutions as uint32, all of them possibly null.
type win32VideoController struct {
	Name                        string
	AdapterCompatibility        string
	DriverVersion               string
	PNPDeviceID                 string
	AdapterRAM                  *uint32
	CurrentHorizontalResolution *uint32
	CurrentVerticalResolution   *uint32
}

// wmiQuery runs a WMI query through COM, bounded by ctx: a WMI service
// that hangs costs this probe its deadline, not the whole check.
func wmiQuery[T any](ctx context.Context, query string) ([]T, error) {
	type result struct {
		rows []T
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var rows []T
		err := wmi.Query(query, &rows)
		done <- result{rows, err}
	}()
	select {
	case r := <-done:
		return r.rows, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func wmiVideoControllers(ctx context.Context) ([]wmiVideoController, error) {
	rows, err := wmiQuery[win32VideoController](ctx, wmiVideoQuery)
	// A property the provider lacks leaves its field empty (the parser then
	// ignores the row); WMI still answered.
	if fm := (*wmi.ErrFieldMismatch)(nil); errors.As(err, &fm) {
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("WMI Win32_VideoController: %w", err)
	}
	out := make([]wmiVideoController, 0, len(rows))
	for _, r := range rows {
		c := wmiVideoController{Name: r.Name, AdapterCompatibility: r.AdapterCompatibility, DriverVersion: r.DriverVersion, PNPDeviceID: r.PNPDeviceID}
		if r.AdapterRAM != nil {
			v := uint64(*r.AdapterRAM)
			c.AdapterRAM = &v
		}
		if r.CurrentHorizontalResolution != nil && r.CurrentVerticalResolution != nil {
			w, h := int(*r.CurrentHorizontalResolution), int(*r.CurrentVerticalResolution)
			c.CurrentHorizontalResolution, c.CurrentVerticalResolution = &w, &h
		}
		out = append(out, c)
	}
	return out, nil
}

// registryAdapters reads the display-class keys (0000, 0001, ...).
func registryAdapters() ([]registryAdapter, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, displayClassKey, registry.ENUMERATE_SUB_KEYS)
	if err != nil {
		return nil, fmt.Errorf(`registry HKLM\%s: %w`, displayClassKey, err)
	}
	defer k.Close()
	names, err := k.ReadSubKeyNames(-1)
	if err != nil {
		return nil, fmt.Errorf(`registry HKLM\%s: %w`, displayClassKey, err)
	}
	var out []registryAdapter
	for _, name := range names {
		if !strings.HasPrefix(name, "0") { // "Properties" and the like
			continue
		}
		sk, err := registry.OpenKey(k, name, registry.QUERY_VALUE)
		if err != nil {
			continue // a key this user may not read
		}
		var r registryAdapter
		r.MatchingDeviceID, _, _ = sk.GetStringValue("MatchingDeviceId")
		r.DriverDesc, _, _ = sk.GetStringValue("DriverDesc")
		r.DriverVersion, _, _ = sk.GetStringValue("DriverVersion")
		if v, ok := registryNumber(sk, "HardwareInformation.qwMemorySize"); ok {
			r.QwMemorySize = &v
		}
		if v, ok := registryNumber(sk, "HardwareInformation.MemorySize"); ok {
			r.MemorySize, _ = json.Marshal(v)
		}
		sk.Close()
		out = append(out, r)
	}
	return out, nil
}

// registryNumber reads a DWORD or QWORD, or a REG_BINARY of up to 8 bytes
// (little-endian), as drivers write memory sizes either way.
func registryNumber(k registry.Key, name string) (uint64, bool) {
	if v, _, err := k.GetIntegerValue(name); err == nil {
		return v, true
	}
	b, _, err := k.GetBinaryValue(name)
	if err != nil || len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:]), true
}

func powershell(ctx context.Context, script string) ([]byte, error) {
	return runProbe(ctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script)
}

// probeWindowsPowerShell is the fallback when COM fails.
func probeWindowsPowerShell(ctx context.Context) ([]GPU, *Display, error) {
	out, err := powershell(ctx, psVideoQuery)
	if err != nil {
		return nil, nil, err
	}
	reg, err := powershell(ctx, psRegistry)
	if err != nil {
		reg = nil // the registry only refines VRAM
	}
	return parseWindowsGPUs(out, reg)
}

// probeWindows asks WMI first (names, drivers, the current resolution),
// then the registry alone, then PowerShell; the first that lists an
// adapter wins. A machine where none can be read has an unknown GPU.
func probeWindows(ctx context.Context) ([]GPU, *Display, error) {
	regs, regErr := registryAdapters()
	ctrls, err := wmiVideoControllers(ctx)
	if err == nil {
		var gpus []GPU
		var d *Display
		if gpus, d, err = windowsGPUs(ctrls, regs); err == nil {
			return gpus, d, nil
		}
	}
	if ctx.Err() != nil {
		return nil, nil, err
	}
	errs := []error{err}
	if regErr == nil {
		gpus, rerr := registryGPUs(regs)
		if rerr == nil {
			return gpus, screenSize(), nil
		}
		errs = append(errs, rerr)
	} else {
		errs = append(errs, regErr)
	}
	gpus, d, perr := probeWindowsPowerShell(ctx)
	if perr == nil {
		return gpus, d, nil
	}
	return nil, nil, errors.Join(append(errs, fmt.Errorf("fallback: %w", perr))...)
}

var getSystemMetrics = windows.NewLazySystemDLL("user32.dll").NewProc("GetSystemMetrics")

// screenSize is the primary display's size in pixels (the manifest makes
// the assistant DPI aware, so these are physical pixels), or nil.
func screenSize() *Display {
	const smCXScreen, smCYScreen = 0, 1
	if getSystemMetrics.Find() != nil {
		return nil
	}
	w, _, _ := getSystemMetrics.Call(smCXScreen)
	h, _, _ := getSystemMetrics.Call(smCYScreen)
	if int32(w) <= 0 || int32(h) <= 0 {
		return nil
	}
	return &Display{Width: int(int32(w)), Height: int(int32(h)), Source: "GetSystemMetrics (primary display)"}
}

// cpuFromOS reads the processor's name and rated clock from the registry,
// where Windows (and Wine) describe every processor.
func cpuFromOS() (model string, mhz int) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `HARDWARE\DESCRIPTION\System\CentralProcessor\0`, registry.QUERY_VALUE)
	if err != nil {
		return "", 0
	}
	defer k.Close()
	model, _, _ = k.GetStringValue("ProcessorNameString")
	if v, _, err := k.GetIntegerValue("~MHz"); err == nil && v < 1<<20 {
		mhz = int(v)
	}
	return strings.TrimSpace(model), mhz
}

func probeGraphics(ctx context.Context) graphics {
	gpus, d, err := probeWindows(ctx)
	return graphics{gpus, err, d, err}
}
