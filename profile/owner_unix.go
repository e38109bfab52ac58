//go:build unix

package profile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ownerFix is how root repairs a machine-wide profile.
const ownerFix = "recreate it as root: chown root FILE FOLDER, chmod 644 FILE, chmod 755 FOLDER"

// checkHolders refuses the open machine-wide profile f unless root owns it
// and its folder and neither is writable by group or others.
func checkHolders(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return err
	}
	return judge([]holder{unixHolder(path, fi), unixHolder(filepath.Dir(path), di)}, ownerFix)
}

func unixHolder(path string, fi fs.FileInfo) holder {
	h := holder{Path: path, Owner: "an unknown user"}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		h.Owner = fmt.Sprintf("uid %d", st.Uid)
		h.OwnerAdmin = st.Uid == 0
	}
	switch perm := fi.Mode().Perm(); {
	case perm&0o002 != 0:
		h.OthersWrite = "everyone"
	case perm&0o020 != 0:
		h.OthersWrite = "its group"
	}
	return h
}
