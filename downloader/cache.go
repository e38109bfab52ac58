package downloader

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The cache holds verified files by SHA-256 (CacheDir/ab/abcdef...), so a
// package is never downloaded twice. A cached file is hashed again as it
// is used: a damaged or altered copy is dropped, never trusted. Only bytes
// whose hash was computed from that very file enter it.

func (c *Client) cachePath(sum string) string {
	return filepath.Join(c.opt.CacheDir, sum[:2], sum)
}

// cacheGet copies a cached file to dest through dest.part, hashing the
// bytes as they are written: the copy is renamed into place only when its
// own bytes match (a cache entry could change between a check and a
// copy). The caller holds dest's lock.
func (c *Client) cacheGet(sum, dest string) (int64, bool, error) {
	if c.opt.CacheDir == "" {
		return 0, false, nil
	}
	src := c.cachePath(sum)
	in, err := os.Open(src)
	if err != nil {
		return 0, false, nil
	}
	defer in.Close()
	part := dest + ".part"
	st, n, got, err := copyHashed(in, part)
	if err != nil {
		return 0, false, err
	}
	if got != sum {
		os.Remove(part)
		if inSt, err := in.Stat(); err == nil && unchanged(src, inSt) {
			os.Remove(src) // the entry read, not one put there since
		}
		return 0, false, nil
	}
	if !unchanged(part, st) {
		os.Remove(part)
		return 0, false, nil
	}
	if err := os.Rename(part, dest); err != nil {
		os.Remove(part)
		return 0, false, err
	}
	os.Remove(part + ".meta") // describes an earlier partial file, now replaced
	return n, true, nil
}

// copyHashed copies r into a new file at path and returns the file's
// description after it is closed, its size and the SHA-256 of the bytes
// written.
func copyHashed(r io.Reader, path string) (os.FileInfo, int64, string, error) {
	os.Remove(path) // a new file, never one a link points to
	out, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, 0, "", err
	}
	st, err := os.Lstat(path)
	if err == nil && st.Size() != n {
		err = fmt.Errorf("%s holds %d bytes, %d were written", path, st.Size(), n)
	}
	if err != nil {
		os.Remove(path)
		return nil, 0, "", err
	}
	return st, n, hex.EncodeToString(h.Sum(nil)), nil
}

// cachePut records path, whose bytes hashed to sum when it was described
// by st: a hard link when the cache is on the same volume, else a copy
// hashed as it is written. A file that is no longer the one hashed is not
// recorded. Failures only cost a later download.
func (c *Client) cachePut(path string, st os.FileInfo, sum string) {
	if c.opt.CacheDir == "" || st == nil {
		return
	}
	dst := c.cachePath(sum)
	if _, err := os.Stat(dst); err == nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return
	}
	// A name of our own: two processes may put the same file at once.
	tmp, err := os.CreateTemp(filepath.Dir(dst), sum[:8]+".*.tmp")
	if err != nil {
		return
	}
	name := tmp.Name()
	tmp.Close()
	os.Remove(name)
	if os.Link(path, name) == nil {
		if unchanged(name, st) {
			if os.Rename(name, dst) == nil {
				return
			}
		}
		os.Remove(name)
		return
	}
	in, err := os.Open(path)
	if err != nil {
		return
	}
	defer in.Close()
	if inSt, err := in.Stat(); err != nil || !os.SameFile(inSt, st) {
		return
	}
	if _, _, got, err := copyHashed(in, name); err != nil || got != sum || os.Rename(name, dst) != nil {
		os.Remove(name)
	}
}

// CachedPath is where the cache keeps the file with this hash, when it is
// there and intact.
func (c *Client) CachedPath(sum string) (string, bool) {
	if c.opt.CacheDir == "" || !isSHA256Hex(sum) {
		return "", false
	}
	p := c.cachePath(sum)
	if _, ok := verifiedFile(p, sum); !ok {
		return "", false
	}
	return p, true
}
