package installer

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/internal/atomicfile"
)

// Receipt records one installed version.
type Receipt struct {
	ID            string         `json:"id"` // random, one per install
	Product       string         `json:"product"`
	Version       string         `json:"version"`
	Target        string         `json:"target"`
	Package       string         `json:"package"` // the verified package, for repair
	PackageSHA256 string         `json:"package_sha256"`
	Format        catalog.Format `json:"format"`
	// ZipCodePage is the code page the zip's names were read in, when the
	// install named one.
	ZipCodePage string    `json:"zip_codepage,omitempty"`
	Launch      string    `json:"launch,omitempty"`
	Installed   time.Time `json:"installed"`
	// FileCount is how many files and links the receipt lists; Files
	// reads them from disk.
	FileCount int `json:"file_count"`
	// Dirs are the archive's folders (folders holding files are implied).
	Dirs []FileRecord `json:"dirs,omitempty"`
	// Adopted: the target held files of the user's before the first
	// install (allowed explicitly); uninstall leaves the folder itself.
	Adopted bool `json:"adopted,omitempty"`
	// Scope: whose receipts hold this one, the user's or the machine's.
	Scope Scope `json:"scope,omitempty"`
	// ProductCode names an MSI install to Windows Installer: uninstall
	// removes the product by it.
	ProductCode string `json:"product_code,omitempty"`
	// RebootNeeded: the native installer said a restart finishes the
	// install (MSI 3010, 1641).
	RebootNeeded bool `json:"reboot_needed,omitempty"`
	// ExitCode is the native installer's exit code (0, 3010, 1641).
	ExitCode int `json:"exit_code,omitempty"`
	// Name and Publisher are the catalog's, as Windows lists the product.
	Name      string `json:"name,omitempty"`
	Publisher string `json:"publisher,omitempty"`
	// WindowsEntry names the product's entry in Windows' installed
	// programs, under the Uninstall key of HKCU (per user) or HKLM (per
	// machine): Onramp.ID, written and removed with this receipt; for an
	// MSI, its product code: Windows Installer's entry, never Onramp's.
	WindowsEntry string `json:"windows_entry,omitempty"`
	// Shortcut is the Start-menu shortcut to the entry point that follows
	// this receipt ("" for none).
	Shortcut string `json:"shortcut,omitempty"`
	// Kept lists the files in the target that Onramp did not install and
	// left in place, by the operation that returned this receipt.
	Kept []string `json:"-"`

	files fileList // where the list of files is
}

// Native reports whether the OS's installer (msiexec, installer, a disk
// image's copy) put the product in place: the files are its, not listed.
func (r *Receipt) Native() bool { return !r.Format.IsArchive() }

// FileRecord is one installed file.
type FileRecord struct {
	Path   string `json:"path"` // relative, '/' separators
	Size   int64  `json:"size"`
	Mode   uint32 `json:"mode"`
	SHA256 string `json:"sha256,omitempty"`
	Link   string `json:"link,omitempty"`
}

// MarshalJSON writes a record whose path or link is not UTF-8 (a tar name
// in Latin-1, kept byte for byte) losslessly: JSON strings cannot hold
// such bytes, so they go in path_bytes / link_bytes (base64), and path /
// link get a readable form with U+FFFD for the bytes that are not UTF-8.
func (f FileRecord) MarshalJSON() ([]byte, error) {
	type plain FileRecord
	out := struct {
		plain
		PathBytes []byte `json:"path_bytes,omitempty"`
		LinkBytes []byte `json:"link_bytes,omitempty"`
	}{plain: plain(f)}
	if !utf8.ValidString(f.Path) {
		out.PathBytes, out.Path = []byte(f.Path), strings.ToValidUTF8(f.Path, "\uFFFD")
	}
	if !utf8.ValidString(f.Link) {
		out.LinkBytes, out.Link = []byte(f.Link), strings.ToValidUTF8(f.Link, "\uFFFD")
	}
	return json.Marshal(out)
}

// appendJSON appends what json.Marshal writes for f, byte for byte,
// without reflection when the path and link need no escaping (the rule
// for files from archives): staging writes one record per file.
func (f FileRecord) appendJSON(b []byte) ([]byte, error) {
	if !plainJSON(f.Path) || !plainJSON(f.Link) || !plainJSON(f.SHA256) {
		m, err := json.Marshal(f)
		return append(b, m...), err
	}
	b = append(b, `{"path":"`...)
	b = append(b, f.Path...)
	b = append(b, `","size":`...)
	b = strconv.AppendInt(b, f.Size, 10)
	b = append(b, `,"mode":`...)
	b = strconv.AppendUint(b, uint64(f.Mode), 10)
	if f.SHA256 != "" {
		b = append(b, `,"sha256":"`...)
		b = append(b, f.SHA256...)
		b = append(b, '"')
	}
	if f.Link != "" {
		b = append(b, `,"link":"`...)
		b = append(b, f.Link...)
		b = append(b, '"')
	}
	return append(b, '}'), nil
}

