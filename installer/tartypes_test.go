package installer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/catalog"
)

// corpusPackage describes a file of testdata/corpus as a package.
func corpusPackage(t *testing.T, name string) Package {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	format := catalog.FormatTarGz
	if strings.HasSuffix(name, ".zip") {
		format = catalog.FormatZip
	}
	return writePackage(t, data, format, "1.0.0")
}

// Sparse files (GNU 'S' entries, what tar -cSzf writes, and PAX sparse
// entries, tar --format=posix -S) come out whole and sparse: a
// 50 MiB file of three words takes a few blocks, not 50 MiB.
func TestTarSparse(t *testing.T) {
	for _, name := range []string{"gnu-sparse.tar.gz", "posix-sparse.tar.gz"} {
		t.Run(name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "atlas")
			in := newInstaller(t)
			if _, err := in.Install(context.Background(), corpusPackage(t, name), target); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(target, "big.img")
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			if st.Size() != 50<<20 {
				t.Fatalf("size %d", st.Size())
			}
			for off, want := range map[int64]string{0: "start", 25 << 20: "middle", 50<<20 - 3: "end", 4096: "\x00\x00\x00\x00", 40 << 20: "\x00\x00"} {
				got := make([]byte, len(want))
				if _, err := f.ReadAt(got, off); err != nil || string(got) != want {
					t.Errorf("at %d: %q %v, want %q", off, got, err, want)
				}
			}
			if used := diskUsage(t, st); used > 1<<20 {
				t.Errorf("big.img takes %d bytes on disk: its holes were written", used)
			}
			if !st.ModTime().Equal(time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)) {
				t.Errorf("mtime %v", st.ModTime())
			}
			if v, err := in.Verify(context.Background(), "atlas"); err != nil || !v.OK() {
				t.Errorf("verify: %+v %v", v, err)
			}
		})
	}
}

// tarOf writes raw headers (any type flag) into a tar.gz.
func tarOf(t *testing.T, hs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, h := range hs {
		body := h.Linkname // the body, for the types that carry one
		if h.Typeflag != tar.TypeSymlink && h.Typeflag != tar.TypeLink {
			h.Linkname = ""
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		h.Format = tar.FormatGNU
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil && h.Size > 0 {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	return buf.Bytes()
}

// Entry types as GNU tar reads them: a dump folder is a folder, a volume
// label and Solaris ACLs are no file, an unknown type is a regular file
// (POSIX); devices, FIFOs and the continuation of a multi-volume archive
// are refused, in words.
func TestTarEntryTypes(t *testing.T) {
	file := &tar.Header{Name: "doc/readme.txt", Typeflag: tar.TypeReg, Linkname: "read me"}
	tests := []struct {
		name    string
		h       *tar.Header
		want    map[string]string // the tree (see tree), with file
		refused string
	}{
		{"dumpdir", &tar.Header{Name: "doc/", Typeflag: 'D', Mode: 0o750, Linkname: "Yreadme.txt\x00\x00"}, map[string]string{"doc": "/"}, ""},
		{"volume-label", &tar.Header{Name: "Backup volume 1", Typeflag: 'V'}, map[string]string{"doc": "/"}, ""},
		{"solaris-acl", &tar.Header{Name: "doc/readme.txt", Typeflag: 'A', Linkname: "user::rw-"}, map[string]string{"doc": "/"}, ""},
		{"unknown-type", &tar.Header{Name: "extra.dat", Typeflag: 'Z', Linkname: "zed"}, map[string]string{"doc": "/", "extra.dat": "-rw-r--r-- zed"}, ""},
		{"contiguous", &tar.Header{Name: "extra.dat", Typeflag: tar.TypeCont, Linkname: "seven"}, map[string]string{"doc": "/", "extra.dat": "-rw-r--r-- seven"}, ""},
		{"multi-volume", &tar.Header{Name: "part.bin", Typeflag: 'M', Linkname: "rest"}, nil, `"part.bin": the rest of a file begun on the previous volume of a multi-volume archive`},
		{"char-device", &tar.Header{Name: "tty", Typeflag: tar.TypeChar}, nil, `"tty": a character device (entry type "3")`},
		{"block-device", &tar.Header{Name: "sda", Typeflag: tar.TypeBlock}, nil, `"sda": a block device (entry type "4")`},
		{"fifo", &tar.Header{Name: "pipe", Typeflag: tar.TypeFifo}, nil, `"pipe": a FIFO (named pipe) (entry type "6")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := *file
			pkg := writePackage(t, tarOf(t, tt.h, &f), catalog.FormatTarGz, "1.0.0")
			if tt.refused != "" {
				assertRefused(t, pkg, tt.refused)
				return
			}
			target := filepath.Join(t.TempDir(), "atlas")
			if _, err := newInstaller(t).Install(context.Background(), pkg, target); err != nil {
				t.Fatal(err)
			}
			got := tree(t, target)
			tt.want[filepath.Join("doc", "readme.txt")] = "-rw-r--r-- read me"
			if len(got) != len(tt.want) {
				t.Errorf("tree %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q (tree %v)", k, got[k], v, got)
				}
			}
		})
	}
}
