package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"onramp.dev/onramp/downloader"
)

func payload(n int) ([]byte, string) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i ^ i>>8)
	}
	s := sha256.Sum256(b)
	return b, hex.EncodeToString(s[:])
}

func TestFetchCommand(t *testing.T) {
	content, sum := payload(200 << 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("ETag", `"1"`)
			http.ServeContent(w, r, "ok", time.Time{}, bytes.NewReader(content))
		case "/altered":
			bad := bytes.Clone(content)
			bad[5] ^= 1
			http.ServeContent(w, r, "bad", time.Time{}, bytes.NewReader(bad))
		case "/login":
			http.Error(w, "sign in", http.StatusUnauthorized)
		case "/forbidden":
			http.Error(w, "no", http.StatusForbidden)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"ok", []string{"fetch", srv.URL + "/ok", "--sha256", sum, "--out", filepath.Join(dir, "a")}, exitOK, "verified"},
		{"ok-sync", []string{"fetch", srv.URL + "/ok", "--sha256", sum, "--out", filepath.Join(dir, "a-sync"), "--sync"}, exitOK, "verified"},
		{"checksum-sync", []string{"fetch", srv.URL + "/altered", "--sha256", sum, "--out", filepath.Join(dir, "b"), "--sync"}, exitIntegrity, "checksum mismatch"},
		{"checksum", []string{"fetch", srv.URL + "/altered", "--sha256", sum, "--out", filepath.Join(dir, "b")}, exitIntegrity, "checksum mismatch"},
		{"auth", []string{"fetch", srv.URL + "/login", "--sha256", sum, "--out", filepath.Join(dir, "c")}, exitAuth, "401"},
		{"forbidden", []string{"fetch", srv.URL + "/forbidden", "--sha256", sum, "--out", filepath.Join(dir, "d")}, exitEntitlement, "403"},
		{"not-found", []string{"fetch", srv.URL + "/nope", "--sha256", sum, "--out", filepath.Join(dir, "e")}, exitFailed, "404"},
		{"plain-http-refused", []string{"fetch", "http://downloads.example.com/x", "--sha256", sum, "--out", filepath.Join(dir, "f")}, exitFailed, "plain http"},
		{"missing-flags", []string{"fetch", srv.URL + "/ok"}, exitUsage, "--sha256"},
		{"bad-rate", []string{"fetch", srv.URL + "/ok", "--sha256", sum, "--out", filepath.Join(dir, "g"), "--limit-rate", "fast"}, exitUsage, "limit-rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", append(tt.args, "--cache", t.TempDir())...)
			if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Fatalf("exit %d, want %d and %q\n%s\n%s", r.code, tt.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); err == nil {
		t.Error("a file that failed its checksum was left")
	}
}

func TestDownloadDemoJSON(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, "", "--demo", "download", "--product", "quill@3.0.2", "--platform", "darwin/arm64", "--out", dir, "--cache", filepath.Join(dir, "c"), "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var events []map[string]any
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not NDJSON: %q", sc.Text())
		}
		events = append(events, ev)
	}
	if len(events) < 3 || events[0]["event"] != "start" || events[len(events)-1]["event"] != "result" {
		t.Fatalf("events %v", events)
	}
	if _, err := os.Stat(filepath.Join(dir, "quill-3.0.2-darwin-arm64.zip")); err != nil {
		t.Fatal(err)
	}
}

