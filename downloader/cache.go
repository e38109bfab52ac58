package downloader

import (
	"io"
	"os"
	"path/filepath"
)

// The cache holds verified files by SHA-256 (CacheDir/ab/abcdef...), so a
// package is never downloaded twice. A cached file is hashed again before
// use: a damaged or altered copy is dropped, never trusted.

func (c *Client) cachePath(sum string) string {
	return filepath.Join(c.opt.CacheDir, sum[:2], sum)
}

// cacheGet copies a cached file to dest (through dest.part and a rename).
func (c *Client) cacheGet(sum, dest string) (int64, bool, error) {
	if c.opt.CacheDir == "" {
		return 0, false, nil
	}
	src := c.cachePath(sum)
	if _, err := os.Stat(src); err != nil {
		return 0, false, nil
	}
	if size, ok := verifiedAlready(src, sum); !ok {
		os.Remove(src)
		return 0, false, nil
	} else if err := copyFile(src, dest); err != nil {
		return 0, false, err
	} else {
		return size, true, nil
	}
}

// cachePut records a verified file: a hard link when the cache is on the
// same volume, else a copy. Failures only cost a later download.
func (c *Client) cachePut(path, sum string) {
	if c.opt.CacheDir == "" {
		return
	}
	dst := c.cachePath(sum)
	if _, err := os.Stat(dst); err == nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return
	}
	if os.Link(path, dst) == nil {
		return
	}
	_ = copyFile(path, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".part"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

// CachedPath is where the cache keeps the file with this hash, when it is
// there and intact.
func (c *Client) CachedPath(sum string) (string, bool) {
	if c.opt.CacheDir == "" || !hexSHA.MatchString(sum) {
		return "", false
	}
	p := c.cachePath(sum)
	if _, ok := verifiedAlready(p, sum); !ok {
		return "", false
	}
	return p, true
}
