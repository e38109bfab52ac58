// Package archive reads the packages Onramp unpacks, zip and tar.gz, and
// is where their content is judged: it meets hostile input, so it is pure
// (it writes nothing) and refuses, naming the entry, whatever would leave
// the target or that the target cannot hold. Every path is confined to
// the target (no "..", no absolute path, no link leading out, nothing
// written through a link), declared sizes are bounded and checked
// against the bytes, and names are judged by the rules of the file
// systems that will hold them (rules.go).
//
// Zip names written without the UTF-8 flag are decoded as unzip, bsdtar
// and 7-Zip decode them: the Info-ZIP Unicode Path field when its CRC
// matches the name, else UTF-8 when the bytes are valid UTF-8, else CP437,
// unless the caller names the code page (Shift_JIS, GBK, windows-1252,
// ...). A name decoded from a code page never gains a folder: one that
// holds a backslash or a new slash is refused, naming the entry
// (names.go). Tar entry types are read as GNU tar reads them (tar.go):
// sparse files keep their holes, dump folders are folders, volume labels
// and ACL records make no file, devices, FIFOs and multi-volume
// continuations are refused in words.
//
// One file per format (zip.go, tar.go) reads its entries into the shared
// Entry, which the shared checker (this file) judges. A tar.gz is read
// ahead of the goroutines creating its files (readahead.go).
//
// Callers: the installer, which writes the entries into its staging
// folder (its plan scans them first), and its deployment documents,
// which check package file names with CleanName.
package archive

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"
	"onramp.dev/onramp/catalog"
)

// Limits on what an archive may declare, so a hostile one costs nothing.
const (
	maxEntries   = 1_000_000
	maxEntrySize = 64 << 30 // one file
	maxTotalSize = 1 << 40  // all files
)

// ErrUnsafe is matched by every refusal of an archive's content.
var ErrUnsafe = errors.New("unsafe archive")

// Error names the entry an archive was refused for.
type Error struct {
	Archive string
	Entry   string
	Reason  string
}

func (e *Error) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("%s: %s", e.Archive, e.Reason)
	}
	return fmt.Sprintf("%s: entry %q: %s", e.Archive, e.Entry, e.Reason)
}

func (e *Error) Is(target error) bool { return target == ErrUnsafe }

// Kind is what an entry makes on disk.
type Kind uint8 // one byte: the checker keeps one per name

// The kinds of entry; anything else an archive holds is refused or makes
// no file.
const (
	File Kind = iota
	Dir
	Symlink
	Hardlink // another name of an earlier regular file (tar)
)

// Entry is one member of an archive, checked and normalised: Name is a
// clean relative path with '/' separators, inside the target.
type Entry struct {
	Name string
	Kind Kind
	Mode fs.FileMode // permission bits only
	Size int64
	Link string // symlink target, relative; for a hard link, the earlier file's name
	// ModTime is restored on files and folders, as tar and unzip do; the
	// zero time leaves the time of the extraction.
	ModTime time.Time
	// Sparse: a sparse file's runs of zeros become holes on disk, as the
	// archive had them.
	Sparse bool
	zf     *zip.File
}

// checker enforces the confinement rules over a whole archive: clean
// relative names, no "..", no absolute paths, no duplicates, no links that
// leave the target, nothing written through a link, and declared sizes
// within the limits.
type checker struct {
	archive string
	rules   Rules
	// The names seen are kept as keyed 64-bit hashes, not strings: 8 to
	// 16 bytes a name (a Go map of them took 31, the names themselves 70).
	// Two names share a hash with a chance of about n²/2⁶⁵ (3e-8 for a
	// million), and the key is random, so no archive can aim for it; a
	// collision can only refuse an archive ("listed twice"), never let one
	// through.
	seed    maphash.Seed
	folded  map[uint64]uint64 // lower-cased name -> the name, on case-insensitive targets
	files   hashSet           // files and hard links seen
	dirs    hashSet           // folders listed
	parents map[string]bool   // folders implied by the names seen (by key)
	links   map[string]string // name (by key) -> link target, in the archive so far
	order   []string          // the links' names, in archive order
	total   int64
	count   int
}

func newChecker(archive string, rules Rules) *checker {
	return &checker{archive: archive, rules: rules, seed: maphash.MakeSeed(), folded: map[uint64]uint64{}, parents: map[string]bool{}, links: map[string]string{}}
}

