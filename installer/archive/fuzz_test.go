package archive

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"onramp.dev/onramp/catalog"
)

// FuzzZip and FuzzTarGz feed the readers arbitrary packages, seeded with
// the corpus of real archives the installer is tested against. Whatever
// the bytes: no panic, every refusal is an *Error (ErrUnsafe), and what
// is accepted holds to the confinement rules, with Scan and Extract
// agreeing on the entries.
func FuzzZip(f *testing.F)   { fuzzArchive(f, catalog.FormatZip, "*.zip") }
func FuzzTarGz(f *testing.F) { fuzzArchive(f, catalog.FormatTarGz, "*.tar.gz") }

// fuzzLargest is the largest file a fuzz input may declare and be read
// through: a few bytes of sparse tar may declare gigabytes of zeros.
const fuzzLargest = 1 << 20

var errFuzzLarge = errors.New("a file too large for fuzzing")

func fuzzArchive(f *testing.F, format catalog.Format, glob string) {
	seeds, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", glob))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds for %s in the installer's corpus: %v", glob, err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	// Archives the checks refuse, so that the fuzzing starts near them.
	for _, b := range hostileSeeds(f, format) {
		f.Add(b, false)
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, windows bool) {
		rules := Rules{}
		if windows {
			rules = Rules{windows: true, foldCase: true, unicode: true}
		}
		extracted, fault, err := fuzzExtract(data, format, rules)
		if errors.Is(err, errFuzzLarge) {
			return
		}
		if fault != "" {
			t.Fatalf("accepted an entry that breaks the rules: %s", fault)
		}
		if err != nil && !errors.Is(err, ErrUnsafe) {
			t.Fatalf("Extract refused with %T, not an *Error: %v", err, err)
		}
		a, oerr := openBytes("fuzz", data, format, rules, "")
		var scanned []string
		serr := oerr
		if oerr == nil {
			serr = a.Scan(func(e Entry) error {
				scanned = append(scanned, describe(e))
				return nil
			})
			a.Close()
		}
		if serr != nil && !errors.Is(serr, ErrUnsafe) {
			t.Fatalf("Scan refused with %T, not an *Error: %v", serr, serr)
		}
		switch {
		case serr != nil && err == nil:
			t.Fatalf("Scan refused what Extract accepted: %v", serr)
		case err == nil:
			slices.Sort(scanned)
			slices.Sort(extracted)
			if !slices.Equal(scanned, extracted) {
				t.Fatalf("Scan and Extract disagree:\n%q\n%q", scanned, extracted)
			}
		}
	})
}

// fuzzExtract extracts data on two goroutines, checking every entry
// against the rules, and returns the entries described and the first
// broken rule.
func fuzzExtract(data []byte, format catalog.Format, rules Rules) ([]string, string, error) {
	a, err := openBytes("fuzz", data, format, rules, "")
	if err != nil {
		return nil, "", err
	}
	defer a.Close()
	var (
		mu    sync.Mutex
		out   []string
		seen  = map[string]Kind{}
		fault string
	)
	err = a.Extract(func(e Entry, r io.Reader) error {
		if e.Kind == File && e.Size > fuzzLargest {
			return errFuzzLarge
		}
		var n int64
		if r != nil {
			var err error
			if n, err = io.Copy(io.Discard, r); err != nil {
				return err
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if why := breaksRules(e, n, r != nil, seen); why != "" && fault == "" {
			fault = why
		}
		seen[e.Name] = e.Kind
		out = append(out, describe(e))
		return nil
	}, Pool{Workers: 2}, nil)
	return out, fault, err
}

// breaksRules says how an accepted entry breaks the confinement rules, or "".
func breaksRules(e Entry, n int64, body bool, seen map[string]Kind) string {
	switch {
	case e.Name == "" || e.Name != path.Clean(e.Name) || strings.HasPrefix(e.Name, "/") || e.Name == ".":
		return "name not clean: " + e.Name
	case slices.Contains(strings.Split(e.Name, "/"), ".."):
		return "name leaves the target: " + e.Name
	case strings.ContainsAny(e.Name, "\x00\\"):
		return "NUL or backslash in name: " + e.Name
	case e.Mode&^0o777 != 0:
		return "mode beyond the permission bits: " + e.Name
	case e.Kind > Hardlink:
		return "unknown kind: " + e.Name
	case e.Kind == File && (!body || n != e.Size):
		return "a file's bytes differ from its declared size: " + e.Name
	case e.Kind != File && body:
		return "bytes for what is not a file: " + e.Name
	case e.Kind == Symlink && (e.Link == "" || strings.HasPrefix(e.Link, "/")):
		return "link not relative: " + e.Name
	}
	if k, ok := seen[e.Link]; e.Kind == Hardlink && (!ok || (k != File && k != Hardlink)) {
		return "hard link to what is not an earlier file: " + e.Name
	}
	if k, ok := seen[e.Name]; ok && !(k == Dir && e.Kind == Dir) {
		return "listed twice: " + e.Name
	}
	return ""
}

func describe(e Entry) string {
	return fmt.Sprintf("%s|%d|%v|%d|%s", e.Name, e.Kind, e.Mode, e.Size, e.Link)
}

// hostileSeeds are small archives that try each way out of the target
// (the cases of cases_test.go), so that the fuzzing starts near them.
func hostileSeeds(f *testing.F, format catalog.Format) [][]byte {
	var out [][]byte
	for _, c := range confinementCases {
		out = append(out, build(f, format, c.members))
	}
	return out
}
