package installer

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"encoding/binary"
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

// ErrUnsafeArchive is matched by every refusal of an archive's content.
var ErrUnsafeArchive = errors.New("unsafe archive")

// ArchiveError names the entry an archive was refused for.
type ArchiveError struct {
	Archive string
	Entry   string
	Reason  string
}

func (e *ArchiveError) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("%s: %s", e.Archive, e.Reason)
	}
	return fmt.Sprintf("%s: entry %q: %s", e.Archive, e.Entry, e.Reason)
}

func (e *ArchiveError) Is(target error) bool { return target == ErrUnsafeArchive }

type entryKind uint8 // one byte: the checker keeps one per name

const (
	kindFile entryKind = iota
	kindDir
	kindSymlink
	kindHardlink // another name of an earlier regular file (tar)
)

// entry is one member of an archive, checked and normalised: Name is a
// clean relative path with '/' separators, inside the target.
type entry struct {
	Name string
	Kind entryKind
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
	rules   nameRules
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

func newChecker(archive string, rules nameRules) *checker {
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
	return &ArchiveError{Archive: c.archive, Entry: name, Reason: fmt.Sprintf(format, args...)}
}

// cleanName normalises a name for any OS (Windows drive letters refused),
// or says why it cannot be used.
func cleanName(raw string) (string, string) { return cleanEntryName(raw, true) }

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

func (c *checker) check(e *entry, raw string) error {
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
	if c.files.has(h) || link || (c.dirs.has(h) && e.Kind != kindDir) {
		return c.refuse(raw, "listed twice")
	}
	if e.Kind != kindDir && c.parents[key] {
		return c.refuse(raw, "listed twice (first as a folder)")
	}
	switch e.Kind {
	case kindDir:
		c.dirs.add(h)
	case kindFile, kindHardlink:
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
	case kindSymlink:
		if e.Link == "" || strings.HasPrefix(e.Link, "/") || strings.ContainsRune(e.Link, '\\') || (len(e.Link) >= 2 && e.Link[1] == ':') {
			return c.refuse(raw, "link to %q: only relative links inside the target are allowed", e.Link)
		}
		c.links[key] = e.Link
		c.order = append(c.order, name)
		if err := c.checkLink(name); err != nil {
			return err
		}
	case kindHardlink:
		target, why := cleanEntryName(e.Link, c.rules.windows)
		if why != "" {
			return c.refuse(raw, "hard link to %q: %s", e.Link, why)
		}
		if !c.files.has(maphash.String(c.seed, target)) {
			return c.refuse(raw, "hard link to %q: only links to an earlier regular file of the archive are allowed", e.Link)
		}
		e.Link, e.Size = target, 0
	case kindFile:
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
func isRoot(e entry, raw string) bool {
	return e.Kind == kindDir && path.Clean(strings.ReplaceAll(raw, `\`, "/")) == "."
}

// archive reads one package.
type archive interface {
	// scan calls fn for every entry, checked, in archive order, without
	// writing anything and without keeping the list.
	scan(fn func(e entry) error) error
	// extract calls write for each entry; r reads the file's bytes, at
	// most its declared size (one more is an error). With workers > 1 a
	// tar's files may be written on that many goroutines at once, in any
	// order (see readAhead); a zip's are written in order (the stager
	// has its own workers for zips).
	extract(write func(e entry, r io.Reader) error, workers int) error
	Close() error
}

func openArchive(p string, format catalog.Format, rules nameRules, codePage string) (archive, error) {
	switch format {
	case catalog.FormatZip:
		names, err := newZipNames(codePage)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, &ArchiveError{Archive: p, Reason: fmt.Sprintf("not a readable zip (truncated?): %v", err)}
		}
		var zr *zip.Reader
		st, err := f.Stat()
		if err == nil {
			zr, err = zip.NewReader(newZipBlocks(f, st.Size()), st.Size())
		}
		if err != nil {
			f.Close()
			return nil, &ArchiveError{Archive: p, Reason: fmt.Sprintf("not a readable zip (truncated?): %v", err)}
		}
		return &zipArchive{name: p, r: zr, f: f, rules: rules, names: names}, nil
	case catalog.FormatTarGz:
		return &tarArchive{name: p, rules: rules}, nil
	}
	return nil, fmt.Errorf("%s: format %q is not an archive Onramp unpacks", p, format)
}

// Hosts of a zip entry's creator whose entries carry Unix modes.
const (
	zipHostUnix  = 3
	zipHostMacOS = 19
)

type zipArchive struct {
	name   string
	r      *zip.Reader
	f      *os.File // r's
	rules  nameRules
	names  zipNames
	listed []entry // entries' result, once it has passed
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

func (z *zipArchive) Close() error { return z.f.Close() }

func (z *zipArchive) entries() ([]entry, error) {
	if z.listed != nil {
		return z.listed, nil
	}
	c := newChecker(z.name, z.rules)
	out := make([]entry, 0, len(z.r.File))
	for _, f := range z.r.File {
		name, why := z.names.name(f.Name, f.Flags, f.Extra)
		if why != "" {
			return nil, c.refuse(strings.ToValidUTF8(f.Name, "\uFFFD"), "%s", why)
		}
		if why := zipReadable(f); why != "" && !strings.HasSuffix(name, "/") {
			return nil, c.refuse(name, "%s", why)
		}
		e := entry{Mode: f.Mode().Perm(), zf: f, ModTime: zipModTime(f)}
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
			e.Kind = kindSymlink
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
			e.Kind = kindDir
		case f.Mode().IsRegular():
			e.Kind = kindFile
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
		if e.Kind == kindDir && e.Mode == 0 {
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

func (z *zipArchive) scan(fn func(entry) error) error {
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

// extract writes the entries one after the other, the symbolic links
// last (as parallelZip and readAhead do): no file is written through one,
// whatever the names the file system takes as one.
func (z *zipArchive) extract(write func(entry, io.Reader) error, _ int) error {
	es, err := z.entries()
	if err != nil {
		return err
	}
	var links []entry
	for _, e := range es {
		if e.Kind == kindSymlink {
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

func (z *zipArchive) extractOne(e entry, write func(entry, io.Reader) error) error {
	if e.Kind != kindFile {
		return write(e, nil)
	}
	rc, err := e.zf.Open()
	if err != nil {
		return &ArchiveError{Archive: z.name, Entry: e.Name, Reason: err.Error()}
	}
	defer rc.Close()
	return write(e, &sizedReader{r: rc, left: e.Size, archive: z.name, entry: e.Name})
}

type tarArchive struct {
	name  string
	rules nameRules
	seen  func(entry) // when set, given each entry once checked, before its body
}

func (t *tarArchive) Close() error { return nil }

func (t *tarArchive) open() (*os.File, *tar.Reader, error) {
	f, err := os.Open(t.name)
	if err != nil {
		return nil, nil, err
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, &ArchiveError{Archive: t.name, Reason: fmt.Sprintf("not a gzip stream: %v", err)}
	}
	return f, tar.NewReader(gz), nil
}

// walk reads every header, checked; with body set it also passes each
// file's bytes on.
func (t *tarArchive) walk(fn func(e entry, r io.Reader) error) error {
	f, tr, err := t.open()
	if err != nil {
		return err
	}
	defer f.Close()
	c := newChecker(t.name, t.rules)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return c.finish()
		}
		if err != nil {
			return &ArchiveError{Archive: t.name, Reason: fmt.Sprintf("damaged or truncated: %v", err)}
		}
		e := entry{Mode: fs.FileMode(h.Mode).Perm(), Size: h.Size, ModTime: h.ModTime}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeCont: // a contiguous file is a file to any but its own OS
			e.Kind, e.Sparse = kindFile, paxSparse(h)
		case tar.TypeGNUSparse:
			// archive/tar reads the map and gives the holes as zeros; the
			// writer leaves them holes.
			e.Kind, e.Sparse = kindFile, true
		case tar.TypeDir:
			e.Kind = kindDir
		case 'D':
			// A folder of an incremental dump; its data lists the folder's
			// names for tar --incremental. GNU tar extracts the folder.
			e.Kind, e.Size = kindDir, 0
		case tar.TypeSymlink:
			e.Kind, e.Link = kindSymlink, h.Linkname
		case tar.TypeLink:
			e.Kind, e.Link = kindHardlink, h.Linkname
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
			e.Kind = kindFile
		}
		if isRoot(e, h.Name) {
			continue
		}
		if err := c.check(&e, h.Name); err != nil {
			return err
		}
		if t.seen != nil {
			t.seen(e)
		}
		var r io.Reader
		if e.Kind == kindFile {
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

func (t *tarArchive) scan(fn func(entry) error) error {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return t.walk(func(e entry, r io.Reader) error {
		if r != nil {
			// Reading through the data proves it is all there.
			if _, err := io.CopyBuffer(io.Discard, readerOnly{r}, *buf); err != nil {
				return err
			}
		}
		return fn(e)
	})
}

// extract reads ahead of write (readAhead): the inflating, the headers
// and the hashing overlap with the creation of the files, which workers
// goroutines share.
func (t *tarArchive) extract(write func(entry, io.Reader) error, workers int) error {
	return readAhead(t.walk, workers, write)
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
				return 0, &ArchiveError{Archive: s.archive, Entry: s.entry, Reason: "holds more bytes than it declares"}
			case err != nil && err != io.EOF:
				return 0, &ArchiveError{Archive: s.archive, Entry: s.entry, Reason: err.Error()}
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
		return n, &ArchiveError{Archive: s.archive, Entry: s.entry, Reason: fmt.Sprintf("truncated: %d bytes missing", s.left)}
	}
	if err != nil && err != io.EOF {
		return n, &ArchiveError{Archive: s.archive, Entry: s.entry, Reason: err.Error()}
	}
	return n, nil
}
