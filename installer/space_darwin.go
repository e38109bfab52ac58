package installer

import "golang.org/x/sys/unix"

// volumeOf asks the file system holding path (statfs).
func volumeOf(path string) volume {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return volume{}
	}
	block := uint64(st.Bsize)
	return volume{Known: true, Block: block, Free: st.Bavail * block, FreeInodes: st.Ffree, InodesKnown: st.Files > 0}
}
