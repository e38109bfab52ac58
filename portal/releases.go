package portal

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Releases are the Onramp files the start page offers, from a folder laid
// out as the release build writes it: one folder per platform (OS-ARCH)
// holding its programs, and SHA256SUMS beside them.
type Releases struct {
	Files []ReleaseFile
	dir   string
}

// ReleaseFile is one file a person may download.
type ReleaseFile struct {
	Platform string // OS-ARCH, as the release folder names it
	OS, Arch string
	Name     string
	Size     int64
	SHA256   string
	// Kind is what it is for a person: installer, window, cli, or a
	// helper file of the Linux install (script, icon).
	Kind    string
	modTime time.Time
}

// Bounds of a release folder: a release holds a handful of programs.
const maxReleaseFiles = 64

var safeFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}$`)

var platformDir = regexp.MustCompile(`^(linux|windows|darwin)-([a-z0-9]+)$`)

// ErrBadReleases: the release folder cannot be offered as it is.
var ErrBadReleases = errors.New("release folder")

// LoadReleases reads a release folder and hashes each file, checking the
// hashes against SHA256SUMS: a page must never show a hash the file does
// not have, so a file SHA256SUMS does not list is not offered. Each file's
// size and modification time are kept to notice, at download, a file
// replaced since.
func LoadReleases(dir string) (*Releases, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	sums, err := readSHA256SUMS(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return nil, err
	}
	if sums == nil {
		return nil, fmt.Errorf("%w %s: no SHA256SUMS (the release build writes it): no file is offered unchecked", ErrBadReleases, dir)
	}
	rel := &Releases{dir: dir}
	for _, e := range entries {
		m := platformDir.FindStringSubmatch(e.Name())
		if m == nil || !e.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			// The account service itself is no download for a person.
			if !f.Type().IsRegular() || strings.HasPrefix(f.Name(), "portal") || strings.HasPrefix(f.Name(), ".") {
				continue
			}
			if !safeFileName.MatchString(f.Name()) {
				return nil, fmt.Errorf("%w %s: %q: a file name of letters, digits and . _ + - only", ErrBadReleases, dir, f.Name())
			}
			if len(rel.Files) == maxReleaseFiles {
				return nil, fmt.Errorf("%w %s: more than %d files", ErrBadReleases, dir, maxReleaseFiles)
			}
			relPath := e.Name() + "/" + f.Name()
			want, listed := sums[relPath]
			if !listed {
				continue
			}
			rf := ReleaseFile{Platform: e.Name(), OS: m[1], Arch: m[2], Name: f.Name(), Kind: releaseKind(f.Name())}
			if err := rf.hash(filepath.Join(dir, e.Name(), f.Name())); err != nil {
				return nil, err
			}
			if want != rf.SHA256 {
				return nil, fmt.Errorf("%w %s: %s has SHA-256 %s, SHA256SUMS says %s", ErrBadReleases, dir, relPath, rf.SHA256, want)
			}
			rel.Files = append(rel.Files, rf)
		}
	}
	if len(rel.Files) == 0 {
		return nil, fmt.Errorf("%w %s: no OS-ARCH folder (linux-amd64, windows-amd64, darwin-arm64…) with files SHA256SUMS lists", ErrBadReleases, dir)
	}
	return rel, nil
}

func (f *ReleaseFile) hash(path string) error {
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	st, err := r.Stat()
	if err != nil {
		return err
	}
	if st.Size() != n {
		return fmt.Errorf("%w: %s changed while it was hashed", ErrBadReleases, path)
	}
	f.Size, f.SHA256, f.modTime = n, hex.EncodeToString(h.Sum(nil)), st.ModTime()
	return nil
}

// ErrReleaseChanged: a release file is no longer the one the service
// hashed when it started; a restart offers the new one.
var ErrReleaseChanged = errors.New("the release file changed since the service hashed it; restart the service to offer the new one")

// Open opens the release file of platform named name, while it is still
// the file hashed: ErrNotFound for a file the folder did not list,
// ErrReleaseChanged for one replaced since. The caller closes the file.
func (r *Releases) Open(platform, name string) (*ReleaseFile, *os.File, error) {
	var file *ReleaseFile
	if r != nil {
		for i, f := range r.Files {
			if f.Platform == platform && f.Name == name {
				file = &r.Files[i]
			}
		}
	}
	if file == nil {
		return nil, nil, ErrNotFound
	}
	f, err := os.Open(filepath.Join(r.dir, file.Platform, file.Name))
	if err != nil {
		return nil, nil, err
	}
	if st, err := f.Stat(); err != nil || !file.sameAs(st) {
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrReleaseChanged, err)
		}
		return nil, nil, ErrReleaseChanged
	}
	return file, f, nil
}

// ModTime is when the file was last changed, as hashed.
func (f *ReleaseFile) ModTime() time.Time { return f.modTime }

// sameAs says whether an opened file is still the one hashed: same size
// and modification time. A file replaced since would be served under the
// hash and ETag of the old one.
func (f *ReleaseFile) sameAs(st os.FileInfo) bool {
	return st.Mode().IsRegular() && st.Size() == f.Size && st.ModTime().Equal(f.modTime)
}

// readSHA256SUMS reads sha256sum's output: "HEX  PATH" lines.
func readSHA256SUMS(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for line := 1; sc.Scan(); line++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			return nil, fmt.Errorf("%w: %s:%d: want \"SHA256  PATH\"", ErrBadReleases, path, line)
		}
		sums[strings.TrimPrefix(name, "*")] = strings.ToLower(sum)
	}
	return sums, sc.Err()
}

// releaseKind says what a release file is for a person.
func releaseKind(name string) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".msi") || strings.HasSuffix(lower, ".pkg") || strings.HasSuffix(lower, ".dmg") ||
		strings.HasSuffix(lower, ".deb") || strings.HasSuffix(lower, ".rpm"):
		return "installer"
	case strings.HasSuffix(lower, ".sh"):
		return "script"
	case strings.HasSuffix(lower, ".png") || strings.HasSuffix(lower, ".ico") || strings.HasSuffix(lower, ".svg"):
		return "icon"
	case strings.HasPrefix(lower, "onramp"):
		return "window"
	}
	return "cli"
}

// WithReleases has the start page offer the files of a release folder
// (LoadReleases).
func WithReleases(r *Releases) Option {
	return func(s *Service) { s.releases = r }
}
