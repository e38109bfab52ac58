package installer

import (
	"bytes"
	"io/fs"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// wholeFiles: createWhole writes a file in four system calls here.
const wholeFiles = true

// createWhole creates the new file path (O_EXCL: never through a file or
// link already there) holding data, with mode exactly and modification
// time mtime (none when zero), for a file whose bytes are all in memory.
// It is what stager.write does through an *os.File in four system calls
// instead of six or seven (open, write, utimensat on the descriptor,
// close: no fcntl of os.NewFile, no fstat, no lookup of the path again),
// which on a package of 100,000 small files is a third of the calls.
// umask is the process's (-1 when unknown): the mode is set again only
// when it took bits off.
func createWhole(path string, data []byte, mode fs.FileMode, mtime time.Time, umask int) error {
	perm := uint32(mode.Perm())
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, perm|0o200)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	err = writeAll(fd, data)
	if err == nil && (umask < 0 || (perm|0o200)&^uint32(umask) != perm) {
		err = ignoringEINTR(func() error { return syscall.Fchmod(fd, perm) })
	}
	if err == nil && !mtime.IsZero() {
		// utimensat(fd, NULL, ...) sets the descriptor's file, as
		// futimens does; the access time is left as it is.
		ts := [2]syscall.Timespec{{Nsec: utimeOmit}, syscall.NsecToTimespec(mtime.UnixNano())}
		if _, _, e := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0); e != 0 {
			err = e
		}
	}
	if cerr := syscall.Close(fd); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return &os.PathError{Op: "write", Path: path, Err: err}
	}
	return nil
}

const utimeOmit = (1 << 30) - 2 // UTIME_OMIT

func writeAll(fd int, data []byte) error {
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

func ignoringEINTR(f func() error) error {
	for {
		if err := f(); err != syscall.EINTR {
			return err
		}
	}
}

// processUmask is the process's umask as /proc gives it (Linux 4.7 and
// later), or -1. Read once per install: setting it to read it would
// change it for a moment under every other goroutine.
func processUmask() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	_, rest, ok := bytes.Cut(b, []byte("\nUmask:"))
	if !ok {
		return -1
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	m, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 8, 32)
	if err != nil || m > 0o777 {
		return -1
	}
	return int(m)
}
