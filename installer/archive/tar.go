package archive

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

type tarArchive struct {
	name   string
	rules  Rules
	stream func() (io.ReadCloser, error) // the gzip stream, from its start
}

func (t *tarArchive) Close() error { return nil }

func (t *tarArchive) open() (io.Closer, *tar.Reader, error) {
	f, err := t.stream()
	if err != nil {
		return nil, nil, err
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, &Error{Archive: t.name, Reason: fmt.Sprintf("not a gzip stream: %v", err)}
	}
	return f, tar.NewReader(gz), nil
}

// walk reads every header, checked, and passes each entry on with its
// bytes (a file's); watch, when not nil, is told of each entry before
// its bytes are read, and of the end once all passed the checks.
func (t *tarArchive) walk(fn func(e Entry, r io.Reader) error, watch *Watch) error {
	f, tr, err := t.open()
	if err != nil {
		return err
	}
	defer f.Close()
	c := newChecker(t.name, t.rules)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			if err := c.finish(); err != nil {
				return err
			}
			if watch != nil {
				watch.Walked()
			}
			return nil
		}
		if err != nil {
			return &Error{Archive: t.name, Reason: fmt.Sprintf("damaged or truncated: %v", err)}
		}
		e := Entry{Mode: fs.FileMode(h.Mode).Perm(), Size: h.Size, ModTime: h.ModTime}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeCont: // a contiguous file is a file to any but its own OS
			e.Kind, e.Sparse = File, paxSparse(h)
		case tar.TypeGNUSparse:
			// archive/tar reads the map and gives the holes as zeros; the
			// writer leaves them holes.
			e.Kind, e.Sparse = File, true
		case tar.TypeDir:
			e.Kind = Dir
		case 'D':
			// A folder of an incremental dump; its data lists the folder's
			// names for tar --incremental. GNU tar extracts the folder.
			e.Kind, e.Size = Dir, 0
		case tar.TypeSymlink:
			e.Kind, e.Link = Symlink, h.Linkname
		case tar.TypeLink:
			e.Kind, e.Link = Hardlink, h.Linkname
		case tar.TypeXGlobalHeader, 'V', 'A', 'I', 'E':
			// Global records, the volume's label, and metadata of the next
			// entry (Solaris ACLs, star's inode and extended records): no
			// file of their own, as GNU tar and bsdtar read them.
			continue
		default:
			if why := tarTypes[h.Typeflag]; why != "" {
				return c.refuse(h.Name, "%s (entry type %q): Onramp does not unpack it", why, string(h.Typeflag))
			}
			// POSIX: a type the reader does not know is extracted as a
			// regular file; GNU tar does so too.
			e.Kind = File
		}
		if isRoot(e, h.Name) {
			continue
		}
		if err := c.check(&e, h.Name); err != nil {
			return err
		}
		if watch != nil {
			watch.Seen(e)
		}
		var r io.Reader
		if e.Kind == File {
			r = &sizedReader{r: tr, left: e.Size, archive: t.name, entry: e.Name, exact: true}
		}
		if err := fn(e, r); err != nil {
			return err
		}
	}
}

// tarTypes are the entry types refused, in words.
var tarTypes = map[byte]string{
	tar.TypeChar:  "a character device",
	tar.TypeBlock: "a block device",
	tar.TypeFifo:  "a FIFO (named pipe)",
	'M':           "the rest of a file begun on the previous volume of a multi-volume archive (GNU tar refuses it too without --multi-volume)",
	'N':           "a list of long names of GNU tar 1.11 (obsolete)",
	'X':           "a Solaris extended header, which Onramp does not read",
}

// paxSparse says whether a PAX entry is a GNU sparse file (formats 0.0,
// 0.1 and 1.0 all leave GNU.sparse records).
func paxSparse(h *tar.Header) bool {
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

func (t *tarArchive) Scan(fn func(Entry) error) error {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return t.walk(func(e Entry, r io.Reader) error {
		if r != nil {
			// Reading through the data proves it is all there.
			if _, err := io.CopyBuffer(io.Discard, readerOnly{r}, *buf); err != nil {
				return err
			}
		}
		return fn(e)
	}, nil)
}

// Extract reads ahead of write (readAhead): the inflating, the headers
// and the hashing overlap with the creation of the files, which the
// pool's workers share.
func (t *tarArchive) Extract(write func(Entry, io.Reader) error, pool Pool, watch *Watch) error {
	walk := func(fn func(Entry, io.Reader) error) error { return t.walk(fn, watch) }
	return readAhead(walk, pool, write)
}
