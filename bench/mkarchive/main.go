// Command mkarchive writes the benchmarks' many-file archives: N small
// text files (0 to 2 KiB) in folders of 100, the same bytes every run, as
// a tar.gz or (-zip) a zip.
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
)

func main() {
	n := flag.Int("files", 100_000, "number of files")
	out := flag.String("out", "pkg.tar.gz", "archive to write")
	asZip := flag.Bool("zip", false, "write a zip (deflate) instead of a tar.gz")
	flag.Parse()
	w := write
	if *asZip {
		w = writeZip
	}
	if err := w(*out, *n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func write(out string, n int) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	body := make([]byte, 2048)
	for i := range body {
		body[i] = "abcdefghijklmnopqrstuvwxyz \n"[i*7%28]
	}
	for i := range n {
		if i%100 == 0 {
			if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d%04d/", i/100), Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
				return err
			}
		}
		data := body[:(i*37)%len(body)]
		if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d%04d/f%06d.txt", i/100, i), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return f.Close()
}

// writeZip writes the same tree as write, as a zip.
func writeZip(out string, n int) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	body := make([]byte, 2048)
	for i := range body {
		body[i] = "abcdefghijklmnopqrstuvwxyz \n"[i*7%28]
	}
	for i := range n {
		if i%100 == 0 {
			h := &zip.FileHeader{Name: fmt.Sprintf("d%04d/", i/100)}
			h.SetMode(os.ModeDir | 0o755)
			if _, err := zw.CreateHeader(h); err != nil {
				return err
			}
		}
		h := &zip.FileHeader{Name: fmt.Sprintf("d%04d/f%06d.txt", i/100, i), Method: zip.Deflate}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(body[:(i*37)%len(body)]); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