// A real `assistant fetch` process killed with SIGKILL mid-transfer resumes
// on the next run, transferring only what it did not have.
func TestFetchKilledProcessResumes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	bin := assistantBinary(t)
	content, sum := payload(4 << 20)
	halfway := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	var ranges []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Range"))
		first := len(ranges) == 1
		mu.Unlock()
		w.Header().Set("ETag", `"v1"`)
		if !first {
			http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(content))
			return
		}
		// First run: send half, then stall until the client is killed.
		w.Header().Set("Content-Length", "4194304")
		w.Write(content[:2<<20])
		w.(http.Flusher).Flush()
		once.Do(func() { close(halfway) })
		<-r.Context().Done()
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "pkg.bin")
	args := []string{"fetch", srv.URL + "/f", "--sha256", sum, "--out", out, "--cache", filepath.Join(t.TempDir(), "c"), "--json"}

	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill as soon as the process reports bytes written to its partial
	// file (it reports after writing them).
	onDisk := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		closed := false
		for sc.Scan() {
			var ev struct {
				Event string
				Done  int64
			}
			if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Event == "progress" && ev.Done > 0 && !closed {
				close(onDisk)
				closed = true
			}
		}
	}()
	select {
	case <-onDisk:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the first run reported no progress")
	}
	<-halfway
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	kept := fileSizeOf(out + ".part")
	if kept == 0 {
		t.Fatal("the killed run left no partial file")
	}

	second, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, second)
	}
	lines := strings.Split(strings.TrimSpace(string(second)), "\n")
	var res struct {
		Result struct {
			Resumed     bool
			Transferred int64
		}
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Result.Resumed || res.Result.Transferred != int64(len(content))-kept {
		t.Errorf("second run: %+v, want resumed with %d bytes", res.Result, int64(len(content))-kept)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ranges) != 2 || ranges[1] == "" {
		t.Errorf("requests' Range headers: %q", ranges)
	}
	got, _ := os.ReadFile(out)
	if !bytes.Equal(got, content) {
		t.Error("the resumed file differs")
	}
}

func fileSizeOf(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

// Mistakes in the flags are usage errors (exit 2) found before any byte is
// requested: --out naming a folder, and rates that are not a positive
// number of at least 1 byte per second.
func TestFetchFlagsRefusedBeforeTransfer(t *testing.T) {
	content, sum := payload(10 << 10)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(content))
	}))
	defer srv.Close()
	folder := t.TempDir()
	file := filepath.Join(t.TempDir(), "f")
	tests := []struct {
		name string
		out  string
		rate string
		want string
	}{
		{"out-is-folder", folder, "", "is a folder"},
		{"out-ends-in-separator", filepath.Join(t.TempDir(), "new") + string(filepath.Separator), "", "is a folder"},
		{"rate-rounds-to-zero", file, "0.5", "at least 1 byte per second"},
		{"rate-tiny-with-unit", file, "0.0001K", "at least 1 byte per second"},
		{"rate-zero", file, "0", "at least 1 byte per second"},
		{"rate-negative", file, "-1", "limit-rate"},
		{"rate-infinite", file, "Inf", "limit-rate"},
		{"rate-nan", file, "NaN", "limit-rate"},
		{"rate-exponent", file, "1e3", "limit-rate"},
		{"rate-hex", file, "0x10", "limit-rate"},
		{"rate-unknown-unit", file, "5X", "limit-rate"},
		{"rate-too-large", file, "9999999G", "limit-rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"fetch", srv.URL + "/f", "--sha256", sum, "--out", tt.out, "--cache", t.TempDir()}
			if tt.rate != "" {
				args = append(args, "--limit-rate", tt.rate)
			}
			r := runCLI(t, "", args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, tt.want)
			}
			if n := requests.Load(); n != 0 {
				t.Fatalf("%d requests made before the usage error", n)
			}
		})
	}
	for _, stall := range []string{"0s", "500ms", "-1s", "25h", "soon"} {
		r := runCLI(t, "", "fetch", srv.URL+"/f", "--sha256", sum, "--out", file, "--cache", t.TempDir(), "--stall-timeout", stall)
		if r.code != exitUsage || !strings.Contains(r.stderr, "stall-timeout") {
			t.Fatalf("--stall-timeout %s: exit %d, stderr %q; want exit 2 naming the flag", stall, r.code, r.stderr)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests made before the usage error", n)
	}
	r := runCLI(t, "", "fetch", srv.URL+"/f", "--sha256", sum, "--out", file, "--cache", t.TempDir(), "--limit-rate", "1.5M", "--stall-timeout", "2m")
	if r.code != exitOK {
		t.Fatalf("--limit-rate 1.5M: exit %d: %s", r.code, r.stderr)
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{{"", 0}, {"1", 1}, {"1.5", 1}, {"500K", 500 << 10}, {"500k", 500 << 10}, {"2M", 2 << 20}, {"1.5G", 3 << 29}, {"1024G", 1 << 40}}
	for _, tt := range tests {
		if got, err := parseRate(tt.in); err != nil || got != tt.want {
			t.Errorf("parseRate(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

// An untrusted certificate fails at the first connection and the CLI says
// to pass --ca-bundle.
func TestFetchUnknownCASaysCABundle(t *testing.T) {
	_, sum := payload(10)
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	r := runCLI(t, "", "fetch", srv.URL+"/f", "--sha256", sum, "--out", filepath.Join(t.TempDir(), "f"), "--cache", t.TempDir())
	if r.code != exitFailed || !strings.Contains(r.stderr, "--ca-bundle") {
		t.Fatalf("exit %d, stderr %q; want exit 1 and a word about --ca-bundle", r.code, r.stderr)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1: a certificate error was retried", n)
	}
}

// The words the CLI adds for each typed transfer failure.
func TestDownloadHints(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"tls", &downloader.TLSError{URL: "https://x", Err: x509.UnknownAuthorityError{}}, "--ca-bundle"},
		{"host-name", &downloader.TLSError{URL: "https://x", Err: x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}}, "host name"},
		{"proxy-407", &downloader.ProxyAuthError{Proxy: "http://proxy:3128"}, "HTTPS_PROXY"},
		{"disk-full", &downloader.WriteError{Path: "f.part", Err: syscall.ENOSPC}, "Free space"},
		{"space-before-start", &downloader.SpaceError{Path: "f.part", Need: 10, Free: 1}, "Free space"},
		{"interrupted", &downloader.InterruptedError{URL: "https://x", Part: "f.part", Kept: 10, Err: context.Canceled}, "resumes from where it stopped"},
		{"gzip", &downloader.EncodingError{URL: "https://x", Encoding: "gzip"}, "publisher"},
		{"redirect-loop", fmt.Errorf("fetch x: %w", downloader.ErrTooManyRedirects), "URL"},
		{"busy", fmt.Errorf("x: %w", downloader.ErrBusy), "wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "disk-full" && runtime.GOOS == "windows" {
				t.Skip("ENOSPC is not how Windows says it")
			}
			if got := downloadHint(tt.err); !strings.Contains(got, tt.want) {
				t.Errorf("hint %q, want %q in it", got, tt.want)
			}
		})
	}
	if code := exitCode(&downloader.InterruptedError{Err: context.Canceled}); code != exitInterrupted {
		t.Errorf("interrupted: exit %d, want 130", code)
	}
}

