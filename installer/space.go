package installer

import (
	"errors"
	"fmt"

	"onramp.dev/onramp/catalog"
)

// ErrNoSpace: the target's volume is too full for the install.
var ErrNoSpace = errors.New("not enough free space")

// volume is what a plan needs to know of the target's file system: its
// allocation unit and what is free, in bytes and in file entries.
type volume struct {
	// Known is false when the volume could not be asked.
	Known bool
	// Block is the unit files are allocated in (a block, a cluster): a
	// file of 1 byte takes one. 0 when unknown.
	Block uint64
	// Free is the bytes this user may still write.
	Free uint64
	// FreeInodes is how many more files and folders the volume can
	// hold; 0 with InodesKnown false when it has no such limit (NTFS
	// grows its table) or cannot tell.
	FreeInodes  uint64
	InodesKnown bool
}

// diskUse counts what an install takes on disk: each file rounded up
// to whole blocks, each folder a block of its own, and an entry (inode)
// per file, folder and link, so a package of many small files is judged
// by the blocks and entries it takes, not by its bytes.
type diskUse struct {
	block  uint64 // 0: count bytes as they are
	bytes  uint64
	inodes uint64
}

func (u *diskUse) blocks(n uint64) uint64 {
	if u.block == 0 {
		return n
	}
	return (n + u.block - 1) / u.block * u.block
}

// file counts a file of size bytes.
func (u *diskUse) file(size int64) {
	u.bytes += u.blocks(uint64(max(size, 0)))
	u.inodes++
}

// dir counts a folder: one block for its entries.
func (u *diskUse) dir() {
	u.bytes += u.blocks(1)
	u.inodes++
}

// link counts a symbolic link: short targets live in the entry itself.
func (u *diskUse) link() { u.inodes++ }

// SpaceError: the target's volume cannot hold the staged copy, in bytes
// (counted in the volume's blocks) or in file entries (inodes).
type SpaceError struct {
	Target     string
	Need, Free uint64
	// NeedInodes and FreeInodes are set when what is missing is file
	// entries rather than bytes.
	NeedInodes, FreeInodes uint64
	// Err is the file system's own error when the volume filled while
	// staging (another program wrote to it meanwhile).
	Err error
}

// sizes are need and free in words, in bytes when rounding would make
// them read the same.
func sizes(need, free uint64) (string, string) {
	n, f := catalog.ByteSize(int64(need)).String(), catalog.ByteSize(int64(free)).String()
	if n == f {
		return fmt.Sprintf("%d bytes", need), fmt.Sprintf("%d bytes", free)
	}
	return n, f
}

func (e *SpaceError) Error() string {
	need, free := sizes(e.Need, e.Free)
	switch {
	case e.NeedInodes > 0:
		return fmt.Sprintf("not enough free file entries on the volume of %s: the install needs %d files and folders, the volume can hold %d more; free some (or choose another folder with --target)",
			e.Target, e.NeedInodes, e.FreeInodes)
	case e.Err != nil:
		return fmt.Sprintf("the volume of %s filled up while the install was being prepared (it needs %s on disk, %s is free now); nothing was changed: free space, then install again",
			e.Target, need, free)
	}
	return fmt.Sprintf("not enough free space on the volume of %s: the install needs %s on disk, %s is free",
		e.Target, need, free)
}

func (e *SpaceError) Unwrap() error { return e.Err }

// Is lets errors.Is match ErrNoSpace.
func (e *SpaceError) Is(target error) bool { return target == ErrNoSpace }

// checkSpace says whether use fits in v: a SpaceError if not.
func checkSpace(target string, v volume, use diskUse) error {
	if !v.Known {
		return nil // cannot tell: staging will say
	}
	if use.bytes > v.Free {
		return &SpaceError{Target: target, Need: use.bytes, Free: v.Free}
	}
	if v.InodesKnown && use.inodes > v.FreeInodes {
		return &SpaceError{Target: target, Need: use.bytes, Free: v.Free, NeedInodes: use.inodes, FreeInodes: v.FreeInodes}
	}
	return nil
}

// stagingError says in words that the volume filled while staging
// (another program wrote to it, or the plan could not see its limits);
// other errors pass as they are.
func stagingError(target string, need int64, err error) error {
	var se *SpaceError
	if err == nil || !isDiskFull(err) || errors.As(err, &se) {
		return err
	}
	return &SpaceError{Target: target, Need: uint64(max(need, 0)), Free: volumeOf(existingParent(target)).Free, Err: err}
}
