package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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

// goEnv holds the go command's caches as they were before any test moved
// HOME: a build under a test's HOME would start from a cold cache.
var goEnv = func() []string {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		return nil
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(v) != 3 {
		return nil
	}
	return []string{"GOCACHE=" + v[0], "GOMODCACHE=" + v[1], "GOPATH=" + v[2]}
}()

// buildAssistant compiles the real binary once for the tests that run it.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func assistantBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "assistant-bin")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "assistant")
		cmd := exec.Command("go", "build", "-o", buildOnce.path, ".")
		cmd.Env = append(os.Environ(), goEnv...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildOnce.err = err
			t.Logf("%s", out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
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