// startFetch runs `assistant fetch --json` and reports its events.
func startFetch(t *testing.T, bin string, args []string) (*exec.Cmd, <-chan map[string]any, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan map[string]any, 1024)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev map[string]any
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				events <- ev
			}
		}
	}()
	return cmd, events, &stderr
}

// waitEvent returns once the process reports an event named name.
func waitEvent(events <-chan map[string]any, name string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		for ev := range events {
			if ev["event"] == name {
				close(done)
				break
			}
		}
		for range events {
		}
	}()
	return done
}

// Two `assistant fetch` processes to the same --out at once: the second
// waits for the first, both exit 0, the file is whole and was sent once.
func TestFetchTwoProcessesSameOut(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pipes and signals as on unix")
	}
	bin := assistantBinary(t)
	content, sum := payload(2 << 20)
	overlap := make(chan struct{})
	var overlapOnce sync.Once
	release := func() { overlapOnce.Do(func() { close(overlap) }) }
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		if n > 1 {
			release() // the second process reached the server
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Length", fmt.Sprint(len(content)))
		for off := 0; off < len(content); off += 64 << 10 {
			w.Write(content[off : off+64<<10])
			w.(http.Flusher).Flush()
			if n == 1 && off == 0 {
				<-overlap
			}
		}
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "pkg.bin")
	cache := filepath.Join(t.TempDir(), "c")
	args := []string{"fetch", srv.URL + "/f", "--sha256", sum, "--out", out, "--cache", cache, "--json"}

	a, aEvents, aErr := startFetch(t, bin, args)
	aProgress := make(chan struct{})
	go func() {
		once := sync.Once{}
		for ev := range aEvents {
			if ev["event"] == "progress" {
				once.Do(func() { close(aProgress) })
			}
		}
	}()
	select {
	case <-aProgress:
	case <-time.After(30 * time.Second):
		a.Process.Kill()
		t.Fatal("the first process reported no progress")
	}
	b, bEvents, bErr := startFetch(t, bin, args)
	go func() {
		<-waitEvent(bEvents, "wait")
		release() // the second process waits for the lock
	}()
	bDone := make(chan error, 1)
	go func() { bDone <- b.Wait(); release() }()
	if err := a.Wait(); err != nil {
		t.Fatalf("first process: %v\n%s", err, aErr)
	}
	if err := <-bDone; err != nil {
		t.Fatalf("second process: %v\n%s", err, bErr)
	}
	got, _ := os.ReadFile(out)
	if !bytes.Equal(got, content) {
		t.Fatalf("the file is %d bytes with other content: the transfers interleaved", len(got))
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1: the second process should have found the verified file", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("left beside the file: %v", entries)
	}
}

