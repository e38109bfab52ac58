package installer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"onramp.dev/onramp/catalog"
)

// listFiles reads every file a receipt lists.
func listFiles(t testing.TB, rec *Receipt) []FileRecord {
	t.Helper()
	var out []FileRecord
	for f, err := range rec.Files() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// withFiles gives rec a list of files, written as staging writes it.
func withFiles(t testing.TB, rec *Receipt, files []FileRecord) {
	t.Helper()
	s, err := createSpill(filepath.Join(t.TempDir(), "files.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		s.add(b)
	}
	l, err := s.close()
	if err != nil {
		t.Fatal(err)
	}
	rec.files, rec.FileCount = l, len(files)
}

// previousReceipt is the receipt as the version before this one wrote
// and read it: the files amid the other members, all in memory.
type previousReceipt struct {
	ID            string         `json:"id"`
	Product       string         `json:"product"`
	Version       string         `json:"version"`
	Target        string         `json:"target"`
	Package       string         `json:"package"`
	PackageSHA256 string         `json:"package_sha256"`
	Format        catalog.Format `json:"format"`
	Launch        string         `json:"launch,omitempty"`
	Installed     time.Time      `json:"installed"`
	Files         []FileRecord   `json:"files"`
	Dirs          []FileRecord   `json:"dirs,omitempty"`
	Adopted       bool           `json:"adopted,omitempty"`
	Scope         Scope          `json:"scope,omitempty"`
	ProductCode   string         `json:"product_code,omitempty"`
	RebootNeeded  bool           `json:"reboot_needed,omitempty"`
}

// The receipt is written record by record: what is read back is what was
// written, whatever the names hold; and the previous version's reader
// reads it too.
func TestReceiptRoundTrip(t *testing.T) {
	base := Receipt{ID: "0123456789abcdef", Product: "atlas", Version: "2.0", Target: "/opt/atlas \"files\":null",
		Package: "/tmp/p.zip", PackageSHA256: "ab", Format: "zip", Installed: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Dirs: []FileRecord{{Path: "bin", Mode: 0o20000000755}}, Scope: ScopeUser, Adopted: true}
	tests := []struct {
		name  string
		files []FileRecord
	}{
		{"no-files", nil},
		{"one", []FileRecord{{Path: "bin/atlas", Size: 3, Mode: 0o755, SHA256: "cd"}}},
		{"names-not-utf8-and-links", []FileRecord{
			{Path: "caf\xe9.txt", Size: 1, Mode: 0o644, SHA256: "ef"},
			{Path: "link", Mode: 0o777, Link: "caf\xe9.txt"},
			{Path: `quote"files":null`, Mode: 0o600, SHA256: "01"},
			{Path: `files`, Mode: 0o600, SHA256: "02"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := base
			withFiles(t, &want, tc.files)
			p := filepath.Join(t.TempDir(), "atlas.json")
			if err := writeJSONAtomic(p, &want); err != nil {
				t.Fatal(err)
			}
			got, err := readReceipt(p, "atlas")
			if err != nil {
				t.Fatal(err)
			}
			if files := listFiles(t, got); !slices.Equal(files, tc.files) {
				t.Errorf("files read back %+v, want %+v", files, tc.files)
			}
			got.files, want.files = fileList{}, fileList{}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("read back\n%+v\nwant\n%+v", *got, want)
			}
			// Written again from the receipt itself (not staging's list).
			again := filepath.Join(t.TempDir(), "again.json")
			if err := listIn(got, p); err != nil {
				t.Fatal(err)
			}
			if err := writeJSONAtomic(again, got); err != nil {
				t.Fatal(err)
			}
			b1, _ := os.ReadFile(p)
			b2, _ := os.ReadFile(again)
			if !bytes.Equal(b1, b2) {
				t.Errorf("written again:\n%s\nfirst:\n%s", b2, b1)
			}
			var prev previousReceipt
			if err := json.Unmarshal(b1, &prev); err != nil {
				t.Fatalf("the previous version's reader: %v", err)
			}
			if prev.ID != want.ID || prev.Target != want.Target || !prev.Adopted || len(prev.Files) != len(tc.files) || (len(tc.files) > 0 && !slices.Equal(prev.Files, tc.files)) {
				t.Errorf("the previous version's reader read %+v", prev)
			}
		})
	}
}

// Receipts written by the previous version (files amid the head, no count)
// still verify, repair and uninstall, and the user's files stay.
func TestPreviousReceiptFormat(t *testing.T) {
	tests := []struct {
		name    string
		marshal func(any) ([]byte, error)
	}{
		{"indented", func(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }},
		{"compact", json.Marshal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			in := newInstaller(t)
			target := filepath.Join(t.TempDir(), "atlas")
			rec, err := in.Install(ctx, writePackage(t, buildTarGz(t, product), catalog.FormatTarGz, "1.0.0"), target)
			if err != nil {
				t.Fatal(err)
			}
			files := listFiles(t, rec)
			prev := previousReceipt{ID: rec.ID, Product: rec.Product, Version: rec.Version, Target: rec.Target, Package: rec.Package,
				PackageSHA256: rec.PackageSHA256, Format: rec.Format, Installed: rec.Installed, Files: files, Dirs: rec.Dirs, Scope: rec.Scope}
			b, err := tc.marshal(prev)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(in.receiptPath("atlas"), b, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := in.Receipt("atlas")
			if err != nil || got.FileCount != len(files) || !slices.Equal(listFiles(t, got), files) {
				t.Fatalf("read %+v (%v), want %d files", got, err, len(files))
			}
			if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() || v.Files != len(files) {
				t.Errorf("verify: %+v, %v", v, err)
			}
			os.WriteFile(filepath.Join(target, "README.txt"), []byte("changed"), 0o644)
			if v, err := in.Verify(ctx, "atlas"); err != nil || len(v.Changed) != 1 {
				t.Errorf("verify of a changed file: %+v, %v", v, err)
			}
			if _, err := in.Repair(ctx, "atlas"); err != nil {
				t.Fatalf("repair: %v", err)
			}
			if err := os.WriteFile(in.receiptPath("atlas"), b, 0o644); err != nil { // the previous version's again
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(target, "notes.txt"), []byte("mine"), 0o644)
			kept, err := in.Uninstall(ctx, "atlas")
			if err != nil || !slices.Equal(kept, []string{"notes.txt"}) {
				t.Fatalf("uninstall: kept %v, %v", kept, err)
			}
			left := []string{}
			filepath.WalkDir(target, func(p string, d os.DirEntry, err error) error {
				if err == nil && p != target {
					left = append(left, p[len(target)+1:])
				}
				return nil
			})
			if !slices.Equal(left, []string{"notes.txt"}) {
				t.Errorf("left in the target: %v", left)
			}
		})
	}
}

// Staging keeps no list of what it wrote in memory: the live heap at the
// end of staging 20,000 files is what it was before, give or take buffers
// (the list, kept in memory, took about 3 MB).
func TestStagingHoldsNoList(t *testing.T) {
	const n = 20_000
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for i := range n {
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d%03d/f%06d.txt", i/100, i), Typeflag: tar.TypeReg, Mode: 0o644})
	}
	tw.Close()
	gz.Close()
	pkg := writePackage(t, buf.Bytes(), catalog.FormatTarGz, "1.0.0")
	in := newInstaller(t)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var staged uint64
	in.failAt = func(step string) error {
		if step == "staged" {
			staged = heap()
		}
		return nil
	}
	before := heap()
	rec, err := in.Install(context.Background(), pkg, filepath.Join(t.TempDir(), "atlas"))
	if err != nil || rec.FileCount != n {
		t.Fatalf("install: %v", err)
	}
	t.Logf("live heap: %d KiB before, %d KiB once staged", before>>10, staged>>10)
	if staged > before+1<<20 {
		t.Errorf("live heap grew by %d KiB while staging %d files", (staged-before)>>10, n)
	}
}

// A receipt replaced between reading its head and its files is said to
// have changed, not read as another version's list.
func TestReceiptChangedWhileRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "atlas.json")
	first := Receipt{ID: "1", Product: "atlas", Format: "zip"}
	withFiles(t, &first, []FileRecord{{Path: "a", Size: 1, Mode: 0o644, SHA256: "aa"}})
	if err := writeJSONAtomic(p, &first); err != nil {
		t.Fatal(err)
	}
	got, err := readReceipt(p, "atlas")
	if err != nil {
		t.Fatal(err)
	}
	second := Receipt{ID: "2", Product: "atlas", Format: "zip"}
	withFiles(t, &second, []FileRecord{{Path: "b", Size: 1, Mode: 0o644, SHA256: "bb"}})
	if err := writeJSONAtomic(p, &second); err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, err := range got.Files() {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrReceiptChanged) {
		t.Errorf("read %v; want ErrReceiptChanged", errs)
	}
}

// The list of a staging killed half-way goes with its staging folder.
func TestKilledStagingListRemoved(t *testing.T) {
	ctx := context.Background()
	in := newInstaller(t)
	target := filepath.Join(t.TempDir(), "atlas")
	if _, err := in.Install(ctx, writePackage(t, buildTarGz(t, product), catalog.FormatTarGz, "1.0.0"), target); err != nil {
		t.Fatal(err)
	}
	// As a process killed while staging leaves them.
	os.WriteFile(in.stagingNote("atlas"), []byte(filepath.Dir(target)+"\n"), 0o644)
	os.WriteFile(in.spillPath("atlas"), []byte("[\n  {\"path\":\"x\""), 0o644)
	if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
		t.Fatalf("verify: %+v, %v", v, err)
	}
	if _, err := os.Stat(in.spillPath("atlas")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the killed staging's list is still there: %v", err)
	}
}
