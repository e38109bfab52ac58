package syscheck

import "context"

const (
	wmiQuery = `Get-CimInstance Win32_VideoController | Select-Object Name,AdapterCompatibility,DriverVersion,PNPDeviceID,AdapterRAM,CurrentHorizontalResolution,CurrentVerticalResolution | ConvertTo-Json -Compress`
	// The display-class key holds the 64-bit memory size that WMI's
	// 32-bit AdapterRAM cannot.
	registryQuery = `Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}\0*' -ErrorAction SilentlyContinue | Select-Object MatchingDeviceId,DriverDesc,'HardwareInformation.qwMemorySize','HardwareInformation.MemorySize' | ConvertTo-Json -Compress`
)

func powershell(ctx context.Context, script string) ([]byte, error) {
	return runProbe(ctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script)
}

func probeWindows(ctx context.Context) ([]GPU, *Display, error) {
	wmi, err := powershell(ctx, wmiQuery)
	if err != nil {
		return nil, nil, err
	}
	reg, err := powershell(ctx, registryQuery)
	if err != nil {
		reg = nil // the registry only refines VRAM
	}
	return parseWindowsGPUs(wmi, reg)
}

func probeGraphics(ctx context.Context) graphics {
	gpus, d, err := probeWindows(ctx)
	return graphics{gpus, err, d, err}
}