// Ctrl-C during a transfer: exit 130, a message saying the download
// resumes, and the partial file kept.
func TestFetchInterruptSaysResume(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT")
	}
	bin := assistantBinary(t)
	content, sum := payload(1 << 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Length", fmt.Sprint(len(content)))
		w.Write(content[:256<<10])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "pkg.bin")
	cmd, events, stderr := startFetch(t, bin, []string{"fetch", srv.URL + "/f", "--sha256", sum, "--out", out, "--cache", t.TempDir(), "--json"})
	select {
	case <-waitEvent(events, "progress"):
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no progress reported")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "resumes from where it stopped") {
		t.Fatalf("exit %d, stderr %q; want 130 and a word on resuming", code, stderr)
	}
	if strings.Contains(stderr.String(), "context canceled") {
		t.Errorf("stderr says %q", stderr)
	}
	if fileSizeOf(out+".part") == 0 {
		t.Error("the partial file was not kept")
	}
}

// A server that stops sending with the connection open: after
// --stall-timeout the transfer resumes, and --json shows the stall with
// its attempt number.
func TestFetchStallTimeout(t *testing.T) {
	content, sum := payload(256 << 10)
	var stalled atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if stalled.CompareAndSwap(false, true) {
			w.Header().Set("Content-Length", fmt.Sprint(len(content)))
			w.Write(content[:100<<10])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(content))
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "pkg.bin")
	r := runCLI(t, "", "fetch", srv.URL+"/f", "--sha256", sum, "--out", out, "--cache", t.TempDir(), "--json", "--stall-timeout", "1s")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var stall map[string]any
	for _, line := range strings.Split(r.stdout, "\n") {
		var ev map[string]any
		if json.Unmarshal([]byte(line), &ev) == nil && ev["event"] == "stall" {
			stall = ev
		}
	}
	if stall == nil || stall["attempt"] != float64(2) || stall["max_attempts"] != float64(8) || stall["done"] != float64(100<<10) {
		t.Fatalf("stall event %v in %s", stall, r.stdout)
	}
	if !strings.Contains(r.stdout, `"resumed":true`) {
		t.Errorf("not resumed: %s", r.stdout)
	}
}

// A transient failure is printed with the attempt that follows, in text
// and in NDJSON (attempt, max_attempts).
func TestFetchRetryShowsAttempt(t *testing.T) {
	content, sum := payload(64 << 10)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%2 == 1 { // every first request of a run fails
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		http.ServeContent(w, r, "ok", time.Time{}, bytes.NewReader(content))
	}))
	defer srv.Close()
	dir := t.TempDir()
	r := runCLI(t, "", "fetch", srv.URL+"/ok", "--sha256", sum, "--out", filepath.Join(dir, "a"), "--cache", t.TempDir())
	if r.code != exitOK || !strings.Contains(r.stderr, "a: ") || !strings.Contains(r.stderr, "retrying, attempt 2 of ") {
		t.Fatalf("text: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "fetch", srv.URL+"/ok", "--sha256", sum, "--out", filepath.Join(dir, "b"), "--cache", t.TempDir(), "--json")
	var retry map[string]any
	for _, line := range strings.Split(r.stdout, "\n") {
		var ev map[string]any
		if json.Unmarshal([]byte(line), &ev) == nil && ev["event"] == "retry" {
			retry = ev
		}
	}
	if r.code != exitOK || retry == nil || retry["attempt"] != 2.0 || retry["max_attempts"].(float64) < 2 {
		t.Fatalf("json: exit %d, retry %v\n%s\n%s", r.code, retry, r.stdout, r.stderr)
	}
}
