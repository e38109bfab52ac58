//go:build tour

package main

import (
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/software"

	"onramp.dev/onramp/ui"
)

// The screenshot tour is built with -tags tour only (.ci/screenshots and
// the tests): the software painter it draws with is Fyne's test code,
// which the assistant people run does not carry.

// runTour walks the demo through every screen, saving each as DIR/NAME.png,
// and measures the UI goroutine's stalls: every 10 ms a no-op is sent
// through fyne.DoAndWait, and the longest wait per screen is recorded in
// DIR/timings.json.
func runTour(a *ui.Assistant, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var mu sync.Mutex
	step, stalls := "start", map[string]float64{}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				start := time.Now()
				fyne.DoAndWait(func() {})
				ms := float64(time.Since(start).Microseconds()) / 1000
				mu.Lock()
				stalls[step] = max(stalls[step], ms)
				mu.Unlock()
			}
		}
	}()
	err := a.Tour(dir, func(name string) {
		mu.Lock()
		step = "screenshots" // drawing the image occupies the UI goroutine
		mu.Unlock()
		var img image.Image
		// The software painter draws the window's content as the GL driver
		// does, without reading back a GL framebuffer (which Xvfb's GL
		// gives back blank); the content returns to the window at once.
		fyne.DoAndWait(func() {
			w := a.Window()
			content, size := w.Content(), w.Canvas().Size()
			sc := software.NewCanvas()
			sc.SetContent(content)
			sc.Resize(size)
			img = sc.Capture()
			w.SetContent(content)
		})
		if f, err := os.Create(filepath.Join(dir, name+".png")); err == nil {
			png.Encode(f, img)
			f.Close()
		}
		mu.Lock()
		step = "after " + name // the work that follows this screen
		mu.Unlock()
	})
	close(done)
	mu.Lock()
	defer mu.Unlock()
	b, _ := json.MarshalIndent(map[string]any{"longest_ui_stall_ms_by_screen": stalls}, "", "  ")
	if werr := os.WriteFile(filepath.Join(dir, "timings.json"), b, 0o644); err == nil {
		err = werr
	}
	return err
}
