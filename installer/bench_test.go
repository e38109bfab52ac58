package installer

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/catalog"
)

// benchTarGz writes a tar.gz of n small files in folders of 100, like a
// large SDK, and returns its path and SHA-256.
func benchTarGz(b *testing.B, n int) (string, string) {
	b.Helper()
	p := filepath.Join(b.TempDir(), "pkg.tar.gz")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.New()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	body := make([]byte, 2048)
	for i := range body {
		body[i] = "abcdefghijklmnopqrstuvwxyz \n"[i*7%28]
	}
	for i := range n {
		if i%100 == 0 {
			tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d%04d/", i/100), Typeflag: tar.TypeDir, Mode: 0o755})
		}
		data := body[:(i*37)%len(body)]
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d%04d/f%06d.txt", i/100, i), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))})
		tw.Write(data)
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	gz.Close()
	f.Close()
	data, _ := os.ReadFile(p)
	h.Write(data)
	return p, hex.EncodeToString(h.Sum(nil))
}

// BenchmarkInstallTarGz installs a 20,000-file tar.gz: the package hash,
// the checks, staging with a hash per file, the receipt and the swap.
func BenchmarkInstallTarGz(b *testing.B) {
	p, sum := benchTarGz(b, 20_000)
	benchInstall(b, Package{Path: p, SHA256: sum, Format: catalog.FormatTarGz, Product: "bench", Version: "1"})
}

// BenchmarkInstallZip installs the zip named by ONRAMP_BENCH_ZIP (Fyne's
// module zip in bench/install.sh), when set.
func BenchmarkInstallZip(b *testing.B) {
	p := os.Getenv("ONRAMP_BENCH_ZIP")
	if p == "" {
		b.Skip("ONRAMP_BENCH_ZIP names no zip")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	s := sha256.Sum256(data)
	benchInstall(b, Package{Path: p, SHA256: hex.EncodeToString(s[:]), Format: catalog.FormatZip, Product: "bench", Version: "1"})
}

func benchInstall(b *testing.B, pkg Package) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		in, err := New(Options{StateDir: filepath.Join(dir, "state")})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := in.Install(context.Background(), pkg, filepath.Join(dir, "app")); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}

// BenchmarkInstallSmallTarGz installs tar.gz packages of 10 and 2,000
// files, where the fixed cost of an install (checks, notes, receipt,
// workers, fsyncs) weighs most.
func BenchmarkInstallSmallTarGz(b *testing.B) {
	for _, n := range []int{10, 2_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p, sum := benchTarGz(b, n)
			benchInstall(b, Package{Path: p, SHA256: sum, Format: catalog.FormatTarGz, Product: "bench", Version: "1"})
		})
	}
}

// BenchmarkInstallSmallZip installs zips of 10 and 2,000 files: below
// poolAfter entries they are unpacked on one goroutine.
func BenchmarkInstallSmallZip(b *testing.B) {
	for _, n := range []int{10, 2_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			body := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz \n"), 80)
			for i := range n {
				w, err := zw.Create(fmt.Sprintf("d%04d/f%06d.txt", i/100, i))
				if err != nil {
					b.Fatal(err)
				}
				w.Write(body[:(i*37)%len(body)])
			}
			zw.Close()
			p := filepath.Join(b.TempDir(), "pkg.zip")
			if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
				b.Fatal(err)
			}
			s := sha256.Sum256(buf.Bytes())
			benchInstall(b, Package{Path: p, SHA256: hex.EncodeToString(s[:]), Format: catalog.FormatZip, Product: "bench", Version: "1"})
		})
	}
}