// hashSet is a set of 64-bit hashes in one open-addressed table, at most
// three quarters full.
type hashSet struct {
	slots []uint64 // 0: free
	n     int
}

func (s *hashSet) has(h uint64) bool {
	if len(s.slots) == 0 {
		return false
	}
	h = max(h, 1)
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

func (s *hashSet) add(h uint64) {
	if (s.n+1)*4 > len(s.slots)*3 {
		old := s.slots
		s.slots, s.n = make([]uint64, max(1024, 2*len(old))), 0
		for _, o := range old {
			if o != 0 {
				s.add(o)
			}
		}
	}
	h = max(h, 1)
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return
		case 0:
			s.slots[i] = h
			s.n++
			return
		}
	}
}

// maxLinkHops bounds link resolution, as the kernel's ELOOP does.
const maxLinkHops = 40

var errLinkLoop = errors.New("loop")

// resolve follows target from the folder dir (components, inside the
// root) through the archive's links, as the OS would once they are on
// disk. It reports false when any step leaves the root.
func (c *checker) resolve(dir []string, target string, hops *int) ([]string, bool, error) {
	cur := slices.Clone(dir)
	for _, part := range strings.Split(target, "/") {
		switch part {
		case "", ".":
			continue
		case "..":
			if len(cur) == 0 {
				return nil, false, nil
			}
			cur = cur[:len(cur)-1]
			continue
		}
		cur = append(cur, part)
		if l, ok := c.links[c.key(strings.Join(cur, "/"))]; ok {
			if *hops++; *hops > maxLinkHops {
				return nil, false, errLinkLoop
			}
			r, inside, err := c.resolve(cur[:len(cur)-1], l, hops)
			if !inside || err != nil {
				return nil, inside, err
			}
			cur = r
		}
	}
	return cur, true, nil
}

// checkLink judges one link by where it resolves through the others.
func (c *checker) checkLink(name string) error {
	hops := 0
	dir := strings.Split(path.Dir(name), "/")
	if path.Dir(name) == "." {
		dir = nil
	}
	link := c.links[c.key(name)]
	_, inside, err := c.resolve(dir, link, &hops)
	switch {
	case err != nil:
		return c.refuse(name, "link to %q: more than %d links deep (a loop of links)", link, maxLinkHops)
	case !inside:
		return c.refuse(name, "link to %q points outside the target (through the archive's links)", link)
	}
	return nil
}

// finish judges every link again with all of them known: a link added
// later can change where an earlier one leads.
func (c *checker) finish() error {
	for _, name := range c.order {
		if err := c.checkLink(name); err != nil {
			return err
		}
	}
	return nil
}

// key is the name the target's file system knows name by: on macOS and
// Windows the links and folders are looked up by their folded name (see
// foldName), as the file system will, so a link is found under any
// spelling the file system takes for it.
func (c *checker) key(name string) string {
	if c.rules.foldCase {
		return foldName(name)
	}
	return name
}

// foldName is the form two names share when a case-insensitive file
// system takes them for one: lower case, and decomposed, as APFS and
// HFS+ also take "é" (U+00E9) and "e" + U+0301 for the same name. On
// NTFS, which only folds case, this refuses more than it must, never less.
func foldName(name string) string {
	return strings.ToLower(norm.NFD.String(name))
}

func (c *checker) refuse(name, format string, args ...any) error {
	return &Error{Archive: c.archive, Entry: name, Reason: fmt.Sprintf(format, args...)}
}

// CleanName normalises a name for any OS (Windows drive letters refused),
// or says why it cannot be used.
func CleanName(raw string) (string, string) { return cleanEntryName(raw, true) }

