package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/syscheck"
)

func TestCheckRequirementsFile(t *testing.T) {
	dir := t.TempDir()
	plat := runtime.GOOS + "/" + runtime.GOARCH
	impossible := writeFile(t, dir, "big.json", []byte(`{"schema": 1, "requirements": {"`+plat+`": {"memory": {"min": "900 TiB"}, "cpu": {"min_logical_cores": 1}}}}`))
	easy := writeFile(t, dir, "easy.json", []byte(`{"schema": 1, "requirements": {"`+plat+`": {"memory": {"min": "1 MiB"}}}}`))
	badUnits := writeFile(t, dir, "bad.json", []byte(`{"schema": 1, "requirements": {"`+plat+`": {"memory": {"min": "16 gigs"}, "disk": {"install": -5}}}}`))
	otherPlatform := writeFile(t, dir, "other.json", []byte(`{"schema": 1, "requirements": {"beos/ppc": {}}}`))

	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"cannot-meet", []string{"check", "--requirements", impossible, "--target", dir}, exitRequirements,
			[]string{"memory", "FAIL", "Add memory: the product needs at least 900 TiB"}},
		{"can-meet", []string{"check", "--requirements", easy, "--target", dir}, exitOK, []string{"meets every requirement"}},
		{"bad-units", []string{"check", "--requirements", badUnits}, exitFailed,
			[]string{"bad.json", `requirements["` + plat + `"].memory.min`, "with a unit", `.disk.install`}},
		{"unknown-platform", []string{"check", "--requirements", otherPlatform}, exitFailed, []string{"unknown platform"}},
		{"neither", []string{"check"}, exitUsage, []string{"--product"}},
		{"both", []string{"check", "--product", "x", "--requirements", easy}, exitUsage, []string{"--product"}},
		{"no-catalog", []string{"check", "--product", "atlas"}, exitUsage, []string{"--demo"}},
		{"unknown-product", []string{"--demo", "check", "--product", "nope"}, exitFailed, []string{`"nope"`, "not in the catalog"}},
		{"unknown-release", []string{"--demo", "check", "--product", "atlas@9.9"}, exitFailed, []string{"no release 9.9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output lacks %q:\n%s\n%s", w, r.stdout, r.stderr)
				}
			}
		})
	}
}

// `check --json` reports cores, RAM and free disk
// that agree with nproc, /proc/meminfo and df for the same folder.
func TestCheckJSONAgreesWithSystemTools(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("compares with Linux tools")
	}
	dir := t.TempDir()
	r := runCLI(t, "", "--demo", "check", "--product", "atlas", "--target", dir, "--cache", dir, "--json", "--html", filepath.Join(dir, "report.html"))
	if r.code != exitOK && r.code != exitRequirements {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var out struct {
		Status string
		Items  []struct{ ID, Status, Advice string }
		Facts  syscheck.Facts
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	nproc, _ := exec.Command("nproc", "--all").Output()
	if n, _ := strconv.Atoi(strings.TrimSpace(string(nproc))); n != out.Facts.CPU.LogicalCores {
		t.Errorf("cores %d, nproc %d", out.Facts.CPU.LogicalCores, n)
	}
	meminfo, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(meminfo), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kib, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if kib<<10 != out.Facts.Memory.Total {
				t.Errorf("memory %d, /proc/meminfo %d", out.Facts.Memory.Total, kib<<10)
			}
		}
	}
	df, err := exec.Command("df", "-B1", "--output=avail", dir).Output()
	if err != nil {
		t.Fatal(err)
	}
	avail, _ := strconv.ParseInt(strings.TrimSpace(strings.Split(strings.TrimSpace(string(df)), "\n")[1]), 10, 64)
	if len(out.Facts.Volumes) != 1 {
		t.Fatalf("volumes %+v", out.Facts.Volumes)
	}
	if d := avail - int64(out.Facts.Volumes[0].Free); d > 64<<20 || d < -64<<20 {
		t.Errorf("free %d, df %d", out.Facts.Volumes[0].Free, avail)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !strings.Contains(string(html), "Atlas CAD") {
		t.Errorf("HTML report: %v", err)
	}
	for _, it := range out.Items {
		if (it.Status == "fail" || it.Status == "unknown") && it.Advice == "" {
			t.Errorf("item %s is %s without advice", it.ID, it.Status)
		}
	}
}

func TestEveryFixHasText(t *testing.T) {
	for _, code := range syscheck.FixCodes {
		text := adviceText(&syscheck.Fix{Code: code})
		if text == code || text == "" {
			t.Errorf("no words for fix %q", code)
		}
	}
	got := adviceText(&syscheck.Fix{Code: "add-ram", Args: map[string]string{"need": "8 GiB"}})
	if !strings.Contains(got, "8 GiB") || strings.Contains(got, "{") {
		t.Errorf("add-ram = %q", got)
	}
}

// The HTML report escapes every value from outside (names from the
// catalog, the OS and probes) in element content and attributes. The
// golden file is what html/template wrote for the same report before the
// report was written by hand, byte for byte.
func TestHTMLReportEscapes(t *testing.T) {
	out := &checkOutput{Subject: `Atlas <CAD> & "co" 'x' +1`, Host: "h\x00ost", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Target: "/t<arget>", Cache: "/c&ache", Status: syscheck.Warn, Platform: "linux/amd64",
		Facts: &syscheck.Facts{OS: syscheck.OSFacts{Product: "debian 12", Version: "6.1", Build: "6.1.0-<1>"},
			CPU:     syscheck.CPUFacts{Model: `Intel(R) "Xeon"`, LogicalCores: 2},
			GPUs:    []syscheck.GPU{{Model: "<b>GTX</b>", Vendor: "nvidia", Integrated: true, Source: "lspci"}, {Model: "M", Source: "s"}},
			Unknown: map[string]string{"zeta": "z<", "alpha": "a&", "display": "no display"}}}
	out.Items = []checkItem{{Item: syscheck.Item{ID: "cpu.cores", Required: "2", Found: "2", Status: syscheck.Pass, Evidence: "nproc <x>"}},
		{Item: syscheck.Item{ID: "memory", Recommended: "8 GB", Found: "4 GB", Status: syscheck.Warn, Evidence: "e"}, Advice: "Add <RAM> & more"}}
	want, err := os.ReadFile(filepath.Join("testdata", "check-report.html"))
	if err != nil {
		t.Fatal(err)
	}
	got := htmlReport(out)
	if got != string(want) {
		t.Errorf("report differs from testdata/check-report.html:\n%s", got)
	}
	for _, raw := range []string{"<b>", "<CAD>", "<RAM>", "<x>", `"co"`, "\x00"} {
		if strings.Contains(got, raw) {
			t.Errorf("the report holds %q unescaped", raw)
		}
	}
	out.Items, out.Facts.GPUs, out.Facts.Unknown = nil, nil, nil
	if got := htmlReport(out); !strings.Contains(got, "<li>No GPU found.</li>\n</ul>") {
		t.Errorf("a report without GPUs:\n%s", got)
	}
	out.Facts = nil
	if got := htmlReport(out); !strings.Contains(got, "<h2>Machine</h2>") {
		t.Errorf("a report without facts:\n%s", got)
	}
}
