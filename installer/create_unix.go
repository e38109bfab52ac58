//go:build unix

package installer

import (
	"os"
	"syscall"
)

// createNew creates the new file path for writing (O_EXCL: never through
// a file or link already there). os.OpenFile would offer every regular
// file to the network poller, which refuses it, at four fcntl calls and
// an epoll_ctl per file; on a package of 100,000 files those are 500,000
// system calls that tar does not make. os.NewFile makes a plain blocking
// file of the descriptor.
func createNew(path string, mode os.FileMode) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, uint32(mode.Perm()))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
