//go:build !linux && !darwin && !windows

package installer

import "github.com/shirou/gopsutil/v3/disk"

// volumeOf asks the file system holding path for its free bytes only.
func volumeOf(path string) volume {
	u, err := disk.Usage(path)
	if err != nil {
		return volume{}
	}
	return volume{Known: true, Free: u.Free, FreeInodes: u.InodesFree, InodesKnown: u.InodesTotal > 0}
}
