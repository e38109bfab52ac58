package installer

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"onramp.dev/onramp/catalog"
)

// rawTarGz writes entries with their names byte for byte (GNU format,
// which carries any bytes).
func rawTarGz(t *testing.T, files []file) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg, Format: tar.FormatGNU}
		if f.dir {
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// cp437Zip writes entries whose names are CP437 bytes, the UTF-8 flag off.
func cp437Zip(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate, NonUTF8: true}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("body of " + n))
	}
	zw.Close()
	b := buf.Bytes()
	if !bytes.Contains(b, []byte(names[0])) {
		t.Fatal("the zip does not hold the raw name")
	}
	return b
}

// Names that are not UTF-8. Zip names without the UTF-8 flag are
// CP437; tar names are bytes, kept as they are (on Linux) and recorded
// byte for byte, so verify, repair and uninstall find the files.
func TestNonUTF8Names(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux file systems take any bytes as a name")
	}
	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		format catalog.Format
		want   []string // the names on disk
	}{
		{"tar-latin1", func(t *testing.T) []byte {
			return rawTarGz(t, []file{{name: "caf\xe9.txt", body: "latin-1"}, {name: "d\xe9j\xe0/", dir: true}, {name: "d\xe9j\xe0/vu.txt", body: "x"}})
		}, catalog.FormatTarGz, []string{"caf\xe9.txt", "d\xe9j\xe0/vu.txt"}},
		{"zip-cp437", func(t *testing.T) []byte {
			return cp437Zip(t, "caf\x82.txt", "\x8e\x99/\x81ber.txt") // café.txt, ÄÖ/über.txt
		}, catalog.FormatZip, []string{"café.txt", "ÄÖ/über.txt"}},
		{"zip-utf8-flag", func(t *testing.T) []byte { return buildZip(t, []file{{name: "naïve.txt", body: "n"}}) }, catalog.FormatZip, []string{"naïve.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			state := t.TempDir()
			in, _ := New(Options{StateDir: state, Scope: ScopeUser})
			target := filepath.Join(t.TempDir(), "atlas")
			rec, err := in.Install(ctx, writePackage(t, tt.data(t), tt.format, "1.0.0"), target)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range tt.want {
				if _, err := os.Stat(filepath.Join(target, n)); err != nil {
					t.Errorf("%q not on disk: %v (receipt %+v)", n, err, listFiles(t, rec))
				}
			}
			// The receipt is valid JSON and gives the names back byte for byte.
			b, _ := os.ReadFile(filepath.Join(state, "atlas.json"))
			if !utf8.Valid(b) || !json.Valid(b) {
				t.Errorf("receipt is not valid UTF-8 JSON")
			}
			r, err := in.Receipt("atlas")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, f := range listFiles(t, r) {
				got[f.Path] = true
			}
			for _, n := range tt.want {
				if !got[n] {
					t.Errorf("receipt lost %q: %+v", n, listFiles(t, r))
				}
			}
			if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
				t.Errorf("verify right after install: %+v %v", v, err)
			}
			os.Remove(filepath.Join(target, tt.want[0]))
			if v, _ := in.Verify(ctx, "atlas"); len(v.Missing) != 1 {
				t.Errorf("verify after a removal: %+v", v)
			}
			if _, err := in.Repair(ctx, "atlas"); err != nil {
				t.Fatal(err)
			}
			if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
				t.Errorf("verify after repair: %+v %v", v, err)
			}
			left, err := in.Uninstall(ctx, "atlas")
			if err != nil || len(left) != 0 {
				t.Errorf("uninstall: left %q %v", left, err)
			}
			if _, err := os.Stat(target); err == nil {
				t.Errorf("uninstall left the target: %v", tree(t, target))
			}
		})
	}
}

// A zip link (flag off) to a CP437-named file points at the decoded name.
func TestCP437LinkTarget(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("symlinks in a test need a unix file system")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "caf\x82.txt", NonUTF8: true}
	h.SetMode(0o644)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte("coffee"))
	h = &zip.FileHeader{Name: "link", NonUTF8: true}
	h.SetMode(os.ModeSymlink | 0o777)
	w, _ = zw.CreateHeader(h)
	w.Write([]byte("caf\x82.txt"))
	zw.Close()
	target := filepath.Join(t.TempDir(), "atlas")
	if _, err := newInstaller(t).Install(context.Background(), writePackage(t, buf.Bytes(), catalog.FormatZip, "1.0.0"), target); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(target, "link")); err != nil || string(b) != "coffee" {
		t.Errorf("through the link: %q %v", b, err)
	}
}

// appendJSON writes exactly what json.Marshal writes, for plain names and
// for every kind a name may need escaped.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	names := []string{"a", "d0001/f000123.txt", "with space/and-dash_1.0", "", "quote\"d", `back\slash`, "<tag>&amp",
		"tab\there", "del\x7f", "é-accent", "latin1-\xe9", "line\u2028sep", "ctrl\x01"}
	for _, name := range names {
		for _, rec := range []FileRecord{
			{Path: name, Size: 123456789012, Mode: 0o644, SHA256: sum},
			{Path: name, Mode: 0o777 | uint32(1<<27), Link: name},
			{Path: "x", Link: name},
			{Path: name},
		} {
			want, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rec.appendJSON([]byte("prefix"))
			if err != nil || string(got) != "prefix"+string(want) {
				t.Errorf("%q:\n got %s (%v)\nwant prefix%s", name, got, err, want)
			}
		}
	}
}
