//go:build tour

// Command usersgui measures the real window (GL driver, under Xvfb) with
// 5,000 users: the demo account service runs in a process of its own (as
// the service does in real use: memory is the window's), the window imports a
// CSV of them through its users screen and switches tabs; each step's
// time to the next frame, and the memory after it, are printed as a table.
// Run it through bench/users.sh.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal/web"
	"onramp.dev/onramp/ui"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-serve" {
		if err := serve(); err != nil {
			fmt.Fprintln(os.Stderr, "usersgui -serve:", err)
			os.Exit(1)
		}
		return
	}
	n := 5000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	if err := run(n); err != nil {
		fmt.Fprintln(os.Stderr, "usersgui:", err)
		os.Exit(1)
	}
}

// demoInfo is what the service process tells the window's: where it
// listens and the demo manager's first sign-in (on a pipe, never in argv).
type demoInfo struct {
	URL, Company, ManagerID, TempPassword, StartEmail string
	RSSMB                                             float64 `json:",omitempty"`
}

// serve runs the demo account service in a process of its own, as the
// service runs apart from the window in real use, so that the window's
// memory is measured alone. It prints demoInfo, then serves until its
// standard input closes, and prints its own resident memory last.
func serve() error {
	dir, err := os.MkdirTemp("", "onramp-usersgui-service-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		return err
	}
	d, err := web.StartDemo(context.Background(), web.DemoOptions{Dir: dir, SignedCatalog: assets.DemoSignedCatalog(), Catalog: c,
		Packages: assets.DemoPackageSource})
	if err != nil {
		return err
	}
	defer d.Close()
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(demoInfo{URL: d.URL, Company: d.Company, ManagerID: d.ManagerID, TempPassword: d.TempPassword, StartEmail: d.StartEmail}); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return out.Encode(demoInfo{RSSMB: rssMB()})
}

func run(n int) error {
	dir, err := os.MkdirTemp("", "onramp-usersgui-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	service := exec.Command(self, "-serve")
	service.Stderr = os.Stderr
	toService, err := service.StdinPipe()
	if err != nil {
		return err
	}
	fromService, err := service.StdoutPipe()
	if err != nil {
		return err
	}
	if err := service.Start(); err != nil {
		return err
	}
	defer service.Wait()
	defer toService.Close()
	answers := json.NewDecoder(fromService)
	var d demoInfo
	if err := answers.Decode(&d); err != nil {
		return fmt.Errorf("the service process: %w", err)
	}
	client, err := account.NewWithTokens(d.URL, account.NewMemoryTokenStore())
	if err != nil {
		return err
	}
	cfg := ui.Config{Client: client, Language: "en", CLI: "assistant --demo", Platform: catalog.CurrentPlatform(),
		CacheDir: filepath.Join(dir, "cache"), TargetRoot: filepath.Join(dir, "apps"), StateDir: filepath.Join(dir, "state"),
		Demo: &ui.Demo{Company: d.Company, UserID: d.ManagerID, Password: d.TempPassword, StartEmail: d.StartEmail},
		OpenCatalog: func(signed []byte) (*catalog.Catalog, error) {
			v, err := catalog.NewKeyring(assets.DemoPublicKey()).Open(signed, time.Now())
			if err != nil {
				return nil, err
			}
			return catalog.Parse(v.Payload)
		}}
	fa := ui.NewApp("dev.onramp.bench", "bench")
	a := ui.New(fa, cfg)
	type step struct {
		Step   string  `json:"step"`
		Ms     float64 `json:"ms"`
		HeapMB float64 `json:"heap_mb"`
		RSSMB  float64 `json:"rss_mb"`
	}
	var steps []step
	var tourErr error
	fa.Lifecycle().SetOnStarted(func() {
		go func() {
			defer fyne.Do(fa.Quit)
			tourErr = a.ScaleTour(dir, usersCSV(n), func(name string, took time.Duration) {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				steps = append(steps, step{name, float64(took.Microseconds()) / 1000, float64(m.HeapAlloc) / (1 << 20), rssMB()})
			})
		}()
	})
	a.Window().Resize(fyne.NewSize(1280, 800))
	a.Window().ShowAndRun()
	if tourErr != nil {
		return tourErr
	}
	toService.Close()
	var after demoInfo
	if err := answers.Decode(&after); err != nil {
		return fmt.Errorf("the service process's memory: %w", err)
	}
	fmt.Printf("window with %d users; the demo service in a process of its own; %s\n", n, time.Now().UTC().Format("2006-01-02T15:04Z"))
	fmt.Printf("  %-40s %9s %9s %9s\n", "step (until the next frame is painted)", "ms", "heap MiB", "RSS MiB")
	var peak float64
	for _, s := range steps {
		fmt.Printf("  %-40s %9.1f %9.1f %9.1f\n", s.Step, s.Ms, s.HeapMB, s.RSSMB)
		peak = max(peak, s.RSSMB)
	}
	fmt.Printf("  window's highest RSS after a step: %.1f MiB; service process RSS at the end: %.1f MiB\n", peak, after.RSSMB)
	return nil
}

// usersCSV is n users; no products, so that no seat cap refuses them.
func usersCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("email,name,role,products,benefits\n")
	for i := range n {
		fmt.Fprintf(&b, "person%04d@example.com,Person %04d,user,,download\n", i, i)
	}
	return []byte(b.String())
}

// rssMB is the process's resident memory (Linux), or 0.
func rssMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
