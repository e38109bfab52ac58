package syscheck

import (
	"testing"

	"github.com/shirou/gopsutil/v3/disk"
)

// gopsutil lists Windows partitions as bare drives ("C:"); a folder on
// C: is on that partition (filepath.Clean alone would make it "C:.").
func TestMountOfBareDrive(t *testing.T) {
	parts := []disk.PartitionStat{{Mountpoint: "C:", Fstype: "NTFS"}, {Mountpoint: "D:", Fstype: "NTFS"}, {Mountpoint: `C:\mnt\data`, Fstype: "ReFS"}}
	tests := []struct{ name, path, want string }{
		{"folder-on-c", `C:\Users\ana\AppData\Local`, "C:"},
		{"drive-root", `C:\`, "C:"},
		{"lower-case", `d:\onramp`, "D:"},
		{"mounted-folder-wins", `C:\mnt\data\x`, `C:\mnt\data`},
		{"other-drive", `E:\x`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := mountOf(tt.path, parts)
			if p.Mountpoint != tt.want || ok != (tt.want != "") {
				t.Errorf("mountOf(%s) = %q, %v; want %q", tt.path, p.Mountpoint, ok, tt.want)
			}
		})
	}
}
