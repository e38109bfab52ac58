package archive

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"
)

// Hosts of a zip entry's creator whose entries carry Unix modes.
const (
	zipHostUnix  = 3
	zipHostMacOS = 19
)

type zipArchive struct {
	name   string
	files  []*zip.File
	closer io.Closer
	rules  Rules
	names  zipNames
	listed []Entry // entries' result, once it has passed
}

// zipFlagEncrypted is the general purpose flag bit 0: the entry's data
// is encrypted; bit 6 says with PKWARE's strong encryption.
const (
	zipFlagEncrypted = 0x1
	zipFlagStrong    = 0x40
	zipMethodAES     = 99 // WinZip's AES: the real method is in an extra field
)

// zipMethods names the compression methods of the format (APPNOTE 4.4.5)
// that Onramp does not read: it reads stored (0) and deflated (8) data,
// what zip tools write unless told otherwise.
var zipMethods = map[uint16]string{
	1: "shrink", 2: "reduce", 3: "reduce", 4: "reduce", 5: "reduce", 6: "implode", 9: "deflate64",
	10: "PKWARE DCL implode", 12: "bzip2", 14: "LZMA", 16: "IBM z/OS CMPSC", 18: "IBM TERSE", 19: "IBM LZ77",
	20: "zstd (old number)", 93: "zstd", 94: "MP3", 95: "xz", 96: "JPEG", 97: "WavPack", 98: "PPMd",
}

// zipReadable says why an entry's data cannot be read, or "".
func zipReadable(f *zip.File) string {
	switch {
	case f.Method == zipMethodAES:
		return "is encrypted (WinZip AES, a password is needed): Onramp does not unpack encrypted zips"
	case f.Flags&zipFlagStrong != 0 && f.Flags&zipFlagEncrypted != 0:
		return "is encrypted (PKWARE strong encryption, a password is needed): Onramp does not unpack encrypted zips"
	case f.Flags&zipFlagEncrypted != 0:
		return "is encrypted (ZipCrypto, a password is needed): Onramp does not unpack encrypted zips"
	case f.Method == zip.Store || f.Method == zip.Deflate:
		return ""
	}
	what := zipMethods[f.Method]
	if what == "" {
		what = "not one the zip format defines"
	}
	return fmt.Sprintf("uses compression method %d (%s), which Onramp does not read", f.Method, what)
}

func (z *zipArchive) Close() error { return z.closer.Close() }

