package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
)

// startPortal is newTestPortal with the packages of a real folder.
func startPortal(t testing.TB, packages portal.PackageSource, opts ...portal.Option) *testPortal {
	t.Helper()
	store, db := openTestStore(t)
	signed, c := testCatalog(t)
	svc := portal.NewService(store, signed, c, "https://127.0.0.1/signin", opts...)
	srv := httptest.NewServer(NewHandler(svc, packages))
	t.Cleanup(srv.Close)
	return &testPortal{Server: srv, svc: svc, store: store, db: db}
}

// packageFolder writes atlas's package, size bytes, into a new folder.
func packageFolder(t testing.TB, size int) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "atlas-1.0.0.tar.gz"), make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("count open files: %v", err)
	}
	return len(entries)
}

// Every package request closes its file; with the garbage collector off,
// nothing but the handler can close them.
func TestPackageFilesAreClosed(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc (Linux)")
	}
	p := startPortal(t, portal.FolderPackages(packageFolder(t, 4096)))
	token, _ := p.admin(t, "mgr@x.example", "atlas")
	hc := &http.Client{}
	get := func() int {
		req, _ := http.NewRequest("GET", p.URL+"/api/v1/packages/atlas-1.0.0.tar.gz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Range", "bytes=0-0")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	get() // the keep-alive connection is open from here on
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	before := openFDs(t)
	for i := range 2000 {
		if code := get(); code != http.StatusPartialContent {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	after := openFDs(t)
	t.Logf("open files: %d before 2,000 range requests, %d after", before, after)
	if after > before+8 {
		t.Errorf("open files: %d before 2,000 range requests, %d after", before, after)
	}
}

// Range requests cost no more than the file: many or overlapping ranges
// are refused before any byte is read.
func TestPackageRangesBounded(t *testing.T) {
	const size = 1 << 20
	p := startPortal(t, portal.FolderPackages(packageFolder(t, size)))
	token, _ := p.admin(t, "mgr@x.example", "atlas")
	disjoint := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf("%d-%d", i*100, i*100+9))
		}
		return "bytes=" + strings.Join(parts, ",")
	}
	tests := []struct {
		name    string
		ranges  string
		code    int
		maxBody int64
	}{
		{"one", "bytes=0-99", 206, 100},
		{"two-disjoint", "bytes=0-9,100-109", 206, 1024},
		{"sixteen-disjoint", disjoint(16), 206, 4096},
		{"seventeen-disjoint", disjoint(17), 416, 1024},
		{"overlapping-two", "bytes=0-99,50-149", 416, 1024},
		{"same-range-10000-times", "bytes=" + strings.Repeat("0-8,", 9999) + "0-8", 416, 1024},
		{"suffix-overlaps", "bytes=0-99,-" + fmt.Sprint(size-50), 416, 1024},
		{"open-end-overlaps", "bytes=500-,600-700", 416, 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", p.URL+"/api/v1/packages/atlas-1.0.0.tar.gz", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Range", tt.ranges)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			n, _ := io.Copy(io.Discard, resp.Body)
			t.Logf("%d-byte Range header: %d, %d bytes", len(tt.ranges), resp.StatusCode, n)
			if resp.StatusCode != tt.code || n > tt.maxBody {
				t.Errorf("%d, %d bytes for a %d-byte Range header: want %d, at most %d bytes", resp.StatusCode, n, len(tt.ranges), tt.code, tt.maxBody)
			}
		})
	}
}

// A bad import is answered with its first bad lines, each quoting a short
// excerpt of the bad value: never an echo of the whole file.
func TestImportErrorsBounded(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "mgr@x.example", "atlas")
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 500 {
		fmt.Fprintf(&b, "%d%s,x\n", i, strings.Repeat("z", 4000))
	}
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/users/import", strings.NewReader(b.String()))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var prob Problem
	decodeJSON(body, &prob)
	t.Logf("a %d-byte file of 500 bad lines: a %d-byte answer", b.Len(), len(body))
	if resp.StatusCode != 422 || len(body) > 32<<10 || len(prob.Rows) > maxReportedRows || !strings.Contains(prob.Detail, "500") {
		t.Errorf("%d, %d bytes, %d rows, detail %q for a %d-byte file of 500 bad lines", resp.StatusCode, len(body), len(prob.Rows), prob.Detail, b.Len())
	}
	for _, r := range prob.Rows {
		if len(r.Reason) > 200 {
			t.Fatalf("line %d: a %d-byte reason", r.Line, len(r.Reason))
		}
	}

	// A long unknown field name is not echoed whole either.
	var prob2 Problem
	code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": "x", strings.Repeat("f", 3000): "y"}, &prob2)
	if code != 400 || len(prob2.Detail) > maxDetailBytes {
		t.Errorf("unknown field: %d, a %d-byte detail", code, len(prob2.Detail))
	}
}