// cleanEntryName normalises an archive name, or says why it cannot be
// used. "a:b" is a drive-relative path only on Windows; elsewhere it is
// a name like any other.
func cleanEntryName(raw string, windows bool) (string, string) {
	name := strings.ReplaceAll(raw, `\`, "/")
	switch {
	case name == "" || name == "/" || name == "./":
		return "", "empty name"
	case strings.ContainsRune(name, 0):
		return "", "NUL in name"
	case strings.HasPrefix(name, "/"):
		return "", "absolute path"
	case windows && len(name) >= 2 && name[1] == ':':
		return "", "absolute path (a Windows drive letter)"
	}
	for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if part == ".." {
			return "", "path with '..' leaves the target"
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", "empty name"
	}
	return clean, ""
}

func (c *checker) check(e *Entry, raw string) error {
	c.count++
	if c.count > maxEntries {
		return c.refuse("", "more than %d entries", maxEntries)
	}
	name, why := cleanEntryName(raw, c.rules.windows)
	if why == "" {
		why = c.rules.check(name)
	}
	if why != "" {
		return c.refuse(raw, "%s", why)
	}
	if c.rules.foldCase {
		// The name and the folders it implies: README and readme/x collide too.
		for p := name; p != "."; p = path.Dir(p) {
			key, exact := maphash.String(c.seed, foldName(p)), maphash.String(c.seed, p)
			if other, ok := c.folded[key]; ok && other != exact {
				return c.refuse(raw, "%q and an earlier name differ only by case: %s cannot hold both", p, c.rules.osNames())
			}
			c.folded[key] = exact
		}
	}
	e.Name = name
	h := maphash.String(c.seed, name)
	key := c.key(name)
	_, link := c.links[key]
	if c.files.has(h) || link || (c.dirs.has(h) && e.Kind != Dir) {
		return c.refuse(raw, "listed twice")
	}
	if e.Kind != Dir && c.parents[key] {
		return c.refuse(raw, "listed twice (first as a folder)")
	}
	switch e.Kind {
	case Dir:
		c.dirs.add(h)
	case File, Hardlink:
		c.files.add(h)
	}
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		k := c.key(dir)
		if _, ok := c.links[k]; ok {
			return c.refuse(raw, "inside %q, which is a link: writing through links is refused", dir)
		}
		c.parents[k] = true
	}
	switch e.Kind {
	case Symlink:
		if e.Link == "" || strings.HasPrefix(e.Link, "/") || strings.ContainsRune(e.Link, '\\') || (len(e.Link) >= 2 && e.Link[1] == ':') {
			return c.refuse(raw, "link to %q: only relative links inside the target are allowed", e.Link)
		}
		c.links[key] = e.Link
		c.order = append(c.order, name)
		if err := c.checkLink(name); err != nil {
			return err
		}
	case Hardlink:
		target, why := cleanEntryName(e.Link, c.rules.windows)
		if why != "" {
			return c.refuse(raw, "hard link to %q: %s", e.Link, why)
		}
		if !c.files.has(maphash.String(c.seed, target)) {
			return c.refuse(raw, "hard link to %q: only links to an earlier regular file of the archive are allowed", e.Link)
		}
		e.Link, e.Size = target, 0
	case File:
		if e.Size < 0 || e.Size > maxEntrySize {
			return c.refuse(raw, "declares %d bytes, more than the limit of %d", e.Size, int64(maxEntrySize))
		}
		c.total += e.Size
		if c.total > maxTotalSize {
			return c.refuse(raw, "the archive declares more than %d bytes in all", int64(maxTotalSize))
		}
	}
	e.Mode &= 0o777 // no setuid, setgid or sticky bits from an archive
	return nil
}

// isRoot reports a folder entry for the archive's root ("./", as
// `tar -C dir .` writes it): nothing to create.
func isRoot(e Entry, raw string) bool {
	return e.Kind == Dir && path.Clean(strings.ReplaceAll(raw, `\`, "/")) == "."
}

// Reader reads one package. Zip and tar.gz readers (zip.go, tar.go) give
// the same entries, checked by the same rules (checker).
type Reader interface {
	// Scan calls fn for every entry, checked, in archive order, without
	// writing anything and without keeping the list.
	Scan(fn func(e Entry) error) error
	// Extract calls write for each entry; r reads the file's bytes, at
	// most its declared size (one more is an error), and is nil for
	// anything but a file. With pool.Workers > 1 the files may be
	// written on several goroutines at once, in any order; folders come
	// first in archive order, a hard link once the file it names is
	// whole, the symbolic links last, once every file is written (see
	// readAhead). write's first error stops the extraction. watch, when
	// not nil, is told of the entries as they pass the checks.
	Extract(write func(e Entry, r io.Reader) error, pool Pool, watch *Watch) error
	Close() error
}

// Watch is told of the entries as Extract's own pass checks them, for a
// caller that counts the archive from that pass instead of reading it
// twice (the installer's plan). Seen gets each entry once checked, in
// archive order, on one goroutine, before its bytes are read; Walked
// comes once every entry has passed the checks. A zip's entries all come
// from its index, before any is written; a tar's as they are read.
type Watch struct {
	Seen   func(Entry)
	Walked func()
}

// Pool says how many goroutines create an archive's files. The caller
// tunes it to the machine; the readers scale it to the archive.
type Pool struct {
	// Workers create files at once, at most; 1 or less: the caller's
	// goroutine alone.
	Workers int
	// After is how many files are created in order on the caller's
	// goroutine before any worker starts: a small archive is done before
	// workers would have paid for their start. A zip of at most After
	// entries gets two goroutines, one inflating while the other creates.
	After int
	// SmallZip is the most entries of a zip created on one goroutine.
	SmallZip int
}

// Open reads the package at p, in its format, with the name rules of the
// target and, for a zip, the code page of names written without the
// UTF-8 flag ("" for the rule of zipNames).
func Open(p string, format catalog.Format, rules Rules, codePage string) (Reader, error) {
	switch format {
	case catalog.FormatZip:
		names, err := newZipNames(codePage)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, &Error{Archive: p, Reason: fmt.Sprintf("not a readable zip (truncated?): %v", err)}
		}
		var zr *zip.Reader
		st, err := f.Stat()
		if err == nil {
			zr, err = zip.NewReader(newZipBlocks(f, st.Size()), st.Size())
		}
		if err != nil {
			f.Close()
			return nil, &Error{Archive: p, Reason: fmt.Sprintf("not a readable zip (truncated?): %v", err)}
		}
		return &zipArchive{name: p, files: zr.File, closer: f, rules: rules, names: names}, nil
	case catalog.FormatTarGz:
		return &tarArchive{name: p, rules: rules, stream: func() (io.ReadCloser, error) { return os.Open(p) }}, nil
	}
	return nil, fmt.Errorf("%s: format %q is not an archive Onramp unpacks", p, format)
}

// openBytes reads a package held in memory, named name in errors, as
// Open reads a file (the fuzz targets' way in).
func openBytes(name string, data []byte, format catalog.Format, rules Rules, codePage string) (Reader, error) {
	switch format {
	case catalog.FormatZip:
		names, err := newZipNames(codePage)
		if err != nil {
			return nil, err
		}
		size := int64(len(data))
		zr, err := zip.NewReader(newZipBlocks(bytes.NewReader(data), size), size) // as Open reads a file
		if err != nil {
			return nil, &Error{Archive: name, Reason: fmt.Sprintf("not a readable zip (truncated?): %v", err)}
		}
		return &zipArchive{name: name, files: zr.File, closer: io.NopCloser(nil), rules: rules, names: names}, nil
	case catalog.FormatTarGz:
		return &tarArchive{name: name, rules: rules, stream: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}, nil
	}
	return nil, fmt.Errorf("%s: format %q is not an archive Onramp unpacks", name, format)
}

// copyBuffers are the buffers files are copied through: one per file
// would cost a 32 KiB allocation each (io.Copy's), 3 GiB of garbage for
// 100,000 files.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// readerOnly hides a reader's WriteTo, so io.CopyBuffer uses the buffer.
type readerOnly struct{ io.Reader }

// sizedReader passes on exactly the declared bytes of an entry: more is a
// lie about the size (a zip bomb), fewer is a truncated archive.
type sizedReader struct {
	r             io.Reader
	left          int64
	archive       string
	entry         string
	exact         bool // tar: the stream ends at the declared size by itself
	overflowCheck bool
}

func (s *sizedReader) Read(p []byte) (int, error) {
	if s.left <= 0 {
		if !s.exact && !s.overflowCheck {
			// Read on to the end: a byte more means the entry lies about its
			// size (a zip bomb), and only at the end does zip check the CRC.
			s.overflowCheck = true
			var one [1]byte
			n, err := s.r.Read(one[:])
			switch {
			case n > 0 || errors.Is(err, zip.ErrFormat):
				return 0, &Error{Archive: s.archive, Entry: s.entry, Reason: "holds more bytes than it declares"}
			case err != nil && err != io.EOF:
				return 0, &Error{Archive: s.archive, Entry: s.entry, Reason: err.Error()}
			}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	if err == io.EOF && s.left > 0 {
		return n, &Error{Archive: s.archive, Entry: s.entry, Reason: fmt.Sprintf("truncated: %d bytes missing", s.left)}
	}
	if err != nil && err != io.EOF {
		return n, &Error{Archive: s.archive, Entry: s.entry, Reason: err.Error()}
	}
	return n, nil
}