func (z *zipArchive) entries() ([]Entry, error) {
	if z.listed != nil {
		return z.listed, nil
	}
	c := newChecker(z.name, z.rules)
	out := make([]Entry, 0, len(z.files))
	for _, f := range z.files {
		name, why := z.names.name(f.Name, f.Flags, f.Extra)
		if why != "" {
			return nil, c.refuse(strings.ToValidUTF8(f.Name, "\uFFFD"), "%s", why)
		}
		if why := zipReadable(f); why != "" && !strings.HasSuffix(name, "/") {
			return nil, c.refuse(name, "%s", why)
		}
		e := Entry{Mode: f.Mode().Perm(), zf: f, ModTime: zipModTime(f)}
		if host := f.CreatorVersion >> 8; host != zipHostUnix && host != zipHostMacOS {
			// No Unix modes in the entry (FAT, NTFS): Go reads 0666 or,
			// read-only, 0444. What unzip gives under the usual umask.
			e.Mode &^= 0o022
			if f.FileInfo().IsDir() || strings.HasSuffix(name, "/") {
				e.Mode = 0o755
			}
		}
		switch {
		case f.Mode()&fs.ModeSymlink != 0:
			e.Kind = Symlink
			if f.UncompressedSize64 > 4096 {
				return nil, c.refuse(name, "link target of %d bytes", f.UncompressedSize64)
			}
			rc, err := f.Open()
			if err != nil {
				return nil, c.refuse(name, "%v", err)
			}
			b, err := io.ReadAll(io.LimitReader(rc, 4097))
			rc.Close()
			if err != nil {
				return nil, c.refuse(name, "%v", err)
			}
			e.Link = string(b)
			if f.Flags&zipFlagUTF8 == 0 { // the target is named like the entries
				if e.Link, why = z.names.legacy(e.Link); why != "" {
					return nil, c.refuse(name, "link target: %s", why)
				}
			}
		case f.FileInfo().IsDir() || strings.HasSuffix(name, "/"):
			e.Kind = Dir
		case f.Mode().IsRegular():
			e.Kind = File
			if f.UncompressedSize64 > uint64(maxEntrySize) {
				return nil, c.refuse(name, "declares %d bytes, more than the limit of %d", f.UncompressedSize64, int64(maxEntrySize))
			}
			e.Size = int64(f.UncompressedSize64)
			if e.Mode == 0 {
				e.Mode = 0o644 // zips made on Windows carry no Unix modes
			}
		default:
			return nil, c.refuse(name, "special file (%v) refused", f.Mode().Type())
		}
		if e.Kind == Dir && e.Mode == 0 {
			e.Mode = 0o755
		}
		if isRoot(e, name) {
			continue
		}
		if err := c.check(&e, name); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	z.listed = out
	return out, nil
}

// zipModTime is an entry's modification time as unzip reads it: the
// extended timestamp (UTC) when there is one, else the MS-DOS time, which
// is the wall clock of the zip's maker, read in this machine's zone.
func zipModTime(f *zip.File) time.Time {
	for extra := f.Extra; len(extra) >= 4; {
		tag, size := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if size > len(extra)-4 {
			break
		}
		switch tag {
		case 0x5455, 0x000a, 0x5855: // extended timestamp, NTFS, old Info-ZIP Unix: archive/zip read a UTC time
			return f.Modified
		}
		extra = extra[4+size:]
	}
	if f.ModifiedDate == 0 {
		// No date (month and day 0): unzip reads the day before 1980.
		return time.Date(1979, 12, 31, 0, 0, 0, 0, time.Local)
	}
	m := f.Modified
	return time.Date(m.Year(), m.Month(), m.Day(), m.Hour(), m.Minute(), m.Second(), 0, time.Local)
}

func (z *zipArchive) Scan(fn func(Entry) error) error {
	es, err := z.entries()
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Extract writes the entries, scaling the pool to the zip: a few entries
// are written before workers would have started; up to pool.After, two
// goroutines overlap inflating one file with creating another, as
// readAhead overlaps reading with writing; all of the pool's beyond.
func (z *zipArchive) Extract(write func(Entry, io.Reader) error, pool Pool, watch *Watch) error {
	es, err := z.entries()
	if err != nil {
		return err
	}
	if watch != nil {
		for _, e := range es {
			watch.Seen(e)
		}
		watch.Walked()
	}
	workers := pool.Workers
	if len(z.files) <= pool.After {
		workers = min(workers, 2)
	}
	if len(z.files) <= pool.SmallZip {
		workers = 1
	}
	if workers > 1 {
		return z.extractParallel(es, write, workers)
	}
	return z.extractInOrder(es, write)
}

// extractInOrder writes the entries one after the other, the symbolic
// links last (as extractParallel and readAhead do): no file is written
// through one, whatever the names the file system takes as one.
func (z *zipArchive) extractInOrder(es []Entry, write func(Entry, io.Reader) error) error {
	var links []Entry
	for _, e := range es {
		if e.Kind == Symlink {
			links = append(links, e)
			continue
		}
		if err := z.extractOne(e, write); err != nil {
			return err
		}
	}
	for _, e := range links {
		if err := z.extractOne(e, write); err != nil {
			return err
		}
	}
	return nil
}

// extractParallel creates the folders, then writes the files with
// several workers (a zip's entries can be read independently), then the
// symbolic links. After the first error no entry is handed out.
func (z *zipArchive) extractParallel(es []Entry, write func(Entry, io.Reader) error, workers int) error {
	jobs := make(chan Entry)
	errs := make(chan error, workers)
	stop := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for e := range jobs {
				if err := z.extractOne(e, write); err != nil {
					errs <- err
					once.Do(func() { close(stop) })
					return
				}
			}
		})
	}
	var firstErr error
	var links []Entry
feed:
	for _, e := range es {
		switch e.Kind {
		case Dir:
			if err := write(e, nil); err != nil {
				firstErr = err
				break feed
			}
		case Symlink:
			links = append(links, e) // after the files, so no file is written through one
		default:
			select {
			case jobs <- e:
			case <-stop:
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return firstErr
	}
	for _, e := range links {
		if err := write(e, nil); err != nil {
			return err
		}
	}
	return nil
}

func (z *zipArchive) extractOne(e Entry, write func(Entry, io.Reader) error) error {
	if e.Kind != File {
		return write(e, nil)
	}
	rc, err := e.zf.Open()
	if err != nil {
		return &Error{Archive: z.name, Entry: e.Name, Reason: err.Error()}
	}
	defer rc.Close()
	return write(e, &sizedReader{r: rc, left: e.Size, archive: z.name, entry: e.Name})
}
