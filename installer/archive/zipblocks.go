package archive

import (
	"io"
	"sync"
)

// zipBlocks reads a zip through a few large blocks of it kept in memory.
// archive/zip reads each entry's local header, data and data descriptor
// with ReadAt calls of their own, a few bytes or kilobytes each: on the
// file itself, three or more system calls per entry, where unzip reads
// the archive in large pieces. Reads of a block or more go to the file.
type zipBlocks struct {
	f    io.ReaderAt
	size int64

	mu   sync.Mutex // the workers read entries beside each other
	tick uint64
	blk  [zipBlockCount]zipBlock
}

const (
	zipBlockSize  = 256 << 10
	zipBlockCount = 4 // the workers read entries near each other, in order
)

type zipBlock struct {
	off  int64
	data []byte // nil: not read yet
	used uint64
}

func newZipBlocks(f io.ReaderAt, size int64) *zipBlocks { return &zipBlocks{f: f, size: size} }

func (z *zipBlocks) ReadAt(p []byte, off int64) (int, error) {
	if len(p) >= zipBlockSize {
		return z.f.ReadAt(p, off)
	}
	n := 0
	for n < len(p) {
		k, err := z.copyAt(p[n:], off+int64(n))
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// copyAt copies what p can take from the block holding off, reading
// that block (in place of the least recently used one) if needed.
func (z *zipBlocks) copyAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= z.size {
		return 0, io.EOF
	}
	start := off - off%zipBlockSize
	z.mu.Lock()
	defer z.mu.Unlock()
	z.tick++
	b := &z.blk[0]
	for i := range z.blk {
		c := &z.blk[i]
		if c.data != nil && c.off == start {
			b = c
			break
		}
		if c.used < b.used {
			b = c
		}
	}
	if b.data == nil || b.off != start {
		if b.data == nil {
			b.data = make([]byte, zipBlockSize)
		}
		n, err := z.f.ReadAt(b.data[:min(zipBlockSize, z.size-start)], start)
		if err == io.EOF && int64(n) == min(zipBlockSize, z.size-start) {
			err = nil
		}
		if err != nil {
			b.data, b.used = nil, 0 // not kept: read again next time
			return 0, err
		}
		b.data, b.off = b.data[:n], start
	}
	b.used = z.tick
	return copy(p, b.data[off-start:]), nil
}
