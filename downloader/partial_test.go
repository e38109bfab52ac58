package downloader

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// What a stopped transfer kept is reported for its own file only: nothing
// before it starts, the bytes on disk after a cancel, nothing for another
// file's hash, nothing once the file is complete.
func TestKept(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	s.slow = 2 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	s.onBytes = func(sent int) {
		if sent >= 64<<10 {
			once.Do(cancel)
		}
	}
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	if n := Kept(dest, sum); n != 0 {
		t.Fatalf("before any transfer: %d bytes kept", n)
	}
	req := Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest}
	if _, err := newClient(t, Options{}).Fetch(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	onDisk := fileSize(dest + ".part")
	if n := Kept(dest, sum); n == 0 || n != onDisk {
		t.Fatalf("after a cancel: %d bytes kept, %d on disk", n, onDisk)
	}
	other := "00" + sum[2:]
	if n := Kept(dest, other); n != 0 {
		t.Errorf("for another file's hash: %d bytes kept", n)
	}
	s.mu.Lock()
	s.slow, s.onBytes = 0, nil
	s.mu.Unlock()
	if _, err := newClient(t, Options{}).Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if n := Kept(dest, sum); n != 0 {
		t.Errorf("once complete: %d bytes kept", n)
	}
}