// plainJSON says whether encoding/json writes s as it is: printable
// ASCII without the characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *FileRecord) UnmarshalJSON(b []byte) error {
	type plain FileRecord
	var in struct {
		plain
		PathBytes []byte `json:"path_bytes"`
		LinkBytes []byte `json:"link_bytes"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*f = FileRecord(in.plain)
	if in.PathBytes != nil {
		f.Path = string(in.PathBytes)
	}
	if in.LinkBytes != nil {
		f.Link = string(in.LinkBytes)
	}
	return nil
}

func (in *Installer) receiptPath(product string) string {
	return filepath.Join(in.opt.StateDir, product+".json")
}
func (in *Installer) previousReceiptPath(product string) string {
	return filepath.Join(in.opt.StateDir, product+".previous.json")
}
func (in *Installer) journalPath(product string) string {
	return filepath.Join(in.opt.StateDir, product+".journal.json")
}

// previousDir keeps the version an install replaced, beside the target so
// the swap is a rename on one volume.
func previousDir(target, product string) string {
	return filepath.Join(filepath.Dir(target), ".onramp-previous-"+product)
}

// Receipt returns the installed version's receipt, once an interrupted
// install of it is finished or undone.
func (in *Installer) Receipt(product string) (*Receipt, error) {
	s := in.storeOf(product)
	if err := s.settleForReading(); err != nil {
		return nil, err
	}
	return s.current()
}

func (in *Installer) receipt(product string) (*Receipt, error) {
	return readReceipt(in.receiptPath(product), product)
}

// readReceipt reads a receipt's head; its files stay on disk, read by
// Files one by one. Receipts list the files last, after their count; an
// older version's receipt (files amid the head, no count) is read to the
// end, counting them.
func readReceipt(path, product string) (*Receipt, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", product, ErrNotInstalled)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r, err := decodeReceipt(f)
	if err != nil {
		return nil, fmt.Errorf("receipt %s: %w", path, err)
	}
	if r.files.off >= 0 {
		r.files.path, r.files.info = path, st
	}
	return r, nil
}

// writeJSONAtomic replaces path with v in JSON (a receipt in its own
// layout, files last).
func writeJSONAtomic(path string, v any) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		if rec, ok := v.(*Receipt); ok {
			return writeReceipt(w, rec)
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	})
}

// writeReceipt writes a receipt with its files last, after their count,
// so that a reader has the head without passing over them; the previous
// version's reader takes the members in any order. The files come from
// where rec.files says, one by one, never all in memory.
func writeReceipt(w io.Writer, rec *Receipt) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%s,\"files\": ", b[:len(b)-1]); err != nil {
		return err
	}
	switch {
	case rec.files.path == "":
		_, err = io.WriteString(w, "[]")
	case rec.files.whole:
		err = copyList(w, rec.files)
	default:
		n := 0
		for f, ferr := range rec.Files() {
			if ferr != nil {
				return ferr
			}
			fb, err := json.Marshal(f)
			if err != nil {
				return err
			}
			sep := ",\n  "
			if n == 0 {
				sep = "[\n  "
			}
			n++
			if _, err := io.WriteString(w, sep); err != nil {
				return err
			}
			if _, err := w.Write(fb); err != nil {
				return err
			}
		}
		if n == 0 {
			_, err = io.WriteString(w, "[]")
		} else {
			_, err = io.WriteString(w, "\n]")
		}
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "}\n")
	return err
}

// copyList copies staging's list of files byte for byte.
func copyList(w io.Writer, l fileList) error {
	f, err := os.Open(l.path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(l.off, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// listIn points rec's files at the receipt just written at path.
func listIn(rec *Receipt, path string) error {
	r, err := readReceipt(path, rec.Product)
	if err != nil {
		return err
	}
	rec.files = r.files
	return nil
}

// decodeReceipt reads the members of a receipt but its files, which it
// only counts, and notes where they start.
func decodeReceipt(rd io.Reader) (*Receipt, error) {
	dec := json.NewDecoder(rd)
	if t, err := dec.Token(); err != nil {
		return nil, err
	} else if t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	head := []byte{'{'}
	var r Receipt
	r.files.off = -1
	count, hasCount := 0, false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		if key == "files" {
			// The offset is that of the ':' (or of space) before the list.
			r.files.off = dec.InputOffset()
			if hasCount {
				break // the files come last: the head is read
			}
			if count, err = countArray(dec); err != nil {
				return nil, fmt.Errorf("files: %w", err)
			}
			continue
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		hasCount = hasCount || key == "file_count"
		k, _ := json.Marshal(key)
		if len(head) > 1 {
			head = append(head, ',')
		}
		head = append(append(append(head, k...), ':'), v...)
	}
	if err := json.Unmarshal(append(head, '}'), &r); err != nil {
		return nil, err
	}
	if !hasCount {
		r.FileCount = count
	}
	return &r, nil
}

// countArray passes over a JSON array (or null) of objects, counting them.
func countArray(dec *json.Decoder) (int, error) {
	t, err := dec.Token()
	if err != nil || t == nil {
		return 0, err
	}
	if t != json.Delim('[') {
		return 0, errors.New("not a list")
	}
	n := 0
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return 0, err
		}
		n++
	}
	_, err = dec.Token()
	return n, err
}

// fileList says where a receipt's files are: a JSON list starting at off
// in a file (a receipt, or the list staging writes). info tells that the
// file is still the one read: receipts are replaced by a rename, never
// rewritten in place.
type fileList struct {
	path string
	off  int64
	info fs.FileInfo
	// whole: from off to its end, the file is the list and nothing else
	// (staging's), so a receipt copies it byte for byte.
	whole bool
}

// ErrReceiptChanged is matched when a receipt's file changed between
// reading its head and reading its files: another command changed the
// product meanwhile.
var ErrReceiptChanged = errors.New("the receipt changed while it was read")

// Files yields the files and links the receipt lists, read from disk one
// at a time: the list of a package of 100,000 files is never in memory
// whole. It stops at the first error.
func (r *Receipt) Files() iter.Seq2[FileRecord, error] {
	return func(yield func(FileRecord, error) bool) {
		if r.files.path == "" {
			return
		}
		f, err := os.Open(r.files.path)
		if err != nil {
			yield(FileRecord{}, fmt.Errorf("receipt %s: %w", r.files.path, err))
			return
		}
		defer f.Close()
		if !r.files.whole {
			if st, err := f.Stat(); err != nil || !os.SameFile(st, r.files.info) {
				yield(FileRecord{}, fmt.Errorf("receipt %s: %w", r.files.path, ErrReceiptChanged))
				return
			}
		}
		if _, err := f.Seek(r.files.off, io.SeekStart); err != nil {
			yield(FileRecord{}, fmt.Errorf("receipt %s: %w", r.files.path, err))
			return
		}
		br := bufio.NewReaderSize(f, 64<<10)
		for { // to the list: past the ':' and spaces after its key
			c, err := br.ReadByte()
			if err != nil {
				yield(FileRecord{}, fmt.Errorf("receipt %s: files: %w", r.files.path, err))
				return
			}
			if c == '[' || c == 'n' { // a list, or null
				br.UnreadByte()
				break
			}
		}
		dec := json.NewDecoder(br)
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			if err != nil {
				yield(FileRecord{}, fmt.Errorf("receipt %s: files: %w", r.files.path, err))
			}
			return
		}
		for dec.More() {
			var rec FileRecord
			if err := dec.Decode(&rec); err != nil {
				yield(FileRecord{}, fmt.Errorf("receipt %s: files: %w", r.files.path, err))
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// fileSpill writes the records of the files staging writes to a file, as
// one JSON list, instead of keeping them in memory.
type fileSpill struct {
	path string
	f    *os.File
	w    *bufio.Writer
	n    int
	err  error
}

func createSpill(path string) (*fileSpill, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s := &fileSpill{path: path, f: f, w: bufio.NewWriterSize(f, 64<<10)}
	s.w.WriteByte('[')
	return s, nil
}

// add writes one record, marshalled by the caller (outside any lock).
func (s *fileSpill) add(b []byte) {
	if s.err != nil {
		return
	}
	sep := ",\n  "
	if s.n == 0 {
		sep = "\n  "
	}
	s.n++
	s.w.WriteString(sep)
	_, s.err = s.w.Write(b)
}

// close ends the list and returns where it is; the file stays until
// remove.
func (s *fileSpill) close() (fileList, error) {
	end := "\n]"
	if s.n == 0 {
		end = "]"
	}
	s.w.WriteString(end)
	err := s.err
	if ferr := s.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fileList{}, fmt.Errorf("listing the staged files: %w", err)
	}
	return fileList{path: s.path, whole: true}, nil
}

// remove closes and removes the list: staging failed, or the receipt
// holds it now.
func (s *fileSpill) remove() {
	s.f.Close()
	os.Remove(s.path)
}

func fileHash(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// at is a point where tests stop a commit, as a crash or a full disk would.
func (in *Installer) at(step string) error {
	if in.failAt != nil {
		return in.failAt(step)
	}
	return nil
}
