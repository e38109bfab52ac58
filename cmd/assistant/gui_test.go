package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// needsDisplay fails loudly when there is no X display: the smoke tests
// run under Xvfb, which .ci/with-session starts.
func needsDisplay(t *testing.T) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("no DISPLAY: run the tests through .ci/with-session (Xvfb)")
	}
	for _, tool := range []string{"xwininfo", "xwd"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (Debian packages x11-utils and x11-apps): .ci/deps installs them", tool)
		}
	}
}

// xwdColors reads an XWD dump (ZPixmap, 32 bits per pixel, as Xvfb's
// 24-bit screen gives) and counts its distinct colours: a window that
// renders has text and widgets, an unrendered one is one flat colour.
func xwdColors(data []byte) (int, error) {
	if len(data) < 100 {
		return 0, fmt.Errorf("xwd: %d bytes", len(data))
	}
	h := func(i int) int { return int(binary.BigEndian.Uint32(data[i*4:])) }
	headerSize, width, height, bpp, bytesPerLine, ncolors := h(0), h(4), h(5), h(11), h(12), h(19)
	if bpp != 32 {
		return 0, fmt.Errorf("xwd: %d bits per pixel, want 32", bpp)
	}
	pix := data[headerSize+ncolors*12:]
	if len(pix) < height*bytesPerLine {
		return 0, fmt.Errorf("xwd: %d bytes of pixels for %dx%d", len(pix), width, height)
	}
	seen := map[uint32]bool{}
	for y := range height {
		for x := range width {
			seen[binary.LittleEndian.Uint32(pix[y*bytesPerLine+x*4:])&0xffffff] = true
		}
	}
	return len(seen), nil
}

// The real binary under Xvfb: `assistant --demo` opens a window that
// renders, prints the demo credentials, and closes on SIGTERM, taking the
// demo service with it.
func TestWindowRendersUnderXvfb(t *testing.T) {
	needsDisplay(t)
	bin := assistantBinary(t)
	home := t.TempDir()
	var out syncBuffer
	cmd := exec.Command(bin, "--demo", "gui", "--lang", "fr")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	colors := 0
	for colors < 16 {
		select {
		case <-ctx.Done():
			t.Fatalf("no rendered window in 60 s (last count of colours %d); output:\n%s", colors, out.String())
		case err := <-exited:
			t.Fatalf("the assistant exited: %v\n%s", err, out.String())
		case <-tick.C:
		}
		tree, _ := exec.Command("xwininfo", "-root", "-tree").Output()
		if !bytes.Contains(tree, []byte(`"Onramp"`)) {
			continue
		}
		dump, err := exec.Command("xwd", "-name", "Onramp", "-silent").Output()
		if err != nil {
			continue
		}
		if colors, err = xwdColors(dump); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(out.String(), "Temporary password: ") {
		t.Errorf("the demo credentials are not printed:\n%s", out.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, out.String())
		}
	case <-ctx.Done():
		t.Fatal("the window did not close on SIGTERM")
	}
}

// The tour walks every screen on the real driver, against the embedded
// service: sign-in, password change, check, download, install, the admin
// screens; each screenshot is a real image with content.
func TestTourOnTheRealWindow(t *testing.T) {
	needsDisplay(t)
	bin := assistantBinary(t)
	home, dir := t.TempDir(), t.TempDir()
	cmd := exec.Command(bin, "--demo", "gui", "--lang", "en", "--tour", dir)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tour: %v\n%s", err, out)
	}
	for _, name := range []string{"welcome", "first-sign-in", "products", "check", "download", "installed", "users", "callers", "deploy", "profile", "support", "faq"} {
		f, err := os.Open(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			continue
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s.png: %v", name, err)
			continue
		}
		seen := map[[3]uint32]bool{}
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y += 3 {
			for x := b.Min.X; x < b.Max.X; x += 3 {
				r, g, bl, _ := img.At(x, y).RGBA()
				seen[[3]uint32{r, g, bl}] = true
			}
		}
		if len(seen) < 16 {
			t.Errorf("%s.png is nearly blank (%d colours)", name, len(seen))
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "opt", "onramp", "quill")); err != nil {
		entries, _ := filepath.Glob(filepath.Join(home, "*", "*"))
		t.Errorf("the tour's install is not in the per-user folder: %v (home has %v)", err, entries)
	}
}

// syncBuffer is a bytes.Buffer a running process writes while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
