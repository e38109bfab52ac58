package installer

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var getDiskFreeSpace = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetDiskFreeSpaceW")

// volumeOf asks the volume holding path: the bytes free to this user
// (quotas included) and its cluster size; NTFS has no fixed number of
// file entries.
func volumeOf(path string) volume {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return volume{}
	}
	var free, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &free, &total, &totalFree); err != nil {
		return volume{}
	}
	v := volume{Known: true, Free: free}
	var sectorsPerCluster, bytesPerSector, freeClusters, clusters uint32
	// GetDiskFreeSpaceW wants the volume's root; a folder works on
	// Windows 2000 and later.
	if r, _, _ := getDiskFreeSpace.Call(uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&sectorsPerCluster)),
		uintptr(unsafe.Pointer(&bytesPerSector)), uintptr(unsafe.Pointer(&freeClusters)), uintptr(unsafe.Pointer(&clusters))); r != 0 {
		v.Block = uint64(sectorsPerCluster) * uint64(bytesPerSector)
	}
	return v
}
