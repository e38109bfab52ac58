package portal

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PackageSource gives a package's bytes by file name: a folder on disk, or
// the demo's packages built in memory.
type PackageSource func(name string) (io.ReadSeeker, time.Time, bool)

// FolderPackages serves package files from a folder, by base name only.
// The files it opens are io.Closers: the handler closes each one when its
// response is done.
func FolderPackages(dir string) PackageSource {
	return func(name string) (io.ReadSeeker, time.Time, bool) {
		if dir == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
			return nil, time.Time{}, false
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, time.Time{}, false
		}
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			f.Close()
			return nil, time.Time{}, false
		}
		return f, st.ModTime(), true
	}
}
