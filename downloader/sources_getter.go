//go:build cloudsources

package downloader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"

	getter "github.com/hashicorp/go-getter"
)

// fetchOther hands what this package does not fetch itself (s3, gcs,
// go-getter's URL forms) to go-getter, with a getters map of our own,
// never the package-level one: the stock HTTP getter must not run, and
// nothing is unpacked by URL suffix.
func (t *transfer) fetchOther(ctx context.Context) error {
	gc := &getter.Client{
		Ctx:  ctx,
		Src:  t.req.URL,
		Dst:  t.part,
		Mode: getter.ClientModeFile,
		Getters: map[string]getter.Getter{
			"file": &verifyingGetter{t: t, inner: &getter.FileGetter{Copy: true}},
			"s3":   &verifyingGetter{t: t, inner: new(getter.S3Getter)},
			"gcs":  &verifyingGetter{t: t, inner: new(getter.GCSGetter)},
		},
		Decompressors:   map[string]getter.Decompressor{},
		Detectors:       []getter.Detector{new(getter.FileDetector), new(getter.S3Detector), new(getter.GCSDetector)},
		DisableSymlinks: true,
	}
	return gc.Get()
}

// verifyingGetter wraps go-getter's own getters (file, s3, gcs): they write
// the partial file, which is then hashed, through one handle, before it is
// promoted.
type verifyingGetter struct {
	t     *transfer
	inner getter.Getter
}

func (g *verifyingGetter) SetClient(c *getter.Client) { g.inner.SetClient(c) }

func (g *verifyingGetter) ClientMode(u *url.URL) (getter.ClientMode, error) {
	return getter.ClientModeFile, nil
}

func (g *verifyingGetter) Get(string, *url.URL) error {
	return errors.New("downloading a folder is not supported")
}

func (g *verifyingGetter) GetFile(dst string, u *url.URL) error {
	t := g.t
	t.discard()
	t.emit(EventStart, 0, t.req.Size, "")
	if err := g.inner.GetFile(dst, u); err != nil {
		t.discard()
		return err
	}
	sum, st, err := hashPart(t.part)
	if err != nil {
		t.discard()
		return err
	}
	t.res.Size, t.res.Attempts, t.res.Transferred = st.Size(), 1, st.Size()
	if sum != t.req.SHA256 {
		t.discard()
		return &ChecksumError{URL: redact(u), Expected: t.req.SHA256, Actual: sum}
	}
	return t.promote(st)
}

// hashPart hashes the file at path through one handle and returns its
// description after closing.
func hashPart(path string) (string, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	fst, serr := f.Stat()
	f.Close()
	if err = errors.Join(err, serr); err != nil {
		return "", nil, err
	}
	st, err := os.Lstat(path)
	if err != nil {
		return "", nil, err
	}
	if !os.SameFile(st, fst) || st.Size() != n || !st.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%s changed while it was hashed", path)
	}
	return hex.EncodeToString(h.Sum(nil)), st, nil
}
