package installer

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// What an install takes is counted in the volume's blocks and entries:
// a file of 1 byte takes a block, an empty one none, a folder a block;
// each file, folder and link an entry.
func TestDiskUse(t *testing.T) {
	u := diskUse{block: 4096}
	u.file(1)
	u.file(0)
	u.file(4096)
	u.file(4097)
	u.dir()
	u.link()
	if want := uint64(4096 + 0 + 4096 + 8192 + 4096); u.bytes != want || u.inodes != 6 {
		t.Errorf("bytes %d, entries %d; want %d and 6", u.bytes, u.inodes, want)
	}
	raw := diskUse{} // block size unknown: the bytes as they are
	raw.file(1)
	raw.file(10)
	if raw.bytes != 11 {
		t.Errorf("bytes %d, want 11", raw.bytes)
	}
	tests := []struct {
		name string
		vol  volume
		use  diskUse
		want string // in the error; "" for none
	}{
		{"fits", volume{Known: true, Free: 8192, FreeInodes: 2, InodesKnown: true}, diskUse{bytes: 8192, inodes: 2}, ""},
		{"blocks", volume{Known: true, Free: 8191, FreeInodes: 100, InodesKnown: true}, diskUse{bytes: 8192, inodes: 2}, "8192 bytes on disk, 8191 bytes is free"},
		{"entries", volume{Known: true, Free: 1 << 30, FreeInodes: 1, InodesKnown: true}, diskUse{bytes: 8192, inodes: 2}, "needs 2 files and folders, the volume can hold 1 more"},
		{"no-entry-limit", volume{Known: true, Free: 1 << 30}, diskUse{bytes: 8192, inodes: 1 << 40}, ""},
		{"unknown-volume", volume{}, diskUse{bytes: 1 << 50}, ""},
	}
	for _, tt := range tests {
		err := checkSpace("/opt/atlas", tt.vol, tt.use)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (!errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "/opt/atlas")):
			t.Errorf("%s: err = %v, want %q naming the folder", tt.name, err, tt.want)
		}
	}
}

// A disk that fills while staging (what no plan can foresee) is said in
// a sentence, not as "no space left on device".
func TestStagingErrorDiskFull(t *testing.T) {
	raw := fmt.Errorf("staging bin/tool: write /opt/.onramp-staging-atlas-1/bin/tool: %w", syscall.ENOSPC)
	err := stagingError("/opt/atlas", 1<<20, raw)
	var se *SpaceError
	if !errors.As(err, &se) || !errors.Is(err, ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) ||
		!strings.Contains(err.Error(), "filled up") || strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "/opt/atlas") {
		t.Errorf("err = %v", err)
	}
	other := errors.New("staging x: input/output error")
	if stagingError("/opt/atlas", 0, other) != other {
		t.Error("another error was changed")
	}
}
